"""The GHL simulator in its own process, as ``ghltt simulate ghl`` runs it, without GHL's rate
limits. The contact custom fields the contacts template maps are made by the stack's setup,
through the location's Custom Fields API (as 'ghltt bridges check --fix' does).

Usage: ``python bench/_e2e_ghl_sim.py PORT``
"""

from __future__ import annotations

import sys

import uvicorn

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
    uvicorn.run(sim.app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
