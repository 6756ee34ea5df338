"""No secret reaches a log line, whichever way it travels."""

from __future__ import annotations

import io
import json
import logging

import structlog

from ghltt.observability import configure_logging

SECRETS = [
    "pit-3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60",
    "ghltt_abcdefghijklmnopqrstuvwxyz0123456789",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl",
    "hunter2-app-password",
    "sk_live_refresh_9f8e7d6c5b4a",
]


def _lines(fmt: str) -> str:
    stream = io.StringIO()
    configure_logging("debug", fmt, stream)
    log = structlog.get_logger("test")
    log.info("calling GHL", authorization=f"Bearer {SECRETS[0]}", location="loc1")
    log.info(f"request failed with header Authorization: Bearer {SECRETS[1]}")
    log.warning("token refreshed", token=SECRETS[2], refresh_token=SECRETS[4])
    log.info("connect", url=f"postgresql://user:{SECRETS[3]}@db/ghltt")
    log.info("form", body=f"password={SECRETS[3]}&client_secret={SECRETS[4]}")
    log.info("nested", data={"headers": {"Authorization": SECRETS[0]}, "list": [SECRETS[1]]})
    try:
        raise ValueError(f"bad credentials {SECRETS[2]}")
    except ValueError:
        log.exception("it failed")
    logging.getLogger("uvicorn.error").warning("stdlib says api_key=%s", SECRETS[3])
    logging.getLogger("dbos").error("dbos saw %s", f"Bearer {SECRETS[1]}")
    return stream.getvalue()


def test_no_secret_appears_in_json_logs() -> None:
    out = _lines("json")
    for secret in SECRETS:
        assert secret not in out
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 9
    assert lines[0]["location"] == "loc1"  # what is not secret stays readable
    assert "[REDACTED]" in lines[0]["authorization"]


def test_no_secret_appears_in_console_logs() -> None:
    out = _lines("console")
    for secret in SECRETS:
        assert secret not in out
    assert "calling GHL" in out
