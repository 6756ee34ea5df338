"""The client against the TT simulator over a real loopback socket, operation by operation."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio
import httpx2
import pytest

from ghltt.connectors.http import RetryPolicy
from ghltt.connectors.trackingtime import (
    OPERATIONS,
    AppPassword,
    BearerToken,
    EmailPassword,
    TimerAlreadyRunning,
    TrackingTimeClient,
    TTAuthError,
    TTNotFound,
    TTRateLimited,
    TTValidationError,
    WebhookVerifier,
    parse_delivery,
)
from ghltt.connectors.trackingtime._api import Api
from tests.support.server import serve_asgi

simulator = pytest.importorskip("ghltt.sandbox.trackingtime.simulator")

pytestmark = pytest.mark.anyio

ZONE = "America/New_York"
CALLED: set[str] = set()


@pytest.fixture(autouse=True)
def record_operations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Note every catalog operation the client sends, for the coverage check at the end."""
    original = Api.call

    async def call(self: Api, op: Any, **kwargs: Any) -> dict[str, Any]:
        CALLED.add(op if isinstance(op, str) else op.name)
        return await original(self, op, **kwargs)

    monkeypatch.setattr(Api, "call", call)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Any, str]]:
    hooks = httpx2.MockTransport(lambda request: httpx2.Response(200))
    sim = simulator.TrackingTimeSimulator(webhook_transport=hooks)
    with serve_asgi(sim.app) as base:
        yield sim, f"{base}/api/v4"


@pytest.fixture
def sim(served: tuple[Any, str]) -> Any:
    served[0].reset()
    return served[0]


@pytest.fixture
def admin(sim: Any) -> Any:
    return sim.seeded[0]


def make_client(base: str, credentials: Any, **kwargs: Any) -> TrackingTimeClient:
    kwargs.setdefault("account_id", 1725)
    return TrackingTimeClient(
        credentials, base_url=base, account_timezone=ZONE, contact="tests@ghltt.invalid", **kwargs
    )


@pytest.fixture
async def tt(served: tuple[Any, str], admin: Any) -> AsyncIterator[TrackingTimeClient]:
    async with make_client(served[1], AppPassword(admin.app_password)) as client:
        yield client


async def test_identity_and_every_auth_style(
    served: tuple[Any, str], admin: Any, tt: TrackingTimeClient
) -> None:
    me = await tt.me()
    assert me.id == admin.id and me.email == admin.email
    assert any(team.account_id == 1725 for team in await tt.teams())
    for creds in (
        EmailPassword(admin.email, admin.password),
        AppPassword(admin.app_password, username="x"),
        BearerToken(admin.app_password),
    ):
        async with make_client(served[1], creds) as other:
            assert (await other.me()).id == admin.id
    async with make_client(served[1], EmailPassword(admin.email, "wrong-password")) as bad:
        with pytest.raises(TTAuthError) as caught:
            await bad.me()
    assert "wrong-password" not in str(caught.value)


async def test_users(tt: TrackingTimeClient, admin: Any) -> None:
    users = await tt.users.list(filter="ALL")
    assert admin.id in {u.id for u in users}
    added = await tt.users.add("Nina", "CO_WORKER", surname="Simone", email="nina@example.com")
    assert (await tt.users.get(added.id)).email == "nina@example.com"
    assert (await tt.users.update(added.id, surname="S.")).surname == "S."
    assert (await tt.users.close(added.id)).is_archived
    assert not (await tt.users.open(added.id)).is_archived
    tasks = [t async for t in tt.users.assigned_tasks(admin.id, filter="ALL", page_size=2)]
    assert len(tasks) == len({t.id for t in tasks})
    trackables = await tt.users.trackables(admin.id)
    assert trackables.projects
    assert isinstance(await tt.users.projects(admin.id), list)
    assert isinstance(await tt.users.tracking(admin.id), list)


async def test_customers_and_services(tt: TrackingTimeClient) -> None:
    first = await tt.customers.changes()
    customer = await tt.customers.add("Contract Co", notes="n", third_party_id="ghl-c-1")
    with pytest.raises(TTValidationError) as caught:
        await tt.customers.add("contract co")
    assert "already another customer" in caught.value.message
    assert (await tt.customers.get(customer.id)).name == "Contract Co"
    found = await tt.customers.find_by_third_party_id("ghl-c-1")
    assert found is not None and found.id == customer.id
    assert (await tt.customers.update(customer.id, name="Contract Co", notes="m")).notes == "m"
    assert (await tt.customers.close(customer.id)).is_archived
    assert not (await tt.customers.open(customer.id)).is_archived
    second = await tt.customers.changes(first.cursor)
    assert [c.id for c in second.created] == [customer.id]
    await tt.customers.delete(customer.id)
    with pytest.raises(TTNotFound):
        await tt.customers.get(customer.id)
    await tt.customers.delete(customer.id, missing_ok=True)
    assert str(customer.id) in (await tt.customers.changes(second.cursor)).deleted

    service = await tt.services.add("Contract service")
    assert (await tt.services.get(service.id)).name == "Contract service"
    assert (await tt.services.update(service.id, name="Renamed")).name == "Renamed"
    assert (await tt.services.close(service.id)).is_archived
    assert not (await tt.services.open(service.id)).is_archived
    assert service.id in {s.id for s in await tt.services.list(filter="ALL")}
    await tt.services.delete(service.id)


async def test_projects_and_task_lists(tt: TrackingTimeClient) -> None:
    project = await tt.projects.add(
        "Contract project", customer_name="Brand New Client", third_party_id="ghl-p-1"
    )
    assert project.customer is not None and project.customer.name == "Brand New Client"
    assert (await tt.projects.get(project.id)).name == "Contract project"
    assert (await tt.projects.update(project.id, notes="x")).notes == "x"
    assert (await tt.projects.close(project.id)).is_archived
    assert not (await tt.projects.open(project.id)).is_archived
    found = await tt.projects.find_by_third_party_id("ghl-p-1")
    assert found is not None and found.id == project.id
    assert isinstance(await tt.projects.users(project.id), list)
    listed = await tt.task_lists.add(project.id, "Backlog", index=0)
    assert listed.id in {tl.id for tl in await tt.task_lists.list(project.id)}
    assert project.id in {p.id async for p in tt.projects.iterate(filter="ALL")}
    await tt.projects.delete(project.id, delete_all=True)
    with pytest.raises(TTNotFound):
        await tt.projects.get(project.id)


async def test_tasks_and_the_timer(tt: TrackingTimeClient, admin: Any) -> None:
    project = (await tt.projects.list())[0]
    task = await tt.tasks.add(
        "Contract task", project_id=project.id, assignees=[admin.id], third_party_id="ghl-t-1"
    )
    assert await tt.tasks.assignees(task.id) == [admin.id]
    assert (await tt.tasks.get(task.id)).name == "Contract task"
    assert (await tt.tasks.update(task.id, description="d")).description == "d"
    await tt.tasks.set_assignees(task.id, [])
    assert await tt.tasks.assignees(task.id) == []
    await tt.tasks.set_assignees(task.id, [admin.id])
    await tt.tasks.set_third_party_id(task.id, "ghl-t-2", service="ghl")
    found = await tt.tasks.find_by_third_party_id("ghl-t-2")
    assert found is not None and found.id == task.id
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    running = await tt.tasks.track(task.id, at=start, stop_running_task=True)
    assert running.running and running.start_at() == start
    with pytest.raises(TimerAlreadyRunning):
        await tt.tasks.track(task.id, at=start + timedelta(minutes=1))
    stopped = await tt.tasks.stop(task.id, at=start + timedelta(minutes=20))
    assert stopped.duration == 20 * 60 and stopped.end_at() == start + timedelta(minutes=20)
    assert (await tt.tasks.close(task.id)).is_archived
    assert not (await tt.tasks.open(task.id)).is_archived
    every = [t.id async for t in tt.tasks.iterate(filter="ALL", page_size=3)]
    assert task.id in every and len(every) == len(set(every))
    await tt.tasks.delete(task.id, delete_all=True)
    with pytest.raises(TTNotFound):
        await tt.tasks.get(task.id)


async def test_events(tt: TrackingTimeClient, sim: Any) -> None:
    window = {"from_": date(2000, 1, 1), "to": date(2100, 1, 1)}
    whole = [e.id for e in await tt.events.list(page_size=20000, **window)]
    paged = [e.id async for e in tt.events.iterate(page_size=7, **window)]
    assert sorted(paged) == sorted(whole) and len(paged) == len(set(paged)) > 7

    cursor = (await tt.events.changes()).cursor
    task = (await tt.tasks.list(filter="ACTIVE"))[0]
    start = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # 01:30 EST, the night clocks spring forward
    entry = await tt.events.add(
        start,
        start + timedelta(hours=2),
        zone=ZONE,
        task_id=task.id,
        notes="contract",
        third_party_id="ghl-e-1",
        third_party_service="ghl",
    )
    got = await tt.events.get(entry.id)
    assert got.start_at() == start and got.end_at() == start + timedelta(hours=2)
    assert got.duration == 7200 and got.notes == "contract"
    updated = await tt.events.update(
        entry.id, start=start, end=start + timedelta(hours=3), zone=ZONE, notes="edited"
    )
    assert updated.duration == 3 * 3600 and updated.notes == "edited"
    changes = await tt.events.changes(cursor)
    assert entry.id in {e.id for e in changes.changed}
    assert not (await tt.events.changes(changes.cursor))
    await tt.events.delete(entry.id)
    with pytest.raises(TTNotFound):
        await tt.events.get(entry.id)


async def test_custom_fields_and_enum_options(tt: TrackingTimeClient) -> None:
    slug_field = await tt.custom_fields.by_slug("EVENT_THIRD_PARTY_ID")
    assert slug_field is not None and slug_field.filter_object_class == "event"
    field = await tt.custom_fields.add("Stage", "enum", "task")
    option = await tt.enum_options.add(field.id, "Lead")
    assert option.id in {o.id for o in await tt.enum_options.list(field.id)}
    assert (await tt.enum_options.update(option.id, name="Won")).name == "Won"
    await tt.enum_options.delete(option.id)
    assert (await tt.custom_fields.update(field.id, name="Phase")).name == "Phase"
    await tt.custom_fields.delete(field.id)
    assert field.id not in {f.id for f in await tt.custom_fields.list()}


async def test_event_tags(tt: TrackingTimeClient) -> None:
    tag = await tt.event_tags.add("billing", value="q1", color="red")
    assert tag.id in {t.id for t in await tt.event_tags.list()}
    assert (await tt.event_tags.update(tag.id, name="billing", value="q2")).value == "q2"
    entry = (await tt.events.list(from_=date(2000, 1, 1), to=date(2100, 1, 1), page_size=5))[0]
    await tt.event_tags.save(entry.id, "billing", value="q2")
    await tt.event_tags.remove(entry.id, "billing")
    await tt.event_tags.delete(tag.id)


async def test_webhooks_and_a_verified_delivery(tt: TrackingTimeClient, sim: Any) -> None:
    created = await tt.webhooks.add("https://hooks.example/tt", ["event.created", "task.created"])
    assert created.secret
    assert created.id in {h.id for h in await tt.webhooks.list()}
    assert (await tt.webhooks.get(created.id)).url == "https://hooks.example/tt"
    assert (await tt.webhooks.disable(created.id)).status == "DISABLED"
    assert (await tt.webhooks.enable(created.id)).status == "ENABLED"
    project = (await tt.projects.list())[0]
    task = await tt.tasks.add("Hooked task", project_id=project.id)
    delivery = await _delivery(sim, "task.created")
    WebhookVerifier([created.secret]).verify(delivery.body, delivery.headers)
    [event] = parse_delivery(delivery.body, bridge="b", zone=ZONE)
    assert (event.kind, event.object_id) == ("task.created", str(task.id))
    token = await tt.webhooks.reset_token(created.id)
    assert token != created.secret
    assert not WebhookVerifier([token]).is_valid(delivery.body, delivery.headers)
    await tt.webhooks.delete(created.id)
    assert created.id not in {h.id for h in await tt.webhooks.list()}


async def _delivery(sim: Any, kind: str) -> Any:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [d for d in sim.deliveries if d.event == kind]
        if found:
            return found[-1]
        await anyio.sleep(0.02)
    raise AssertionError(f"no {kind} delivery")


async def test_quirk_flags_and_faults(served: tuple[Any, str], sim: Any, admin: Any) -> None:
    sim.configure(strict_methods=True, http_status_mirrors_envelope=True)
    async with make_client(served[1], AppPassword(admin.app_password)) as tt:
        user = (await tt.users.list())[-1]
        await tt.users.close(user.id)  # PUT, so the HTML-on-POST quirk does not bite
        await tt.users.open(user.id)
        with pytest.raises(TTNotFound):
            await tt.customers.get(999_999_999)
    sim.configure(strict_methods=False, http_status_mirrors_envelope=False)
    sim.set_faults(inband_500_rate=1.0, path_contains="/customers")
    fast = RetryPolicy(max_attempts=2, base_delay=0.0)
    async with make_client(served[1], AppPassword(admin.app_password), retry=fast) as tt:
        with pytest.raises(TTValidationError):
            await tt.customers.list()
    sim.clear_faults()
    sim.set_faults(storm_429_requests=1, retry_after_s=0)
    async with make_client(served[1], AppPassword(admin.app_password)) as tt:
        assert await tt.customers.list()  # one 429, retried
    sim.set_faults(http_429_rate=1.0, retry_after_s=0)
    async with make_client(served[1], AppPassword(admin.app_password), retry=fast) as tt:
        with pytest.raises(TTRateLimited):
            await tt.customers.list()
    sim.clear_faults()


async def test_operations_performed_from_their_declaration(
    tt: TrackingTimeClient, admin: Any
) -> None:
    """The operations only the generic path sends (``invoke``): reads, timers by name,
    comments, billing marks, reports."""
    run = tt.invoke
    project = (await tt.projects.list())[0]
    task = (await tt.tasks.list())[1]
    grouped = await run("users.tasks", {"id": admin.id})
    assert all(group.tasks is not None for group in grouped)
    user = await tt.users.add("Ida", "CO_WORKER", email="ida@example.com")
    promoted = await run("users.update_permissions", {"id": user.id, "role": "PROJECT_MANAGER"})
    assert promoted.role == "PROJECT_MANAGER"
    refs = {"id": user.id, "data": [{"id": project.id}]}
    await run("users.assign_projects", refs)
    await run("users.remove_projects", refs)
    assert project.id in {hit.id for hit in await run("projects.ids", {"filter": "ALL"})}
    hits = await run("projects.search", {"keyword": project.name[:4], "type": "PROJECT"})
    assert project.id in {hit.id for hit in hits}
    favourite = await run("projects.update_preferences", {"id": project.id, "is_favorite": True})
    assert favourite.id == project.id
    made = await tt.task_lists.add(project.id, "Later")
    assert (await run("task_lists.get", {"id": made.id})).name == "Later"
    active = await run("tasks.filter", {"filter": "ACTIVE", "project_id": project.id})
    assert all(t.project_id == project.id for t in active)
    shared = await run("tasks.share", {"name": "Pair", "users": [{"id": admin.id}]})
    assert [u.id for u in await run("tasks.users", {"id": shared.id})] == [admin.id]
    note = await run("task_comments.add", {"id": shared.id, "comment": "Ready"})
    assert [c.id for c in await run("task_comments.list", {"id": shared.id})] == [note.id]
    await run("task_comments.delete", {"task_id": shared.id, "comment_id": note.id})
    assert await run("task_comments.list", {"id": shared.id}) == []
    assert (await run("subtasks.add", {"id": shared.id, "name": "Step"})).name == "Step"
    at = {"date": "2026-01-06 09:00:00", "timezone": "GMT-05:00", "stop_running_task": True}
    running = await run(
        "tasks.track_by_name", {"task_name": task.name, "project_id": task.project_id, **at}
    )
    # Found by name among the admin's active tasks, else made: either way it now runs.
    assert running.end is None and running.task == task.name
    tracking = await run("tasks.filter", {"filter": "TRACKING"})
    assert [t.id for t in tracking] == [running.task_id]
    await tt.tasks.stop(running.task_id)
    window = {"filter": "COMPANY", "from": "2000-01-01", "to": "2100-01-01"}
    count = (await run("events.count", window)).count
    assert count == len(await run("events.flat", window)) > 0
    query = {"query_data": '{"date_range": {"period": "all"}}'}
    assert len(await run("events.filtered", query)) == count
    days = await run("events.summary", {"from": "2000-01-01", "to": "2100-01-01"})
    assert sum(d.worked_hours for d in days) > 0
    found = await run("events.search", {"type": "ByID", "id": running.id})
    assert [e.id for e in found] == [running.id]
    marks = {"data": f'[{{"id": {running.id}}}]'}
    await run("events.billed", marks)
    assert (await tt.events.get(running.id)).is_billed
    await run("events.not_billed", marks)
    assert not (await tt.events.get(running.id)).is_billed
    tag = (await tt.event_tags.list())[0]
    assert (await run("event_tags.get", {"id": tag.id})).name == tag.name
    await run("event_tags.save", {"id": running.id, "name": "x", "value": "1"})
    assert await run("event_tags.values", {"name": "x"}) == ["1"]
    field = (await tt.custom_fields.list())[0]
    assert (await run("custom_fields.get", {"id": field.id})).slug == field.slug
    report = await run("reports.user", {"id": admin.id, "sort_by": "WORKED_HOURS"})
    assert report.user_id == admin.id and report.worked_hours >= report.billable_hours
    hours = [p.worked_hours for p in report.projects]
    assert hours == sorted(hours, reverse=True) and sum(hours) == pytest.approx(
        report.worked_hours, abs=1e-3
    )
    with pytest.raises(TTValidationError, match="sort_by"):
        await run("reports.user", {"id": admin.id, "sort_by": "COLOUR"})


async def test_user_groups_keep_each_user_in_one_group(tt: TrackingTimeClient, admin: Any) -> None:
    run = tt.invoke
    ida = await tt.users.add("Ida", "CO_WORKER", email="ida.groups@example.com")
    design = await run(
        "user_groups.add",
        {"name": "Design", "supervisor_id": admin.id, "users": [{"id": ida.id}]},
    )
    assert design.supervisor_id == admin.id and [u.id for u in design.users] == [ida.id]
    web = await run(
        "user_groups.add",
        {"name": "Web", "supervisor_id": admin.id, "users": [{"id": ida.id, "action": "ADD"}]},
    )
    # Joining the second group took Ida out of the first.
    assert (await run("user_groups.get", {"id": design.id})).users == []
    assert [u.id for u in (await run("user_groups.get", {"id": web.id})).users] == [ida.id]
    archived = await run("user_groups.update", {"id": design.id, "status": "ARCHIVED"})
    assert archived.status == "ARCHIVED"
    active = {g.id for g in await run("user_groups.list", {})}
    assert web.id in active and design.id not in active
    assert design.id in {g.id for g in await run("user_groups.list", {"filter": "ALL"})}
    with pytest.raises(TTValidationError, match="users"):
        await run("user_groups.add", {"name": "Empty", "supervisor_id": admin.id, "users": []})
    await run("user_groups.delete", {"id": web.id})
    with pytest.raises(TTNotFound):
        await run("user_groups.get", {"id": web.id})
    assert await run("user_groups.delete", {"id": web.id}, missing_ok=True) is None


async def test_min_reads_bulk_times_task_search_and_the_csv_export(
    tt: TrackingTimeClient,
) -> None:
    run = tt.invoke
    projects = await tt.projects.list(filter="ALL")
    assert [p.id for p in await run("projects.list_min", {"filter": "ALL"})] == [
        p.id for p in projects
    ]
    project = projects[0]
    assert (await run("projects.get_min", {"id": project.id})).name == project.name
    task = next(t for t in await tt.tasks.list() if t.project_id == project.id)
    hits = await run(
        "tasks.search", {"data": [{"project_name": project.name, "task_name": task.name.upper()}]}
    )
    assert task.id in {hit.id for hit in hits}
    assert await run("tasks.search", {"data": [{"task_name": "no such task anywhere"}]}) == []
    [task_time] = await run("tasks.times", {"data": [{"id": task.id}]})
    assert task_time.accumulated_time == (await tt.tasks.get(task.id)).accumulated_time
    [project_time] = await run("projects.times", {"data": [{"id": project.id}]})
    assert project_time.accumulated_time == (await tt.projects.get(project.id)).accumulated_time
    window = {"filter": "COMPANY", "from": "2000-01-01", "to": "2100-01-01"}
    every = await run("events.list_min", {**window, "billed": "ALL"})
    billed = await run("events.list_min", {**window, "billed": "BILLED"})
    assert {e.id for e in billed} <= {e.id for e in every}
    assert len(every) == (await run("events.count", window)).count > 0
    csv_text = await run("events.export", {**window, "separator": ";"})
    header, *rows = csv_text.strip().split("\n")
    assert header.split(";")[0] == "ID" and len(rows) == len(every)
    with pytest.raises(TTValidationError, match="separator"):
        await run("events.export", {**window, "separator": "|"})


async def test_recent_tasks_sorting_and_merging_projects(
    tt: TrackingTimeClient, admin: Any
) -> None:
    run = tt.invoke
    source = await tt.projects.add("Old site")
    target = await tt.projects.add("New site")
    first = await tt.tasks.add("Audit", project_id=source.id)
    second = await tt.tasks.add("Copy", project_id=source.id)
    await run(
        "events.add",
        {
            "task_id": second.id,
            "start": "2030-01-07 09:00:00",
            "end": "2030-01-07 10:00:00",
            "timezone": "GMT-05:00",
        },
    )
    recent = await run("users.recent_tasks", {"id": admin.id})
    assert recent[0].id == second.id and len({t.id for t in recent}) == len(recent) <= 10
    order = [{"id": second.id, "sort_index": 0}, {"id": first.id, "sort_index": 1}]
    await run("tasks.sort", {"data": order})
    assert (await tt.tasks.get(first.id)).model_extra["list_position"] == 1
    await run("projects.merge", {"id": source.id, "into": target.id})
    assert {t.id for t in await run("tasks.filter", {"project_id": target.id})} >= {
        first.id,
        second.id,
    }
    with pytest.raises(TTNotFound):
        await tt.projects.get(source.id)
    # Repeated, the source is gone: the merge it asked for holds.
    assert (
        await run("projects.merge", {"id": source.id, "into": target.id}, missing_ok=True) is None
    )


async def test_workspace_switch_and_settings(tt: TrackingTimeClient) -> None:
    run = tt.invoke
    switched = await run("teams.switch", {"account_id": 1726})
    assert switched.account_id == 1726 and switched.is_default
    defaults = {team.account_id for team in await tt.teams() if team.is_default}
    assert defaults == {1726}
    await run("teams.switch", {"account_id": 1725})
    renamed = await run(
        "teams.update", {"account_id": 1725, "company": "Acme Works", "can_view_others": False}
    )
    assert renamed.company == "Acme Works"
    assert renamed.model_extra["permissions"]["can_view_others"] is False
    with pytest.raises(TTValidationError, match="company"):
        await run("teams.update", {"account_id": 1725, "company": " "})


async def test_invitations_employee_records_and_the_calendar_feed(
    tt: TrackingTimeClient, admin: Any
) -> None:
    run = tt.invoke
    invited = await tt.users.add("Kay", "CO_WORKER", email="kay@example.com")
    await run("users.resend_invite", {"email": "KAY@example.com"})  # emails match in any case
    with pytest.raises(TTValidationError, match="accepted"):
        await run("users.resend_invite", {"email": admin.email})
    with pytest.raises(TTValidationError, match="no user with the email nobody"):
        await run("users.resend_invite", {"email": "nobody@example.com"})
    record = await run(
        "users.update_employee", {"id": invited.id, "job_title": "Editor", "department": "Web"}
    )
    assert (record.user_id, record.job_title, record.department) == (invited.id, "Editor", "Web")
    await run("users.update_employee", {"id": invited.id, "department": "Print"})
    employee = (await tt.users.get(invited.id)).model_extra["employee"]
    assert employee["job_title"] == "Editor" and employee["department"] == "Print"
    first = (await run("users.reset_icalendar_token", {})).icalendar_feed
    second = (await run("users.reset_icalendar_token", {})).icalendar_feed
    assert first != second
    assert (await tt.users.get(admin.id)).model_extra["icalendar_feed"] == second


async def test_task_import_previews_then_makes_what_is_missing(tt: TrackingTimeClient) -> None:
    run = tt.invoke
    rows = [
        {"task_name": "Wireframes", "project_name": "Atlas", "customer_name": "Globex"},
        {"task_name": "wireframes ", "project_name": "atlas"},
    ]
    preview = await run("tasks.import", {"data": rows, "preview_mode": True})
    assert [(r.task_id, r.is_new) for r in preview] == [(None, True), (None, True)]
    assert "Atlas" not in {p.name for p in await tt.projects.list(filter="ALL")}
    made = await run("tasks.import", {"data": rows})
    # The second row names the same task: the import matches it instead of making a twin.
    assert made[0].is_new and not made[1].is_new and made[0].task_id == made[1].task_id
    project = await tt.projects.get(made[0].project_id)
    assert project.name == "Atlas"
    again = await run("tasks.import", {"data": rows[:1], "preview_mode": True})
    assert (again[0].task_id, again[0].is_new) == (made[0].task_id, False)
    orphan = await tt.tasks.add("Loose end")
    assert orphan.id in {t.id for t in (await run("projects.no_project", {})).tasks}


async def test_a_comment_notifies_the_tasks_people_and_they_mark_it_read(
    served: tuple[Any, str], sim: Any, tt: TrackingTimeClient, admin: Any
) -> None:
    run = tt.invoke
    grace = sim.seeded[1]
    project = (await tt.projects.list())[0]
    task = await tt.tasks.add("Proofs", project_id=project.id, users=[admin.id])
    before = {n.id for n in await run("notifications.list", {})}
    async with make_client(served[1], AppPassword(grace.app_password)) as as_grace:
        await as_grace.invoke("task_comments.add", {"id": task.id, "comment": "Ready?"})
        assert await as_grace.invoke("notifications.list", {}) == []  # the author is not told
    [note] = [n for n in await run("notifications.list", {}) if n.id not in before]
    assert note.task_id == task.id and "Ready?" in (note.text or "") and not note.is_read
    by_project = await run("notifications.list", {"filter": "PROJECT", "id": project.id})
    assert note.id in {n.id for n in by_project}
    assert (await run("notifications.read", {"id": note.id})).is_read
    assert note.id not in {n.id for n in await run("notifications.list", {})}
    assert note.id in {n.id for n in await run("notifications.list", {"include_read": True})}
    unread = [{"id": n.id} for n in await run("notifications.list", {})]
    if unread:
        await run("notifications.read_many", {"data": unread})
    assert await run("notifications.list", {}) == []
    with pytest.raises(TTValidationError, match="50"):
        await run("notifications.read_many", {"data": [{"id": note.id}] * 51})


def test_every_catalog_operation_is_exercised() -> None:
    """Runs last in this module: each catalog entry was sent to the simulator above."""
    if len(CALLED) < 10:
        pytest.skip("run with the whole module to check coverage")
    assert set(OPERATIONS) - CALLED == set()
