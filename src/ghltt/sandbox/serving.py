"""Serve a simulator on a loopback port from a background thread (for ``ghltt sandbox``)."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn


def serve_in_thread(app: Any, host: str, port: int) -> uvicorn.Server:
    """Start ``app`` under uvicorn in a daemon thread; returns once it accepts connections."""
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=f"simulator-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the simulator could not listen on {host}:{port}")
        time.sleep(0.02)
    return server
