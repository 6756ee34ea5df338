"""Load recipe files: parse YAML with positions, migrate, validate, compile.

Every problem is reported as ``file:line:col: field: message`` and all of a file's problems are
collected before raising, so ``ghltt recipes validate`` can list them in one go.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ghltt.engine.mapping import CompiledMapping, Invalid, Problem, check_mapping, jmes, templating
from ghltt.engine.mapping.locate import Locator
from ghltt.engine.mapping.model import FieldRule
from ghltt.engine.objects import OBJECTS
from ghltt.engine.objects.model import ObjectType
from ghltt.engine.recipes.catalog import BUILTIN_ACTIONS, ActionCatalog, ActionSpec, type_matches
from ghltt.engine.recipes.compiled import (
    AutomationRecipe,
    CompiledLink,
    CompiledStep,
    Recipe,
    SyncRecipe,
)
from ghltt.engine.recipes.conditions import check_conditions
from ghltt.engine.recipes.migrations import migrate
from ghltt.engine.recipes.models import Automation, Step, Sync

_STEP_ROOTS = frozenset({"event", "record", "params", "steps"})
_ITEM_ROOTS = frozenset({"item", "index"})
_KINDS: dict[str, type[Sync] | type[Automation]] = {"sync": Sync, "automation": Automation}


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """The YAML document with positions, or the syntax problem with its position."""
    try:
        return _yaml().load(text), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"YAML: {exc.problem or exc.context or 'syntax error'}"
        if mark is None:
            return None, [Problem(file, None, None, "", message)]
        return None, [Problem(file, mark.line + 1, mark.column + 1, "", message)]
    except YAMLError as exc:
        # A reader error (a character YAML does not allow) has a position but no mark.
        position = getattr(exc, "position", None)
        if not isinstance(position, int):
            return None, [Problem(file, None, None, "", f"YAML: {exc}")]
        line = text.count("\n", 0, position) + 1
        col = position - (text.rfind("\n", 0, position) + 1) + 1
        reason = getattr(exc, "reason", None) or "a character YAML does not allow"
        return None, [Problem(file, line, col, "", f"YAML: {reason}")]


def load_recipe(path: str | Path, catalog: ActionCatalog, **options: Any) -> Recipe:
    """Load one recipe file, or raise ``Invalid`` with every problem found."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid([Problem(file, None, None, "", f"cannot read: {exc}")]) from None
    return load_recipe_text(text, catalog, file=file, **options)


def load_recipe_text(
    text: str,
    catalog: ActionCatalog,
    *,
    file: str = "<recipe>",
    sync_recipes: Collection[str] | None = None,
) -> Recipe:
    recipe, problems = check_recipe_text(text, catalog, file=file, sync_recipes=sync_recipes)
    if problems or recipe is None:
        raise Invalid(problems or [Problem(file, None, None, "", "empty recipe")])
    return recipe


def check_recipe_text(
    text: str,
    catalog: ActionCatalog,
    *,
    file: str = "<recipe>",
    sync_recipes: Collection[str] | None = None,
) -> tuple[Recipe | None, list[Problem]]:
    """Like ``load_recipe_text`` but returns the problems instead of raising.

    ``sync_recipes`` names the sync recipes that may be referred to (``parent.recipe``,
    ``schedule.per_link``); None skips that cross-file check.
    """
    doc, problems = parse_yaml(text, file)
    if problems:
        return None, problems
    return check_recipe(doc, catalog, file=file, sync_recipes=sync_recipes)


def check_recipe(
    doc: Any,
    catalog: ActionCatalog,
    *,
    file: str = "<recipe>",
    sync_recipes: Collection[str] | None = None,
) -> tuple[Recipe | None, list[Problem]]:
    where = Locator(file, doc)
    if not isinstance(doc, dict):
        # The whole document is wrong: it starts on line 1.
        return None, [Problem(file, 1, 1, "", "a recipe is a YAML mapping (name, kind, ...)")]
    version = doc.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        return None, [where.problem("version must be a whole number", "version")]
    try:
        migrate(doc, version)
    except ValueError as exc:
        return None, [where.problem(str(exc), "version")]
    kind = doc.get("kind")
    if not isinstance(kind, str) or kind not in _KINDS:
        return None, [where.problem("kind must be 'sync' or 'automation'", "kind")]
    try:
        model = _KINDS[kind].model_validate(doc)
    except ValidationError as exc:
        return None, _pydantic_problems(exc, where)
    if isinstance(model, Sync):
        return _sync(model, doc, where, catalog, sync_recipes)
    assert isinstance(model, Automation)
    return _automation(model, doc, where, catalog, sync_recipes)


def _pydantic_problems(exc: ValidationError, where: Locator) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if isinstance(p, int | str))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            message = "required field is missing"
        elif error["type"] == "string_pattern_mismatch":
            message = (
                "use lower-case letters, digits, '-' and '_' (starting with a letter or digit)"
            )
        problems.append(where.problem(message, *_real_path(where.root, loc)))
    return problems


def _real_path(root: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """pydantic adds union branch names (``str``, ``DeletePolicy``) to ``loc``: keep only the
    parts that exist in the document, plus a final missing key."""
    kept: list[int | str] = []
    node = root
    for part in loc:
        try:
            child = node[part]
        except (KeyError, IndexError, TypeError):
            if isinstance(node, dict) and isinstance(part, str) and part[:1].islower():
                kept.append(part)
                break
            continue
        kept.append(part)
        node = child
    return tuple(kept)


# ---- sync -----------------------------------------------------------------------------------


def _sync(
    model: Sync,
    doc: Any,
    where: Locator,
    catalog: ActionCatalog,
    sync_recipes: Collection[str] | None,
) -> tuple[SyncRecipe | None, list[Problem]]:
    ghl, tt = OBJECTS[f"ghl.{model.ghl}"], OBJECTS[f"tt.{model.tt}"]
    problems: list[Problem] = []
    mappings: dict[str, CompiledMapping | None] = {"ghl_to_tt": None, "tt_to_ghl": None}
    for direction in ("ghl_to_tt", "tt_to_ghl"):
        source, target = (ghl, tt) if direction == "ghl_to_tt" else (tt, ghl)
        raw = doc.get(direction)
        if direction not in model.directions:
            if raw is not None:
                problems.append(where.problem(f"direction is {model.direction}", direction))
            continue
        if raw is None:
            problems.append(where.problem("this direction is synced but has no mapping", direction))
            continue
        mapping, found = check_mapping(
            raw,
            where.child(direction),
            source_type=source.type,
            target_type=target.type,
            target_fields=target.writable,
            allow_custom=target.custom_fields,
        )
        problems += found
        if mapping is not None:
            problems += _unknown_reads(mapping, source, where.child(direction))
        mappings[direction] = mapping
        policy = model.delete_action(direction)  # type: ignore[arg-type]
        if policy == "archive" and target.archive is None:
            problems.append(
                where.problem(
                    f"{target.type} cannot be archived; use propagate or ignore", "delete"
                )
            )
        if policy == "propagate" and target.delete is None:
            problems.append(where.problem(f"{target.type} cannot be deleted", "delete"))
    for index, key in enumerate(model.match):
        for system, obj in (("ghl", ghl), ("tt", tt)):
            name = getattr(key, system)
            if not (name.startswith("custom:") or name in obj.writable or name == "id"):
                message = f"{obj.type} has no field {name!r} to match on"
                problems.append(where.problem(message, "match", index, system))
    for index, ikey in enumerate(model.imports.match or ()):
        if not ikey.fields("ghl") and not ikey.fields("tt"):
            problems.append(
                where.problem("a key names a field on ghl, tt or both", "import", "match", index)
            )
        for direction in model.directions:
            system = direction.split("_to_")[1]
            mapping = mappings.get(direction)
            for name in ikey.fields(system):
                if mapping is not None and name not in mapping.targets:
                    message = f"{name!r} is not a field the {direction} mapping writes"
                    problems.append(where.problem(message, "import", "match", index, system))
    if model.parent is not None:
        problems += _check_parent(model, ghl.parent, tt.parent, where, sync_recipes)
    filters = doc.get("filter") or {}
    ghl_filter, found_g = check_conditions(filters.get("ghl"), where.child("filter", "ghl"))
    tt_filter, found_t = check_conditions(filters.get("tt"), where.child("filter", "tt"))
    problems += found_g + found_t
    if problems:
        return None, problems
    recipe = SyncRecipe(
        model,
        where.file,
        ghl,
        tt,
        mappings["ghl_to_tt"],
        mappings["tt_to_ghl"],
        ghl_filter,
        tt_filter,
    )
    for action in recipe.actions:
        if action not in catalog:
            system = action.split(".", 1)[0]
            message = f"the catalog has no action {action!r}, which this sync needs"
            problems.append(where.problem(message, system if system in ("ghl", "tt") else "kind"))
    return (None, problems) if problems else (recipe, [])


_CUSTOM_LISTS = frozenset({"customFields", "custom_fields"})


def _unknown_reads(mapping: CompiledMapping, source: ObjectType, where: Locator) -> list[Problem]:
    """A source path (``from``, a JMESPath's fields) naming a field the source record does
    not have: a typo that would otherwise map nothing, silently."""
    known = source.known_fields
    if not known:
        return []
    problems = []
    for rule in mapping.rules:
        reads = {p.text for p in rule.paths if p.reads is not None and p.custom_key is None}
        if rule.kind == "jmespath":
            reads |= set(jmes.root_reads(rule.text))
        for text in sorted(reads):
            root = text.replace("[", ".").split(".", 1)[0]
            if root in ("*", "") or root in known or root in _CUSTOM_LISTS:
                continue
            hint = difflib.get_close_matches(root, sorted(known), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            message = f"{source.type} records have no field {root!r}{suggestion}"
            problems.append(where.problem(message, rule.target))
    return problems


def _check_parent(
    model: Sync,
    ghl_parent: str | None,
    tt_parent: str | None,
    where: Locator,
    sync_recipes: Collection[str] | None,
) -> list[Problem]:
    problems = []
    assert model.parent is not None
    if ghl_parent is None and tt_parent is None:
        message = f"ghl.{model.ghl} and tt.{model.tt} do not live under a parent record"
        problems.append(where.problem(message, "parent"))
    if sync_recipes is not None and model.parent.recipe not in sync_recipes:
        message = f"no sync recipe named {model.parent.recipe!r}"
        problems.append(where.problem(message, "parent", "recipe"))
    return problems


# ---- automation -----------------------------------------------------------------------------


def _automation(
    model: Automation,
    doc: Any,
    where: Locator,
    catalog: ActionCatalog,
    sync_recipes: Collection[str] | None,
) -> tuple[AutomationRecipe | None, list[Problem]]:
    problems: list[Problem] = []
    schedule = model.trigger.schedule
    per_link = schedule.per_link if schedule else None
    if per_link and sync_recipes is not None and per_link not in sync_recipes:
        message = f"no sync recipe named {per_link!r}"
        problems.append(where.problem(message, "trigger", "schedule", "per_link"))
    conditions, found = check_conditions(doc.get("conditions"), where.child("conditions"))
    problems += found
    problems += _check_roots(doc.get("conditions"), where.child("conditions"), set(), model)
    steps: list[CompiledStep] = []
    earlier: set[str] = set()
    for index, step in enumerate(model.steps):
        compiled, found = _step(
            step, doc["steps"][index], where.child("steps", index), catalog, sync_recipes
        )
        problems += found
        problems += _check_step_refs(step, doc["steps"][index], where, index, earlier, model)
        if compiled is not None:
            steps.append(compiled)
        earlier.add(step.id)
    if problems:
        return None, problems
    return AutomationRecipe(model, where.file, conditions, tuple(steps)), []


def _step(
    step: Step,
    raw: Any,
    where: Locator,
    catalog: ActionCatalog,
    sync_recipes: Collection[str] | None = None,
) -> tuple[CompiledStep | None, list[Problem]]:
    problems: list[Problem] = []
    spec = catalog.get(step.action)
    if spec is None and step.action not in BUILTIN_ACTIONS:
        known = [*catalog, *BUILTIN_ACTIONS]
        hint = difflib.get_close_matches(step.action, known, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        problems.append(where.problem(f"unknown action {step.action!r}{suggestion}", "action"))
    inputs = spec.inputs if spec is not None else None
    mapping, found = check_mapping(
        raw.get("input") or {},
        where.child("input"),
        source_type=None,
        target_type=spec.object_type if spec else None,
        target_fields=None if inputs is None else list(inputs),
        allow_custom=spec.custom_fields if spec else step.action == "ghltt.set",
    )
    problems += found
    if inputs is not None and mapping is not None:
        given = set(mapping.targets)
        for name, declared in inputs.items():
            if declared.required and name not in given:
                problems.append(where.problem(f"required input {name!r} is missing", "input"))
        for rule in mapping.rules:
            problems += _literal_type(rule, inputs, where)
    when, found = check_conditions(raw.get("when"), where.child("when"))
    problems += found
    if step.for_each is not None:
        problems += _check_jmes(step.for_each, where, "for_each")
    if step.once is not None:
        problems += _check_template(step.once, where, "once")
    link: CompiledLink | None = None
    if step.link is not None:
        link, found = _link(step, raw.get("link"), where.child("link"), spec, sync_recipes)
        problems += found
    if problems or mapping is None:
        return None, problems
    label = where.problem("").where
    compiled = CompiledStep(
        step.id, step.action, mapping, when, step.for_each, step.once, spec, label, link
    )
    return compiled, []


def _link(
    step: Step,
    raw: Any,
    where: Locator,
    spec: ActionSpec | None,
    sync_recipes: Collection[str] | None,
) -> tuple[CompiledLink | None, list[Problem]]:
    """``link: {recipe, ghl_id | tt_id}``: the step must create a record of one side, and the
    id names the record of the other side it stands for."""
    assert step.link is not None
    problems: list[Problem] = []
    made = (spec.object_type or "") if spec is not None else ""
    system = made.split(".", 1)[0]
    other = step.link.other
    if system not in ("ghl", "tt"):
        problems.append(where.problem(f"{step.action} makes no GHL or TT record to link"))
    elif system == other:
        wanted = "tt_id" if system == "ghl" else "ghl_id"
        message = f"{step.action} makes a {system} record: give {wanted}, the other side's record"
        problems.append(where.problem(message, f"{other}_id"))
    if sync_recipes is not None and step.link.recipe not in sync_recipes:
        message = f"no sync recipe named {step.link.recipe!r}"
        problems.append(where.problem(message, "recipe"))
    key = f"{other}_id"
    mapping, found = check_mapping(
        {key: raw[key]}, where, source_type=None, target_type=None, target_fields=[key]
    )
    problems += found
    if problems or mapping is None:
        return None, problems
    return CompiledLink(step.link.recipe, other, mapping), []


def _literal_type(rule: FieldRule, inputs: Mapping[str, Any], where: Locator) -> list[Problem]:
    declared = inputs.get(rule.target)
    if rule.kind != "value" or declared is None:
        return []
    if rule.transforms or type_matches(declared.type, rule.literal):
        return []
    message = f"input {rule.target!r} takes {declared.type}, got {type(rule.literal).__name__}"
    return [where.problem(message, "input", rule.target)]


def _check_jmes(expression: str, where: Locator, key: str) -> list[Problem]:
    try:
        jmes.compile_jmespath(expression)
    except jmes.JmesProblem as exc:
        return [where.problem(str(exc), key)]
    return []


def _check_template(text: str, where: Locator, key: str) -> list[Problem]:
    try:
        templating.check_template(text)
    except templating.TemplateProblem as exc:
        return [where.problem(str(exc), key)]
    return []


def _condition_paths(raw: Any) -> Iterable[tuple[tuple[int | str, ...], str]]:
    """(position, path text) of every comparison ``path`` in a condition tree."""
    if isinstance(raw, dict):
        for key, value in raw.items():
            if key == "path" and isinstance(value, str):
                yield (key,), value
            elif key in ("all", "any", "not"):
                for sub, text in _condition_paths(value):
                    yield (key, *sub), text
    elif isinstance(raw, list):
        for index, value in enumerate(raw):
            for sub, text in _condition_paths(value):
                yield (index, *sub), text


def _input_paths(raw: Any) -> Iterable[tuple[tuple[int | str, ...], str]]:
    """(position, path text) of every source path in a step's input mapping."""
    if not isinstance(raw, dict):
        return
    for target, rule in raw.items():
        if isinstance(rule, str):
            yield (target,), rule
        elif isinstance(rule, dict):
            given = rule.get("from")
            items = given if isinstance(given, list) else [given]
            for index, item in enumerate(items):
                if isinstance(item, str):
                    sub = (index,) if isinstance(given, list) else ()
                    yield (target, "from", *sub), item


def _check_roots(raw: Any, where: Locator, steps: set[str], model: Automation) -> list[Problem]:
    return _check_paths(_condition_paths(raw), where, steps, model, allow_item=False)


def _check_step_refs(
    step: Step, raw: Any, where: Locator, index: int, earlier: set[str], model: Automation
) -> list[Problem]:
    here = where.child("steps", index)
    allow_item = step.for_each is not None
    inputs = _input_paths(raw.get("input"))
    problems = _check_paths(inputs, here.child("input"), earlier, model, allow_item=allow_item)
    conditions = _condition_paths(raw.get("when"))
    problems += _check_paths(conditions, here.child("when"), earlier, model, allow_item=allow_item)
    link = raw.get("link")
    if isinstance(link, dict):
        ids = {k: v for k, v in link.items() if k in ("ghl_id", "tt_id")}
        found = _input_paths(ids)
        problems += _check_paths(found, here.child("link"), earlier, model, allow_item=allow_item)
    return problems


def _check_paths(
    found: Iterable[tuple[tuple[int | str, ...], str]],
    where: Locator,
    steps: set[str],
    model: Automation,
    *,
    allow_item: bool,
) -> list[Problem]:
    problems: list[Problem] = []
    for position, text in found:
        if text.startswith(("$", "custom:")):
            continue
        problems += _check_one(text, where.child(*position), steps, model, allow_item)
    return problems


def _check_one(
    text: str, where: Locator, steps: set[str], model: Automation, allow_item: bool
) -> list[Problem]:
    parts = text.replace("[", ".").split(".")
    root = parts[0]
    roots = _STEP_ROOTS | (_ITEM_ROOTS if allow_item else frozenset())
    if root not in roots:
        allowed = ", ".join(sorted(roots))
        return [where.problem(f"path {text!r} must start with one of: {allowed}")]
    if root == "steps" and (len(parts) < 2 or parts[1] not in steps):
        name = parts[1] if len(parts) > 1 else ""
        return [where.problem(f"step {name!r} does not run before this one")]
    if root == "params" and len(parts) > 1 and parts[1] not in model.params:
        return [where.problem(f"no parameter {parts[1]!r} in params")]
    return []


def load_recipes(
    paths: Iterable[str | Path], catalog: ActionCatalog, *, extra_syncs: Collection[str] = ()
) -> tuple[list[Recipe], list[Problem]]:
    """Load many files; cross-references (``parent.recipe``, ``per_link``) may point to any
    sync recipe among them or in ``extra_syncs`` (e.g. the shipped templates)."""
    texts: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            texts.append((str(path), Path(path).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), None, None, "", f"cannot read: {exc}"))
    syncs = set(extra_syncs) | {name for _, text in texts if (name := _sync_name(text))}
    recipes: list[Recipe] = []
    for file, text in texts:
        recipe, found = check_recipe_text(text, catalog, file=file, sync_recipes=syncs)
        problems += found
        if recipe is not None:
            recipes.append(recipe)
    return recipes, problems


def _sync_name(text: str) -> str | None:
    doc, problems = parse_yaml(text, "")
    if problems or not isinstance(doc, dict) or doc.get("kind") != "sync":
        return None
    name = doc.get("name")
    return name if isinstance(name, str) else None
