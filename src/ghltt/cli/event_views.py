"""``ghltt events list`` and ``ghltt events show``: what arrived, and what became of it."""

from __future__ import annotations

import json

import typer

from ghltt.cli.context import console, settings, store
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
from ghltt.core import EventSource
from ghltt.store import InboxRepository, RunRepository
from ghltt.store.ids import SHORT
from ghltt.store.inbox import OUTCOMES, EventFilter

SOURCES = ", ".join(s.value for s in EventSource)
JsonOpt = typer.Option(False, "--json", help="Print JSON (for scripts) instead of a table.")


def list_events(
    bridge: str = BridgeOpt,
    source: str = typer.Option(None, help=f"Only from this source: {SOURCES}."),
    kind: str = typer.Option(None, help="Only this kind, e.g. contact.updated."),
    outcome: str = typer.Option(None, help=f"Only with this outcome: {', '.join(OUTCOMES)}."),
    since_: str = SinceOpt,
    limit: int = typer.Option(20, min=1, max=1000, help="How many, newest first."),
    offset: int = typer.Option(0, min=0, help="Skip this many (the next page)."),
    as_json: bool = JsonOpt,
) -> None:
    """Show the events that arrived, newest first, and their outcome: applied (its runs
    finished; on a shadow bridge they only planned: 'ghltt bridges planned NAME'), failed (see
    'ghltt runs dead-letters'), held (a connection failed: it runs once that is fixed),
    released (running after the fix), no_match (no recipe wanted it) or pending.

    Example: ghltt events list --bridge acme --outcome failed --since 1d
    """
    db = store(settings())
    with refused():
        where = EventFilter(
            bridge_id=bridge_id(db, bridge),
            source=source,
            kind=kind,
            outcome=outcome,
            since=since(since_),
        )
        events = InboxRepository(db).recent(where, limit=limit, offset=offset)
    if as_json:
        print_json([e.as_dict() for e in events])
        return
    out = table(
        ("event", SHORT["event"]),
        text=("bridge", "source", "kind", "object", "origin", "received", "outcome"),
    )
    for e in events:
        event = e.event
        add_row(
            out,
            e.short_id,
            e.bridge,
            event.source.value,
            event.kind,
            event.object_id or "-",
            event.origin.value,
            when(e.received_at),
            e.outcome or "pending",
        )
    console.print(out)


def show_event(
    event_id: str = typer.Argument(..., help="An event id or any unique prefix of one."),
    as_json: bool = JsonOpt,
) -> None:
    """Show one event: what it says, its payload, and the runs it made.

    Example: ghltt events show 0193a4f2c1d0e5b7
    """
    db = store(settings())
    inbox = InboxRepository(db)
    with refused():
        stored = inbox.get(inbox.resolve(event_id))
    assert stored is not None  # resolved just now
    runs = RunRepository(db).list(event_id=stored.event.id, limit=100)
    data = stored.as_dict(payload=True)
    data["runs"] = [r.as_dict() for r in runs]
    if as_json:
        print_json(data)
        return
    for label in ("id", "bridge", "source", "kind", "object_type", "object_id", "origin"):
        console.print(f"{label:>12}  {data[label] or '-'}", highlight=False, markup=False)
    for label in ("occurred_at", "received_at", "processed_at"):
        console.print(f"{label:>12}  {when(data[label])}", highlight=False)
    console.print(f"{'outcome':>12}  {data['outcome']}", highlight=False)
    console.print(
        f"{'payload':>12}  {json.dumps(data['payload'], default=str)}",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
    out = table(("run", SHORT["run"]), text=("recipe", "status", "started"), last="error")
    for r in runs:
        add_row(out, r.short_id, r.recipe_name, r.status, when(r.started_at), r.error or "")
    console.print(out)
