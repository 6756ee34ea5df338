"""One entry of the action catalog, as the recipe loader (``ActionSpec``) and runs see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ghltt.connectors.ghl import CATALOG as GHL_OPERATIONS
from ghltt.engine.context import BridgeContext
from ghltt.engine.recipes import Input

__all__ = ["ActionDef", "Call"]

Call = Callable[["BridgeContext", dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class ActionDef:
    """One action; satisfies the recipe loader's ``ActionSpec`` protocol. ``inputs`` None: not
    described (any field passes); ``writes`` False: a read, run in shadow mode too."""

    name: str
    call: Call
    inputs: Mapping[str, Input] | None = None
    object_type: str | None = None
    custom_fields: bool = False
    writes: bool = True

    @property
    def system(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def scopes(self) -> tuple[str, ...]:
        if self.system != "ghl":
            return ()  # TT App Passwords carry no scopes; ghltt.* actions call nothing
        return tuple(GHL_OPERATIONS[self.name.removeprefix("ghl.")].scopes)
