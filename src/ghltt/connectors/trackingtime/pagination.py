"""Walking TT lists by each endpoint's real paging rule.

``/events`` and ``/tasks/paginated`` take ``page`` (from 0) and ``page_size`` and give no total:
the end is a short or empty page. Servers that ignore ``page`` (``/projects``, ``/customers``)
would answer the same full page forever, so a page that brings nothing new also ends the walk,
and an id seen before is never yielded twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

__all__ = ["DEFAULT_MAX_PAGES", "paginate"]

T = TypeVar("T")

DEFAULT_MAX_PAGES = 100_000


async def paginate(
    fetch_page: Callable[[int, int], Awaitable[Sequence[T]]],
    *,
    page_size: int,
    key: Callable[[T], Hashable],
    first_page: int = 0,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> AsyncIterator[T]:
    """Yield each record of a paged list once; ``fetch_page(page, page_size)`` gets one page."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    seen: set[Hashable] = set()
    for page in range(first_page, first_page + max_pages):
        records = await fetch_page(page, page_size)
        fresh = 0
        for record in records:
            ident = key(record)
            if ident in seen:
                continue
            seen.add(ident)
            fresh += 1
            yield record
        if len(records) < page_size or fresh == 0:
            return
