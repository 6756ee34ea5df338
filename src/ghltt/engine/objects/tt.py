"""TrackingTime's synced object types (fields from the v4 add/update parameters). TT sends no
delete webhooks for these: a delete shows as a record gone from the complete list a poll reads.
What a record can be read for (``readable``) is the connector model's fields plus the documented
ones it lets through without naming."""

from __future__ import annotations

from ghltt.connectors.trackingtime import models
from ghltt.engine.objects.model import ObjectType, wire_fields, words

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
    readable=wire_fields(models.Customer)
    | words(
        "active_projects archived_projects total_projects average_hourly_rate color_index "
        "worked_hours loc_worked_hours custom_fields"
    ),
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
    readable=wire_fields(models.Project)
    | words(
        "start_date loc_start_date loc_delivery_date worked_hours loc_worked_hours status "
        "users billing color_index third_party_data custom_fields"
    ),
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
    readable=wire_fields(models.Task)
    | words(
        "start_date end_date loc_start_date loc_due_date loc_end_date loc_estimated_time "
        "worked_hours loc_worked_hours comments subtasks billing color list_name "
        "created_by custom_fields"
    ),
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
    readable=wire_fields(models.TimeEntry)
    | words(
        "loc_start loc_end loc_duration formated_duration user user_id task_list skill "
        "hourly_rate color third_party_data custom_fields"
    ),
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
    readable=wire_fields(models.User)
    | words("surname avatar_url timezone third_party_data custom_fields"),
)

TYPES = (CUSTOMER, PROJECT, TASK, EVENT, USER)
