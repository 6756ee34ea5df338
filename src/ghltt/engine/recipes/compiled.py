"""Recipes after loading: models plus their compiled mappings and conditions."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ghltt.engine.mapping import CompiledMapping, MappingContext
from ghltt.engine.objects import ObjectType
from ghltt.engine.recipes.catalog import ActionSpec
from ghltt.engine.recipes.conditions import Condition
from ghltt.engine.recipes.models import Automation, DeleteAction, Direction, Sync

System = Literal["ghl", "tt"]


@dataclass(frozen=True)
class CompiledLink:
    """A step's ``link:``: the record the step creates stands, under the sync ``recipe``, for
    the record of ``other`` (``ghl`` or ``tt``) whose id ``id`` maps (its one rule)."""

    recipe: str
    other: System
    id: CompiledMapping


@dataclass(frozen=True)
class CompiledStep:
    id: str
    action: str
    input: CompiledMapping
    when: Condition
    for_each: str | None
    once: str | None
    spec: ActionSpec | None
    where: str  # file:line:col: steps[i] — for errors found while running
    link: CompiledLink | None = None


@dataclass(frozen=True)
class AutomationRecipe:
    model: Automation
    file: str
    conditions: Condition
    steps: tuple[CompiledStep, ...]

    kind = "automation"

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def description(self) -> str:
        return self.model.description

    @property
    def params(self) -> dict[str, Any]:
        return self.model.param_defaults()

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.action for step in self.steps))

    def matches(self, source: str, kind: str) -> bool:
        """Does an event (``source`` ``ghl``/``tt``, ``kind`` ``contact.updated``) trigger this?"""
        full = f"{source}.{kind}"
        return any(fnmatch.fnmatchcase(full, pattern) for pattern in self.model.trigger.events)

    def conditions_hold(self, scope: Mapping[str, Any], context: MappingContext) -> bool:
        return self.conditions.holds(scope, context)


@dataclass(frozen=True)
class SyncRecipe:
    model: Sync
    file: str
    ghl_object: ObjectType
    tt_object: ObjectType
    ghl_to_tt: CompiledMapping | None
    tt_to_ghl: CompiledMapping | None
    ghl_filter: Condition
    tt_filter: Condition

    kind = "sync"

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def description(self) -> str:
        return self.model.description

    @property
    def params(self) -> dict[str, Any]:
        return self.model.param_defaults()

    def objects(self, system: System) -> ObjectType:
        return self.ghl_object if system == "ghl" else self.tt_object

    def mapping_from(self, system: System) -> CompiledMapping | None:
        """The mapping that reads a record of ``system`` (None: that way is not synced)."""
        return self.ghl_to_tt if system == "ghl" else self.tt_to_ghl

    def accepts(self, system: System, record: Mapping[str, Any], context: MappingContext) -> bool:
        """Does the record pass this side's filter (records that do not are left alone)?"""
        condition = self.ghl_filter if system == "ghl" else self.tt_filter
        return condition.holds(record, context)

    def delete_action(self, direction: Direction) -> DeleteAction:
        return self.model.delete_action(direction)

    def event_kinds(self) -> tuple[str, ...]:
        """Event patterns that concern this sync, for dispatch (``ghl.contact.*``, ...)."""
        found = []
        if "ghl_to_tt" in self.model.directions:
            found.append(f"ghl.{self.model.ghl}.*")
        if "tt_to_ghl" in self.model.directions:
            found.append(f"tt.{self.model.tt}.*")
        return tuple(found)

    def matches(self, source: str, kind: str) -> bool:
        full = f"{source}.{kind}"
        return any(fnmatch.fnmatchcase(full, pattern) for pattern in self.event_kinds())

    def match_candidates(self, system: System, record: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """For a record of ``system``: (field on the other side, value) pairs to search for an
        existing record before creating one, in the order the recipe lists them. Text is
        compared trimmed and case-folded (emails)."""
        found: list[tuple[str, Any]] = []
        for key in self.model.match:
            mine, theirs = (key.ghl, key.tt) if system == "ghl" else (key.tt, key.ghl)
            value = record.get(mine)
            if isinstance(value, str):
                value = value.strip().casefold()
            if value not in (None, ""):
                found.append((theirs, value))
        return found

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action this sync may run, for scope checks."""
        found: list[str] = []
        for direction in self.model.directions:
            source, target = (
                (self.ghl_object, self.tt_object)
                if direction == "ghl_to_tt"
                else (self.tt_object, self.ghl_object)
            )
            found += [source.get, target.get, target.create, target.update]
            policy = self.delete_action(direction)
            if policy == "propagate" and target.delete:
                found.append(target.delete)
            if policy == "archive" and target.archive:
                found.append(target.archive)
            mapping = self.mapping_from(source.system)  # type: ignore[arg-type]
            writes_state = mapping is not None and bool(set(mapping.targets) & target.state)
            if writes_state and target.archive and target.unarchive:
                found += [target.archive, target.unarchive]
        return tuple(dict.fromkeys(found))


Recipe = AutomationRecipe | SyncRecipe
