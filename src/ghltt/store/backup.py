"""Backups of the embedded store: online copies of the SQLite databases, and their restore.

A copy is taken with SQLite's backup API inside a read transaction, so it is consistent even
while ghltt serves: it holds every transaction committed before the copy began and nothing
after. Both databases' read transactions are opened first, one right after the other, and only
then copied, so the store and the jobs database are seen at (almost) the same instant.

A backup is a folder: the copies, written 0600, and ``manifest.json`` naming the schema
revision, each file's SHA-256 and where the vault's key lives (the caller adds that part).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ghltt.core import InvalidInput, utcnow
from ghltt.permissions import create_private_file, private_dir, sqlite_files

MANIFEST = "manifest.json"
FORMAT = 1
# Bookkeeping tables: a store holding only these has nothing a restore could lose.
_BOOKKEEPING = {"alembic_version", "api_tokens", "leases"}
# SQLite's unix VFS keeps a shared lock on this byte of the -shm file for as long as a
# connection is open (its "dead man switch", UNIX_SHM_DMS in os_unix.c).
_SHM_DMS_BYTE = 128


@dataclass(frozen=True)
class Manifest:
    """What a backup folder holds: ``files`` maps each database's role to its file and hash."""

    schema_revision: str | None
    files: dict[str, dict[str, str]]
    created_at: str = field(default_factory=lambda: utcnow().isoformat())
    vault_key: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT

    def write(self, folder: Path) -> None:
        path = folder / MANIFEST
        create_private_file(path)
        path.write_text(json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            raise InvalidInput(f"{path} is missing: {folder} is not a ghltt backup") from None
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"{path}: cannot read the manifest ({exc})") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise InvalidInput(f"{path}: not a backup manifest this version of ghltt reads")
        try:
            return cls(
                schema_revision=raw["schema_revision"],
                files={role: dict(entry) for role, entry in raw["files"].items()},
                created_at=str(raw["created_at"]),
                vault_key=dict(raw.get("vault_key") or {}),
            )
        except (KeyError, TypeError, AttributeError, ValueError):
            raise InvalidInput(f"{path}: the manifest is incomplete") from None


def back_up(databases: Mapping[str, Path], folder: Path) -> Manifest:
    """Copy each database (role -> file) into ``folder``, which must be new or empty.

    The ``store`` must exist; another database that was never created (the jobs database of
    a store no executor has run on yet) is left out of the backup.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidInput(f"{folder} exists and is not an empty folder; choose a new one")
    if not databases["store"].is_file():
        raise InvalidInput(f"no store at {databases['store']}: nothing to back up")
    databases = {role: db for role, db in databases.items() if db.is_file()}
    private_dir(folder)
    files: dict[str, dict[str, str]] = {}
    with contextlib.ExitStack() as stack:
        sources = {role: stack.enter_context(_snapshot(db)) for role, db in databases.items()}
        for role, source in sources.items():
            name = f"{role}.sqlite"
            copy = folder / name
            create_private_file(copy)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
                # One self-contained file: no -wal beside it to forget.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
            _fsync(copy)
            files[role] = {"file": name, "sha256": _sha256(copy)}
    return Manifest(schema_revision=_revision(folder / files["store"]["file"]), files=files)


def verify(manifest: Manifest, folder: Path) -> None:
    """Every file the manifest names is there, unchanged."""
    for role, entry in manifest.files.items():
        path = folder / entry["file"]
        if not path.is_file():
            raise InvalidInput(f"the backup's {role} database {path} is missing")
        if _sha256(path) != entry["sha256"]:
            raise InvalidInput(f"{path} does not match its manifest: the backup is damaged")


def restore(source: Path | None, target: Path) -> None:
    """Put a backed-up database in place of ``target``; the stale -wal and -shm files go, since
    SQLite would otherwise replay an old write-ahead log onto the restored file. With no
    ``source`` (a database the backup left out) the target is removed: it belongs to another
    history than the restored store."""
    if source is None:
        for path in sqlite_files(target):
            path.unlink(missing_ok=True)
        return
    staged = target.with_name(target.name + ".restoring")
    staged.unlink(missing_ok=True)
    create_private_file(staged)
    shutil.copyfile(source, staged)
    _fsync(staged)
    for sibling in sqlite_files(target)[1:]:
        sibling.unlink(missing_ok=True)
    os.replace(staged, target)
    _fsync(target.parent)


def in_use(database: Path) -> bool:
    """Whether another process has the database open (ghltt serving or working on it).

    Call it with no connection of this process open on the database: POSIX locks belong to
    a process, so probing would release this process's own SQLite locks.
    """
    shm = database.with_name(database.name + "-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
        except OSError:
            return True
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
        return False
    finally:
        os.close(fd)


def holds_data(database: Path) -> bool:
    """Whether the database has rows beyond bookkeeping (connections, events, runs...)."""
    if not database.is_file() or database.stat().st_size == 0:
        return False
    conn = sqlite3.connect(database, timeout=30)
    try:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name not in _BOOKKEEPING and not name.startswith("sqlite_")
        ]
        return any(
            conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() is not None
            for name in tables
        )
    finally:
        conn.close()


@contextlib.contextmanager
def _snapshot(database: Path) -> Iterator[sqlite3.Connection]:
    """A connection inside a read transaction: what it reads (and copies) stays as of now."""
    conn = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield conn
        conn.execute("COMMIT")
    finally:
        conn.close()


def _revision(database: Path) -> str | None:
    conn = sqlite3.connect(database)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return str(row[0]) if row else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
