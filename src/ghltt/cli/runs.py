"""``ghltt runs``: list, inspect and replay durable runs; see dead letters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from ghltt.cli.context import console, fail, settings, store
from ghltt.cli.listing import (
    BridgeOpt,
    SinceOpt,
    add_row,
    bridge_id,
    print_json,
    refused,
    since,
    table,
    when,
)
from ghltt.core import GhlttError
from ghltt.store import InboxRepository, RunRepository
from ghltt.store.ids import SHORT, short_id
from ghltt.store.runs import RUN_STATUSES, SOURCES, RunFilter, recipe_name

if TYPE_CHECKING:
    from ghltt.jobs import DeadLetter
    from ghltt.jobs.runtime import Replayed

app = typer.Typer(help="List, inspect and replay runs; see dead letters.", no_args_is_help=True)

JsonOpt = typer.Option(False, "--json", help="Print JSON (for scripts) instead of a table.")
RecipeOpt = typer.Option(None, "--recipe", help="Only runs of this recipe.")


@app.command("list")
def list_runs(
    status: str = typer.Option(None, help=f"Only runs in this status: {', '.join(RUN_STATUSES)}."),
    bridge: str = BridgeOpt,
    recipe: str = RecipeOpt,
    event: str = typer.Option(None, help="Only the runs of this event (an id or its prefix)."),
    source: str = typer.Option(None, help=f"Only runs of events from: {', '.join(SOURCES)}."),
    record: str = typer.Option(
        None, help="Only runs about this GHL or TT record id (or its linked twin)."
    ),
    since_: str = SinceOpt,
    limit: int = typer.Option(20, min=1, max=1000, help="How many, newest first."),
    offset: int = typer.Option(0, min=0, help="Skip this many (the next page)."),
    as_json: bool = JsonOpt,
) -> None:
    """Show recent runs, newest first. Example: ghltt runs list --status failed --since 1d"""
    db = store(settings())
    repo = RunRepository(db)
    with refused():
        where = RunFilter(
            status=status,
            bridge_id=bridge_id(db, bridge),
            recipe=recipe,
            event_id=InboxRepository(db).resolve(event) if event else None,
            source=source,
            record_id=record,
            since=since(since_),
        )
        records = repo.list(where=where, limit=limit, offset=offset)
    if as_json:
        print_json([r.as_dict() for r in records])
        return
    out = table(
        ("run", SHORT["run"]),
        ("event", SHORT["event"]),
        text=("bridge", "recipe", "status", "started"),
        last="error",
    )
    for r in records:
        error = f"[{r.error_class}] {r.error}" if r.error_class and r.error else r.error or ""
        add_row(
            out,
            r.short_id,
            short_id(r.event_id, "event"),
            r.bridge,
            r.recipe_name,
            r.status,
            when(r.started_at),
            error[:200],
        )
    console.print(out)


@app.command("show")
def show(
    run_id: str = typer.Argument(
        ..., help="A run id or any unique prefix of one, or a workflow id."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Show one run with every step: name, input, output, error, attempts.

    Example: ghltt runs show 3f2a91c0
    """
    with refused():
        record = RunRepository(store(settings())).find(run_id)
    if as_json:
        print_json(record.as_dict(steps=True))
        return
    lines = [
        ("run", record.id),
        ("workflow", record.workflow_id),
        ("event", record.event_id),
        ("bridge", record.bridge),
        ("recipe", record.recipe_name),
        ("status", record.status),
        ("started", when(record.started_at)),
        ("finished", when(record.finished_at)),
    ]
    if record.error:
        lines.append(("error", f"[{record.error_class or 'internal'}] {record.error}"))
    for label, value in lines:
        console.print(f"{label:>9}  {value}", highlight=False, soft_wrap=True, markup=False)
    steps = table(text=("#", "step", "status", "attempts", "finished"), last="error")
    for s in record.steps:
        add_row(
            steps,
            str(s.position),
            s.name,
            s.status,
            str(s.attempts),
            when(s.finished_at),
            s.error or "",
        )
    console.print(steps)
    console.print("inputs and outputs: ghltt runs show --json " + record.short_id, highlight=False)


@app.command("replay")
def replay(
    target: str = typer.Argument(
        None, help="A run id, an event id (or a unique prefix of either) or a workflow id."
    ),
    all_failed: bool = typer.Option(
        False, "--all-failed", help="Replay every dead letter (narrowed by the options below)."
    ),
    bridge: str = BridgeOpt,
    recipe: str = RecipeOpt,
    since_: str = SinceOpt,
) -> None:
    """Run again what failed, after fixing its cause.

    A dead letter resumes from its first failed step (what succeeded is not redone), under
    its own run id; anything else runs again from the start. A running executor ('ghltt
    serve' or 'ghltt worker') picks it up. Examples: ghltt runs replay 3f2a91c0;
    ghltt runs replay --all-failed --bridge acme --since 2h
    """
    from ghltt.jobs import JobAdmin  # DBOS: only the commands that reach its records load it

    if all_failed == (target is not None):
        fail("give a run or event id, or --all-failed (see 'ghltt runs replay --help')")
    loaded = settings()
    db = store(loaded)
    admin = JobAdmin(loaded, db)
    try:
        if target is not None:
            if bridge or recipe or since_:
                fail("--bridge, --recipe and --since go with --all-failed")
            with refused():
                done = admin.replay(target)
            _say_replayed(done)
            return
        where = RunFilter(bridge_id=bridge_id(db, bridge), recipe=recipe, since=since(since_))
        with refused():
            replayed, failed = admin.replay_all(where, _progress)
    finally:
        admin.close()
    if replayed == failed == 0:
        console.print("no dead letter matches: nothing to replay", highlight=False)
        return
    console.print(
        f"replayed {replayed} dead letter(s)"
        + (f"; {failed} could not be replayed (see above)" if failed else "")
        + "; follow them with 'ghltt runs list --status running'",
        highlight=False,
    )


def _say_replayed(done: Replayed) -> None:
    if done.run_ids:
        first, *more = [short_id(r, "run") for r in done.run_ids]
        also = f" and {', '.join(more)}" if more else ""
        console.print(
            f"replaying run {first}{also} (see 'ghltt runs show {first}')", highlight=False
        )
    else:
        console.print(
            f"replaying event {done.event_id} as workflow {done.workflow_id}; its runs: "
            f"'ghltt runs list --event {short_id(done.event_id or '', 'event')}'",
            highlight=False,
        )


def _progress(
    position: int, total: int, letter: DeadLetter, outcome: Replayed | GhlttError
) -> None:
    said = f"refused: {outcome}" if isinstance(outcome, GhlttError) else "replaying"
    what = f"run {letter.short_id}" if letter.recipe else f"workflow {letter.workflow_id}"
    console.print(
        f"[{position}/{total}] {what} ({letter.bridge}): {said}", highlight=False, markup=False
    )


@app.command("dead-letters")
def dead_letters(
    bridge: str = BridgeOpt,
    recipe: str = RecipeOpt,
    since_: str = SinceOpt,
    limit: int = typer.Option(20, min=1, max=1000, help="How many, newest first."),
    offset: int = typer.Option(0, min=0, help="Skip this many (the next page)."),
    as_json: bool = JsonOpt,
) -> None:
    """List what exhausted its retries, with its cause; replay with 'ghltt runs replay ID'
    (or all of them with 'ghltt runs replay --all-failed'). A dead letter leaves the list
    once its replay succeeds."""
    from ghltt.jobs import JobAdmin  # DBOS: only the commands that reach its records load it

    loaded = settings()
    db = store(loaded)
    admin = JobAdmin(loaded, db)
    try:
        where = RunFilter(bridge_id=bridge_id(db, bridge), recipe=recipe, since=since(since_))
        with refused():
            letters = admin.dead_letters(where, limit=limit, offset=offset)
    finally:
        admin.close()
    if as_json:
        print_json([d.as_dict() for d in letters])
        return
    out = table(
        ("id", SHORT["run"]),
        ("event", SHORT["event"]),
        text=("bridge", "recipe", "failed", "class"),
        last="cause",
    )
    for d in letters:
        event = short_id(d.event_id, "event") if d.event_id else f"batch of {d.events}"
        add_row(
            out,
            d.short_id,
            event,
            d.bridge,
            recipe_name(d.bridge_id, d.recipe) if d.recipe else "-",
            when(d.failed_at),
            d.cause_class,
            (d.cause or "")[:300],
        )
    console.print(out)
