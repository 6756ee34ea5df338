"""Re-encrypt every secret under a new master key; safe to interrupt and run again.

The rule that makes it resumable: an unfinished row in ``vault_rotations`` names the target
key. Running again continues towards that key. Old keys stay in the keyring (so everything
still decrypts) until no secret is left under them; only then are they dropped from the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from ghltt.store.rotations import RotationRepository
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


def _begin(vault: Vault) -> tuple[int, MasterKey, bool]:
    """The rotation to work on: the open one, or a new one with a new primary key."""
    source = vault.cipher.source
    keyring = source.current()
    rotations = RotationRepository(vault.db)
    open_row = rotations.unfinished()
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
    rotation_id = rotations.start(target.id)
    log.warning("vault key rotation started", target_key_id=target.id, key_source=source.where)
    return rotation_id, target, False


def rotate_key(vault: Vault, *, batch: int = 100) -> RotationReport:
    rotation_id, target, resumed = _begin(vault)
    report = RotationReport(target_key_id=target.id, resumed=resumed)
    while ids := vault.pending(target.id, batch):
        for secret_id in ids:
            if not vault.rewrap(secret_id, target):
                continue
            report.rewrapped += 1
            RotationRepository(vault.db).count_rewrapped(rotation_id)
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
    RotationRepository(vault.db).finish(rotation_id)
    report.finished = True
    log.warning(
        "vault key rotation finished: back up the key file now",
        target_key_id=target.id,
        rewrapped=report.rewrapped,
        key_source=source.where,
    )
