"""Re-encrypt every secret under a new master key; safe to interrupt and run again.

The rule that makes it resumable: an unfinished row in ``vault_rotations`` names the target
key. Running again continues towards that key. Old keys stay in the keyring (so everything
still decrypts) until no secret is left under them; only then are they dropped from the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
import structlog

from ghltt.core import utcnow
from ghltt.store.tables import vault_rotations
from ghltt.vault.errors import VaultError
from ghltt.vault.keys import ENV_NAME, Keyring, MasterKey, new_key
from ghltt.vault.secrets import Vault

log = structlog.get_logger(__name__)


@dataclass
class RotationReport:
    target_key_id: str
    resumed: bool
    rewrapped: int = 0
    remaining: int = 0
    finished: bool = False
    retired_key_ids: list[str] = field(default_factory=list)
    note: str = ""


def _open_rotation(engine: sa.Engine) -> sa.Row[tuple[int, str]] | None:
    stmt = (
        sa.select(vault_rotations.c.id, vault_rotations.c.target_key_id)
        .where(vault_rotations.c.finished_at.is_(None))
        .order_by(vault_rotations.c.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        return conn.execute(stmt).first()


def _begin(vault: Vault) -> tuple[int, MasterKey, bool]:
    """The rotation to work on: the open one, or a new one with a new primary key."""
    source = vault.cipher.source
    keyring = source.current()
    open_row = _open_rotation(vault.engine)
    if open_row is not None:
        target = keyring.get(open_row.target_key_id)
        if target is None:
            raise VaultError(
                f"an unfinished rotation targets key {open_row.target_key_id}, which is not in "
                f"{source.where}; restore that key and run 'ghltt vault rotate-key' again"
            )
        return open_row.id, target, True
    if source.writable:
        target = new_key()
        # The new key is durable in the file before any secret is encrypted under it.
        source.write(Keyring((target, *keyring.keys)))
    elif len(keyring.keys) > 1:
        target = keyring.primary
    else:
        raise VaultError(
            f"{ENV_NAME} holds one key: put a new key first ('ghltt vault generate-key'), keep "
            "the old one after a comma, restart ghltt, then run 'ghltt vault rotate-key' again"
        )
    with vault.engine.begin() as conn:
        rotation_id: int = conn.execute(
            vault_rotations.insert()
            .values(target_key_id=target.id, rewrapped=0, started_at=utcnow())
            .returning(vault_rotations.c.id)
        ).scalar_one()
    log.warning("vault key rotation started", target_key_id=target.id, key_source=source.where)
    return int(rotation_id), target, False


def rotate_key(vault: Vault, *, batch: int = 100) -> RotationReport:
    rotation_id, target, resumed = _begin(vault)
    report = RotationReport(target_key_id=target.id, resumed=resumed)
    while ids := vault.pending(target.id, batch):
        for secret_id in ids:
            if not vault.rewrap(secret_id, target):
                continue
            report.rewrapped += 1
            with vault.engine.begin() as conn:
                conn.execute(
                    vault_rotations.update()
                    .where(vault_rotations.c.id == rotation_id)
                    .values(rewrapped=vault_rotations.c.rewrapped + 1)
                )
    _finish(vault, rotation_id, target, report)
    return report


def _finish(vault: Vault, rotation_id: int, target: MasterKey, report: RotationReport) -> None:
    source = vault.cipher.source
    keyring = source.current()
    old = [k for k in keyring.keys if k.id != target.id]
    if source.writable and old:
        source.write(Keyring((target,)))
        # A process that encrypted under an old key just before the file changed would leave a
        # secret behind: put the old keys back and let the next run pick it up.
        report.remaining = vault.count_not_under(target.id)
        if report.remaining:
            source.write(Keyring((target, *old)))
            report.note = "secrets were written under an old key meanwhile; run it again"
            return
        report.retired_key_ids = [k.id for k in old]
    else:
        report.remaining = vault.count_not_under(target.id)
        if report.remaining:
            report.note = "some secrets could not be re-encrypted; run it again"
            return
        if old:
            report.note = f"every secret is under the first key: remove the others from {ENV_NAME}"
    with vault.engine.begin() as conn:
        conn.execute(
            vault_rotations.update()
            .where(vault_rotations.c.id == rotation_id)
            .values(finished_at=utcnow())
        )
    report.finished = True
    log.warning(
        "vault key rotation finished: back up the key file now",
        target_key_id=target.id,
        rewrapped=report.rewrapped,
        key_source=source.where,
    )
