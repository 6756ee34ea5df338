"""The JSON API and the OAuth routes over a real socket, with known secrets put through every
path (add, bad input, OAuth, check, rotate, revoke, bridges), then looked for in the logs, the
API's answers and the database's raw contents."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.observability import configure_logging
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.ghl.config import GhlSimulatorConfig
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.settings import load_settings
from ghltt.store import open_database
from ghltt.store.tables import metadata
from ghltt.store.tokens import token_file
from ghltt.vault import open_vault
from ghltt.web import connections_api, create_app, oauth
from tests.support.server import free_port, serve_asgi
from tests.vault.conftest import tt_app_password


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[dict[str, object]]:
    ghl = GhlSimulator(GhlSimulatorConfig(rsa_key_size=2048))
    tt = TrackingTimeSimulator()
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    client = ghl.oauth.register_client(redirect_uris=[public + "/oauth/ghl/callback"])
    logs = io.StringIO()
    configure_logging("info", "json", logs)
    with serve_asgi(ghl.app) as ghl_url, serve_asgi(tt.app) as tt_url:
        settings = load_settings(
            data_dir=tmp_path / "data",
            database_url=database_url,
            public_url=public,
            ghl_base_url=ghl_url,
            ghl_authorize_url=ghl_url + "/oauth/chooselocation",
            tt_base_url=tt_url + "/api/v4",
            ghl_client_id=client.client_id,
            ghl_client_secret=client.client_secret,
        )
        app = create_app(settings, with_executor=False)
        app.include_router(oauth.router)  # what the lead adds to create_app
        app.include_router(connections_api.router)
        with serve_asgi(app, port=port) as base:
            api_token = token_file(settings.data_dir).read_text().strip()
            with httpx2.Client(
                base_url=base, headers={"Authorization": f"Bearer {api_token}"}, timeout=20
            ) as http:
                yield {
                    "http": http,
                    "ghl": ghl,
                    "tt": tt,
                    "settings": settings,
                    "logs": logs,
                    "client_secret": client.client_secret,
                    "api_token": api_token,
                }


def test_every_path_keeps_secrets_out_of_logs_answers_and_the_database(
    world: dict[str, object], database_url: str
) -> None:
    http: httpx2.Client = world["http"]  # type: ignore[assignment]
    ghl: GhlSimulator = world["ghl"]  # type: ignore[assignment]
    tt: TrackingTimeSimulator = world["tt"]  # type: ignore[assignment]
    answers: list[str] = []

    def call(method: str, url: str, status: int, **kw: object) -> dict[str, object]:
        response = http.request(method, url, **kw)  # type: ignore[arg-type]
        answers.append(response.text)
        assert response.status_code == status, response.text
        return response.json() if "json" in response.headers.get("content-type", "") else {}

    pit, tt_password = ghl.sample_token, tt_app_password(tt)
    loc = ghl.sample_location_id
    bogus = "pit-deadbeef-0000-4000-8000-123456789abc"
    secrets = [pit, tt_password, bogus, str(world["client_secret"])]

    body = {"system": "ghl", "kind": "pit", "label": "shop", "secret": pit, "location_id": loc}
    shop = call("POST", "/api/connections", 201, json=body)["connection"]["id"]  # type: ignore[index]
    refused = call("POST", "/api/connections", 422, json={**body, "secret": bogus})
    assert "GHL refused the credential" in str(refused["message"])
    missing = call("POST", "/api/connections", 422, json={**body, "location_id": None})
    assert "location_id" in str(missing["message"])
    bad = call("POST", "/api/connections", 422, json={**body, "system": "xx"})
    assert bad["error"] == "invalid_input"
    tt_body = {"system": "tt", "kind": "app_password", "label": "team", "secret": tt_password}
    team = call("POST", "/api/connections", 201, json=tt_body)["connection"]["id"]  # type: ignore[index]
    bridge = call(
        "POST",
        "/api/bridges",
        201,
        json={"name": "main", "ghl_connection": shop, "tt_connection": team},
    )
    assert len(bridge["webhooks"]) == 1  # type: ignore[arg-type]
    call("PUT", "/api/bridges/main/recipes/contacts", 200, json={"scopes": ["contacts.readonly"]})
    # The bridge check: the missing fields made, and a delivery with the webhook's token (kept
    # out of every answer and log, as checked below) reaching this very server.
    checked = call("POST", "/api/bridges/main/check?fix=true", 200)
    found = {(f["check"], f["subject"]): f["status"] for f in checked["findings"]}  # type: ignore[attr-defined]
    assert found[("ghl field", "contact.tt_customer_id")] == "fixed"
    assert next(v for (check, _), v in found.items() if check == "delivery") == "ok"
    assert call("POST", "/api/bridges/main/check", 200)["ok"] is True
    call("POST", "/api/bridges/nope/check", 404)

    # OAuth: the start needs the API token; the browser then goes GHL → our callback.
    assert httpx2.post(f"{http.base_url}/oauth/ghl/start").status_code == 401
    start = call("POST", "/oauth/ghl/start", 200, json={"label": "oauth shop"})
    back = httpx2.get(str(start["authorize_url"]), follow_redirects=False)
    assert back.status_code == 302
    landing = httpx2.get(back.headers["location"])
    answers.append(landing.text)
    assert landing.status_code == 200 and "Connected" in landing.text
    replay = httpx2.get(back.headers["location"])
    answers.append(replay.text)
    assert replay.status_code == 400 and "already used" in replay.text
    code = dict(p.split("=", 1) for p in urlsplit(back.headers["location"]).query.split("&"))
    secrets.append(code["code"])

    listed: list[dict[str, object]] = call("GET", "/api/connections", 200)["connections"]  # type: ignore[assignment]
    oauth_id = next(str(c["id"]) for c in listed if c["auth_kind"] == "oauth")
    settings = world["settings"]
    db = open_database(database_url)
    vault = open_vault(settings, db)  # type: ignore[arg-type]
    for c in listed:
        assert "secret" not in c and "vault_ref" not in c
    grant = vault.get(str(_vault_ref(db, oauth_id))).payload
    secrets += [str(grant["access_token"]), str(grant["refresh_token"])]
    secrets += [_webhook_token(vault, db)]
    secrets += [k.text() for k in vault.cipher.source.current().keys]

    for ref in (shop, team, oauth_id):
        assert call("POST", f"/api/connections/{ref}/check", 200)["warnings"] is not None
    new_pit = ghl.create_token(location_id=loc).token
    secrets.append(new_pit)
    call("POST", f"/api/connections/{shop}/rotate", 200, json={"secret": new_pit})
    call("POST", f"/api/connections/{shop}/rotate", 422, json={"secret": bogus})
    call("POST", f"/api/connections/{oauth_id}/rotate", 422, json={"secret": bogus})
    call("POST", f"/api/connections/{team}/revoke", 200)
    call("POST", "/api/connections/nope/check", 404)
    call("DELETE", "/api/bridges/main", 200)
    call("GET", "/api/bridges", 200)

    logs = world["logs"].getvalue()  # type: ignore[attr-defined]
    assert "connection added" in logs and "oauth connection stored" in logs
    raw = _database_contents(db, database_url)
    db.dispose()
    for secret in secrets:
        assert secret not in logs, "a secret in the logs"
        assert all(secret not in a for a in answers), "a secret in an API answer"
        assert secret.encode() not in raw, "a secret in the database"


def _vault_ref(db: sa.Engine, connection_id: str) -> str:
    from ghltt.store.tables import connections

    with db.connect() as conn:
        return str(
            conn.execute(
                sa.select(connections.c.vault_ref).where(connections.c.id == connection_id)
            ).scalar_one()
        )


def _webhook_token(vault: object, db: sa.Engine) -> str:
    from ghltt.store.tables import bridge_webhooks

    with db.connect() as conn:
        ref: str = conn.execute(sa.select(bridge_webhooks.c.secret_ref)).scalar_one()
    return str(vault.get(ref).payload["token"])  # type: ignore[attr-defined]


def _database_contents(db: sa.Engine, url: str) -> bytes:
    """SQLite: the files themselves (with the WAL). PostgreSQL: every row of every table."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        files = [path, Path(f"{path}-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    chunks: list[bytes] = []
    with db.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                for value in row:
                    chunks.append(
                        bytes(value)
                        if isinstance(value, bytes | memoryview)
                        else str(value).encode()
                    )
    return b"\n".join(chunks)
