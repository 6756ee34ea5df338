"""The recipes that ship with ghltt: YAML data only, read by ``ghltt.engine.recipes.templates``."""
