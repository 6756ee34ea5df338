"""A catalog built from the connectors' operation tables, for validating recipes before the
runner's full catalog (with typed inputs) is wired in.

Every GHL operation becomes ``ghl.<name>`` with its scopes, every TT operation ``tt.<name>``
(TT App Passwords have no scopes). Inputs are not described here (``None``: any names pass);
the runner's catalog adds them. ``ghltt.links.find`` is the runner's record-link lookup.
"""

from __future__ import annotations

from ghltt.connectors.ghl.catalog import CATALOG as GHL_OPERATIONS
from ghltt.connectors.trackingtime.catalog import OPERATIONS as TT_OPERATIONS
from ghltt.engine.recipes.catalog import Action, Input

# Operations whose body is a record that may carry custom fields, and that record's type.
_RECORD_WRITES = {
    "ghl.contacts.create": "ghl.contact",
    "ghl.contacts.update": "ghl.contact",
    "ghl.contacts.upsert": "ghl.contact",
    "tt.customers.add": "tt.customer",
    "tt.customers.update": "tt.customer",
    "tt.projects.add": "tt.project",
    "tt.projects.update": "tt.project",
    "tt.tasks.add": "tt.task",
    "tt.tasks.update": "tt.task",
    "tt.events.add": "tt.event",
    "tt.events.update": "tt.event",
    "tt.users.add": "tt.user",
    "tt.users.update": "tt.user",
}

LINKS_FIND = Action(
    {
        "recipe": Input("string", required=True),
        "ghl_type": Input("string"),
        "ghl_id": Input("any"),
        "tt_type": Input("string"),
        "tt_id": Input("any"),
    },
    description="the record link of a sync recipe for one side's record, or null",
)


def connector_catalog() -> dict[str, Action]:
    catalog: dict[str, Action] = {}
    for name, op in GHL_OPERATIONS.items():
        full = f"ghl.{name}"
        record = _RECORD_WRITES.get(full)
        catalog[full] = Action(None, op.scopes, record, record is not None)
    for name in TT_OPERATIONS:
        full = f"tt.{name}"
        record = _RECORD_WRITES.get(full)
        catalog[full] = Action(None, (), record, record is not None)
    catalog["ghltt.links.find"] = LINKS_FIND
    return catalog
