"""(d) The floor: a bare WSGI callable doing the same work with the standard library only."""
from __future__ import annotations

import json
from typing import Any
from collections.abc import Callable, Iterable, Iterator

import work

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
JSON = "application/json"


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """POST /process with a JSON or multipart body; anything else is a JSON failure."""
    if environ.get("PATH_INFO") != "/process" or environ.get("REQUEST_METHOD") != "POST":
        return _answer(start_response, "404 Not Found", {"failure": {"errors": [{"code": "not found"}]}})
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    content_type = environ.get("CONTENT_TYPE", "")
    try:
        if content_type.startswith("multipart/form-data"):
            data, content = _multipart(body, content_type.partition("boundary=")[2].strip('"'))
            result = work.audio_result(len(content), data.get("format", "LINEAR16"))
            return _answer(start_response, "200 OK", _response(result, "annotations"))
        data = json.loads(body)
        if data.get("type") == "structuredText":
            texts = work.structured_result([node["content"] for node in data["texts"]])
            return _answer(start_response, "200 OK", _response({"texts": texts}, "texts"))
        steps = work.wants_progress(data.get("params"))
        if steps and "text/event-stream" in environ.get("HTTP_ACCEPT", ""):
            start_response("200 OK", [("Content-Type", "text/event-stream")])
            return _events(data["content"], steps)
        return _answer(start_response, "200 OK", _response(work.text_result(data["content"]), "annotations"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        failure = {"failure": {"errors": [{"code": "invalid", "text": str(exc)}]}}
        return _answer(start_response, "400 Bad Request", failure)


def _response(fields: dict[str, Any], kind: str) -> dict[str, Any]:
    return {"response": {"type": kind, **fields}}


def _answer(start_response: StartResponse, status: str, message: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(message).encode()
    start_response(status, [("Content-Type", JSON), ("Content-Length", str(len(payload)))])
    return [payload]


def _multipart(body: bytes, boundary: str) -> tuple[dict[str, Any], memoryview]:
    """The JSON ``request`` part and a view (no copy) of the binary part of a two-part body."""
    delimiter = b"--" + boundary.encode("latin-1")
    view = memoryview(body)
    data: dict[str, Any] = {}
    content = memoryview(b"")
    position = body.index(delimiter)
    while True:
        start = position + len(delimiter)
        if body.startswith(b"--", start):
            break
        head_end = body.index(b"\r\n\r\n", start)
        end = body.index(b"\r\n" + delimiter, head_end)
        headers = body[start:head_end].lower()
        if b"application/json" in headers:
            data = json.loads(bytes(view[head_end + 4:end]))
        else:
            content = view[head_end + 4:end]
        position = end + 2
    return data, content


def _events(content: str, steps: int) -> Iterator[bytes]:
    for percent in work.progress_steps(steps):
        yield b"data:" + json.dumps({"progress": {"percent": percent}}).encode() + b"\r\n\r\n"
    final = {"response": {"type": "annotations", **work.text_result(content)}}
    yield b"data:" + json.dumps(final).encode() + b"\r\n\r\n"
