"""What the engine needs to know about actions: their inputs and the scopes they need.

The real catalog (``engine/catalog``: actions generated from the connectors' operation
declarations, plus ghltt's own ``ghltt.*`` actions) satisfies this protocol; recipes only see
the protocol, so they do not depend on how actions are built. ``ghltt.set`` and
``ghltt.stop`` are handled by the engine itself and need no entry.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

InputType = Literal["string", "integer", "number", "boolean", "array", "object", "any"]

# Control actions the engine resolves itself (see ``plan_step``).
BUILTIN_ACTIONS = frozenset({"ghltt.set", "ghltt.stop"})


class InputSpec(Protocol):
    @property
    def type(self) -> str:
        """One of string, integer, number, boolean, array, object, any."""

    @property
    def required(self) -> bool:
        """Must the step give this input?"""


class ActionSpec(Protocol):
    """One action as the engine sees it. ``inputs`` None means "inputs not described"."""

    @property
    def inputs(self) -> Mapping[str, InputSpec] | None:
        """Input name → spec; None when the action does not describe its inputs."""

    @property
    def scopes(self) -> Collection[str]:
        """OAuth scopes the action needs (empty for TrackingTime)."""

    @property
    def object_type(self) -> str | None:
        """The record type its body is (``ghl.contact``), for custom fields by key."""

    @property
    def custom_fields(self) -> bool:
        """May the body carry ``custom:<key>`` fields?"""


ActionCatalog = Mapping[str, ActionSpec]


@dataclass(frozen=True)
class Input:
    type: InputType = "any"
    required: bool = False


@dataclass(frozen=True)
class Action:
    """A plain ``ActionSpec``: enough for tests and for wiring a catalog from data."""

    inputs: Mapping[str, Input] | None = None
    scopes: tuple[str, ...] = ()
    object_type: str | None = None
    custom_fields: bool = False
    description: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def type_matches(expected: str, value: Any) -> bool:
    """Does ``value`` fit the declared input type? Integral floats count as integers."""
    if expected == "any" or value is None:
        return True
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected == "array":
        return isinstance(value, list | tuple)
    if expected == "object":
        return isinstance(value, Mapping)
    return False
