"""Bridge settings → streams, overlaps and the schedule the lead registers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from ghltt.engine.reconcile import (
    ALL_STREAMS,
    DEFAULT_INTERVAL,
    DEFAULT_STREAMS,
    ReconcileSettings,
    schedule_for,
)


def test_defaults_poll_every_stream_but_submissions_every_ten_minutes() -> None:
    settings = ReconcileSettings.from_bridge({"workflow_secret_ref": "x"})
    assert "ghl.submissions" in ALL_STREAMS and "ghl.submissions" not in settings.streams
    assert settings.streams == DEFAULT_STREAMS
    assert settings.interval_seconds == DEFAULT_INTERVAL == 600
    assert settings.overlap_for("ghl.contacts") == timedelta(minutes=5)
    assert settings.overlap_for("tt.events") == timedelta(hours=2)
    schedule = schedule_for("bridge-1", {})
    assert schedule is not None and schedule.interval_seconds == 600
    minute, *rest = schedule.cron.split()
    assert rest == ["*", "*", "*", "*"] and minute.endswith("-59/10")
    assert int(minute.split("-")[0]) < 10


def test_schedule_is_stable_per_bridge_and_spread_across_bridges() -> None:
    crons = {schedule_for(f"b{i}", {}).cron for i in range(20)}  # type: ignore[union-attr]
    assert len(crons) > 1
    assert schedule_for("b1", {}) == schedule_for("b1", {})


@pytest.mark.parametrize(
    ("seconds", "effective"),
    [(60, 60), (420, 360), (900, 900), (3000, 1800), (3600, 3600), (5 * 3600, 4 * 3600)],
)
def test_intervals_cron_cannot_say_are_rounded_down(seconds: int, effective: int) -> None:
    schedule = schedule_for("b", {"reconcile": {"interval_seconds": seconds}})
    assert schedule is not None and schedule.interval_seconds == effective


def test_a_daily_schedule_and_a_disabled_bridge() -> None:
    daily = schedule_for("b", {"reconcile": {"interval_seconds": 86_400}})
    assert daily is not None and daily.interval_seconds == 86_400
    assert len(daily.cron.split()) == 5 and "/" not in daily.cron
    assert schedule_for("b", {"reconcile": {"enabled": False}}) is None


def test_streams_are_validated_and_tasks_bring_their_contacts() -> None:
    settings = ReconcileSettings(streams=("ghl.notes", "tt.users"))
    assert settings.streams == ("ghl.contacts", "ghl.notes", "tt.users")
    with pytest.raises(ValidationError):
        ReconcileSettings(streams=("ghl.opportunities",))
    with pytest.raises(ValidationError):
        ReconcileSettings(interval_seconds=10)
