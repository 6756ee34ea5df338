"""Cursor pagination as async iterators that always end and never yield a record twice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import TypeVar

__all__ = ["Page", "paginate"]

T = TypeVar("T")
C = TypeVar("C", bound=Hashable)

# One page: its items and the cursor for the next page (None when this was the last).
Page = tuple[list[T], C | None]


async def paginate(
    fetch: Callable[[C | None], Awaitable[Page[T, C]]],
    *,
    key: Callable[[T], str],
    max_pages: int = 100_000,
) -> AsyncIterator[T]:
    """Yield items page by page until a page is empty, has no next cursor, or repeats a cursor.

    Records are deduplicated by ``key``: a record that moves between pages while we read (an
    update changes its sort position) is yielded once.
    """
    seen: set[str] = set()
    cursors: set[C] = set()
    cursor: C | None = None
    for _ in range(max_pages):
        items, next_cursor = await fetch(cursor)
        for item in items:
            ident = key(item)
            if ident not in seen:
                seen.add(ident)
                yield item
        if not items or next_cursor is None or next_cursor in cursors:
            return
        cursors.add(next_cursor)
        cursor = next_cursor
