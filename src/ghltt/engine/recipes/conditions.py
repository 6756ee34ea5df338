"""The condition language: small, safe, and checked at load.

A condition is one of:

- a string: a JMESPath expression over the scope, true unless it yields false, null, an empty
  string, list or object (JMESPath truthiness: ``0`` is true);
- ``{path: <source path>, op: <operator>, value: <constant or $variable>, tz: <zone>}``;
- ``{all: [...]}``, ``{any: [...]}``, ``{not: <condition>}``.

A list of conditions holds when all hold. Nothing here can call out, loop or import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from ghltt.engine.mapping import MappingContext, Problem, jmes, parse_path, timefmt
from ghltt.engine.mapping.errors import MappingFailed
from ghltt.engine.mapping.locate import Locator
from ghltt.engine.mapping.paths import SourcePath

OPERATORS = (
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "not_contains",
    "starts_with", "exists", "not_exists", "before", "after",
)  # fmt: skip
_UNARY = frozenset({"exists", "not_exists"})
_KEYS = frozenset({"path", "op", "value", "tz"})


def truthy(value: Any) -> bool:
    return not (value is None or value is False or value in ("", [], {}))


@dataclass(frozen=True)
class Jmes:
    expression: str

    def holds(self, scope: Mapping[str, Any], context: MappingContext) -> bool:
        try:
            return truthy(jmes.search(self.expression, scope))
        except jmes.JmesProblem as exc:
            raise MappingFailed(str(exc)) from None


@dataclass(frozen=True)
class Compare:
    path: SourcePath
    op: str
    value: Any = None
    tz: str | None = None

    def holds(self, scope: Mapping[str, Any], context: MappingContext) -> bool:
        left = self.path.read(scope, context, None)
        if self.op == "exists":
            return left is not None and left != ""
        if self.op == "not_exists":
            return left is None or left == ""
        right = self.value
        if isinstance(right, str) and right.startswith("$"):
            right = context.variable(right[1:])
        return _compare(self.op, left, right, self._zone(context))

    def _zone(self, context: MappingContext) -> tzinfo | None:
        if self.tz is None:
            return None
        name = context.variable(self.tz[1:]) if self.tz.startswith("$") else self.tz
        return timefmt.zone(str(name))


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]

    def holds(self, scope: Mapping[str, Any], context: MappingContext) -> bool:
        return all(c.holds(scope, context) for c in self.items)


@dataclass(frozen=True)
class Any_:
    items: tuple[Condition, ...]

    def holds(self, scope: Mapping[str, Any], context: MappingContext) -> bool:
        return any(c.holds(scope, context) for c in self.items)


@dataclass(frozen=True)
class Not:
    item: Condition

    def holds(self, scope: Mapping[str, Any], context: MappingContext) -> bool:
        return not self.item.holds(scope, context)


Condition = Jmes | Compare | All | Any_ | Not

ALWAYS = All(())


def _compare(op: str, left: Any, right: Any, tz: tzinfo | None) -> bool:
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if op in ("in", "not_in"):
        found = isinstance(right, list | tuple) and left in right
        return found if op == "in" else not found
    if op in ("contains", "not_contains"):
        found = isinstance(left, str | list | tuple) and right in left  # type: ignore[operator]
        return found if op == "contains" else not found
    if op == "starts_with":
        return isinstance(left, str) and isinstance(right, str) and left.startswith(right)
    if op in ("before", "after"):
        if left is None or right is None:
            return False
        try:
            a, b = timefmt.parse_datetime(left, tz), timefmt.parse_datetime(right, tz)
        except ValueError as exc:
            raise MappingFailed(f"{op}: {exc}") from None
        return a < b if op == "before" else a > b
    # Ordering across types (text vs number) is false, not an error: data is noisy.
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
    if not numeric and not (isinstance(left, str) and isinstance(right, str)):
        return False
    if op == "gt":
        return bool(left > right)
    if op == "gte":
        return bool(left >= right)
    if op == "lt":
        return bool(left < right)
    return bool(left <= right)


def check_conditions(raw: Any, where: Locator) -> tuple[Condition, list[Problem]]:
    """A list (or a single condition) → one condition that holds when all hold."""
    if raw is None:
        return ALWAYS, []
    items: Sequence[Any] = raw if isinstance(raw, list) else [raw]
    found: list[Condition] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        cond, errs = check_condition(item, where.child(index) if isinstance(raw, list) else where)
        problems += errs
        if cond is not None:
            found.append(cond)
    return (found[0] if len(found) == 1 else All(tuple(found))), problems


def check_condition(raw: Any, where: Locator) -> tuple[Condition | None, list[Problem]]:
    if isinstance(raw, str):
        try:
            jmes.compile_jmespath(raw)
        except jmes.JmesProblem as exc:
            return None, [where.problem(str(exc))]
        return Jmes(raw), []
    if not isinstance(raw, Mapping):
        return None, [where.problem("a condition is a JMESPath string or a mapping")]
    if len(raw) == 1 and next(iter(raw)) in ("all", "any"):
        key = next(iter(raw))
        inner = raw[key]
        if not isinstance(inner, list) or not inner:
            return None, [where.problem(f"{key} takes a non-empty list of conditions", key)]
        parts: list[Condition] = []
        problems: list[Problem] = []
        for index, item in enumerate(inner):
            cond, errs = check_condition(item, where.child(key, index))
            problems += errs
            if cond is not None:
                parts.append(cond)
        return (All(tuple(parts)) if key == "all" else Any_(tuple(parts))), problems
    if len(raw) == 1 and "not" in raw:
        cond, problems = check_condition(raw["not"], where.child("not"))
        return (Not(cond) if cond is not None else None), problems
    return _compare_node(raw, where)


def _compare_node(raw: Mapping[str, Any], where: Locator) -> tuple[Compare | None, list[Problem]]:
    problems = [where.problem(f"unknown key {k!r}", k) for k in raw if k not in _KEYS]
    if "path" not in raw or "op" not in raw:
        problems.append(where.problem("a comparison needs path and op (or all/any/not)"))
        return None, problems
    path: SourcePath | None = None
    try:
        path = parse_path(raw["path"])
    except ValueError as exc:
        problems.append(where.problem(str(exc), "path"))
    op = raw["op"]
    if op not in OPERATORS:
        problems.append(where.problem(f"unknown operator {op!r}; use {', '.join(OPERATORS)}", "op"))
    elif op in _UNARY and "value" in raw:
        problems.append(where.problem(f"{op} takes no value", "value"))
    elif op not in _UNARY and "value" not in raw:
        problems.append(where.problem(f"{op} needs a value", "op"))
    value = raw.get("value")
    if op in ("in", "not_in") and not (isinstance(value, list) or _is_var(value)):
        problems.append(where.problem(f"{op} needs a list value", "value"))
    tz = raw.get("tz")
    if tz is not None:
        try:
            if not (isinstance(tz, str) and (tz.startswith("$") or timefmt.zone(tz))):
                raise ValueError("tz must be a zone name or a $variable")
        except ValueError as exc:
            problems.append(where.problem(str(exc), "tz"))
    if problems or path is None:
        return None, problems
    plain = list(value) if isinstance(value, list) else value
    return Compare(path, str(op), plain, None if tz is None else str(tz)), []


def _is_var(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$")
