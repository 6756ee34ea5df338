"""API bearer tokens: only a hash is stored; the clear token is shown once, to its creator."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.permissions import FILE_MODE, private_dir
from ghltt.store.tables import api_tokens

TOKEN_PREFIX = "ghltt_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenRepository:
    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    def create(self, name: str) -> str:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.db.begin() as conn:
            conn.execute(
                api_tokens.insert().values(
                    id=secrets.token_hex(8),
                    name=name,
                    token_hash=hash_token(token),
                    created_at=utcnow(),
                )
            )
        return token

    def any_active(self) -> bool:
        stmt = sa.select(api_tokens.c.id).where(api_tokens.c.revoked_at.is_(None)).limit(1)
        with self.db.connect() as conn:
            return conn.execute(stmt).first() is not None

    def active_hashes(self) -> set[str]:
        stmt = sa.select(api_tokens.c.token_hash).where(api_tokens.c.revoked_at.is_(None))
        with self.db.connect() as conn:
            return {row.token_hash for row in conn.execute(stmt)}

    def revoke(self, token_hash: str) -> None:
        with self.db.begin() as conn:
            conn.execute(
                api_tokens.update()
                .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )


def matches(token: str, hashes: set[str]) -> bool:
    """Whether a presented token is among the stored ones.

    Comparing SHA-256 digests needs no constant-time loop: timing can at most reveal a
    prefix of a digest, which says nothing about the token behind it.
    """
    return hash_token(token) in hashes


def token_file(data_dir: Path) -> Path:
    return data_dir / "api-token"


def write_token_file(path: Path, token: str) -> None:
    """Only the owner may read it: the file is the one place the clear token is kept."""
    private_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # whatever the umask, or the mode of a leftover temporary file
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    os.replace(tmp, path)


def ensure_first_token(repository: TokenRepository, data_dir: Path) -> bool:
    """At first start there is no token yet: make one and keep it for ``ghltt token show``."""
    if repository.any_active():
        return False
    write_token_file(token_file(data_dir), repository.create("first-start"))
    return True


def rotate_token(repository: TokenRepository, data_dir: Path) -> str:
    token = repository.create("rotated")
    write_token_file(token_file(data_dir), token)
    for old in repository.active_hashes() - {hash_token(token)}:
        repository.revoke(old)
    return token
