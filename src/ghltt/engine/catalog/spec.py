"""One entry of the catalog, as the recipe loader (``ActionSpec``) and runs see it, with what
users read about it (``ghltt catalog show``, ``GET /api/catalog``, docs/catalog.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ghltt.connectors.ghl import CATALOG as GHL_OPERATIONS
from ghltt.engine.context import BridgeContext
from ghltt.engine.recipes import Input

__all__ = ["ActionDef", "Call", "Detection", "Idempotence", "TriggerDef"]

Call = Callable[["BridgeContext", dict[str, Any]], Awaitable[Any]]

# safe: a read; idempotent: repeating it leaves the same state; unsafe: repeating writes twice
Idempotence = Literal["safe", "idempotent", "unsafe"]
Detection = Literal["webhook", "poll", "schedule"]


@dataclass(frozen=True)
class ActionDef:
    """One action; satisfies the recipe loader's ``ActionSpec`` protocol. ``inputs`` None: not
    described (any field passes); ``writes`` False: a read, run in shadow mode too.

    The rest describes it to users: ``input_schema``/``output_schema`` are JSON Schema derived
    from the declaration's models, ``example`` an input that works against the simulator's
    sample account, ``idempotent_how`` how a retry stays safe."""

    name: str
    call: Call
    inputs: Mapping[str, Input] | None = None
    object_type: str | None = None
    custom_fields: bool = False
    writes: bool = True
    description: str = ""
    example: Mapping[str, Any] | None = None
    input_schema: Mapping[str, Any] | None = None
    output_schema: Mapping[str, Any] | None = None
    idempotence: Idempotence = "unsafe"
    idempotent_how: str = ""
    api_version: str | None = None

    @property
    def system(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def scopes(self) -> tuple[str, ...]:
        if self.system != "ghl":
            return ()  # TT App Passwords carry no scopes; ghltt.* actions call nothing
        return tuple(GHL_OPERATIONS[self.name.removeprefix("ghl.")].scopes)


@dataclass(frozen=True)
class TriggerDef:
    """Something a recipe can start on: ``name`` is the event kind a trigger lists
    (``tt.task.created``), ``detection`` how ghltt learns of it, ``payload_schema`` what the
    event's record (``event.*`` in a mapping) holds."""

    name: str
    description: str
    detection: tuple[Detection, ...]
    payload_schema: Mapping[str, Any]
    example: Mapping[str, Any] | None = None
    api_version: str | None = None

    @property
    def system(self) -> str:
        """ghl or tt; ghltt for its own (schedules)."""
        prefix = self.name.split(".", 1)[0]
        return prefix if prefix in ("ghl", "tt") else "ghltt"
