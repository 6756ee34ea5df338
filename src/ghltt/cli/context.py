"""Shared pieces of CLI commands: settings that fail in one line, the store, rich output."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

from ghltt.core import GhlttError
from ghltt.observability import configure_logging
from ghltt.permissions import tighten
from ghltt.settings import Settings, load_settings
from ghltt.store import SchemaNotCurrent, open_database, prepare
from ghltt.store.database import Database
from ghltt.store.tokens import token_file

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings(**overrides: object) -> Settings:
    try:
        loaded = load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except GhlttError as exc:
        fail(str(exc))
    configure_logging(loaded.log_level, loaded.log_format, sys.stderr)
    # An older data directory (or one copied in) may be readable by others: not any more.
    tighten([*loaded.private_paths, token_file(loaded.data_dir)])
    return loaded


def store(loaded: Settings) -> Database:
    """The store, ready for use: a fresh one is set up here, an older one is refused in one line."""
    db = open_database(loaded.store_url)
    try:
        prepare(db, upgrade_existing=loaded.auto_migrate)
    except SchemaNotCurrent as exc:
        fail(str(exc))
    return db
