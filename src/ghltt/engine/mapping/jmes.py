"""JMESPath selections: compiled at load, with the record fields they read worked out."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jmespath
from jmespath import exceptions as jmes_errors
from jmespath.parser import ParsedResult


class JmesProblem(ValueError):
    pass


@lru_cache(maxsize=1024)
def compile_jmespath(expression: str) -> ParsedResult:
    if not isinstance(expression, str) or not expression.strip():
        raise JmesProblem("a JMESPath expression must be a non-empty string")
    try:
        return jmespath.compile(expression)
    except jmes_errors.JMESPathError as exc:
        position = getattr(exc, "lex_position", None)
        at = f" at character {position}" if isinstance(position, int) else ""
        reason = getattr(exc, "msg", None) or str(exc).splitlines()[0]
        raise JmesProblem(f"bad JMESPath expression{at}: {reason}") from None


def search(expression: str, data: Any) -> Any:
    try:
        return compile_jmespath(expression).search(data)
    except jmes_errors.JMESPathError as exc:
        raise JmesProblem(f"JMESPath failed: {str(exc).splitlines()[0]}") from None


def root_reads(expression: str) -> frozenset[str]:
    """The top-level fields an expression reads from its input (``*`` for the whole input).

    A conservative superset for change detection: a projection's inner fields are read from
    elements, so only the field that starts each chain counts.
    """
    tree: dict[str, Any] = dict(compile_jmespath(expression).parsed)
    return frozenset(_roots(tree))


def _roots(node: dict[str, Any]) -> set[str]:
    kind = node.get("type")
    children: list[dict[str, Any]] = [c for c in node.get("children", []) if isinstance(c, dict)]
    if kind == "field":
        return {str(node["value"])}
    if kind in ("current", "identity", "index", "slice"):
        return {"*"}
    if kind in ("literal", "expref"):
        return set()
    if kind in (
        "subexpression",
        "index_expression",
        "projection",
        "value_projection",
        "filter_projection",
        "flatten",
        "pipe",
    ):
        # The first child is evaluated on the input; the rest on what it yields.
        return _roots(children[0]) if children else set()
    found: set[str] = set()
    for child in children:
        found |= _roots(child)
    return found
