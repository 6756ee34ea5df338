"""One simulator of the import benchmark in its own process (as ``ghltt simulate`` runs it),
filled with the benchmark's records in memory: the records it holds are not the import's
memory, and its CPU is not the import's.

Usage: ``python bench/_import_sim.py ghl PORT CONTACTS LIMIT WINDOW_MS`` (LIMIT requests per
window)
or ``python bench/_import_sim.py tt PORT CUSTOMERS``. Prints one JSON line (what a client needs
to connect) once its records are in, then serves on 127.0.0.1:PORT until killed.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn

from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.sandbox.trackingtime.state import Customer

BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# The TT customers' numbers start here: apart from the GHL contacts' (person0..).
CUSTOMERS_FROM = 10_000_000


def _ghl(port: int, contacts: int, limit: int, window_ms: int) -> tuple[Any, dict[str, Any]]:
    sim = GhlSimulator(GhlSimulatorConfig(base_url=f"http://127.0.0.1:{port}", rsa_key_size=2048))
    location = sim.sample_location_id
    for key in ("tt_customer_id", "tt_hours_total", "tt_hours_this_month"):
        sim.state.custom_fields[f"cf_{key}"] = {
            "id": f"cf_{key}",
            "name": key,
            "fieldKey": f"contact.{key}",
            "dataType": "TEXT",
            "locationId": location,
        }
    sim.set_rate_limits(burst=limit, window_ms=window_ms, daily=10_000_000)
    for i in range(contacts):
        stamp = (BASE + timedelta(milliseconds=i)).isoformat(timespec="milliseconds")
        stamp = stamp.replace("+00:00", "Z")
        sim.state.contacts[f"bench{i:07d}"] = {
            "id": f"bench{i:07d}",
            "locationId": location,
            "firstName": f"Person{i}",
            "lastName": "Bench",
            "email": f"person{i}@bench.example",
            "phone": f"+1555{i:07d}",
            "dateAdded": stamp,
            "dateUpdated": stamp,
            "type": "lead",
            "tags": [],
            "customFields": [],
            "followers": [],
            "additionalEmails": [],
        }
    return sim.app, {"location_id": location, "token": sim.sample_token}


def _tt(customers: int) -> tuple[Any, dict[str, Any]]:
    """A TT account of ``customers``: every other one archived. TT lists at most 1,000 of each
    state, so 1,980 (990 and 990, room for the real-time edits' customers) is the most an
    import can read of an account: the issue's 2,000, nearly."""
    sim = TrackingTimeSimulator()
    for i in range(CUSTOMERS_FROM, CUSTOMERS_FROM + customers):
        customer = Customer(
            is_archived=(i - CUSTOMERS_FROM) % 2 == 1,
            id=sim.state.next_id("customer"),
            account_id=sim.account_id,
            name=f"Client{i} Bench",
            contact_name=f"Client{i} Bench",
            contact_email=f"client{i}@bench.example",
            created_at=BASE,
            updated_at=BASE + timedelta(seconds=i - CUSTOMERS_FROM),
        )
        sim.state.customers[customer.id] = customer
    return sim.app, {
        "account_id": sim.account_id,
        "app_password": str(sim.credentials()[0]["app_password"]),
        "timezone": sim.account().timezone,
    }


def main() -> None:
    kind, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if kind == "ghl":
        app, connect = _ghl(port, count, int(sys.argv[4]), int(sys.argv[5]))
    else:
        app, connect = _tt(count)
    print(json.dumps(connect), flush=True)
    # Idle connections kept longer than the clients keep theirs (5 s): at uvicorn's 5 s, a
    # client reusing a connection as the server closed it got a ReadError on a create, which
    # a worker's page retry absorbs but ends this benchmark's run. The APIs keep theirs longer.
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", timeout_keep_alive=75)


if __name__ == "__main__":
    main()
