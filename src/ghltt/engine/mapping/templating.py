"""Templates through a sandboxed, immutable Jinja2 environment with strict undefined names.

A template sees the source record's fields as names (``{{ firstName }}``), the whole record as
``source``, the value so far as ``value``, the context variables as ``vars`` and the run's
clock as ``now``. A missing name is an error, not an empty string; write
``{{ lastName | default('') }}`` for optional fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.nodes import Template as TemplateAst
from jinja2.sandbox import ImmutableSandboxedEnvironment

RESERVED = frozenset({"source", "value", "vars", "now", "item"})

_ENV = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)


class TemplateProblem(ValueError):
    pass


@lru_cache(maxsize=1024)
def _parse(text: str) -> TemplateAst:
    try:
        return _ENV.parse(text)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        at = f" (template line {line})" if line and "\n" in text else ""
        raise TemplateProblem(f"bad template{at}: {exc.message or exc}") from None


def check_template(text: str) -> frozenset[str]:
    """Compile ``text`` and return the record fields it reads (``*`` if it uses ``source``)."""
    if not isinstance(text, str):
        raise TemplateProblem("a template must be a string")
    names = meta.find_undeclared_variables(_parse(text))
    reads = {n for n in names if n not in RESERVED}
    if "source" in names:
        reads.add("*")
    return frozenset(reads)


@lru_cache(maxsize=1024)
def _compiled(text: str) -> Any:
    return _ENV.from_string(text)


def render(text: str, source: Mapping[str, Any], extra: Mapping[str, Any]) -> str:
    scope: dict[str, Any] = {k: v for k, v in source.items() if isinstance(k, str)}
    scope["source"] = source
    scope.update(extra)
    try:
        return str(_compiled(text).render(scope))
    except TemplateError as exc:
        raise TemplateProblem(f"template failed: {exc.message or exc}") from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateProblem(f"template failed: {exc}") from None
