"""Products and their prices (apps/products.json): list, get, create, update, delete. Records
are keyed ``_id`` on the wire; changes send Product{Create,Update,Delete} and
Price{Create,Update,Delete}."""

from __future__ import annotations

from starlette.routing import Route

from ghltt.sandbox.ghl import collections as col
from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Handler, Result, api
from ghltt.sandbox.ghl.errors import ApiError, unprocessable
from ghltt.sandbox.ghl.state import Record

READ, WRITE = "products.readonly", "products.write"
PRICE_READ, PRICE_WRITE = "products/prices.readonly", "products/prices.write"


def _wire(record: Record) -> Record:
    """``_id`` for ``id``, ``createdAt``/``updatedAt`` for our stamps."""
    out = {k: v for k, v in views.public(record).items() if k not in ("dateAdded", "dateUpdated")}
    if record.get("_parent"):
        out["product"] = record["_parent"]
    return {"_id": out.pop("id"), **out, "createdAt": record["dateAdded"],
            "updatedAt": record["dateUpdated"]}  # fmt: skip


def _price_hook(record: Record) -> Record:
    """A price's ``type`` is the event's own in a webhook; the price's is ``priceType``."""
    out = _wire(record)
    out["priceType"] = out.pop("type", None)
    return out


_PRODUCT = {
    "name": "str", "locationId": "str",
    "productType": "enum:DIGITAL,PHYSICAL,SERVICE,PHYSICAL/DIGITAL",
    "description": "str?", "image": "str?", "statementDescriptor": "str?",
    "availableInStore": "bool", "medias": "array", "variants": "array",
}  # fmt: skip
_PRICE = {
    "name": "str", "type": "enum:one_time,recurring", "currency": "str", "amount": "num",
    "locationId": "str", "description": "str?", "recurring": "obj", "compareAtPrice": "num",
    "trackInventory": "bool", "availableQuantity": "num",
}  # fmt: skip
PRODUCTS = col.Kind(
    "products", "", "products", _PRODUCT, ("name", "locationId", "productType"),
    id_param="productId", location="body", event="Product", id_kind="hex24",
    deleted={"status": True}, view=_wire, webhook=_wire,
)  # fmt: skip
PRICES = col.Kind(
    "prices", "", "prices", _PRICE, ("name", "type", "currency", "amount", "locationId"),
    id_param="priceId", location="body", event="Price", id_kind="hex24", parent="productId",
    deleted={"status": True}, view=_wire, webhook=_price_hook,
)  # fmt: skip


def _on_product(handler: Handler) -> Handler:
    """Price routes name their product: it must exist in the caller's location."""

    def checked(ctx: Ctx) -> Result:
        product = ctx.sim.state.tables["products"].get(ctx.params["productId"])
        if product is None:
            raise ApiError(404, f"Product with id {ctx.params['productId']} not found")
        ctx.own_location(product["locationId"])
        return handler(ctx)

    return checked


def _listing(kind: col.Kind) -> Handler:
    def handler(ctx: Ctx) -> Result:
        rows = col.rows(ctx, kind, col.location_of(ctx, kind))
        try:
            offset, limit = int(ctx.query.get("offset", "0")), int(ctx.query.get("limit", "100"))
        except ValueError:
            raise unprocessable(["offset and limit must be numbers"]) from None
        shown = [_wire(r) for r in rows[offset : offset + limit]]
        total: object = len(rows) if kind is PRICES else [{"total": len(rows)}]
        return 200, {kind.many: shown, "total": total}

    return handler


def _put(kind: col.Kind) -> Handler:
    """PUT takes the whole record (the same required fields as a create)."""
    inner = col.update(kind)

    def handler(ctx: Ctx) -> Result:
        validation.check(ctx.body, kind.fields, kind.required)
        return inner(ctx)

    return handler


routes = [
    Route("/products/", api(READ)(_listing(PRODUCTS)), methods=["GET"]),
    Route("/products/", api(WRITE)(col.create(PRODUCTS)), methods=["POST"]),
    Route("/products/{productId}", api(READ)(col.get(PRODUCTS)), methods=["GET"]),
    Route("/products/{productId}", api(WRITE)(_put(PRODUCTS)), methods=["PUT"]),
    Route("/products/{productId}", api(WRITE)(col.delete(PRODUCTS)), methods=["DELETE"]),
    Route(
        "/products/{productId}/price",
        api(PRICE_READ)(_on_product(_listing(PRICES))),
        methods=["GET"],
    ),
    Route(
        "/products/{productId}/price",
        api(PRICE_WRITE)(_on_product(col.create(PRICES))),
        methods=["POST"],
    ),
    Route(
        "/products/{productId}/price/{priceId}",
        api(PRICE_READ)(_on_product(col.get(PRICES))),
        methods=["GET"],
    ),
    Route(
        "/products/{productId}/price/{priceId}",
        api(PRICE_WRITE)(_on_product(_put(PRICES))),
        methods=["PUT"],
    ),
    Route(
        "/products/{productId}/price/{priceId}",
        api(PRICE_WRITE)(_on_product(col.delete(PRICES))),
        methods=["DELETE"],
    ),
]
