"""``ghltt recipes export``: a shipped template as a recipe file to edit, starting with a
comment that says how to validate, plan and enable it, and what its parameters are."""

from __future__ import annotations

import json

from ghltt import __version__
from ghltt.engine.catalog import action_catalog
from ghltt.engine.recipe_params import param_schema
from ghltt.engine.recipes import Recipe
from ghltt.engine.recipes.templates import load_template, template_text


def _header(recipe: Recipe) -> str:
    """The comment an exported template starts with: how to use it, and its parameters."""
    name = recipe.name
    lines = [
        f"# Exported from the {name!r} template of ghltt {__version__}. Edit it, then:",
        f"#   ghltt recipes validate {name}.yaml",
        f"#   ghltt plan {name}.yaml --event EVENT --bridge BRIDGE  (the writes; makes none)",
        f"#   ghltt recipes enable BRIDGE {name}.yaml  (kept in the store, a new version)",
        "# Keep the name to replace the template on that bridge; see docs/recipes.md.",
    ]
    schema = param_schema(recipe)
    if schema:
        lines.append("# Parameters (defaults under params:, or per bridge without editing:")
        lines.append(f"#   ghltt recipes params BRIDGE {name} set KEY=VALUE):")
        for param in schema.values():
            default = json.dumps(param.default)
            about = f": {param.description}" if param.description else ""
            lines.append(f"#   {param.name}: {param.kind}, default {default}{about}")
    return "\n".join(lines) + "\n"


def export_text(template: str) -> str:
    """A shipped template as a file to edit: its text after a comment on how to use it and
    what its parameters are."""
    text = template_text(template)
    return _header(load_template(template, action_catalog())) + text


__all__ = ["export_text"]
