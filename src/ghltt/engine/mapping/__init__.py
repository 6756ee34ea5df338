"""The mapping language: declarative ``target_field: source`` rules with named transforms.

Compile a spec once (``compile_mapping``), then ``apply`` it to records: the result carries the
values, the provenance of each field and a fingerprint for echo detection. See docs/recipes.md.
"""

from ghltt.engine.mapping import builtin as _builtin  # registers the built-in transforms
from ghltt.engine.mapping.compile import check_mapping, compile_mapping
from ghltt.engine.mapping.context import CustomFieldResolver, DictResolver, MappingContext
from ghltt.engine.mapping.errors import Invalid, MappingFailed, Problem
from ghltt.engine.mapping.fingerprint import canonical_json, fingerprint
from ghltt.engine.mapping.locate import Locator
from ghltt.engine.mapping.model import CompiledMapping, FieldProvenance, FieldRule, MappedRecord
from ghltt.engine.mapping.paths import SourcePath, parse_path
from ghltt.engine.mapping.phone import PhoneError, to_e164
from ghltt.engine.mapping.transforms import REGISTRY as TRANSFORMS

Mapping = CompiledMapping

del _builtin

__all__ = [
    "TRANSFORMS",
    "CompiledMapping",
    "CustomFieldResolver",
    "DictResolver",
    "FieldProvenance",
    "FieldRule",
    "Invalid",
    "Locator",
    "MappedRecord",
    "Mapping",
    "MappingContext",
    "MappingFailed",
    "PhoneError",
    "Problem",
    "SourcePath",
    "canonical_json",
    "check_mapping",
    "compile_mapping",
    "fingerprint",
    "parse_path",
    "to_e164",
]
