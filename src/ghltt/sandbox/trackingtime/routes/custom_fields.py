"""Custom fields and their enum options (§7.8), including the third-party-id system slugs."""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.envelope import NotFoundError, ValidationError
from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.state import CustomField, EnumOption

router = Router()

VALUE_TYPES = (
    "boolean",
    "currency",
    "date",
    "enum",
    "number",
    "text",
    "checkbox",
    "list",
    "email",
    "phone",
    "percentage",
    "url",
    "rating",
)
OBJECT_CLASSES = ("event", "task", "project", "user", "customer")


def _field(ctx: Ctx, cf_id: int) -> CustomField:
    cf = ctx.find(ctx.state.custom_fields, cf_id)
    if cf.status != "ACTIVE":
        raise NotFoundError(ctx.config.not_found_message)
    return cf


def _option(ctx: Ctx, option_id: int) -> EnumOption:
    option = ctx.state.enum_options.get(option_id)
    if option is None:
        raise NotFoundError(ctx.config.not_found_message)
    _field(ctx, option.custom_field_id)
    return option


def _unique(ctx: Ctx, name: str, cls: str, own_id: int = 0) -> None:
    for cf in ctx.state.custom_fields.values():
        if (
            cf.account_id == ctx.account.id
            and cf.id != own_id
            and cf.status == "ACTIVE"
            and cf.filter_object_class == cls
            and cf.name.lower() == name.lower()
        ):
            raise ValidationError("There is already another custom field with that name.")


@router.add("custom_fields")
def list_fields(ctx: Ctx) -> Any:
    cls = (ctx.params.text("filter_object_class") or "").lower()
    return [
        ctx.custom_field(cf)
        for cf in ctx.state.custom_fields.values()
        if cf.account_id == ctx.account.id
        and cf.status == "ACTIVE"
        and (not cls or cf.filter_object_class == cls)
    ]


@router.add("custom_fields/{id}")
def get_field(ctx: Ctx) -> Any:
    return ctx.custom_field(_field(ctx, ctx.arg()))


@router.add("custom_fields/add")
def add_field(ctx: Ctx) -> Any:
    ctx.require_manager()
    name = ctx.params.required_text("name")
    value_type = ctx.params.required_text("value_type").lower()
    cls = ctx.params.required_text("filter_object_class").lower()
    if value_type not in VALUE_TYPES:
        raise ValidationError(f"Invalid value_type: {value_type}")
    if cls not in OBJECT_CLASSES:
        raise ValidationError(f"Invalid filter_object_class: {cls}")
    _unique(ctx, name, cls)
    same_class = [
        c
        for c in ctx.state.custom_fields.values()
        if c.account_id == ctx.account.id and c.filter_object_class == cls
    ]
    cf = CustomField(
        id=ctx.state.next_id("custom_field"),
        account_id=ctx.account.id,
        name=name,
        value_type=value_type,
        filter_object_class=cls,
        created_at=ctx.now,
        color=ctx.params.text("color"),
        notes=ctx.params.text("notes"),
        cf_index=ctx.params.integer("cf_index", len(same_class) + 1) or 0,
    )
    ctx.state.custom_fields[cf.id] = cf
    return ctx.custom_field(cf)


@router.add("custom_fields/{id}/update")
def update_field(ctx: Ctx) -> Any:
    ctx.require_manager()
    cf = _field(ctx, ctx.arg())
    if "name" in ctx.params:
        name = ctx.params.required_text("name")
        _unique(ctx, name, cf.filter_object_class, cf.id)
        cf.name = name
    for key in ("color", "notes"):
        if key in ctx.params:
            setattr(cf, key, ctx.params.text(key))
    if "enabled" in ctx.params:
        cf.enabled = ctx.params.flag("enabled")
    if "cf_index" in ctx.params:
        cf.cf_index = ctx.params.integer("cf_index", cf.cf_index) or 0
    return ctx.custom_field(cf)


@router.add("custom_fields/{id}/delete", delete=True)
def delete_field(ctx: Ctx) -> Any:
    ctx.require_manager()
    cf = _field(ctx, ctx.arg())
    if cf.slug:
        raise ValidationError("System custom fields can't be deleted")
    cf.status = "DELETED"
    for table in (ctx.state.customers, ctx.state.projects, ctx.state.tasks, ctx.state.events):
        for record in table.values():
            record.custom_fields.pop(cf.id, None)
    ctx.changed()
    return {}


@router.add("custom_fields/{id}/enum_options")
def list_options(ctx: Ctx) -> Any:
    cf = _field(ctx, ctx.arg())
    enabled = ctx.params.flag("enabled", True)
    options = [o for o in ctx.state.enum_options.values() if o.custom_field_id == cf.id]
    if enabled:
        options = [o for o in options if o.enabled]
    return [ctx.enum_option(o) for o in sorted(options, key=lambda o: o.index)]


@router.add("enum_options/add")
def add_option(ctx: Ctx) -> Any:
    ctx.require_manager()
    name = ctx.params.required_text("name")
    cf = _field(ctx, ctx.params.required_integer("custom_field"))
    if cf.value_type != "enum":
        raise ValidationError("The custom field is not an enum")
    siblings = [o for o in ctx.state.enum_options.values() if o.custom_field_id == cf.id]
    if any(o.name.lower() == name.lower() for o in siblings):
        raise ValidationError("There is already another option with that name.")
    option = EnumOption(
        id=ctx.state.next_id("enum_option"),
        custom_field_id=cf.id,
        name=name,
        index=ctx.params.integer("index", len(siblings)) or 0,
        color=ctx.params.text("color"),
        enabled=ctx.params.flag("enabled", True),
        notes=ctx.params.text("notes"),
    )
    ctx.state.enum_options[option.id] = option
    return ctx.enum_option(option)


@router.add("enum_options/{id}/update")
def update_option(ctx: Ctx) -> Any:
    ctx.require_manager()
    option = _option(ctx, ctx.arg())
    if "name" in ctx.params:
        option.name = ctx.params.required_text("name")
    for key in ("color", "notes"):
        if key in ctx.params:
            setattr(option, key, ctx.params.text(key))
    if "index" in ctx.params:
        option.index = ctx.params.integer("index", option.index) or 0
    if "enabled" in ctx.params:
        option.enabled = ctx.params.flag("enabled")
    return ctx.enum_option(option)


@router.add("enum_options/{id}/delete", delete=True)
def delete_option(ctx: Ctx) -> Any:
    ctx.require_manager()
    option = _option(ctx, ctx.arg())
    del ctx.state.enum_options[option.id]
    for table in (ctx.state.customers, ctx.state.projects, ctx.state.tasks, ctx.state.events):
        for record in table.values():
            if record.custom_fields.get(option.custom_field_id) == str(option.id):
                del record.custom_fields[option.custom_field_id]
    ctx.changed()
    return {}
