"""TrackingTime's synced object types (fields from the v4 add/update parameters). TT sends no
delete webhooks for these: a delete shows as a record gone from the complete list a poll reads."""

from __future__ import annotations

from ghltt.engine.objects.model import ObjectType, words

_PROJECT = (
    "name customer_id customer_name service_name is_public estimated_time notes color "
    "delivery_date is_billable hourly_rate fixed_rate"
)
_TASK = (
    "name description project_id project_name due_date estimated_time users type list_id "
    "list_position is_billable priority json service_name"
)
_EVENT = (
    "start end duration timezone user_id task_id task_name project_id project_name notes "
    "event_type is_billed"
)
_ARCHIVED = words("is_archived")

CUSTOMER = ObjectType(
    "tt",
    "customer",
    "tt.customers.get",
    "tt.customers.add",
    "tt.customers.update",
    "tt.customers.delete",
    "tt.customers.close",
    "tt.customers.open",
    third_party="CUSTOMER",
    always_sent=("name",),
    writes_answer_record=True,
    deletes=("snapshot",),
    fields=words("name notes contact_name contact_email"),
    state=_ARCHIVED,
    custom_fields=True,
)
PROJECT = ObjectType(
    "tt",
    "project",
    "tt.projects.get",
    "tt.projects.add",
    "tt.projects.update",
    "tt.projects.delete",
    "tt.projects.close",
    "tt.projects.open",
    parent="tt.customer",
    third_party="PROJECT",
    deletes=("snapshot",),
    fields=words(_PROJECT),
    state=_ARCHIVED,
    custom_fields=True,
)
TASK = ObjectType(
    "tt",
    "task",
    "tt.tasks.get",
    "tt.tasks.add",
    "tt.tasks.update",
    "tt.tasks.delete",
    "tt.tasks.close",
    "tt.tasks.open",
    parent="tt.project",
    third_party="TASK",
    writes_answer_record=True,
    deletes=("snapshot",),
    fields=words(_TASK),
    state=_ARCHIVED,
    custom_fields=True,
)
# Time entries are polled by ``updated_at``, which cannot show a delete.
EVENT = ObjectType(
    "tt",
    "event",
    "tt.events.get",
    "tt.events.add",
    "tt.events.update",
    "tt.events.delete",
    parent="tt.project",
    third_party="EVENT",
    always_sent=("start", "end", "duration", "timezone"),
    writes_answer_record=True,
    fields=words(_EVENT),
    custom_fields=True,
)
USER = ObjectType(
    "tt",
    "user",
    "tt.users.get",
    "tt.users.add",
    "tt.users.update",
    None,
    "tt.users.close",
    "tt.users.open",
    deletes=("snapshot",),
    fields=words("name surname email role hourly_rate hourly_cost"),
    state=_ARCHIVED,
    custom_fields=True,
)

TYPES = (CUSTOMER, PROJECT, TASK, EVENT, USER)
