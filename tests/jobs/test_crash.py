"""SIGKILL, then restart: runs complete, completed steps never run twice, acks are never lost."""

from __future__ import annotations

import asyncio
import collections
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.core import Event, EventSource
from ghltt.store import InboxRepository, RunRepository, insert_new, open_database, upgrade
from ghltt.store.tokens import token_file
from tests.jobs.conftest import wait_for
from tests.support import process
from tests.support.server import free_port

pytestmark = pytest.mark.slow


def _journal(path: Path) -> collections.Counter[str]:
    return (
        collections.Counter(path.read_text().splitlines())
        if path.exists()
        else collections.Counter()
    )


def test_a_run_killed_mid_way_completes_after_restart_without_repeating_steps(
    database_url: str, tmp_path: Path
) -> None:
    db = open_database(database_url)
    upgrade(db)
    journal, release = tmp_path / "journal", tmp_path / "release"
    events = [
        Event(
            bridge="b1",
            source=EventSource.MANUAL,
            kind="test.multistep",
            dedup_key=f"manual:crash-{i}",
            payload={
                "journal": str(journal),
                "steps": 3,
                "hold_step": 1,
                "release": str(release),
            },
        )
        for i in range(3)
    ]
    with db.begin() as conn:
        insert_new(conn, events)
    env = process.ghltt_env(tmp_path / "data", database_url)
    log = tmp_path / "worker.log"
    worker = process.start(["worker"], env, log)
    try:
        wait_for(
            lambda: all(_journal(journal)[f"start {e.id} 1"] == 1 for e in events),
            what="every run to reach its second step",
        )
        process.kill9(worker)
        release.touch()
        worker = process.start(["worker"], env, log)
        inbox = InboxRepository(db)
        wait_for(lambda: inbox.count(processed=True) == 3, what="the runs to complete")
    finally:
        process.stop(worker)
    seen = _journal(journal)
    for e in events:
        assert seen[f"start {e.id} 0"] == 1, "a completed step ran again"
        assert seen[f"done {e.id} 0"] == 1
        assert seen[f"done {e.id} 1"] == 1
        assert seen[f"done {e.id} 2"] == 1
        assert inbox.get(e.id).outcome == "applied"  # type: ignore[union-attr]
    db.dispose()


def test_a_batch_killed_mid_way_resumes_after_its_last_ended_run(
    database_url: str, tmp_path: Path
) -> None:
    """A batch's runs are their own checkpoints: after a kill, the runs that ended are not
    run again, the one under way runs again, and no run is recorded twice."""
    db = open_database(database_url)
    upgrade(db)
    journal, release = tmp_path / "journal", tmp_path / "release"
    payload = {"journal": str(journal), "steps": 1}
    events = sorted(
        (
            Event(
                bridge="b1",
                source=EventSource.MANUAL,
                kind="test.multistep",
                dedup_key=f"manual:batch-{i}",
                object_type="contact",
                object_id=f"r{i}",
                payload=payload,
            )
            for i in range(4)
        ),
        key=lambda e: e.id,  # one receipt time: their ids give the batch's order
    )
    holding = {**payload, "hold_step": 0, "release": str(release)}
    events[2] = events[2].model_copy(update={"payload": holding})
    with db.begin() as conn:
        insert_new(conn, events)
    env = process.ghltt_env(tmp_path / "data", database_url)
    log = tmp_path / "worker.log"
    worker = process.start(["worker"], env, log)
    inbox = InboxRepository(db)
    try:
        wait_for(lambda: _journal(journal)[f"start {events[2].id} 0"] == 1, what="the third run")
        process.kill9(worker)
        release.touch()
        worker = process.start(["worker"], env, log)
        wait_for(lambda: inbox.count(processed=True) == 4, what="the batch to complete")
    finally:
        process.stop(worker)
    seen = _journal(journal)
    for e in events[:2]:
        assert seen[f"start {e.id} 0"] == 1, "a run that ended ran again"
    assert seen[f"start {events[2].id} 0"] == 2  # under way at the kill: run again
    assert all(seen[f"done {e.id} 0"] == 1 for e in events)
    assert all(inbox.get(e.id).outcome == "applied" for e in events)  # type: ignore[union-attr]
    runs = RunRepository(db)
    assert runs.count() == 4 and runs.count("succeeded") == 4
    db.dispose()


async def _burst(port: int, token: str, acked: list[str], stop_after: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    sent = 0

    async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:

        async def sender() -> None:
            nonlocal sent
            while len(acked) < stop_after:
                sent += 1
                body = {"kind": "contact.updated", "dedup_key": f"burst-{sent}"}  # no bridge
                try:
                    response = await client.post("/api/events", json=body, headers=headers)
                except httpx2.HTTPError:
                    return  # the server died: whatever was not acknowledged may be lost
                if response.status_code == 202:
                    acked.append(response.json()["accepted"][0]["event_id"])

        await asyncio.gather(*(sender() for _ in range(32)))


def test_no_acknowledged_event_is_lost_when_the_server_is_killed_in_a_burst(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    data_dir = tmp_path / "data"
    env = process.ghltt_env(data_dir, database_url, port)
    log = tmp_path / "serve.log"
    server = process.start(["serve"], env, log)
    acked: list[str] = []
    try:
        process.wait_healthy(port, server)
        token = token_file(data_dir).read_text().strip()

        async def burst_then_kill() -> None:
            task = asyncio.create_task(_burst(port, token, acked, stop_after=10_000))
            while len(acked) < 300:
                assert not task.done(), "the burst ended before 300 events were acknowledged"
                await asyncio.sleep(0.01)
            process.kill9(server)  # mid-burst: 32 requests are in flight
            await task

        asyncio.run(burst_then_kill())
        db = open_database(database_url)
        with db.connect() as conn:
            stored = {r[0] for r in conn.execute(sa.text("SELECT id FROM inbox_events"))}
        missing = set(acked) - stored
        assert not missing, f"{len(missing)} acknowledged events were lost"
        server = process.start(["serve"], env, log)
        process.wait_healthy(port, server)
        inbox = InboxRepository(db)
        wait_for(lambda: not inbox.undispatched(1), what="every event to get a run")
        db.dispose()
    finally:
        process.stop(server)
