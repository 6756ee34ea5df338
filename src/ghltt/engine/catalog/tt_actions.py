"""Every TrackingTime action: one line per operation the connector declares
(``connectors/trackingtime/catalog.py``), with its one-line description and an example input.

The examples run in this order against the simulator's sample account (account 1725, signed
in as its admin Ada, user 381455): the contract test (``tests/engine/catalog/test_contract.py``)
calls each in turn, so an example may use what an earlier one made. Records are numbered
from the sample's counters: the first customer added is 123459, the first project 1266931,
the first task 94656212114, and so on. Deletes come last.
"""

from __future__ import annotations

from ghltt.engine.catalog.composed import tt_events_add, tt_events_update
from ghltt.engine.catalog.generate import tt
from ghltt.engine.catalog.spec import ActionDef

__all__ = ["TT_ACTIONS"]

# TT reads of the records a sync pairs ask for their custom fields: mappings read them.
_READ_CUSTOM = {"include_custom_fields": True}

ADA, GRACE = 381455, 381456
NEW_USER, NEW_CUSTOMER, NEW_SERVICE, NEW_PROJECT = 381458, 123459, 45102, 1266931
NEW_TASK, SHARED_TASK, NEW_TASK_LIST = 94656212114, 94656212115, 88006
NEW_EVENT, NEW_TAG, NEW_FIELD, NEW_OPTION = 3490132419, 5503, 825012, 33333
NEW_WEBHOOK, NEW_COMMENT, NEW_GROUP = 77, 910001, 6601
SEEDED_NOTE = 4401  # the sample's one notification: Grace commented on a task of Ada's
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}
AT_NINE = {"date": "2026-01-06 09:00:00", "timezone": "GMT-05:00"}
AT_TEN = {"date": "2026-01-06 10:00:00", "timezone": "GMT-05:00"}
AT_ELEVEN = {"date": "2026-01-06 11:00:00", "timezone": "GMT-05:00"}

TT_ACTIONS: tuple[ActionDef, ...] = (
    tt("me.get", "The signed-in user, with the workspaces they belong to.", {}),
    tt("teams.list", "The workspaces (accounts) the signed-in user belongs to.", {}),
    tt(
        "teams.update",
        "Rename a workspace or change what its co-workers may see and edit (admins).",
        {"account_id": 1725, "can_view_others": True},
    ),
    tt(
        "teams.switch",
        "Make a workspace the signed-in user's default (calls without an account id use it).",
        {"account_id": 1725},
    ),
    # users
    tt("users.list", "The account's users; filter ALL, ACTIVE or ARCHIVED.", {"filter": "ALL"}),
    tt("users.get", "One user by id.", {"id": GRACE}),
    tt(
        "users.add",
        "Add a user to the account (ADMIN, PROJECT_MANAGER or CO_WORKER).",
        {"name": "Margaret", "surname": "Hamilton", "email": "mh@example.com", "role": "CO_WORKER"},
        open_inputs=True,
    ),
    tt(
        "users.resend_invite",
        "Send an invited user their invitation email again.",
        {"email": "mh@example.com"},
    ),
    tt(
        "users.update_employee",
        "Set a user's employee record: job title, department, hire date and other HR fields.",
        {"id": NEW_USER, "job_title": "Flight software lead", "hire_date": "2026-01-05"},
    ),
    tt(
        "users.reset_icalendar_token",
        "Give the signed-in user's calendar feed a new address (the former one stops).",
        {},
    ),
    tt(
        "users.update",
        "Change a user's name, email, role or rates.",
        {"id": NEW_USER, "surname": "Hamilton-Lovelace"},
        open_inputs=True,
    ),
    tt(
        "users.update_permissions",
        "Change a user's role and permission flags.",
        {"id": NEW_USER, "role": "PROJECT_MANAGER"},
    ),
    tt(
        "users.assign_projects",
        "Give a user access to projects.",
        {"id": NEW_USER, "data": [{"id": 1266926}]},
    ),
    tt(
        "users.remove_projects",
        "Take projects away from a user.",
        {"id": NEW_USER, "data": [{"id": 1266926}]},
    ),
    tt("users.close", "Archive a user (their running timer stops).", {"id": NEW_USER}),
    tt("users.open", "Reactivate an archived user.", {"id": NEW_USER}),
    tt("users.assigned_tasks", "The tasks assigned to a user, page by page.", {"id": ADA}),
    tt("users.trackables", "The projects and tasks a user can track time on.", {"id": ADA}),
    tt("users.projects", "The projects a user works on.", {"id": ADA}),
    tt("users.tasks", "A user's tasks grouped by project.", {"id": ADA}),
    tt(
        "users.recent_tasks",
        "The tasks a user last tracked time on, latest first.",
        {"id": ADA},
    ),
    tt("users.tracking", "The timer a user runs now (current timer), as its task.", {"id": ADA}),
    # user groups
    tt(
        "user_groups.add",
        "Add a group of users under a supervisor (a user is in one group only).",
        {
            "name": "Design",
            "supervisor_id": ADA,
            "users": [{"id": GRACE, "action": "ADD"}],
            "notes": "Brand and web",
        },
    ),
    tt("user_groups.list", "The account's user groups; filter ALL, ACTIVE or ARCHIVED.", {}),
    tt("user_groups.get", "One user group by id.", {"id": NEW_GROUP}),
    tt(
        "user_groups.update",
        "Rename a user group, change its supervisor, add or remove members, or archive it.",
        {"id": NEW_GROUP, "name": "Design studio", "users": [{"id": NEW_USER, "action": "ADD"}]},
    ),
    # customers
    tt(
        "customers.list",
        "The account's customers, at most 1,000 (TT's cap; read others by id); filter ALL, "
        "ACTIVE or ARCHIVED.",
        {},
    ),
    tt("customers.get", "One customer by id.", {"id": 123456}, params=_READ_CUSTOM),
    tt(
        "customers.add",
        "Add a customer (names are unique).",
        {"name": "Stark Industries", "notes": "Signed in January"},
        open_inputs=True,
    ),
    tt(
        "customers.update",
        "Change a customer's name, notes or custom fields.",
        {"id": NEW_CUSTOMER, "name": "Stark Industries", "notes": "Renewed"},
        open_inputs=True,
    ),
    tt("customers.close", "Archive a customer.", {"id": NEW_CUSTOMER}),
    tt("customers.open", "Reactivate an archived customer.", {"id": NEW_CUSTOMER}),
    # services
    tt("services.list", "The account's services (work categories).", {}),
    tt("services.get", "One service by id.", {"id": 45100}),
    tt("services.add", "Add a service (names are unique).", {"name": "Consulting"}),
    tt(
        "services.update",
        "Rename a service.",
        {"id": NEW_SERVICE, "name": "Strategy consulting"},
    ),
    tt("services.close", "Archive a service.", {"id": NEW_SERVICE}),
    tt("services.open", "Reactivate an archived service.", {"id": NEW_SERVICE}),
    # projects and task lists
    tt("projects.list", "The account's projects; filter ALL, ACTIVE or ARCHIVED.", {}),
    tt("projects.get", "One project by id.", {"id": 1266926}, params=_READ_CUSTOM),
    tt(
        "projects.list_min",
        "The account's projects, as TT's lighter list; filter ALL, ACTIVE or ARCHIVED.",
        {"filter": "ALL"},
    ),
    tt("projects.get_min", "One project by id, as TT's lighter read.", {"id": 1266926}),
    tt("projects.ids", "Every project's id, name and archived flag.", {"filter": "ALL"}),
    tt(
        "projects.search",
        "Projects and tasks whose name contains a keyword.",
        {"keyword": "web", "type": "ALL"},
    ),
    tt(
        "projects.add",
        "Add a project, under a customer by id or by name (created if missing).",
        {"name": "Brand refresh", "customer_id": NEW_CUSTOMER, "estimated_time": 40},
        open_inputs=True,
    ),
    tt(
        "projects.update",
        "Change a project's name, customer, estimate, dates or billing.",
        {"id": NEW_PROJECT, "notes": "Phase one", "estimated_time": 60},
        open_inputs=True,
    ),
    tt(
        "projects.update_preferences",
        "Mark a project favourite or set its default view, for the signed-in user.",
        {"id": NEW_PROJECT, "is_favorite": True},
    ),
    tt("projects.users", "The users with a task in a project.", {"id": 1266926}),
    tt("projects.close", "Archive (complete) a project.", {"id": NEW_PROJECT}),
    tt("projects.open", "Reopen an archived project.", {"id": NEW_PROJECT}),
    tt("task_lists.list", "A project's task lists.", {"id": 1266926}),
    tt("task_lists.add", "Add a task list to a project.", {"id": NEW_PROJECT, "name": "Discovery"}),
    tt("task_lists.get", "One task list by id.", {"id": NEW_TASK_LIST}),
    # tasks
    tt("tasks.list", "Every task of the account, page by page.", {}),
    tt(
        "tasks.filter",
        "Tasks by state (ALL, ACTIVE, ARCHIVED, TRACKING: every running timer) and project.",
        {"filter": "ACTIVE", "project_id": 1266926},
    ),
    tt("tasks.get", "One task by id.", {"id": 94656212107}, params=_READ_CUSTOM),
    tt(
        "tasks.add",
        "Add a task to a project, assigned to users.",
        {"name": "Moodboard", "project_id": NEW_PROJECT, "users": [{"id": ADA}]},
    ),
    tt(
        "tasks.share",
        "Add a task shared by several assignees.",
        {"name": "Kickoff call", "project_id": NEW_PROJECT, "users": [{"id": GRACE}]},
    ),
    tt(
        "tasks.update",
        "Change a task's name, description, due date, estimate, list or assignees.",
        {"id": NEW_TASK, "due_date": "2026-02-01", "estimated_time": 4},
        open_inputs=True,
    ),
    tt("tasks.users", "A task's assignees.", {"id": SHARED_TASK}),
    tt(
        "tasks.import",
        "Import tasks by name with their project, customer and service, made when missing "
        "(preview_mode: say what would happen, write nothing).",
        {
            "data": [
                {"task_name": "Moodboard", "project_name": "Brand refresh"},
                {"task_name": "Style guide", "project_name": "Brand refresh"},
            ]
        },
    ),
    tt("projects.no_project", "The tasks that belong to no project.", {}),
    tt(
        "tasks.sort",
        "Set tasks' places in their lists.",
        {"data": [{"id": SHARED_TASK, "sort_index": 0}, {"id": NEW_TASK, "sort_index": 1}]},
    ),
    tt(
        "tasks.search",
        "Find tasks by name, each in a project named or in any project; none are created.",
        {"data": [{"project_name": "Brand refresh", "task_name": "Moodboard"}]},
    ),
    tt(
        "task_comments.add",
        "Comment on a task.",
        {"id": NEW_TASK, "comment": "The client sent references."},
    ),
    tt("task_comments.list", "A task's comments.", {"id": NEW_TASK}),
    tt(
        "task_comments.delete",
        "Delete a comment of a task.",
        {"task_id": NEW_TASK, "comment_id": NEW_COMMENT},
    ),
    tt(
        "subtasks.add",
        "Add a subtask (a checklist item) to a task.",
        {"id": NEW_TASK, "name": "Logos"},
    ),
    tt("tasks.close", "Close (complete) a task; its running timer stops.", {"id": NEW_TASK}),
    tt("tasks.open", "Reopen a closed task.", {"id": NEW_TASK}),
    # timers
    tt(
        "tasks.track",
        "Start a timer on a task (fails while the user runs another, unless told to stop it).",
        {"id": NEW_TASK, "notes": "Moodboard research", **AT_NINE},
    ),
    tt(
        "tasks.track_by_name",
        "Start a timer on a task found by name in a project, created when missing.",
        {
            "task_name": "Moodboard",
            "project_id": NEW_PROJECT,
            "stop_running_task": True,
            **AT_TEN,
        },
    ),
    tt("tasks.stop", "Stop the timer running on a task.", {"id": NEW_TASK, **AT_ELEVEN}),
    tt(
        "tasks.times",
        "The time tracked so far on tasks, in seconds and hours.",
        {"data": [{"id": NEW_TASK}]},
    ),
    tt(
        "projects.times",
        "The time tracked so far on projects, in seconds and hours.",
        {"data": [{"id": NEW_PROJECT}]},
    ),
    # time entries
    tt(
        "events.list",
        "Time entries by user, project, customer, task or company, in a date range.",
        {"filter": "COMPANY", **YEAR},
    ),
    tt(
        "events.list_min",
        "Time entries in TT's abbreviated shape, billed, unbilled or all, in a date range.",
        {"filter": "COMPANY", "billed": "ALL", **YEAR},
    ),
    tt("events.get", "One time entry by id.", {"id": 3490132317}, params=_READ_CUSTOM),
    tt(
        "events.add",
        "Log a time entry; times are wall clocks in the bridge's TT zone or the one given.",
        {
            "start": "2026-01-05 09:00:00",
            "end": "2026-01-05 10:30:00",
            "task_id": NEW_TASK,
            "notes": "Workshop",
        },
        open_inputs=True,
        call=tt_events_add,
    ),
    tt(
        "events.update",
        "Change a time entry's times, task, project or notes.",
        {"id": NEW_EVENT, "start": "2026-01-05 09:00:00", "end": "2026-01-05 11:00:00"},
        open_inputs=True,
        call=tt_events_update,
    ),
    tt(
        "events.flat",
        "Time entries in the flat shape of spreadsheets and BI tools.",
        {"filter": "COMPANY", **YEAR},
    ),
    tt(
        "events.filtered",
        "Time entries by a report query (date range, filters, sorts).",
        {"query_data": '{"date_range": {"period": "all"}}'},
    ),
    tt(
        "events.export",
        "Time entries as CSV text (separator ',', ';' or a tab), columns as in the flat shape.",
        {"separator": ",", "filter": "COMPANY", **YEAR},
    ),
    tt("events.count", "How many time entries match a filter.", {"filter": "COMPANY", **YEAR}),
    tt(
        "events.summary",
        "Worked hours per user per day in a date range (timesheet totals).",
        dict(YEAR),
    ),
    tt(
        "events.search",
        "Find time entries by id, project, task, name or external id.",
        {"type": "ByTaskID", "task_id": NEW_TASK},
    ),
    tt("events.billed", "Mark time entries billed.", {"data": f'[{{"id": {NEW_EVENT}}}]'}),
    tt("events.not_billed", "Mark time entries not billed.", {"data": f'[{{"id": {NEW_EVENT}}}]'}),
    # tags
    tt("event_tags.list", "The account's time-entry tags.", {}),
    tt("event_tags.get", "One tag by id.", {"id": 5501}),
    tt("event_tags.add", "Add a tag.", {"name": "urgent", "color": "#e53935"}),
    tt("event_tags.update", "Change a tag.", {"id": NEW_TAG, "name": "urgent", "color": "#b71c1c"}),
    tt(
        "event_tags.save",
        "Tag a time entry (a new tag name is added to the account).",
        {"id": NEW_EVENT, "name": "urgent", "value": "yes"},
    ),
    tt("event_tags.values", "The values a tag has on time entries.", {"name": "urgent"}),
    tt("event_tags.remove", "Take a tag off a time entry.", {"id": NEW_EVENT, "name": "urgent"}),
    tt("event_tags.delete", "Delete a tag.", {"id": NEW_TAG}),
    # custom fields
    tt("custom_fields.list", "The account's custom fields.", {}),
    tt("custom_fields.get", "One custom field by id.", {"id": 824992}),
    tt(
        "custom_fields.add",
        "Add a custom field to events, tasks, projects, users or customers.",
        {"name": "Budget code", "value_type": "enum", "filter_object_class": "project"},
    ),
    tt("custom_fields.update", "Rename a custom field.", {"id": NEW_FIELD, "name": "Budget line"}),
    tt(
        "enum_options.add",
        "Add an option to an enum custom field.",
        {"name": "Capex", "custom_field": NEW_FIELD},
    ),
    tt("enum_options.list", "The options of an enum custom field.", {"id": NEW_FIELD}),
    tt("enum_options.update", "Rename an option.", {"id": NEW_OPTION, "name": "CapEx"}),
    tt("enum_options.delete", "Delete an option.", {"id": NEW_OPTION}),
    tt("custom_fields.delete", "Delete a custom field.", {"id": NEW_FIELD}),
    # webhooks
    tt(
        "webhooks.add",
        "Subscribe a URL to events (a comma list such as task.created,task.updated).",
        {"url": "https://hooks.example.com/tt", "events": "task.created,task.updated"},
    ),
    tt("webhooks.list", "The account's webhook subscriptions.", {}),
    tt("webhooks.get", "One webhook subscription by id.", {"id": NEW_WEBHOOK}),
    tt("webhooks.disable", "Pause a webhook subscription.", {"id": NEW_WEBHOOK}),
    tt("webhooks.enable", "Resume a paused webhook subscription.", {"id": NEW_WEBHOOK}),
    tt("webhooks.reset_token", "Give a webhook subscription a new token.", {"id": NEW_WEBHOOK}),
    tt("webhooks.delete", "Delete a webhook subscription.", {"id": NEW_WEBHOOK}),
    # notifications
    tt(
        "notifications.list",
        "The signed-in user's unread notifications, or all, or a project's.",
        {"include_read": True},
    ),
    tt("notifications.read", "Mark a notification read.", {"id": SEEDED_NOTE}),
    tt(
        "notifications.read_many",
        "Mark notifications read, up to 50 at a time.",
        {"data": [{"id": SEEDED_NOTE}]},
    ),
    # reports
    tt(
        "reports.user",
        "A user's worked and billable hours in a period, by project.",
        {"id": ADA, **YEAR, "sort_by": "WORKED_HOURS"},
    ),
    # deletes, last: they remove what the examples above made
    tt("user_groups.delete", "Delete a user group; its members stay.", {"id": NEW_GROUP}),
    tt("events.delete", "Delete a time entry.", {"id": NEW_EVENT}),
    tt("tasks.delete", "Delete a task with its time entries.", {"id": SHARED_TASK}),
    tt(
        "projects.merge",
        "Merge a project into another: its tasks and time entries move, it goes to the trash.",
        {"id": 1266929, "into": NEW_PROJECT},
    ),
    tt("projects.delete", "Delete a project (to the trash) with its tasks.", {"id": NEW_PROJECT}),
    tt("services.delete", "Delete a service; projects keep no service.", {"id": NEW_SERVICE}),
    tt(
        "customers.delete",
        "Delete a customer; its projects keep no customer.",
        {"id": NEW_CUSTOMER},
    ),
)
