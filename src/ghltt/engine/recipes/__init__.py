"""Recipes: YAML files with a kind (``sync`` or ``automation``), validated and compiled at load.

Load with ``load_recipe`` / ``load_recipe_text`` (errors: ``Invalid``, each problem as
``file:line:col: field: message``); run automations step by step with ``build_scope``,
``plan_step`` and ``with_output``; get least-privilege scopes with ``required_scopes``.
See docs/recipes.md.
"""

from ghltt.engine.recipes.catalog import (
    BUILTIN_ACTIONS,
    Action,
    ActionCatalog,
    ActionSpec,
    Input,
    InputSpec,
)
from ghltt.engine.recipes.compiled import (
    AutomationRecipe,
    CompiledLink,
    CompiledStep,
    Recipe,
    SyncRecipe,
)
from ghltt.engine.recipes.conditions import Condition, check_condition, check_conditions
from ghltt.engine.recipes.loader import (
    check_recipe,
    check_recipe_text,
    load_recipe,
    load_recipe_text,
    load_recipes,
    parse_yaml,
)
from ghltt.engine.recipes.migrations import CURRENT_VERSION, MIGRATIONS, Migration, migrate
from ghltt.engine.recipes.models import Automation, Step, StepLink, Sync, Trigger
from ghltt.engine.recipes.scopes import required_scopes, required_scopes_all
from ghltt.engine.recipes.steps import (
    Invocation,
    LinkTarget,
    StepDecision,
    build_context,
    build_scope,
    event_scope,
    plan_step,
    with_output,
)

__all__ = [
    "BUILTIN_ACTIONS",
    "CURRENT_VERSION",
    "MIGRATIONS",
    "Action",
    "ActionCatalog",
    "ActionSpec",
    "Automation",
    "AutomationRecipe",
    "CompiledLink",
    "CompiledStep",
    "Condition",
    "Input",
    "InputSpec",
    "Invocation",
    "LinkTarget",
    "Migration",
    "Recipe",
    "Step",
    "StepDecision",
    "StepLink",
    "Sync",
    "SyncRecipe",
    "Trigger",
    "build_context",
    "build_scope",
    "check_condition",
    "check_conditions",
    "check_recipe",
    "check_recipe_text",
    "event_scope",
    "load_recipe",
    "load_recipe_text",
    "load_recipes",
    "migrate",
    "parse_yaml",
    "plan_step",
    "required_scopes",
    "required_scopes_all",
    "with_output",
]
