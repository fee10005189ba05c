"""Every answer the server makes by itself is ELG JSON with the right status, in both worker classes;
each probe is followed by a valid request that must be answered."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from hardening.conftest import Server, raw_exchange

from .conftest import WORKER_CLASSES, assert_answered, assert_elg_failure, start

HEAD = "POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
VALID = b'{"type":"text","content":"hi"}'


def chunked(*chunks: bytes) -> bytes:
    return (HEAD + "Transfer-Encoding: chunked\r\n\r\n").encode() + b"".join(chunks)


PROBES = {
    "chunk size zz": (chunked(b"zz\r\n", VALID, b"\r\n0\r\n\r\n"), 400),
    "chunk size -1": (chunked(b"-1\r\n", VALID, b"\r\n0\r\n\r\n"), 400),
    "chunk without its CRLF": (chunked(b"%x\r\n" % len(VALID), VALID, b"XX0\r\n\r\n"), 400),
    "101 headers": ((HEAD + "".join(f"X-Header-{n}: {n}\r\n" for n in range(101))
                     + f"Content-Length: {len(VALID)}\r\n\r\n").encode() + VALID, 431),
    "8 KB header": ((HEAD + "X-Big: " + "a" * 8192 + f"\r\nContent-Length: {len(VALID)}\r\n\r\n").encode() + VALID,
                    431),
    "10 KB URL": (("POST /process?" + "q=1&" * 2560 + " HTTP/1.1\r\nHost: x\r\n"
                   + f"Content-Length: {len(VALID)}\r\n\r\n").encode() + VALID, 414),
    "bad Content-Length": ((HEAD + "Content-Length: 1x\r\n\r\n").encode() + VALID, 400),
    "duplicate Content-Length": ((HEAD + f"Content-Length: {len(VALID)}\r\nContent-Length: {len(VALID)}\r\n\r\n")
                                 .encode() + VALID, 400),
    "unknown method": (f"BREW /process HTTP/1.1\r\nHost: x\r\nContent-Length: {len(VALID)}\r\n\r\n".encode() + VALID,
                       501),
    "bad Expect": ((HEAD + f"Expect: 200-ok\r\nContent-Length: {len(VALID)}\r\n\r\n").encode() + VALID, 417),
}


@pytest.fixture(scope="module", params=WORKER_CLASSES)
def server(request: pytest.FixtureRequest, runtime_tmp) -> Iterator[Server]:
    started = start(runtime_tmp, f"errors-{request.param}", worker_class=request.param)
    yield started
    started.stop()


@pytest.mark.parametrize("probe", list(PROBES))
def test_server_rejections_are_elg_failures(server: Server, probe: str) -> None:
    data, status = PROBES[probe]
    response = raw_exchange(server.port, data)
    failure = assert_elg_failure(response, status, "elg.request.invalid")
    assert failure["errors"][0]["detail"]["reason"], failure
    assert response.closed
    assert_answered(server.port)


def test_a_valid_chunked_body_is_read(server: Server) -> None:
    response = raw_exchange(server.port, chunked(b"5\r\n", VALID[:5], b"\r\n", b"%x\r\n" % (len(VALID) - 5),
                                                 VALID[5:], b"\r\n0\r\n\r\n"))
    assert response.status == 200 and response.json()["response"]["features"]["length"] == 2


def test_the_server_answers_carry_the_client_request_id(server: Server) -> None:
    given = raw_exchange(server.port, b"BREW /process HTTP/1.1\r\nHost: x\r\nX-Request-ID: trace-42\r\n"
                                      b"Content-Length: 0\r\n\r\n")
    assert given.status == 501 and given.headers["x-request-id"] == "trace-42"
    made = raw_exchange(server.port, b"BREW /process HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    assert made.status == 501 and len(made.headers["x-request-id"]) >= 16
