"""Fixtures of the import tests: accounts filled straight into the simulators' state (the
import reads them through the APIs), an import runner, what each side holds afterwards."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ghltt.engine.context import BridgeContext
from ghltt.engine.imports import Filters, Importer, create_import
from ghltt.engine.recipes import SyncRecipe
from ghltt.engine.recipes.templates import load_template
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.sandbox.trackingtime.state import Customer
from ghltt.store.imports import ImportRecord, ImportRepository
from ghltt.store.links import LinkRepository
from tests.engine.conftest import BRIDGE, CATALOG

BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def sync_recipe(name: str) -> SyncRecipe:
    recipe = load_template(name, CATALOG)
    assert isinstance(recipe, SyncRecipe)
    return recipe


def contacts_recipe() -> SyncRecipe:
    return sync_recipe("contacts")


def email(i: int) -> str:
    return f"person{i}@example.com"


def add_contacts(
    sim: GhlSimulator, numbers: range, *, at: datetime = BASE, **fields: Any
) -> list[dict[str, Any]]:
    """Contacts ``person<i>``, changed a millisecond apart from ``at``."""
    made = []
    for i in numbers:
        stamp = (at + timedelta(milliseconds=i)).isoformat(timespec="milliseconds")
        record = {
            "id": f"imp{i:06d}{sim.ids.alnum()[:10]}",
            "locationId": sim.sample_location_id,
            "firstName": f"Person{i}",
            "lastName": "Imported",
            "email": email(i),
            "phone": f"+1555{i:07d}",
            "dateAdded": stamp.replace("+00:00", "Z"),
            "dateUpdated": stamp.replace("+00:00", "Z"),
            "type": "lead",
            "tags": [],
            "customFields": [],
            "followers": [],
            "additionalEmails": [],
            **fields,
        }
        sim.state.contacts[record["id"]] = record
        made.append(record)
    return made


def add_customers(sim: TrackingTimeSimulator, numbers: range) -> list[Customer]:
    """Customers ``Person<i> Imported`` with ``person<i>``'s email."""
    made = []
    for i in numbers:
        customer = Customer(
            id=sim.state.next_id("customer"),
            account_id=sim.account_id,
            name=f"Person{i} Imported",
            contact_name=f"Person{i} Imported",
            contact_email=email(i),
            created_at=BASE,
            updated_at=BASE + timedelta(seconds=i),
        )
        sim.state.customers[customer.id] = customer
        made.append(customer)
    return made


def tt_customers(sim: TrackingTimeSimulator) -> list[Customer]:
    return [c for c in sim.state.customers.values() if c.account_id == sim.account_id]


def ghl_contacts(sim: GhlSimulator) -> list[dict[str, Any]]:
    return sim.state.contacts_of(sim.sample_location_id)


def duplicates(values: list[Any]) -> dict[Any, int]:
    return {v: n for v, n in Counter(values).items() if v and n > 1}


def links(db: sa.Engine) -> list[tuple[str, str]]:
    return [(k.ghl_id, k.tt_id) for k in LinkRepository(db).all(BRIDGE, "contact", "customer")]


async def run_import(
    ctx: BridgeContext,
    db: sa.Engine,
    directions: tuple[str, ...],
    *,
    plan_only: bool = False,
    filters: Filters | None = None,
    catch_up: bool = False,
    page_size: int = 100,
    recipe: str = "contacts",
) -> ImportRecord:
    repo = ImportRepository(db)
    record = create_import(
        repo,
        BRIDGE,
        sync_recipe(recipe),
        directions,
        filters or Filters(),
        plan_only=plan_only,
        catch_up=catch_up,
    )
    return await Importer(ctx, sync_recipe(recipe), repo, record, page_size=page_size).run()


@pytest.fixture
def fast_limits(ghl_sim: GhlSimulator) -> None:
    """The location's budget raised (the client learns it from the headers), so that a few
    hundred writes do not wait ten seconds per hundred."""
    ghl_sim.set_rate_limits(burst=100_000, window_ms=10_000, daily=10_000_000)
