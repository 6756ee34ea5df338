"""What ghltt knows about one synced object type: the actions that read and write it, how a
record of it is addressed, where it lives, what TT marks it with, and how its deletes show.

Everything that differs between object types is a field here; the sync, the lookups and the
recipe loader read it instead of naming types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

System = Literal["ghl", "tt"]
# How a delete of a record of this type reaches ghltt, besides a sync run's read answering 404
# (which every type has): a webhook (GHL ``*Delete``), a poll comparing a parent's list of it
# with the last one (GHL tasks and notes per contact), or a poll of TT's complete list.
DeleteSignal = Literal["webhook", "parent_list", "snapshot"]


@dataclass(frozen=True)
class ObjectType:
    system: System
    name: str
    get: str
    create: str
    update: str
    delete: str | None
    # ``state`` fields are not sent in an update: they become these actions (TT has no
    # ``is_archived`` parameter, only close/open).
    archive: str | None = None
    unarchive: str | None = None
    # The input that names a record in get, update and delete (TT: its numeric ``id``).
    id_key: str = "id"
    # The object type a record lives under (GHL task → contact, TT task → project).
    parent: str | None = None
    # The input naming the parent when a record is addressed under it (GHL tasks and notes
    # live at ``/contacts/{contactId}/tasks/{taskId}``): reads and writes need it.
    parent_key: str | None = None
    # TT's custom-field marker (``<KIND>_THIRD_PARTY_ID``/``_SERVICE``) a record made for a
    # GHL record carries, so a retried create finds it.
    third_party: str | None = None
    # Fields sent on every update even when unchanged (TT wants them).
    always_sent: tuple[str, ...] = ()
    # Its create and update answer with the whole record in the shape its get returns, so the
    # answer stands in for a read-back (GHL documents one schema for both; TT answers the
    # record with its custom fields). Not so for appointments (another document than the get).
    writes_answer_record: bool = False
    deletes: tuple[DeleteSignal, ...] = ()
    fields: frozenset[str] = frozenset()
    state: frozenset[str] = frozenset()
    custom_fields: bool = False
    # Every top-level field a record of this type has as its get returns it (the connector's
    # model, in wire names): a mapping that reads another is flagged. Empty: not checked.
    readable: frozenset[str] = frozenset()

    @property
    def type(self) -> str:
        return f"{self.system}.{self.name}"

    @property
    def writable(self) -> frozenset[str]:
        return self.fields | self.state

    @property
    def known_fields(self) -> frozenset[str]:
        """What a mapping may read from a record of this type (empty: anything)."""
        if not self.readable:
            return frozenset()
        return self.readable | self.writable | self.address_keys() | {"id"}

    def actions(self) -> tuple[str, ...]:
        found = (self.get, self.create, self.update, self.delete, self.archive, self.unarchive)
        return tuple(a for a in found if a)

    def answering_with_record(self) -> frozenset[str]:
        """Its writes whose answer is the record as its get gives it."""
        return frozenset((self.create, self.update)) if self.writes_answer_record else frozenset()

    def address(self, record_id: Any, parent_id: Any = None) -> dict[str, Any]:
        """The inputs naming one record (``record_id`` None: a record to be created, under its
        parent when it lives under one)."""
        out: dict[str, Any] = {}
        if record_id is not None:
            out[self.id_key] = int(record_id) if self.system == "tt" else str(record_id)
        if self.parent_key:
            out[self.parent_key] = parent_id
        return out

    def address_keys(self) -> frozenset[str]:
        return frozenset(k for k in (self.id_key, self.parent_key) if k)


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def wire_fields(model: type[BaseModel]) -> frozenset[str]:
    """A connector model's fields as the API names them (their alias, else their name)."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        found.add(info.alias or name)
        if info.validation_alias is not None:
            found.update(a for a in _aliases(info.validation_alias) if isinstance(a, str))
    return frozenset(found)


def _aliases(alias: Any) -> list[Any]:
    choices = getattr(alias, "choices", None)
    if choices is None:
        return [alias]
    return [c for choice in choices for c in _aliases(choice)]
