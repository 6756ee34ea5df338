"""The GHL client against the GHL simulator, served over a real loopback socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from ghltt.connectors.ghl import (
    DuplicateContact,
    GhlClient,
    InMemoryTokenStore,
    LocationTokenAuth,
    OAuthApp,
    OAuthAuth,
    StaticTokenAuth,
    WebhookVerifier,
)
from ghltt.connectors.http import AuthError, NotFound, ScopeError
from ghltt.sandbox.ghl import GhlSimulator
from tests.support.server import serve_asgi

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def sim() -> GhlSimulator:
    return GhlSimulator()


@pytest.fixture(scope="module")
def base_url(sim: GhlSimulator) -> Iterator[str]:
    with serve_asgi(sim.app) as url:
        yield url


@pytest.fixture
async def ghl(sim: GhlSimulator, base_url: str) -> AsyncIterator[GhlClient]:
    client = GhlClient(
        auth=StaticTokenAuth(sim.sample_token),
        location_id=sim.sample_location_id,
        base_url=base_url,
    )
    yield client
    await client.aclose()


async def _first_contact_id(ghl: GhlClient) -> str:
    async for contact in ghl.contacts.search(page_limit=1):
        return contact.id
    raise AssertionError("the seeded location has no contacts")


async def test_contacts_crud_upsert_and_duplicates(ghl: GhlClient) -> None:
    created = await ghl.contacts.create({"firstName": "Ada", "email": "ada.contract@example.com"})
    assert (await ghl.contacts.get(created.id)).email == "ada.contract@example.com"
    with pytest.raises(DuplicateContact) as info:
        await ghl.contacts.create({"email": "ada.contract@example.com"})
    assert info.value.contact_id == created.id
    upserted = await ghl.contacts.upsert({"email": "ada.contract@example.com", "lastName": "L"})
    assert not upserted.new and upserted.contact.id == created.id
    assert (await ghl.contacts.update(created.id, {"city": "Paris"})).city == "Paris"
    dup = await ghl.contacts.find_duplicate(email="ada.contract@example.com")
    assert dup is not None and dup.id == created.id
    assert await ghl.contacts.delete(created.id)
    with pytest.raises(NotFound):
        await ghl.contacts.get(created.id)


async def test_search_and_deprecated_list_page_through_everything(ghl: GhlClient) -> None:
    searched = [c.id async for c in ghl.contacts.search(page_limit=3)]
    listed = [c.id async for c in ghl.contacts.list_all(limit=4)]
    assert len(searched) == len(set(searched)) and len(listed) == len(set(listed))
    assert set(searched) == set(listed) and len(searched) >= 5


async def test_tags_followers_bulk(ghl: GhlClient, sim: GhlSimulator) -> None:
    cid = await _first_contact_id(ghl)
    assert "contract-vip" in (await ghl.tags.add(cid, ["contract-vip"])).tags
    assert "contract-vip" not in (await ghl.tags.remove(cid, ["contract-vip"])).tags
    assert (await ghl.tags.bulk("add", [cid], ["bulk-x"])).succeded
    assert (await ghl.tags.bulk("remove", [cid], ["bulk-x"])).succeded
    user = (await ghl.users.list_for_location())[0]
    assert user.id in (await ghl.followers.add(cid, [user.id])).followers
    assert user.id not in (await ghl.followers.remove(cid, [user.id])).followers


async def test_campaigns_and_workflows(ghl: GhlClient, sim: GhlSimulator) -> None:
    cid = await _first_contact_id(ghl)
    campaign = next(iter(sim.state.campaigns))
    workflow = next(iter(sim.state.workflows))
    assert await ghl.campaigns.add(cid, campaign)
    assert await ghl.campaigns.remove(cid, campaign)
    assert await ghl.campaigns.remove_all(cid)
    assert await ghl.workflows.add(cid, workflow)
    assert await ghl.workflows.remove(cid, workflow)


async def test_tasks_and_notes(ghl: GhlClient) -> None:
    cid = await _first_contact_id(ghl)
    task = await ghl.tasks.create(cid, {"title": "Call", "dueDate": "2026-10-25T11:00:00Z"})
    assert (await ghl.tasks.get(cid, task.id)).title == "Call"
    assert (await ghl.tasks.update(cid, task.id, {"title": "Call back"})).title == "Call back"
    assert (await ghl.tasks.set_completed(cid, task.id)).completed is True
    assert task.id in [t.id async for t in ghl.tasks.iterate(cid)]
    assert await ghl.tasks.delete(cid, task.id)
    note = await ghl.notes.create(cid, {"body": "hello"})
    assert (await ghl.notes.get(cid, note.id)).body == "hello"
    assert (await ghl.notes.update(cid, note.id, {"body": "bye"})).body == "bye"
    assert note.id in [n.id for n in await ghl.notes.list_for(cid)]
    assert await ghl.notes.delete(cid, note.id)


async def test_appointments(ghl: GhlClient, sim: GhlSimulator) -> None:
    cid = await _first_contact_id(ghl)
    calendar_id = next(iter(sim.state.calendars))
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    created = await ghl.appointments.create(
        {"calendarId": calendar_id, "contactId": cid, "startTime": start.isoformat(),
         "endTime": (start + timedelta(minutes=30)).isoformat(), "title": "Kickoff",
         "ignoreFreeSlotValidation": True}
    )  # fmt: skip
    assert (await ghl.appointments.get(created.id)).title == "Kickoff"
    assert (await ghl.appointments.update(created.id, {"title": "Kick"})).title == "Kick"
    events = await ghl.appointments.list_events(
        start=start - timedelta(days=1), end=start + timedelta(days=1), calendar_id=calendar_id
    )
    assert created.id in [e.id for e in events]
    assert created.id in [e.id for e in await ghl.contacts.appointments(cid)]
    assert await ghl.appointments.delete(created.id)


async def test_businesses(ghl: GhlClient) -> None:
    business = await ghl.businesses.create({"name": "Contract Co"})
    assert (await ghl.businesses.get(business.id)).name == "Contract Co"
    assert (await ghl.businesses.update(business.id, {"city": "Lyon"})).city == "Lyon"
    assert business.id in [b.id async for b in ghl.businesses.iterate(page_size=2)]
    cid = await _first_contact_id(ghl)
    assert cid in await ghl.contacts.set_business([cid], business.id)
    assert cid in [c.id for c in await ghl.contacts.list_by_business(business.id)]
    await ghl.contacts.set_business([cid], None)
    assert await ghl.businesses.delete(business.id)


async def test_custom_fields_and_users(ghl: GhlClient, sim: GhlSimulator) -> None:
    fields = (await ghl.custom_fields.list_by_object("contact")).fields
    assert fields
    assert (await ghl.custom_fields.get(fields[0].id)).id == fields[0].id
    key = fields[0].field_key or ""
    assert (await ghl.custom_fields.get_by_key(key.removeprefix("contact."))) is not None
    users = await ghl.users.list_for_location()
    assert (await ghl.users.get(users[0].id)).id == users[0].id
    found = await ghl.users.search(company_id=sim.sample.company_id)
    assert {u.id for u in users} <= {u.id for u in found}


async def test_scope_and_auth_errors(sim: GhlSimulator, base_url: str) -> None:
    narrow = sim.create_token(scopes=["contacts.readonly"]).token
    async with GhlClient(
        auth=StaticTokenAuth(narrow), location_id=sim.sample_location_id, base_url=base_url
    ) as ghl:
        with pytest.raises(ScopeError):
            await ghl.contacts.create({"email": "nope@example.com"})
    async with GhlClient(
        auth=StaticTokenAuth("pit-00000000-0000-0000-0000-000000000000"),
        location_id=sim.sample_location_id,
        base_url=base_url,
    ) as ghl:
        with pytest.raises(AuthError) as info:
            await ghl.contacts.get("x")
        assert "pit-0000" not in str(info.value)


async def test_budget_follows_the_simulator_headers(sim: GhlSimulator, ghl: GhlClient) -> None:
    await ghl.users.list_for_location()
    assert ghl.budget.limit == sim.config.rate_limit_burst
    assert ghl.budget.window == sim.config.rate_limit_window_ms / 1000


async def test_oauth_refresh_and_location_token(sim: GhlSimulator, base_url: str) -> None:
    s = sim.sample
    redirect = sim.oauth.authorize(
        {
            "response_type": "code",
            "client_id": s.oauth_client_id,
            "redirect_uri": s.oauth_redirect_uri,
        }
    )
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    app = OAuthApp(s.oauth_client_id, s.oauth_client_secret, base_url=base_url)
    tokens = await app.exchange_code(code, redirect_uri=s.oauth_redirect_uri)
    store = InMemoryTokenStore(tokens)
    auth = OAuthAuth(store, app)
    async with GhlClient(auth=auth, location_id=sim.sample_location_id, base_url=base_url) as ghl:
        await ghl.users.list_for_location()
        sim.expire_token(tokens.access_token.get_secret_value())
        await ghl.users.list_for_location()  # 401 → one refresh → retried
        assert auth.refreshes == 1 and store.tokens is not None
        assert store.tokens.refresh_token != tokens.refresh_token
    # Agency PIT → location token.
    agency = StaticTokenAuth(s.agency_token)
    location = LocationTokenAuth(
        agency, app, company_id=s.company_id, location_id=sim.sample_location_id
    )
    async with GhlClient(
        auth=location, location_id=sim.sample_location_id, base_url=base_url
    ) as ghl:
        assert await ghl.users.list_for_location()
    installed = await app.installed_locations(await agency.authorization(), company_id=s.company_id)
    assert sim.sample_location_id in [loc.get("_id", loc.get("id")) for loc in installed]
    await app.aclose()


async def test_simulator_webhooks_verify(sim: GhlSimulator) -> None:
    from ghltt.sandbox.ghl.webhooks import encode

    payload = {"type": "ContactUpdate", "locationId": sim.sample_location_id, "id": "c1",
               "timestamp": datetime.now(UTC).isoformat(), "webhookId": "w-1"}  # fmt: skip
    body = encode(payload)
    verifier = WebhookVerifier(
        ed25519_public_keys=[sim.ed25519_public_pem], rsa_public_keys=[sim.rsa_public_pem]
    )
    event = verifier.parse(body, sim.webhooks.sign(body))
    assert event.kind == "contact.updated" and event.dedup_key == "ghl:w-1"
    assert verifier.verify(body, {"x-wh-signature": sim.keys.sign_rsa(body)})
