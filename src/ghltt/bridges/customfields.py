"""Custom fields by key: each location (GHL) and account (TT) gives the same key its own id.

Mappings resolve keys synchronously, so the ids are loaded before a mapping is applied; an
opened bridge keeps its cache across runs (two API calls saved per run). GHL
keys match ``fieldKey`` with or without the object prefix (``contact.tt_hours`` /
``tt_hours``); TT keys match a field's slug or its name, case-folded.
"""

from __future__ import annotations

from collections.abc import Iterable

from ghltt.connectors.ghl import GhlClient
from ghltt.connectors.trackingtime import TrackingTimeClient


class CustomFieldCache:
    def __init__(self, ghl: GhlClient, tt: TrackingTimeClient) -> None:
        self._ghl = ghl
        self._tt = tt
        self._ids: dict[tuple[str, str], str] = {}
        self._loaded: set[str] = set()

    async def load(self, object_types: Iterable[str]) -> None:
        for object_type in dict.fromkeys(object_types):
            if object_type in self._loaded:
                continue
            system, _, name = object_type.partition(".")
            if system == "ghl":
                await self._load_ghl(object_type, name)
            elif system == "tt":
                await self._load_tt()
            self._loaded.add(object_type)

    async def _load_ghl(self, object_type: str, name: str) -> None:
        listing = await self._ghl.custom_fields.list_by_object(name)
        for f in listing.fields:
            if not f.field_key:
                continue
            key = f.field_key.casefold()
            self._ids[(object_type, key)] = f.id
            self._ids[(object_type, key.removeprefix(f"{name}."))] = f.id

    async def _load_tt(self) -> None:
        if "tt" in self._loaded:
            return
        for f in await self._tt.custom_fields.list():
            owner = f"tt.{(f.filter_object_class or '').lower()}"
            for key in (f.slug, f.name):
                if key:
                    self._ids.setdefault((owner, key.casefold()), str(f.id))
        self._loaded.add("tt")

    def resolve_custom_field(self, object_type: str, key: str) -> str | None:
        return self._ids.get((object_type, key.casefold()))
