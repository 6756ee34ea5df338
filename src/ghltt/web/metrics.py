"""Prometheus metrics of the web process."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS_ACCEPTED = Counter(
    "ghltt_events_accepted_total", "Events committed to the inbox", ["source", "origin"]
)
EVENTS_DUPLICATE = Counter(
    "ghltt_events_duplicate_total", "Submissions of an event already in the inbox", ["source"]
)
EVENTS_REFUSED = Counter(
    "ghltt_events_refused_total", "Submissions refused before commit", ["reason"]
)
INTAKE_PENDING = Gauge("ghltt_intake_committed_events", "Events committed by this process")
