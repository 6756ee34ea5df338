"""``ghltt events send`` and ``ghltt bridges poll``: events submitted by hand to a running ghltt."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2
import typer

from ghltt.cli.context import console, fail, settings
from ghltt.cli.event_views import list_events, show_event
from ghltt.core import new_event_id
from ghltt.store.tokens import token_file

app = typer.Typer(
    help="See what arrived (list, show); submit events to a running ghltt by hand.",
    no_args_is_help=True,
)


@app.command("send")
def send(
    file: Path = typer.Argument(
        None, help="A JSON file with one event or a list of events ('-' for standard input)."
    ),
    kind: str = typer.Option(None, help="Event kind, e.g. contact.updated (instead of a file)."),
    bridge: str = typer.Option(
        None, help="The bridge (name or id) the events belong to; an unknown one is refused."
    ),
    source: str = typer.Option("manual", help="ghl, tt, schedule or manual."),
    object_type: str = typer.Option(None, help="e.g. contact"),
    object_id: str = typer.Option(None, help="The remote id of the object."),
    payload: str = typer.Option("{}", help="The payload as a JSON object."),
    dedup_key: str = typer.Option(None, help="Same key twice = one event (default: content hash)."),
    url: str = typer.Option(None, help="Base URL of ghltt (default: from GHLTT_HOST/GHLTT_PORT)."),
    token: str = typer.Option(
        None, envvar="GHLTT_API_TOKEN", help="API token (default: the one in the data directory)."
    ),
) -> None:
    """Submit one event (or a file of them); prints each event id and whether it was new.

    Examples: ghltt events send --kind contact.updated --object-type contact --object-id abc123
    --bridge acme; ghltt events send events.json
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
            "source": source,
            "object_type": object_type,
            "object_id": object_id,
            "payload": data,
        }
        if dedup_key:
            body["dedup_key"] = dedup_key
    else:
        fail("give a JSON file or --kind (see 'ghltt events send --help')")
    api = _Api(
        url or f"http://{loaded.host}:{loaded.port}", token or _stored_token(loaded.data_dir)
    )
    events = body if isinstance(body, list) else [body]
    if bridge is not None:
        for event in events:
            if isinstance(event, dict):
                event["bridge"] = bridge
    for event in events:
        # The intake takes bridge ids; a name given here is resolved by the server it goes to.
        if isinstance(event, dict) and event.get("bridge") not in (None, "default"):
            event["bridge"] = api.bridge_id(str(event["bridge"]))
    for item in api.submit(events):
        state = "duplicate of" if item["duplicate"] else "accepted as"
        console.print(f"{state} event {item['event_id']}", highlight=False)


app.command("list")(list_events)
app.command("show")(show_event)


def poll(
    bridge: str = typer.Argument(..., help="Bridge name or id."),
    url: str = typer.Option(None, help="Base URL of ghltt (default: from GHLTT_HOST/GHLTT_PORT)."),
    token: str = typer.Option(
        None, envvar="GHLTT_API_TOKEN", help="API token (default: the one in the data directory)."
    ),
) -> None:
    """Ask a running ghltt to poll both sides of a bridge now, instead of at its next schedule.

    Every call is a poll of its own (no deduplication); it prints the event id of the request.
    Example: ghltt bridges poll acme
    """
    from ghltt.jobs.bridge_schedules import RECONCILE_KIND  # DBOS: 'events send' needs none

    loaded = settings()
    api = _Api(
        url or f"http://{loaded.host}:{loaded.port}", token or _stored_token(loaded.data_dir)
    )
    event = {
        "bridge": api.bridge_id(bridge),
        "source": "schedule",
        "kind": RECONCILE_KIND,
        # Its own key: two requests are two polls, not one event and its duplicate.
        "dedup_key": f"poll-now:{new_event_id()}",
    }
    (item,) = api.submit([event])
    console.print(f"poll of {bridge} requested as event {item['event_id']}", highlight=False)


class _Api:
    """The few calls these commands make to a running ghltt's JSON API."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, body: Any = None) -> httpx2.Response:
        try:
            return httpx2.request(
                method, f"{self.base}{path}", json=body, headers=self.headers, timeout=30
            )
        except httpx2.HTTPError as exc:
            fail(
                f"cannot reach ghltt at {self.base}: {type(exc).__name__} "
                "(is 'ghltt serve' running?)"
            )

    def bridge_id(self, ref: str) -> str:
        response = self._call("GET", f"/api/bridges/{quote(ref, safe='')}")
        if response.status_code == 404:
            fail(f"no bridge {ref!r} ('ghltt bridges list' shows them)")
        _refused(response, "the bridge")
        return str(response.json()["id"])

    def submit(self, events: list[Any]) -> list[dict[str, Any]]:
        response = self._call("POST", "/api/events", events)
        _refused(response, "the event")
        accepted: list[dict[str, Any]] = response.json()["accepted"]
        return accepted


def _refused(response: httpx2.Response, what: str) -> None:
    if response.status_code < 400:
        return
    try:
        message = response.json().get("message", response.text)
    except ValueError:
        message = response.text
    fail(f"ghltt refused {what} ({response.status_code}): {message}")


def _stored_token(data_dir: Path) -> str:
    path = token_file(data_dir)
    if os.environ.get("GHLTT_API_TOKEN"):
        return os.environ["GHLTT_API_TOKEN"]
    if not path.exists():
        fail(f"no API token: pass --token or start ghltt once to create {path}")
    return path.read_text().strip()
