"""The realistic sample account, built deterministically from a seed and the clock's now."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ghltt.sandbox.trackingtime.state import (
    ADMIN,
    CO_WORKER,
    PROJECT_MANAGER,
    Account,
    Customer,
    CustomField,
    EnumOption,
    Event,
    EventTag,
    Membership,
    Notification,
    Project,
    Service,
    State,
    Task,
    TaskList,
    User,
)

SAMPLE_ACCOUNT_ID = 1725
SECOND_ACCOUNT_ID = 1726


@dataclass(frozen=True)
class SeededUser:
    id: int
    email: str
    password: str
    app_password: str
    role: str


def secret(rng: random.Random, prefix: str, length: int = 32) -> str:
    return prefix + "".join(rng.choice("abcdef0123456789") for _ in range(length))


def make_user(
    state: State,
    account: Account,
    *,
    name: str,
    surname: str,
    email: str,
    role: str,
    now: datetime,
    status: str = "VERIFIED",
    password: str | None = None,
    app_password: str | None = None,
    timezone: str | None = None,
    rng: random.Random | None = None,
) -> User:
    """A new user in ``account`` (or a new membership when the email is already known)."""
    rng = rng or random.Random(f"{email}:{state.counters['user']}")
    user = state.user_by_email(email)
    if user is None:
        user = User(
            id=state.next_id("user"),
            name=name,
            surname=surname,
            email=email,
            password=password,
            token=secret(rng, ""),
            created_at=now,
            default_account_id=account.id,
            timezone=timezone,
            color_index=state.counters["user"] % 24,
        )
        state.users[user.id] = user
    if app_password:
        user.app_passwords.append(app_password)
    user.memberships[account.id] = Membership(
        account_id=account.id, role=role, created_at=now, status=status
    )
    return user


def seed_sample(state: State, now: datetime, seed: int) -> list[SeededUser]:
    """Two accounts, three users, customers, services, projects, tasks and weeks of events."""
    rng = random.Random(seed)
    created = now - timedelta(days=400)
    main = Account(
        id=state.next_id("account"),
        company="Acme Studio",
        timezone="America/New_York",
        owner_id=0,
        token=secret(rng, ""),
        created_at=created,
    )
    labs = Account(
        id=state.next_id("account"),
        company="Acme Labs",
        timezone="Europe/Madrid",
        owner_id=0,
        token=secret(rng, ""),
        created_at=created,
    )
    state.accounts[main.id] = main
    state.accounts[labs.id] = labs

    people = [
        ("Ada", "Lovelace", "ada@example.com", ADMIN, None),
        ("Grace", "Hopper", "grace@example.com", PROJECT_MANAGER, None),
        ("Linus", "Pauling", "linus@example.com", CO_WORKER, "Europe/Madrid"),
    ]
    seeded: list[SeededUser] = []
    users: list[User] = []
    for name, surname, email, role, home in people:
        password = f"{name.lower()}-password"
        app_password = secret(rng, "ttapp_")
        user = make_user(
            state,
            main,
            name=name,
            surname=surname,
            email=email,
            role=role,
            now=created,
            password=password,
            app_password=app_password,
            timezone=home,
            rng=rng,
        )
        user.memberships[main.id].hourly_rate = {ADMIN: 120, PROJECT_MANAGER: 95}.get(role, 60)
        user.memberships[main.id].hourly_cost = {ADMIN: 70, PROJECT_MANAGER: 55}.get(role, 35)
        users.append(user)
        seeded.append(SeededUser(user.id, email, password, app_password, role))
    ada, grace, linus = users
    main.owner_id = ada.id
    labs.owner_id = ada.id
    ada.memberships[labs.id] = Membership(account_id=labs.id, role=ADMIN, created_at=created)

    _custom_fields(state, main, created)
    _custom_fields(state, labs, created)
    for name, color in (("overtime", "#e53935"), ("meeting", "#1e88e5")):
        tag = EventTag(id=state.next_id("tag"), account_id=main.id, name=name, color=color)
        state.tags[tag.id] = tag

    def customer(name: str, archived: bool = False) -> Customer:
        c = Customer(
            id=state.next_id("customer"),
            account_id=main.id,
            name=name,
            created_at=created,
            is_archived=archived,
            color_index=len(state.customers) * 7 % 24,
            contact_email=f"billing@{name.split()[0].lower()}.example.com",
        )
        state.customers[c.id] = c
        return c

    globex = customer("Globex Corporation")
    initech = customer("Initech")
    umbrella = customer("Umbrella Health", archived=True)
    design = Service(
        id=state.next_id("service"),
        account_id=main.id,
        name="Design",
        created_at=created,
        hourly_rate=110,
    )
    dev = Service(
        id=state.next_id("service"),
        account_id=main.id,
        name="Development",
        created_at=created,
        hourly_rate=130,
    )
    state.services[design.id] = design
    state.services[dev.id] = dev

    today = now.astimezone(ZoneInfo(main.timezone)).date()

    def project(name: str, c: Customer | None, **kw: object) -> Project:
        p = Project(
            id=state.next_id("project"),
            account_id=main.id,
            name=name,
            created_at=created + timedelta(days=len(state.projects)),
            customer_id=c.id if c else None,
            user_ids={ada.id, grace.id, linus.id},
            **kw,  # type: ignore[arg-type]
        )
        state.projects[p.id] = p
        return p

    website = project(
        "Website Redesign",
        globex,
        service_id=design.id,
        estimated_time=120.0,
        start_date=today - timedelta(days=35),
        delivery_date=today + timedelta(days=21),
        color="#43a047",
        hourly_rate=110.0,
        notes="Phase 2 of the Globex site",
    )
    mobile = project(
        "Mobile App",
        initech,
        service_id=dev.id,
        estimated_time=300.0,
        start_date=today - timedelta(days=28),
        delivery_date=today + timedelta(days=60),
        color="#8e24aa",
        hourly_rate=130.0,
    )
    internal = project("Internal Ops", None, is_public=True, is_billable=False, estimated_time=0)
    legacy = project(
        "Legacy Migration",
        umbrella,
        estimated_time=80.0,
        is_archived=True,
        delivery_date=today - timedelta(days=90),
        end_date=today - timedelta(days=90),
    )
    legacy.closed_at = now - timedelta(days=90)
    website.favorite_of.add(grace.id)

    # Task lists stand in for milestones (§7.10: the API has none).
    lists: dict[tuple[int, str], TaskList] = {}
    for p, names in ((website, ("Discovery", "Build", "Launch")), (mobile, ("MVP", "Beta"))):
        for index, list_name in enumerate(names):
            tl = TaskList(
                id=state.next_id("task_list"),
                account_id=main.id,
                project_id=p.id,
                name=list_name,
                index=index,
                created_at=created,
            )
            state.task_lists[tl.id] = tl
            lists[(p.id, list_name)] = tl

    def task(
        name: str,
        p: Project,
        owners: list[User],
        est: float,
        list_name: str | None = None,
        due: int | None = None,
        archived: bool = False,
    ) -> Task:
        tl = lists.get((p.id, list_name)) if list_name else None
        t = Task(
            id=state.next_id("task"),
            account_id=main.id,
            name=name,
            created_at=created + timedelta(days=30 + len(state.tasks)),
            created_by=grace.id,
            project_id=p.id,
            type="EVERYONE" if len(owners) > 1 else "PERSONAL",
            estimated_time=est,
            list_id=tl.id if tl else None,
            due_date=today + timedelta(days=due) if due is not None else None,
            is_archived=archived,
            assignees={u.id: created + timedelta(days=30) for u in owners},
        )
        if archived:
            t.closed_at = now - timedelta(days=10)
        state.tasks[t.id] = t
        return t

    tasks = [
        task("Wireframes", website, [grace], 16, "Discovery", archived=True),
        task("Homepage build", website, [linus, ada], 40, "Build", due=7),
        task("Content migration", website, [linus], 24, "Launch", due=18),
        task("API integration", mobile, [ada, linus], 60, "MVP", due=14),
        task("Push notifications", mobile, [linus], 20, "Beta", due=45),
        task("Weekly planning", internal, [ada, grace, linus], 0),
        task("Data export", legacy, [grace], 30, archived=True),
    ]
    labs_project = Project(
        id=state.next_id("project"),
        account_id=labs.id,
        name="Research",
        created_at=created,
        user_ids={ada.id},
    )
    state.projects[labs_project.id] = labs_project
    labs_task = Task(
        id=state.next_id("task"),
        account_id=labs.id,
        name="Prototype",
        created_at=created,
        created_by=ada.id,
        project_id=labs_project.id,
        assignees={ada.id: created},
    )
    state.tasks[labs_task.id] = labs_task

    # Events on weekdays over the last four weeks, in each user's own zone.
    for user in users:
        zone = ZoneInfo(user.timezone or main.timezone)
        mine = [t for t in tasks if user.id in t.assignees]
        local_today = now.astimezone(zone).date()
        for back in range(28, 0, -1):
            day = local_today - timedelta(days=back)
            if day.weekday() >= 5:
                continue
            start = datetime.combine(day, time(9, 0), tzinfo=zone) + timedelta(
                minutes=rng.choice((0, 15, 30))
            )
            for _ in range(rng.choice((1, 2, 2))):
                t = rng.choice(mine)
                minutes = rng.choice((30, 45, 60, 90, 120, 180))
                end = start + timedelta(minutes=minutes)
                ev = Event(
                    id=state.next_id("event"),
                    account_id=main.id,
                    user_id=user.id,
                    task_id=t.id,
                    project_id=t.project_id,
                    start=start.astimezone(UTC),
                    end=end.astimezone(UTC),
                    zone=zone.key,
                    created_at=end.astimezone(UTC),
                    updated_at=end.astimezone(UTC),
                    notes=rng.choice((None, "Standup", "Review", "Pairing", "Fixes")),
                    is_billable=t.project_id != internal.id,
                )
                state.events[ev.id] = ev
                start = end + timedelta(minutes=rng.choice((15, 30, 60)))
    labs_zone = ZoneInfo(labs.timezone)
    for back in (3, 2, 1):
        day = now.astimezone(labs_zone).date() - timedelta(days=back)
        start = datetime.combine(day, time(15, 0), tzinfo=labs_zone)
        ev = Event(
            id=state.next_id("event"),
            account_id=labs.id,
            user_id=ada.id,
            task_id=labs_task.id,
            project_id=labs_project.id,
            start=start,
            end=start + timedelta(hours=1),
            zone=labs_zone.key,
            created_at=start + timedelta(hours=1),
        )
        state.events[ev.id] = ev
    # One unread notification for Ada: Grace commented on a task of hers.
    told = next(t for t in tasks if ada.id in t.assignees)
    note = Notification(
        id=state.next_id("notification"),
        account_id=main.id,
        user_id=ada.id,
        kind="COMMENT",
        text=f"Grace Hopper commented on {told.name}: Can we ship this on Friday?",
        created_at=now - timedelta(hours=2),
        by_user_id=grace.id,
        task_id=told.id,
        project_id=told.project_id,
    )
    state.notifications[note.id] = note
    return seeded


def _custom_fields(state: State, account: Account, created: datetime) -> None:
    index = 0

    def add(name: str, value_type: str, cls: str, slug: str | None = None) -> CustomField:
        nonlocal index
        index += 1
        cf = CustomField(
            id=state.next_id("custom_field"),
            account_id=account.id,
            name=name,
            value_type=value_type,
            filter_object_class=cls,
            created_at=created,
            cf_index=index,
            slug=slug,
            is_object_default=slug is not None,
        )
        state.custom_fields[cf.id] = cf
        return cf

    # System slugs holding third-party ids (EVENT_* per DISC/N8N; the rest [INFERRED]).
    for cls in ("event", "task", "project", "customer"):
        add("Third-party ID", "text", cls, f"{cls.upper()}_THIRD_PARTY_ID")
        add("Third-party service", "text", cls, f"{cls.upper()}_THIRD_PARTY_SERVICE")
    billing = add("Billing code", "enum", "event")
    for i, option in enumerate(("Retainer", "Fixed fee", "Hourly")):
        eo = EnumOption(
            id=state.next_id("enum_option"), custom_field_id=billing.id, name=option, index=i
        )
        state.enum_options[eo.id] = eo
    add("PO number", "text", "project")
