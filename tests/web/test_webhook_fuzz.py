"""Webhook endpoints under property-based fire: malformed, unsigned, wrongly signed, stale,
replayed, oversized and wrong-content-type deliveries. Whatever arrives, the answer is never
a 5xx, nothing that should be refused is accepted, and a refused delivery stores nothing."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.test_hooks import Hooks, _add_tt_webhook, ghl_body, hooks, signed
from tests.web.test_workflow_hooks import _path

__all__ = ["hooks"]  # the fixture, shared with test_hooks

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSON_TYPES = ("application/json", "application/json; charset=utf-8")
NOT_JSON = st.sampled_from(
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "", "text/json"]
)
_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


_TT_READY: set[int] = set()


def _not_a_json_object(raw: bytes) -> bool:
    try:
        return not isinstance(orjson.loads(raw), dict)
    except orjson.JSONDecodeError:
        return True


def _inbox_size(hooks: Hooks) -> int:
    return len(hooks.inbox())


def _refused(hooks: Hooks, response: Any, before: int) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/json", response.text
    assert response.json()["error"] in {
        "bad_request",
        "unauthorized",
        "body_too_large",
        "unsupported_media_type",
        "invalid_input",
    }
    assert _inbox_size(hooks) == before


@FUZZ
@given(raw=st.binary(max_size=300).filter(_not_a_json_object))
def test_malformed_signed_ghl_deliveries_are_refused(hooks: Hooks, raw: bytes) -> None:
    before = _inbox_size(hooks)
    response = hooks.client.post("/webhooks", content=raw, headers=signed(raw))
    _refused(hooks, response, before)


@FUZZ
@given(
    extra=st.dictionaries(st.sampled_from(["id", "type", "email", "x"]), _values, max_size=3),
    signature=st.one_of(
        st.none(),
        st.text(st.characters(codec="ascii", min_codepoint=33), min_size=1, max_size=120),
        st.binary(min_size=1, max_size=64).map(bytes.hex),
    ),
    content_type=st.sampled_from(JSON_TYPES),
)
def test_unsigned_or_wrongly_signed_ghl_deliveries_are_refused(
    hooks: Hooks, extra: dict[str, Any], signature: str | None, content_type: str
) -> None:
    body = ghl_body(**extra)
    headers = {"content-type": content_type}
    if signature is not None:
        headers["x-ghl-signature"] = signature
    before = _inbox_size(hooks)
    _refused(hooks, hooks.client.post("/webhooks", content=body, headers=headers), before)


@FUZZ
@given(age=st.timedeltas(min_value=timedelta(minutes=6), max_value=timedelta(days=3650)))
def test_stale_ghl_deliveries_are_refused(hooks: Hooks, age: timedelta) -> None:
    stamp = (datetime.now(UTC) - age).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = ghl_body(timestamp=stamp, webhookId=f"stale-{age.total_seconds()}")
    before = _inbox_size(hooks)
    _refused(hooks, hooks.client.post("/webhooks", content=body, headers=signed(body)), before)


@FUZZ
@given(content_type=NOT_JSON)
def test_signed_ghl_deliveries_must_say_they_are_json(hooks: Hooks, content_type: str) -> None:
    body = ghl_body(webhookId="typed")
    headers = {**signed(body), "content-type": content_type}
    before = _inbox_size(hooks)
    response = hooks.client.post("/webhooks", content=body, headers=headers)
    assert response.status_code == 415
    _refused(hooks, response, before)


@FUZZ
@given(times=st.integers(min_value=2, max_value=5))
def test_replayed_ghl_deliveries_are_stored_once(hooks: Hooks, times: int) -> None:
    n = uuid.uuid4().hex  # a new delivery each example
    body = ghl_body(webhookId=f"replay-{n}", id=f"c{n}")
    before = _inbox_size(hooks)
    answers = [
        hooks.client.post("/webhooks", content=body, headers=signed(body)) for _ in range(times)
    ]
    assert [a.status_code for a in answers] == [200] * times
    assert [a.json()["accepted"][0]["duplicate"] for a in answers] == [False] + [True] * (times - 1)
    assert _inbox_size(hooks) == before + 1


@FUZZ
@given(size=st.integers(min_value=1, max_value=3))
def test_oversized_deliveries_are_refused_on_every_hook(hooks: Hooks, size: int) -> None:
    body = ghl_body(padding="x" * (size * 1024 * 1024))
    before = _inbox_size(hooks)
    for path in ("/webhooks", "/hooks/tt/b1", _path(hooks)):
        response = hooks.client.post(path, content=body, headers=signed(body))
        assert response.status_code == 413, path
        _refused(hooks, response, before)


@FUZZ
@given(
    bridge=st.text(
        st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="/?#%\\"),
        min_size=1,
        max_size=40,
    ),
    token=st.text(max_size=40).filter(lambda t: t != "tt-token-1"),
)
def test_trackingtime_hooks_do_not_tell_unknown_bridges_from_bad_tokens(
    hooks: Hooks, bridge: str, token: str
) -> None:
    if id(hooks) not in _TT_READY:
        _add_tt_webhook(hooks, "tt-token-1")
        _TT_READY.add(id(hooks))
    body = orjson.dumps({"event": "event.updated", "account_id": 1725, "data": {"id": 1}})
    signature = hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
    headers = {"content-type": "application/json", "x-trackingtime-signature": signature}
    before = _inbox_size(hooks)
    unknown = hooks.client.post(f"/hooks/tt/{bridge}x", content=body, headers=headers)
    known = hooks.client.post("/hooks/tt/b1", content=body, headers=headers)
    for response in (unknown, known):
        _refused(hooks, response, before)
        assert response.status_code == 401
    assert unknown.json() == known.json()


@FUZZ
@given(secret=st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=60))
def test_workflow_hooks_do_not_tell_unknown_bridges_from_bad_secrets(
    hooks: Hooks, secret: str
) -> None:
    body = orjson.dumps({"customData": {"ghltt_event": "task.created"}, "contact_id": "c1"})
    good_path = _path(hooks).split("?")[0]
    before = _inbox_size(hooks)
    answers = [
        hooks.client.post(
            f"{path}?secret={secret}", content=body, headers={"content-type": "application/json"}
        )
        for path in (good_path, good_path.rsplit("/", 1)[0] + "/no-such-bridge")
    ]
    for response in answers:
        _refused(hooks, response, before)
        assert response.status_code == 401
    assert answers[0].json() == answers[1].json()
