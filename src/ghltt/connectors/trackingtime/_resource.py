"""What every resource shares: the call, model decoding, whole-list reads and their changes,
the close/open/delete of archivable records, and third-party ids in custom fields."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import tzinfo
from typing import Any, Generic, TypeVar, cast

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from ghltt.connectors.http import NotFound
from ghltt.connectors.trackingtime._api import Api
from ghltt.connectors.trackingtime.catalog import operation
from ghltt.connectors.trackingtime.changes import Changes, SnapshotCursor, SnapshotTracker
from ghltt.connectors.trackingtime.errors import UnexpectedShape
from ghltt.connectors.trackingtime.models import TtModel
from ghltt.core import Clock

M = TypeVar("M", bound=TtModel)

_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def adapter(kind: Any) -> TypeAdapter[Any]:
    """One cached ``TypeAdapter`` per type: building one costs far more than using it."""
    found = _ADAPTERS.get(kind)
    if found is None:
        found = _ADAPTERS[kind] = TypeAdapter(kind)
    return found


def decode(kind: Any, data: Any, name: str) -> Any:
    """``data`` as ``kind``, or ``UnexpectedShape`` naming the operation and the first problem."""
    try:
        return adapter(kind).validate_python(data)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UnexpectedShape(
            f"{name}: {where}: {first['msg']} ({exc.error_count()} problem(s))"
        ) from None


def as_list(data: Any, key: str) -> list[Any]:
    """A list answer, whether bare or wrapped (``{"projects": [...]}``, ``{"data": [...]}``)."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        inner = data.get(key, data.get("data"))
        if isinstance(inner, list):
            return inner
    return []


def ref_list(ids: Any) -> list[dict[str, int]] | None:
    """``[{"id": 1}, …]`` from ids, the shape TT takes for ``users`` and similar."""
    if ids is None:
        return None
    return [{"id": int(i)} for i in ids]


def third_party_fields(kind: str, value: str | None, service: str | None) -> list[dict[str, str]]:
    """``custom_fields`` entries that store a third-party id by the system slugs.

    ``kind`` is ``EVENT``, ``TASK``, ``PROJECT`` or ``CUSTOMER``; the id is what keeps a retried
    add from writing twice (find by it first).
    """
    fields: list[dict[str, str]] = []
    if value is not None:
        fields.append({"slug": f"{kind}_THIRD_PARTY_ID", "value": value})
    if service is not None:
        fields.append({"slug": f"{kind}_THIRD_PARTY_SERVICE", "value": service})
    return fields


class Resource:
    """A group of operations on one account; stateless apart from the shared ``Api``."""

    def __init__(self, api: Api, *, zone: tzinfo, clock: Clock) -> None:
        self._api = api
        self._zone = zone
        self._clock = clock

    async def _data(
        self,
        name: str,
        *,
        ids: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        envelope = await self._api.call(operation(name), ids=ids, params=params, body=body)
        return envelope.get("data")

    async def _one(self, model: type[M], name: str, **kwargs: Any) -> M:
        return cast(M, decode(model, await self._data(name, **kwargs), name))

    async def _many(self, model: type[M], name: str, key: str = "data", **kwargs: Any) -> list[M]:
        items = as_list(await self._data(name, **kwargs), key)
        return cast(list[M], decode(list[model], items, name))  # type: ignore[valid-type]

    async def _done(
        self, name: str, *, ids: Mapping[str, Any], missing_ok: bool, **kw: Any
    ) -> None:
        try:
            await self._data(name, ids=ids, **kw)
        except NotFound:
            # A retried delete finds the record gone: the state asked for already holds.
            if not missing_ok:
                raise


class WholeList(Resource, Generic[M]):
    """A resource whose list comes whole in one answer (TT ignores ``page`` there)."""

    model: type[M]
    prefix: str
    # The most records TT's list answers with (None: no known cap); a read that reaches it
    # may be truncated, so it cannot tell a delete from a record beyond the cap.
    list_cap: int | None = None

    async def list(self, *, filter: str | None = None, **params: Any) -> list[M]:
        return await self._many(
            self.model, f"{self.prefix}.list", params={"filter": filter, **params}
        )

    def tracker(self) -> SnapshotTracker[M]:
        """How ``changes`` versions and compares these records (for a record read by id)."""
        return snapshot_tracker(self.model)

    async def iterate(self, *, filter: str | None = None, **params: Any) -> AsyncIterator[M]:
        for record in await self.list(filter=filter, **params):
            yield record

    async def changes(
        self, cursor: SnapshotCursor | None = None, *, filter: str = "ALL"
    ) -> Changes[M]:
        """Created, updated and deleted records since ``cursor`` (from one full read).

        The list is read with its custom fields, so the content hash covers their values: an
        edit of custom fields alone, in the same second as the state the cursor holds (TT's
        ``updated_at`` has one-second resolution), is still a change. A read of ``list_cap``
        records is not complete (``Changes.complete``): it reports no deletes, and the cursor
        keeps the versions of the records it lacked.
        """
        tracker = self.tracker()
        records = await self.list(filter=filter, include_custom_fields=True)
        capped = self.list_cap is not None and len(records) >= self.list_cap
        complete = filter == "ALL" and not capped
        return tracker.diff(records, cursor or SnapshotCursor(), complete=complete)


class Archivable(WholeList[M]):
    """close/open/delete by id, shared by customers, services and projects."""

    kind: str = ""

    async def find_by_third_party_id(self, value: str) -> M | None:
        """The record whose ``<KIND>_THIRD_PARTY_ID`` custom field holds ``value``, if any."""
        records = await self.list(filter="ALL", include_custom_fields=True)
        slug = f"{self.kind}_THIRD_PARTY_ID"
        return next((r for r in records if r.custom_field_value(slug) == value), None)

    async def close(self, record_id: int) -> M:
        return await self._one(self.model, f"{self.prefix}.close", ids={"id": record_id})

    async def open(self, record_id: int) -> M:
        return await self._one(self.model, f"{self.prefix}.open", ids={"id": record_id})

    async def delete(self, record_id: int, *, missing_ok: bool = False, **params: Any) -> None:
        await self._done(
            f"{self.prefix}.delete", ids={"id": record_id}, missing_ok=missing_ok, params=params
        )

    async def get(self, record_id: int, **params: Any) -> M:
        name = f"{self.prefix}.get"
        return await self._one(self.model, name, ids={"id": record_id}, params=params)

    async def update(self, record_id: int, **fields: Any) -> M:
        name = f"{self.prefix}.update"
        return await self._one(self.model, name, ids={"id": record_id}, body=fields)


def snapshot_tracker(model: type[M]) -> SnapshotTracker[M]:
    return SnapshotTracker(
        key=lambda record: record.id,  # type: ignore[attr-defined]
        as_dict=lambda record: record.model_dump(mode="json", by_alias=True),
    )
