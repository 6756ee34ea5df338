"""A compiled mapping and what applying it gives: values, provenance, fingerprint."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ghltt.engine.mapping import jmes, templating, timefmt
from ghltt.engine.mapping.context import MappingContext
from ghltt.engine.mapping.errors import MappingFailed
from ghltt.engine.mapping.fingerprint import fingerprint
from ghltt.engine.mapping.paths import CUSTOM_PREFIX, SourcePath
from ghltt.engine.mapping.transforms import ApplyEnv, BoundTransform

SourceKind = Literal["path", "value", "template", "jmespath"]
# Names that say "any field of the record may matter".
WHOLE_RECORD = "*"
_CUSTOM_LISTS = frozenset({"customFields", "custom_fields"})


@dataclass(frozen=True)
class FieldProvenance:
    """Where a written value came from: the rule, the source paths, the transform chain."""

    target: str
    kind: SourceKind
    sources: tuple[str, ...]
    transforms: tuple[str, ...]
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "kind": self.kind,
            "sources": list(self.sources),
            "transforms": list(self.transforms),
            "rule": self.rule,
        }


@dataclass(frozen=True)
class FieldRule:
    target: str
    kind: SourceKind
    paths: tuple[SourcePath, ...] = ()
    literal: Any = None
    text: str = ""  # the template or the JMESPath expression
    transforms: tuple[BoundTransform, ...] = ()
    default: Any = None
    if_none: Literal["omit", "write"] = "omit"
    on_error: Literal["fail", "skip"] = "fail"
    where: str = ""

    @property
    def custom_key(self) -> str | None:
        return self.target[len(CUSTOM_PREFIX) :] if self.target.startswith(CUSTOM_PREFIX) else None

    @property
    def reads(self) -> frozenset[str]:
        found: set[str] = set()
        for path in self.paths:
            if path.reads is not None:
                found.add(path.reads)
        if self.kind == "template":
            found |= templating.check_template(self.text)
        elif self.kind == "jmespath":
            found |= jmes.root_reads(self.text)
        for transform in self.transforms:
            found |= transform.reads
        return frozenset(found)

    def source_value(self, source: Mapping[str, Any], env: ApplyEnv) -> Any:
        if self.kind == "value":
            return self.literal
        if self.kind == "template":
            extra = {"value": None, "vars": dict(env.context.vars), "now": env.context.now}
            try:
                return templating.render(self.text, source, extra)
            except templating.TemplateProblem as exc:
                raise MappingFailed(str(exc)) from None
        if self.kind == "jmespath":
            try:
                if env.json_source is None or env.source is not source:
                    return jmes.search(self.text, _jsonable(source))
                return jmes.search(self.text, env.json_source)
            except jmes.JmesProblem as exc:
                raise MappingFailed(str(exc)) from None
        values = [p.read(source, env.context, env.object_type) for p in self.paths]
        return values[0] if len(values) == 1 else values

    def evaluate(self, source: Mapping[str, Any], env: ApplyEnv) -> Any:
        value = self.source_value(source, env)
        for transform in self.transforms:
            try:
                value = transform.apply(value, env)
            except MappingFailed as exc:
                raise MappingFailed(f"{transform.definition.name}: {exc}") from None
        if (value is None or value == "") and self.default is not None:
            value = self.default
        return _jsonable(value)

    def provenance(self) -> FieldProvenance:
        if self.kind == "path":
            sources = tuple(p.text for p in self.paths)
        elif self.kind in ("template", "jmespath"):
            sources = tuple(sorted(self.reads))
        else:
            sources = ()
        labels = tuple(t.label for t in self.transforms)
        return FieldProvenance(self.target, self.kind, sources, labels, self.where)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    """Date-times become ISO text so that values are JSON, as the remotes want."""
    # Exact types first: records are mostly plain JSON, and ABC checks cost (every mapping
    # walks its whole source record).
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {k: _jsonable(v) for k, v in value.items()}
    if kind is list:
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return timefmt.format_datetime(value, "iso")
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class MappedRecord:
    """Target field → value. Custom fields appear as ``custom:<key>`` in ``values`` (so the
    fingerprint does not depend on ids); ``custom_field_ids`` says which id each key has here."""

    values: dict[str, Any]
    provenance: dict[str, FieldProvenance]
    custom_field_ids: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    target_type: str | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.values)

    def payload(self) -> dict[str, Any]:
        """The request body for the target: dotted names nested, custom fields in the shape
        the target system takes (GHL ``customFields[{id, field_value}]``, TT
        ``custom_fields[{id, value}]``)."""
        body: dict[str, Any] = {}
        custom: list[dict[str, Any]] = []
        ghl = (self.target_type or "").startswith("ghl.")
        for name, value in self.values.items():
            if name.startswith(CUSTOM_PREFIX):
                field_id = self.custom_field_ids[name[len(CUSTOM_PREFIX) :]]
                custom.append({"id": field_id, "field_value" if ghl else "value": value})
                continue
            node = body
            *parents, leaf = name.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        if custom:
            body["customFields" if ghl else "custom_fields"] = custom
        return body


@dataclass(frozen=True)
class CompiledMapping:
    """A compiled mapping: one rule per target field, checked at load."""

    rules: tuple[FieldRule, ...]
    source_type: str | None = None
    target_type: str | None = None
    file: str = "<mapping>"

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(rule.target for rule in self.rules)

    @property
    def reads(self) -> frozenset[str]:
        """Every source path the mapping reads (``*``: the whole record)."""
        found: set[str] = set()
        for rule in self.rules:
            found |= rule.reads
        return frozenset(found)

    def affected_by(self, changed: Iterable[str]) -> bool:
        """Could a change to these source fields change the mapped values?"""
        reads = self.reads
        if WHOLE_RECORD in reads:
            return True
        for name in changed:
            if name in _CUSTOM_LISTS and any(r.startswith(CUSTOM_PREFIX) for r in reads):
                return True
            for read in reads:
                if read == name or read.startswith(name + ".") or read.startswith(name + "["):
                    return True
                if name.startswith(read + ".") or name.startswith(read + "["):
                    return True
        return False

    def apply(
        self, source: Mapping[str, Any], context: MappingContext | None = None
    ) -> MappedRecord:
        """Map one record. Pure: the same source and context always give the same result."""
        ctx = context or MappingContext()
        jmespath = any(rule.kind == "jmespath" for rule in self.rules)
        env = ApplyEnv(source, ctx, self.source_type, _jsonable(source) if jmespath else None)
        values: dict[str, Any] = {}
        provenance: dict[str, FieldProvenance] = {}
        ids: dict[str, str] = {}
        skipped: dict[str, str] = {}
        for rule in self.rules:
            try:
                value = rule.evaluate(source, env)
                key = rule.custom_key
                if key is not None and (value is not None or rule.if_none == "write"):
                    ids[key] = self._custom_id(key, ctx)
            except MappingFailed as exc:
                if rule.on_error == "skip":
                    skipped[rule.target] = str(exc)
                    continue
                raise MappingFailed(str(exc), where=rule.where) from None
            if value is None and rule.if_none == "omit":
                continue
            values[rule.target] = value
            provenance[rule.target] = rule.provenance()
        return MappedRecord(values, provenance, ids, skipped, self.target_type)

    def _custom_id(self, key: str, ctx: MappingContext) -> str:
        found = ctx.custom_field_id(self.target_type, key)
        if found is None:
            where = self.target_type or "the target"
            raise MappingFailed(f"custom field key {key!r} has no id in {where} (not created?)")
        return found
