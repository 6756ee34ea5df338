"""The GHL half of the catalog's contract: every GHL action runs its declared example against
the simulator over a real socket, and its answer matches the schema its declaration gives.
An action without an example fails here; so does an example the simulator refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import sqlalchemy as sa
from pydantic import TypeAdapter

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth, operation
from ghltt.connectors.ghl.operations import _sample
from ghltt.connectors.trackingtime import AppPassword, TrackingTimeClient
from ghltt.engine.catalog import ACTIONS, call_action
from ghltt.engine.context import BridgeContext, Repositories
from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from ghltt.sandbox.ghl.sample_ids import SAMPLE_IDS
from ghltt.store import open_database, upgrade
from tests.support.ghl_specs import spec_key, versions
from tests.support.server import serve_asgi

pytestmark = pytest.mark.anyio

GHL_ACTIONS = sorted(name for name in ACTIONS if name.startswith("ghl."))
SIM = GhlSimulator(GhlSimulatorConfig(seed=3))
SPEC_VERSIONS = versions()


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serve_asgi(SIM.app) as url:
        yield url


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    path: Path = tmp_path_factory.mktemp("contract") / "ghltt.db"
    engine = open_database(f"sqlite:///{path}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
async def ctx(served: str, store: sa.Engine) -> AsyncIterator[BridgeContext]:
    # The sample's location API key holds every scope, and is the same after each reset.
    ghl = GhlClient(
        auth=StaticTokenAuth(SIM.sample.location_api_key),
        location_id=SIM.sample_location_id,
        base_url=served,
    )
    tt = TrackingTimeClient(AppPassword("unused"), account_id=1, base_url="http://127.0.0.1:9")
    context = BridgeContext(
        bridge_id="contract", mode="live", ghl=ghl, tt=tt, repos=Repositories.of(store),
        now=datetime.now(UTC),
    )  # fmt: skip
    yield context
    await context.aclose()


def _output_schema(name: str) -> dict[str, Any]:
    declared = operation(name).output
    if declared is None:
        return {"type": "object"}
    if declared is bool:
        return {"type": "boolean"}
    return TypeAdapter(declared).json_schema(mode="serialization", by_alias=True)


def test_the_catalog_has_at_least_130_ghl_actions() -> None:
    assert len(GHL_ACTIONS) >= 130


def test_examples_name_the_sandbox_sample_records() -> None:
    assert {k: v for k, v in SAMPLE_IDS.items() if k in _sample.AS_DICT} == _sample.AS_DICT
    assert SIM.sample_location_id == _sample.LOCATION


@pytest.mark.parametrize("name", GHL_ACTIONS)
async def test_action_runs_its_example(ctx: BridgeContext, name: str) -> None:
    declared = operation(name.removeprefix("ghl."))
    assert declared.example is not None, f"{name} declares no example"
    assert declared.summary, f"{name} declares no summary"
    action = ACTIONS[name]
    example = dict(declared.example)
    if action.inputs is not None:
        missing = [k for k, v in action.inputs.items() if v.required and k not in example]
        assert not missing, f"{name}: the example lacks required inputs {missing}"
        unknown = sorted(set(example) - set(action.inputs))
        assert not unknown, f"{name}: the example has inputs the action does not take {unknown}"
    SIM.reset()
    answer = await call_action(ctx, name, example)
    jsonschema_rs.validate(_output_schema(declared.name), answer)
    if declared.writes:
        assert SIM.request_log()[-1]["method"] == declared.method
    # On the wire, each request carries the Version its operation's own spec file declares
    # (calendars and conversations 2021-04-15, most others 2021-07-28).
    wanted = SPEC_VERSIONS.get(spec_key(declared, SPEC_VERSIONS))
    sent = {entry["version"] for entry in SIM.request_log()}
    assert sent == {declared.version}, f"{name} sent {sent}"
    assert wanted is None or declared.version in wanted, f"{name}: the spec says {wanted}"
