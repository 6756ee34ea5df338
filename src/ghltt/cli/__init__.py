"""The ``ghltt`` command line."""
