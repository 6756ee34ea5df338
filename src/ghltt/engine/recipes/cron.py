"""Five-field cron expressions, checked at load (the scheduler itself lives in ``jobs``)."""

from __future__ import annotations

_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)
_NAMES = {
    3: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    4: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
}
_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}


def check_cron(expression: str) -> str:
    """Return the expression (macros expanded) or raise ValueError saying which field is bad."""
    text = _MACROS.get(expression.strip().lower(), expression.strip())
    parts = text.split()
    if len(parts) != 5:
        raise ValueError(
            f"a cron expression has 5 fields (minute hour day month weekday), got {len(parts)}"
        )
    for index, (part, (name, low, high)) in enumerate(zip(parts, _FIELDS, strict=True)):
        for item in part.split(","):
            _check_item(item, index, name, low, high)
    return text


def _check_item(item: str, index: int, name: str, low: int, high: int) -> None:
    base, _, step = item.partition("/")
    if step and not (step.isdigit() and int(step) > 0):
        raise ValueError(f"cron {name}: step {step!r} must be a positive number")
    if base == "*":
        return
    bounds = base.split("-")
    if len(bounds) > 2:
        raise ValueError(f"cron {name}: {item!r} is not a value, range or list")
    values = [_value(b, index, name) for b in bounds]
    for value in values:
        if not low <= value <= high:
            raise ValueError(f"cron {name}: {value} is outside {low}-{high}")
    if len(values) == 2 and values[0] > values[1]:
        raise ValueError(f"cron {name}: range {item!r} runs backwards")


def _value(text: str, index: int, name: str) -> int:
    if text.isdigit():
        return int(text)
    names = _NAMES.get(index, [])
    if text.lower() in names:
        return names.index(text.lower()) + (1 if index == 3 else 0)
    raise ValueError(f"cron {name}: {text!r} is not a number")
