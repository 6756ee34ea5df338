"""The durable plan of an event: the runs it needs, each a list of steps the workflows execute.

A plan is data that a workflow records once and replays from the record after a crash, so it
must be a pure function of the event and of what is enabled when it is made. The executor's
``Planner`` makes it from its sources (each bridge's enabled recipes, its reconcile schedule)
and from the routes plugin modules add (``add_route``, ``add_step``), and names the function
each step calls. Plugins may also add actions to the engine's catalog, for recipes to use.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from ghltt.core import Event, InvalidInput
from ghltt.engine.context import HeldWrite
from ghltt.engine.dispatch import matches

StepFn = Callable[[dict[str, Any]], Awaitable[Any]]

# Where a step's run may hold its record writes (``Repositories.held``), set by the workflow
# around a step it records in the same transaction as those writes (None: none held).
held_writes: ContextVar[list[HeldWrite] | None] = ContextVar("held_writes", default=None)


class Held(Exception):
    """A run that waits for a person: a connection it needs was refused (401, 403) or revoked.
    Trying again cannot help, so it is not retried: its event is held, and dispatched again
    once the connection works (``ghltt connections rotate`` / ``check``, or a reconnect)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One durable step of a run: the name of the function it calls (``Planner.step``) and
    its recorded input."""

    name: str
    input: dict[str, Any] = field(default_factory=dict)
    # Steps that are not idempotent by nature must not be retried blindly.
    retry: bool = True


@dataclass(frozen=True, slots=True)
class Run:
    recipe: str
    steps: list[Step]

    @property
    def fast(self) -> bool:
        """A run a batch may carry: one step, safe to try again in the event's own workflow."""
        return len(self.steps) == 1 and self.steps[0].retry

    @classmethod
    def of(cls, recorded: Mapping[str, Any]) -> Run:
        """A run as a workflow recorded it."""
        return cls(recorded["recipe"], [_step(s) for s in recorded["steps"]])


def _step(recorded: Mapping[str, Any]) -> Step:
    # Workflows recorded before steps had a ``name`` call it ``action``; DBOS may recover one
    # after an upgrade. Drop this once no such workflow can be pending.
    if "action" in recorded:
        recorded = {("name" if k == "action" else k): v for k, v in recorded.items()}
    return Step(**recorded)


@dataclass(frozen=True, slots=True)
class Route:
    """Runs a plugin adds: an event of one of ``kinds`` (``matches`` patterns) gets one run of
    the steps ``plan`` gives (none: no run)."""

    name: str
    kinds: tuple[str, ...]
    plan: Callable[[Event], list[Step] | None]


_routes: dict[str, Route] = {}
_steps: dict[str, StepFn] = {}


def add_route(route: Route) -> None:
    _routes[route.name] = route


def add_step(name: str, fn: StepFn) -> None:
    _steps[name] = fn


def load_plugins(modules: Iterable[str]) -> None:
    """Import the plugin modules (the ``plugins`` setting): they may add routes, steps and
    catalog actions."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise InvalidInput(f"cannot import plugin module {name!r}: {exc}") from None


PlanSource = Callable[[Event], list[Run]]
# Why an event that needs no run now would need one once a connection is fixed (None: it never
# will): it is held rather than dropped as matching nothing.
HoldCheck = Callable[[Event], str | None]


class Planner:
    """Which runs an event needs (by run name), and the function each step names."""

    def __init__(
        self,
        sources: Sequence[PlanSource],
        steps: Mapping[str, StepFn],
        *,
        holds: Sequence[HoldCheck] = (),
        refresh: Callable[[], None] | None = None,
    ) -> None:
        self._sources = sources
        self._steps = dict(steps)
        self._holds = holds
        self._refresh = refresh

    def held(self, event: Event) -> str | None:
        """Why an event that matched no run waits for a fix, if it does."""
        return next((reason for check in self._holds if (reason := check(event))), None)

    def refresh(self) -> None:
        """Read again what the plans are made of (a released event must not meet yesterday's
        list of enabled recipes)."""
        if self._refresh is not None:
            self._refresh()

    def plan(self, event: Event) -> list[Run]:
        runs = [run for source in self._sources for run in source(event)]
        for route in _routes.values():
            if matches(route.kinds, event):
                steps = route.plan(event)
                if steps is not None:
                    runs.append(Run(route.name, steps))
        return sorted(runs, key=lambda r: r.recipe)

    def step(self, name: str) -> StepFn:
        found = self._steps.get(name) or _steps.get(name)
        if found is None:
            raise InvalidInput(f"unknown step {name!r}")
        return found
