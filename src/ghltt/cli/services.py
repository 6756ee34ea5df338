"""What the commands that reach remote services share: the services, one way to run them, errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import anyio
import typer

from ghltt.bridges import Services, build_services
from ghltt.cli.context import fail, settings, store
from ghltt.connectors.http import ConnectorError
from ghltt.core import GhlttError
from ghltt.vault import classify

T = TypeVar("T")

JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")


@contextmanager
def vault_errors() -> Iterator[None]:
    try:
        yield
    except ConnectorError as exc:
        failure = classify(exc, connection_id="?", system="remote")
        fail(f"{failure.message} ({failure.kind.value})")
    except GhlttError as exc:
        fail(str(exc))


def open_services() -> Services:
    loaded = settings()
    return build_services(loaded, store(loaded))


def run_remote(fn: Callable[[], Awaitable[T]]) -> T:
    with vault_errors():
        return anyio.run(fn)
