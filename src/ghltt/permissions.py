"""Owner-only files at rest: the data directory is 0700, its databases and keys 0600.

They hold contact details and the vault's encrypted secrets, so no other account of the
machine may read them, whatever the umask of whoever started ghltt. Modes are set explicitly
(``chmod`` after creating) because a umask can only remove bits, never guarantee them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    """Create ``path`` (and any missing parent, which ghltt then owns too) with mode 0700."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(folder, DIR_MODE)


def create_private_file(path: Path) -> None:
    """Create an empty file with mode 0600 unless it exists (SQLite takes an empty file as a
    new database, and gives its -wal and -shm files the database file's mode)."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def tighten(paths: Iterable[Path]) -> list[Path]:
    """Take group and other access away from those of ``paths`` that exist, and log each one
    changed; returns them. A folder keeps its owner's bits (0700 at most), a file 0600 at most."""
    changed: list[Path] = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if not mode & (stat.S_IRWXG | stat.S_IRWXO):
            continue
        wanted = mode & (DIR_MODE if path.is_dir() else FILE_MODE)
        os.chmod(path, wanted)
        log.warning(
            "tightened the mode of a file only ghltt's owner may read",
            file=str(path),
            was=oct(mode),
            now=oct(wanted),
        )
        changed.append(path)
    return changed


def sqlite_files(database: Path) -> list[Path]:
    """An SQLite database file and the siblings SQLite keeps beside it."""
    return [
        database,
        *(database.with_name(database.name + s) for s in ("-wal", "-shm", "-journal")),
    ]
