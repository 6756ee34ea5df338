"""A run's plan as workflows record it, and read it back after a crash or an upgrade."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from ghltt.core import InvalidInput
from ghltt.jobs.plans import Planner, Run, Step


def test_a_recorded_run_reads_back_as_it_was() -> None:
    run = Run("b1:contacts", [Step("recipe.run", {"event": "e1"}), Step("x", {}, retry=False)])
    assert Run.of(asdict(run)) == run


def test_a_run_recorded_before_steps_had_names_still_reads() -> None:
    # What DBOS holds for a workflow recorded before the upgrade: each step's name in "action".
    recorded = {
        "recipe": "b1:contacts",
        "steps": [{"action": "recipe.run", "input": {"event": "e1"}, "retry": True}],
    }
    assert Run.of(recorded) == Run("b1:contacts", [Step("recipe.run", {"event": "e1"})])


def test_a_step_names_a_function_the_planner_knows() -> None:
    async def run(data: dict[str, object]) -> None:
        return None

    planner = Planner([], {"recipe.run": run})
    assert planner.step("recipe.run") is run
    with pytest.raises(InvalidInput, match=r"unknown step 'recipe\.nope'"):
        planner.step("recipe.nope")
