"""A command group that imports a subcommand's module only when that subcommand runs.

The commands' modules between them import the web app, DBOS, SQLAlchemy and the catalog: seconds
that ``ghltt version`` has no use for. Each entry says where its command lives and the summary
``ghltt --help`` lists for it, so listing the commands imports none of them either; a test checks
every summary against the help of the command it stands for.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer import _click  # the Click that Typer vendors: the classes its groups are made of
from typer._click.shell_completion import CompletionItem
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Lazy:
    """Where a subcommand lives, and what ``ghltt --help`` says of it before it is imported."""

    # "ghltt.cli.module:attribute": a typer.Typer (a group) or a command function. A module of
    # the cli room only: import-linter does not see an import named in a string.
    target: str
    summary: str  # the first paragraph of the command's own help


class _Summary(TyperCommand):
    """A subcommand not imported yet: enough to list it, nothing to run."""

    def __init__(self, name: str, entry: Lazy) -> None:
        super().__init__(name, help=entry.summary)
        self.entry = entry


class LazyGroup(TyperGroup):
    """A Typer group whose subcommands, named in ``lazy`` in the order they are listed, load on use.

    A subclass sets ``lazy``; Typer builds the group from ``typer.Typer(cls=...)``.
    """

    lazy: ClassVar[Mapping[str, Lazy]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        # Summaries first, in the table's order; commands registered on the Typer app follow.
        self.commands = {
            **{name: _Summary(name, entry) for name, entry in self.lazy.items()},
            **self.commands,
        }
        self._listing = False

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = self.commands.get(cmd_name)
        if isinstance(command, _Summary) and not self._listing:
            command = self.commands[cmd_name] = self._load(cmd_name, command.entry)
        return command

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        with self._summaries():
            super().format_help(ctx, formatter)

    def shell_complete(self, ctx: _click.Context, incomplete: str) -> list[CompletionItem]:
        with self._summaries():
            return super().shell_complete(ctx, incomplete)

    @contextmanager
    def _summaries(self) -> Iterator[None]:
        """Listing the subcommands (help, completion) reads their summaries, importing nothing."""
        self._listing = True
        try:
            yield
        finally:
            self._listing = False

    def _load(self, name: str, entry: Lazy) -> _click.Command:
        module, _, attribute = entry.target.partition(":")
        found = getattr(importlib.import_module(module), attribute)
        # Registered on a Typer app of this group's settings, exactly as `app.add_typer(found,
        # name=...)` or `app.command(name)(found)` would, so the command is the one Typer builds.
        holder = typer.Typer(
            rich_markup_mode=self.rich_markup_mode, suggest_commands=self.suggest_commands
        )
        if isinstance(found, typer.Typer):
            holder.add_typer(found, name=name)
        else:
            holder.command(name)(found)
        return typer.main.get_group(holder).commands[name]
