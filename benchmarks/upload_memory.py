"""Worker memory while large audio uploads arrive: the service worker and the sync worker side by side.

The decorated audio handler of ``apps/ours_app.py`` (it takes ``content: bytes`` and answers its
size) is served with ``python -m elg_decorators serve`` once per worker class, body shape and
number of uploads, each time by a fresh worker (glibc raises its mmap threshold after a large
free, so a worker that already saw a large body no longer shows what one costs). For each run
it prints the worker's RSS growth in MB and as a multiple of one payload:

* **peak**: the high-water mark during the uploads (``VmHWM``, reset first) above the RSS before;
* **after**: what the worker still holds once every answer arrived.

Body shapes: ``multipart`` (a JSON ``request`` part and an ``audio/x-wav`` ``content`` part, as
the ELG platform sends audio) and ``bare`` (the WAV as the whole body, ``Content-Type: audio/x-wav``).
The handler keeps its ``bytes`` (1x) while it runs; whatever is above that is the server's.
With ``--concurrent N`` uploads at once, only the requests in handlers should cost memory: at
most the handler threads' share (threads x payload), the sync worker one payload.

    python benchmarks/upload_memory.py [--mb 20] [--concurrent 16] [--threads 4]

Linux only (``/proc``). Run it from the checkout to measure (its folder goes first on ``PYTHONPATH``).
"""
from __future__ import annotations

import argparse
import random
import socket
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import http1  # noqa: E402
import rss  # noqa: E402
import servers  # noqa: E402

APP = HERE / "apps" / "ours_app.py"
REPO = HERE.parent
MB = 1024 * 1024
BOUNDARY = "elguploadmemory5b1e0c7a"
WORKER_CLASSES = {"service": "default", "sync": "sync"}
#: How long to let the worker settle after the last answer before reading what it still holds.
SETTLE = 0.5


def wav(size: int) -> bytes:
    """A WAV-looking payload of ``size`` bytes (random, so nothing compresses or dedupes it)."""
    return b"RIFF" + (size - 8).to_bytes(4, "little") + b"WAVEfmt " + random.Random(7).randbytes(size - 16)


def bodies(size: int) -> dict[str, tuple[str, list[bytes]]]:
    """Each body shape: its Content-Type and its pieces (sent one after another, never joined)."""
    audio = wav(size)
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"request\"\r\n"
            "Content-Type: application/json\r\n\r\n" '{"type":"audio","format":"LINEAR16"}\r\n'
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"a.wav\"\r\n"
            "Content-Type: audio/x-wav\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return {
        "multipart": (f"multipart/form-data; boundary={BOUNDARY}", [head, audio, tail]),
        "bare": ("audio/x-wav", [audio]),
    }


def upload(port: int, content_type: str, pieces: list[bytes], results: list[int]) -> None:
    """POST the body made of ``pieces`` on a new connection; append the status to ``results``."""
    length = sum(len(piece) for piece in pieces)
    head = (f"POST /process HTTP/1.1\r\nHost: {servers.HOST}:{port}\r\nConnection: close\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n").encode()
    with socket.create_connection((servers.HOST, port), timeout=120) as sock:
        for piece in (head, *pieces):
            sock.sendall(piece)
        with sock.makefile("rb") as stream:
            answer = http1.read_answer(stream)
    if answer.status != 200 or b'"bytes":%d' % (length if len(pieces) == 1 else len(pieces[1])) not in answer.body:
        print(f"  unexpected answer {answer.status}: {answer.body[:200]!r}", file=sys.stderr)
    results.append(answer.status)


def measure(worker_class: str, content_type: str, pieces: list[bytes], concurrent: int, threads: int,
            log_dir: Path, name: str) -> tuple[int, int]:
    """Peak and remaining RSS growth (bytes) of a fresh worker receiving ``concurrent`` uploads at once."""
    port = servers.free_port()
    env = servers.server_env()
    env.update(PYTHONPATH=f"{REPO}:{HERE / 'apps'}", READ_TIMEOUT="60", MAX_REQUEST_SIZE=str(256 * MB))
    command = [sys.executable, "-m", "elg_decorators", "serve", str(APP), "--host", servers.HOST, "--port", str(port),
               "--workers", "1", "--log-level", "WARNING", "--timeout", "120"]
    command += ["--worker-class", "sync"] if worker_class == "sync" else ["--threads", str(threads)]
    log_path = log_dir / f"{name}.log"
    process = servers.spawn(command, log_path, env=env)
    try:
        servers.wait_until_ready(process, port, log_path)
        worker = rss.children(process.pid)[0]
        for _ in range(3):  # warm: the first requests import and cache what every request needs
            servers.tiny_ok(port)
        time.sleep(SETTLE)
        with rss.PeakMonitor([worker]) as monitor:
            results: list[int] = []
            clients = [threading.Thread(target=upload, args=(port, content_type, pieces, results))
                       for _ in range(concurrent)]
            for client in clients:
                client.start()
            for client in clients:
                client.join()
        time.sleep(SETTLE)
        after = rss.memory(worker).get("VmRSS", 0) - monitor.sample.baseline[worker]
        if results.count(200) != concurrent:
            print(f"  {name}: statuses {sorted(results)}; see {log_path}", file=sys.stderr)
        return monitor.sample.growth_bytes, after
    finally:
        servers.stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=20, help="size of the audio in MB")
    parser.add_argument("--concurrent", type=int, default=16, help="uploads at once in the second run")
    parser.add_argument("--threads", type=int, default=4, help="handler threads of the service worker")
    args = parser.parse_args()
    servers.install_cleanup()
    log_dir = servers.new_log_dir()
    size = args.mb * MB
    rows = []
    for shape, (content_type, pieces) in bodies(size).items():
        for concurrent in (1, args.concurrent):
            cells = []
            for label, worker_class in WORKER_CLASSES.items():
                cells.append(measure(worker_class, content_type, pieces, concurrent, args.threads, log_dir,
                                     f"{label}-{shape}-{concurrent}"))
            rows.append((shape, concurrent, cells))
    print(f"{args.mb} MB audio uploads to a fresh worker: RSS growth in MB (x one payload); "
          f"service worker with {args.threads} threads")
    print(f"{'body':<10}{'uploads':>8}   {'service peak':>16}{'after':>16}   {'sync peak':>16}{'after':>16}")
    for shape, concurrent, cells in rows:
        shown = "".join(f"{peak / MB:>9.0f} ({peak / size:4.2f}x){after / MB:>9.0f} ({after / size:4.2f}x)   "
                        for peak, after in cells)
        print(f"{shape:<10}{concurrent:>8}   {shown}")
    print(f"handler share of {args.concurrent} at once: service worker {args.threads} x {args.mb} MB "
          f"({min(args.threads, args.concurrent)}.00x), sync worker 1 x {args.mb} MB (1.00x)")
    print(f"server logs in {log_dir}")


if __name__ == "__main__":
    main()
