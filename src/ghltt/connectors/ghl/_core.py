"""The one place GHL requests are made: catalog route, Version header, JSON in and out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_origin

from pydantic import TypeAdapter

from ghltt.connectors.ghl.catalog import Operation, operation
from ghltt.connectors.http import Requestor

__all__ = ["GhlCore", "decode", "succeeded"]

_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}


def succeeded(body: Mapping[str, Any]) -> bool:
    """GHL spells it three ways: ``succeded``, ``succeeded`` and ``success``."""
    return bool(body.get("succeded", body.get("succeeded", body.get("success", True))))


def decode(op: Operation, body: Mapping[str, Any]) -> Any:
    """The answer as the operation declares it: its ``output`` read from under ``unwrap``."""
    if op.output is None:
        return dict(body)
    if op.output is bool:
        return succeeded(body)
    is_list = get_origin(op.output) is list
    data = body.get(op.unwrap, [] if is_list else body) if op.unwrap else body
    found = _ADAPTERS.get(op.output)
    if found is None:  # building an adapter costs far more than using one
        found = _ADAPTERS[op.output] = TypeAdapter(op.output)
    return found.validate_python(data)


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

    def _filled(self, key: str) -> str:
        """A path parameter no value gives: the client's own location, or a clear error."""
        if key == "locationId":
            return self.location_id
        raise KeyError(f"missing path parameter {key!r}")

    async def invoke(self, name: str, values: Mapping[str, Any]) -> Any:
        """Perform operation ``name`` from its declaration: path parameters taken from
        ``values``, the rest as the query (GET) or the JSON body, the answer decoded."""
        op = operation(name)
        rest = dict(values)
        if "locationId" in op.path_params:
            rest.pop("locationId", None)  # a location in the path is always the client's own
        path = {
            key: str(rest.pop(key) if key in rest else self._filled(key)) for key in op.path_params
        }
        if op.location:
            rest = {op.location_as: self.location_id, **rest}
        if op.method == "GET":
            return decode(op, await self.call(name, path=path, params=rest))
        query = {key: rest.pop(key) for key in op.query if key in rest}
        payload = {**op.defaults, **rest}
        sent = payload if payload or op.input is not None or op.empty_body else None
        return decode(op, await self.call(name, path=path, params=query or None, json=sent))
