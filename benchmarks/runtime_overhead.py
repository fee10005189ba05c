"""What the runtime adds to each request, measured in-process on the tiny-text request.

The same decorated service (``apps/ours_app.py``) answers the same tiny text request through two
entry points, alternately, in one process:

* ``full``: the application's WSGI entry point, as a server calls it: request id, outcome reported
  to the request log and the metrics, ``X-Request-ID`` sent back;
* ``bare``: the application beneath it (``app.wsgi_app``), i.e. the request without the runtime.

It prints microseconds per request for each and the ratio, with the log at WARNING (the benchmarks'
level), at INFO (one line per request, written to /dev/null), and with prometheus-client in
multiprocess mode (what ``serve`` runs). No server and no network: the difference is the runtime's
own cost, which a load test over HTTP would drown in noise on a busy machine.

    python benchmarks/runtime_overhead.py [--requests 200] [--rounds 300]
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable

HERE = Path(__file__).resolve().parent
BODY = json.dumps({"type": "text", "content": "The quick brown fox jumps over the lazy dog."}).encode()


def environ() -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/process", "QUERY_STRING": "", "SERVER_NAME": "localhost",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(BODY)), "wsgi.input": io.BytesIO(BODY), "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }


def per_request(call: Callable[[dict[str, Any], Callable[..., Any]], Any], requests: int) -> float:
    """Microseconds per request through ``call``."""
    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> None:
        assert status.startswith("200"), status

    started = time.perf_counter()
    for _ in range(requests):
        body = call(environ(), start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return (time.perf_counter() - started) / requests * 1e6


def measure(requests: int, rounds: int) -> dict[str, float]:
    """Run in a child process: the median of many short alternating batches of each entry point.

    Short batches taken in turn see the same load from the rest of the machine, and the median
    ignores the batches a burst of it hit.
    """
    sys.path.insert(0, str(HERE / "apps"))
    from elg_decorators.discovery import load_service
    from elg_decorators.runtime.service_runtime import runtime_of

    app = load_service(str(HERE / "apps" / "ours_app.py")).app()
    runtime = runtime_of(app)
    assert runtime is not None and runtime.wait(30)
    per_request(app, 500)  # warm-up of both paths
    per_request(app.wsgi_app, 500)
    full, bare = [], []
    for _ in range(rounds):
        full.append(per_request(app, requests))
        bare.append(per_request(app.wsgi_app, requests))
    return {"full": statistics.median(full), "bare": statistics.median(bare)}


def child(mode: str, requests: int, rounds: int) -> dict[str, float]:
    env = {key: value for key, value in os.environ.items() if key not in ("PROMETHEUS_MULTIPROC_DIR", "LOG_FORMAT")}
    env["LOG_LEVEL"] = "INFO" if mode == "info" else "WARNING"
    with tempfile.TemporaryDirectory(prefix="elg-bench-metrics-") as metrics_dir:
        if mode == "multiprocess":
            env["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        with open(os.devnull, "w") as devnull:
            output = subprocess.run(
                [sys.executable, __file__, "--child", "--requests", str(requests), "--rounds", str(rounds)],
                env=env, stdout=subprocess.PIPE, stderr=devnull, check=True, text=True,
            ).stdout
    return json.loads(output.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=300, help="alternating batches of each entry point")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        logging.getLogger("elg_decorators").handlers.clear()
        print(json.dumps(measure(args.requests, args.rounds)))
        return
    print(f"tiny text request in-process, median of {args.rounds} alternating batches of {args.requests} requests")
    print(f"{'mode':<14}{'bare us':>10}{'full us':>10}{'added us':>10}{'full/bare':>11}")
    for mode, title in (("warning", "LOG WARNING"), ("info", "LOG INFO"), ("multiprocess", "multiprocess")):
        result = child(mode, args.requests, args.rounds)
        added = result["full"] - result["bare"]
        print(f"{title:<14}{result['bare']:>10.1f}{result['full']:>10.1f}{added:>10.1f}"
              f"{result['full'] / result['bare']:>10.3f}x")


if __name__ == "__main__":
    main()
