from __future__ import annotations

from ghltt.connectors.http import (
    REDACTED,
    AuthError,
    redact_headers,
    redact_text,
    redact_url,
)


def test_headers() -> None:
    out = redact_headers({"Authorization": "Bearer x", "Version": "2021-07-28", "X-Api-Key": "k"})
    assert out == {"Authorization": REDACTED, "Version": "2021-07-28", "X-Api-Key": REDACTED}


def test_url() -> None:
    url = redact_url("https://u:p@h.example/a?access_token=s3cr3t&limit=5&code=abc")
    assert "s3cr3t" not in url and "abc" not in url and "u:p" not in url and "limit=5" in url


def test_text() -> None:
    text = "failed with Bearer eyJhbGciOi.eyJzdWIiOi.sig and pit-848fd970-aaaa-bbbb for mysecret"
    out = redact_text(text, ["mysecret"])
    assert "eyJ" not in out and "pit-848" not in out and "mysecret" not in out


def test_errors_carry_no_secret_when_built_from_redacted_parts() -> None:
    err = AuthError("Invalid JWT", status=401, method="GET", url=redact_url("/x?token=abc"))
    assert "abc" not in str(err)
