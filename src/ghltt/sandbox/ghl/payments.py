"""Invoices and orders, as far as their webhooks go (docs/webhook events/Invoice*.md and
Order*.md). GHL's Invoices and Payments APIs are not simulated: no recipe action calls them.
What people do on GHL's pages (issue, edit, send, pay or void an invoice; check out an order
and fulfil it) is played through ``/_admin/invoices`` and ``/_admin/orders`` or these
functions, and each change sends the webhook GHL documents for it, with the invoice or order
as it is after the change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ghltt.sandbox.ghl.instance import GhlInstance
from ghltt.sandbox.ghl.state import Record
from ghltt.sandbox.ghl.timeutil import iso_ms

__all__ = ["INVOICE_CHANGES", "change_invoice", "create_invoice", "create_order", "set_order"]

# What each change of an invoice is, and the status it leaves (None: the status stays).
INVOICE_CHANGES: dict[str, tuple[str, str | None]] = {
    "update": ("InvoiceUpdate", None),
    "send": ("InvoiceSent", "sent"),
    "void": ("InvoiceVoid", "void"),
    "delete": ("InvoiceDelete", None),
}
ORDER_STATUSES = ("pending", "completed", "cancelled", "refunded")


def _contact(sim: GhlInstance, contact_id: str) -> Record:
    contact = sim.state.contacts.get(contact_id)
    if contact is None:
        raise KeyError(f"no contact {contact_id!r}")
    return contact


def _items(items: Any, currency: str) -> list[Record]:
    if not isinstance(items, list) or not items:
        raise ValueError("items must be a non-empty list of {name, amount, qty}")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValueError("each item needs a name")
        amount, qty = item.get("amount", 0), item.get("qty", 1)
        if not isinstance(amount, int | float) or not isinstance(qty, int | float) or qty <= 0:
            raise ValueError("an item's amount and qty must be numbers, qty above 0")
        out.append({"name": item["name"], "amount": amount, "qty": qty, "currency": currency})
    return out


def create_invoice(
    sim: GhlInstance, contact_id: str, name: str, items: Any, *, currency: str = "USD"
) -> Record:
    """A draft invoice to the contact, issued today, due in 30 days: InvoiceCreate."""
    with sim.lock:
        contact = _contact(sim, contact_id)
        lines = [{"_id": sim.ids.alnum(), **i, "taxes": []} for i in _items(items, currency)]
        total = round(sum(i["amount"] * i["qty"] for i in lines), 2)
        now = sim.clock.now()
        table = sim.state.tables["invoices"]
        names = (contact.get("firstName"), contact.get("lastName"))
        invoice: Record = {
            "_id": sim.ids.hex24(),
            "altId": contact["locationId"],
            "altType": "location",
            "name": name,
            "title": "INVOICE",
            "invoiceNumber": str(len(table) + 1),
            "status": "draft",
            "liveMode": False,
            "currency": currency,
            "businessDetails": {"name": "Sandbox Agency"},
            "contactDetails": {
                "id": contact_id,
                "name": " ".join(n for n in names if n) or str(contact.get("email") or ""),
                "email": str(contact.get("email") or ""),
                "phoneNo": str(contact.get("phone") or ""),
            },
            "invoiceItems": lines,
            "discount": {"type": "percentage", "value": 0},
            "total": total,
            "amountPaid": 0,
            "amountDue": total,
            "issueDate": now.date().isoformat(),
            "dueDate": (now + timedelta(days=30)).date().isoformat(),
            "createdAt": iso_ms(now),
            "updatedAt": iso_ms(now),
        }
        table[invoice["_id"]] = invoice
        sim.emit("InvoiceCreate", invoice["altId"], invoice)
        return dict(invoice)


def change_invoice(
    sim: GhlInstance, invoice_id: str, change: str, *, amount: float | None = None, name: str = ""
) -> Record:
    """``update`` (its name), ``send``, ``pay`` (``amount``, all that is due by default:
    InvoicePaid, or InvoicePartiallyPaid while some stays due), ``void`` or ``delete``."""
    with sim.lock:
        table = sim.state.tables["invoices"]
        invoice = table.get(invoice_id)
        if invoice is None:
            raise KeyError(f"no invoice {invoice_id!r}")
        if invoice["status"] == "void" and change != "delete":
            raise ValueError("a void invoice can only be deleted")
        if change == "pay":
            paid = invoice["amountDue"] if amount is None else amount
            if not isinstance(paid, int | float) or not 0 < paid <= invoice["amountDue"]:
                raise ValueError(f"amount must be above 0 and at most {invoice['amountDue']}")
            invoice["amountPaid"] = round(invoice["amountPaid"] + paid, 2)
            invoice["amountDue"] = round(invoice["total"] - invoice["amountPaid"], 2)
            event = "InvoicePaid" if invoice["amountDue"] == 0 else "InvoicePartiallyPaid"
            invoice["status"] = "paid" if invoice["amountDue"] == 0 else "partially_paid"
        elif change in INVOICE_CHANGES:
            event, status = INVOICE_CHANGES[change]
            invoice["status"] = status or invoice["status"]
            if change == "update" and name:
                invoice["name"] = name
        else:
            raise ValueError(f"change must be one of pay, {', '.join(INVOICE_CHANGES)}")
        invoice["updatedAt"] = iso_ms(sim.clock.now())
        if change == "delete":
            del table[invoice_id]
        sim.emit(event, invoice["altId"], invoice)
        return dict(invoice)


def create_order(sim: GhlInstance, contact_id: str, items: Any, *, currency: str = "USD") -> Record:
    """The contact checks out on the location's store: a pending order, OrderCreate."""
    with sim.lock:
        contact = _contact(sim, contact_id)
        lines = [
            {"name": i["name"], "qty": i["qty"], "price": {"amount": i["amount"]}, "product": {}}
            for i in _items(items, currency)
        ]
        amount = round(sum(i["price"]["amount"] * i["qty"] for i in lines), 2)
        now = iso_ms(sim.clock.now())
        snapshot = {k: contact[k] for k in ("id", "firstName", "lastName", "email") if k in contact}
        order: Record = {
            "_id": sim.ids.hex24(),
            "altId": contact["locationId"],
            "altType": "location",
            "contactId": contact_id,
            "contactSnapshot": {**snapshot, "locationId": contact["locationId"]},
            "currency": currency,
            "items": lines,
            "amount": amount,
            "amountSummary": {"subtotal": amount, "discount": 0, "shipping": 0, "tax": 0},
            "taxSummary": [],
            "status": "pending",
            "fulfillmentStatus": "unfulfilled",
            "liveMode": False,
            "source": {"type": "website", "subType": "store", "name": "Sandbox Store"},
            "createdAt": now,
            "updatedAt": now,
        }
        sim.state.tables["orders"][order["_id"]] = order
        sim.emit("OrderCreate", order["altId"], order)
        return dict(order)


def set_order(sim: GhlInstance, order_id: str, status: str) -> Record:
    """The order's status changes (paid and fulfilled, cancelled...): OrderStatusUpdate."""
    if status not in ORDER_STATUSES:
        raise ValueError(f"status must be one of {', '.join(ORDER_STATUSES)}")
    with sim.lock:
        order = sim.state.tables["orders"].get(order_id)
        if order is None:
            raise KeyError(f"no order {order_id!r}")
        order["status"] = status
        if status == "completed":
            order["fulfillmentStatus"] = "fulfilled"
        order["updatedAt"] = iso_ms(sim.clock.now())
        sim.emit("OrderStatusUpdate", order["altId"], order)
        return dict(order)
