"""plan(): what a sync run would write to converge the other side to the record an event is
about, read and decided without writing anything (remote or in the store).

fetch (404 → delete policy) → map → echo check against the link's fingerprint → trust the link
(write what changed since the last sync, by id) or find the counterpart (link, third-party id,
match keys) → conflict policy → the writes of only changed fields (a create when there is
none) → write back what the other side adds (ids) → record the pair. ``apply.py`` performs
the list.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ghltt.connectors.http import NotFound
from ghltt.connectors.trackingtime import parse_datetime
from ghltt.core import Event, utcnow
from ghltt.engine.catalog import call_action
from ghltt.engine.context import BridgeContext
from ghltt.engine.mapping import MappedRecord, canonical_json
from ghltt.engine.objects import OBJECTS, ObjectType
from ghltt.engine.recipes import SyncRecipe, build_context
from ghltt.engine.report import Outcome, RunReport
from ghltt.engine.sync import claims, lookup, pairing, shadow
from ghltt.engine.sync.compare import current_value, same
from ghltt.engine.sync.state import (
    OTHER,
    Counterpart,
    Found,
    ParentPending,
    Skip,
    SyncRun,
    changed_since_sync,
    id_of,
)
from ghltt.engine.sync.writes import Created, Operation, PlannedWrite
from ghltt.store.links import Link
from ghltt.store.provenance import ProvenanceEntry


@dataclass
class Plan:
    """The writes of one run, in order, with what apply() needs of what plan() read. No writes:
    the run has nothing to do (echo, skipped); its report says why."""

    run: SyncRun
    writes: list[PlannedWrite] = field(default_factory=list)
    # The side whose record the writes come from, that record and its mapping, and the record
    # written to (None: created); what the leg's write-back and the pair are made of.
    source: str = ""
    record: dict[str, Any] = field(default_factory=dict)
    mapped: MappedRecord | None = None
    counterpart: Counterpart | None = None
    # The pair as linked before the run (a delete forgets it).
    link: Link | None = None
    # The outcome once applied: "applied" (or "no_change" when nothing was written), "deleted".
    applies_as: Outcome = "applied"

    @property
    def report(self) -> RunReport:
        """What the run would do (shadow mode's report); apply() fills it with what it did."""
        return self.run.report


async def plan(
    recipe: SyncRecipe, event: Event, ctx: BridgeContext, *, plan_only: bool = False
) -> Plan:
    """The writes that would converge the other side to the record ``event`` is about.
    ``plan_only``: the caller will not apply them (nor will it in shadow mode): planning
    then writes nothing, not even to look (see ``SyncRun.applies``)."""
    run = SyncRun(
        recipe, ctx, RunReport(recipe.name, ctx.mode), applies=ctx.writes and not plan_only
    )
    source = str(event.source)
    record_id = event.object_id or _payload_id(event.payload)
    if source not in OTHER or record_id is None:
        run.report.finish("skipped", "not about a GHL or TT record")
        return Plan(run)
    if f"{source}_to_{OTHER[source]}" not in recipe.model.directions:
        run.report.finish("skipped", f"{recipe.name} does not sync from {source}")
        return Plan(run)
    await ctx.resolver.load(
        o.type for o in (recipe.ghl_object, recipe.tt_object) if o.custom_fields
    )
    return await _planned(run, _plan(run, source, str(record_id), event.payload))


async def _planned(run: SyncRun, planning: Awaitable[Plan]) -> Plan:
    """The plan ``planning`` makes; a ``Skip`` is a plan of no writes. A claim taken while
    planning (``claims.PlanAgain``) is held for apply() only when there is something to
    apply: a plan of none, or a failure, ends it."""
    try:
        made = await planning
    except Skip as why:
        run.report.finish("skipped", str(why))
        made = Plan(run)
    except BaseException:
        claims.release(run, alone=True)
        raise
    if not made.writes:
        claims.release(run, alone=True)
    return made


def _payload_id(payload: dict[str, Any]) -> str | None:
    data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
    found = data.get("id") if isinstance(data, dict) else None
    return None if found is None else str(found)


async def _plan(run: SyncRun, source: str, record_id: str, payload: dict[str, Any]) -> Plan:
    link = run.link(source, record_id)
    contact_hint = payload.get("contactId") or run.snapshot_parent(source, record_id)
    try:
        record = await lookup.fetch(run.ctx, run.recipe, source, record_id, contact_hint)
    except NotFound:
        return _plan_delete(run, source, record_id, link)
    return await _plan_read(run, source, record, link)


async def plan_record(
    recipe: SyncRecipe,
    source: str,
    record: dict[str, Any],
    ctx: BridgeContext,
    found: Found | None = None,
    parents: dict[str, Any] | None = None,
    claimant: str | None = None,
    plan_only: bool = False,
    unlinked: bool = False,
) -> Plan:
    """plan() for a record already read (a page of an import): the same decisions without
    the fetch. ``found``: the counterpart the caller matched for it, used when the record is
    not linked (instead of the run's own search by third-party id and match keys);
    ``parents``: the TT parents read already, by id, and where the ones read now go;
    ``claimant``: who claims a create for the caller (``claims``): the import, so that once
    resumed after a crash it goes on with the claims it left; ``plan_only`` as in plan();
    ``unlinked``: the caller found no link for the record a moment ago (an import's page,
    looked up in one read): not read again (a create reads it once more, with its claim)."""
    run = SyncRun(
        recipe,
        ctx,
        RunReport(recipe.name, ctx.mode),
        found=found,
        parents=parents,
        claim_token=claimant,
        applies=ctx.writes and not plan_only,
    )
    if f"{source}_to_{OTHER[source]}" not in recipe.model.directions:
        run.report.finish("skipped", f"{recipe.name} does not sync from {source}")
        return Plan(run)
    await ctx.resolver.load(
        o.type for o in (recipe.ghl_object, recipe.tt_object) if o.custom_fields
    )
    if unlinked:
        # Nor a snapshot: one is recorded with a link and forgotten with it.
        run.links_read[(source, id_of(record))] = run.snapshots[(source, id_of(record))] = None
        link = None
    else:
        link = run.link(source, id_of(record))
    return await _planned(run, _plan_read(run, source, record, link))


async def _plan_read(run: SyncRun, source: str, record: dict[str, Any], link: Link | None) -> Plan:
    record_id = id_of(record)
    run.parent = await _parent(run, source, record)
    run.mctx = build_context(
        run.recipe,
        now=run.ctx.now,
        resolver=shadow.planning_resolver(run),
        params=run.ctx.params_for(run.recipe.name),
        location_tz=run.ctx.location_tz,
        tt_timezone=run.ctx.tt_timezone,
        parent=run.parent or {},
    )
    if not run.recipe.accepts(source, record, run.mctx):  # type: ignore[arg-type]
        raise Skip(f"the {source} record does not pass the recipe's filter")
    mapped = run.map(source, record)
    assert mapped is not None  # the direction is synced
    run.synced = run.synced_values(source, record_id)
    run.report.changed_fields = changed_since_sync(mapped, run.synced)
    if link is not None and getattr(link, f"{source}_fingerprint") == mapped.fingerprint:
        # The mapped state is what we last synced: our own write coming back, or a duplicate.
        run.report.finish("echo", "mapped state equals the link's fingerprint")
        return Plan(run)
    return await plan_converge(run, source, record, mapped, link)


# The most TT parents an import keeps read (``SyncRun.parents``).
PARENTS_HELD = 1000


async def _parent(run: SyncRun, system: str, record: dict[str, Any]) -> dict[str, Any] | None:
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
        parent_id = record.get(spec.ghl_field if system == "ghl" else spec.tt_field)
        if parent_id and run.waits(system, str(parent_id)):
            # Created together (a contact and its first task): the parent's run links it soon.
            raise ParentPending(f"the parent {parent_id} is not linked by {spec.recipe} yet")
        raise Skip(f"the parent is not linked by {spec.recipe} yet")
    # Kept by an import while the parent's link is not newer than the read.
    memo = run.parents if found is not None else None
    held = None if memo is None else memo.get(str(ids[1]))
    synced_at = found.updated_at if found is not None else None
    if held is not None and (synced_at is None or synced_at <= held[0]):
        return {"ghl": {"id": ids[0]}, "tt": held[1]}
    read_at = utcnow()
    parent_type = OBJECTS[f"tt.{tt_type}"]
    tt_parent = await call_action(run.ctx, parent_type.get, parent_type.address(ids[1]))
    if memo is not None:
        if len(memo) >= PARENTS_HELD:
            del memo[next(iter(memo))]  # the oldest: memory stays flat
        memo[str(ids[1])] = (read_at, tt_parent)
    return {"ghl": {"id": ids[0]}, "tt": tt_parent}


def _parent_synced(run: SyncRun, system: str, record: dict[str, Any]) -> tuple[str, str] | None:
    """The parent pair a record was synced under, when the record itself does not name one
    (a TT task in a project of no customer, paired by a step's ``link:``)."""
    parent = (run.snapshot(system, str(record.get("id"))) or {}).get("parent") or {}
    ghl_id, tt_id = parent.get("ghl_id"), parent.get("tt_id")
    return (str(ghl_id), str(tt_id)) if ghl_id and tt_id else None


async def plan_converge(
    run: SyncRun,
    source: str,
    record: dict[str, Any],
    mapped: MappedRecord,
    link: Link | None,
) -> Plan:
    """The writes converging the pair; ``link`` None: find or create the counterpart (also
    what apply() asks for when the linked counterpart turns out to be gone)."""
    target = OTHER[source]
    trusted = _trusted_counterpart(run, source, mapped, link)
    if trusted is not None:
        return _plan_pair(run, source, record, mapped, trusted, link)
    try:
        counterpart = await _counterpart(run, source, record, link)
    except claims.PlanAgain:
        return await plan_again(run, source, id_of(record))
    if counterpart is not None and link is not None:
        held = run.fingerprint(target, counterpart)
        before = getattr(link, f"{target}_fingerprint")
        if held is not None and before is not None and held != before:
            if _winner(run, source, record, counterpart) == target:
                reverse = run.map(target, counterpart)
                if reverse is None:
                    raise Skip(f"conflict: the {target} side wins and is not synced back")
                run.report.reason = f"conflict: {run.recipe.model.conflict} chose {target}"
                return _plan_pair(run, target, counterpart, reverse, Counterpart.read(record), link)
            run.report.reason = f"conflict: {run.recipe.model.conflict} chose {source}"
    if counterpart is None and link is None:
        await _no_pairing_under_way(run, source, record)
    found = None if counterpart is None else Counterpart.read(counterpart)
    return _plan_pair(run, source, record, mapped, found, link)


async def plan_again(run: SyncRun, source: str, record_id: str) -> Plan:
    """The plan of a run that waited for another run's claim on its record, or found its
    pair recorded meanwhile: from what both sides hold now (the record read again, its link,
    fresh lists), with the claim this run holds by now (nobody pairs it meanwhile). The
    record as first read may be older than what the other run synced: written, it would
    undo that."""
    run.found = None
    run.ctx.listings.forget(run.objects(OTHER[source]).type)
    link = run.link(source, record_id)
    try:
        record = await lookup.fetch(run.ctx, run.recipe, source, record_id, run.contact_id())
    except NotFound:
        return _plan_delete(run, source, record_id, link)
    return await _plan_read(run, source, record, link)


async def _no_pairing_under_way(run: SyncRun, source: str, record: dict[str, Any]) -> None:
    """About to create a counterpart: not while a ``link:`` step is making this record's pair
    (its create answered, its link not written yet; see ``pairing``). Read off the event
    loop, where the requests of the other runs are in flight."""
    spec = run.recipe.model.parent
    field = None if spec is None else (spec.ghl_field if source == "ghl" else spec.tt_field)
    parent_id = record.get(field) if field else None
    name = run.recipe.name
    if await asyncio.to_thread(pairing.under_way, run.ctx, name, source, parent_id):
        raise pairing.PairingUnderWay(
            f"a {source} {run.recipe.model.ghl if source == 'ghl' else run.recipe.model.tt} "
            f"under {parent_id} is being paired by a link: step; tried again"
        )


def _trusted_counterpart(
    run: SyncRun, source: str, mapped: MappedRecord, link: Link | None
) -> Counterpart | None:
    """The linked counterpart, unread, when the link may stand in for reading it: the target
    then holds what our last sync wrote, so only what changed on the source since is written.
    Read it instead when a conflict could go the target's way: the policy favours the target,
    or an event about the counterpart waits in the inbox (it changed since our last sync)."""
    target = OTHER[source]
    if link is None or run.synced is None or run.recipe.model.conflict == f"{target}_wins":
        return None
    changed = frozenset(changed_since_sync(mapped, run.synced)) & set(mapped.values)
    if not changed:
        return None  # the fingerprint moved, the values did not: read, as without a link
    target_id = str(getattr(link, f"{target}_id"))
    if run.waits(target, target_id):
        return None
    return Counterpart(target_id, changed_since_sync=changed)


async def _counterpart(
    run: SyncRun, source: str, record: dict[str, Any], link: Link | None
) -> dict[str, Any] | None:
    target = OTHER[source]
    if link is not None:
        try:
            return await lookup.fetch(
                run.ctx, run.recipe, target, getattr(link, f"{target}_id"), run.contact_id()
            )
        except NotFound:
            # The link is stale: find or create again, in a fresh list (a moment-old one
            # would still hold the record that is gone).
            run.ctx.listings.forget(run.objects(target).type)
    if run.found is not None:
        return run.found.record
    if source == "ghl":
        probe = _claim_first(run, source, id_of(record)) if run.applies else None
        found = await lookup.by_third_party(
            run.ctx, run.recipe.model.tt, id_of(record), record, probe
        )
        if found is not None:
            return found
    return await lookup.by_match_keys(run.ctx, run.recipe, source, record, run.parent)


def _claim_first(run: SyncRun, source: str, record_id: str) -> lookup.BeforeProbe:
    """What a lookup that may create does first: claim the record as a create would."""

    async def claim() -> None:
        if await claims.claim(run, source, record_id):
            raise claims.PlanAgain(f"the {source} record {record_id} was paired meanwhile")

    return claim


def _updated_at(run: SyncRun, system: str, record: dict[str, Any]) -> datetime | None:
    raw = record.get("dateUpdated" if system == "ghl" else "updated_at") or record.get("updatedAt")
    if not isinstance(raw, str) or not raw:
        return None
    try:
        if system == "ghl":
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return parse_datetime(raw, run.ctx.tt_timezone)
    except ValueError:
        return None


def _winner(run: SyncRun, source: str, record: dict[str, Any], other: dict[str, Any]) -> str:
    policy = run.recipe.model.conflict
    if policy == "ghl_wins":
        return "ghl"
    if policy == "tt_wins":
        return "tt"
    mine, theirs = _updated_at(run, source, record), _updated_at(run, OTHER[source], other)
    if mine is None or theirs is None or mine >= theirs:
        return source  # the event is the freshest hint we have
    return OTHER[source]


def _plan_pair(
    run: SyncRun,
    source: str,
    record: dict[str, Any],
    mapped: MappedRecord,
    counterpart: Counterpart | None,
    link: Link | None,
) -> Plan:
    """The writes to the target, then (both directions synced) the write-back, then the pair."""
    target = OTHER[source]
    writes = plan_push(run, source, record, mapped, target, counterpart)
    if f"{target}_to_{source}" in run.recipe.model.directions:
        writes.append(PlannedWrite("write_back", run.objects(source), id_of(record)))
    written_to = counterpart.id if counterpart is not None else Created(0)
    writes.append(PlannedWrite("link", run.objects(target), written_to))
    _report_planned(run, writes, source, record, counterpart)
    run.report.finish("planned" if run.report.writes else "no_change")
    return Plan(run, writes, source, record, mapped, counterpart, link)


def _report_planned(
    run: SyncRun,
    writes: list[PlannedWrite],
    source: str = "",
    record: dict[str, Any] | None = None,
    counterpart: Counterpart | None = None,
) -> None:
    """The remote writes in the run report, as shadow mode shows them: the write-back too,
    and each flagged when it would fail (a custom field the account lacks)."""
    run.report.writes = []
    run.report.provenance = []
    for w in writes:
        if w.remote:
            object_id = w.target_id if isinstance(w.target_id, str) else None
            run.report.writes.append(shadow.reported(run, w, object_id))
            run.report.provenance += [e.as_dict() for e in w.provenance]
        elif w.operation == "write_back" and record is not None:
            target = run.objects(OTHER[source])
            target_id = None if counterpart is None else counterpart.id  # None: created
            back = shadow.write_back(run, source, record, target, target_id)
            if back is not None:
                run.report.writes.append(back)


def _partial(mapped: MappedRecord, names: set[str]) -> dict[str, Any]:
    """The request body for only these target fields (custom fields in the target's shape)."""
    kept = {k: v for k, v in mapped.values.items() if k in names}
    ids = {k: v for k, v in mapped.custom_field_ids.items() if f"custom:{k}" in kept}
    return MappedRecord(kept, {}, ids, {}, mapped.target_type).payload()


def plan_push(
    run: SyncRun,
    source: str,
    record: dict[str, Any],
    mapped: MappedRecord,
    target: str,
    counterpart: Counterpart | None,
    start: int = 0,
) -> list[PlannedWrite]:
    """The writes putting ``mapped`` on the target: a create, or an update of only what
    differs, then the state changes (TT closes and opens records by actions of their own).
    ``start``: the index the first of them will have in the writes applied."""
    obj = run.objects(target)
    plain = {k for k in mapped.values if k not in obj.state}
    writes: list[PlannedWrite] = []
    target_id: str | Created
    if counterpart is None:
        body = _partial(mapped, plain)
        body.update(_create_extras(run, source, record, obj, body))
        prov = _provenance(obj, "", mapped, plain, source)
        writes.append(PlannedWrite("create", obj, None, body, prov, run.contact_id()))
        target_id = Created(start)
        changed_state = {k: v for k, v in mapped.values.items() if k in obj.state and v}
    else:
        target_id = counterpart.id
        changed = unheld_fields(run, obj, mapped, counterpart)
        changed_state = {k: mapped.values[k] for k in sorted(changed & obj.state)}
        if changed & plain:
            names = changed & plain | set(obj.always_sent) & plain
            body = _partial(mapped, names)
            prov = _provenance(obj, counterpart.id, mapped, names, source)
            writes.append(PlannedWrite("update", obj, counterpart.id, body, prov, run.contact_id()))
    for name, value in changed_state.items():
        if obj.archive if value else obj.unarchive:
            object_id = target_id if isinstance(target_id, str) else ""
            prov = _provenance(obj, object_id, mapped, {name}, source)
            operation: Operation = "archive" if value else "unarchive"
            writes.append(PlannedWrite(operation, obj, target_id, {}, prov))
    return writes


def unheld_fields(
    run: SyncRun, obj: ObjectType, mapped: MappedRecord, counterpart: Counterpart
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


def _create_extras(
    run: SyncRun, source: str, record: dict[str, Any], obj: ObjectType, body: dict[str, Any]
) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if obj.parent == "tt.project" and body.get("project_name") and run.parent:
        # The project named after the customer is found, or made, under that customer.
        extras["customer_name"] = run.parent["tt"].get("name")
    kind = obj.third_party
    if obj.system == "tt" and source == "ghl" and kind:
        slugs = {f"{kind}_THIRD_PARTY_ID", f"{kind}_THIRD_PARTY_SERVICE"}
        if not any(
            str(c.get("id")) in _ids_for(run, obj, slugs) for c in body.get("custom_fields", [])
        ):
            extras["custom_fields"] = [
                *body.get("custom_fields", []),
                {"slug": f"{kind}_THIRD_PARTY_ID", "value": id_of(record)},
                {"slug": f"{kind}_THIRD_PARTY_SERVICE", "value": "GoHighLevel"},
            ]
    return extras


def _ids_for(run: SyncRun, obj: ObjectType, keys: set[str]) -> set[str]:
    found = (run.ctx.resolver.resolve_custom_field(obj.type, k) for k in keys)
    return {f for f in found if f}


def _provenance(
    obj: ObjectType, object_id: str, mapped: MappedRecord, names: set[str], source: str
) -> tuple[ProvenanceEntry, ...]:
    """Where each written field came from; values only as hashes (they may be personal).
    ``object_id`` empty: the record is created by the write, its id filled when applied."""
    entries = []
    for name in sorted(names & set(mapped.values)):
        value = mapped.values[name]
        prov = mapped.provenance.get(name)
        path = ",".join(prov.sources) if prov and prov.sources else (prov.kind if prov else "")
        digest = hashlib.sha256(canonical_json(value).encode()).hexdigest()
        entries.append(ProvenanceEntry(obj.system, obj.name, object_id, name, source, path, digest))
    return tuple(entries)


_DELETE_POLICIES: dict[str, Operation] = {"propagate": "delete", "archive": "archive"}


def _plan_delete(run: SyncRun, source: str, record_id: str, link: Link | None) -> Plan:
    """The record is gone (404): its counterpart's write by the delete policy, then the pair
    forgotten."""
    if link is None:
        run.report.finish("skipped", "the record is gone and was never linked")
        return Plan(run)
    target = OTHER[source]
    policy = run.recipe.delete_action(f"{source}_to_{target}")  # type: ignore[arg-type]
    obj = run.objects(target)
    target_id = str(getattr(link, f"{target}_id"))
    writes: list[PlannedWrite] = []
    operation = _DELETE_POLICIES.get(policy)
    if operation is not None:
        write = PlannedWrite(operation, obj, target_id, gone_is_done=True)
        if write.action:  # a TT user cannot be deleted
            parent = run.snapshot_parent(target, target_id) if obj.parent_key else None
            writes.append(replace(write, parent_id=parent))
    writes.append(PlannedWrite("unlink", run.objects(source), record_id))
    _report_planned(run, writes)
    run.report.finish("deleted", f"delete policy {policy}")
    return Plan(run, writes, source, link=link, applies_as="deleted")
