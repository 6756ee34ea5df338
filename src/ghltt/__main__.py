"""``python -m ghltt`` is ``ghltt``."""

from ghltt.cli.main import app

app()
