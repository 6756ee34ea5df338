"""A bridge's reconciliation settings, and the schedule they ask for.

They live under ``bridges.settings["reconcile"]``; every key is optional::

    {"enabled": true, "interval_seconds": 600, "streams": ["ghl.contacts", "tt.users"],
     "ghl_overlap_seconds": 300, "tt_overlap_seconds": 7200, "calendar_ids": ["cal-1"],
     "timesheet_thresholds_hours": [40]}
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "ALL_STREAMS",
    "DEFAULT_INTERVAL",
    "DEFAULT_STREAMS",
    "GHL_STREAMS",
    "TT_STREAMS",
    "ReconcileSchedule",
    "ReconcileSettings",
    "schedule_for",
]

DEFAULT_INTERVAL = 600  # seconds

GHL_STREAMS = (
    "ghl.contacts",
    "ghl.tasks",
    "ghl.notes",
    "ghl.appointments",
    "ghl.submissions",
)
TT_STREAMS = (
    "tt.users",
    "tt.customers",
    "tt.projects",
    "tt.tasks",
    "tt.events",
    "tt.timesheets",
)
ALL_STREAMS = GHL_STREAMS + TT_STREAMS
# Form and survey submissions need the forms.readonly and surveys.readonly scopes most tokens
# lack, and only the form-intake template reads them: a bridge asks for them by name.
OPT_IN_STREAMS = ("ghl.submissions",)
DEFAULT_STREAMS = tuple(s for s in ALL_STREAMS if s not in OPT_IN_STREAMS)

# Tasks and notes are read for the contacts the contacts stream found changed.
_NEEDS = {"ghl.tasks": "ghl.contacts", "ghl.notes": "ghl.contacts"}

# Cron can only say "every N minutes" for N dividing 60, or "every N hours" for N dividing 24.
_MINUTE_STEPS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
_HOUR_STEPS = (1, 2, 3, 4, 6, 8, 12, 24)


class ReconcileSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    enabled: bool = True
    interval_seconds: int = Field(default=DEFAULT_INTERVAL, ge=60, le=86_400)
    streams: tuple[str, ...] = DEFAULT_STREAMS
    # GHL stamps in UTC with milliseconds: minutes of overlap cover clock skew and slow writes.
    ghl_overlap_seconds: int = Field(default=300, ge=0)
    # TT stamps local wall-clock seconds: two hours cover the hour a clock falls back.
    tt_overlap_seconds: int = Field(default=7200, ge=0)
    # Appointments are listed by start time: which calendars, and how far back and ahead.
    calendar_ids: tuple[str, ...] = ()
    appointment_lookback_days: int = Field(default=30, ge=0, le=366)
    appointment_lookahead_days: int = Field(default=180, ge=0, le=731)
    # A first run with backfill reads windowed streams this far back.
    backfill_days: int = Field(default=30, ge=0, le=3650)
    page_limit: int = Field(default=100, ge=1, le=500)
    # Deletes of linked contacts: search calls per poll (0: no scan), linked ids per call.
    id_scan_calls: int = Field(default=2, ge=0, le=50)
    id_scan_batch: int = Field(default=50, ge=1, le=100)
    # Linked TT customers beyond the customer list's cap: GET /customers/{id} calls per poll
    # (0: no scan). 250 reads the 1,000 an account of 2,000 has beyond the cap in 4 polls.
    tt_id_scan_calls: int = Field(default=250, ge=0, le=5000)
    # Weekly hours per user whose crossing is an event (tt.timesheet.threshold_crossed);
    # none: the timesheets stream reads nothing.
    timesheet_thresholds_hours: tuple[float, ...] = ()

    @field_validator("timesheet_thresholds_hours")
    @classmethod
    def _positive(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(hours <= 0 or hours > 168 for hours in value):
            raise ValueError("thresholds are hours in a week: above 0, at most 168")
        return tuple(sorted(set(value)))

    @field_validator("streams")
    @classmethod
    def _known_streams(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(ALL_STREAMS))
        if unknown:
            raise ValueError(f"unknown streams {unknown}; known: {list(ALL_STREAMS)}")
        wanted = set(value) | {_NEEDS[s] for s in value if s in _NEEDS}
        return tuple(s for s in ALL_STREAMS if s in wanted)

    @classmethod
    def from_bridge(cls, bridge_settings: Mapping[str, Any] | None) -> ReconcileSettings:
        section = (bridge_settings or {}).get("reconcile") or {}
        return cls.model_validate(section)

    def overlap_for(self, stream: str) -> timedelta:
        seconds = self.ghl_overlap_seconds if stream.startswith("ghl.") else self.tt_overlap_seconds
        return timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class ReconcileSchedule:
    """What the scheduler registers: ``cron`` fires every ``interval_seconds``."""

    interval_seconds: int
    cron: str


def schedule_for(
    bridge_id: str, bridge_settings: Mapping[str, Any] | None
) -> ReconcileSchedule | None:
    """The cron schedule of a bridge's reconcile, or None when it is switched off.

    An interval cron cannot express is rounded down (polling more often, never less). Bridges
    are spread over the interval by a stable offset, so they do not all poll in the same minute.
    """
    settings = ReconcileSettings.from_bridge(bridge_settings)
    if not settings.enabled or not settings.streams:
        return None
    offset = zlib.crc32(bridge_id.encode())
    minutes = settings.interval_seconds // 60
    if minutes < 60:
        step = max(s for s in _MINUTE_STEPS if s <= minutes)
        first = offset % step
        spec = "*" if step == 1 else f"{first}-59/{step}"
        return ReconcileSchedule(step * 60, f"{spec} * * * *")
    hours = max(s for s in _HOUR_STEPS if s <= minutes // 60)
    minute = offset % 60
    spec = f"{(offset // 60) % hours}-23/{hours}" if hours < 24 else str((offset // 60) % 24)
    if hours == 1:
        spec = "*"
    return ReconcileSchedule(hours * 3600, f"{minute} {spec} * * *")
