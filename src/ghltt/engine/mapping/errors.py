"""Problems found in a mapping or a recipe, each naming its file, line, column and field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ghltt.core import InvalidInput


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, where it is. ``line`` and ``col`` are 1-based; None when unknown."""

    file: str
    line: int | None
    col: int | None
    field: str
    message: str

    @property
    def where(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}:{self.col or 1}"
        return f"{place}: {self.field}" if self.field else place

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class Invalid(InvalidInput):
    """Loading failed; ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("Invalid needs at least one problem")
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.col or 0))
        first = self.problems[0]
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(first.message + suffix, where=first.where)


class MappingFailed(InvalidInput):
    """Applying a mapping to a record failed (bad data, not a bad mapping)."""
