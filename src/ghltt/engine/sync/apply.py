"""apply(): perform a plan's writes in order, then record the pair (link, snapshots,
provenance) or forget it.

Idempotent as a whole: a run retried after a crash plans again from what both sides hold
now, and a create it made before is found (TT by the GHL record's third-party id, GHL by its
upsert on the duplicate rule); a delete of what is already gone holds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any

from ghltt.connectors.http import NotFound
from ghltt.connectors.trackingtime import TTValidationError
from ghltt.core import InvalidInput
from ghltt.engine.catalog import call_action
from ghltt.engine.context import RecordWrites
from ghltt.engine.objects import as_read
from ghltt.engine.report import RunReport, Write
from ghltt.engine.sync import claims, lookup
from ghltt.engine.sync.pairs import record_pair
from ghltt.engine.sync.plan import Plan, plan_again, plan_converge, plan_push
from ghltt.engine.sync.state import (
    OTHER,
    Counterpart,
    LinkedRecordGone,
    Skip,
    SyncRun,
    created,
    id_of,
)
from ghltt.engine.sync.writes import Created, PlannedWrite
from ghltt.store.links import Link


async def apply(plan: Plan) -> RunReport:
    """Perform ``plan``; the run report then lists the writes made (a write that failed, such
    as an update whose target is gone, did not happen and is not listed)."""
    run = plan.run
    if not plan.writes:
        return run.report
    try:
        try:
            return await _apply(plan)
        except LinkedRecordGone:
            # The linked counterpart is gone: find or create it as if never linked.
            assert plan.mapped is not None
            again = await plan_converge(run, plan.source, plan.record, plan.mapped, None)
            return await _apply(again)
    except Skip as why:
        return run.report.finish("skipped", str(why))
    finally:
        _flush_provenance(run)  # writes made by a run that stopped before recording the pair
        if not run.create_sent or not run.ctx.run_id:
            # Nothing created, or no run of the queue to retry it: the next run looks for
            # what this one made. A queued run's sent create keeps the claim until the run
            # ends (its retried step goes on with it; its end lets another take it over).
            claims.release(run)


async def _apply(plan: Plan) -> RunReport:
    plan.run.report.writes, plan.run.report.provenance = [], []  # from planned to made
    if plan.applies_as == "deleted":
        return await _apply_delete(plan)
    return await _apply_converge(plan)


@dataclass(frozen=True)
class _Unpaired:
    """The record a leg writes the counterpart of, when no link pairs the two yet. A
    counterpart found (by a lookup, or taken over for its name) is paired before it is written
    to, and the pair committed at once: a run that dies after changing it (renaming a
    customer found by the name an earlier add was sent under) leaves it found by its link, not
    lost under a name nobody will look for. Without fingerprints, so the next run reads both
    sides; the run's own pair then replaces it with what it synced. A counterpart the run
    creates needs none: nothing renames it before the pair but a run that finds it, and the
    lookups find it as created (its third-party id, the name its add was sent under)."""

    source: str
    record: dict[str, Any]

    async def pair(self, run: SyncRun, counterpart: dict[str, Any]) -> None:
        records = {self.source: self.record, OTHER[self.source]: counterpart}
        # A commit waits for the disk: off the event loop, where requests are in flight.
        await asyncio.to_thread(
            record_pair, run.ctx, run.recipe, records, None, run.parent, hold=False
        )


class _Applied:
    """The ids of the records the writes performed so far wrote to (what ``Created`` names)."""

    def __init__(self) -> None:
        self.ids: list[str | None] = []

    def resolve(self, target: str | Created | None) -> str | None:
        return self.ids[target.step] if isinstance(target, Created) else target


async def _name_taken_by(
    run: SyncRun, write: PlannedWrite, exc: TTValidationError, source_id: str | None
) -> dict[str, Any] | None:
    """The TT customer whose name refused this add, when it may be taken over: it names this
    GHL record as its own (a retried add whose first answer was lost), or no record at all.
    One that names another record is a namesake, which TT's unique names cannot hold."""
    name = str(write.body.get("name") or "")
    if write.operation != "create" or write.object_type.type != "tt.customer" or not name:
        return None
    if lookup.NAME_TAKEN not in exc.message:
        return None
    existing = await lookup.tt_customer_named(run.ctx, name, taken=True)
    if existing is None:
        return None
    if not lookup.may_take_over(existing, source_id or ""):
        raise InvalidInput(
            f"TrackingTime already has a customer named {name!r} (id {id_of(existing)}) "
            "for another GHL record, and customer names are unique there: rename one of "
            "the two records, then replay"
        ) from exc
    return existing


async def _perform(
    run: SyncRun,
    write: PlannedWrite,
    applied: _Applied,
    counterpart: Counterpart | None,
    source_id: str | None = None,
    unpaired: _Unpaired | None = None,
) -> Any:
    """One remote write with the provenance of its fields; its answer. ``source_id``: the
    GHL record a TT write is made for (a customer add refused for its name looks it up);
    ``unpaired``: the record a create makes the first counterpart of (a customer it takes
    over for its name is paired with it first)."""
    obj, action = write.object_type, write.action
    assert action is not None
    target_id = applied.resolve(write.target_id)
    if write.operation == "create":
        run.create_sent = True
        if obj.type == "tt.customer" and source_id:
            name = str(write.body.get("name") or "")
            await lookup.note_customer_add(run.ctx, source_id, name)
    try:
        result = await call_action(run.ctx, action, write.request(target_id))
    except TTValidationError as exc:
        taken = await _name_taken_by(run, write, exc, source_id)
        if taken is None:
            if write.operation == "create":
                run.ctx.listings.forget(obj.type)
            raise
        # The customer holding the name is this record's (an add whose answer was lost) or
        # nobody's: it is updated to what the add would have made.
        target_id = id_of(taken)
        if unpaired is not None:
            await unpaired.pair(run, taken)
        update = replace(write, operation="update", target_id=target_id)
        assert update.action is not None
        result = await call_action(run.ctx, update.action, update.request(target_id))
    except NotFound:
        if write.gone_is_done:
            result = None  # already gone: the state asked for holds
        elif write.operation == "update":
            run.ctx.listings.forget(obj.type)  # a moment-old list would still hold it
            if counterpart is None or counterpart.record is None:
                raise LinkedRecordGone(write.target_id) from None
            raise
        else:
            raise
    except Exception:
        if write.operation == "create":
            # A create that failed may have happened (a 5xx after the commit, a lost answer):
            # the retry must list again to find it, not trust a list from before it.
            run.ctx.listings.forget(obj.type)
        raise
    written_id = target_id
    if write.operation == "create" and isinstance(result, dict):
        written_id = id_of(created(result))
    applied.ids.append(written_id)
    # Reported once made: a write that fails (a 404 on a stale link) did not happen.
    run.report.writes.append(Write(obj.system, action, obj.name, target_id, write.fields()))
    entries = [replace(e, object_id=written_id or "") for e in write.provenance]
    run.report.provenance += [e.as_dict() for e in entries]
    if run.ctx.run_id:
        run.unsaved_provenance += entries
    return result


async def _push(
    run: SyncRun,
    writes: list[PlannedWrite],
    applied: _Applied,
    system: str,
    counterpart: Counterpart | None,
    source_id: str | None = None,
    unpaired: _Unpaired | None = None,
) -> dict[str, Any] | None:
    """Perform one leg's writes to ``system``; the target's state afterwards."""
    answers: list[dict[str, Any] | None] = []  # per write, the record if it answered with it
    for write in writes:
        result = await _perform(run, write, applied, counterpart, source_id, unpaired)
        action = write.action or ""
        if write.operation == "create":
            if not isinstance(result, dict):
                return None
            made = created(result)
            run.ctx.listings.add(write.object_type.type, made)  # found by a burst's next lookup
            counterpart = Counterpart(id_of(made))
            answers.append(as_read(action, made))
        else:
            answers.append(as_read(action, result))
    if counterpart is None:
        return None
    return await _state_after(run, system, counterpart, answers)


async def _state_after(
    run: SyncRun, system: str, counterpart: Counterpart, answers: list[dict[str, Any] | None]
) -> dict[str, Any] | None:
    """The target's state after the writes, as the echo of them will read it."""
    if answers and answers[-1] is not None:
        return answers[-1]  # the last write answered with the whole record
    if not answers and counterpart.record is not None:
        return counterpart.record  # nothing written: as read in this run
    return await lookup.fetch(run.ctx, run.recipe, system, counterpart.id, run.contact_id())


async def _apply_converge(plan: Plan) -> RunReport:
    run, source, record = plan.run, plan.source, plan.record
    target = OTHER[source]
    applied = _Applied()
    leg = [w for w in plan.writes if w.remote]
    creates = any(w.operation == "create" for w in leg)
    if creates and await claims.claim(run, source, id_of(record)):
        # Another run made this record's counterpart, or was making it: plan again.
        again = await plan_again(run, source, id_of(record))
        return await _apply(again) if again.writes else run.report
    source_id = id_of(record) if source == "ghl" else None
    unpaired = None if _linked(plan, target) or not leg else _Unpaired(source, record)
    if unpaired is not None and plan.counterpart is not None:
        await unpaired.pair(run, {"id": plan.counterpart.id})  # found: paired before written to
        unpaired = None
    after = await _push(run, leg, applied, target, plan.counterpart, source_id, unpaired)
    if after is None:
        raise Skip("nothing to write and no counterpart")
    if any(w.operation == "write_back" for w in plan.writes):
        reverse = run.map(target, after)
        if reverse is not None:
            # What the other side adds (its id, normalised values, changes of its own the
            # answer reveals) goes back, so both settle.
            source_side = Counterpart.read(record)
            back = plan_push(run, target, after, reverse, source, source_side, len(applied.ids))
            answer = await _push(run, back, applied, source, source_side)
            if answer is not None:
                record = _as_synced(run, source, record, answer, back)
    pair = {source: record, target: after}
    mapped = {system: run.mapped_or_none(system, rec) for system, rec in pair.items()}
    link = record_pair(run.ctx, run.recipe, pair, mapped, run.parent, run.unsaved_provenance)
    claims.release(run)
    run.unsaved_provenance = []
    run.report.link = link.as_dict()
    return run.report.finish("applied" if run.report.writes else "no_change")


def _linked(plan: Plan, target: str) -> bool:
    """Whether the plan's counterpart is the one the record's link pairs it with."""
    if plan.link is None or plan.counterpart is None:
        return False
    return str(getattr(plan.link, f"{target}_id")) == plan.counterpart.id


def _as_synced(
    run: SyncRun,
    source: str,
    read: dict[str, Any],
    answer: dict[str, Any],
    back: list[PlannedWrite],
) -> dict[str, Any]:
    """The source record to record the pair with, after its write-back answered ``answer``.

    The answer can also hold an edit made on the source after this run read it (a user's, in
    the meantime). That edit has not reached the target: recorded as synced, its own event
    would look like our echo and it would never sync. So the fields the write-back did not
    send are recorded as they were read; when that changes what the record maps to, the edit's
    event then syncs it. What the write-back sent is recorded as answered, normalised by the
    source as it may be (a due date kept as a day), or the next read would differ from it."""
    sent = {key for write in back for key in write.body}
    moved = {
        key
        for key in set(read) | set(answer)
        if key not in sent and read.get(key) != answer.get(key)
    }
    if not moved:
        return answer
    as_sent = {k: v for k, v in answer.items() if k not in moved}
    as_sent.update({k: read[k] for k in moved if k in read})
    before, after = run.mapped_or_none(source, as_sent), run.mapped_or_none(source, answer)
    if before is None or after is None or before.fingerprint == after.fingerprint:
        return answer
    return as_sent


async def _apply_delete(plan: Plan) -> RunReport:
    run, applied = plan.run, _Applied()
    for write in plan.writes:
        if write.remote:
            await _perform(run, write, applied, None)
        elif write.operation == "unlink" and plan.link is not None:
            _unlink(run, plan.link, write)
    return run.report.finish("deleted", run.report.reason)


def _unlink(run: SyncRun, link: Link, write: PlannedWrite) -> None:
    bridge_id, obj, record_id = run.ctx.bridge_id, write.object_type, str(write.target_id)

    def unlink(repos: RecordWrites) -> None:
        repos.links.delete(link)
        repos.snapshots.delete(bridge_id, obj.system, obj.name, record_id)

    run.ctx.repos.write(unlink)


def _flush_provenance(run: SyncRun) -> None:
    entries, run_id, bridge_id = run.unsaved_provenance, run.ctx.run_id, run.ctx.bridge_id
    if entries and run_id:

        def record(repos: RecordWrites) -> None:
            repos.provenance.record(run_id, bridge_id, entries)

        run.ctx.repos.write(record)
    run.unsaved_provenance = []
