"""At rest: only ghltt's owner may read its data directory, databases and keys."""

from __future__ import annotations

import stat
import subprocess
import sys
import time
from pathlib import Path

from tests.support import process
from tests.support.server import free_port

# Both SQLite databases, with the write-ahead log and shared memory SQLite keeps beside them.
DATABASE_FILES = [
    f"{name}.sqlite{suffix}" for name in ("ghltt", "jobs") for suffix in ("", "-wal", "-shm")
]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_data_dir_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    env = process.ghltt_env(data, f"sqlite:///{data / 'ghltt.sqlite'}", port)
    # The vault's key file is made by the first command that opens the vault.
    for command in (["db", "upgrade"], ["connections", "list"]):
        done = subprocess.run(
            [sys.executable, "-m", "ghltt", *command],
            env=env,
            capture_output=True,
            text=True,
            umask=0o022,
        )
        assert done.returncode == 0, done.stderr
    with (tmp_path / "serve.log").open("ab") as log:
        # A permissive umask: the modes must not depend on it.
        server = subprocess.Popen(
            [sys.executable, "-m", "ghltt", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            umask=0o022,
        )
    try:
        process.wait_healthy(port, server)
        # While ghltt serves, every database has its -wal and -shm files open (the executor
        # child opens the jobs database a moment after the web app is ready).
        expected = [data / name for name in [*DATABASE_FILES, "master.key", "api-token"]]
        deadline = time.monotonic() + 60
        while not all(p.exists() for p in expected) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert mode(data) == 0o700
        for name in [*DATABASE_FILES, "master.key", "api-token"]:
            assert mode(data / name) == 0o600, name
    finally:
        process.stop(server)


def test_an_older_data_dir_is_tightened_at_start_and_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = process.ghltt_env(data, f"sqlite:///{data / 'ghltt.sqlite'}")

    def ghltt(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ghltt", *args], env=env, capture_output=True, text=True
        )

    for command in (["db", "upgrade"], ["connections", "list"]):
        done = ghltt(*command)
        assert done.returncode == 0, done.stderr
        assert "tightened" not in done.stderr
    files = [p for p in data.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"ghltt.sqlite", "master.key"}
    data.chmod(0o755)
    for path in files:
        path.chmod(0o644)

    again = ghltt("db", "current")
    assert again.returncode == 0, again.stderr
    assert mode(data) == 0o700
    assert all(mode(path) == 0o600 for path in files)
    assert again.stderr.count("tightened the mode") == 1 + len(files)
    assert str(data / "ghltt.sqlite") in again.stderr
