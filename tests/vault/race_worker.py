"""One process of the refresh race: N concurrent refreshes of one stored grant.

Usage: python -m tests.vault.race_worker DATABASE_URL KEY_FILE GHL_URL SECRET_ID N GO_FILE
(the client id and secret come from RACE_CLIENT_ID / RACE_CLIENT_SECRET). Prints one JSON line:
the distinct bearer values the N callers got.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import anyio

from ghltt.connectors.ghl import OAuthApp
from ghltt.store import open_database
from ghltt.vault import Cipher, FileKeySource, Vault, VaultOAuthAuth, VaultTokenStore


async def main(argv: list[str]) -> None:
    url, key_file, ghl_url, secret_id, count, go = argv
    db = open_database(url)
    vault = Vault(db, Cipher(FileKeySource(Path(key_file))))
    app = OAuthApp(os.environ["RACE_CLIENT_ID"], os.environ["RACE_CLIENT_SECRET"], base_url=ghl_url)
    # Independent callers, as separate clients of one process would be.
    auths = [VaultOAuthAuth(VaultTokenStore(vault, secret_id), app) for _ in range(int(count))]
    Path(f"{go}.ready.{os.getpid()}").touch()
    while not Path(go).exists():
        time.sleep(0.005)
    bearers: list[str] = []

    async def one(auth: VaultOAuthAuth) -> None:
        bearers.append(await auth.authorization())

    async with anyio.create_task_group() as tg:
        for auth in auths:
            tg.start_soon(one, auth)
    await app.aclose()
    db.dispose()
    print(json.dumps({"bearers": sorted(set(bearers)), "calls": len(bearers)}))


if __name__ == "__main__":
    anyio.run(main, sys.argv[1:])
