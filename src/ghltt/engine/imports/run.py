"""Running an import: each direction's source read page by page from its checkpoint, each
record planned and applied by the sync's own ``plan_record()``/``apply()`` (the same mapping,
links and fingerprints as real-time sync), its counterpart matched before anything is
created, the checkpoint written after every page.

A record's link is committed when its writes are made, before the page's checkpoint: after a
crash mid-page the page is read again, and what was done finds its link (no write twice);
what was not is done then (nothing skipped).

The import's store writes (each record's link, snapshots and provenance, each page's
checkpoint, a record set aside) commit on a thread of their own (``_STORE_WRITES``), awaited:
a commit waits for the database (PostgreSQL's WAL flush, SQLite's fsync), and on the event
loop that wait would stall every request in flight, which holds its budget slot the longer,
and every real-time run in the process.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from ghltt.connectors.http import (
    AuthError,
    PermissionDenied,
    RateBudget,
    RateLimited,
    ServerError,
    TransportError,
    bulk_sends,
)
from ghltt.core import utcnow
from ghltt.engine.context import BridgeContext, HeldWrite
from ghltt.engine.foreground import yield_to_real_time
from ghltt.engine.imports import sources
from ghltt.engine.imports.eta import BudgetView, estimate
from ghltt.engine.imports.matching import Ambiguous, MatchIndex
from ghltt.engine.imports.model import (
    DIRECTIONS,
    SAMPLE_SIZE,
    SET_ASIDE,
    Filters,
    Outcome,
    Progress,
    RecordResult,
)
from ghltt.engine.mapping import MappedRecord, MappingFailed
from ghltt.engine.objects import System
from ghltt.engine.recipes import SyncRecipe, build_context
from ghltt.engine.sync import Found, Plan, apply, plan_record
from ghltt.engine.sync.compare import current_value
from ghltt.engine.sync.lookup import fetch
from ghltt.engine.sync.state import OTHER, ParentPending
from ghltt.store.database import Bind, one_transaction
from ghltt.store.imports import ImportRecord, ImportRepository, new_import_id
from ghltt.store.links import Link

# Records per page (GHL's contact search answers up to 500; a reader whose API answers fewer
# asks for fewer). Each page ends with its records all done and its checkpoint: with the
# budget bound, the last records of a page finish with fewer under way, and at 100 a page
# that cost 2-3 % of the share (bench/import.py).
PAGE_SIZE = 500
# Records of a page done at once: their round trips overlap, so that the budget share binds
# rather than the latency of each call, and records wait for the budget rather than the
# budget for records, which absorbs a pause (a real-time run going first, a collection).
# Records that could match the same counterpart go one after the other (see
# ``Importer._claims``).
IN_FLIGHT = 8
# The target side is read whole once per direction to match on; TT's list comes whole anyway.
_INDEX_PAGE = {"ghl": 500, "tt": 1_000_000}
# A source's read ahead (TT's lists come whole) serves the next pages for this long: the
# records in it are as old as that, at most (a page read anew is as old as its last record).
READ_AHEAD_SECONDS = 30.0
# A catch-up re-reads this much before the last import's end: TT's times have one-second
# resolution, and a record re-read costs a comparison, not a write.
CATCH_UP_OVERLAP = timedelta(seconds=2)


# Failures that are not the record's: the remote is busy or down, or the credentials stopped
# working. They end the page instead of failing every record of it; a retry of the page (a
# durable step) resumes from the checkpoint once the requestor's own retries gave up.
_NOT_THE_RECORDS = (RateLimited, ServerError, TransportError, AuthError, PermissionDenied)
# While waiting for a daily cap to reset, look this often whether the import was paused.
_WAIT_SLICE = 5.0
_T = TypeVar("_T")
# The imports' store writes, off the event loop. One thread: they commit in the order they
# are made (a page's checkpoint after its records' links, each awaited before), and SQLite
# takes one writer at a time anyway.
_STORE_WRITES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ghltt-import-writes")


async def _off_loop(write: Callable[..., _T], *args: Any) -> _T:
    """``write(*args)`` on the imports' store thread, awaited. Cancelled meanwhile, the
    write still ends as it would (a commit is not cut in half)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_STORE_WRITES, functools.partial(write, *args))


def _commit(db: Bind, held: list[HeldWrite]) -> None:
    """A record's held writes (its link, snapshots, provenance), in one transaction."""
    with one_transaction(db) as bound:
        for write in held:
            write(bound)


class _Stopped(Exception):
    """Paused or cancelled while waiting for a budget: the page is left undone (its checkpoint
    is the one before it; the links of what it did make its redo idempotent)."""


# A page's lookup found no link for the record (``Importer.one``'s ``link``).
_UNLINKED = Link("", "", "", "", "")
_ECHO = "mapped state equals the link's fingerprint"


class ParentWaiting(Exception):
    """An unlinked record's parent is not linked yet: the record waits (set aside, replayable),
    where a real-time run would skip it."""


def _source(direction: str) -> System:
    return cast(System, direction.split("_to_")[0])


def _target(direction: str) -> System:
    return cast(System, direction.split("_to_")[1])


def check_request(recipe: SyncRecipe, directions: tuple[str, ...], filters: Filters) -> None:
    """Why an import of ``recipe`` cannot be asked this way (ValueError), before it starts."""
    for direction in directions:
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}")
        if direction not in recipe.model.directions:
            raise ValueError(f"{recipe.name} does not sync {direction.replace('_', ' ')}")
        source = recipe.objects(_source(direction)).type
        sources.reader(source)
        if filters.tags and source != "ghl.contact":
            raise ValueError(
                "--tag filters GHL contacts only"
                + (" (use --direction ghl-to-tt)" if recipe.model.ghl == "contact" else "")
            )
    if filters.limit is not None and filters.limit < 1:
        raise ValueError("limit must be at least 1")


def _outcome(plan: Plan) -> Outcome:
    if plan.report.outcome == "skipped":
        return "skipped"
    operations = {w.operation for w in plan.writes if w.remote}
    if "create" in operations:
        return "create"
    return "update" if operations else "unchanged"


def _diffs(plan: Plan) -> tuple[dict[str, Any], ...]:
    """The plan's remote writes, field by field: what the target holds, what it would hold."""
    held = plan.counterpart.record if plan.counterpart is not None else None
    out = []
    for write in plan.writes:
        if not write.remote or plan.mapped is None:
            continue
        names = sorted({e.field for e in write.provenance})
        changes = {
            name: {
                "from": None
                if held is None
                else current_value(held, name, plan.run.mctx, write.object_type.type),
                "to": plan.mapped.values.get(name),
            }
            for name in names
        }
        out.append(
            {
                "system": write.system,
                "operation": write.operation,
                "object_type": write.object_type.name,
                "object_id": write.target_id if isinstance(write.target_id, str) else None,
                "fields": changes,
            }
        )
    return tuple(out)


@dataclass
class Importer:
    """One import's run (or its resumption) in one bridge context."""

    ctx: BridgeContext
    recipe: SyncRecipe
    repo: ImportRepository
    record: ImportRecord
    page_size: int = PAGE_SIZE
    # Called after each page's checkpoint with the import as stored (progress bars, SSE).
    on_page: Callable[[ImportRecord], Awaitable[None]] | None = None
    # The share of each rate budget the import may use (settings.import_budget_share).
    share: float = 0.7
    progress: dict[str, Progress] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)
    _indexes: dict[str, MatchIndex] = field(default_factory=dict)
    # By direction: the last page, when it holds records read ahead, and the moment it was
    # read up to; when the read was made.
    _ahead: dict[str, tuple[sources.Page, Any]] = field(default_factory=dict)
    _read_at: dict[str, datetime] = field(default_factory=dict)
    # By direction: the next page, read while this one's records are under way.
    _prefetch: dict[str, _Prefetch] = field(default_factory=dict)
    # The TT parents (a task's customer) its records were mapped with: see plan_record().
    _parents: dict[str, tuple[datetime, Any]] = field(default_factory=dict)
    # The records of a page under way at once read the index once.
    _indexing: asyncio.Lock = field(default_factory=asyncio.Lock)
    _started: bool = False
    _mctx: tuple[BridgeContext, Any] | None = None
    # Waits (seconds): the budget's waits, and the wait for a day's cap to reset (tests
    # give a clock that moves with it).
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    # Calls this run made on each budget and records it did, for the estimate.
    _calls: dict[str, int] = field(default_factory=dict)
    _records: int = 0
    _busy: float = 0.0
    _waited: float = 0.0

    @property
    def plan_only(self) -> bool:
        return self.record.plan_only or not self.ctx.writes

    async def run(self) -> ImportRecord:
        """Every direction to its end, from the checkpoint; stops early (leaving the import as
        it is) when it is paused or cancelled between two pages."""
        while await self.step():
            pass
        return self._current()

    async def step(self) -> bool:
        """The next page of the first direction not done, then its checkpoint; False when
        nothing is left to do (finished, or paused or cancelled meanwhile). One durable step
        of the import's job."""
        if not self._started:
            await self._start()
        if self._stopped():
            self._drop_prefetches()
            return False
        direction = next((d for d in self.record.directions if not self.progress[d].done), None)
        if direction is None:
            self._drop_prefetches()
            self.repo.set_status(self.record.id, "finished", only_from=frozenset({"running"}))
            return False
        progress = self.progress[direction]
        if progress.until is None:
            progress.until = self.ctx.now.isoformat()
        used = {name: budget.daily_used for name, budget in self._budgets()}
        seen, began = progress.seen, time.monotonic()
        try:
            with bulk_sends(self.share):  # kept to its share, told from real-time's sends
                await self._page(direction, Filters.of(self.record.filters), progress)
        except _Stopped:
            self._drop_prefetches()
            return False
        self._busy += time.monotonic() - began - self._waited
        self._waited = 0.0
        self._records += progress.seen - seen
        for name, budget in self._budgets():
            # A day that rolled over meanwhile restarts the count: that page is not counted.
            self._calls[name] = self._calls.get(name, 0) + max(0, budget.daily_used - used[name])
        progress.eta = self._estimate(direction)
        await self._checkpoint()
        if self.on_page is not None:
            await self.on_page(self._current())
        return True

    async def _start(self) -> None:
        """From the checkpoint as stored (a step after a crash starts here again)."""
        self.repo.set_status(self.record.id, "running", only_from=frozenset({"pending"}))
        self.record = self._current()
        self.progress = {
            d: Progress.of(self.record.progress.get(d)) for d in self.record.directions
        }
        self.samples = list(self.record.samples)
        # Custom-field ids, once: the import maps records before plan_record() would load them.
        await self.ctx.resolver.load(
            o.type for o in (self.recipe.ghl_object, self.recipe.tt_object) if o.custom_fields
        )
        self._started = True

    async def _checkpoint(self) -> None:
        """The progress as it stands (what is done, where to go on from), stored."""
        await _off_loop(self.repo.checkpoint, self.record.id, self._progress(), list(self.samples))

    def _budgets(self) -> Iterator[tuple[str, RateBudget]]:
        for name, budget in (("ghl", self.ctx.ghl.budget), ("tt", self.ctx.tt.api.budget)):
            if budget is not None:
                yield name, budget

    async def _pace(self, direction: str) -> None:
        """Before a record: wait while the import's share of a day's cap is used. Its share of
        each window is kept by the budgets themselves (``bulk_sends``): the rest of the window
        stays free for real-time runs and for other apps on the same budget (the slots the
        servers' X-RateLimit headers say they used)."""
        await yield_to_real_time()  # real-time runs in this process go first
        for name, budget in self._budgets():
            if budget.daily_limit is not None:
                await self._wait_for_day(direction, name, budget)

    async def _wait_for_day(self, direction: str, name: str, budget: RateBudget) -> None:
        """The import's share of today's cap is used: wait, visibly in its progress, until
        the day resets (a pause or cancel meanwhile stops the wait and the page)."""
        assert budget.daily_limit is not None
        allowed = int(budget.daily_limit * self.share)
        if budget.daily_used < allowed:
            return
        progress = self.progress[direction]
        progress.waiting = {
            "for": f"{name} daily limit",
            "until": budget.day_resets_at().isoformat(),
            "daily_limit": budget.daily_limit,
            "import_share": allowed,
        }
        progress.eta = self._estimate(direction)
        await self._checkpoint()
        if self.on_page is not None:
            await self.on_page(self._current())
        began = time.monotonic()
        while budget.daily_used >= allowed:
            if self._stopped():
                raise _Stopped
            await self.sleep(min(_WAIT_SLICE, max(0.001, budget.seconds_to_day_reset())))
        self._waited += time.monotonic() - began
        progress.waiting = None

    def _estimate(self, direction: str) -> dict[str, Any]:
        """The estimate for what is left of the known totals, from the budgets and the calls
        per record this run made (an estimate from a default of one call per record on each
        budget before any page is done)."""
        left = 0
        for name in self.record.directions:
            progress = self.progress[name]
            if not progress.done and progress.total is not None:
                left += max(0, progress.total - progress.seen)
        views = [
            BudgetView(
                name,
                self._calls.get(name, 0) / self._records if self._records else 1.0,
                budget.limit,
                budget.window,
                budget.daily_limit,
                budget.daily_used,
                budget.seconds_to_day_reset(),
            )
            for name, budget in self._budgets()
        ]
        pace = self._records / self._busy if self._busy > 0 and self._records else None
        return estimate(left, views, self.share, utcnow(), observed_per_second=pace)

    def _stopped(self) -> bool:
        now = self.repo.get(self.record.id)
        return now is None or now.status in ("paused", "cancelled")

    def _current(self) -> ImportRecord:
        found = self.repo.get(self.record.id)
        assert found is not None
        return found

    def _progress(self) -> dict[str, Any]:
        return {d: p.as_dict() for d, p in self.progress.items()}

    async def _page(self, direction: str, filters: Filters, progress: Progress) -> None:
        source = _source(direction)
        read = sources.reader(self.recipe.objects(source).type)
        until = datetime.fromisoformat(str(progress.until))
        page, read_at = self._read_ahead(direction, progress), self._read_at.get(direction)
        if page is None or read_at is None:
            page, read_at = await self._prefetched(direction, progress)
        ahead = page is not None
        if page is None or read_at is None:
            read_at = self._read_at[direction] = utcnow()
            page = await read(self.ctx, progress.cursor, filters, until, self.page_size)
        limit_reached = (
            filters.limit is not None and progress.seen + len(page.records) >= filters.limit
        )
        if page.more and not page.ahead and not limit_reached:
            # The next page is read while this one's records are under way: the page
            # boundary then costs no round trip (the search's answer time grows with the
            # account's size), and the budget keeps being used.
            following = asyncio.ensure_future(
                read(self.ctx, page.cursor, filters, until, self.page_size)
            )
            following.add_done_callback(_retrieved)
            self._prefetch[direction] = _Prefetch(following, page.cursor, progress.until, utcnow())
        if page.warning:
            progress.warning = page.warning
        if progress.total is None and page.total is not None:
            progress.total = min(page.total, filters.limit or page.total)
        # The page's links in one query, not one per record.
        linked = self.ctx.repos.links.by_sides(
            source,
            self.ctx.bridge_id,
            self.recipe.model.ghl,
            self.recipe.model.tt,
            [str(r["id"]) for r in page.records],
        )
        running: dict[asyncio.Task[None], frozenset[Any]] = {}
        try:
            for record in page.records:
                link = linked.get(str(record["id"]), _UNLINKED)
                if ahead and link.updated_at is not None and link.updated_at > read_at:
                    # Synced by real-time since it was read ahead: what was read is older
                    # than what is linked. Its change moved it past ``until``: the tail has
                    # it, as it is then.
                    continue
                if filters.limit is not None and progress.seen + len(running) >= filters.limit:
                    while running:
                        await _first_done(running)
                    if progress.seen >= filters.limit:
                        break
                if link is not _UNLINKED and self._echo(source, record, link):
                    # Nothing to plan or send (the tail reading our own write-backs again, a
                    # catch-up over records that did not change): no task.
                    await self._pace(direction)
                    self._count(
                        progress, RecordResult(source, str(record["id"]), "unchanged", _ECHO)
                    )
                    continue
                claims = self._claims(source, record, link)
                while len(running) >= IN_FLIGHT or any(claims & c for c in running.values()):
                    await _first_done(running)
                await self._pace(direction)
                task = asyncio.create_task(self._record(direction, record, link, progress))
                running[task] = claims
            while running:
                await _first_done(running)
        except asyncio.CancelledError:
            for task in running:
                task.cancel()
            raise
        except BaseException:
            # The records under way end as they would (their links make the page's redo
            # idempotent); then the page stops.
            await asyncio.gather(*running, return_exceptions=True)
            raise
        if page.ahead:
            self._ahead[direction] = (page, progress.until)
        progress.cursor = page.cursor if page.cursor is not None else progress.cursor
        limited = filters.limit is not None and progress.seen >= filters.limit
        if page.more and not limited:
            return
        if progress.tail or limited or self.plan_only:
            progress.done = True
            return
        # The tail: what changed since the import began, read on from the same cursor. Our own
        # write-backs moved the records they touched there (they come back unchanged, and are
        # not counted again); so did a record whose write-back a crash cut off before its
        # link was recorded (linked now: nothing skipped), and edits made meanwhile (real-time
        # sync's runs have converged them; the import finds nothing to do).
        progress.tail = True
        progress.until = utcnow().isoformat()

    async def _record(
        self, direction: str, record: dict[str, Any], link: Link, progress: Progress
    ) -> None:
        self._count(progress, await self.one(direction, record, link))

    def _count(self, progress: Progress, result: RecordResult) -> None:
        if progress.tail and result.outcome == "unchanged":
            return  # done earlier in this import, seen again after its write-back
        progress.count(result.outcome)
        if result.writes and len(self.samples) < SAMPLE_SIZE:
            self.samples.append(result.as_dict())

    def _claims(self, source: System, record: dict[str, Any], link: Link) -> frozenset[Any]:
        """What a record may touch besides itself, as far as matching goes: records of a page
        whose claims meet are done in order, so that one finds what the other made (as one
        after the other would). A linked record matches nothing; a record under a parent is
        matched within its parent; any other by the values of its match keys."""
        claims: set[Any] = {("id", str(record["id"]))}
        if link is not _UNLINKED:
            return frozenset(claims)
        spec = self.recipe.model.parent
        if spec is not None:
            parent = record.get(spec.ghl_field if source == "ghl" else spec.tt_field)
            return frozenset({*claims, ("parent", str(parent))})
        mapping = self.recipe.mapping_from(source)
        if mapping is None:
            return frozenset(claims)
        try:
            mapped = mapping.apply(record, self._mapping_context())
        except MappingFailed:
            return frozenset(claims)
        target = OTHER[source]
        for key in self.recipe.model.import_keys():
            for name in key.fields(target):
                value = mapped.values.get(name)
                if value not in (None, "", []):
                    claims.add((name, str(value).strip().casefold()))
        return frozenset(claims)

    async def _prefetched(
        self, direction: str, progress: Progress
    ) -> tuple[sources.Page | None, datetime | None]:
        """The page read ahead of this one, when it is where the import stands (a page done
        again after a failure, or the tail, reads anew); (None, None) if there is none, or
        its read failed (the page's own read then says why)."""
        ahead = self._prefetch.pop(direction, None)
        if ahead is None:
            return None, None
        if ahead.cursor != progress.cursor or ahead.until != progress.until:
            ahead.task.cancel()
            return None, None
        try:
            await asyncio.wait({ahead.task})
        except asyncio.CancelledError:
            ahead.task.cancel()
            raise
        if ahead.task.cancelled() or ahead.task.exception() is not None:
            return None, None
        self._read_at[direction] = ahead.read_at
        return ahead.task.result(), ahead.read_at

    def _drop_prefetches(self) -> None:
        for ahead in self._prefetch.values():
            ahead.task.cancel()
        self._prefetch.clear()

    def _read_ahead(self, direction: str, progress: Progress) -> sources.Page | None:
        """The next page from the last one's read ahead, while fresh and where the import
        stands (a page done again after a failure, or the tail, reads anew)."""
        last, read_at = self._ahead.pop(direction, None), self._read_at.get(direction)
        if last is None or read_at is None:
            return None
        page, until = last
        fresh = (utcnow() - read_at).total_seconds() < READ_AHEAD_SECONDS
        if fresh and until == progress.until and page.cursor == progress.cursor:
            return page.following(self.page_size)
        return None

    async def one(
        self, direction: str, record: dict[str, Any], link: Link | None = None
    ) -> RecordResult:
        """One source record: matched, planned, applied unless the import only plans; a
        failure is recorded as the import's dead letter and the import goes on. ``link``: the
        record's link as the page read it (``_UNLINKED``: it has none); None: look it up."""
        source, target = _source(direction), _target(direction)
        record_id = str(record["id"])
        if link is not None and link is not _UNLINKED and self._echo(source, record, link):
            return RecordResult(source, record_id, "unchanged", _ECHO)
        # The record's link, snapshots and provenance are held while it is applied, then
        # committed off the event loop (unless the context holds them for a caller of its own).
        held: list[HeldWrite] = []
        ctx = self.ctx
        if ctx.repos.held is None and not self.plan_only:
            ctx = replace(ctx, repos=ctx.repos.holding(held))
        try:
            plan, mapped, parent_id = await self._plan(ctx, source, target, record, link)
        except Ambiguous as why:
            return await self._set_aside(source, record, "ambiguous", str(why))
        except MappingFailed as why:
            return await self._set_aside(source, record, "invalid", str(why))
        except (ParentWaiting, ParentPending) as why:
            return await self._set_aside(source, record, "waiting", str(why))
        outcome = _outcome(plan)
        result = RecordResult(source, record_id, outcome, plan.report.reason, _diffs(plan))
        if self.plan_only or not plan.writes:
            return result
        try:
            report = await apply(plan)
        except _NOT_THE_RECORDS:
            raise  # the page is done again from its checkpoint (links make that idempotent)
        except Exception as error:  # any other failure is this record's: its dead letter
            reason = f"{type(error).__name__}: {error}"
            return await self._set_aside(source, record, "failed", reason)
        finally:
            if held:  # what it recorded before failing holds too (a pair it made)
                await _off_loop(_commit, self.ctx.repos.links.db, held)
        if outcome == "create" and report.link is not None and mapped is not None:
            index = self._indexes.get(direction)
            if index is not None:
                index.add_mapped(str(report.link[f"{target}_id"]), mapped, record_id, parent_id)
        return result

    async def replay(self, system: System, record_id: str) -> RecordResult:
        """One record the import set aside, again, alone, as it is now (after a fix of the
        data or the recipe); marked replayed when it is applied, set aside again if not."""
        if not self._started:
            await self._start()
        hint = self._parent_hint(system, record_id)
        self._parents.clear()  # read as they are now
        record = await fetch(self.ctx, self.recipe, system, record_id, hint)
        result = await self.one(f"{system}_to_{OTHER[system]}", record)
        if result.outcome not in SET_ASIDE:
            self.repo.mark_replayed(self.record.id, system, record_id)
        return result

    async def _set_aside(
        self, source: str, record: dict[str, Any], outcome: Outcome, reason: str
    ) -> RecordResult:
        """A record the import did not apply, kept with its reason for the report (and, once
        the data or recipe is fixed, a replay of it alone). A plan keeps none."""
        record_id = str(record["id"])
        if not self.plan_only:
            await _off_loop(
                self.repo.record_failure, self.record.id, source, record_id, outcome, reason, record
            )
        return RecordResult(source, record_id, outcome, reason)

    async def _plan(
        self,
        ctx: BridgeContext,
        source: System,
        target: System,
        record: dict[str, Any],
        link: Link | None,
    ) -> tuple[Plan, MappedRecord | None, str | None]:
        """The record's plan, in ``ctx``; for one not linked, also its mapping and the
        target-side id of its parent (what the index learns of a record the plan creates).
        ``link`` as in ``one``."""
        record_id = str(record["id"])
        links = self.ctx.repos.links
        ghl_type, tt_type = self.recipe.model.ghl, self.recipe.model.tt
        if link is None:
            link = links.by_side(source, self.ctx.bridge_id, ghl_type, tt_type, record_id)
        if link is not None and link is not _UNLINKED:
            return await self._plan_record(ctx, source, record), None, None
        if not self.recipe.accepts(source, record, self._mapping_context()):
            return await self._plan_record(ctx, source, record), None, None
        # A record the recipe leaves alone is skipped above, whether its parent is linked or not.
        parent = self._parent_pair(source, record)
        if parent is None:
            return await self._plan_record(ctx, source, record), None, None
        mctx = self._mapping_context(parent)
        mapping = self.recipe.mapping_from(source)
        assert mapping is not None  # the direction is synced (check_request)
        mapped = mapping.apply(record, mctx)
        parent_id = parent[target]["id"] if parent else None
        index = await self._index(f"{source}_to_{target}", target)
        if index is None:  # the target cannot be read whole: the plan searches for itself
            return await self._plan_record(ctx, source, record), mapped, parent_id

        def linked_elsewhere(target_id: str) -> str | None:
            link = links.by_side(target, self.ctx.bridge_id, ghl_type, tt_type, target_id)
            return None if link is None else str(getattr(link, f"{source}_id"))

        target_id = index.find(record_id, mapped, linked_elsewhere, parent_id)
        found = index.found(target_id)
        if found is None:
            assert target_id is not None
            hint = parent["ghl"]["id"] if parent else None
            found = Found(await fetch(self.ctx, self.recipe, target, target_id, hint))
        plan = await self._plan_record(ctx, source, record, found, unlinked=True)
        return plan, mapped, parent_id

    async def _plan_record(
        self,
        ctx: BridgeContext,
        source: System,
        record: dict[str, Any],
        found: Found | None = None,
        unlinked: bool = False,
    ) -> Plan:
        return await plan_record(
            self.recipe,
            source,
            record,
            ctx,
            found,
            self._parents,
            f"import:{self.record.id}",
            plan_only=self.plan_only,
            unlinked=unlinked,
        )

    def _parent_pair(self, source: System, record: dict[str, Any]) -> dict[str, Any] | None:
        """The linked pair a record of a typed parent (a task's contact) lives under, as ids:
        ``{}`` for a type with no parent; None when the record names no parent (the plan
        skips it, as real-time sync does). ``ParentWaiting`` when its parent is not linked."""
        spec = self.recipe.model.parent
        if spec is None:
            return {}
        parent_id = record.get(spec.ghl_field if source == "ghl" else spec.tt_field)
        if parent_id in (None, ""):
            return None
        ghl_type, tt_type = self.ctx.sync_types.get(spec.recipe, ("contact", "customer"))
        link = self.ctx.repos.links.by_side(
            source, self.ctx.bridge_id, ghl_type, tt_type, str(parent_id)
        )
        if link is None:
            kind = ghl_type if source == "ghl" else tt_type
            raise ParentWaiting(
                f"its {kind} {parent_id} is not linked by {spec.recipe} yet: import "
                f"{spec.recipe} first, then replay this record"
            )
        return {"ghl": {"id": str(link.ghl_id)}, "tt": {"id": str(link.tt_id)}}

    def _parent_hint(self, system: System, record_id: str) -> Any:
        """The contact a set-aside GHL task or note lives under (its reads need it), from the
        record as the import kept it."""
        obj = self.recipe.objects(system)
        if not obj.parent_key:
            return None
        for failure in self.repo.failures(self.record.id):
            if failure.system == system and failure.record_id == record_id:
                return failure.record.get(obj.parent_key)
        return None

    def _echo(self, source: System, record: dict[str, Any], link: Link) -> bool:
        """Whether the linked record maps to what the link says was last synced: plan() would
        find the echo too (a tail re-reading our own write-backs, a catch-up over records that
        did not change), decided here without its reads. Records under a parent are mapped in
        the parent's context, which only plan() reads: they go through it."""
        if self.recipe.model.parent is not None:
            return False
        mctx = self._mapping_context()
        mapping = self.recipe.mapping_from(source)
        if mapping is None or not self.recipe.accepts(source, record, mctx):
            return False
        try:
            mapped = mapping.apply(record, mctx)
        except MappingFailed:
            return False
        return bool(mapped.fingerprint == getattr(link, f"{source}_fingerprint"))

    def _mapping_context(self, parent: dict[str, Any] | None = None) -> Any:
        """The mapping's context; a record under a parent gets its parent's pair in it."""
        if parent:
            return self._build_mapping_context(parent)
        # Once per step (the run's moment is the step's): building it per record showed.
        if self._mctx is not None and self._mctx[0] is self.ctx:
            return self._mctx[1]
        mctx = self._build_mapping_context()
        self._mctx = (self.ctx, mctx)
        return mctx

    def _build_mapping_context(self, parent: dict[str, Any] | None = None) -> Any:
        return build_context(
            self.recipe,
            now=self.ctx.now,
            resolver=self.ctx.resolver,
            params=self.ctx.params_for(self.recipe.name),
            location_tz=self.ctx.location_tz,
            tt_timezone=self.ctx.tt_timezone,
            parent=parent or {},
        )

    async def _index(self, direction: str, target: System) -> MatchIndex | None:
        """The target side by match key, read once per direction and run; None when it has
        no reader that lists it whole (TT time entries: the plan looks an appointment's entry
        up by its third-party id in the days around its start)."""
        async with self._indexing:
            if direction not in self._indexes:
                read = sources.READERS.get(self.recipe.objects(target).type)
                if read is None:
                    return None
                self._indexes[direction] = await self._read_index(read, target)
        return self._indexes[direction]

    async def _read_index(self, read: sources.Reader, target: System) -> MatchIndex:
        index = MatchIndex(self.recipe, target, self._mapping_context())
        whole = target == "tt"
        until = self.ctx.now + timedelta(days=1)
        cursor: Any = None
        while True:
            page = await read(self.ctx, cursor, Filters(), until, _INDEX_PAGE[target])
            for item in page.records:
                index.add(item, keep=whole)
            cursor = page.cursor
            if not page.more:
                break
        return index


@dataclass(frozen=True)
class _Prefetch:
    """A read of a direction's next page under way: from ``cursor`` up to ``until``, started
    at ``read_at`` (what a record was synced after, in real time, is older in it)."""

    task: asyncio.Future[sources.Page]
    cursor: Any
    until: Any
    read_at: datetime


def _retrieved(task: asyncio.Future[Any]) -> None:
    """A read ahead that nobody awaits (dropped, or failed) leaves no unretrieved error."""
    if not task.cancelled():
        task.exception()


async def _first_done(running: dict[asyncio.Task[None], frozenset[Any]]) -> None:
    """Wait for one of the records under way to end; its failure is the page's."""
    done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        del running[task]
        task.result()


def create_import(
    repo: ImportRepository,
    bridge_id: str,
    recipe: SyncRecipe,
    directions: tuple[str, ...],
    filters: Filters,
    *,
    plan_only: bool = False,
    catch_up: bool = False,
) -> ImportRecord:
    """A new import, checked; ``catch_up``: it reads only what changed since the end of the
    last finished import of the recipe (all of it when there was none)."""
    check_request(recipe, directions, filters)
    if catch_up and filters.since is None:
        last = repo.last_finished(bridge_id, recipe.name)
        ends = [
            datetime.fromisoformat(str(p["until"]))
            for p in (last.progress.values() if last is not None else ())
            if isinstance(p, dict) and p.get("until")
        ]
        if ends:
            filters = replace(filters, since=min(ends) - CATCH_UP_OVERLAP)
    record = ImportRecord(
        new_import_id(), bridge_id, recipe.name, directions, filters.as_dict(), plan_only
    )
    return repo.create(record)
