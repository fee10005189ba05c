"""Batched against unbatched handlers over HTTP, in one run: a GPU-like model, a scikit-learn model, poison.

The service (``apps/batching_app.py``) runs a model costing 10 ms per call plus 0.5 ms per item, one
call at a time, as ``/batched`` (``max_batch_size=128``) and ``/unbatched``; the classifier of
``examples/batched_classifier.py`` (scikit-learn, CPU-bound) as ``/sk-batched`` (``max_batch_size=32``)
and ``/sk-unbatched``; and, as ``/poisoned``, the GPU-like model raising for a whole batch that holds
the text ``poison``, so that the batch is bisected down to that request. It is served by
``python -m elg_decorators serve`` with the production defaults (one worker, 4 threads; MAX_QUEUE=256 so
that 128 clients are queued, not refused); closed-loop
clients (each sends its next request when the last is answered, on a kept-alive connection) load each
path at 8, 32 and 128 clients, the scikit-learn paths at 32. Printed: requests per second, p50 and p99
latency, the ratio of the throughputs, and the median latency of one client alone (where batching must
not add a wait). The poison run (32 clients) sends a poison request every ``10 x B`` requests, B the
mean batch size of a run without poison first (so about one in every tenth batch), and prints the share
of batches that held one, the throughput, and the share of the other requests answered (it must be 100 %).

    python benchmarks/batching.py [--seconds 4] [--clients 8,32,128] [--sklearn-clients 32] [--poison-clients 32]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
APP = HERE / "apps" / "batching_app.py"
BODY = json.dumps({"type": "text", "content": "some text to embed"}).encode()
SENTENCE = json.dumps({"type": "text", "content": "The staff were wonderful and the room was lovely"}).encode()
POISON = json.dumps({"type": "text", "content": "poison"}).encode()
BODIES = {"/sk-batched": SENTENCE, "/sk-unbatched": SENTENCE}


class Load(NamedTuple):
    rate: float  # requests answered 200 per second
    p50: float  # ms
    p99: float  # ms
    failed: int  # requests other than poison ones not answered 200
    poisoned: int  # poison requests sent


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


def load(port: int, path: str, clients: int, seconds: float, poison_every: int = 0) -> Load:
    """Throughput, p50 and p99 of ``clients`` closed-loop clients; with ``poison_every``, every such
    request (counted over all clients) is a poison one, left out of the latencies and failures."""
    body = BODIES.get(path, BODY)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    sent = [0]
    poisoned = [0]
    counting = threading.Lock()
    start_at = time.monotonic() + 0.5
    stop_at = start_at + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json"}
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            with counting:
                sent[0] += 1
                poison = bool(poison_every) and sent[0] % poison_every == 0
                poisoned[0] += poison
            began = time.monotonic()
            try:
                connection.request("POST", path, POISON if poison else body, headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if poison:
                continue
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
        return Load(0.0, 0.0, 0.0, sum(failures), poisoned[0])
    return Load(len(every) / seconds, every[len(every) // 2] * 1000,
                every[min(len(every) - 1, int(len(every) * 0.99))] * 1000, sum(failures), poisoned[0])


def batches(port: int, path: str) -> float:
    """How many batches ``path`` has run (``elg_batch_size``'s count, from /metrics)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/metrics")
    page = connection.getresponse().read().decode()
    found = re.search(rf'^elg_batch_size_count{{path="{re.escape(path)}"}} (\S+)$', page, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def row(clients: int, path: str, result: Load) -> None:
    print(f"{clients:>7} {path:>13} {result.rate:>8.0f} {result.p50:>8.1f} {result.p99:>8.1f} {result.failed:>6}",
          flush=True)


def compare(port: int, clients: int, paths: tuple[str, str], seconds: float) -> None:
    rates = {}
    for path in paths:
        result = load(port, path, clients, seconds)
        rates[path] = result.rate
        row(clients, path, result)
    ratio = rates[paths[1]] / rates[paths[0]] if rates[paths[0]] else float("nan")
    print(f"{clients:>7} {'batched/unbatched throughput':>31}: {ratio:.1f}x", flush=True)


def alone(port: int, path: str, count: int = 100) -> float:
    """Median latency (ms) of one client sending one request after another."""
    body = BODIES.get(path, BODY)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies = []
    for _ in range(count):
        began = time.monotonic()
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        connection.getresponse().read()
        latencies.append(time.monotonic() - began)
    return statistics.median(latencies) * 1000


def poison(port: int, clients: int, seconds: float) -> None:
    """The poison run: one poison request in about every tenth batch, sized by a run without poison."""
    before = batches(port, "/poisoned")
    clean = load(port, "/poisoned", clients, seconds / 2)
    mean_batch = clean.rate * seconds / 2 / max(batches(port, "/poisoned") - before, 1)
    before = batches(port, "/poisoned")
    result = load(port, "/poisoned", clients, seconds, poison_every=max(round(10 * mean_batch), 1))
    ran = batches(port, "/poisoned") - before
    row(clients, "/poisoned", result)
    others = result.rate * seconds + result.failed
    answered = 100.0 * (others - result.failed) / others if others else float("nan")
    share = 100 * result.poisoned / max(ran, 1)
    print(f"{clients:>7} {'poison':>13}: {result.poisoned} in {ran:.0f} batches ({share:.0f} %), "
          f"the other requests answered: {answered:.1f} %; without poison: {clean.rate:.0f} req/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", default="8,32,128")
    parser.add_argument("--sklearn-clients", type=int, default=32)
    parser.add_argument("--poison-clients", type=int, default=32)
    arguments = parser.parse_args()
    port = free_port()
    process = start(port)
    try:
        alone(port, "/batched", 20)  # warm up: the cost model learns the run times
        alone(port, "/sk-batched", 20)
        alone(port, "/poisoned", 20)
        print(f"{'clients':>7} {'path':>13} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>6}")
        for clients in (int(value) for value in arguments.clients.split(",")):
            compare(port, clients, ("/unbatched", "/batched"), arguments.seconds)
        compare(port, arguments.sklearn_clients, ("/sk-unbatched", "/sk-batched"), arguments.seconds)
        poison(port, arguments.poison_clients, arguments.seconds)
        for path in ("/unbatched", "/batched"):
            print(f"one client, {path}: median {alone(port, path):.1f} ms (the model alone: 10.5 ms)")
        for path in ("/sk-unbatched", "/sk-batched"):
            print(f"one client, {path}: median {alone(port, path):.1f} ms")
    finally:
        os.killpg(process.pid, 15)
        process.wait(30)


if __name__ == "__main__":
    main()
