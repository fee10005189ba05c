"""Load generators: ``wrk`` when installed, else a threaded Python client over raw sockets.

Both keep connections alive where the server allows it (gunicorn's sync
worker answers ``Connection: close``, so every request there pays a new
connection, for every app alike), run a warm-up whose numbers are thrown
away, then a measured run of fixed duration and concurrency.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from collections.abc import Mapping

from http1 import Connection, request_bytes

WRK_SCRIPT = Path(__file__).with_name("wrk_script.lua")


@dataclass
class LoadResult:
    """What one measured run produced."""

    tool: str
    concurrency: int
    duration_s: float
    requests: int
    rps: float
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0

    def to_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return asdict(self)


def find_wrk() -> str | None:
    """Path of the wrk binary, if installed."""
    return shutil.which("wrk")


def install_wrk() -> str | None:
    """``apt-get install -y wrk`` when running as root with apt available; the binary path or None."""
    if find_wrk() or os.geteuid() != 0 or not shutil.which("apt-get"):
        return find_wrk()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "install", "-y", "-q", "wrk"], ["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "wrk"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode == 0 and find_wrk():
            break
    return find_wrk()


# -- the Python load generator ---------------------------------------------------


class _Client(threading.Thread):
    """One connection sending the same request in a loop until the deadline."""

    def __init__(self, host: str, port: int, payload: bytes, deadline: float) -> None:
        super().__init__(daemon=True)
        self.connection = Connection(host, port, timeout=60.0)
        self.payload, self.deadline = payload, deadline
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.errors = 0

    def run(self) -> None:
        clock = time.perf_counter
        while clock() < self.deadline:
            started = clock()
            try:
                answer = self.connection.exchange(self.payload, keep_body=False)
            except OSError:
                self.errors += 1
                time.sleep(0.001)
                continue
            self.latencies.append(clock() - started)
            self.statuses[str(answer.status)] += 1
        self.connection.close()


def _python_run(host: str, port: int, payload: bytes, concurrency: int, duration: float) -> LoadResult:
    started = time.perf_counter()
    clients = [_Client(host, port, payload, started + duration) for _ in range(concurrency)]
    for client in clients:
        client.start()
    for client in clients:
        client.join(duration + 120)
    elapsed = time.perf_counter() - started
    latencies = sorted(value for client in clients for value in client.latencies)
    statuses: Counter[str] = Counter()
    for client in clients:
        statuses.update(client.statuses)
    return LoadResult("python", concurrency, round(elapsed, 3), len(latencies), len(latencies) / elapsed,
                      *_percentiles(latencies), statuses=dict(statuses), errors=sum(c.errors for c in clients))


def _percentiles(latencies: list[float]) -> list[float | None]:
    if not latencies:
        return [None, None, None, None]
    if len(latencies) == 1:
        return [latencies[0] * 1000] * 4
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return [cuts[49] * 1000, cuts[89] * 1000, cuts[98] * 1000, latencies[-1] * 1000]


# -- wrk ---------------------------------------------------------------------------


def _wrk_run(wrk: str, host: str, port: int, path: str, headers: Mapping[str, str], body: bytes,
             concurrency: int, duration: float, body_file: Path) -> LoadResult:
    env = {**os.environ, "BENCH_BODY": str(body_file),
           "BENCH_HEADERS": json.dumps(dict(headers)).replace("\n", " ")}
    seconds = max(1, round(duration))
    command = [wrk, "-t", "1", "-c", str(concurrency), "-d", f"{seconds}s", "--timeout", "60s",
               "-s", str(WRK_SCRIPT), f"http://{host}:{port}{path}"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 120)
    line = next((row for row in done.stdout.splitlines() if row.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    data = json.loads(line[len("BENCH_JSON "):])
    elapsed = data["duration_us"] / 1e6
    errors = sum(data["errors"][kind] for kind in ("connect", "read", "write", "timeout"))
    ms = [data[key] / 1000 if data["requests"] else None for key in ("p50", "p90", "p99", "max")]
    return LoadResult("wrk", concurrency, round(elapsed, 3), data["requests"], data["requests"] / elapsed, *ms,
                      statuses={str(k): v for k, v in data["statuses"].items()}, errors=errors)


# -- entry point -------------------------------------------------------------------


class LoadGenerator:
    """Runs warm-up plus measured load with the tool chosen once per benchmark run."""

    def __init__(self, tool: str, wrk: str | None = None) -> None:
        if tool == "wrk" and not wrk:
            raise ValueError("wrk was asked for but is not installed")
        self.tool, self.wrk = tool, wrk
        self._files = tempfile.TemporaryDirectory(prefix="elg-bench-bodies-")

    def run(self, host: str, port: int, path: str, headers: Mapping[str, str], body: bytes,
            concurrency: int, duration: float, warmup: float) -> LoadResult:
        """Warm up for ``warmup`` seconds (discarded), then measure for ``duration`` seconds.

        The warm-up always uses the Python client, which can run for a fraction of a second (wrk's
        shortest run is one second).
        """
        payload = request_bytes(host, port, path, headers, body)
        if warmup > 0:
            _python_run(host, port, payload, concurrency, warmup)
        if self.tool == "wrk":
            body_file = Path(self._files.name) / f"body-{len(body)}-{hash(body) & 0xffffffff:x}"
            if not body_file.exists():
                body_file.write_bytes(body)
            return _wrk_run(self.wrk, host, port, path, headers, body, concurrency, duration, body_file)  # type: ignore[arg-type]
        return _python_run(host, port, payload, concurrency, duration)

    def close(self) -> None:
        """Remove the temporary body files."""
        self._files.cleanup()
