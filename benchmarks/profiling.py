"""In-process timing and cProfile of one app on one scenario, without any server or socket.

Each request is a prepared WSGI environ handed straight to the app (the
environ is built outside the timed region), so the numbers are the app's own
cost per request. Runs in either interpreter::

    python benchmarks/profiling.py --app ours --scenario tiny --n 3000 --profile
    benchmarks/.venv-ref/bin/python benchmarks/profiling.py --app ref --scenario tiny
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable

HERE = Path(__file__).resolve().parent
APPS_DIR = HERE / "apps"
sys.path[:0] = [str(HERE), str(APPS_DIR)]

import scenarios  # noqa: E402

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def load_app(name: str) -> WSGIApp:
    """The WSGI callable of app ``name``, loaded as its server would load it."""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("LOGURU_LEVEL", "WARNING")
    if name == "ours":
        from elg_decorators import wsgi

        return wsgi.load_app(str(APPS_DIR / "ours_app.py"))
    module = __import__(f"{name}_app")
    return module.app  # type: ignore[no-any-return]


def _environ(scenario: scenarios.Scenario) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/process", "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": scenario.content_type, "CONTENT_LENGTH": str(len(scenario.body)),
        "HTTP_ACCEPT": scenario.accept, "wsgi.input": io.BytesIO(scenario.body), "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }


def _call(app: WSGIApp, environ: dict[str, Any]) -> str:
    status: list[str] = []
    result = app(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        for _ in result:
            pass
    finally:
        if hasattr(result, "close"):
            result.close()
    return status[0] if status else "?"


def _run(app: WSGIApp, environs: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for environ in environs:
        _call(app, environ)
    return time.perf_counter() - started


_REPOSITORY = str(Path(__file__).resolve().parent.parent) + "/"


def _name(key: tuple[str, int, str]) -> str:
    path, line, func = key
    for marker in ("site-packages/", _REPOSITORY):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{func} ({path}:{line})" if line else func


def _top(stats: pstats.Stats, index: int, limit: int) -> list[dict[str, Any]]:
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(value[2] for value in raw.values()) or 1e-9
    rows = sorted(raw.items(), key=lambda item: item[1][index], reverse=True)
    skip = ("_run", "_call", "<module>")
    chosen = [(key, value) for key, value in rows if key[2] not in skip and "profiling.py" not in key[0]][:limit]
    return [{"function": _name(key), "calls": value[1], "self_pct": round(100 * value[2] / total, 1),
             "cum_pct": round(100 * value[3] / total, 1)} for key, value in chosen]


def measure(app_name: str, scenario_name: str, n: int, profile: bool, top: int = 15) -> dict[str, Any]:
    """Microseconds per request of ``app_name`` on ``scenario_name`` and, with ``profile``, its hot spots."""
    scenario = scenarios.build([scenario_name])[0]
    app = load_app(app_name)
    warm = [_environ(scenario) for _ in range(max(1, n // 10))]
    status = _call(app, _environ(scenario))
    _run(app, warm)
    environs = [_environ(scenario) for _ in range(n)]
    elapsed = _run(app, environs)
    result: dict[str, Any] = {"app": app_name, "scenario": scenario_name, "n": n, "status": status,
                              "us_per_request": round(1e6 * elapsed / n, 1)}
    if profile:
        environs = [_environ(scenario) for _ in range(n)]
        profiler = cProfile.Profile()
        profiler.runcall(_run, app, environs)
        stats = pstats.Stats(profiler)
        result["top_self"] = _top(stats, 2, top)
        result["top_cumulative"] = _top(stats, 3, top + 10)
    return result


def main() -> None:
    """Command line: print the measurement as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", required=True, choices=("ours", "ref", "flask", "raw"))
    parser.add_argument("--scenario", required=True, choices=scenarios.ALL)
    parser.add_argument("--n", type=int, default=1000, help="requests to time")
    parser.add_argument("--profile", action="store_true", help="also run under cProfile and list hot spots")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    print(json.dumps(measure(args.app, args.scenario, args.n, args.profile, args.top)))


if __name__ == "__main__":
    main()
