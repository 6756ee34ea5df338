"""Customers: the clients time is tracked for."""

from __future__ import annotations

from typing import Any

from ghltt.connectors.trackingtime._resource import Archivable, third_party_fields
from ghltt.connectors.trackingtime.models import Customer

__all__ = ["CUSTOMER_LIST_CAP", "Customers"]

# ``GET /customers`` takes no page or limit (``page`` is ignored) and answers with at most this
# many customers, in creation order (the real API, RN v4.4.3): an account with more has
# customers no list shows. Only ``GET /customers/{id}`` reads those.
CUSTOMER_LIST_CAP = 1000


class Customers(Archivable[Customer]):
    model = Customer
    prefix = "customers"
    kind = "CUSTOMER"
    list_cap = CUSTOMER_LIST_CAP

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
