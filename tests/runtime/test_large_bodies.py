"""Large bodies in both worker classes: spooled to a temporary file as they arrive, handed to the
handler whole, and costing the worker about one copy (the handler's ``bytes``) in memory.

Memory is the worker's resident size from ``/proc/<worker>/status``: its high-water mark
``VmHWM``, reset before the uploads by writing 5 to ``/proc/<worker>/clear_refs``, above its
``VmRSS`` before them. Every bound leaves a margin of half a payload or more over what the
worker was measured to need; before bodies were spooled, one upload cost the service worker 2.1
payloads, and 16 at once 20 (every body whole in memory) against 5 now.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import socket
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from elg_decorators.worker.bodies import SPOOL_THRESHOLD
from hardening.conftest import Server, free_port, serve_command, start_server

from .app_servers import wait_for
from .conftest import WORKER_CLASSES, connect

SERVICE = Path(__file__).resolve().parent / "services" / "upload_service.py"
MB = 1024 * 1024
PAYLOAD = 20 * MB
BOUNDARY = "largebodyboundary42"


@pytest.fixture
def upload_server(runtime_tmp: Path) -> Callable[..., Server]:
    started: list[Server] = []

    def factory(name: str, worker_class: str, *args: str, env: Mapping[str, str] | None = None) -> Server:
        port = free_port()
        extra = list(args) + (["--worker-class", worker_class] if worker_class != "default" else [])
        server = start_server(name, serve_command(SERVICE, port, *extra), port, runtime_tmp,
                              env={"READ_TIMEOUT": "30", **(env or {})},
                              drop_env=["MAX_REQUEST_SIZE", "REQUEST_TIMEOUT", "THREADS", "WORKERS", "MAX_QUEUE",
                                        "READ_TIMEOUT", "MAX_REQUESTS", "MAX_WORKER_MEMORY", "TIMEOUT"])
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


def wav(size: int, seed: int = 7) -> bytes:
    return b"RIFF" + (size - 8).to_bytes(4, "little") + b"WAVEfmt " + random.Random(seed).randbytes(size - 16)


def head(content_type: str, *, length: int | None = None) -> bytes:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (f"POST /process HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {content_type}\r\n"
            f"{framing}\r\n\r\n").encode()


def as_chunks(data: bytes, step: int = 64 * 1024) -> list[bytes]:
    return [b"%x\r\n%s\r\n" % (len(data[i:i + step]), data[i:i + step]) for i in range(0, len(data), step)]


def multipart(audio: bytes) -> tuple[str, list[bytes]]:
    """An ELG multipart audio request: its Content-Type and its pieces (the audio is not copied)."""
    start = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"request\"\r\n"
             "Content-Type: application/json\r\n\r\n" '{"type":"audio","format":"LINEAR16"}\r\n'
             f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"a.wav\"\r\n"
             "Content-Type: audio/x-wav\r\n\r\n").encode()
    return f"multipart/form-data; boundary={BOUNDARY}", [start, audio, f"\r\n--{BOUNDARY}--\r\n".encode()]


def read_answer(sock: socket.socket) -> tuple[int, dict[str, Any]]:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head_bytes, _, body = data.partition(b"\r\n\r\n")
    return int(head_bytes.split(b" ", 2)[1]), json.loads(body)


def upload(port: int, content_type: str, pieces: list[bytes]) -> tuple[int, dict[str, Any]]:
    with connect(port, timeout=120) as sock:
        sock.sendall(head(content_type, length=sum(len(piece) for piece in pieces)))
        for piece in pieces:
            sock.sendall(piece)
        return read_answer(sock)


def assert_received(answer: tuple[int, dict[str, Any]], audio: bytes) -> None:
    status, message = answer
    assert status == 200, message
    features = message["response"]["features"]
    assert features["bytes"] == len(audio)
    assert features["sha256"] == hashlib.sha256(audio).hexdigest()


def deleted_files(pid: int) -> int:
    """How many files without a name ``pid`` holds open (an unnamed temporary file is one)."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(f"/proc/{pid}/fd/{fd}").endswith(" (deleted)")
        except OSError:
            pass
    return count


def memory(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} for pid {pid}")


def reset_peak(pid: int) -> None:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError as error:
        pytest.skip(f"the peak resident size cannot be reset here: {error}")


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_a_large_body_is_in_a_temporary_file_while_it_arrives_and_reaches_the_handler_whole(
        upload_server, worker_class: str, framing: str) -> None:
    server = upload_server(f"spool-{worker_class}-{framing}", worker_class)
    worker = server.wait_for_workers(1)[0]
    idle = deleted_files(worker)
    audio = wav(3 * SPOOL_THRESHOLD + 12345)
    cut = 2 * SPOOL_THRESHOLD
    if framing == "chunked":
        first, rest = as_chunks(audio[:cut]), as_chunks(audio[cut:]) + [b"0\r\n\r\n"]
        request_head = head("audio/x-wav")
    else:
        first, rest = [audio[:cut]], [audio[cut:]]
        request_head = head("audio/x-wav", length=len(audio))
    with connect(server.port) as sock:
        sock.sendall(request_head + b"".join(first))
        wait_for(lambda: deleted_files(worker) == idle + 1, "the body's temporary file", timeout=20)
        sock.sendall(b"".join(rest))
        assert_received(read_answer(sock), audio)
    wait_for(lambda: deleted_files(worker) == idle, "the temporary file to be closed", timeout=20)


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_one_large_upload_costs_the_worker_about_one_copy(upload_server, worker_class: str) -> None:
    server = upload_server(f"one-upload-{worker_class}", worker_class)
    worker = server.wait_for_workers(1)[0]
    small = wav(64 * 1024, seed=1)
    assert_received(upload(server.port, *multipart(small)), small)  # everything a request needs is loaded
    audio = wav(PAYLOAD)
    content_type, pieces = multipart(audio)
    reset_peak(worker)
    before = memory(worker, "VmRSS")
    assert_received(upload(server.port, content_type, pieces), audio)
    growth = memory(worker, "VmHWM") - before
    assert growth < 1.5 * PAYLOAD, f"{growth / MB:.1f} MB for a {PAYLOAD / MB:.0f} MB upload"


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_sixteen_uploads_at_once_cost_about_the_handler_threads_share(upload_server, worker_class: str) -> None:
    threads = 1 if worker_class == "sync" else 4
    args = () if worker_class == "sync" else ("--threads", str(threads))
    server = upload_server(f"sixteen-{worker_class}", worker_class, *args)
    worker = server.wait_for_workers(1)[0]
    small = wav(64 * 1024, seed=1)
    assert_received(upload(server.port, "audio/x-wav", [small]), small)
    audio = wav(PAYLOAD)
    reset_peak(worker)
    before = memory(worker, "VmRSS")
    answers: list[tuple[int, dict[str, Any]]] = []
    clients = [threading.Thread(target=lambda: answers.append(upload(server.port, "audio/x-wav", [audio])))
               for _ in range(16)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    assert len(answers) == 16
    for answer in answers:
        assert_received(answer, audio)
    growth = memory(worker, "VmHWM") - before
    # Twice the handler threads' share: glibc may keep a freed payload in the heap of each thread that
    # allocated one (the service worker measures about 4 payloads with 4 threads, 5 at most).
    bound = (2 * threads + 0.5) * PAYLOAD
    assert growth < bound, f"{growth / MB:.1f} MB for 16 x {PAYLOAD / MB:.0f} MB, {threads} threads"


def test_the_sync_worker_gives_back_the_memory_of_a_large_upload(upload_server) -> None:
    server = upload_server("give-back-sync", "sync")
    worker = server.wait_for_workers(1)[0]
    small = wav(64 * 1024, seed=1)
    assert_received(upload(server.port, "audio/x-wav", [small]), small)
    before = memory(worker, "VmRSS")
    audio = wav(PAYLOAD)
    # Left to itself, glibc raises its mmap threshold after the first large block freed, and keeps
    # the next ones in its heap once they are freed: the worker would look as if it leaked.
    for _ in range(3):
        assert_received(upload(server.port, "audio/x-wav", [audio]), audio)
    wait_for(lambda: memory(worker, "VmRSS") - before < PAYLOAD / 2,
             f"the worker's memory to come back near {before / MB:.0f} MB (now {memory(worker, 'VmRSS') / MB:.0f})",
             timeout=10)
    assert worker in server.workers()
