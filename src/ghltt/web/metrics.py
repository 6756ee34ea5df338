"""Prometheus metrics of the web process."""

from __future__ import annotations

from prometheus_client import Counter

EVENTS_ACCEPTED = Counter(
    "ghltt_events_accepted_total", "Events committed to the inbox", ["source", "origin"]
)
EVENTS_DUPLICATE = Counter(
    "ghltt_events_duplicate_total", "Submissions of an event already in the inbox", ["source"]
)
EVENTS_REFUSED = Counter(
    "ghltt_events_refused_total", "Submissions refused before commit", ["reason"]
)
