"""Both worker classes accept and refuse the same chunked bodies and heads, and answer each at once.

A proxy in front that reads a request's framing differently from the server is where request
smuggling starts, so both workers must draw the same lines: gunicorn's rules for heads, chunk
sizes, extensions and trailers, stricter where a line never ends (a bare LF is refused as it
arrives) and where gunicorn would hand the application a body still encoded. The read timeout
is 30 s here, so a refusal that arrives at all (within the client's 10 s) was not the timeout.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from hardening.conftest import ConnectionClosed, Server, raw_exchange

from .conftest import WORKER_CLASSES, assert_answered, assert_elg_failure, start

VALID = b'{"type":"text","content":"hi"}'
SIZE = b"%x" % len(VALID)  # 1e
HEAD = b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
CHUNKED = HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
#: A whole valid request with a Content-Length body.
PLAIN = HEAD + b"Content-Length: %d\r\n\r\n%s" % (len(VALID), VALID)


def chunked(size_line: bytes = SIZE + b"\r\n", *, after: bytes = b"\r\n", last: bytes = b"0\r\n\r\n") -> bytes:
    """A chunked request: one chunk of ``VALID`` under ``size_line``, ``after`` it, then ``last``."""
    return CHUNKED + size_line + VALID + after + last


def encoded_as(transfer_encoding: bytes, *, version: bytes = b"1.1", extra: bytes = b"") -> bytes:
    """A well-formed chunked body under another Transfer-Encoding header (and HTTP version)."""
    head = HEAD.replace(b"HTTP/1.1", b"HTTP/" + version)
    return head + extra + b"Transfer-Encoding: " + transfer_encoding + b"\r\n\r\n" + SIZE + b"\r\n" + VALID \
        + b"\r\n0\r\n\r\n"


#: name: (the request's bytes, the status both workers answer; None: closed without an answer).
CHUNKED_BODIES: dict[str, tuple[bytes, int | None]] = {
    "one chunk": (chunked(), 200),
    "two chunks": (CHUNKED + b"5\r\n" + VALID[:5] + b"\r\n" + b"%x\r\n" % (len(VALID) - 5) + VALID[5:]
                   + b"\r\n0\r\n\r\n", 200),
    "uppercase hex size": (chunked(SIZE.upper() + b"\r\n"), 200),
    "16-digit size with leading zeros": (chunked(SIZE.rjust(16, b"0") + b"\r\n"), 200),
    "17-digit size with leading zeros": (chunked(SIZE.rjust(17, b"0") + b"\r\n"), 200),
    "40-digit size with leading zeros": (chunked(SIZE.rjust(40, b"0") + b"\r\n"), 200),
    "last chunk 000": (chunked(last=b"000\r\n\r\n"), 200),
    "extension without value": (chunked(SIZE + b";name\r\n"), 200),
    "extension with a token value": (chunked(SIZE + b";name=value\r\n"), 200),
    "extension with a quoted value": (chunked(SIZE + b';name="a; \\"quoted\\" value"\r\n'), 200),
    "two extensions": (chunked(SIZE + b";a=1;b\r\n"), 200),
    "whitespace around extensions": (chunked(SIZE + b" ; a = 1 ;\tb\r\n"), 200),
    "extension on the last chunk": (chunked(last=b"0;end\r\n\r\n"), 200),
    "one trailer field": (chunked(last=b"0\r\nX-Checksum: abc\r\n\r\n"), 200),
    "two trailer fields": (chunked(last=b"0\r\nX-One: 1\r\nX-Two: 2\r\n\r\n"), 200),
    "trailing space after the size": (chunked(SIZE + b" \r\n"), 400),
    "trailing tab after the size": (chunked(SIZE + b"\t\r\n"), 400),
    "leading space before the size": (chunked(b" " + SIZE + b"\r\n"), 400),
    "bare semicolon": (chunked(SIZE + b";\r\n"), 400),
    "semicolon after whitespace": (chunked(SIZE + b" ;\r\n"), 400),
    "extension with an empty value": (chunked(SIZE + b";name=\r\n"), 400),
    "extension name with a space": (chunked(SIZE + b";na me\r\n"), 400),
    "extension with a bare CR": (chunked(SIZE + b";a\rb\r\n"), 400),
    "unterminated quoted extension": (chunked(SIZE + b';a="open\r\n'), 400),
    "0x prefix": (chunked(b"0x" + SIZE + b"\r\n"), 400),
    "negative size": (chunked(b"-" + SIZE + b"\r\n"), 400),
    "plus sign": (chunked(b"+" + SIZE + b"\r\n"), 400),
    "underscore in the size": (chunked(SIZE[:1] + b"_" + SIZE[1:] + b"\r\n"), 400),
    "empty size": (chunked(b"\r\n"), 400),
    "non-hex size": (chunked(b"zz\r\n"), 400),
    "size one too large": (chunked(b"%x\r\n" % (len(VALID) + 1)), 400),
    "size one too small": (chunked(b"%x\r\n" % (len(VALID) - 1)), 400),
    "data without its CRLF": (chunked(after=b""), 400),
    "data followed by a bare LF": (chunked(after=b"\n"), 400),
    "size line ending in a bare LF": (chunked(SIZE + b"\n"), 400),
    "last chunk ending in a bare LF": (chunked(last=b"0\n\r\n"), 400),
    "missing final CRLF, a next request follows": (chunked(last=b"0\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), 400),
    "trailer without a colon": (chunked(last=b"0\r\nnonsense\r\n\r\n"), 400),
    "trailer name with a space": (chunked(last=b"0\r\nX Sum: 1\r\n\r\n"), 400),
    "forbidden trailer field": (chunked(last=b"0\r\nContent-Length: 5\r\n\r\n"), 400),
    "folded trailer": (chunked(last=b"0\r\nX-A: 1\r\n continued\r\n\r\n"), 400),
    "trailer ending in a bare LF": (chunked(last=b"0\r\nX-A: 1\n\r\n"), 400),
    "chunk-size line over 8190 bytes": (chunked(SIZE + b";x=" + b"a" * 8200 + b"\r\n"), 400),
    "size over the request-size limit": (chunked(b"f" * 20 + b"\r\n"), 413),
    "missing final CRLF, then the client closes": (chunked(last=b"0\r\n"), None),
    "no last chunk, then the client closes": (chunked(last=b""), None),
    "chunked, chunked": (encoded_as(b"chunked, chunked"), 400),
    "chunked twice in two headers": (encoded_as(b"chunked", extra=b"Transfer-Encoding: chunked\r\n"), 400),
    "chunked with a Content-Length": (encoded_as(b"chunked", extra=b"Content-Length: 35\r\n"), 400),
    "chunked in HTTP/1.0": (encoded_as(b"chunked", version=b"1.0"), 400),
    "identity alone": (encoded_as(b"identity"), 400),
    "uppercase CHUNKED": (encoded_as(b"CHUNKED"), 200),
    "gzip, chunked": (encoded_as(b"gzip, chunked"), 501),
    "identity, chunked": (encoded_as(b"identity, chunked"), 501),
    "unknown coding": (encoded_as(b"x-custom"), 501),
}

HEADS: dict[str, tuple[bytes, int | None]] = {
    "CRLF everywhere": (PLAIN, 200),
    "one empty line before the request line": (b"\r\n" + PLAIN, 200),
    "bare LF everywhere": (PLAIN.replace(b"\r\n", b"\n"), 400),
    "bare LF after the request line": (PLAIN.replace(b"HTTP/1.1\r\n", b"HTTP/1.1\n", 1), 400),
    "bare LF after one header": (PLAIN.replace(b"Host: x\r\n", b"Host: x\n", 1), 400),
    "bare LF ending the head": (PLAIN.replace(b"\r\n\r\n", b"\r\n\n", 1), 400),
    "bare LF before the request line": (b"\n" + PLAIN, 400),
    "two empty lines before the request line": (b"\r\n\r\n" + PLAIN, 400),
    "CR alone after the request line": (PLAIN.replace(b"HTTP/1.1\r\n", b"HTTP/1.1\r", 1), 400),
    "CR alone after one header": (PLAIN.replace(b"Host: x\r\n", b"Host: x\r", 1), 400),
    "folded header": (PLAIN.replace(b"Host: x\r\n", b"Host: x\r\nX-Folded: a\r\n b\r\n", 1), 400),
    "folded with a tab": (PLAIN.replace(b"Host: x\r\n", b"Host: x\r\nX-Folded: a\r\n\tb\r\n", 1), 400),
    "space before the colon": (PLAIN.replace(b"Host: x", b"Host : x", 1), 400),
    "header without a colon": (PLAIN.replace(b"Host: x\r\n", b"Host: x\r\nNoColon\r\n", 1), 400),
    "NUL in a header value": (PLAIN.replace(b"Host: x", b"Host: x\x00y", 1), 400),
    "two Host headers": (PLAIN.replace(b"Host: x\r\n", b"Host: x\r\nHost: y\r\n", 1), 400),
    "Content-Length with a plus sign": (PLAIN.replace(b"Content-Length: ", b"Content-Length: +", 1), 400),
    "lowercase method": (PLAIN.replace(b"POST", b"post", 1), 400),
    "HTTP/2.0 in the request line": (PLAIN.replace(b"HTTP/1.1", b"HTTP/2.0", 1), 400),
    "two spaces in the request line": (PLAIN.replace(b"POST ", b"POST  ", 1), 400),
}

REQUESTS = {**{f"chunked: {name}": case for name, case in CHUNKED_BODIES.items()},
            **{f"head: {name}": case for name, case in HEADS.items()}}


@pytest.fixture(scope="module")
def servers(runtime_tmp) -> Iterator[dict[str, Server]]:
    """One server of each worker class, with a read timeout far longer than any answer here may take."""
    started: dict[str, Server] = {}
    try:
        for worker_class in WORKER_CLASSES:
            started[worker_class] = start(runtime_tmp, f"framing-{worker_class}", worker_class=worker_class,
                                          env={"READ_TIMEOUT": "30"})
        yield started
    finally:
        for server in started.values():
            server.stop()


def status_of(port: int, data: bytes) -> int | None:
    """The status the server answers ``data`` with (None: it closed without answering); failures are ELG."""
    try:
        response = raw_exchange(port, data, timeout=10)
    except ConnectionClosed:
        return None
    if response.status == 200:
        assert response.json()["response"]["features"]["length"] == 2, response.body[:300]
    else:
        assert_elg_failure(response, response.status)
        assert response.closed
    return response.status


@pytest.mark.parametrize("name", list(REQUESTS))
def test_both_workers_answer_the_same_request_alike(servers: dict[str, Server], name: str) -> None:
    data, expected = REQUESTS[name]
    statuses = {worker_class: status_of(server.port, data) for worker_class, server in servers.items()}
    assert statuses == {worker_class: expected for worker_class in servers}
    if expected != 200:
        for server in servers.values():
            assert_answered(server.port)
