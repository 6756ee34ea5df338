"""``ghltt import``: bring a sync recipe's existing records across (or plan it), follow it,
pause, resume, cancel. See docs/imports.md."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ghltt.bridges import Services
from ghltt.cli.context import console, fail, settings, store
from ghltt.cli.services import JsonOpt, open_services, run_remote
from ghltt.core import GhlttError, utcnow
from ghltt.engine.context import open_bridge_context
from ghltt.engine.imports import (
    OUTCOMES,
    Filters,
    Importer,
    check_request,
    create_import,
    outcome_totals,
)
from ghltt.engine.imports.eta import describe
from ghltt.engine.imports.replay import replay_set_aside
from ghltt.engine.recipes.cron import check_cron
from ghltt.jobs import JobAdmin
from ghltt.jobs.imports import recipe_of
from ghltt.store.imports import OPEN, ImportRecord, ImportRepository

app = typer.Typer(
    help="Bring a sync recipe's existing records across, on demand; follow and steer imports.",
    no_args_is_help=True,
)

_DIRECTIONS = {"ghl-to-tt": ("ghl_to_tt",), "tt-to-ghl": ("tt_to_ghl",)}


def _directions(value: str, recipe_directions: tuple[str, ...]) -> tuple[str, ...]:
    if value == "both":
        return recipe_directions
    if value not in _DIRECTIONS:
        fail(f"--direction must be ghl-to-tt, tt-to-ghl or both, not {value!r}")
    return _DIRECTIONS[value]


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--since must be an ISO date or date-time (2026-01-31T09:00Z), not {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _repo() -> ImportRepository:
    return ImportRepository(store(settings()))


def _record(import_id: str) -> ImportRecord:
    found = _repo().get(import_id)
    if found is None:
        fail(f"no import with id {import_id!r} (see 'ghltt import list')")
    return found


def _counts(record: ImportRecord) -> dict[str, int]:
    return outcome_totals(record.progress)


def _total(record: ImportRecord) -> int | None:
    totals = [p.get("total") for p in record.progress.values()]
    if not totals or any(t is None for t in totals) or len(totals) < len(record.directions):
        return None
    return sum(int(t) for t in totals)


def _eta(record: ImportRecord) -> str:
    """The estimate of the direction under way (the last one when all are done), or what the
    import waits for."""
    current = [p for p in record.progress.values() if isinstance(p, dict) and not p.get("done")]
    progress = (current or list(record.progress.values()) or [{}])[0]
    return describe(progress.get("eta"), progress.get("waiting"))


def _summary(record: ImportRecord) -> str:
    counts = _counts(record)
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "nothing yet"


async def _run_here(svc: Services, record: ImportRecord, quiet: bool) -> ImportRecord:
    """The import in this process, with a progress bar: records done out of the total, the
    rate, the time left, the counts."""
    ctx = await open_bridge_context(svc, record.bridge_id, now=utcnow())
    repo = ImportRepository(svc.connections.db)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[eta]}"),
        TextColumn("{task.fields[counts]}"),
    )
    started = utcnow()
    try:
        with Progress(*columns, console=console, disable=quiet, transient=False) as bar:
            task = bar.add_task(record.recipe, total=_total(record), rate="", counts="", eta="")

            async def on_page(now: ImportRecord) -> None:
                done = sum(_counts(now).values())
                seconds = max((utcnow() - started).total_seconds(), 0.001)
                bar.update(
                    task,
                    completed=done,
                    total=_total(now),
                    rate=f"{done / seconds:.1f}/s",
                    counts=_summary(now),
                    eta=_eta(now),
                )

            importer = Importer(
                ctx,
                recipe_of(record.recipe),
                repo,
                record,
                share=settings().import_budget_share,
                page_size=settings().import_page_size,
                on_page=on_page,
            )
            return await importer.run()
    finally:
        await ctx.aclose()


def _report(record: ImportRecord, as_json: bool) -> None:
    if as_json:
        failures = _repo().failures(record.id)
        body = {**record.as_dict(), "failures": [f.as_dict() for f in failures]}
        typer.echo(json.dumps(body, default=str, indent=2))
        return
    kind = "plan" if record.plan_only else "import"
    console.print(f"{kind} {record.id}: {record.status}", highlight=False)
    table = Table("direction", *OUTCOMES, "total")
    for direction, progress in record.progress.items():
        counts = progress.get("counts") or {}
        table.add_row(
            direction, *(str(counts.get(o, 0)) for o in OUTCOMES), str(progress.get("total"))
        )
    console.print(table)
    for direction, progress in record.progress.items():
        if progress.get("warning"):
            console.print(f"  warning ({direction}): {progress['warning']}", highlight=False)
    if record.status in OPEN and _eta(record):
        console.print(f"  {_eta(record)}", highlight=False)
    for sample in record.samples[:10]:
        console.print(f"  {sample['system']} {sample['record_id']}: {sample['outcome']}")
        for write in sample["writes"]:
            target = write["object_id"] or "(new)"
            console.print(
                f"    {write['operation']} {write['system']} {write['object_type']} {target}",
                highlight=False,
            )
            for name, change in write["fields"].items():
                before, after = json.dumps(change["from"]), json.dumps(change["to"])
                console.print(f"      {name}: {before} -> {after}", highlight=False)
    for failure in _repo().failures(record.id)[:20]:
        console.print(
            f"  {failure.status} {failure.system} {failure.record_id}: {failure.reason}",
            highlight=False,
        )
    if record.error:
        console.print(f"  error: {record.error}", highlight=False)


@app.command("run")
def run(
    bridge: str = typer.Argument(..., help="The bridge (id or name)."),
    recipe: str = typer.Option(..., "--recipe", help="A sync recipe, e.g. contacts."),
    direction: str = typer.Option("both", help="ghl-to-tt, tt-to-ghl or both."),
    since: str = typer.Option(None, help="Only records changed since (ISO date or date-time)."),
    tag: list[str] = typer.Option([], "--tag", help="Only GHL records with this tag."),
    query: str = typer.Option(None, help="Only records a search for this text finds."),
    limit: int = typer.Option(None, min=1, help="At most this many records per direction."),
    plan: bool = typer.Option(False, "--plan", help="Read both sides, count, write nothing."),
    catch_up: bool = typer.Option(
        False, "--catch-up", help="Only what changed since the last finished import."
    ),
    background: bool = typer.Option(
        False, "--background", help="Hand it to the executor (ghltt serve / worker) instead."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Import a sync recipe's existing records. Example:
    ghltt import run my-bridge --recipe contacts --direction ghl-to-tt --plan"""
    try:
        compiled = recipe_of(recipe)
    except (GhlttError, KeyError, FileNotFoundError) as exc:
        fail(f"--recipe {recipe!r}: {exc}")
    directions = _directions(direction, compiled.model.directions)
    filters = Filters(_since(since), tuple(tag), query, limit)
    svc = open_services()
    try:
        bridge_id = svc.bridges.resolve(bridge).id
        record = create_import(
            ImportRepository(svc.connections.db),
            bridge_id,
            compiled,
            directions,
            filters,
            plan_only=plan,
            catch_up=catch_up,
        )
    except (GhlttError, ValueError) as exc:
        fail(str(exc))
    if background:
        _enqueue(record.id)
        return
    done = run_remote(lambda: _run_here(svc, record, quiet=as_json))
    _report(done, as_json)


def _enqueue(import_id: str) -> None:
    loaded = settings()
    admin = JobAdmin(loaded, store(loaded))
    try:
        workflow = admin.start_import(import_id)
    except GhlttError as exc:
        fail(str(exc))
    finally:
        admin.close()
    console.print(f"import {import_id} handed to the executor (workflow {workflow})")


@app.command("list")
def list_imports(
    bridge: str = typer.Option(None, help="Only this bridge's imports."),
    limit: int = typer.Option(20, min=1, max=1000, help="How many, newest first."),
    as_json: bool = JsonOpt,
) -> None:
    """Recent imports and plans, newest first."""
    records = _repo().recent(bridge, limit=limit)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in records], default=str, indent=2))
        return
    table = Table("import", "bridge", "recipe", "kind", "status", "progress", "updated")
    for r in records:
        when = r.updated_at.strftime("%Y-%m-%d %H:%M:%S") if r.updated_at else "-"
        kind = "plan" if r.plan_only else "import"
        table.add_row(r.id, r.bridge_id, r.recipe, kind, r.status, _summary(r), when)
    console.print(table)


@app.command("show")
def show(import_id: str = typer.Argument(...), as_json: bool = JsonOpt) -> None:
    """One import: counts per direction, the plan's sample writes, what it set aside and why."""
    _report(_record(import_id), as_json)


@app.command("pause")
def pause(import_id: str = typer.Argument(...)) -> None:
    """Stop after the current page; 'ghltt import resume' goes on from there."""
    _record(import_id)
    if not _repo().set_status(import_id, "paused", only_from=frozenset({"pending", "running"})):
        fail(f"import {import_id} is not pending or running")
    console.print(f"import {import_id} paused")


@app.command("cancel")
def cancel(import_id: str = typer.Argument(...)) -> None:
    """Stop for good after the current page (what was done stays done and linked)."""
    _record(import_id)
    if not _repo().set_status(import_id, "cancelled", only_from=OPEN | {"failed"}):
        fail(f"import {import_id} is already over")
    console.print(f"import {import_id} cancelled")


@app.command("resume")
def resume(
    import_id: str = typer.Argument(...),
    background: bool = typer.Option(False, "--background", help="In the executor instead."),
    as_json: bool = JsonOpt,
) -> None:
    """Go on from the last checkpoint (a paused, failed or interrupted import)."""
    record = _record(import_id)
    movable = frozenset({"paused", "failed", "running"})
    if not _repo().set_status(import_id, "pending", only_from=movable):
        fail(f"import {import_id} is {record.status}: nothing to resume")
    if background:
        _enqueue(import_id)
        return
    svc = open_services()
    done = run_remote(lambda: _run_here(svc, _record(import_id), quiet=as_json))
    _report(done, as_json)


@app.command("schedule")
def schedule(
    bridge: str = typer.Argument(..., help="The bridge (id or name)."),
    recipe: str = typer.Option(..., "--recipe", help="A sync recipe, e.g. contacts."),
    cron: str = typer.Option(None, help="When, as a cron line: '0 3 * * *' is 03:00 daily."),
    direction: str = typer.Option("both", help="ghl-to-tt, tt-to-ghl or both."),
    timezone: str = typer.Option(None, help="The zone the cron line is read in (default UTC)."),
    remove: bool = typer.Option(False, "--remove", help="Remove the schedule instead."),
) -> None:
    """Run a catch-up import on a schedule: each run reads only what changed since the last
    finished import of the recipe. The executor (ghltt serve / worker) runs it.
    Example: ghltt import schedule my-bridge --recipe contacts --cron '0 3 * * *'"""
    try:
        compiled = recipe_of(recipe)
    except (GhlttError, KeyError, FileNotFoundError) as exc:
        fail(f"--recipe {recipe!r}: {exc}")
    svc = open_services()
    loaded = settings()
    admin = JobAdmin(loaded, store(loaded))
    try:
        bridge_id = svc.bridges.resolve(bridge).id
        if remove:
            gone = admin.unschedule_import(bridge_id, recipe)
            console.print("schedule removed" if gone else "there was no such schedule")
            return
        if not cron:
            fail("give --cron (or --remove)")
        try:
            check_cron(cron)
        except ValueError as exc:
            fail(f"--cron: {exc}")
        directions = _directions(direction, compiled.model.directions)
        check_request(compiled, directions, Filters())
        name = admin.schedule_import(
            bridge_id, recipe, cron, directions=list(directions), timezone=timezone
        )
    except GhlttError as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    finally:
        admin.close()
    console.print(f"schedule {name}: a catch-up import of {recipe} at '{cron}'", highlight=False)


@app.command("replay")
def replay(
    import_id: str = typer.Argument(...),
    record: list[str] = typer.Argument(
        None, help="SYSTEM:ID of records it set aside (ghl:abc123, tt:42); none: all of them."
    ),
) -> None:
    """Apply again, each alone, records an import set aside (failed, ambiguous, invalid,
    waiting for their parent), as they are now: after fixing the data or the recipe, or
    importing the parents."""
    found = _record(import_id)
    if found.plan_only:
        fail(f"{import_id} is a plan: it set nothing aside to replay")
    pending = [f for f in _repo().failures(import_id) if f.status != "replayed"]
    wanted = {tuple(r.split(":", 1)) for r in record or ()}
    if any(len(w) != 2 or w[0] not in ("ghl", "tt") for w in wanted):
        fail("give records as ghl:ID or tt:ID")
    chosen = [f for f in pending if not wanted or (f.system, f.record_id) in wanted]
    if not chosen:
        fail(f"{import_id} has no such record set aside (see 'ghltt import show {import_id}')")
    svc = open_services()
    results = run_remote(lambda: replay_set_aside(svc, found, recipe_of(found.recipe), chosen))
    for failure, result in results:
        line = f"{failure.system}:{failure.record_id}: {result.outcome} {result.reason}"
        console.print(line.rstrip(), highlight=False)
