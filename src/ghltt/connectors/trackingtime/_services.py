"""Services: the kinds of work time is billed as."""

from __future__ import annotations

from typing import Any

from ghltt.connectors.trackingtime._resource import Archivable
from ghltt.connectors.trackingtime.models import Service

__all__ = ["Services"]


class Services(Archivable[Service]):
    model = Service
    prefix = "services"

    async def add(self, name: str, **fields: Any) -> Service:
        return await self._one(Service, "services.add", body={"name": name, **fields})
