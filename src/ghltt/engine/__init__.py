"""Recipes, mappings, sync and the planner: what a run does with an event."""

from ghltt.engine.registry import Handler, Registry, RunPlan, StepPlan, load_plugins, registry

__all__ = ["Handler", "Registry", "RunPlan", "StepPlan", "load_plugins", "registry"]
