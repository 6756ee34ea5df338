"""``ghltt backup`` and ``ghltt restore``: a round trip through a real, running ghltt."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import InboxRepository, migrate, open_database
from tests.support import process
from tests.support.server import free_port, serve_asgi


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_while_serving_then_wipe_and_restore(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store_url = f"sqlite:///{data / 'ghltt.sqlite'}"
    tt = TrackingTimeSimulator()
    port = free_port()
    with serve_asgi(tt.app) as tt_url:
        env = process.ghltt_env(data, store_url, port, GHLTT_TT_BASE_URL=tt_url + "/api/v4")

        def ghltt(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "ghltt", *args],
                env=env,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=120,
            )

        def ok(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
            done = ghltt(*args, stdin=stdin)
            assert done.returncode == 0, done.stderr
            return done

        # A connection in the vault and an event in the inbox, with ghltt running.
        ok("db", "upgrade")
        password = str(tt.credentials()[0]["app_password"])
        ok("connect", "tt", "--label", "team", "--stdin", stdin=password + "\n")
        server = process.start(["serve"], env, tmp_path / "serve.log")
        try:
            process.wait_healthy(port, server)
            payload = json.dumps({"journal": str(tmp_path / "journal"), "steps": 1})
            sent = ok("events", "send", "--kind", "test.multistep", "--payload", payload)
            event_id = sent.stdout.split("accepted as event")[1].strip()
            # The executor has run it (so its jobs database exists) before the backup.
            deadline = time.monotonic() + 60
            while not (tmp_path / "journal").exists():
                assert time.monotonic() < deadline, "the event never ran"
                time.sleep(0.1)

            backup = tmp_path / "backups" / "one"
            made = ok("backup", str(backup))
            assert "the vault's key is NOT in the backup" in made.stdout

            busy = ghltt("restore", str(backup), "--force")
            assert busy.returncode == 2 and "running ghltt" in busy.stderr
            assert "Traceback" not in busy.stderr
        finally:
            process.stop(server)

        manifest = json.loads((backup / "manifest.json").read_text())
        db = open_database(store_url)
        assert manifest["schema_revision"] == migrate.head_revision(db)
        db.dispose()
        assert manifest["vault_key"]["location"] == str(data / "master.key")
        assert manifest["vault_key"]["included"] is None
        assert set(manifest["files"]) == {"store", "jobs"}
        assert sorted(p.name for p in backup.iterdir()) == [
            "jobs.sqlite",
            "manifest.json",
            "store.sqlite",
        ]
        assert mode(backup) == 0o700
        assert all(mode(p) == 0o600 for p in backup.iterdir())

        refused = ghltt("restore", str(backup))
        assert refused.returncode == 2 and "--force" in refused.stderr

        # Wipe the databases (the key stays where the manifest says), then restore.
        for path in data.glob("*.sqlite*"):
            path.unlink()
        restored = ok("restore", str(backup))
        assert "restored the store" in restored.stdout and "warning" not in restored.stderr
        assert ok("connections", "check", "team").returncode == 0
        db = open_database(store_url)
        try:
            stored = InboxRepository(db).get(event_id)
            assert stored is not None and stored.event.kind == "test.multistep"
        finally:
            db.dispose()

        # With --include-key, the backup alone brings everything back, key included.
        with_key = tmp_path / "backups" / "with-key"
        made = ok("backup", str(with_key), "--include-key")
        assert "everything" not in made.stdout and "decrypt" in made.stderr
        assert mode(with_key / "master.key") == 0o600
        shutil.rmtree(data)
        ok("restore", str(with_key))
        assert (data / "master.key").read_text() == (with_key / "master.key").read_text()
        assert mode(data) == 0o700 and mode(data / "master.key") == 0o600
        assert ok("connections", "check", "team").returncode == 0

        # A damaged backup is refused before anything is replaced.
        copy = with_key / "store.sqlite"
        copy.write_bytes(copy.read_bytes()[:-1] + b"\x01")
        damaged = ghltt("restore", str(with_key), "--force")
        assert damaged.returncode == 2 and "damaged" in damaged.stderr
        assert ok("connections", "check", "team").returncode == 0


def test_a_restore_without_the_key_says_which_key_is_missing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = process.ghltt_env(data, f"sqlite:///{data / 'ghltt.sqlite'}")

    def ghltt(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ghltt", *args], env=env, capture_output=True, text=True
        )

    assert ghltt("db", "upgrade").returncode == 0
    assert ghltt("connections", "list").returncode == 0  # makes the key file
    assert ghltt("backup", str(tmp_path / "b")).returncode == 0
    shutil.rmtree(data)
    restored = ghltt("restore", str(tmp_path / "b"))
    assert restored.returncode == 0, restored.stderr
    assert "encrypted under vault key" in restored.stderr
    assert str(data / "master.key") in restored.stderr


def test_on_postgresql_backup_points_to_pg_dump(tmp_path: Path, postgres_url: str) -> None:
    env = process.ghltt_env(tmp_path / "data", postgres_url)
    for command in ("backup", "restore"):
        done = subprocess.run(
            [sys.executable, "-m", "ghltt", command, str(tmp_path / "b")],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 2
        assert "pg_dump" in done.stderr and "Traceback" not in done.stderr
