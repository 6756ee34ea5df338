"""A plugin the durability tests load into ghltt processes (via GHLTT_PLUGINS).

Events of kind ``test.multistep`` plan three steps that append to a journal file, so a test can
see which steps ran and how often. ``fail_until`` makes each step fail until a file appears
(``fail_as: network`` as a DNS failure would); ``plan_fails_until`` makes planning fail, so
the batch dies outside any run. ``hold_step`` makes that step wait for a file to
appear, holding the run open while the test kills the process. ``refused`` makes every step
end as a connection's refusal would (``Held``).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from ghltt.connectors.http import TransportError
from ghltt.core import Event
from ghltt.jobs.plans import Held, Route, Step, add_route, add_step


def _plan(event: Event) -> list[Step]:
    refuse_until = event.payload.get("plan_fails_until")
    if refuse_until and not Path(refuse_until).exists():
        raise RuntimeError("cannot plan this event (simulated)")
    steps = int(event.payload.get("steps", 3))
    return [
        Step(name="test.journal", input={**event.payload, "step": i, "event": event.id})
        for i in range(steps)
    ]


async def journal(data: dict[str, Any]) -> dict[str, Any]:
    path = Path(data["journal"])
    line = f"{data['event']} {data['step']}"
    _append(path, f"start {line}")
    if data.get("hold_step") == data["step"]:
        release = Path(data["release"])
        while not release.exists():
            await asyncio.sleep(0.05)
    if data.get("refused"):
        raise Held("connection c1: revoked: [401] (simulated)")
    if data.get("fail_until") and not Path(data["fail_until"]).exists():
        if data.get("fail_as") == "network":
            raise TransportError("GET https://api.example.com: name or service not known")
        raise RuntimeError("the remote side refused (simulated)")
    _append(path, f"done {line}")
    return {"step": data["step"]}


def _append(path: Path, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


add_step("test.journal", journal)
add_route(Route(name="test-multistep", kinds=("test.multistep",), plan=_plan))
