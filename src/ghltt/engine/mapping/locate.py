"""Where a value sits in its YAML file, so that every error can name file, line and field.

ruamel.yaml round-trip nodes carry 0-based positions (``.lc``); plain dicts carry none, and then
errors name the file and field only. A path that leaves the positioned part of the tree (e.g. a
node a migration created) falls back to the nearest positioned ancestor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ghltt.engine.mapping.errors import Problem

PathPart = str | int


def render_path(parts: Sequence[PathPart]) -> str:
    """``("steps", 2, "input", "email")`` → ``steps[2].input.email``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _position(node: Any, part: PathPart) -> tuple[int, int] | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        pos = lc.item(part) if isinstance(part, int) else lc.key(part)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return (int(pos[0]), int(pos[1])) if pos is not None else None


def _own_position(node: Any) -> tuple[int, int] | None:
    lc = getattr(node, "lc", None)
    if lc is None or getattr(lc, "line", None) is None:
        return None
    return int(lc.line), int(lc.col)


@dataclass(frozen=True)
class Locator:
    """Turns a path inside ``root`` into a ``Problem`` with the best position known."""

    file: str
    root: Any = None
    base: tuple[PathPart, ...] = ()

    def child(self, *parts: PathPart) -> Locator:
        return Locator(self.file, self.root, self.base + parts)

    def position(self, *parts: PathPart) -> tuple[int, int] | None:
        best = _own_position(self.root)
        node = self.root
        for part in self.base + parts:
            pos = _position(node, part)
            if pos is not None:
                best = pos
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        return best

    def problem(self, message: str, *parts: PathPart) -> Problem:
        pos = self.position(*parts)
        field = render_path(self.base + parts)
        if pos is None:
            return Problem(self.file, None, None, field, message)
        return Problem(self.file, pos[0] + 1, pos[1] + 1, field, message)
