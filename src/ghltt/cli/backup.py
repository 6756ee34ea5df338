"""``ghltt backup`` and ``ghltt restore``: the embedded store, copied while it serves."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer

from ghltt.cli.context import console, err_console, fail, settings
from ghltt.core import GhlttError
from ghltt.settings import Settings, sqlite_path
from ghltt.store import backup as copies
from ghltt.vault.errors import VaultError
from ghltt.vault.keys import KeySource, key_source, write_private

KEY_FILE = "master.key"


def backup(
    path: Path = typer.Argument(..., help="A new (or empty) folder to write the backup into."),
    include_key: bool = typer.Option(
        False,
        "--include-key",
        help="Also copy the vault's master key. The backup then holds everything needed to "
        "read every stored credential: keep it as safe as the key itself.",
    ),
) -> None:
    """Copy the SQLite store and the jobs database into PATH, safely while ghltt runs.

    The copy is consistent (SQLite's backup API in one read transaction) and written 0600,
    with a manifest naming the schema revision and where the vault's key lives. The key is
    not copied unless --include-key is given: back it up separately. On PostgreSQL, use
    pg_dump instead.

    Example: ghltt backup backups/$(date +%F)
    """
    loaded = settings()
    databases = _databases(loaded)
    keys = _keys(loaded)
    key_ids = _key_ids(keys)
    if include_key and not key_ids:
        fail(f"there is no vault key to include ({keys.where})")
    try:
        manifest = copies.back_up(databases, path)
    except GhlttError as exc:
        fail(str(exc))
    if include_key:
        write_private(path / KEY_FILE, "".join(f"{k.text()}\n" for k in keys.current().keys))
        err_console.print(
            f"[bold yellow]warning:[/] {path} holds the vault's master key: with it, anyone "
            "can decrypt every stored credential. Keep it as safe as the key itself.",
            highlight=False,
            soft_wrap=True,
        )
    manifest = dataclasses.replace(
        manifest,
        vault_key={
            "location": keys.where,
            "key_ids": key_ids,
            "included": KEY_FILE if include_key else None,
        },
    )
    manifest.write(path)
    console.print(
        f"backed up the store (schema revision {manifest.schema_revision}) and the jobs "
        f"database to {path}",
        highlight=False,
    )
    if not include_key:
        console.print(
            f"the vault's key is NOT in the backup: keep {keys.where} backed up separately, "
            "or the stored credentials cannot be read after a restore",
            highlight=False,
        )


def restore(
    path: Path = typer.Argument(..., help="A folder written by 'ghltt backup'."),
    force: bool = typer.Option(
        False, "--force", help="Replace a store that already holds data (or another key file)."
    ),
) -> None:
    """Put a backup made by 'ghltt backup' back in place of the SQLite store and jobs database.

    Stop ghltt first (serve and every worker): a restore under a running process is refused.
    A store that holds data is only replaced with --force. A key included in the backup is
    restored too; otherwise the vault's key must be back where the manifest says it was.

    Example: ghltt restore backups/2026-01-31
    """
    loaded = settings()
    databases = _databases(loaded)
    try:
        manifest = copies.Manifest.read(path)
        copies.verify(manifest, path)
    except GhlttError as exc:
        fail(str(exc))
    if "store" not in manifest.files or not set(manifest.files) <= set(databases):
        fail(f"{path} holds {sorted(manifest.files)}, but this ghltt keeps {sorted(databases)}")
    for target in databases.values():
        if copies.in_use(target):
            fail(f"{target} is open in a running ghltt: stop it (serve and workers) first")
    if not force and copies.holds_data(databases["store"]):
        fail(f"the store {databases['store']} holds data: restore over it with --force")
    keys = _keys(loaded)
    included = manifest.vault_key.get("included")
    if included:
        _restore_key(loaded, path / str(included), force=force)
    for role, target in databases.items():
        entry = manifest.files.get(role)
        copies.restore(path / entry["file"] if entry else None, target)
    console.print(
        f"restored the store (schema revision {manifest.schema_revision}, backed up "
        f"{manifest.created_at}) and the jobs database from {path}",
        highlight=False,
    )
    wanted = manifest.vault_key.get("key_ids") or []
    if wanted and wanted[0] not in _key_ids(keys):
        err_console.print(
            f"[bold yellow]warning:[/] the restored credentials are encrypted under vault key "
            f"{wanted[0]}, which {keys.where} does not hold; put back the key from "
            f"{manifest.vault_key.get('location')} (or set GHLTT_MASTER_KEY) before starting",
            highlight=False,
            soft_wrap=True,
        )


def _databases(loaded: Settings) -> dict[str, Path]:
    store, jobs = sqlite_path(loaded.store_url), sqlite_path(loaded.jobs_url)
    if store is None or jobs is None:
        fail(
            "the store (or the jobs database) is on PostgreSQL: back it up with PostgreSQL's "
            "own tools, e.g. 'pg_dump --format=custom', and restore with pg_restore; keep the "
            f"vault's key ({loaded.key_file} or GHLTT_MASTER_KEY) backed up separately"
        )
    return {"store": store, "jobs": jobs}


def _keys(loaded: Settings) -> KeySource:
    master = loaded.master_key.get_secret_value() if loaded.master_key else None
    try:
        return key_source(master, loaded.key_file, create=False)
    except VaultError as exc:
        fail(str(exc))


def _key_ids(keys: KeySource) -> list[str]:
    try:
        return list(keys.current().ids)
    except VaultError:  # no key yet: nothing was ever encrypted
        return []


def _restore_key(loaded: Settings, source: Path, *, force: bool) -> None:
    if loaded.master_key is not None:
        err_console.print(
            f"[bold yellow]warning:[/] GHLTT_MASTER_KEY is set, so the key in {source} was not "
            "restored: make sure the variable holds it",
            highlight=False,
            soft_wrap=True,
        )
        return
    target = loaded.key_file
    text = source.read_text()
    if target.exists() and target.read_text() != text:
        if not force:
            fail(f"{target} holds another key than the backup's: restore with --force")
        write_private(target.with_name(target.name + ".before-restore"), target.read_text())
        err_console.print(f"kept the replaced key as {target.name}.before-restore", highlight=False)
    write_private(target, text)
