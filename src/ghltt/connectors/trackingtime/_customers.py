"""Customers: the clients time is tracked for."""

from __future__ import annotations

from typing import Any

from ghltt.connectors.trackingtime._resource import Archivable, third_party_fields
from ghltt.connectors.trackingtime.models import Customer

__all__ = ["Customers"]


class Customers(Archivable[Customer]):
    model = Customer
    prefix = "customers"
    kind = "CUSTOMER"

    async def add(
        self,
        name: str,
        *,
        notes: str | None = None,
        third_party_id: str | None = None,
        third_party_service: str | None = None,
        **fields: Any,
    ) -> Customer:
        extra = third_party_fields("CUSTOMER", third_party_id, third_party_service)
        body = {"name": name, "notes": notes, **fields}
        if extra:
            body["custom_fields"] = [*body.get("custom_fields", ()), *extra]
        return await self._one(Customer, "customers.add", body=body)
