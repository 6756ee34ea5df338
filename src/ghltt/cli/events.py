"""``ghltt events send``: submit an event by hand to a running ghltt."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx2
import typer

from ghltt.cli.context import console, fail, settings
from ghltt.store.tokens import token_file

app = typer.Typer(help="Submit events to a running ghltt by hand.", no_args_is_help=True)


@app.command("send")
def send(
    file: Path = typer.Argument(
        None, help="A JSON file with one event or a list of events ('-' for standard input)."
    ),
    kind: str = typer.Option(None, help="Event kind, e.g. contact.updated (instead of a file)."),
    bridge: str = typer.Option("default", help="The bridge the event belongs to."),
    source: str = typer.Option("manual", help="ghl, tt, schedule or manual."),
    object_type: str = typer.Option(None, help="e.g. contact"),
    object_id: str = typer.Option(None, help="The remote id of the object."),
    payload: str = typer.Option("{}", help="The payload as a JSON object."),
    dedup_key: str = typer.Option(None, help="Same key twice = one event (default: content hash)."),
    url: str = typer.Option(None, help="Base URL of ghltt [default: from GHLTT_HOST/GHLTT_PORT]."),
    token: str = typer.Option(
        None, envvar="GHLTT_API_TOKEN", help="API token [default: the one in the data directory]."
    ),
) -> None:
    """Submit one event (or a file of them); prints each event id and whether it was new.

    Examples: ghltt events send --kind contact.updated --object-type contact --object-id abc123;
    ghltt events send events.json
    """
    loaded = settings()
    body: Any
    if file is not None:
        try:
            text = sys.stdin.read() if str(file) == "-" else file.read_text()
            body = json.loads(text)
        except OSError as exc:
            fail(f"{file}: cannot read: {exc.strerror}")
        except json.JSONDecodeError as exc:
            fail(f"{file}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}")
    elif kind:
        try:
            data = json.loads(payload)
        except json.JSONDecodeError as exc:
            fail(f"--payload: not valid JSON: {exc.msg} at column {exc.colno}")
        body = {
            "kind": kind,
            "bridge": bridge,
            "source": source,
            "object_type": object_type,
            "object_id": object_id,
            "payload": data,
        }
        if dedup_key:
            body["dedup_key"] = dedup_key
    else:
        fail("give a JSON file or --kind (see 'ghltt events send --help')")
    base = url or f"http://{loaded.host}:{loaded.port}"
    token = token or _stored_token(loaded.data_dir)
    try:
        response = httpx2.post(
            f"{base.rstrip('/')}/api/events",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
    except httpx2.HTTPError as exc:
        fail(f"cannot reach ghltt at {base}: {type(exc).__name__} (is 'ghltt serve' running?)")
    if response.status_code >= 400:
        try:
            message = response.json().get("message", response.text)
        except ValueError:
            message = response.text
        fail(f"ghltt refused the event ({response.status_code}): {message}")
    for item in response.json()["accepted"]:
        state = "duplicate of" if item["duplicate"] else "accepted as"
        console.print(f"{state} event {item['event_id']}", highlight=False)


def _stored_token(data_dir: Path) -> str:
    path = token_file(data_dir)
    if os.environ.get("GHLTT_API_TOKEN"):
        return os.environ["GHLTT_API_TOKEN"]
    if not path.exists():
        fail(f"no API token: pass --token or start ghltt once to create {path}")
    return path.read_text().strip()
