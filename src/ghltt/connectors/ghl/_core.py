"""The one place GHL requests are made: catalog route, Version header, JSON in and out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ghltt.connectors.ghl.catalog import operation
from ghltt.connectors.http import Requestor

__all__ = ["GhlCore", "succeeded"]


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}


def succeeded(body: Mapping[str, Any]) -> bool:
    """GHL spells it three ways: ``succeded``, ``succeeded`` and ``success``."""
    return bool(body.get("succeded", body.get("succeeded", body.get("success", True))))


class GhlCore:
    def __init__(self, requestor: Requestor, location_id: str) -> None:
        self.requestor = requestor
        self.location_id = location_id

    async def call(
        self,
        name: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> dict[str, Any]:
        """Perform catalog operation ``name``; the parsed JSON object body ({} when empty)."""
        op = operation(name)
        response = await self.requestor.request(
            op.method,
            op.url(**(path or {})),
            params=_clean(params),
            json=json,
            headers={"Version": op.version} if op.version else None,
            idempotent=op.idempotent,
        )
        if not response.content:
            return {}
        body = response.json()
        return body if isinstance(body, dict) else {"items": body}
