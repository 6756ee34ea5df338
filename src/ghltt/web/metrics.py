"""Prometheus metrics of the web process."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from ghltt.core import StoreUnavailable, utcnow
from ghltt.store import Database
from ghltt.store.backlog import read_backlog

EVENTS_ACCEPTED = Counter(
    "ghltt_events_accepted_total", "Events committed to the inbox", ["source", "origin"]
)
EVENTS_DUPLICATE = Counter(
    "ghltt_events_duplicate_total", "Submissions of an event already in the inbox", ["source"]
)
EVENTS_REFUSED = Counter(
    "ghltt_events_refused_total", "Submissions refused before commit", ["reason"]
)

# Read from the store at each scrape, so every web process reports the deployment's queue.
# Intake never pushes back (GHL retries a webhook only after a 429, and only 10 minutes
# later), so a growing backlog is the signal to add workers, and these gauges show it.
INBOX_BACKLOG = Gauge("ghltt_inbox_backlog_events", "Accepted events not processed yet")
INBOX_OLDEST = Gauge(
    "ghltt_inbox_oldest_pending_seconds", "Age of the oldest event not processed yet (0 if none)"
)
DEAD_LETTERS = Gauge("ghltt_dead_letter_runs", "Failed runs waiting for a replay or a dismissal")
STORE_READ = Gauge("ghltt_metrics_store_up", "1 if the store answered this scrape's reads")


def observe_store(db: Database) -> None:
    """Set the store-backed gauges; a store that does not answer leaves them as they were."""
    try:
        backlog = read_backlog(db)
    except StoreUnavailable:
        STORE_READ.set(0)
        return
    STORE_READ.set(1)
    INBOX_BACKLOG.set(backlog.pending)
    age = (utcnow() - backlog.oldest).total_seconds() if backlog.oldest else 0.0
    INBOX_OLDEST.set(max(age, 0.0))
    DEAD_LETTERS.set(backlog.dead_letters)
