"""Master keys: where they come from, how they are named, and the first-start default.

A key is 32 random bytes written as unpadded base64url. Its id is a short hash of it, stored
beside each ciphertext so the right key is picked to decrypt and a rotation knows what is left.
A keyring holds one or more keys: the first (primary) encrypts, every one of them decrypts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import structlog

from ghltt.permissions import FILE_MODE, private_dir
from ghltt.vault.errors import VaultError

log = structlog.get_logger(__name__)

KEY_BYTES = 32
ENV_NAME = "GHLTT_MASTER_KEY"


@dataclass(frozen=True, repr=False)
class MasterKey:
    id: str
    material: bytes

    def __repr__(self) -> str:
        return f"MasterKey(id={self.id!r})"

    def text(self) -> str:
        return base64.urlsafe_b64encode(self.material).decode().rstrip("=")


def key_id(material: bytes) -> str:
    # A domain-separated hash: the id names the key without helping anyone guess it.
    return hashlib.sha256(b"ghltt-vault-key-id\x00" + material).hexdigest()[:16]


def new_key() -> MasterKey:
    material = os.urandom(KEY_BYTES)
    return MasterKey(key_id(material), material)


def parse_key(text: str, *, where: str) -> MasterKey:
    raw = text.strip()
    try:
        material = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        raise VaultError(f"{where}: a master key must be base64url text") from None
    if len(material) != KEY_BYTES:
        raise VaultError(
            f"{where}: a master key must be {KEY_BYTES} bytes (43 base64url characters), "
            f"got {len(material)}; make one with 'ghltt vault generate-key'"
        )
    return MasterKey(key_id(material), material)


@dataclass(frozen=True)
class Keyring:
    keys: tuple[MasterKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise VaultError("the keyring is empty")

    @property
    def primary(self) -> MasterKey:
        return self.keys[0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(k.id for k in self.keys)

    def get(self, wanted: str) -> MasterKey | None:
        return next((k for k in self.keys if k.id == wanted), None)


def parse_keyring(lines: Iterable[str], *, where: str) -> Keyring:
    keys: list[MasterKey] = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        for part in filter(None, (p.strip() for p in text.split(","))):
            key = parse_key(part, where=f"{where} line {number}")
            if key.id not in {k.id for k in keys}:
                keys.append(key)
    if not keys:
        raise VaultError(f"{where}: no master key found")
    return Keyring(tuple(keys))


class KeySource(Protocol):
    """Where the keyring lives. ``current()`` is cheap and notices changes by other processes."""

    writable: bool
    where: str

    def current(self) -> Keyring: ...

    def write(self, keyring: Keyring) -> None: ...


class EnvKeySource:
    """Keys from ``GHLTT_MASTER_KEY``: comma-separated, the first one encrypts."""

    writable = False
    where = ENV_NAME

    def __init__(self, value: str) -> None:
        self._keyring = parse_keyring([value], where=ENV_NAME)

    def __repr__(self) -> str:
        return f"EnvKeySource(ids={self._keyring.ids})"

    def current(self) -> Keyring:
        return self._keyring

    def write(self, keyring: Keyring) -> None:
        raise VaultError(f"{ENV_NAME} is read-only to ghltt: change it where it is set")


class FileKeySource:
    """Keys in a file (one per line, the first encrypts), re-read when the file changes."""

    writable = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self._stamp: tuple[int, int] | None = None
        self._keyring: Keyring | None = None

    def __repr__(self) -> str:
        return f"FileKeySource(path={str(self.path)!r})"

    def current(self) -> Keyring:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            raise VaultError(
                f"{self.path}: the vault's key file is missing; restore it from your backup "
                f"(or set {ENV_NAME})"
            ) from None
        stamp = (info.st_mtime_ns, info.st_size)
        if self._keyring is None or stamp != self._stamp:
            if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                log.warning(
                    "the vault key file is readable by others; chmod 600 it", file=str(self.path)
                )
            self._keyring = parse_keyring(self.path.read_text().splitlines(), where=str(self.path))
            self._stamp = stamp
        return self._keyring

    def write(self, keyring: Keyring) -> None:
        body = "".join(f"{k.text()}\n" for k in keyring.keys)
        write_private(
            self.path, "# ghltt vault master keys: the first encrypts. Back this up.\n" + body
        )
        self._keyring = None


def write_private(path: Path, text: str) -> None:
    """Write atomically with mode 0600, fsynced: losing this file loses every secret."""
    private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # whatever the umask, or the mode of a leftover temporary file
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def ensure_key_file(path: Path) -> bool:
    """Make the default key file at first start; True when it was created (and said so).

    Creation is exclusive (a hard link that fails if the file exists): the web process and
    the executor start together, and a second key silently replacing the first would make
    whatever was encrypted under the first unreadable.
    """
    if path.exists():
        return False
    tmp = path.with_name(f"{path.name}.{os.getpid()}.new")
    write_private(
        tmp, f"# ghltt vault master keys: the first encrypts. Back this up.\n{new_key().text()}\n"
    )
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    log.warning(
        "generated the vault's master key: BACK IT UP NOW. Without this file every stored "
        "credential is lost; with it, anyone who also has the database can read them",
        file=str(path),
    )
    return True


def key_source(master_key: str | None, key_file: Path, *, create: bool = True) -> KeySource:
    """``GHLTT_MASTER_KEY`` when set, else the key file (made at first start when ``create``)."""
    if master_key:
        return EnvKeySource(master_key)
    if create:
        ensure_key_file(key_file)
    return FileKeySource(key_file)
