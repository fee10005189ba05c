"""Does the service worker answer everything under ordinary but rough clients? Two probes, one run.

* ``closers``: 24 clients POST a stream (``Accept: text/event-stream``), read until its final event
  and close at once, while 4 others POST plain requests on new connections, for ``--seconds``:
  background requests slower than 1 s, unanswered requests, and worker timeouts are counted.
* ``soak``: ``--requests`` requests from 32 clients, mixed: kept-alive tiny POSTs, tiny POSTs on
  new connections, streams read to the end, streams dropped after the first event, malformed JSON:
  every request must get its expected answer.

Both run ``python -m elg_decorators serve apps/ours_app.py`` with its defaults (LOG_LEVEL=WARNING)::

    python benchmarks/worker_soak.py                       # 60 s of closers, 50,000 mixed requests
    python benchmarks/worker_soak.py --seconds 10 --requests 5000
    python benchmarks/worker_soak.py --code ../other-checkout      # the framework of another checkout
"""
from __future__ import annotations

import argparse
import itertools
import json
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from collections.abc import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import servers  # noqa: E402

OURS = str(servers.APPS_DIR / "ours_app.py")
TINY = servers.TINY_BODY
STREAM = json.dumps({"type": "text", "content": "a stream", "params": {"progress": 5}}).encode()
MALFORMED = b'{"type": "text", "content": "The quick brown'


def _send(port: int, body: bytes, extra: bytes = b"", sock: socket.socket | None = None) -> socket.socket:
    sock = sock or socket.create_connection((servers.HOST, port), timeout=30)
    sock.sendall(b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%s"
                 b"Content-Length: %d\r\n\r\n%s" % (extra, len(body), body))
    return sock


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _read_one(sock: socket.socket) -> bytes:
    """One response with Content-Length off a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before an answer")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the middle of an answer")
        body += chunk
    return head + b"\r\n\r\n" + body


def closers(port: int, seconds: float) -> dict[str, object]:
    until = time.monotonic() + seconds
    counts: Counter[str] = Counter()
    slow: list[float] = []
    lock = threading.Lock()

    def closer() -> None:
        while time.monotonic() < until:
            try:
                with _send(port, STREAM, b"Accept: text/event-stream\r\n") as sock:
                    received = b""
                    while b'"response"' not in received:
                        chunk = sock.recv(65536)
                        if not chunk:
                            raise ConnectionError("closed early")
                        received += chunk
                outcome = "stream"
            except OSError:
                outcome = "unanswered"
            with lock:
                counts[outcome] += 1

    def background() -> None:
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                with _send(port, TINY, b"Connection: close\r\n") as sock:
                    ok = _read_all(sock).startswith(b"HTTP/1.1 200")
                outcome = "background" if ok else "unanswered"
            except OSError:
                outcome = "unanswered"
            took = time.monotonic() - started
            with lock:
                counts[outcome] += 1
                if took > 1.0:
                    slow.append(round(took, 2))

    threads = [threading.Thread(target=closer) for _ in range(24)] + [threading.Thread(target=background)
                                                                      for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"streams": counts["stream"], "background": counts["background"], "unanswered": counts["unanswered"],
            "background_over_1s": len(slow), "slowest_s": max(slow, default=0.0)}


def soak(port: int, total: int, clients: int = 32) -> dict[str, object]:
    tickets = itertools.count()
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def kept_alive(state: dict[str, socket.socket]) -> bool:
        sock = state.get("sock")
        if sock is None:
            sock = state["sock"] = socket.create_connection((servers.HOST, port), timeout=30)
        answer = _read_one(_send(port, TINY, sock=sock))
        if b"Connection: close" in answer.split(b"\r\n\r\n")[0]:
            state.pop("sock").close()
        return answer.startswith(b"HTTP/1.1 200")

    def new_connection(state: dict[str, socket.socket]) -> bool:
        with _send(port, TINY, b"Connection: close\r\n") as sock:
            return _read_all(sock).startswith(b"HTTP/1.1 200")

    def whole_stream(state: dict[str, socket.socket]) -> bool:
        with _send(port, STREAM, b"Accept: text/event-stream\r\nConnection: close\r\n") as sock:
            return _read_all(sock).count(b"data:") == 6

    def dropped_stream(state: dict[str, socket.socket]) -> bool:
        with _send(port, STREAM, b"Accept: text/event-stream\r\n") as sock:
            return b"data:" in sock.recv(65536) or b"data:" in sock.recv(65536)

    def malformed(state: dict[str, socket.socket]) -> bool:
        with _send(port, MALFORMED, b"Connection: close\r\n") as sock:
            return _read_all(sock).startswith(b"HTTP/1.1 400")

    kinds: list[Callable[[dict[str, socket.socket]], bool]] = [
        kept_alive, kept_alive, kept_alive, new_connection, whole_stream, dropped_stream, malformed]

    def client() -> None:
        state: dict[str, socket.socket] = {}
        while (ticket := next(tickets)) < total:
            kind = kinds[ticket % len(kinds)]
            try:
                outcome = kind.__name__ if kind(state) else f"{kind.__name__}: wrong answer"
            except OSError as error:
                state.pop("sock", None)
                outcome = f"{kind.__name__}: unanswered ({type(error).__name__})"
            with lock:
                counts[outcome] += 1
        if "sock" in state:
            state["sock"].close()

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = {name: count for name, count in counts.items() if ":" in name}
    return {"requests": sum(counts.values()), "seconds": round(time.monotonic() - started, 1),
            "failed": failed, "by_kind": dict(counts)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the closers probe")
    parser.add_argument("--requests", type=int, default=50_000, help="requests of the mixed soak")
    parser.add_argument("--code", type=Path, help="import elg_decorators from this checkout instead")
    args = parser.parse_args()
    servers.install_cleanup()
    log_dir = servers.new_log_dir()
    port = servers.free_port()
    log_path = log_dir / "serve.log"
    env = {**servers.server_env(), "LOG_LEVEL": "WARNING"}
    if args.code is not None:
        env["PYTHONPATH"] = f"{args.code.resolve()}:{env['PYTHONPATH']}"
    command = [sys.executable, "-m", "elg_decorators", "serve", OURS, "--host", servers.HOST, "--port", str(port),
               "--timeout", "10"]
    process = servers.spawn(command, log_path, env=env)
    try:
        servers.wait_until_ready(process, port, log_path)
        print("closers:", json.dumps(closers(port, args.seconds)))
        print("soak:   ", json.dumps(soak(port, args.requests)))
    finally:
        servers.stop(process)
    log = log_path.read_text(errors="replace")
    print("worker timeouts:", log.count("WORKER TIMEOUT"), " tracebacks:", log.count("Traceback"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
