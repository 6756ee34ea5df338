"""50 concurrent refreshes in 2 processes make exactly one call to the token endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from ghltt.bridges import Remotes
from ghltt.core import utcnow
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.ghl.oauth import OAuthClient
from ghltt.vault import ConnectionService, OAuthFlow
from tests.support.process import REPO
from tests.support.server import serve_asgi
from tests.vault.oauth_support import authorize

pytestmark = pytest.mark.anyio


async def test_two_processes_fifty_refreshes_one_token_call(
    connections: ConnectionService,
    ghl_sim: GhlSimulator,
    oauth_client: OAuthClient,
    database_url: str,
    key_file: Path,
    tmp_path: Path,
) -> None:
    with serve_asgi(ghl_sim.app) as ghl_url:
        remotes = Remotes(
            ghl_base_url=ghl_url,
            client_id=oauth_client.client_id,
            client_secret=SecretStr(oauth_client.client_secret),
        )
        service = ConnectionService(connections.db, connections.vault, remotes)
        flow = OAuthFlow(
            service,
            authorize_url=ghl_url + "/oauth/chooselocation",
            redirect_uri="http://ghltt.test/oauth/ghl/callback",
        )
        back = await authorize(ghl_sim, flow.start().url)
        view = (await flow.complete(code=back["code"], state=back["state"])).connection
        secret_id = str(service.repo.row(view.id).vault_ref)
        payload = service.vault.get(secret_id).payload
        payload["expires_at"] = (utcnow() - timedelta(seconds=1)).isoformat()
        service.vault.replace(secret_id, payload)
        calls_before = ghl_sim.token_endpoint_calls

        go = tmp_path / "go"
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "RACE_CLIENT_ID": oauth_client.client_id,
            "RACE_CLIENT_SECRET": oauth_client.client_secret,
        }
        args = [database_url, str(key_file), ghl_url, secret_id, "25", str(go)]
        procs = [
            subprocess.Popen(  # noqa: ASYNC220  (the test waits on them on purpose)
                [sys.executable, "-m", "tests.vault.race_worker", *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        deadline = time.monotonic() + 30
        while len(list(tmp_path.glob("go.ready.*"))) < 2:  # both loaded, then start together
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
            time.sleep(0.01)
        go.touch()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err.decode()
            results.append(json.loads(out.decode().strip().splitlines()[-1]))

        assert ghl_sim.token_endpoint_calls - calls_before == 1
        assert sum(r["calls"] for r in results) == 50
        bearers = {b for r in results for b in r["bearers"]}
        stored = service.vault.get(secret_id).payload
        assert bearers == {f"Bearer {stored['access_token']}"}
        assert stored["refresh_token"] != payload["refresh_token"]
