"""Key rotation: interrupted half-way, every secret still decrypts; run again, it finishes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ghltt.store.tables import vault_rotations
from ghltt.vault import Cipher, EnvKeySource, FileKeySource, Vault, VaultError, rotate_key
from ghltt.vault.keys import new_key
from ghltt.vault.secrets import Vault as VaultClass


class Interrupted(Exception):
    pass


def test_interrupted_rotation_resumes_and_retires_the_old_key(
    vault: Vault, db: sa.Engine, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [vault.put("ghl.pit", {"token": f"secret-{i}"}) for i in range(25)]
    old = vault.cipher.primary_id
    real = VaultClass.rewrap
    calls = 0

    def crash_after_ten(self: Vault, secret_id: str, target: object) -> bool:
        nonlocal calls
        calls += 1
        if calls > 10:
            raise Interrupted
        return real(self, secret_id, target)  # type: ignore[arg-type]

    monkeypatch.setattr(VaultClass, "rewrap", crash_after_ten)
    with pytest.raises(Interrupted):
        rotate_key(vault, batch=4)
    monkeypatch.setattr(VaultClass, "rewrap", real)

    # Mid-rotation: both keys are in the file, the new one first; everything still reads.
    ring = FileKeySource(key_file).current()
    assert len(ring.keys) == 2 and ring.keys[1].id == old
    target = ring.primary.id
    assert [vault.get(i).payload["token"] for i in ids] == [f"secret-{i}" for i in range(25)]
    assert vault.count_not_under(target) == 15
    # A secret written meanwhile goes under the new key.
    late = vault.put("ghl.pit", {"token": "late"})

    report = rotate_key(vault, batch=4)
    assert report.resumed and report.finished and report.target_key_id == target
    assert report.rewrapped == 15 and report.retired_key_ids == [old]
    assert FileKeySource(key_file).current().ids == (target,)
    assert old not in key_file.read_text()
    assert vault.get(late).payload == {"token": "late"}
    assert all(vault.get(i).payload["token"] == f"secret-{n}" for n, i in enumerate(ids))
    with db.connect() as conn:
        rows = conn.execute(sa.select(vault_rotations)).all()
    assert len(rows) == 1 and rows[0].finished_at is not None and rows[0].rewrapped == 25

    again = rotate_key(vault)  # a fresh rotation starts from the new key
    assert not again.resumed and again.target_key_id != target and again.finished


def test_rotation_with_env_keys_needs_the_new_key_first(db: sa.Engine) -> None:
    a, b = new_key(), new_key()
    one = Vault(db, Cipher(EnvKeySource(a.text())))
    secret_id = one.put("tt.bearer", {"token": "t"})
    with pytest.raises(VaultError, match=r"holds one key"):
        rotate_key(one)
    two = Vault(db, Cipher(EnvKeySource(f"{b.text()},{a.text()}")))
    report = rotate_key(two)
    assert report.finished and report.target_key_id == b.id and report.rewrapped == 1
    assert "remove the others" in report.note
    assert Vault(db, Cipher(EnvKeySource(b.text()))).get(secret_id).payload == {"token": "t"}
