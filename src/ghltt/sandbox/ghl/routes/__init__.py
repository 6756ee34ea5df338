"""Starlette routes of the simulated API, one module per resource."""
