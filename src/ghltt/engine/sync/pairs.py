"""Recording a pair: what a sync keeps once two records stand for each other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ghltt.engine.context import BridgeContext, RecordWrites
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
    *,
    hold: bool = True,
) -> Link:
    """The link between ``records`` (by system) with each side's fingerprint, both snapshots
    (mapped values and the parent pair they were synced under) and the provenance of the
    writes that made them agree, in one transaction. ``mapped`` None: the records cannot be
    mapped as the sync will yet (their parent is not paired), so the link holds no
    fingerprints and no snapshots; the sync's first run reads both sides. The writes commit
    at once, or with the run's end when its repositories hold them (``Repositories.write``);
    ``hold=False``: at once (a ``link:`` step's pairing mark ends right after)."""
    ghl, tt = recipe.objects("ghl"), recipe.objects("tt")
    fingerprints: dict[str, str | None] = {"ghl": None, "tt": None}
    for system, seen in (mapped or {}).items():
        fingerprints[system] = None if seen is None else seen.fingerprint
    parent_ids = {
        "ghl_id": (parent or {}).get("ghl", {}).get("id"),
        "tt_id": (parent or {}).get("tt", {}).get("id"),
    }
    link = Link(
        ctx.bridge_id,
        ghl.name,
        str(records["ghl"]["id"]),
        tt.name,
        str(records["tt"]["id"]),
        fingerprints["ghl"],
        fingerprints["tt"],
    )
    run_id = ctx.run_id

    def write(repos: RecordWrites) -> None:
        repos.links.save(link)
        repos.snapshots.put_many(
            ctx.bridge_id,
            [
                (
                    system,
                    (ghl if system == "ghl" else tt).name,
                    str(records[system]["id"]),
                    {"mapped": seen.values if seen is not None else {}, "parent": parent_ids},
                )
                for system, seen in (mapped or {}).items()
            ],
        )
        if provenance and run_id:
            repos.provenance.record(run_id, ctx.bridge_id, provenance)

    ctx.repos.write(write, hold=hold)
    return link
