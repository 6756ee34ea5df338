"""The catalog as users read it: one ``CatalogEntry`` per action and trigger, filtered and
searched (``ghltt catalog``, ``GET /api/catalog``), the JSON Schema of recipe files with every
action's input (``ghltt recipes schema``), and docs/catalog.md (``ghltt catalog docs``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ghltt.engine.catalog.actions import ACTIONS
from ghltt.engine.catalog.spec import ActionDef, TriggerDef
from ghltt.engine.catalog.triggers import TRIGGERS
from ghltt.engine.recipes import Automation, Sync
from ghltt.engine.recipes.catalog import BUILTIN_ACTIONS

__all__ = [
    "CatalogEntry",
    "Kind",
    "catalog_markdown",
    "entries",
    "find_entry",
    "recipe_schema",
]

Kind = Literal["action", "trigger"]


class CatalogEntry(BaseModel):
    """One action or trigger. Actions have input/output schemas and idempotence; triggers a
    payload schema and how ghltt detects them (webhook, poll, schedule)."""

    model_config = ConfigDict(frozen=True)

    name: str
    system: str = Field(description="ghl, tt, or ghltt (ghltt's own steps and schedules)")
    kind: Kind
    description: str
    api_version: str | None = None
    scopes: list[str] = Field(default_factory=list)
    writes: bool | None = None
    idempotence: Literal["safe", "idempotent", "unsafe"] | None = None
    idempotent_how: str | None = None
    detection: list[Literal["webhook", "poll", "schedule"]] = Field(default_factory=list)
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    payload_schema: dict[str, Any] | None = None
    example: dict[str, Any] | None = None

    @property
    def idempotent(self) -> bool | None:
        return None if self.idempotence is None else self.idempotence != "unsafe"


def _action(a: ActionDef) -> CatalogEntry:
    return CatalogEntry(
        name=a.name,
        system=a.system,
        kind="action",
        description=a.description,
        api_version=a.api_version,
        scopes=list(a.scopes),
        writes=a.writes,
        idempotence=a.idempotence,
        idempotent_how=a.idempotent_how,
        input_schema=_plain(a.input_schema),
        output_schema=_plain(a.output_schema),
        example=_plain(a.example),
    )


def _trigger(t: TriggerDef) -> CatalogEntry:
    return CatalogEntry(
        name=t.name,
        system=t.system,
        kind="trigger",
        description=t.description,
        api_version=t.api_version,
        detection=list(t.detection),
        payload_schema=_plain(t.payload_schema),
        example=_plain(t.example),
    )


def _plain(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else dict(value)


def _all() -> list[CatalogEntry]:
    found = [_action(a) for a in ACTIONS.values()] + [_trigger(t) for t in TRIGGERS.values()]
    return sorted(found, key=lambda e: (e.kind, e.name))


def _matches(entry: CatalogEntry, word: str) -> bool:
    word = word.lower()
    return word in entry.name.lower() or word in entry.description.lower()


def entries(
    *, system: str | None = None, kind: Kind | None = None, search: str | None = None
) -> list[CatalogEntry]:
    """The catalog, by kind then name; ``search`` looks in names and descriptions."""
    return [
        e
        for e in _all()
        if (system is None or e.system == system)
        and (kind is None or e.kind == kind)
        and (not search or _matches(e, search))
    ]


def find_entry(name: str) -> CatalogEntry | None:
    return next((e for e in _all() if e.name == name), None)


# ---- recipe files' schema ------------------------------------------------------------------


def _step_input(action: ActionDef) -> dict[str, Any]:
    """A step's ``input``: the action's inputs by name, each a mapping rule (a path such as
    ``event.id``, ``{value: ...}``, a template...), so only names and required ones are
    checked; the declared type goes in the description for the editor to show."""
    schema = action.input_schema or {}
    properties = {
        name: {"description": f"{_type_of(spec)} input of {action.name}"}
        for name, spec in dict(schema.get("properties", {})).items()
    }
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if schema.get("required"):
        out["required"] = list(schema["required"])
    if action.inputs is not None and not action.custom_fields:
        out["additionalProperties"] = bool(schema.get("additionalProperties", False))
    return out


def _type_of(spec: Mapping[str, Any]) -> str:
    if "type" in spec:
        return str(spec["type"])
    kinds = [str(s.get("type")) for s in spec.get("anyOf", []) if s.get("type") != "null"]
    return " or ".join(kinds) or "any"


def recipe_schema() -> dict[str, Any]:
    """JSON Schema of a recipe file: the two kinds, steps' ``action`` one of the catalog's,
    and each action's inputs under ``input``; trigger kinds are suggested.

    Draft-07, with ``definitions``: the draft the YAML language server (VS Code's YAML
    extension) validates with; it does not take a 2020-12 ``$schema``."""
    automation = Automation.model_json_schema()
    sync = Sync.model_json_schema()
    defs: dict[str, Any] = {**automation.pop("$defs", {}), **sync.pop("$defs", {})}
    step = defs["Step"]
    names = sorted({*ACTIONS, *BUILTIN_ACTIONS})
    step["properties"]["action"] = {
        "type": "string",
        "enum": names,
        "description": "an action of the catalog (ghltt catalog list --kind action)",
    }
    step["allOf"] = [
        {
            "if": {"properties": {"action": {"const": name}}, "required": ["action"]},
            "then": {"properties": {"input": _step_input(action)}},
        }
        for name, action in sorted(ACTIONS.items())
    ]
    trigger = defs["Trigger"]
    trigger["properties"]["events"]["items"] = {
        "type": "string",
        "examples": sorted(t for t in TRIGGERS if not t.startswith("schedule.")),
        "description": "an event kind such as tt.task.created, or a pattern like ghl.contact.*",
    }
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "ghltt recipe",
        "description": "A ghltt recipe file (docs/recipes.md); generated from the catalog.",
        "oneOf": [automation, sync],
        "definitions": defs,
    }
    # pydantic points at 2020-12's ``$defs``; the same definitions, under draft-07's name.
    as_draft_07: dict[str, Any] = json.loads(
        json.dumps(schema).replace('"#/$defs/', '"#/definitions/')
    )
    return as_draft_07


# ---- docs/catalog.md -----------------------------------------------------------------------

_HEADER = """\
# The catalog

Generated from the catalog by `ghltt catalog docs`; do not edit by hand (a test fails when
this page is stale). `ghltt catalog show NAME` prints an entry's input and output schema
and example; `GET /api/catalog` serves the same entries.

"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _action_rows(found: Iterable[CatalogEntry]) -> list[str]:
    rows = [
        "| action | what it does | idempotence | scopes | version |",
        "|---|---|---|---|---|",
    ]
    for e in found:
        scopes = ", ".join(e.scopes) or "-"
        rows.append(
            f"| `{e.name}` | {_cell(e.description) or '-'} | {e.idempotence} | {scopes} "
            f"| {e.api_version or '-'} |"
        )
    return rows


def _trigger_rows(found: Iterable[CatalogEntry]) -> list[str]:
    rows = ["| trigger | when | detected by |", "|---|---|---|"]
    rows += [f"| `{e.name}` | {_cell(e.description)} | {', '.join(e.detection)} |" for e in found]
    return rows


def catalog_markdown() -> str:
    everything = entries()
    lines = [_HEADER.rstrip("\n"), ""]
    systems = {"ghl": "GoHighLevel", "tt": "TrackingTime", "ghltt": "ghltt"}
    counts = []
    for system, title in systems.items():
        actions = [e for e in everything if e.system == system and e.kind == "action"]
        triggers = [e for e in everything if e.system == system and e.kind == "trigger"]
        counts.append(f"| {title} | {len(actions)} | {len(triggers)} |")
    lines += ["| system | actions | triggers |", "|---|---|---|", *counts, ""]
    for system, title in systems.items():
        actions = [e for e in everything if e.system == system and e.kind == "action"]
        triggers = [e for e in everything if e.system == system and e.kind == "trigger"]
        if actions:
            lines += [f"## {title} actions", "", *_action_rows(actions), ""]
        if triggers:
            lines += [f"## {title} triggers", "", *_trigger_rows(triggers), ""]
    lines += ["## Examples", ""]
    for e in everything:
        if e.example is not None:
            lines.append(f"- `{e.name}`: `{json.dumps(e.example, sort_keys=True)}`")
    return "\n".join(lines).rstrip("\n") + "\n"
