"""GHL's official spec files kept with the tests (tests/fixtures/ghl-official), as the tests
read them: each operation's ``Version`` header values as its own file declares them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ghltt.connectors.ghl import Operation

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "ghl-official"
FILES = (
    "contacts", "businesses", "custom-fields", "users", "calendars", "oauth", "opportunities",
    "locations", "conversations", "forms", "surveys", "workflows", "campaigns", "associations",
    "objects", "products",
)  # fmt: skip


def spec_file(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SPECS / f"{name}.json").read_text())
    return data


def versions() -> dict[tuple[str, str], list[str]]:
    """Each operation's ``Version`` header values, as its own spec declares them."""
    found: dict[tuple[str, str], list[str]] = {}
    for name in FILES:
        for path, methods in spec_file(name)["paths"].items():
            for method, op in methods.items():
                for param in op.get("parameters", []) if isinstance(op, dict) else []:
                    if param.get("name") == "Version" and param.get("in") == "header":
                        found[(method.upper(), path)] = param.get("schema", {}).get("enum", [])
    return found


def spec_key(op: Operation, spec: Mapping[tuple[str, str], Any]) -> tuple[str, str]:
    """Where an operation is in the specs (contacts' notes say ``{id}`` where we say noteId)."""
    exact = (op.method, op.path)
    return exact if exact in spec else (op.method, op.path.replace("{noteId}", "{id}"))
