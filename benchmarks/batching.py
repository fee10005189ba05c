"""Batched against unbatched handlers of a GPU-like model, over HTTP, in one run.

The service (``apps/batching_app.py``) runs a model costing 10 ms per call plus 0.5 ms per item, one
call at a time, as ``/batched`` (``max_batch_size=128``) and ``/unbatched``. It is served by
``python -m elg_decorators serve`` with the production defaults (one worker, 4 threads; MAX_QUEUE=256 so
that 128 clients are queued, not refused); closed-loop
clients (each sends its next request when the last is answered, on a kept-alive connection) load each
path at 8, 32 and 128 clients. Printed: requests per second, p50 and p99 latency, the ratio of the
throughputs, and the median latency of one client alone (where batching must not add a wait).

    python benchmarks/batching.py [--seconds 4] [--clients 8,32,128]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
APP = HERE / "apps" / "batching_app.py"
BODY = json.dumps({"type": "text", "content": "some text to embed"}).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(port: int) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if key not in ("THREADS", "WORKERS", "MAX_QUEUE")}
    env["PYTHONPATH"] = str(REPO)
    env["MAX_QUEUE"] = "256"  # 128 clients: none refused, so both paths see the whole load
    process = subprocess.Popen([sys.executable, "-m", "elg_decorators", "serve", str(APP), "--host", "127.0.0.1",
                                "--port", str(port), "--log-level", "WARNING"], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/ready")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the service did not start")


def load(port: int, path: str, clients: int, seconds: float) -> tuple[float, float, float, int]:
    """Requests per second, p50 and p99 in ms, and failures, of ``clients`` closed-loop clients."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    start_at = time.monotonic() + 0.5
    stop_at = start_at + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json"}
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            began = time.monotonic()
            try:
                connection.request("POST", path, BODY, headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if ok:
                latencies[index].append(time.monotonic() - began)
            else:
                failures[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = sorted(latency for per_client in latencies for latency in per_client)
    if not every:
        return 0.0, 0.0, 0.0, sum(failures)
    return (len(every) / seconds, every[len(every) // 2] * 1000, every[min(len(every) - 1, int(len(every) * 0.99))]
            * 1000, sum(failures))


def alone(port: int, path: str, count: int = 100) -> float:
    """Median latency (ms) of one client sending one request after another."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies = []
    for _ in range(count):
        began = time.monotonic()
        connection.request("POST", path, BODY, {"Content-Type": "application/json"})
        connection.getresponse().read()
        latencies.append(time.monotonic() - began)
    return statistics.median(latencies) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", default="8,32,128")
    arguments = parser.parse_args()
    port = free_port()
    process = start(port)
    try:
        alone(port, "/batched", 20)  # warm up: the cost model learns the run times
        print(f"{'clients':>7} {'path':>10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>6}")
        for clients in (int(value) for value in arguments.clients.split(",")):
            rates = {}
            for path in ("/unbatched", "/batched"):
                rate, p50, p99, failed = load(port, path, clients, arguments.seconds)
                rates[path] = rate
                print(f"{clients:>7} {path:>10} {rate:>8.0f} {p50:>8.1f} {p99:>8.1f} {failed:>6}", flush=True)
            ratio = rates["/batched"] / rates["/unbatched"] if rates["/unbatched"] else float("nan")
            print(f"{clients:>7} {'batched/unbatched throughput':>28}: {ratio:.1f}x", flush=True)
        for path in ("/unbatched", "/batched"):
            print(f"one client, {path}: median {alone(port, path):.1f} ms (the model alone: 10.5 ms)")
    finally:
        os.killpg(process.pid, 15)
        process.wait(30)


if __name__ == "__main__":
    main()
