"""Products and their prices (apps/products.json): what an agency sells, for recipes that
price TrackingTime work. Records are keyed ``_id``."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ghltt.connectors.ghl.models import GhlModel, InputModel, Timestamp
from ghltt.connectors.ghl.operation import declare
from ghltt.connectors.ghl.operations import _sample as s

__all__ = ["OPERATIONS"]

_R, _W = "products.readonly", "products.write"
_PR, _PW = "products/prices.readonly", "products/prices.write"


class Product(GhlModel):
    id: str = Field(alias="_id")
    name: str | None = None
    product_type: str | None = None
    description: str | None = None
    available_in_store: bool | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class Price(GhlModel):
    id: str = Field(alias="_id")
    name: str | None = None
    type: str | None = None
    currency: str | None = None
    amount: float | None = None
    product: str | None = None
    created_at: Timestamp | None = None


class ProductInput(InputModel):
    name: str
    product_type: str
    description: str | None = None
    image: str | None = None
    available_in_store: bool | None = None


class PriceInput(InputModel):
    name: str
    type: str
    currency: str
    amount: float
    description: str | None = None
    recurring: dict[str, Any] | None = None


class Paging(InputModel):
    limit: int | None = None
    offset: int | None = None


class Deleted(GhlModel):
    status: bool | None = None


_P = {"productId": s.PRODUCT}
_PRICE = {**_P, "priceId": s.PRICE}

OPERATIONS = (
    declare(
        "products.list",
        "GET",
        "/products/",
        _R,
        input=Paging,
        output=list[Product],
        unwrap="products",
        location=True,
        summary="List the location's products",
        example={"limit": 20},
    ),
    declare(
        "products.get",
        "GET",
        "/products/{productId}",
        _R,
        output=Product,
        location=True,
        summary="Read one product",
        example=_P,
    ),
    declare(
        "products.create",
        "POST",
        "/products/",
        _W,
        idem=False,
        input=ProductInput,
        output=Product,
        location=True,
        summary="Create a product",
        example={"name": "Retainer hour", "productType": "SERVICE"},
    ),
    declare(
        "products.update",
        "PUT",
        "/products/{productId}",
        _W,
        input=ProductInput,
        output=Product,
        location=True,
        summary="Change a product",
        example={
            **_P,
            "name": "Consulting hour",
            "productType": "SERVICE",
            "description": "Sixty minutes of senior time",
        },
    ),
    declare(
        "products.delete",
        "DELETE",
        "/products/{productId}",
        _W,
        output=Deleted,
        query=("locationId",),
        location=True,
        summary="Delete a product",
        example=_P,
    ),
    declare(
        "prices.list",
        "GET",
        "/products/{productId}/price",
        _PR,
        input=Paging,
        output=list[Price],
        unwrap="prices",
        location=True,
        summary="List a product's prices",
        example=_P,
    ),
    declare(
        "prices.get",
        "GET",
        "/products/{productId}/price/{priceId}",
        _PR,
        output=Price,
        location=True,
        summary="Read one price",
        example=_PRICE,
    ),
    declare(
        "prices.create",
        "POST",
        "/products/{productId}/price",
        _PW,
        idem=False,
        input=PriceInput,
        output=Price,
        location=True,
        summary="Add a price to a product",
        example={**_P, "name": "Rush rate", "type": "one_time", "currency": "USD", "amount": 220},
    ),
    declare(
        "prices.update",
        "PUT",
        "/products/{productId}/price/{priceId}",
        _PW,
        input=PriceInput,
        output=Price,
        location=True,
        summary="Change a price",
        example={
            **_PRICE,
            "name": "Standard rate",
            "type": "one_time",
            "currency": "USD",
            "amount": 160,
        },
    ),
    declare(
        "prices.delete",
        "DELETE",
        "/products/{productId}/price/{priceId}",
        _PW,
        output=Deleted,
        query=("locationId",),
        location=True,
        summary="Delete a price",
        example=_PRICE,
    ),
)
