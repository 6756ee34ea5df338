"""Any operation performed from its catalog declaration alone (``TrackingTimeClient.invoke``):
what the engine's generated actions call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast, get_origin

from ghltt.connectors.http import NotFound
from ghltt.connectors.trackingtime._api import Api
from ghltt.connectors.trackingtime._resource import as_list, decode
from ghltt.connectors.trackingtime.catalog import Paging, operation
from ghltt.connectors.trackingtime.pagination import paginate

__all__ = ["perform"]


async def perform(
    api: Api, name: str, values: Mapping[str, Any], *, missing_ok: bool = False
) -> Any:
    """Operation ``name``: ids taken from ``values`` for the path, the rest checked by its
    ``input`` and sent as body (POST, PUT) or query, a paged list walked to its end, the answer
    decoded as its ``output``. ``missing_ok``: a record already gone answers None (a retried
    delete finds the state it asked for)."""
    op = operation(name)
    rest = dict(values)
    ids = {key: int(rest.pop(key)) for key in op.path_params}
    if op.input is not None:
        rest = op.input.model_validate(rest).to_fields()
    body = op.method in ("POST", "PUT")

    async def read(extra: Mapping[str, Any]) -> Any:
        sent = {**rest, **extra}
        envelope = await api.call(
            op, ids=ids, params=None if body else sent, body=sent if body else None
        )
        data = envelope.get("data")
        if op.output is None:
            return data
        if get_origin(op.output) is list:
            data = as_list(data, op.unwrap)
        return decode(op.output, data, name)

    if op.paging is Paging.PAGED:

        async def page(number: int, size: int) -> list[Any]:
            return cast(list[Any], await read({"page": number, "page_size": size}))

        found = paginate(page, page_size=op.page_size, key=lambda record: record.id)
        return [record async for record in found]
    try:
        return await read({})
    except NotFound:
        if not missing_ok:
            raise
        return None
