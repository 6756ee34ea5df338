"""What recipes need of the two accounts before they can run: GHL scopes, and the custom
fields they read or write on each side (``contact.tt_customer_id`` in GHL, a customer's
``ghl_phone`` in TrackingTime). ``ghltt bridges check`` compares it with the accounts
(``ghltt.bridges.check``); ``recipes enable`` and ``serve`` run that check too.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog

from ghltt.bridges import CheckReport, FieldNeed, Needs, Services, Transports, check_bridge
from ghltt.connectors.http import ConnectorError
from ghltt.core import GhlttError
from ghltt.engine.catalog import action_catalog
from ghltt.engine.dispatch import shipped_recipe
from ghltt.engine.mapping import CompiledMapping
from ghltt.engine.mapping.paths import CUSTOM_PREFIX
from ghltt.engine.objects import ObjectType
from ghltt.engine.recipes import AutomationRecipe, Recipe, SyncRecipe, required_scopes
from ghltt.store.bridge_recipes import BridgeRecipeRepository

__all__ = ["bridge_needs", "check_enabled", "needs_of", "recipe_needs", "warn_unready"]

log = structlog.get_logger(__name__)


def recipe_needs(recipe: Recipe) -> Needs:
    fields: list[FieldNeed] = []
    name = recipe.name
    if isinstance(recipe, SyncRecipe):
        pairs = (
            (recipe.ghl_to_tt, recipe.ghl_object, recipe.tt_object),
            (recipe.tt_to_ghl, recipe.tt_object, recipe.ghl_object),
        )
        for mapping, source, target in pairs:
            if mapping is not None:
                fields += _mapping_needs(mapping, source, target, name)
    elif isinstance(recipe, AutomationRecipe):
        for step in recipe.steps:
            owner = step.spec.object_type if step.spec else None
            if owner:
                system, _, type_name = owner.partition(".")
                fields += _written(step.input, system, type_name, name)
    scopes = required_scopes(recipe, action_catalog())
    return Needs.merge([Needs((name,), scopes, tuple(fields))])


def _mapping_needs(
    mapping: CompiledMapping, source: ObjectType, target: ObjectType, recipe: str
) -> list[FieldNeed]:
    found = _written(mapping, target.system, target.name, recipe)
    for read in sorted(mapping.reads):
        if read.startswith(CUSTOM_PREFIX):
            key = _bare(read[len(CUSTOM_PREFIX) :], source.system, source.name)
            found.append(FieldNeed(source.system, source.name, key, (recipe,)))  # type: ignore[arg-type]
    return found


def _written(mapping: CompiledMapping, system: str, owner: str, recipe: str) -> list[FieldNeed]:
    return [
        FieldNeed(system, owner, _bare(rule.custom_key, system, owner), (recipe,), writes=True)  # type: ignore[arg-type]
        for rule in mapping.rules
        if rule.custom_key is not None
    ]


def _bare(key: str, system: str, owner: str) -> str:
    """GHL keys with or without their object prefix name one field: keep it bare."""
    return key.removeprefix(f"{owner}.") if system == "ghl" else key


def needs_of(names: Iterable[str]) -> Needs:
    return Needs.merge(recipe_needs(shipped_recipe(n)) for n in names)


def bridge_needs(services: Services, ref: str) -> Needs:
    """What the recipes enabled on the bridge need."""
    bridge_id = services.bridges.resolve(ref).id
    states = BridgeRecipeRepository(services.connections.db).of_bridge(bridge_id)
    return needs_of(s.recipe for s in states if s.enabled)


async def check_enabled(
    services: Services,
    ref: str,
    *,
    fix: bool = False,
    deliver: bool = True,
    transports: Transports | None = None,
) -> CheckReport:
    """``ghltt bridges check``: the bridge's accounts against what its enabled recipes need."""
    needs = bridge_needs(services, ref)
    return await check_bridge(
        services.bridges, ref, needs, fix=fix, deliver=deliver, transports=transports
    )


async def warn_unready(services: Services) -> int:
    """At start: one warning in the log per problem per bridge (never raises, never blocks a
    start); the number of problems found."""
    count = 0
    for bridge in services.bridges.all():
        if not any(r.enabled for r in bridge.recipes):
            continue
        try:
            report = await check_enabled(services, bridge.id, deliver=False)
        except (ConnectorError, GhlttError) as exc:
            log.warning("bridge not checked", bridge=bridge.name, reason=str(exc))
            continue
        for finding in report.problems:
            log.warning("bridge not ready", bridge=bridge.name, problem=finding.line())
            count += 1
        if report.problems:
            log.warning(
                "fix with 'ghltt bridges check --fix'",
                bridge=bridge.name,
                command=f"ghltt bridges check {bridge.name} --fix",
            )
    return count
