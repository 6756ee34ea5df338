"""Deterministic identifiers shaped like the real ones (reference §1.1)."""

from __future__ import annotations

import random
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


class IdFactory:
    """Ids from a seeded generator, so a given seed always yields the same sample data."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"ghl-ids-{seed}")

    def alnum(self, length: int = 20) -> str:
        return "".join(self._rng.choice(_ALNUM) for _ in range(length))

    def lower_alnum(self, length: int) -> str:
        return "".join(self._rng.choice(_LOWER_ALNUM) for _ in range(length))

    def hex24(self) -> str:
        return f"{self._rng.getrandbits(96):024x}"

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


def trace_id() -> str:
    """Trace ids need no determinism; they are unique per request like the real ones."""
    return str(uuid.uuid4())
