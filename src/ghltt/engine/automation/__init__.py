"""Automation runs: a recipe's conditions, then its steps (catalog actions, plus ghltt's own
set and stop, and ``link:`` pairing of what a step creates). See ``run.py``, docs/engine.md."""

from ghltt.engine.automation.run import PARENT_WAIT_SECONDS, PairNotReady, run_automation

__all__ = ["PARENT_WAIT_SECONDS", "PairNotReady", "run_automation"]
