"""What 'events list' says an event came from: a poll, a schedule's tick, or a person."""

from ghltt.core import EventOrigin
from ghltt.engine.dispatch import schedule_kind
from ghltt.jobs.bridge_schedules import RECONCILE_KIND, reconcile_request
from ghltt.jobs.schedules import _origin


def test_a_bridges_polls_are_polls_not_manual() -> None:
    assert reconcile_request("br_1", "schedule:first-poll:br_1").origin == EventOrigin.POLL
    assert _origin(RECONCILE_KIND) == EventOrigin.POLL
    assert _origin("tt.user.poll") == EventOrigin.POLL


def test_a_recipes_cron_tick_is_the_schedules_own() -> None:
    assert _origin(schedule_kind("daily-report")) == EventOrigin.SCHEDULE
