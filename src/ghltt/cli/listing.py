"""What the commands that list and show runs and events share: filters given by name or
prefix, errors in one line, and tables that never cut an id off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import typer
from rich.table import Column, Table
from rich.text import Text

from ghltt.cli.context import fail
from ghltt.core import GhlttError, utcnow
from ghltt.core.since import parse_since
from ghltt.store.bridges import bridge_id_of
from ghltt.store.database import Database

SinceOpt = typer.Option(
    None, "--since", help="Only since then: a span back from now (30m, 2h, 7d) or an ISO date."
)
BridgeOpt = typer.Option(None, "--bridge", help="Only this bridge (its name).")


@contextmanager
def refused() -> Iterator[None]:
    """A refusal from the rooms below (unknown id, ambiguous prefix, bad filter) in one line."""
    try:
        yield
    except GhlttError as exc:
        fail(str(exc))


def since(text: str | None) -> datetime | None:
    if text is None:
        return None
    with refused():
        return parse_since(text, utcnow(), where="--since")


def bridge_id(db: Database, ref: str | None) -> str | None:
    if ref is None:
        return None
    with refused():
        return bridge_id_of(db, ref)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def table(*ids: tuple[str, int], text: tuple[str, ...] = (), last: str | None = None) -> Table:
    """A table whose id columns (name, width) are never wrapped or cut off: the free text
    columns give way first, and ``last`` folds onto more lines instead of being cut."""
    columns = [Column(name, no_wrap=True, min_width=width) for name, width in ids]
    columns += [Column(name) for name in text]
    if last is not None:
        columns.append(Column(last, overflow="fold", ratio=1))
    return Table(*columns)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, default=str, indent=2))


def add_row(out: Table, *values: str) -> None:
    """A row of plain text: an error's ``[401]`` is not taken for markup and swallowed."""
    out.add_row(*(Text(v) for v in values))
