"""The writes a plan lists: what apply() performs, in order.

A write may refer to what an earlier write of the same plan produces: ``Created(step)`` is
the id of the record write ``step`` creates, known once it is applied (a TT customer made
for a new contact, then closed). The ``write_back`` step stands for what the target's state
after the writes adds to the source (its id, the values it normalised, changes of its own
its answer reveals): its fields are known only from that answer, so apply() plans it then,
from the state it already holds, without another read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ghltt.engine.objects import ADDRESS_KEYS, ObjectType
from ghltt.store.provenance import ProvenanceEntry

Operation = Literal[
    "create", "update", "archive", "unarchive", "delete", "write_back", "link", "unlink"
]
# Operations that call the other system; the rest happen in the store (link, unlink) or
# become remote writes when applied (write_back).
REMOTE: frozenset[str] = frozenset({"create", "update", "archive", "unarchive", "delete"})


@dataclass(frozen=True)
class Created:
    """The id of the record an earlier write of the plan (its index) creates."""

    step: int


@dataclass(frozen=True)
class PlannedWrite:
    """One write of a plan. ``body`` is the request without the record's address (its id,
    its parent's id), which ``object_type.address`` adds when the id is known; ``provenance``
    says where each field of the body came from (object ids of creates filled when applied)."""

    operation: Operation
    object_type: ObjectType
    target_id: str | Created | None = None
    body: dict[str, Any] = field(default_factory=dict)
    provenance: tuple[ProvenanceEntry, ...] = ()
    # The parent's id in the address (the contact of a GHL task or note).
    parent_id: Any = None
    # A write whose target's 404 means the record is already gone (deletes).
    gone_is_done: bool = False

    @property
    def system(self) -> str:
        return self.object_type.system

    @property
    def action(self) -> str | None:
        obj = self.object_type
        return {
            "create": obj.create,
            "update": obj.update,
            "archive": obj.archive,
            "unarchive": obj.unarchive,
            "delete": obj.delete,
        }.get(self.operation)

    @property
    def remote(self) -> bool:
        return self.operation in REMOTE

    def fields(self) -> dict[str, Any]:
        """What the write sets, as the run report shows it: no keys that address records
        (an appointment's ``contactId`` is one of its fields, but names the contact)."""
        return {k: v for k, v in self.body.items() if k not in ADDRESS_KEYS}

    def request(self, target_id: str | None) -> dict[str, Any]:
        """The action's input, once the target's id is known."""
        return {**self.body, **self.object_type.address(target_id, self.parent_id)}
