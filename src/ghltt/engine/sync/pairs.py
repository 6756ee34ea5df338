"""Recording a pair: what a sync keeps once two records stand for each other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ghltt.engine.context import BridgeContext
from ghltt.engine.mapping import MappedRecord
from ghltt.engine.recipes import SyncRecipe
from ghltt.store.links import Link
from ghltt.store.provenance import ProvenanceEntry


def record_pair(
    ctx: BridgeContext,
    recipe: SyncRecipe,
    records: Mapping[str, Mapping[str, Any]],
    mapped: Mapping[str, MappedRecord | None] | None,
    parent: Mapping[str, Any] | None,
    provenance: Sequence[ProvenanceEntry] = (),
) -> Link:
    """The link between ``records`` (by system) with each side's fingerprint, both snapshots
    (mapped values and the parent pair they were synced under) and the provenance of the
    writes that made them agree, in one transaction. ``mapped`` None: the records cannot be
    mapped as the sync will yet (their parent is not paired), so the link holds no
    fingerprints and no snapshots; the sync's first run reads both sides."""
    ghl, tt = recipe.objects("ghl"), recipe.objects("tt")
    fingerprints: dict[str, str | None] = {"ghl": None, "tt": None}
    for system, seen in (mapped or {}).items():
        fingerprints[system] = None if seen is None else seen.fingerprint
    parent_ids = {
        "ghl_id": (parent or {}).get("ghl", {}).get("id"),
        "tt_id": (parent or {}).get("tt", {}).get("id"),
    }
    with ctx.repos.writing() as repos:
        link = repos.links.save(
            Link(
                ctx.bridge_id,
                ghl.name,
                str(records["ghl"]["id"]),
                tt.name,
                str(records["tt"]["id"]),
                fingerprints["ghl"],
                fingerprints["tt"],
            )
        )
        for system, seen in (mapped or {}).items():
            state = {"mapped": seen.values if seen is not None else {}, "parent": parent_ids}
            obj = ghl if system == "ghl" else tt
            repos.snapshots.put(ctx.bridge_id, system, obj.name, str(records[system]["id"]), state)
        if provenance and ctx.run_id:
            repos.provenance.record(ctx.run_id, ctx.bridge_id, provenance)
    return link
