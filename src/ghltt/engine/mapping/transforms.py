"""The transform registry: small named functions with typed arguments checked at load.

In YAML a transform is a bare name (``lower``), a name with one argument
(``{join: ", "}``, filling the transform's positional argument) or a name with named
arguments (``{e164: {default_country: "1"}}``). Arguments are pydantic models, so a wrong
type or an unknown argument is reported at load with its position.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ghltt.engine.mapping.context import MappingContext
from ghltt.engine.mapping.errors import Problem
from ghltt.engine.mapping.locate import Locator


class Args(BaseModel):
    """Base of every transform's arguments: unknown names and loose types are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class NoArgs(Args):
    pass


@dataclass(frozen=True)
class ApplyEnv:
    """What a transform may look at besides the value: the record and the run's context."""

    source: Mapping[str, Any]
    context: MappingContext
    object_type: str | None = None
    # The source as JSON values, made once per record for its JMESPath rules (not per rule).
    json_source: Any = None


TransformFn = Callable[[Any, Any, ApplyEnv], Any]


@dataclass(frozen=True)
class TransformDef:
    name: str
    args: type[Args]
    fn: TransformFn
    positional: str | None = None
    passes_none: bool = True  # a None value skips the function and stays None
    summary: str = ""
    reads: Callable[[Any], frozenset[str]] = field(default=lambda _args: frozenset())


REGISTRY: dict[str, TransformDef] = {}

A = TypeVar("A", bound=Args)


def register(
    name: str,
    args: type[A],
    *,
    positional: str | None = None,
    passes_none: bool = True,
    summary: str = "",
    reads: Callable[[A], frozenset[str]] | None = None,
) -> Callable[[Callable[[Any, A, ApplyEnv], Any]], Callable[[Any, A, ApplyEnv], Any]]:
    def add(fn: Callable[[Any, A, ApplyEnv], Any]) -> Callable[[Any, A, ApplyEnv], Any]:
        REGISTRY[name] = TransformDef(
            name,
            args,
            fn,
            positional,
            passes_none,
            summary,
            reads or (lambda _args: frozenset()),
        )
        return fn

    return add


@dataclass(frozen=True)
class BoundTransform:
    definition: TransformDef
    args: Args
    label: str

    @property
    def reads(self) -> frozenset[str]:
        return self.definition.reads(self.args)

    def apply(self, value: Any, env: ApplyEnv) -> Any:
        if value is None and self.definition.passes_none:
            return None
        return self.definition.fn(value, self.args, env)


def _label(name: str, args: Args) -> str:
    given = args.model_dump(exclude_defaults=True)
    if not given:
        return name
    inner = ", ".join(f"{k}={v!r}" for k, v in given.items())
    return f"{name}({inner})"


def bind(raw: Any, where: Locator) -> tuple[BoundTransform | None, list[Problem]]:
    """Check one transform entry; return it bound to its arguments, or the problems."""
    if isinstance(raw, str):
        name, given = raw, None
    elif isinstance(raw, Mapping) and len(raw) == 1:
        name, given = next(iter(raw.items()))
    else:
        return None, [where.problem("a transform is a name or {name: arguments}")]
    if not isinstance(name, str) or name not in REGISTRY:
        hint = difflib.get_close_matches(str(name), list(REGISTRY), n=1)
        known = f"did you mean {hint[0]!r}?" if hint else "known: " + ", ".join(sorted(REGISTRY))
        return None, [where.problem(f"unknown transform {name!r}; {known}")]
    definition = REGISTRY[name]
    if given is None:
        kwargs: dict[str, Any] = {}
    elif isinstance(given, Mapping) and not _is_table(definition, given):
        kwargs = {str(k): _plain(v) for k, v in given.items()}
    elif definition.positional is not None:
        kwargs = {definition.positional: _plain(given)}
    else:
        return None, [where.problem(f"transform {name!r} takes no arguments", name)]
    try:
        args = definition.args.model_validate(kwargs)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = [str(p) for p in error["loc"]]
            message = error["msg"].removeprefix("Value error, ")
            if not isinstance(given, Mapping) or not loc:
                problems.append(where.problem(f"{name}: {message}", name))
            else:
                problems.append(where.problem(f"{name}: {message}", name, *loc[:1]))
        return None, problems
    return BoundTransform(definition, args, _label(name, args)), []


def _is_table(definition: TransformDef, given: Mapping[Any, Any]) -> bool:
    # ``{map: {a: b}}`` is the value table itself; ``{map: {values: {...}, default: x}}``
    # names the arguments.
    if definition.name != "map":
        return False
    return not ("values" in given and set(given) <= set(definition.args.model_fields))


def _plain(value: Any) -> Any:
    """ruamel containers → plain dicts and lists (pydantic strict mode wants exact types)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value
