"""From a mapping spec (a dict, or a ruamel.yaml node with positions) to a ``CompiledMapping``.

A spec maps each target field to a rule::

    email: email                        # a source path
    phone: {from: phone, transforms: [{e164: "1"}]}
    name: {from: [firstName, lastName], transforms: [join]}
    source: {value: GoHighLevel}        # a constant
    notes: {template: "{{ companyName }}"}
    hours: {jmespath: "sum(events[].d)", transforms: [{divide: 3600}]}
    custom:contact.tt_hours: {from: worked_hours, default: 0}

Every problem is collected with its position, so a file reports all of them at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from typing import Any

from ghltt.engine.mapping import jmes, templating
from ghltt.engine.mapping.errors import Invalid, Problem
from ghltt.engine.mapping.locate import Locator
from ghltt.engine.mapping.model import CompiledMapping, FieldRule, SourceKind
from ghltt.engine.mapping.paths import CUSTOM_PREFIX, SourcePath, is_custom_key, parse_path
from ghltt.engine.mapping.transforms import BoundTransform, _plain, bind

_SOURCES = ("from", "value", "template", "jmespath")
_KEYS = frozenset({*_SOURCES, "transforms", "default", "if_none", "on_error", "description"})


def compile_mapping(
    spec: Any,
    *,
    file: str = "<mapping>",
    source_type: str | None = None,
    target_type: str | None = None,
    target_fields: Collection[str] | None = None,
    allow_custom: bool = True,
) -> CompiledMapping:
    """Compile ``spec`` or raise ``Invalid`` listing every problem (file:line:col: field)."""
    mapping, problems = check_mapping(
        spec,
        Locator(file, spec),
        source_type=source_type,
        target_type=target_type,
        target_fields=target_fields,
        allow_custom=allow_custom,
    )
    if problems or mapping is None:
        raise Invalid(problems or [Locator(file, spec).problem("empty mapping")])
    return mapping


def check_mapping(
    spec: Any,
    where: Locator,
    *,
    source_type: str | None = None,
    target_type: str | None = None,
    target_fields: Collection[str] | None = None,
    allow_custom: bool = True,
) -> tuple[CompiledMapping | None, list[Problem]]:
    if not isinstance(spec, Mapping):
        return None, [where.problem("a mapping is a set of 'target_field: source' lines")]
    rules: list[FieldRule] = []
    problems: list[Problem] = []
    for target, raw in spec.items():
        if not isinstance(target, str) or not target.strip():
            problems.append(where.problem("a target field name must be text"))
            continue
        target_problems = _check_target(target, where, target_type, target_fields, allow_custom)
        rule, rule_problems = _rule(target, raw, where.child(target))
        problems += target_problems + rule_problems
        if rule is not None and not target_problems:
            rules.append(rule)
    if problems:
        return None, problems
    return CompiledMapping(tuple(rules), source_type, target_type, where.file), []


def _check_target(
    target: str,
    where: Locator,
    target_type: str | None,
    known: Collection[str] | None,
    allow_custom: bool,
) -> list[Problem]:
    if target.startswith(CUSTOM_PREFIX):
        key = target[len(CUSTOM_PREFIX) :]
        if not allow_custom:
            return [where.problem(f"{target_type or 'this target'} has no custom fields", target)]
        if not is_custom_key(key):
            return [where.problem("a custom field key has letters, digits, _ . -", target)]
        return []
    if known is not None and target not in known:
        hint = difflib.get_close_matches(target, list(known), n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        owner = f" of {target_type}" if target_type else ""
        return [where.problem(f"unknown field{owner}{suggestion}", target)]
    return []


def _rule(target: str, raw: Any, where: Locator) -> tuple[FieldRule | None, list[Problem]]:
    label = where.problem("").where
    if isinstance(raw, str):
        try:
            return FieldRule(target, "path", paths=(parse_path(raw),), where=label), []
        except ValueError as exc:
            return None, [where.problem(str(exc))]
    if raw is None or isinstance(raw, bool | int | float):
        return FieldRule(target, "value", literal=raw, if_none="write", where=label), []
    if not isinstance(raw, Mapping):
        return None, [
            where.problem("use a source path, a constant, or {from|value|template|jmespath: ...}")
        ]
    problems = [where.problem(f"unknown key {k!r}", k) for k in raw if k not in _KEYS]
    given = [k for k in _SOURCES if k in raw]
    if len(given) != 1:
        choices = "from, value, template, jmespath"
        problems.append(where.problem(f"give exactly one of {choices} (got {len(given)})"))
        return None, problems
    kind_key = given[0]
    kind: SourceKind = "path" if kind_key == "from" else kind_key  # type: ignore[assignment]
    paths: tuple[SourcePath, ...] = ()
    text = ""
    literal: Any = None
    body = raw[kind_key]
    try:
        if kind == "path":
            items = body if isinstance(body, list) else [body]
            if not items:
                raise ValueError("from: give at least one path")
            paths = tuple(parse_path(p) for p in items)
        elif kind == "value":
            literal = _plain(body)
        elif kind == "template":
            templating.check_template(body)
            text = body
        else:
            jmes.compile_jmespath(body)
            text = body
    except ValueError as exc:
        problems.append(where.problem(str(exc), kind_key))
    transforms, transform_problems = _transforms(raw.get("transforms"), where.child("transforms"))
    problems += transform_problems
    if_none = raw.get("if_none", "write" if kind == "value" else "omit")
    if if_none not in ("omit", "write"):
        problems.append(where.problem("if_none is 'omit' or 'write'", "if_none"))
    on_error = raw.get("on_error", "fail")
    if on_error not in ("fail", "skip"):
        problems.append(where.problem("on_error is 'fail' or 'skip'", "on_error"))
    if problems:
        return None, problems
    rule = FieldRule(
        target,
        kind,
        paths=paths,
        literal=literal,
        text=text,
        transforms=transforms,
        default=_plain(raw.get("default")),
        if_none=if_none,
        on_error=on_error,
        where=label,
    )
    return rule, []


def _transforms(raw: Any, where: Locator) -> tuple[tuple[BoundTransform, ...], list[Problem]]:
    if raw is None:
        return (), []
    items = raw if isinstance(raw, list) else [raw]
    bound: list[BoundTransform] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        transform, found = bind(item, where.child(index) if isinstance(raw, list) else where)
        problems += found
        if transform is not None:
            bound.append(transform)
    return tuple(bound), problems
