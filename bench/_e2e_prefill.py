"""Pre-fill a benchmark's store with history, as a deployment's store holds after months.

``prefill(store, jobs, n)`` adds, for the bench's own bridge, ``n`` processed inbox events, their
runs (succeeded, spread over 30 days) with one step each, one provenance row per run, ``n``
record links with both snapshots, and DBOS's record of the workflows that ran them (one
workflow per 4 runs, a trickle's batch, and one recorded step per run). Each table is filled by
one ``INSERT ... SELECT`` over a generated series, copying a row the bench's own setup made as
the template (so every value has the shape ghltt writes), with ids and times varied: a
million rows take seconds, not the hours the API would.

On SQLite the series is a recursive CTE; on PostgreSQL ``generate_series``.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

MONTH_SECONDS = 30 * 24 * 3600


def _series(dialect: str, n: int) -> str:
    if dialect == "postgresql":
        return f"generate_series(1, {n}) AS s(i)"
    # The CTE is written into the FROM clause as a subquery: SQLite accepts it there.
    return (
        f"(WITH RECURSIVE g(i) AS (VALUES (1) UNION ALL SELECT i + 1 FROM g WHERE i < {n}) "
        "SELECT i FROM g) AS s"
    )


def _text(dialect: str, expr: str) -> str:
    return f"({expr})::text" if dialect == "postgresql" else f"CAST({expr} AS TEXT)"


def _ago(dialect: str, seconds: str) -> str:
    """A timestamp ``seconds`` (an SQL expression) before now, as the store writes them."""
    if dialect == "postgresql":
        return f"now() - ({seconds}) * interval '1 second'"
    return f"strftime('%Y-%m-%d %H:%M:%S.000000', 'now', '-' || ({seconds}) || ' seconds')"


def _clone(
    conn: sa.Connection,
    table: str,
    template_where: str,
    overrides: dict[str, str],
    n: int,
    *,
    schema: str | None = None,
    smallest: str | None = None,
    join: str = "",
) -> int:
    """Insert ``n`` copies of one row of ``table`` (``template_where`` picks it), with the
    columns in ``overrides`` computed from the series' ``i`` instead. Returns ``n``."""
    dialect = conn.dialect.name
    columns = [c["name"] for c in sa.inspect(conn).get_columns(table, schema=schema)]
    columns = [c for c in columns if c != "id" or "id" in overrides]  # serial ids: default

    def q(column: str) -> str:
        return f'"{column}"'

    name = f'"{schema}"."{table}"' if schema else f'"{table}"'
    # The template with the least of a bulky column, so a million copies stay a few GB.
    order = f"ORDER BY length(CAST({q(smallest)} AS TEXT))" if smallest else ""
    select = ", ".join(overrides.get(c, f"t.{q(c)}") for c in columns)
    sql = (
        f"INSERT INTO {name} ({', '.join(q(c) for c in columns)}) "
        f"SELECT {select} FROM (SELECT * FROM {name} WHERE {template_where} {order} LIMIT 1) AS t "
        f"CROSS JOIN {_series(dialect, n)} {join}"
    )
    found = conn.execute(sa.text(f"SELECT count(*) FROM {name} WHERE {template_where}")).scalar()
    if not found:
        raise SystemExit(f"prefill: no template row in {table} ({template_where})")
    conn.execute(sa.text(sql))
    return n


def prefill(store: sa.Engine, jobs: sa.Engine, n: int) -> dict[str, Any]:
    """Fill both databases; returns what was added and how long it took."""
    started = time.perf_counter()
    d = store.dialect.name
    txt = lambda e: _text(d, e)  # noqa: E731
    ago = _ago(d, f"(i * 7) % {MONTH_SECONDS} + 3600")
    batch = "(i - 1) / 4 + 1"  # four runs per workflow, numbered from 1 as the series
    added: dict[str, int] = {}
    with store.begin() as conn:
        # The events are about the records the bench syncs, as a long-lived store's are: a
        # query over a record's events meets all of its history.
        records = (
            "SELECT DISTINCT object_id FROM inbox_events "
            "WHERE source = 'ghl' AND object_type = 'contact' AND object_id IS NOT NULL"
        )
        count = conn.execute(sa.text(f"SELECT count(*) FROM ({records}) AS r")).scalar_one()
        numbered = (
            "SELECT object_id AS oid, row_number() OVER (ORDER BY object_id) - 1 AS k "
            f"FROM ({records}) AS r"
        )
        added["inbox_events"] = _clone(
            conn,
            "inbox_events",
            "processed_at IS NOT NULL AND outcome = 'applied' AND object_type = 'contact'",
            {
                "id": "'pfev' || " + txt("i"),
                "dedup_key": "'pf:' || " + txt("i"),
                "object_id": "o.oid",
                "occurred_at": ago,
                "received_at": ago,
                "dispatched_at": ago,
                "processed_at": ago,
                "batch_id": "'pfb' || " + txt(batch),
            },
            n,
            join=f"JOIN ({numbered}) AS o ON o.k = s.i % {max(int(count), 1)}",
        )
        added["runs"] = _clone(
            conn,
            "runs",
            "status = 'succeeded'",
            {
                "id": "'pfrun' || " + txt("i"),
                "workflow_id": "'pfb' || " + txt(batch),
                "event_id": "'pfev' || " + txt("i"),
                "started_at": ago,
                "finished_at": ago,
            },
            n,
        )
        added["run_steps"] = _clone(
            conn,
            "run_steps",
            "status = 'succeeded'",
            {"run_id": "'pfrun' || " + txt("i"), "finished_at": ago},
            n,
            smallest="output",
        )
        added["provenance"] = _clone(
            conn,
            "provenance",
            "run_id IS NOT NULL",
            {
                "run_id": "'pfrun' || " + txt("i"),
                "object_id": "'pft' || " + txt("i"),
                "written_at": ago,
            },
            n,
        )
        added["record_links"] = _clone(
            conn,
            "record_links",
            "1 = 1",
            {"ghl_id": "'pfc' || " + txt("i"), "tt_id": "'pft' || " + txt("i"), "updated_at": ago},
            n,
        )
        for system, prefix in (("ghl", "pfc"), ("tt", "pft")):
            added[f"record_snapshots_{system}"] = _clone(
                conn,
                "record_snapshots",
                f"system = '{system}'",
                {"object_id": f"'{prefix}' || " + txt("i"), "updated_at": ago},
                n,
            )
    schema = None if jobs.dialect.name == "sqlite" else "dbos"
    j = jobs.dialect.name
    ms = (
        "(extract(epoch from now()) * 1000)::bigint"
        if j == "postgresql"
        else ("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)")
    )
    when = f"{ms} - ((i * 7) % {MONTH_SECONDS} + 3600) * CAST(1000 AS BIGINT)"
    with jobs.begin() as conn:
        added["dbos_workflow_status"] = _clone(
            conn,
            "workflow_status",
            "status = 'SUCCESS' AND name = 'ghltt.process_batch'",
            {
                "workflow_uuid": "'pfb' || " + _text(j, "i"),
                "created_at": when,
                "updated_at": when,
                "started_at_epoch_ms": when,
                "completed_at": when,
            },
            n // 4,
            schema=schema,
            smallest="inputs",
        )
        added["dbos_operation_outputs"] = _clone(
            conn,
            "operation_outputs",
            "function_name LIKE '%contacts'",
            {
                "workflow_uuid": "'pfb' || " + _text(j, batch),
                "function_id": "(i - 1) % 4",
                "started_at_epoch_ms": when,
                "completed_at_epoch_ms": when,
            },
            n,
            schema=schema,
            smallest="output",
        )
    for engine in {id(store): store, id(jobs): jobs}.values():
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
    return {"rows": added, "seconds": round(time.perf_counter() - started, 1)}
