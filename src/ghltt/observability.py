"""Structured logs (JSON in production, readable in a terminal) that never carry a secret.

Every line, ours or a library's through stdlib logging, passes :func:`redact` before it is
written: values under secret-sounding keys are dropped, and token-shaped strings anywhere are
masked, so a secret that slips into a message or an exception is still not written.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import structlog

REDACTED = "[REDACTED]"

# The id of the request being served, added to every log line written while serving it. A
# ContextVar of our own: structlog's bind_contextvars cost a twentieth of the intake's CPU.
request_id: ContextVar[str | None] = ContextVar("ghltt_request_id", default=None)

_SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|authorization|api[-_]?key|apikey|cookie|credential|"
    r"private[-_]?key|signature|refresh|access[-_]?token|client[-_]?secret|session)",
    re.IGNORECASE,
)
_SECRET_VALUE = [
    (re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    (re.compile(r"\bpit-[0-9a-fA-F-]{8,}"), REDACTED),
    (re.compile(r"\bghltt_[A-Za-z0-9_-]{16,}"), REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), REDACTED),
    (re.compile(r"(?i)(://[^/\s:@]+:)[^@\s/]+@"), r"\1" + REDACTED + "@"),
    (
        re.compile(
            r"(?i)((?:password|passwd|secret|token|api_key|apikey|client_secret|access_token|"
            r"refresh_token)[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,;}]+"
        ),
        r"\1" + REDACTED,
    ),
]


def redact_text(text: str) -> str:
    for pattern, replacement in _SECRET_VALUE:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(key: str | None, value: Any) -> Any:
    if key is not None and _SECRET_KEY.search(key) and value not in (None, "", [], {}):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(None, v) for v in value]
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", "replace"))
    if isinstance(value, BaseException):
        return redact_text(f"{type(value).__name__}: {value}")
    return value


def redact_data(value: Any) -> Any:
    """A copy of ``value`` (JSON-like data) with secret-named keys and token-shaped strings
    masked, as a log line would show it."""
    return _redact_value(None, value)


def redact(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> Any:
    """structlog processor: the last word on what a log line may contain."""
    for key in list(event_dict):
        if key in {"timestamp", "level", "logger"}:
            continue
        event_dict[key] = _redact_value(None if key == "event" else key, event_dict[key])
    return event_dict


def _render_exception(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> Any:
    # Tracebacks can quote locals and arguments; keep only the exception's type and message.
    exc_info = event_dict.pop("exc_info", None)
    if exc_info:
        exc = exc_info[1] if isinstance(exc_info, tuple) else sys.exc_info()[1]
        if isinstance(exc_info, BaseException):
            exc = exc_info
        if exc is not None:
            event_dict["exception"] = f"{type(exc).__name__}: {exc}"
    return event_dict


def _add_request_id(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> Any:
    current = request_id.get()
    if current is not None:
        event_dict.setdefault("request_id", current)
    return event_dict


def _drop_color_message(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> Any:
    event_dict.pop("color_message", None)
    return event_dict


def configure_logging(level: str = "info", fmt: str = "auto", stream: Any = None) -> None:
    """Route structlog and stdlib logging through one redacting pipeline."""
    stream = stream or sys.stderr
    as_json = fmt == "json" or (fmt == "auto" and not getattr(stream, "isatty", lambda: False)())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _add_request_id,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _render_exception,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _drop_color_message,
            redact,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "dbos"):
        lib = logging.getLogger(name)
        lib.handlers = []
        lib.propagate = True
    # One line per request is the metrics' job; access logs would double the intake's cost.
    logging.getLogger("uvicorn.access").setLevel("WARNING")
    # Transport debug lines quote headers, including OAuth redirects that carry codes.
    for name in ("httpx2", "httpcore2", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    logging.getLogger("dbos").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))


@dataclass(slots=True)
class RemoteCalls:
    """The remote requests one run step makes, gathered in memory while it runs and stored
    with the step's record: one write for the step, not one per request. The connectors'
    HTTP layer adds each send, already redacted; past ``limit`` only a count is kept."""

    limit: int = 50
    records: list[dict[str, Any]] = field(default_factory=list)
    omitted: int = 0

    def add(self, record: dict[str, Any]) -> None:
        if len(self.records) < self.limit:
            self.records.append(record)
        else:
            self.omitted += 1

    def extend(self, other: RemoteCalls) -> None:
        for record in other.records:
            self.add(record)
        self.omitted += other.omitted

    def stored(self) -> list[dict[str, Any]]:
        """What a step's record keeps: the requests, and how many more were not kept."""
        return [*self.records, {"omitted": self.omitted}] if self.omitted else list(self.records)


# The collector of the run step being executed (set by jobs around a step, read by the
# connectors' requestor); None outside a step, where nothing is collected.
remote_calls: ContextVar[RemoteCalls | None] = ContextVar("ghltt_remote_calls", default=None)


@contextmanager
def collecting_remote_calls(calls: RemoteCalls | None = None) -> Iterator[RemoteCalls]:
    """Collect the remote requests made in this context (and tasks it starts) into ``calls``."""
    calls = calls if calls is not None else RemoteCalls()
    token = remote_calls.set(calls)
    try:
        yield calls
    finally:
        remote_calls.reset(token)
