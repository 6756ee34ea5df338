"""What a run does, as plain async code: recipes, mappings, sync, automations, reconcile.

``ghltt.engine.dispatch`` says which recipes an event needs and runs one in an opened bridge;
jobs calls it, and nothing here calls back into jobs.
"""
