"""The shape of a recipe file, as pydantic models (structure only).

Mappings and conditions stay raw here: the loader compiles them from the YAML nodes, which keep
their positions, so their errors can name the line they are on.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ghltt.engine.mapping import timefmt
from ghltt.engine.objects import OBJECTS, names
from ghltt.engine.recipes.cron import check_cron
from ghltt.engine.recipes.migrations import CURRENT_VERSION

_EVENT = re.compile(r"^(ghl|tt|schedule|manual)\.[a-z0-9_*]+(\.[a-z0-9_*]+)*$")
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
STEP_ID_PATTERN = r"^[a-z_][a-z0-9_]{0,63}$"

Direction = Literal["ghl_to_tt", "tt_to_ghl"]
DeleteAction = Literal["propagate", "archive", "ignore"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Schedule(_Model):
    cron: str
    timezone: str = "UTC"
    per_link: str | None = Field(
        default=None, description="fan out one run per record link of this sync recipe"
    )
    per_record: str | None = Field(
        default=None, description="fan out one run per active record of this type (tt.project)"
    )

    @model_validator(mode="after")
    def _one_fan_out(self) -> Schedule:
        if self.per_link and self.per_record:
            raise ValueError("give per_link or per_record, not both")
        if self.per_record and self.per_record not in OBJECTS:
            known = ", ".join(sorted(OBJECTS))
            raise ValueError(f"per_record {self.per_record!r} is not one of {known}")
        return self

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        timefmt.zone(value)
        return value


class Trigger(_Model):
    events: list[str] = Field(default_factory=list)
    schedule: Schedule | None = None

    @field_validator("events")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        for kind in value:
            if not _EVENT.match(kind):
                raise ValueError(
                    f"{kind!r} is not an event kind like 'tt.user.created' or 'ghl.contact.*'"
                )
        return value

    @model_validator(mode="after")
    def _something(self) -> Trigger:
        if not self.events and self.schedule is None:
            raise ValueError("a trigger needs events, a schedule, or both")
        return self


class StepLink(_Model):
    """``link:`` on a step that creates a record: that record is the counterpart, under the
    sync recipe ``recipe``, of the record on the other side named by ``ghl_id`` or ``tt_id``
    (a rule, like a step input's)."""

    recipe: str = Field(pattern=NAME_PATTERN)
    ghl_id: Any = None
    tt_id: Any = None

    @model_validator(mode="after")
    def _one_side(self) -> StepLink:
        if (self.ghl_id is None) == (self.tt_id is None):
            raise ValueError("give the other side's record: ghl_id or tt_id, one of them")
        return self

    @property
    def other(self) -> Literal["ghl", "tt"]:
        """The side of the record the created one is paired with."""
        return "ghl" if self.ghl_id is not None else "tt"


class Step(_Model):
    id: str = Field(pattern=STEP_ID_PATTERN)
    action: str = Field(min_length=3)
    input: dict[str, Any] = Field(default_factory=dict)
    when: Any = None
    for_each: str | None = None
    once: str | None = None
    link: StepLink | None = None
    description: str = ""


ParamType = Literal["string", "integer", "number", "boolean", "list", "mapping"]
ItemType = Literal["string", "integer", "number", "boolean"]
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "list": (list,),
    "mapping": (dict,),
}


def type_of(value: Any) -> ParamType | None:
    """The parameter type a value has (None: null, or nothing a parameter takes)."""
    if isinstance(value, bool):
        return "boolean"
    for name in ("integer", "number", "string", "list", "mapping"):
        if isinstance(value, _PYTHON_TYPES[name]):
            return name  # type: ignore[return-value]
    return None


def has_type(value: Any, wanted: str) -> bool:
    """Does ``value`` have the parameter type ``wanted`` (a whole number is a number too)?"""
    found = type_of(value)
    return found == wanted or (wanted == "number" and found == "integer")


class ParamSpec(_Model):
    """A parameter declared in full, for forms and checks: its default, the type of value it
    takes, what it is for, and its allowed values (``enum``) or bounds."""

    default: Any = None
    type: ParamType | None = None
    description: str = ""
    enum: list[Any] | None = Field(default=None, min_length=1)
    minimum: float | None = None
    maximum: float | None = None
    items: ItemType | None = Field(default=None, description="the type of a list's items")

    @model_validator(mode="after")
    def _consistent(self) -> ParamSpec:
        kind = self.type or type_of(self.default)
        if self.default is not None and kind is not None and not has_type(self.default, kind):
            raise ValueError(f"default {self.default!r} is not of type {kind}")
        if (self.minimum is not None or self.maximum is not None) and kind not in (
            "integer",
            "number",
        ):
            raise ValueError("minimum and maximum go with an integer or a number")
        if self.items is not None and kind != "list":
            raise ValueError("items goes with a list")
        if self.enum is not None and self.default is not None and self.default not in self.enum:
            raise ValueError(f"default {self.default!r} is not one of enum")
        if isinstance(self.default, int | float) and not isinstance(self.default, bool):
            if self.minimum is not None and self.default < self.minimum:
                raise ValueError(f"default {self.default} is below minimum {self.minimum:g}")
            if self.maximum is not None and self.default > self.maximum:
                raise ValueError(f"default {self.default} is above maximum {self.maximum:g}")
        if self.items is not None and isinstance(self.default, list):
            for item in self.default:
                if not has_type(item, self.items):
                    raise ValueError(f"default item {item!r} is not of type {self.items}")
        return self

    @property
    def kind(self) -> ParamType | None:
        return self.type or type_of(self.default)


_SPEC_KEYS = frozenset(ParamSpec.model_fields)


def is_declared(value: Any) -> bool:
    """A parameter in its long form: a mapping with ``default`` and at least one more of
    ParamSpec's keys, and nothing else (a mapping default of other keys stays a default)."""
    return (
        isinstance(value, dict)
        and "default" in value
        and len(value) > 1
        and all(isinstance(k, str) and k in _SPEC_KEYS for k in value)
    )


class _Recipe(_Model):
    version: int = Field(ge=1, le=CURRENT_VERSION)
    name: str = Field(pattern=NAME_PATTERN)
    description: str = Field(min_length=1)
    # Each parameter is its default (``due_days: 2``), or declared in full (a ParamSpec:
    # ``due_days: {default: 2, type: integer, minimum: 0, description: ...}``).
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _declared_params(cls, params: dict[str, Any]) -> dict[str, Any]:
        checked: dict[str, Any] = {}
        for name, value in params.items():
            if is_declared(value):
                try:
                    value = ParamSpec.model_validate(value)
                except ValueError as exc:
                    errors = getattr(exc, "errors", None)
                    detail = errors()[0]["msg"] if callable(errors) else str(exc)
                    raise ValueError(f"parameter {name!r}: {detail}") from None
            checked[name] = value
        return checked

    def param_defaults(self) -> dict[str, Any]:
        """Each parameter's default, what runs use unless a bridge sets another value."""
        return {
            name: value.default if isinstance(value, ParamSpec) else value
            for name, value in self.params.items()
        }

    def param_specs(self) -> dict[str, ParamSpec]:
        """Every parameter as a ParamSpec (a short one: its default alone)."""
        return {
            name: value if isinstance(value, ParamSpec) else ParamSpec(default=value)
            for name, value in self.params.items()
        }


class Automation(_Recipe):
    kind: Literal["automation"]
    trigger: Trigger
    conditions: Any = None
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Automation:
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} is used twice")
            seen.add(step.id)
        return self


class MatchKey(_Model):
    ghl: str = Field(min_length=1)
    tt: str = Field(min_length=1)


class ImportKey(_Model):
    """A match key of imports: the target field (or fields, compared together) the mapping
    writes on each side. Importing into TT, the TT side's mapped value is looked for among the
    TT records; into GHL, the GHL side's. A recipe that writes one side only names that side.
    """

    ghl: str | list[str] | None = Field(default=None, min_length=1)
    tt: str | list[str] | None = Field(default=None, min_length=1)

    def fields(self, system: str) -> tuple[str, ...]:
        """The fields compared on ``system``'s side; none: the key does not match there."""
        names = self.ghl if system == "ghl" else self.tt
        if names is None:
            return ()
        return (names,) if isinstance(names, str) else tuple(names)


class ImportOptions(_Model):
    # Tried in order, each alone, for a record not linked yet; a value held by two records
    # of the other side is ambiguous (reported, never guessed). None: the recipe's match keys.
    match: list[ImportKey] | None = None


class Parent(_Model):
    recipe: str = Field(pattern=NAME_PATTERN)
    ghl_field: str = Field(min_length=1)
    tt_field: str = Field(min_length=1)


class Filters(_Model):
    ghl: Any = None
    tt: Any = None


class Recheck(_Model):
    cron: str
    lookback_days: int = Field(default=7, ge=1, le=90)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)


class DeletePolicy(_Model):
    ghl_to_tt: DeleteAction = "archive"
    tt_to_ghl: DeleteAction = "archive"


class Sync(_Recipe):
    kind: Literal["sync"]
    ghl: str
    tt: str
    direction: Literal["both", "ghl_to_tt", "tt_to_ghl"] = "both"
    match: list[MatchKey] = Field(default_factory=list)
    conflict: Literal["newest_wins", "ghl_wins", "tt_wins"] = "newest_wins"
    delete: DeleteAction | DeletePolicy = "archive"
    parent: Parent | None = None
    filter: Filters = Filters()
    recheck: Recheck | None = None
    imports: ImportOptions = Field(default_factory=ImportOptions, alias="import")
    ghl_to_tt: dict[str, Any] | None = None
    tt_to_ghl: dict[str, Any] | None = None

    @field_validator("ghl")
    @classmethod
    def _ghl(cls, value: str) -> str:
        if value not in names("ghl"):
            raise ValueError(f"GHL object {value!r} is not one of {', '.join(names('ghl'))}")
        return value

    @field_validator("tt")
    @classmethod
    def _tt(cls, value: str) -> str:
        if value not in names("tt"):
            raise ValueError(f"TT object {value!r} is not one of {', '.join(names('tt'))}")
        return value

    @property
    def directions(self) -> tuple[Direction, ...]:
        if self.direction == "both":
            return ("ghl_to_tt", "tt_to_ghl")
        return (self.direction,)

    def import_keys(self) -> list[ImportKey]:
        """The keys an import matches unlinked records on, in order."""
        if self.imports.match is not None:
            return self.imports.match
        return [ImportKey(ghl=k.ghl, tt=k.tt) for k in self.match]

    def delete_action(self, direction: Direction) -> DeleteAction:
        if isinstance(self.delete, DeletePolicy):
            return self.delete.ghl_to_tt if direction == "ghl_to_tt" else self.delete.tt_to_ghl
        return self.delete
