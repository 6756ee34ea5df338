"""Keys and encryption: the default key file, authenticated ciphertexts bound to their row."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from ghltt.observability import configure_logging
from ghltt.store.tables import vault_secrets
from ghltt.vault import EnvKeySource, Vault, VaultError, key_source
from ghltt.vault.keys import new_key, parse_key


def test_first_start_makes_a_private_key_file_and_says_to_back_it_up(tmp_path: Path) -> None:
    stream = io.StringIO()
    configure_logging("info", "json", stream)
    path = tmp_path / "data" / "master.key"
    source = key_source(None, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    log = stream.getvalue()
    assert str(path) in log and "BACK IT UP" in log
    key = source.current().primary
    assert key.text() not in log and key.text() in path.read_text()
    key_source(None, path)  # a second start keeps the same key, quietly
    assert source.current().primary.id == key.id
    assert stream.getvalue().count("BACK IT UP") == 1


def test_env_keys_first_encrypts_all_decrypt_and_bad_keys_are_named() -> None:
    a, b = new_key(), new_key()
    ring = EnvKeySource(f"{a.text()}, {b.text()}").current()
    assert ring.primary.id == a.id and ring.ids == (a.id, b.id)
    with pytest.raises(VaultError, match=r"GHLTT_MASTER_KEY.*32 bytes"):
        EnvKeySource("c2hvcnQ")
    with pytest.raises(VaultError, match=r"base64url"):
        parse_key("not base64 !!", where="here")


def test_round_trip_and_nothing_readable_at_rest(vault: Vault, db: sa.Engine) -> None:
    secret_id = vault.put("ghl.pit", {"token": "pit-0000aaaa-1111"}, owner="conn")
    assert vault.get(secret_id).payload == {"token": "pit-0000aaaa-1111"}
    assert "pit-0000" not in repr(vault.get(secret_id))
    with db.connect() as conn:
        blob: bytes = conn.execute(sa.select(vault_secrets.c.ciphertext)).scalar_one()
    assert b"pit-0000" not in bytes(blob)
    assert vault.replace(secret_id, {"token": "new"}) == 2
    assert vault.get(secret_id).payload == {"token": "new"}


def test_a_ciphertext_moved_to_another_row_does_not_decrypt(vault: Vault, db: sa.Engine) -> None:
    first = vault.put("ghl.pit", {"token": "one"})
    second = vault.put("ghl.pit", {"token": "two"})
    with db.begin() as conn:
        blob: bytes = conn.execute(
            sa.select(vault_secrets.c.ciphertext).where(vault_secrets.c.id == first)
        ).scalar_one()
        conn.execute(
            vault_secrets.update().where(vault_secrets.c.id == second).values(ciphertext=blob)
        )
    with pytest.raises(VaultError, match=rf"{second}.*fails authentication"):
        vault.get(second)


def test_a_missing_key_is_named_with_what_to_do(vault: Vault, key_file: Path) -> None:
    secret_id = vault.put("tt.app_password", {"password": "x"})
    old_id = vault.cipher.primary_id
    key_file.write_text(new_key().text() + "\n")
    with pytest.raises(VaultError, match=rf"{old_id}.*restore that key"):
        vault.get(secret_id)
