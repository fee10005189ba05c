"""MAX_BODY_BUFFER under many slow uploads: the worker's memory stays within the budget plus its
baseline, and every client gets an answer (its 200, or a 503 with Retry-After at once)."""
from __future__ import annotations

import json
import threading
import time

from hardening.conftest import rss_kib

from .conftest import assert_answered, connect

CLIENTS = 60
BODY_BYTES = 4 * 1024 * 1024
PIECE = 64 * 1024
BUDGET_MIB = 16


def _upload(port: int, answers: list[bytes], lock: threading.Lock) -> None:
    """Announce a 4 MB text request and trickle it; keep what the server answers."""
    content = "x" * (BODY_BYTES - 40)
    body = json.dumps({"type": "text", "content": content}).encode()
    head = (b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    received = b""
    with connect(port) as sock:
        try:
            sock.sendall(head)
            for start in range(0, len(body), PIECE):
                sock.sendall(body[start:start + PIECE])
                time.sleep(0.02)
        except OSError:
            pass  # refused while sending: the answer is already on its way
        sock.settimeout(30)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, OSError):
            pass
    with lock:
        answers.append(received)


def test_slow_uploads_past_the_body_buffer_are_refused_and_memory_stays_within_it(server_factory) -> None:
    """60 clients trickle 4 MB bodies at once with MAX_BODY_BUFFER=16: those that fit are read (each
    counts its first MiB: the rest waits in a temporary file) and answered 200, the others get a
    503 with Retry-After; the worker grows by about the budget, not by 60 x 4 MB."""
    server = server_factory("budget", env={"MAX_BODY_BUFFER": str(BUDGET_MIB), "READ_TIMEOUT": "30"})
    (worker,) = server.wait_for_workers(1)
    assert_answered(server.port)
    baseline = rss_kib(worker)
    answers: list[bytes] = []
    lock = threading.Lock()
    peak = baseline
    clients = [threading.Thread(target=_upload, args=(server.port, answers, lock)) for _ in range(CLIENTS)]
    for thread in clients:
        thread.start()
    while any(thread.is_alive() for thread in clients):
        peak = max(peak, rss_kib(worker))
        time.sleep(0.05)
    statuses = sorted(answer[:12].decode("latin-1") for answer in answers)
    assert len(answers) == CLIENTS and all(status in ("HTTP/1.1 200", "HTTP/1.1 503") for status in statuses), statuses
    refused = [answer for answer in answers if answer.startswith(b"HTTP/1.1 503")]
    assert refused and all(b"Retry-After: 1" in answer for answer in refused)
    assert statuses.count("HTTP/1.1 200") >= BUDGET_MIB // 2, statuses
    # Generous margin over the budget for the handlers' own copies of the bodies they read (4 threads).
    assert (peak - baseline) / 1024 < BUDGET_MIB + 4 * 2 * BODY_BYTES / 2**20 + 16, (baseline, peak)
    assert_answered(server.port)
