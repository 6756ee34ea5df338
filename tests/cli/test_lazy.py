"""A light command line: ``ghltt --help`` and ``ghltt version`` load none of the service, yet
``ghltt --help`` lists every command with what that command says of itself."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys

import typer

from ghltt.cli.main import app

# What only a command that runs the service, reads the store or runs the catalog needs.
HEAVY = ["ghltt.web", "dbos", "sqlalchemy", "ghltt.store", "ghltt.jobs", "ghltt.engine"]

# Runs the CLI in a fresh interpreter and reports which of HEAVY it imported.
PROBE = f"""
import json, sys
from ghltt.cli.main import app
try:
    app(sys.argv[1:], prog_name="ghltt")
except SystemExit as exit:
    code = exit.code
print(json.dumps({{"code": code, "loaded": [m for m in {HEAVY!r} if m in sys.modules]}}),
      file=sys.stderr)
"""


def probe(*args: str) -> tuple[str, str, dict[str, object]]:
    """The output, the errors and what the command imported (the last line of its errors)."""
    env = {**os.environ, "COLUMNS": "500", "TERMINAL_WIDTH": "500"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, timeout=120
    )
    *errors, seen = done.stderr.strip().splitlines()
    return done.stdout, "\n".join(errors), json.loads(seen)


def test_version_and_help_load_none_of_the_service() -> None:
    out, _, seen = probe("version")
    assert seen == {"code": 0, "loaded": []}
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*\n", out)
    out, _, seen = probe("--help")
    assert seen == {"code": 0, "loaded": []}
    assert "Usage: ghltt" in out


def test_help_lists_every_command_with_the_help_it_gives_itself() -> None:
    out, _, _ = probe("--help")
    group = typer.main.get_command(app)
    context = typer.Context(group)
    names = group.list_commands(context)
    assert {"serve", "version", "runs", "catalog", "import", "simulate"} <= set(names)
    for name in names:
        command = group.get_command(context, name)  # imports the command itself
        assert command is not None and command.short_help is None
        first_paragraph = inspect.cleandoc(command.help or "").split("\n\n")[0]
        assert re.search(rf"│ {re.escape(name)} +{re.escape(first_paragraph)} +│", out), name


def test_a_mistyped_command_is_answered_with_the_command_it_may_mean() -> None:
    _, errors, seen = probe("rnus")
    assert seen == {"code": 2, "loaded": []}
    assert "No such command 'rnus'. Did you mean 'runs'?" in errors
