"""The generic adapter: an action built from a connector's operation declaration alone.

The declaration gives the route, the input model, the output model, the scopes and how a retry
stays safe (see ``connectors/ghl/catalog.py`` and ``connectors/trackingtime/catalog.py``); the
adapter derives the action's typed inputs from it (path parameters first, required, then the
input model's fields by wire name), and its call: the connector performs the operation from the
same declaration and the answer becomes the plain records mappings read (``records.py``).
Only what the connector cannot know is given here: the record type a body is (for custom
fields by key and links), and fixed query parameters.
"""

from __future__ import annotations

import types
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from ghltt.connectors.ghl.catalog import operation as ghl_operation
from ghltt.connectors.trackingtime.catalog import Idempotency, Operation
from ghltt.connectors.trackingtime.catalog import operation as tt_operation
from ghltt.engine.catalog.records import as_record
from ghltt.engine.catalog.schema import input_schema, output_schema
from ghltt.engine.catalog.spec import ActionDef, Call, Idempotence
from ghltt.engine.context import BridgeContext
from ghltt.engine.recipes import Input
from ghltt.engine.recipes.catalog import InputType

__all__ = ["TT_API_VERSION", "ghl", "input_type", "model_inputs", "tt"]

# The client fills in the location: no step sets it.
_CLIENT_FILLS = frozenset({"locationId"})
TT_API_VERSION = "v4"

_GHL_RETRY: dict[Idempotence, str] = {
    "safe": "a read: retried freely",
    "idempotent": "repeating it leaves the same state (an update, a set membership): retried",
    "unsafe": "never retried once sent; an automation step guards it with a 'once' key",
}
_TT_RETRY = {
    Idempotency.SAFE: "a read: retried freely",
    Idempotency.IDEMPOTENT: "repeating it leaves the same state: retried on a 5xx",
    Idempotency.UNSAFE: "never retried once sent",
}


def _kind(annotation: Any) -> InputType:
    origin = get_origin(annotation) or annotation
    if origin is bool:
        return "boolean"
    if origin is int:
        return "integer"
    if origin is float:
        return "number"
    if origin in (str, date, datetime):
        return "string"
    if origin in (list, tuple, set, frozenset):
        return "array"
    if origin is dict or (isinstance(origin, type) and issubclass(origin, BaseModel | Mapping)):
        return "object"
    return "any"


def _members(annotation: Any) -> list[Any]:
    """The types an annotation admits, with ``Annotated`` and ``None`` taken off."""
    if get_origin(annotation) is Annotated:
        return _members(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return [m for a in get_args(annotation) for m in _members(a)]
    return [] if annotation is type(None) else [annotation]


def input_type(annotation: Any) -> InputType:
    """The recipe input type of a model field: ``str | None`` is string; mixed unions any."""
    kinds = {_kind(member) for member in _members(annotation)}
    return kinds.pop() if len(kinds) == 1 else "any"


def model_inputs(model: type[BaseModel], *, skip: Collection[str] = ()) -> dict[str, Input]:
    """A model's fields as action inputs, by wire name (alias), required as the model says."""
    inputs: dict[str, Input] = {}
    for name, field in model.model_fields.items():
        wire = field.alias or name
        if wire not in skip:
            inputs[wire] = Input(input_type(field.annotation), field.is_required())
    return inputs


def _inputs(
    params: tuple[str, ...],
    id_type: InputType,
    model: type[BaseModel] | None,
    skip: Collection[str],
) -> dict[str, Input]:
    described = {name: Input(id_type, True) for name in params if name not in skip}
    if model is not None:
        described |= {k: v for k, v in model_inputs(model, skip=skip).items() if k not in params}
    return described


def _sent(params: tuple[str, ...], fields: bool, inp: dict[str, Any]) -> dict[str, Any]:
    """What a call sends: an operation that takes no fields gets its path parameters only
    (a sync addresses a record with more ids than its route needs, such as its contact)."""
    return inp if fields else {k: v for k, v in inp.items() if k in params}


def ghl(
    operation: str,
    object_type: str | None = None,
    *,
    custom_fields: bool = False,
    open_inputs: bool = False,
    require: Collection[str] = (),
    description: str = "",
    example: Mapping[str, Any] | None = None,
) -> ActionDef:
    """``ghl.<operation>``. ``open_inputs``: the inputs are not described (any field passes);
    ``require``: inputs a step must give beyond what the model requires."""
    op = ghl_operation(operation)
    fields = open_inputs or op.input is not None

    async def call(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
        return as_record(await ctx.ghl.invoke(operation, _sent(op.path_params, fields, inp)))

    inputs = _inputs(op.path_params, "string", op.input, _CLIENT_FILLS)
    for name in require:
        inputs[name] = Input(inputs[name].type, True)
    schema = input_schema(
        op.path_params, "string", op.input, skip=_CLIENT_FILLS, open_inputs=open_inputs
    )
    idempotence: Idempotence = (
        "safe" if not op.writes else "idempotent" if op.idempotent else "unsafe"
    )
    if require:
        schema["required"] = list(dict.fromkeys([*schema.get("required", []), *require]))
    return ActionDef(
        f"ghl.{operation}",
        call,
        None if open_inputs else inputs,
        object_type,
        custom_fields,
        writes=op.writes,
        description=description or op.summary,
        example=example if example is not None else op.example,
        input_schema=schema,
        output_schema=output_schema(op.output),
        idempotence=idempotence,
        idempotent_how=_GHL_RETRY[idempotence],
        api_version=op.version,
    )


def _tt_how(op: Operation, done_if_gone: bool) -> str:
    how = _TT_RETRY[op.idempotency]
    if done_if_gone:
        how += "; a record already gone counts as done"
    return f"{how}; {op.note}" if op.note else how


def tt(
    operation: str,
    description: str,
    example: Mapping[str, Any] | None = None,
    *,
    object_type: str | None = None,
    custom_fields: bool = False,
    open_inputs: bool = False,
    params: Mapping[str, Any] | None = None,
    call: Call | None = None,
) -> ActionDef:
    """``tt.<operation>``, described in one line, with an input ``example`` that works against
    the simulator's sample account. ``params``: sent with every call (``include_custom_fields``
    on the reads whose records mappings read custom fields of). A write that answers nothing (a
    delete) answers True, and finding its record already gone counts as done: that is the
    state it asked for, as a retried delete finds it. ``call``: the few operations whose inputs
    need the run (time entries' wall clocks) bring their own call (``composed.py``)."""
    op = tt_operation(operation)
    fixed = dict(params or {})
    fields = open_inputs or op.input is not None
    done_if_gone = op.output is None and op.idempotency is Idempotency.IDEMPOTENT

    async def generic(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
        values = {**_sent(op.path_params, fields, inp), **fixed}
        answer = await ctx.tt.invoke(operation, values, missing_ok=done_if_gone)
        return True if op.output is None else as_record(answer)

    inputs = _inputs(op.path_params, "integer", op.input, ())
    return ActionDef(
        f"tt.{operation}",
        call or generic,
        None if open_inputs else inputs,
        object_type,
        custom_fields,
        writes=not op.safe,
        description=description,
        example=example,
        input_schema=input_schema(op.path_params, "integer", op.input, open_inputs=open_inputs),
        output_schema=output_schema(op.output),
        idempotence=op.idempotency.value,
        idempotent_how=_tt_how(op, done_if_gone),
        api_version=TT_API_VERSION,
    )
