"""Claims on making a record's counterpart: one run at a time creates it, in every worker.

A record's events run one at a time in one process (a batch's record locks), but two workers
can each run one of them at once: its create and an edit a moment later, dispatched in two
batches. Both would find no link and no counterpart, and both would create one. TT refuses a
second customer of the same name (the add then takes the first over), but not one renamed in
between, nor a second task or time entry. An import and real-time sync of one record meet the
same way.

So a run about to create claims its record first (``once_keys``, recipe ``<sync>:create``,
key ``<side>:<record id>``), and the claim ends in the transaction that records the pair. So
does a run about to look for it in a way that creates: TT's name probe makes a bare customer
when the name is free, so a run probing after another renamed what its probe made would make
a second. A run that finds the record claimed waits for the holder. Once the holder is done,
or dead (its run ended without recording the pair, or its claim is older than
``STALE_AFTER``), the run plans again from what both sides hold now: the pair the holder
recorded, or the counterpart it made before it died, found as a retried run finds its own.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

from ghltt.core import utcnow
from ghltt.engine.context import RecordWrites
from ghltt.engine.sync.state import SyncRun
from ghltt.store.links import Link

__all__ = ["POLL", "STALE_AFTER", "WAIT", "CreateUnderWay", "PlanAgain", "claim", "release"]

# A claim this old is a run that died between its claim and its pair and was not recovered
# (a killed worker's runs are, within seconds of its restart). Longer than a create can take
# alive: the requestor's retries of one call end within 60 s.
STALE_AFTER = timedelta(seconds=90)
# How long a run waits, in the run, for another run's create; then it is tried again later,
# with backoff (a run that still finds the claim held when its retries end is a dead letter,
# replayable once the claim is stale).
WAIT = 5.0
POLL = 0.05


class CreateUnderWay(Exception):
    """Another run is creating this record's counterpart right now: try again shortly."""


class PlanAgain(Exception):
    """Raised by a lookup that claimed the record before creating (TT's name probe): another
    run made or paired its counterpart meanwhile, so the run plans again from its link."""


def _recipe(run: SyncRun) -> str:
    return f"{run.recipe.name}:create"


def _key(source: str, record_id: str) -> str:
    return f"{source}:{record_id}"


def claimant(run: SyncRun) -> str:
    """Who claims for ``run``: its run id, or a token of its own (an import's or a one-off
    run's), so that its own claim is recognised when it plans again."""
    if run.ctx.run_id:
        return run.ctx.run_id
    if run.claim_token is None:
        run.claim_token = f"apply:{uuid.uuid4().hex}"
    return run.claim_token


async def claim(run: SyncRun, source: str, record_id: str) -> bool:
    """Claim creating the counterpart of ``source``'s record ``record_id``. True when the run
    must plan again before it creates: it waited for another run's claim, or took a dead one
    over, or the record's link changed since the run read it (another run recorded a pair)."""
    ctx, recipe, key, me = run.ctx, _recipe(run), _key(source, record_id), claimant(run)
    if run.claimed == key:
        return False  # held since its lookup (``PlanAgain``): nobody paired it meanwhile
    once = ctx.repos.once
    contended = False
    deadline = time.monotonic() + WAIT
    # Commits wait for the disk: made off the event loop, where requests are in flight.
    while not await asyncio.to_thread(once.claim, ctx.bridge_id, recipe, key, me):
        contended = True
        holder = once.holder_of(ctx.bridge_id, recipe, key)
        if holder is None:
            continue  # ended meanwhile: claim it again
        if holder.ended or holder.claimed_at < utcnow() - STALE_AFTER:
            if await asyncio.to_thread(
                once.take_over, ctx.bridge_id, recipe, key, holder.run_id, me
            ):
                break
            continue
        if time.monotonic() >= deadline:
            raise CreateUnderWay(
                f"another run ({holder.run_id}) is creating the counterpart of {source} "
                f"record {record_id}; tried again"
            )
        await asyncio.sleep(POLL)
    run.claimed = key
    if contended:
        return True
    before = run.links_read.get((source, record_id))
    now = await asyncio.to_thread(run.link, source, record_id)
    return _pair_of(now) != _pair_of(before)


def _pair_of(link: Link | None) -> tuple[str, str] | None:
    return None if link is None else (str(link.ghl_id), str(link.tt_id))


def release(run: SyncRun, *, alone: bool = False) -> None:
    """End the run's claim, with the pair it recorded (the same transaction, when held), or
    ``alone``, at once: no pair goes with it (a plan with nothing to apply)."""
    key, bridge_id, recipe = run.claimed, run.ctx.bridge_id, _recipe(run)
    if key is None:
        return
    run.claimed = None

    def end(repos: RecordWrites) -> None:
        repos.once.release(bridge_id, recipe, key)

    run.ctx.repos.write(end, hold=not alone)
