"""Cold start: from process start to the first successful response.

One untimed start per way first, so that every app starts with its bytecode
caches written and its files in the page cache (a deployed service's state).

Ours is started the way its users start it (``python -m elg_decorators serve
app.py``) and, for comparison, under plain gunicorn too; the others with
``gunicorn module:app``. All with config 1 (one sync worker).
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import servers
from servers import App


def _once(command: list[str], log_path: Path) -> float:
    port = servers.free_port()
    filled = [part.replace("{port}", str(port)) for part in command]
    started = time.perf_counter()
    process = servers.spawn(filled, log_path)
    try:
        servers.wait_until_ready(process, port, log_path, timeout=60.0, interval=0.005)
        return time.perf_counter() - started
    finally:
        servers.stop(process)


def measure(apps: list[App], repeats: int, log_dir: Path) -> dict[str, dict[str, object]]:
    """Median (and all) cold-start seconds per way of starting each app."""
    ways: dict[str, list[str]] = {}
    for app in apps:
        if app.user_command:
            ways[f"{app.name} (serve CLI)"] = list(app.user_command)
            ways[f"{app.name} (gunicorn)"] = servers.gunicorn_command(app, "sync1", 0)
        else:
            ways[app.name] = servers.gunicorn_command(app, "sync1", 0)
    results: dict[str, dict[str, object]] = {}
    for name, command in ways.items():
        command = [part.replace(f"{servers.HOST}:0", f"{servers.HOST}:{{port}}") for part in command]
        _once(command, log_dir / f"cold-{name.split()[0]}-untimed.log")  # page cache and .pyc files in place
        times: list[float] = []
        for attempt in range(repeats):
            times.append(_once(command, log_dir / f"cold-{name.split()[0]}-{attempt}.log"))
        results[name] = {"median_s": statistics.median(times), "all_s": [round(t, 3) for t in times],
                         "command": " ".join(command)}
    return results
