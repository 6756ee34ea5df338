"""What runs when an event arrives: handlers plan runs, actions carry out their steps.

Recipes (YAML) will register handlers and actions here; so can plugin modules named in the
``plugins`` setting. A handler's plan must be a pure function of the event, because a durable
run records it once and replays from the record after a crash.
"""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ghltt.core import Event, InvalidInput

JSON = Any
Action = Callable[[dict[str, JSON]], Awaitable[JSON]]
PlanFn = Callable[[Event], list["StepPlan"] | None]


@dataclass(frozen=True, slots=True)
class StepPlan:
    action: str
    input: dict[str, JSON] = field(default_factory=dict)
    # Steps that are not idempotent by nature must not be retried blindly.
    retry: bool = True


@dataclass(frozen=True, slots=True)
class RunPlan:
    recipe: str
    steps: list[StepPlan]


@dataclass(frozen=True, slots=True)
class Handler:
    name: str
    kinds: tuple[str, ...]
    plan: PlanFn
    bridges: tuple[str, ...] = ("*",)

    def matches(self, event: Event) -> bool:
        """A pattern names a kind (``contact.*``) or a source-qualified one (``ghl.contact.*``)."""
        qualified = f"{event.source.value}.{event.kind}"
        return any(
            fnmatch.fnmatchcase(event.kind, k) or fnmatch.fnmatchcase(qualified, k)
            for k in self.kinds
        ) and any(fnmatch.fnmatchcase(event.bridge, b) for b in self.bridges)


class Registry:
    def __init__(self) -> None:
        self._actions: dict[str, Action] = {}
        self._handlers: dict[str, Handler] = {}

    def action(self, name: str) -> Callable[[Action], Action]:
        def register(fn: Action) -> Action:
            self._actions[name] = fn
            return fn

        return register

    def add_handler(self, handler: Handler) -> None:
        self._handlers[handler.name] = handler

    def remove_handler(self, name: str) -> None:
        self._handlers.pop(name, None)

    def get_action(self, name: str) -> Action:
        try:
            return self._actions[name]
        except KeyError:
            raise InvalidInput(f"unknown action {name!r}") from None

    def plan(self, event: Event) -> list[RunPlan]:
        plans = []
        for handler in sorted(self._handlers.values(), key=lambda h: h.name):
            if handler.matches(event):
                steps = handler.plan(event)
                if steps is not None:
                    plans.append(RunPlan(recipe=handler.name, steps=steps))
        return plans

    @property
    def handler_names(self) -> list[str]:
        return sorted(self._handlers)


registry = Registry()


def load_plugins(modules: Iterable[str]) -> None:
    """Import plugin modules so they can register handlers and actions."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise InvalidInput(f"cannot import plugin module {name!r}: {exc}") from None
