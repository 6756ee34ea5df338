"""Matching before creating: an index of the target side's records by the recipe's import
keys, asked for the counterpart of each source record that is not linked yet.

Keys are tried in order, each alone: the TT third-party marker of a GHL record (a create
retried after a crash), then the recipe's keys (``import.match``: the id each side keeps of
the other, email, phone, name). A key is a target field of the mapping, so a source record's
value is its mapped value (E.164 phones, lower-cased emails, as the mapping writes them) and
a target record's is what it holds in that field. A value two target records share, or a
record already linked to another, is ambiguous: reported, never guessed.

A type that lives under a parent (tasks and notes under a contact's pair) is matched within
that parent: a key's value is looked for among the target records of the parent's counterpart
(its ``parent`` field on the target side: a TT task's ``customer_id``, a GHL task's
``contactId``). The third-party marker names one record wherever it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ghltt.engine.mapping import MappedRecord, MappingContext
from ghltt.engine.objects import ObjectType
from ghltt.engine.recipes import SyncRecipe
from ghltt.engine.sync import Found
from ghltt.engine.sync.compare import current_value
from ghltt.engine.sync.lookup import custom_value

Key = tuple[Any, ...]
# The source id a target record was made for, by its TT third-party marker.
THIRD_PARTY = "third_party"


class Ambiguous(Exception):
    """More than one target record, or one linked to another record, answers a key."""


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().casefold() or None
    if isinstance(value, list):
        items = tuple(_normal(v) for v in value)
        return items if any(i is not None for i in items) else None
    return value


def _key(values: Iterable[Any]) -> Key | None:
    key = tuple(_normal(v) for v in values)
    return None if all(v is None for v in key) else key


class MatchIndex:
    """Target records by key value: their ids, and the records themselves when the target's
    list came whole (TT) so that a match costs no read."""

    def __init__(self, recipe: SyncRecipe, target: str, mctx: MappingContext) -> None:
        self.obj: ObjectType = recipe.objects(target)  # type: ignore[arg-type]
        self.mctx = mctx
        keys = enumerate(recipe.model.import_keys())
        self.keys = [(str(i), k.fields(target)) for i, k in keys if k.fields(target)]
        if self.obj.third_party and target == "tt":
            self.keys.insert(0, (THIRD_PARTY, (f"{self.obj.third_party}_THIRD_PARTY_ID",)))
        parent = recipe.model.parent
        # The target's field naming its parent, when matches are looked for within a parent.
        self.scope: str | None = None
        if parent is not None:
            self.scope = parent.tt_field if target == "tt" else parent.ghl_field
        self.ids: dict[str, dict[Key, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.held: dict[str, dict[str, Any]] = {}

    def _scoped(self, name: str, key: Key | None, parent_id: Any) -> Key | None:
        if key is None or name == THIRD_PARTY or self.scope is None:
            return key
        return None if parent_id in (None, "") else (str(parent_id), *key)

    def add(self, record: dict[str, Any], *, keep: bool = False) -> None:
        record_id = str(record["id"])
        parent_id = record.get(self.scope) if self.scope else None
        for name, fields in self.keys:
            if name == THIRD_PARTY:
                key = _key([custom_value(record, fields[0])])
            else:
                key = _key(current_value(record, f, self.mctx, self.obj.type) for f in fields)
            key = self._scoped(name, key, parent_id)
            if key is not None:
                self.ids[name][key].add(record_id)
        if keep:
            self.held[record_id] = record

    def add_mapped(
        self, record_id: str, mapped: MappedRecord, source_id: str, parent_id: Any = None
    ) -> None:
        """A record the import just made, known by what it was written with."""
        for name, fields in self.keys:
            values = [source_id] if name == THIRD_PARTY else [mapped.values.get(f) for f in fields]
            key = self._scoped(name, _key(values), parent_id)
            if key is not None:
                self.ids[name][key].add(record_id)
        self.held.pop(record_id, None)  # read it again if it is matched

    def find(
        self,
        source_id: str,
        mapped: MappedRecord,
        linked_elsewhere: Callable[[str], str | None],
        parent_id: Any = None,
    ) -> str | None:
        """The id of the one target record answering the first key that any answers; None:
        none does. ``linked_elsewhere(target_id)``: the source record it is linked to;
        ``parent_id``: the target-side parent the record belongs under (a typed parent)."""
        for name, fields in self.keys:
            values = [source_id] if name == THIRD_PARTY else [mapped.values.get(f) for f in fields]
            key = self._scoped(name, _key(values), parent_id)
            if key is None:
                continue
            found = self.ids[name].get(key)
            if not found:
                continue
            label = "third-party id" if name == THIRD_PARTY else "+".join(fields)
            if len(found) > 1:
                ids = ", ".join(sorted(found)[:5])
                raise Ambiguous(f"{len(found)} {self.obj.type} records share {label}: {ids}")
            (target_id,) = found
            other = linked_elsewhere(target_id)
            if other is not None and other != source_id:
                raise Ambiguous(
                    f"{self.obj.type} {target_id} has the same {label} and is linked to {other}"
                )
            return target_id
        return None

    def found(self, target_id: str | None) -> Found | None:
        """The ``Found`` a plan takes when the record is held; None when it must be read."""
        if target_id is None:
            return Found(None)
        record = self.held.get(target_id)
        return None if record is None else Found(record)
