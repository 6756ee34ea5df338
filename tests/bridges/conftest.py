"""Fixtures of the bridges tests: the vault tests' store, vault, simulators and services."""

from tests.vault.conftest import (
    bridges,
    clients,
    connections,
    db,
    flow,
    ghl_sim,
    key_file,
    oauth_app,
    oauth_client,
    remotes,
    tt_sim,
    vault,
)

__all__ = [
    "bridges",
    "clients",
    "connections",
    "db",
    "flow",
    "ghl_sim",
    "key_file",
    "oauth_app",
    "oauth_client",
    "remotes",
    "tt_sim",
    "vault",
]
