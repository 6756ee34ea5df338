"""Drive a loopback POST load with wrk (Debian package ``wrk``), when it is installed.

wrk is written in C, so on a 2-core machine it leaves the server the CPU a Python load
generator would take. Each request carries a distinct dedup key; wrk stops after ``count``
responses and reports latency percentiles.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

_SCRIPT = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } timeval;
int gettimeofday(timeval *tv, void *tz);
]]
local function now()
  local tv = ffi.new("timeval")
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6
end
local started = nil
local counter = 0
local responses = 0
local limit = tonumber(os.getenv("BENCH_COUNT"))
local prefix = os.getenv("BENCH_PREFIX")
local headers = {["Content-Type"] = "application/json",
                 ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}
request = function()
  if started == nil then started = now() end
  counter = counter + 1
  local body = string.format(
    '{"bridge":"default","source":"ghl","kind":"contact.updated","object_type":"contact",' ..
    '"object_id":"c%d","dedup_key":"%s-%d","payload":{"type":"ContactUpdate","id":"c%d",' ..
    '"email":"u%d@x.io"}}', counter % 5000, prefix, counter, counter % 5000, counter)
  return wrk.format("POST", os.getenv("BENCH_PATH"), headers, body)
end
response = function(status, headers, body)
  responses = responses + 1
  if responses == limit then
    -- wrk's own clock runs until -d ends; time the burst here and let the caller stop wrk.
    local f = io.open(os.getenv("BENCH_MARKER"), "w")
    f:write(string.format("%.6f", now() - started))
    f:close()
    wrk.thread:stop()
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "p50_us": %d, "p99_us": %d, "max_us": %d,' ..
    ' "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, latency:percentile(50), latency:percentile(99),
    latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def post_count(
    port: int, path: str, token: str, prefix: str, count: int, connections: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(_SCRIPT)
        marker = Path(tmp) / "done"
        env = dict(
            os.environ,
            BENCH_COUNT=str(count),
            BENCH_PREFIX=prefix,
            BENCH_TOKEN=token,
            BENCH_PATH=path,
            BENCH_MARKER=str(marker),
        )
        command = ["wrk", "-t1", f"-c{connections}", "-d600s", "--timeout", "10s"]
        command += ["-s", str(script), f"http://127.0.0.1:{port}"]
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 600
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)  # the marker is written before it is flushed and closed
        proc.send_signal(signal.SIGINT)  # wrk stops and prints its summary on SIGINT
        out, _ = proc.communicate(timeout=60)
        seconds = float(marker.read_text())
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    raw = json.loads(line[len("RESULT ") :])
    accepted = raw["requests"] - raw["non_2xx"]
    return {
        "requests": raw["requests"],
        "accepted": accepted,
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["socket_errors"],
        "seconds": round(seconds, 3),
        "events_per_second": round(min(accepted, count) / seconds, 1) if seconds else 0,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
    }
