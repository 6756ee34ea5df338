"""The runner: one run of one recipe for one event, converging state through the clients.

``run_sync`` and ``run_automation`` run a recipe of each kind (``ghltt.engine.dispatch`` picks);
``open_bridge_context`` builds the context (mode, clients, repositories, zones, params) of a
bridge from the vault.
The result is a JSON-serialisable ``RunReport``. See docs/engine.md.
"""

from ghltt.engine.runner.actions import ACTIONS, ActionDef, action_catalog, call_action
from ghltt.engine.runner.automation import run_automation
from ghltt.engine.runner.context import (
    BridgeContext,
    Repositories,
    Transports,
    open_bridge_context,
)
from ghltt.engine.runner.report import RunReport, Write
from ghltt.engine.runner.sync import run_sync

__all__ = [
    "ACTIONS",
    "ActionDef",
    "BridgeContext",
    "Repositories",
    "RunReport",
    "Transports",
    "Write",
    "action_catalog",
    "call_action",
    "open_bridge_context",
    "run_automation",
    "run_sync",
]
