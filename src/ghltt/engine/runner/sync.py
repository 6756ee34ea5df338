"""Sync runs: converge the other side to the current state of the record an event is about.

fetch (404 → delete policy) → map → echo check against the link's fingerprint → trust the link
(write what changed since the last sync, by id) or find the counterpart (link, third-party id,
match keys) → conflict policy → write only changed fields (create when there is none) → write
back what the other side adds (ids) → store the link with both sides' fingerprints (of the
records as the writes answered them, or read back), the provenance of each field, the snapshot.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from ghltt.connectors.http import NotFound
from ghltt.connectors.trackingtime import parse_datetime
from ghltt.core import Event
from ghltt.engine.context import BridgeContext
from ghltt.engine.mapping import MappedRecord, MappingContext, MappingFailed, canonical_json
from ghltt.engine.recipes import SyncObject, SyncRecipe, build_context
from ghltt.engine.runner import sides
from ghltt.engine.runner.actions import call_action
from ghltt.engine.runner.compare import current_value, same
from ghltt.engine.runner.report import RunReport, Write
from ghltt.store.links import Link
from ghltt.store.provenance import ProvenanceEntry, ProvenanceRepository

OTHER = {"ghl": "tt", "tt": "ghl"}
# Fields TT wants on every update even when unchanged.
_ALWAYS = {"tt.customer": ("name",), "tt.event": ("start", "end", "duration", "timezone")}
_IDS = {"ghl.contact": "contactId", "ghl.task": "taskId", "ghl.note": "noteId"}


class Skip(Exception):
    """The run has nothing to do (filtered, parent not linked...)."""


class _LinkedRecordGone(Exception):
    """A write by id to the linked counterpart, not read in this run, answered 404."""


@dataclass(frozen=True)
class _Counterpart:
    """The record a push writes to: read in this run, or, trusting the link, known only by its
    id and the mapped fields that changed on the source since our last sync."""

    id: str
    record: dict[str, Any] | None = None
    changed_since_sync: frozenset[str] = frozenset()

    @classmethod
    def read(cls, record: dict[str, Any]) -> _Counterpart:
        return cls(_id_of(record), record)


@dataclass
class _Run:
    recipe: SyncRecipe
    ctx: BridgeContext
    report: RunReport
    parent: dict[str, Any] | None = None
    mctx: MappingContext = field(default_factory=MappingContext)
    # Provenance of writes made, stored with the link (one commit) or, if the run stops
    # before that, on its own.
    unsaved_provenance: list[ProvenanceEntry] = field(default_factory=list)
    # The source's mapped values at our last sync (its snapshot); None if never synced.
    synced: dict[str, Any] | None = None
    # Mappings already applied in this run, by side and record (the record kept alive so
    # its id is not reused): a run maps the same record several times.
    mapped: dict[tuple[str, int], tuple[dict[str, Any], MappedRecord | None]] = field(
        default_factory=dict
    )
    snapshots: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)

    @property
    def types(self) -> tuple[str, str]:
        return self.recipe.model.ghl, self.recipe.model.tt


async def run_sync(recipe: SyncRecipe, event: Event, ctx: BridgeContext) -> RunReport:
    run = _Run(recipe, ctx, RunReport(recipe.name, ctx.mode))
    source = str(event.source)
    record_id = event.object_id or _payload_id(event.payload)
    if source not in OTHER or record_id is None:
        return run.report.finish("skipped", "not about a GHL or TT record")
    if f"{source}_to_{OTHER[source]}" not in recipe.model.directions:
        return run.report.finish("skipped", f"{recipe.name} does not sync from {source}")
    await ctx.resolver.load(
        o.type for o in (recipe.ghl_object, recipe.tt_object) if o.custom_fields
    )
    try:
        return await _run(run, source, str(record_id), event.payload)
    except Skip as why:
        return run.report.finish("skipped", str(why))
    finally:
        _flush_provenance(run, ctx.repos.provenance)  # writes made by a run that stopped early


def _payload_id(payload: dict[str, Any]) -> str | None:
    data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
    found = data.get("id") if isinstance(data, dict) else None
    return None if found is None else str(found)


def _link_of(run: _Run, system: str, record_id: str) -> Link | None:
    ghl_type, tt_type = run.types
    return run.ctx.repos.links.by_side(system, run.ctx.bridge_id, ghl_type, tt_type, record_id)


async def _run(run: _Run, source: str, record_id: str, payload: dict[str, Any]) -> RunReport:
    link = _link_of(run, source, record_id)
    contact_hint = payload.get("contactId") or _snapshot_parent(run, source, record_id)
    try:
        record = await sides.fetch(run.ctx, run.recipe, source, record_id, contact_hint)
    except NotFound:
        return await _deleted(run, source, record_id, link)
    run.parent = await _parent(run, source, record)
    run.mctx = build_context(
        run.recipe,
        now=run.ctx.now,
        resolver=run.ctx.resolver,
        params=run.ctx.params_for(run.recipe.name),
        location_tz=run.ctx.location_tz,
        tt_timezone=run.ctx.tt_timezone,
        parent=run.parent or {},
    )
    if not run.recipe.accepts(source, record, run.mctx):  # type: ignore[arg-type]
        raise Skip(f"the {source} record does not pass the recipe's filter")
    mapped = _map(run, source, record)
    assert mapped is not None  # the direction is synced
    run.synced = _synced_values(run, source, record_id)
    run.report.changed_fields = _changed_since_sync(mapped, run.synced)
    if link is not None and getattr(link, f"{source}_fingerprint") == mapped.fingerprint:
        # The mapped state is what we last synced: our own write coming back, or a duplicate.
        return run.report.finish("echo", "mapped state equals the link's fingerprint")
    return await _converge(run, source, record, mapped, link)


def _snapshot(run: _Run, system: str, record_id: str) -> dict[str, Any] | None:
    key = (system, record_id)
    if key not in run.snapshots:
        obj = run.recipe.objects(system)  # type: ignore[arg-type]
        repo = run.ctx.repos.snapshots
        run.snapshots[key] = repo.get(run.ctx.bridge_id, system, obj.name, record_id)
    return run.snapshots[key]


def _synced_values(run: _Run, system: str, record_id: str) -> dict[str, Any] | None:
    before = (_snapshot(run, system, record_id) or {}).get("mapped")
    return before if isinstance(before, dict) else None


def _changed_since_sync(mapped: MappedRecord, synced: dict[str, Any] | None) -> list[str]:
    # Compare as stored: the snapshot went through JSON.
    now = orjson.loads(orjson.dumps(mapped.values, default=str))
    if synced is None:
        return sorted(now)
    return sorted(k for k in set(now) | set(synced) if now.get(k) != synced.get(k))


def _snapshot_parent(run: _Run, system: str, record_id: str) -> Any:
    return (_snapshot(run, system, record_id) or {}).get("parent", {}).get("ghl_id")


async def _parent(run: _Run, system: str, record: dict[str, Any]) -> dict[str, Any] | None:
    spec = run.recipe.model.parent
    if spec is None:
        return None
    ghl_type, tt_type = run.ctx.sync_types.get(spec.recipe, ("contact", "customer"))
    links = run.ctx.repos.links
    if system == "ghl":
        found = links.by_ghl(run.ctx.bridge_id, ghl_type, str(record.get(spec.ghl_field)), tt_type)
    else:
        found = links.by_tt(run.ctx.bridge_id, tt_type, str(record.get(spec.tt_field)), ghl_type)
    ids = (found.ghl_id, found.tt_id) if found is not None else _parent_synced(run, system, record)
    if ids is None:
        raise Skip(f"the parent is not linked by {spec.recipe} yet")
    tt_parent = await call_action(run.ctx, f"tt.{tt_type}s.get", {"id": int(ids[1])})
    return {"ghl": {"id": ids[0]}, "tt": tt_parent}


def _parent_synced(run: _Run, system: str, record: dict[str, Any]) -> tuple[str, str] | None:
    """The parent pair a record was synced under, when the record itself does not name one
    (a TT task in a project of no customer, paired by a step's ``link:``)."""
    parent = (_snapshot(run, system, str(record.get("id"))) or {}).get("parent") or {}
    ghl_id, tt_id = parent.get("ghl_id"), parent.get("tt_id")
    return (str(ghl_id), str(tt_id)) if ghl_id and tt_id else None


def _map(run: _Run, system: str, record: dict[str, Any]) -> MappedRecord | None:
    key = (system, id(record))
    if key in run.mapped:
        return run.mapped[key][1]
    mapping = run.recipe.mapping_from(system)  # type: ignore[arg-type]
    mapped = None if mapping is None else mapping.apply(record, run.mctx)
    run.mapped[key] = (record, mapped)
    return mapped


def _fingerprint(run: _Run, system: str, record: dict[str, Any] | None) -> str | None:
    return None if record is None else _fingerprint_of(_mapped_or_none(run, system, record))


def _id_of(record: dict[str, Any]) -> str:
    return str(record["id"])


async def _converge(
    run: _Run, source: str, record: dict[str, Any], mapped: MappedRecord, link: Link | None
) -> RunReport:
    target = OTHER[source]
    trusted = _trusted_counterpart(run, source, mapped, link)
    if trusted is not None:
        try:
            return await _converge_pair(run, source, record, mapped, trusted)
        except _LinkedRecordGone:
            link = None  # a stale link: find or create the counterpart as if never linked
    counterpart = await _counterpart(run, source, record, link)
    if counterpart is not None and link is not None:
        held = _fingerprint(run, target, counterpart)
        before = getattr(link, f"{target}_fingerprint")
        if held is not None and before is not None and held != before:
            if _winner(run, source, record, counterpart) == target:
                reverse = _map(run, target, counterpart)
                if reverse is None:
                    raise Skip(f"conflict: the {target} side wins and is not synced back")
                run.report.reason = f"conflict: {run.recipe.model.conflict} chose {target}"
                return await _converge_pair(
                    run, target, counterpart, reverse, _Counterpart.read(record)
                )
            run.report.reason = f"conflict: {run.recipe.model.conflict} chose {source}"
    found = None if counterpart is None else _Counterpart.read(counterpart)
    return await _converge_pair(run, source, record, mapped, found)


def _trusted_counterpart(
    run: _Run, source: str, mapped: MappedRecord, link: Link | None
) -> _Counterpart | None:
    """The linked counterpart, unread, when the link may stand in for reading it: the target
    then holds what our last sync wrote, so only what changed on the source since is written.
    Read it instead when a conflict could go the target's way: the policy favours the target,
    or an event about the counterpart waits in the inbox (it changed since our last sync)."""
    target = OTHER[source]
    if link is None or run.synced is None or run.recipe.model.conflict == f"{target}_wins":
        return None
    changed = frozenset(_changed_since_sync(mapped, run.synced)) & set(mapped.values)
    if not changed:
        return None  # the fingerprint moved, the values did not: read, as without a link
    target_id = str(getattr(link, f"{target}_id"))
    if run.ctx.repos.inbox.has_unprocessed(run.ctx.bridge_id, target, target_id):
        return None
    return _Counterpart(target_id, changed_since_sync=changed)


async def _counterpart(
    run: _Run, source: str, record: dict[str, Any], link: Link | None
) -> dict[str, Any] | None:
    target = OTHER[source]
    if link is not None:
        try:
            return await sides.fetch(
                run.ctx, run.recipe, target, getattr(link, f"{target}_id"), _contact_id(run)
            )
        except NotFound:
            # The link is stale: find or create again, in a fresh list (a moment-old one
            # would still hold the record that is gone).
            run.ctx.listings.forget(run.recipe.objects(target).type)  # type: ignore[arg-type]
    if source == "ghl":
        found = await sides.by_third_party(run.ctx, run.recipe.model.tt, _id_of(record))
        if found is not None:
            return found
    return await sides.by_match_keys(run.ctx, run.recipe, source, record, run.parent)


def _contact_id(run: _Run) -> Any:
    return (run.parent or {}).get("ghl", {}).get("id")


def _updated_at(run: _Run, system: str, record: dict[str, Any]) -> datetime | None:
    raw = record.get("dateUpdated" if system == "ghl" else "updated_at") or record.get("updatedAt")
    if not isinstance(raw, str) or not raw:
        return None
    try:
        if system == "ghl":
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return parse_datetime(raw, run.ctx.tt_timezone)
    except ValueError:
        return None


def _winner(run: _Run, source: str, record: dict[str, Any], other: dict[str, Any]) -> str:
    policy = run.recipe.model.conflict
    if policy == "ghl_wins":
        return "ghl"
    if policy == "tt_wins":
        return "tt"
    mine, theirs = _updated_at(run, source, record), _updated_at(run, OTHER[source], other)
    if mine is None or theirs is None or mine >= theirs:
        return source  # the event is the freshest hint we have
    return OTHER[source]


async def _converge_pair(
    run: _Run,
    source: str,
    record: dict[str, Any],
    mapped: MappedRecord,
    counterpart: _Counterpart | None,
) -> RunReport:
    target = OTHER[source]
    after = await _push(run, source, record, mapped, target, counterpart)
    if not run.ctx.writes:
        return run.report.finish("applied" if run.report.writes else "no_change")
    if after is None:
        raise Skip("nothing to write and no counterpart")
    two_way = f"{target}_to_{source}" in run.recipe.model.directions
    reverse = _map(run, target, after) if two_way else None
    if reverse is not None:
        # What the other side adds (its id, normalised values, changes of its own the answer
        # reveals) goes back, so both settle.
        source_side = _Counterpart.read(record)
        record = await _push(run, target, after, reverse, source, source_side) or record
    _save(run, source, record, target, after)
    return run.report.finish("applied" if run.report.writes else "no_change")


def _partial(mapped: MappedRecord, names: set[str]) -> dict[str, Any]:
    """The request body for only these target fields (custom fields in the target's shape)."""
    kept = {k: v for k, v in mapped.values.items() if k in names}
    ids = {k: v for k, v in mapped.custom_field_ids.items() if f"custom:{k}" in kept}
    return MappedRecord(kept, {}, ids, {}, mapped.target_type).payload()


async def _push(
    run: _Run,
    source: str,
    record: dict[str, Any],
    mapped: MappedRecord,
    target: str,
    counterpart: _Counterpart | None,
) -> dict[str, Any] | None:
    """Write ``mapped`` to the target (create, or update only what differs); the target's
    state afterwards (None in shadow mode when it would be created)."""
    obj = run.recipe.objects(target)  # type: ignore[arg-type]
    plain = {k for k in mapped.values if k not in obj.state}
    answers: list[dict[str, Any] | None] = []  # per write, the record if it answered with it
    if counterpart is None:
        body = _partial(mapped, plain)
        body.update(_create_extras(run, source, record, obj.type, body))
        result = await _write(run, target, obj.create, obj.name, None, body, mapped, plain, source)
        if result is None:
            return None
        created = _created(result)
        run.ctx.listings.add(obj.type, created)  # found by the next lookup of a burst
        counterpart = _Counterpart(_id_of(created))
        answers.append(sides.as_read(obj.create, created))
        changed_state = {k: v for k, v in mapped.values.items() if k in obj.state and v}
    else:
        changed = _changes(run, obj, mapped, counterpart)
        changed_state = {k: mapped.values[k] for k in sorted(changed & obj.state)}
        if changed & plain:
            names = changed & plain | set(_ALWAYS.get(obj.type, ())) & plain
            body = _partial(mapped, names)
            body.update(_routing(run, obj.type, counterpart.id))
            answers.append(await _update(run, obj, counterpart, body, mapped, names, source))
    for name, value in changed_state.items():
        # State fields are actions, not update parameters (TT closes and opens records).
        action = obj.archive if value else obj.unarchive
        if action:
            body = {"id": int(counterpart.id)}
            result = await _write(
                run, target, action, obj.name, counterpart.id, body, mapped, {name}, source
            )
            answers.append(sides.as_read(action, result))
    return await _state_after(run, target, counterpart, answers)


def _changes(
    run: _Run, obj: SyncObject, mapped: MappedRecord, counterpart: _Counterpart
) -> set[str]:
    """The mapped fields the counterpart does not hold: compared with the record when it was
    read, else those that changed on the source since our last sync."""
    held = counterpart.record
    if held is None:
        return set(counterpart.changed_since_sync & set(mapped.values))
    return {
        k
        for k, v in mapped.values.items()
        if not same(
            v,
            held.get(k) if k in obj.state else current_value(held, k, run.mctx, obj.type),
        )
    }


async def _update(
    run: _Run,
    obj: SyncObject,
    counterpart: _Counterpart,
    body: dict[str, Any],
    mapped: MappedRecord,
    names: set[str],
    source: str,
) -> dict[str, Any] | None:
    """The update by id; its answer when that is the record as a read would give it."""
    try:
        result = await _write(
            run, obj.system, obj.update, obj.name, counterpart.id, body, mapped, names, source
        )
    except NotFound:
        run.ctx.listings.forget(obj.type)  # a moment-old list would still hold it
        if counterpart.record is None:
            raise _LinkedRecordGone(counterpart.id) from None
        raise
    return sides.as_read(obj.update, result)


async def _state_after(
    run: _Run, system: str, counterpart: _Counterpart, answers: list[dict[str, Any] | None]
) -> dict[str, Any] | None:
    """The target's state after the writes, as the echo of them will read it."""
    if not run.ctx.writes:
        return counterpart.record
    if answers and answers[-1] is not None:
        return answers[-1]  # the last write answered with the whole record
    if not answers and counterpart.record is not None:
        return counterpart.record  # nothing written: as read in this run
    return await sides.fetch(run.ctx, run.recipe, system, counterpart.id, _contact_id(run))


def _routing(run: _Run, target_type: str, target_id: str) -> dict[str, Any]:
    if target_type.startswith("tt."):
        return {"id": int(target_id)}
    out: dict[str, Any] = {_IDS.get(target_type, "eventId"): target_id}
    if target_type in ("ghl.task", "ghl.note"):
        out["contactId"] = _contact_id(run)
    return out


def _create_extras(
    run: _Run, source: str, record: dict[str, Any], target_type: str, body: dict[str, Any]
) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if target_type in ("ghl.task", "ghl.note"):
        extras["contactId"] = _contact_id(run)
    if target_type in ("tt.task", "tt.event") and body.get("project_name") and run.parent:
        # The project named after the customer is found, or made, under that customer.
        extras["customer_name"] = run.parent["tt"].get("name")
    kind = sides.THIRD_PARTY.get(target_type.removeprefix("tt."))
    if target_type.startswith("tt.") and source == "ghl" and kind:
        slugs = {f"{kind}_THIRD_PARTY_ID", f"{kind}_THIRD_PARTY_SERVICE"}
        if not any(
            str(c.get("id")) in _ids_for(run, target_type, slugs)
            for c in body.get("custom_fields", [])
        ):
            extras["custom_fields"] = [
                *body.get("custom_fields", []),
                {"slug": f"{kind}_THIRD_PARTY_ID", "value": _id_of(record)},
                {"slug": f"{kind}_THIRD_PARTY_SERVICE", "value": "GoHighLevel"},
            ]
    return extras


def _ids_for(run: _Run, target_type: str, keys: set[str]) -> set[str]:
    found = (run.ctx.resolver.resolve_custom_field(target_type, k) for k in keys)
    return {f for f in found if f}


async def _write(
    run: _Run,
    system: str,
    action: str,
    object_type: str,
    object_id: str | None,
    body: dict[str, Any],
    mapped: MappedRecord,
    names: set[str],
    source: str,
) -> dict[str, Any] | None:
    """One remote write (only planned in shadow mode) with the provenance of its fields."""
    fields = {k: v for k, v in body.items() if k not in ("id", "contactId", "taskId", "noteId")}
    result: Any = None
    if run.ctx.writes:
        result = await call_action(run.ctx, action, body)
    # Reported once made: a write that fails (a 404 on a stale link) did not happen.
    run.report.writes.append(Write(system, action, object_type, object_id, fields))
    written_id = object_id or (_id_of(_created(result)) if isinstance(result, dict) else None)
    _provenance(run, system, object_type, written_id, mapped, names, source)
    return result if isinstance(result, dict) else None


def _created(result: dict[str, Any]) -> dict[str, Any]:
    """The record a create made: GHL's upsert answers ``{new, contact}``."""
    inner = result.get("contact")
    return inner if "new" in result and isinstance(inner, dict) else result


def _provenance(
    run: _Run,
    system: str,
    object_type: str,
    object_id: str | None,
    mapped: MappedRecord,
    names: set[str],
    source: str,
) -> None:
    """Where each written field came from; values only as hashes (they may be personal)."""
    entries = []
    for name in sorted(names & set(mapped.values)):
        value = mapped.values[name]
        prov = mapped.provenance.get(name)
        path = ",".join(prov.sources) if prov and prov.sources else (prov.kind if prov else "")
        digest = hashlib.sha256(canonical_json(value).encode()).hexdigest()
        entries.append(
            ProvenanceEntry(system, object_type, object_id or "", name, source, path, digest)
        )
    run.report.provenance += [e.as_dict() for e in entries]
    if run.ctx.writes and run.ctx.run_id:
        run.unsaved_provenance += entries


def _flush_provenance(run: _Run, repository: ProvenanceRepository) -> None:
    if run.unsaved_provenance and run.ctx.run_id:
        repository.record(run.ctx.run_id, run.ctx.bridge_id, run.unsaved_provenance)
    run.unsaved_provenance = []


def _save(
    run: _Run, source: str, record: dict[str, Any], target: str, after: dict[str, Any]
) -> None:
    """The link with both sides' fingerprints and both snapshots, in one transaction."""
    pair = {source: record, target: after}
    mapped = {system: _mapped_or_none(run, system, rec) for system, rec in pair.items()}
    ghl_type, tt_type = run.types
    parent = {
        "ghl_id": _contact_id(run),
        "tt_id": (run.parent or {}).get("tt", {}).get("id"),
    }
    with run.ctx.repos.writing() as repos:
        link = repos.links.save(
            Link(
                run.ctx.bridge_id,
                ghl_type,
                _id_of(pair["ghl"]),
                tt_type,
                _id_of(pair["tt"]),
                _fingerprint_of(mapped["ghl"]),
                _fingerprint_of(mapped["tt"]),
            )
        )
        for system, rec in pair.items():
            obj = run.recipe.objects(system)  # type: ignore[arg-type]
            seen = mapped[system]
            state = {"mapped": seen.values if seen is not None else {}, "parent": parent}
            repos.snapshots.put(run.ctx.bridge_id, system, obj.name, _id_of(rec), state)
        _flush_provenance(run, repos.provenance)
    run.report.link = link.as_dict()


def _mapped_or_none(run: _Run, system: str, record: dict[str, Any]) -> MappedRecord | None:
    try:
        return _map(run, system, record)
    except MappingFailed:
        return None


def _fingerprint_of(mapped: MappedRecord | None) -> str | None:
    return None if mapped is None else mapped.fingerprint


async def _deleted(run: _Run, source: str, record_id: str, link: Link | None) -> RunReport:
    """The record is gone (404): apply the delete policy to its counterpart."""
    if link is None:
        return run.report.finish("skipped", "the record is gone and was never linked")
    target = OTHER[source]
    policy = run.recipe.delete_action(f"{source}_to_{target}")  # type: ignore[arg-type]
    obj = run.recipe.objects(target)  # type: ignore[arg-type]
    target_id = str(getattr(link, f"{target}_id"))
    action = {"propagate": obj.delete, "archive": obj.archive}.get(policy)
    if action:
        body: dict[str, Any]
        if target == "tt":
            body = {"id": int(target_id)}
        else:
            body = {_IDS.get(obj.type, "eventId"): target_id}
            if obj.parent:
                body["contactId"] = _snapshot_parent(run, target, target_id)
        run.report.writes.append(Write(target, action, obj.name, target_id, {}))
        if run.ctx.writes:
            with contextlib.suppress(NotFound):  # already gone: the state asked for holds
                await call_action(run.ctx, action, body)
    if run.ctx.writes:
        run.ctx.repos.links.delete(link)
        src = run.recipe.objects(source)  # type: ignore[arg-type]
        run.ctx.repos.snapshots.delete(run.ctx.bridge_id, source, src.name, record_id)
    return run.report.finish("deleted", f"delete policy {policy}")
