"""Short ids, as git shows them: an id is shown by its first few characters, and any prefix
that names exactly one row is accepted in its place."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ghltt.core import InvalidInput, NotFound

# Characters shown of each kind of id. Run ids are random; event ids start with a millisecond
# timestamp (12 digits), so theirs must reach into the random part to tell events apart.
SHORT = {"run": 8, "event": 16}
# Beyond every character an id holds ([0-9a-z_:-]): the upper bound of a prefix range.
_AFTER = "\x7f"
_CANDIDATES = 5


def short_id(value: str, kind: str) -> str:
    return value[: SHORT[kind]]


def resolve_prefix(
    conn: sa.Connection,
    column: sa.ColumnElement[Any],
    ref: str,
    *,
    what: str,
    listed_by: str,
    where: sa.ColumnElement[bool] | None = None,
) -> str:
    """The full id ``ref`` names: itself when it exists, else the one id it is a prefix of.

    A range on the column (not LIKE, which SQLite compares case-insensitively and so cannot
    answer from the index) finds the candidates. An ambiguous prefix is refused with them.
    """
    ref = ref.strip()
    if not ref:
        raise InvalidInput(f"give a {what} id (see '{listed_by}')")
    stmt = sa.select(column).where(column >= ref, column < ref + _AFTER)
    if where is not None:
        stmt = stmt.where(where)
    rows: list[Any] = list(conn.execute(stmt.order_by(column).limit(_CANDIDATES + 1)).scalars())
    found = [str(v) for v in rows]
    if ref in found:
        return ref
    if not found:
        raise NotFound(f"no {what} with an id starting {ref!r} (see '{listed_by}')")
    if len(found) > 1:
        shown = ", ".join(found[:_CANDIDATES]) + (", ..." if len(found) > _CANDIDATES else "")
        raise InvalidInput(
            f"{what} id {ref!r} is ambiguous, it could be: {shown} (give more of it)"
        )
    return found[0]
