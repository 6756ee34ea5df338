"""The GHL simulator in its own process, as ``ghltt simulate ghl`` runs it, plus the contact
custom fields the contacts template maps.

GHL's API (and so the simulator, admin API included) has no custom-field creation for a
location, and without ``contact.tt_customer_id`` the contacts template cannot write a TT id
back, so its runs would fail. The sandbox adds the fields in-process; this does the same with
the sandbox's own helper before serving.

Usage: ``python bench/_e2e_ghl_sim.py PORT``
"""

from __future__ import annotations

import sys

import uvicorn

from ghltt.cli.sandbox import _add_custom_fields
from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig


def main() -> None:
    port = int(sys.argv[1])
    base_url = f"http://127.0.0.1:{port}"
    # No rate limit in the way: the benchmark measures ghltt, not GHL's quotas.
    config = GhlSimulatorConfig(
        base_url=base_url,
        rate_limit_burst=10_000_000,
        rate_limit_window_ms=1_000,
        rate_limit_daily=100_000_000,
    )
    sim = GhlSimulator(config)
    _add_custom_fields(sim)
    uvicorn.run(sim.app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
