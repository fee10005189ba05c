"""The request reader fed bytes directly: what it holds in memory, where a body goes, how a body reads.

These are the reader's promises to the event loop (``in_memory``, ``wanted``, ``complete``,
``rest``) and to the application (``request.body``), checked without a server; the same
reader serves both worker classes over real sockets in the other runtime tests.
"""
from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator

import pytest
from gunicorn.config import Config

from elg_decorators.worker.answers import ServerAnswerError
from elg_decorators.worker.bodies import SPOOL_THRESHOLD
from elg_decorators.worker.reading import MAX_BODY_READ, RequestReader

PEER = ("127.0.0.1", 40000)
_made: list[RequestReader] = []


@pytest.fixture(autouse=True)
def _close_readers() -> Iterator[None]:
    """Every reader a test made is closed after it, as a worker closes it after its answer."""
    yield
    while _made:
        _made.pop().close()


def reader(body_limit: int | None = None) -> RequestReader:
    _made.append(RequestReader(Config(), PEER, body_limit))
    return _made[-1]


def head(length: int | None = None, *, extra: bytes = b"") -> bytes:
    framing = b"Transfer-Encoding: chunked" if length is None else b"Content-Length: %d" % length
    return b"POST /process HTTP/1.1\r\nHost: x\r\n" + extra + framing + b"\r\n\r\n"


def data(size: int) -> bytes:
    # Lines of varied length, so that reading by line is checked too.
    lines = random.Random(size).choices([b"a" * n + b"\n" for n in (0, 1, 7, 100, 5000)], k=size // 100 + 1)
    return b"".join(lines)[:size]


def chunked(body: bytes, step: int = 64 * 1024) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + step]), body[i:i + step]) for i in range(0, len(body), step)) \
        + b"0\r\n\r\n"


def feed_in_pieces(target: RequestReader, payload: bytes, piece: int = 65536) -> None:
    for start in range(0, len(payload), piece):
        target.feed(payload[start:start + piece])


def test_a_head_being_read_is_held_in_memory() -> None:
    target = reader()
    target.feed(b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Le")
    assert target.started and not target.complete
    assert target.in_memory == len(b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Le")


def test_a_small_body_stays_in_memory_and_is_counted() -> None:
    body = data(SPOOL_THRESHOLD)
    target = reader()
    target.feed(head(len(body)) + body[:1000])
    assert target.in_memory == 1000 and not target.spooled
    feed_in_pieces(target, body[1000:])
    assert target.complete and not target.spooled
    assert target.in_memory == len(body) == target.body_size
    assert target.request is not None and target.request.body.read() == body


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_large_body_goes_to_a_temporary_file_and_reads_from_its_start(framing: str) -> None:
    body = data(3 * SPOOL_THRESHOLD + 17)
    target = reader()
    if framing == "chunked":
        target.feed(head())
        payload = chunked(body)
    else:
        target.feed(head(len(body)))
        payload = body
    largest = 0
    for start in range(0, len(payload), 65536):
        target.feed(payload[start:start + 65536])
        largest = max(largest, target.in_memory)
    assert target.complete and target.spooled
    # Never more than the threshold and one read in memory; nothing once the body is in its file.
    assert largest <= SPOOL_THRESHOLD + 65536
    assert target.in_memory == 0
    assert target.request is not None
    stream = target.request.body
    assert len(stream) == len(body) == target.body_size
    assert stream.read(10) == body[:10]
    assert stream.readline() == body[10:body.index(b"\n", 10) + 1]
    position = body.index(b"\n", 10) + 1
    assert stream.readline(3) == body[position:position + 3]
    assert stream.read(None) == body[position + 3:]
    assert stream.read() == b"" and stream.readline() == b"" and stream.closed


def test_a_large_body_reads_by_lines_and_by_iteration() -> None:
    body = data(2 * SPOOL_THRESHOLD)
    for how in ("readlines", "iterate"):
        target = reader()
        target.feed(head(len(body)))
        feed_in_pieces(target, body)
        assert target.request is not None
        stream = target.request.body
        lines = stream.readlines() if how == "readlines" else list(stream)
        assert b"".join(lines) == body and all(line.endswith(b"\n") for line in lines[:-1])
        assert stream.closed


def test_closing_the_reader_closes_the_body_file() -> None:
    body = data(2 * SPOOL_THRESHOLD)
    target = reader()
    target.feed(head(len(body)))
    feed_in_pieces(target, body)
    assert target.request is not None and not target.request.body.closed
    target.close()
    assert target.request.body.closed


def test_a_pipelined_next_request_is_kept_and_counted() -> None:
    body = b'{"type":"text","content":"hi"}'
    following = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    target = reader()
    target.feed(head(len(body)) + body + following)
    assert target.complete and target.rest == following
    assert target.in_memory == len(body) + len(following)


def test_a_large_body_is_asked_for_in_large_reads() -> None:
    target = reader()
    target.feed(head(10 * MAX_BODY_READ))
    assert target.wanted(65536) == MAX_BODY_READ
    chunked_target = reader()
    chunked_target.feed(head() + b"%x\r\n" % (3 * MAX_BODY_READ) + b"x" * 100)
    assert chunked_target.wanted(65536) == MAX_BODY_READ
    chunked_target.feed(b"y" * (3 * MAX_BODY_READ - 100) + b"\r\n")
    assert chunked_target.wanted(65536) == 65536  # between chunks: a size line is short


def test_an_announced_body_takes_no_file_until_it_arrives() -> None:
    target = reader()
    target.feed(head(50 * SPOOL_THRESHOLD))
    assert not target.spooled and target.in_memory == 0
    target.feed(b"x")
    assert target.spooled


def test_a_chunked_body_over_the_limit_is_refused_as_its_size_arrives() -> None:
    target = reader(body_limit=SPOOL_THRESHOLD)
    target.feed(head() + b"%x\r\n" % (SPOOL_THRESHOLD // 2) + b"x" * (SPOOL_THRESHOLD // 2) + b"\r\n")
    with pytest.raises(ServerAnswerError) as refused:
        target.feed(b"%x\r\n" % (SPOOL_THRESHOLD // 2 + 1))
    assert refused.value.answer.status == 413


def test_trailers_are_checked_and_kept_on_the_request() -> None:
    target = reader()
    target.feed(head() + b"2\r\nhi\r\n0\r\nX-Checksum: abc\r\n\r\n")
    assert target.complete and target.request is not None
    assert target.request.trailers == [("X-CHECKSUM", "abc")]
    assert ("CONTENT-LENGTH", "2") in target.request.headers
    assert all(name != "TRANSFER-ENCODING" for name, _ in target.request.headers)


def test_a_body_that_cannot_be_stored_is_the_servers_failure(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))  # where no file can be made
    target = reader()
    target.feed(head(2 * SPOOL_THRESHOLD))
    with pytest.raises(ServerAnswerError) as refused:
        target.feed(b"x" * 1000)
    assert refused.value.answer.status == 500
    assert refused.value.answer.message.detail["reason"] == "body not stored"
