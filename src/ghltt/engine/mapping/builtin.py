"""The built-in transforms. Each is small, pure and documented in docs/recipes.md."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal

from pydantic import Field, field_validator

from ghltt.engine.mapping import jmes, phone, templating, timefmt
from ghltt.engine.mapping.errors import MappingFailed
from ghltt.engine.mapping.transforms import ApplyEnv, Args, NoArgs, register


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise MappingFailed(f"{name} expects text, got {type(value).__name__}")
    return value


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise MappingFailed(f"{name} expects a list, got {type(value).__name__}")
    return list(value)


def _number(value: Any, name: str) -> float | int:
    if isinstance(value, bool):
        raise MappingFailed(f"{name} expects a number, got a boolean")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            parsed = float(value.strip())
        except ValueError:
            raise MappingFailed(f"{name} expects a number, got {value[:20]!r}") from None
        return int(parsed) if parsed.is_integer() and "." not in value else parsed
    raise MappingFailed(f"{name} expects a number, got {type(value).__name__}")


def _zone_arg(value: str) -> str:
    """A zone argument: a name checked now, or ``$variable`` checked when applied."""
    if value.startswith("$"):
        if not value[1:].replace("_", "").isalnum():
            raise ValueError(f"{value!r} is not a context variable name")
        return value
    timefmt.zone(value)
    return value


def _zone(arg: str, env: ApplyEnv) -> tzinfo:
    if not arg.startswith("$"):
        return timefmt.zone(arg)
    name = env.context.variable(arg[1:])
    if not isinstance(name, str):
        raise MappingFailed(f"{arg} must name a time zone, got {type(name).__name__}")
    try:
        return timefmt.zone(name)
    except ValueError as exc:
        raise MappingFailed(f"{arg}: {exc}") from None


def _datetime(value: Any, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise MappingFailed(f"{name} expects a date-time; put parse_datetime before it")
    return value


# ---- text ------------------------------------------------------------------------------------


@register("lower", NoArgs, summary="text in lower case")
def _lower(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    return _text(value, "lower").lower()


@register("upper", NoArgs, summary="text in upper case")
def _upper(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    return _text(value, "upper").upper()


@register("trim", NoArgs, summary="text without surrounding spaces")
def _trim(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    return _text(value, "trim").strip()


class JoinArgs(Args):
    sep: str = " "
    skip_empty: bool = True


@register("join", JoinArgs, positional="sep", summary="a list joined into text")
def _join(value: Any, args: JoinArgs, env: ApplyEnv) -> Any:
    items = value if isinstance(value, list | tuple) else [value]
    kept = [str(v) for v in items if not (args.skip_empty and (v is None or v == ""))]
    return args.sep.join(kept) if kept else None


class SplitArgs(Args):
    sep: str = Field(default=",", min_length=1)


@register("split", SplitArgs, positional="sep", summary="text split into a list")
def _split(value: Any, args: SplitArgs, env: ApplyEnv) -> Any:
    return [p.strip() for p in _text(value, "split").split(args.sep) if p.strip()]


class SplitNameArgs(Args):
    part: Literal["first", "last"]


@register("split_name", SplitNameArgs, positional="part", summary="first or last name")
def _split_name(value: Any, args: SplitNameArgs, env: ApplyEnv) -> Any:
    words = _text(value, "split_name").split()
    if not words:
        return None
    # The last word is the surname; everything before it is the given name(s).
    if args.part == "first":
        return " ".join(words[:-1]) if len(words) > 1 else words[0]
    return words[-1] if len(words) > 1 else None


class E164Args(Args):
    default_country: str | None = None

    @field_validator("default_country")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is None or value.startswith("$"):
            return value
        return phone.check_country_code(value)


@register("e164", E164Args, positional="default_country", summary="phone in E.164 form")
def _e164(value: Any, args: E164Args, env: ApplyEnv) -> Any:
    if value == "":
        return None
    country = args.default_country
    if country is not None and country.startswith("$"):
        given = env.context.variable(country[1:])
        try:
            country = None if given is None else phone.check_country_code(str(given))
        except ValueError as exc:
            raise MappingFailed(f"{args.default_country}: {exc}") from None
    try:
        return phone.to_e164(value, country)
    except phone.PhoneError as exc:
        raise MappingFailed(f"not a valid phone number: {exc}") from None


class TemplateArgs(Args):
    template: str

    @field_validator("template")
    @classmethod
    def _compiles(cls, value: str) -> str:
        templating.check_template(value)
        return value


@register(
    "template",
    TemplateArgs,
    positional="template",
    passes_none=False,
    summary="Jinja2 text (sandboxed)",
    reads=lambda a: templating.check_template(a.template),
)
def _template(value: Any, args: TemplateArgs, env: ApplyEnv) -> Any:
    extra = {"value": value, "vars": dict(env.context.vars), "now": env.context.now}
    try:
        return templating.render(args.template, env.source, extra)
    except templating.TemplateProblem as exc:
        raise MappingFailed(str(exc)) from None


# ---- values ----------------------------------------------------------------------------------


class DefaultArgs(Args):
    model_config = Args.model_config | {"strict": False}
    value: Any


@register("default", DefaultArgs, positional="value", passes_none=False, summary="fallback")
def _default(value: Any, args: DefaultArgs, env: ApplyEnv) -> Any:
    return args.value if value is None or value == "" else value


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


class MapArgs(Args):
    model_config = Args.model_config | {"strict": False}
    values: dict[str, Any]
    default: Any = None
    strict_: bool = Field(default=False, alias="strict")

    @field_validator("values", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {_key(k): v for k, v in value.items()}
        return value


@register("map", MapArgs, positional="values", passes_none=False, summary="value table")
def _map(value: Any, args: MapArgs, env: ApplyEnv) -> Any:
    key = _key(value)
    if key in args.values:
        return args.values[key]
    if "default" in args.model_fields_set:
        return args.default
    if args.strict_:
        raise MappingFailed(f"value {key[:40]!r} is not in the map")
    return value


class JmesArgs(Args):
    expression: str

    @field_validator("expression")
    @classmethod
    def _compiles(cls, value: str) -> str:
        jmes.compile_jmespath(value)
        return value


@register("jmespath", JmesArgs, positional="expression", passes_none=False, summary="selection")
def _jmespath(value: Any, args: JmesArgs, env: ApplyEnv) -> Any:
    try:
        return jmes.search(args.expression, value)
    except jmes.JmesProblem as exc:
        raise MappingFailed(str(exc)) from None


@register("first", NoArgs, summary="first item of a list")
def _first(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    items = _list(value, "first")
    return items[0] if items else None


@register("compact", NoArgs, summary="list without empty items")
def _compact(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    return [v for v in _list(value, "compact") if v is not None and v != ""]


@register("unique", NoArgs, summary="list without repeats, first kept")
def _unique(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    seen: list[Any] = []
    for item in _list(value, "unique"):
        if item not in seen:
            seen.append(item)
    return seen


@register("sort", NoArgs, summary="list sorted (as text)")
def _sort(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    return sorted(_list(value, "sort"), key=_key)


@register("text", NoArgs, summary="value as text")
def _to_text(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    return _key(value) if isinstance(value, bool) else str(value)


@register("number", NoArgs, summary="value as a number")
def _to_number(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    return _number(value, "number")


@register("negate", NoArgs, summary="boolean not")
def _negate(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    if not isinstance(value, bool):
        raise MappingFailed(f"negate expects a boolean, got {type(value).__name__}")
    return not value


class RoundArgs(Args):
    digits: int = Field(default=0, ge=0, le=12)


@register("round", RoundArgs, positional="digits", summary="number rounded")
def _round(value: Any, args: RoundArgs, env: ApplyEnv) -> Any:
    number = _number(value, "round")
    rounded = round(float(number), args.digits)
    return int(rounded) if args.digits == 0 else rounded


class FactorArgs(Args):
    model_config = Args.model_config | {"strict": False}
    by: float

    @field_validator("by")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value) or value == 0:
            raise ValueError("must be a finite number other than 0")
        return value


@register("multiply", FactorArgs, positional="by", summary="number times a factor")
def _multiply(value: Any, args: FactorArgs, env: ApplyEnv) -> Any:
    return _number(value, "multiply") * args.by


@register("divide", FactorArgs, positional="by", summary="number divided (e.g. s → h)")
def _divide(value: Any, args: FactorArgs, env: ApplyEnv) -> Any:
    return _number(value, "divide") / args.by


# ---- dates and zones -------------------------------------------------------------------------


class ParseArgs(Args):
    tz: str | None = None
    format: str | None = None

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else _zone_arg(value)


@register("parse_datetime", ParseArgs, positional="tz", summary="text → date-time")
def _parse_datetime(value: Any, args: ParseArgs, env: ApplyEnv) -> Any:
    if value == "":
        return None
    tz = None if args.tz is None else _zone(args.tz, env)
    try:
        return timefmt.parse_datetime(value, tz, args.format)
    except ValueError as exc:
        raise MappingFailed(str(exc)) from None


class ZoneArgs(Args):
    tz: str

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _zone_arg(value)


@register("convert_tz", ZoneArgs, positional="tz", summary="same instant, other zone")
def _convert_tz(value: Any, args: ZoneArgs, env: ApplyEnv) -> Any:
    return timefmt.convert(_datetime(value, "convert_tz"), _zone(args.tz, env))


class FormatArgs(Args):
    format: str = "iso"
    tz: str | None = None

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        return timefmt.check_format(value)

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else _zone_arg(value)


@register("format_datetime", FormatArgs, positional="format", summary="date-time → text")
def _format_datetime(value: Any, args: FormatArgs, env: ApplyEnv) -> Any:
    moment = _datetime(value, "format_datetime")
    if args.tz is not None:
        moment = timefmt.convert(moment, _zone(args.tz, env))
    return timefmt.format_datetime(moment, args.format)


class ShiftArgs(Args):
    model_config = Args.model_config | {"strict": False}
    days: float | str = 0
    hours: float | str = 0
    minutes: float | str = 0
    back: bool = False  # move into the past (lets "$active_days" stay a positive number)

    @field_validator("days", "hours", "minutes")
    @classmethod
    def _amount(cls, value: float | str) -> float | str:
        if isinstance(value, str) and not value.startswith("$"):
            raise ValueError("an amount is a number or a $variable")
        return value


def _amount(value: float | str, env: ApplyEnv) -> float:
    if not isinstance(value, str):
        return float(value)
    given = env.context.variable(value[1:])
    if isinstance(given, bool) or not isinstance(given, int | float):
        raise MappingFailed(f"{value} must be a number, got {type(given).__name__}")
    return float(given)


@register("shift", ShiftArgs, summary="date-time moved by an amount")
def _shift(value: Any, args: ShiftArgs, env: ApplyEnv) -> Any:
    delta = timedelta(
        days=_amount(args.days, env),
        hours=_amount(args.hours, env),
        minutes=_amount(args.minutes, env),
    )
    if args.back:
        delta = -delta
    # Arithmetic on the UTC instant: "-30 days" is 30 x 24 h, whatever DST does meanwhile.
    moment = _datetime(value, "shift")
    shifted = moment.astimezone(UTC) + delta
    return shifted.astimezone(moment.tzinfo) if moment.tzinfo is not None else shifted


@register("gmt_offset", NoArgs, summary="TT zone text (GMT+02:00) for that instant")
def _gmt_offset(value: Any, args: NoArgs, env: ApplyEnv) -> Any:
    return timefmt.gmt_offset(_datetime(value, "gmt_offset"))


@register("duration_seconds", ParseArgs, positional="tz", summary="seconds from [start, end]")
def _duration(value: Any, args: ParseArgs, env: ApplyEnv) -> Any:
    items = _list(value, "duration_seconds")
    if len(items) != 2 or any(v is None or v == "" for v in items):
        raise MappingFailed("duration_seconds expects [start, end], both set")
    tz = None if args.tz is None else _zone(args.tz, env)
    try:
        start, end = (timefmt.parse_datetime(v, tz, args.format) for v in items)
    except ValueError as exc:
        raise MappingFailed(str(exc)) from None
    return int((end - start).total_seconds())
