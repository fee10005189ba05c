"""A corpus of hostile request bodies, sent over real sockets to gunicorn-served services.

Each case must be answered with an ELG failure (JSON, ``{"failure": {"errors": [...]}}``) and
a 4xx status — the exact one where design.md fixes it — and the service must answer the next,
valid request normally.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import (
    SMALL_LIMIT,
    Server,
    assert_elg_failure,
    assert_elg_response,
    assert_serving,
    post,
    request,
)

JSON = "application/json"
BOUNDARY = "hardening-boundary-42"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
INVALID = "elg.request.invalid"
UNSUPPORTED_TYPE = "elg.request.type.unsupported"


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = BOUNDARY) -> bytes:
    """A multipart/form-data body of (name, Content-Type, data) parts."""
    chunks = []
    for name, content_type, data in parts:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n'
        if content_type is not None:
            head += f"Content-Type: {content_type}\r\n"
        chunks.append(head.encode() + b"\r\n" + data + b"\r\n")
    return b"".join(chunks) + f"--{boundary}--\r\n".encode()


AUDIO_JSON = dumps({"type": "audio", "format": "LINEAR16"})
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)


def deep_structured_text(levels: int) -> bytes:
    """A structuredText request whose texts nest ``levels`` deep (built as bytes: no recursion)."""
    return (b'{"type":"structuredText","texts":' + b'[{"texts":' * levels + b'[{"content":"x"}]'
            + b"}]" * levels + b"}")


# -- the corpus: (content type, body, expected status, expected code) ------------------------

MALFORMED_JSON: dict[str, tuple[str, bytes, int, str]] = {
    "empty body": (JSON, b"", 400, "elg.request.missing"),
    "whitespace only": (JSON, b"   \n", 400, INVALID),
    "truncated object": (JSON, b'{"type": "text", "content": "hel', 400, INVALID),
    "truncated after key": (JSON, b'{"type": "text", "content":', 400, INVALID),
    "unclosed array": (JSON, b'{"type": "structuredText", "texts": [{"content": "a"}', 400, INVALID),
    "trailing garbage": (JSON, b'{"type": "text", "content": "a"} trailing', 400, INVALID),
    "single quotes": (JSON, b"{'type': 'text', 'content': 'a'}", 400, INVALID),
    "bare string": (JSON, b'"just a string"', 400, INVALID),
    "bare number": (JSON, b"42", 400, INVALID),
    "null": (JSON, b"null", 400, INVALID),
    "array of requests": (JSON, dumps([{"type": "text", "content": "a"}]), 400, INVALID),
    "NUL bytes": (JSON, b"\x00" * 64, 400, INVALID),
    "invalid UTF-8 in a string": (JSON, b'{"type": "text", "content": "\xff\xfe\xc3"}', 400, INVALID),
    "invalid UTF-8 in a key": (JSON, b'{"ty\xc0pe": "text", "content": "a"}', 400, INVALID),
    "UTF-16 body declared UTF-8": (JSON + "; charset=utf-8", dumps({"type": "text", "content": "a"}).decode()
                                   .encode("utf-16"), 400, INVALID),
    "unknown charset": (JSON + "; charset=klingon-8", dumps({"type": "text", "content": "a"}), 415,
                        "elg.request.type.unsupported"),
    "lone surrogate escape": (JSON, b'{"type": "text", "content": "\\ud800"}', 400, INVALID),
}

TYPE_PROBLEMS: dict[str, tuple[str, bytes, int, str]] = {
    "missing type": (JSON, dumps({"content": "a"}), 400, INVALID),
    "unknown type": (JSON, dumps({"type": "video", "content": "a"}), 400, UNSUPPORTED_TYPE),
    "empty type": (JSON, dumps({"type": "", "content": "a"}), 400, UNSUPPORTED_TYPE),
    "type differs in case": (JSON, dumps({"type": "TEXT", "content": "a"}), 400, UNSUPPORTED_TYPE),
    "type not served on this path": (JSON, dumps({"type": "structuredText", "texts": [{"content": "a"}]}), 400,
                                     UNSUPPORTED_TYPE),
}


def _wrong_types() -> dict[str, tuple[str, bytes, int, str]]:
    """Every field of every JSON request, given a value of each wrong JSON type."""
    wrong = {"number": 7, "float": 1.5, "bool": True, "null": None, "string": "x", "array": [1], "object": {"a": 1}}
    fields = {
        "text": ({"type": "text", "content": "a"}, {
            "type": ["number", "bool", "null", "array", "object"],
            "content": ["number", "float", "bool", "null", "array", "object"],
            "mimeType": ["number", "bool", "null", "array", "object"],
            "features": ["number", "bool", "string", "array"],
            "annotations": ["number", "bool", "string", "array"],
            "params": ["number", "bool", "string", "array"],
        }),
        "structuredText": ({"type": "structuredText", "texts": [{"content": "a"}]}, {
            "texts": ["number", "bool", "null", "string", "object"],
            "params": ["number", "string", "array"],
        }),
    }
    cases = {}
    for kind, (valid, field_kinds) in fields.items():
        for name, kinds in field_kinds.items():
            for wrong_kind in kinds:
                body = {**valid, name: wrong[wrong_kind]}
                expected = UNSUPPORTED_TYPE if name == "type" and wrong_kind == "number" else None
                cases[f"{kind}.{name} as {wrong_kind}"] = (JSON, dumps(body), 400, expected or "*")
    nested = {
        "annotation list as object": {"type": "text", "content": "a", "annotations": {"P": {"start": 0}}},
        "annotation start as string": {
            "type": "text", "content": "a", "annotations": {"P": [{"start": "x", "end": 1}]}
        },
        "annotation end missing": {"type": "text", "content": "a", "annotations": {"P": [{"start": 0}]}},
        "annotation as number": {"type": "text", "content": "a", "annotations": {"P": [3]}},
        "text node as string": {"type": "structuredText", "texts": ["a"]},
        "text node content as number": {"type": "structuredText", "texts": [{"content": 5}]},
        "text node without content or texts": {"type": "structuredText", "texts": [{"features": {}}]},
        "text node texts as object": {"type": "structuredText", "texts": [{"texts": {"content": "a"}}]},
        "int param not an int": {"type": "text", "content": "a", "params": {"repeat": "many"}},
        "int param as list": {"type": "text", "content": "a", "params": {"repeat": [1, 2]}},
    }
    for name, body in nested.items():
        code = "elg.request.parameter.invalid" if name.startswith("int param") else INVALID
        cases[name] = (JSON, dumps(body), 400, code)
    return cases


WRONG_TYPES = _wrong_types()

# A million items: each body is valid JSON of a few MB, served by the server with the default limit.
MILLION = 1_000_000
MILLION_ITEMS: dict[str, tuple[str, bytes, int, str]] = {
    "top-level array of a million": (JSON, dumps([0] * MILLION), 400, INVALID),
    "content as an array of a million": (JSON, dumps({"type": "text", "content": [0] * MILLION}), 400, INVALID),
    "a million wrong annotations": (JSON, dumps({"type": "text", "content": "a", "annotations": {"P": [1] * MILLION}}),
                                    400, INVALID),
    "a million texts that are numbers": (JSON, dumps({"type": "structuredText", "texts": [1] * MILLION}), 400,
                                         INVALID),
}

LYING_CONTENT_TYPES: dict[str, tuple[str, bytes, int, str]] = {
    "multipart body labelled JSON": (JSON, multipart([("request", JSON, AUDIO_JSON)]), 400, INVALID),
    "JSON body labelled multipart": (MULTIPART, dumps({"type": "text", "content": "a"}), 400, INVALID),
    "JSON body labelled form-urlencoded": ("application/x-www-form-urlencoded", dumps({"type": "text", "content": "a"}),
                                           415, UNSUPPORTED_TYPE),
    "JSON body labelled XML": ("application/xml", dumps({"type": "text", "content": "a"}), 415, UNSUPPORTED_TYPE),
    "JSON body labelled octet-stream": ("application/octet-stream", dumps({"type": "text", "content": "a"}), 415,
                                        UNSUPPORTED_TYPE),
    "binary labelled text/plain": ("text/plain", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\xff", 400, INVALID),
    "binary labelled text/plain; charset=ascii": ("text/plain; charset=ascii", "näive".encode(), 400, INVALID),
    "no Content-Type": (None, dumps({"type": "text", "content": "a"}), 415, UNSUPPORTED_TYPE),  # type: ignore[dict-item]
    "garbage Content-Type": ("%%%/;;;", dumps({"type": "text", "content": "a"}), 415, UNSUPPORTED_TYPE),
    "image with unsupported format": ("image/x-made-up", b"\x89PNG", 400, "elg.request.image.format.unsupported"),
}

MULTIPART_CASES: dict[str, tuple[str, bytes, int, str]] = {
    "no parts": (MULTIPART, f"--{BOUNDARY}--\r\n".encode(), 400, INVALID),
    "empty body": (MULTIPART, b"", 400, "*"),
    "missing boundary parameter": ("multipart/form-data", multipart([("request", JSON, AUDIO_JSON)]), 400, INVALID),
    "boundary does not match": ("multipart/form-data; boundary=other", multipart([("request", JSON, AUDIO_JSON)]), 400,
                                INVALID),
    "no closing boundary": (MULTIPART, multipart([("request", JSON, AUDIO_JSON), ("content", "audio/x-wav", WAV)])
                            [:-len(f"--{BOUNDARY}--\r\n")], 400, INVALID),
    "wrong part names, binary types": (MULTIPART, multipart([("req", "text/plain", AUDIO_JSON), ("data", "audio/x-wav",
                                                                                               WAV)]), 400, INVALID),
    "only a content part": (MULTIPART, multipart([("content", "audio/x-wav", WAV)]), 400, INVALID),
    "request part without content part": (MULTIPART, multipart([("request", JSON, AUDIO_JSON)]), 400, INVALID),
    "duplicate request parts": (MULTIPART, multipart([("request", JSON, AUDIO_JSON), ("request", JSON, AUDIO_JSON),
                                                      ("content", "audio/x-wav", WAV)]), 400, INVALID),
    "duplicate content parts": (MULTIPART, multipart([("request", JSON, AUDIO_JSON), ("content", "audio/x-wav", WAV),
                                                      ("content", "audio/x-wav", WAV)]), 400, INVALID),
    "request part not JSON": (MULTIPART, multipart([("request", JSON, b"{not json"), ("content", "audio/x-wav", WAV)]),
                              400, INVALID),
    "request part invalid UTF-8": (MULTIPART, multipart([("request", JSON, b'{"type": "audio\xff"}'),
                                                         ("content", "audio/x-wav", WAV)]), 400, INVALID),
    "request part a JSON list": (MULTIPART, multipart([("request", JSON, b"[1, 2]"), ("content", "audio/x-wav", WAV)]),
                                 400, INVALID),
    "request part unknown type": (MULTIPART, multipart([("request", JSON, dumps({"type": "video"})),
                                                        ("content", "audio/x-wav", WAV)]), 400, UNSUPPORTED_TYPE),
    "audio format unsupported": (MULTIPART, multipart([("request", JSON, dumps({"type": "audio", "format": "OGG"})),
                                                       ("content", "audio/ogg", WAV)]), 400,
                                 "elg.request.audio.format.unsupported"),
    "audio sampleRate as word": (MULTIPART, multipart([
        ("request", JSON, dumps({"type": "audio", "sampleRate": "fast"})),
        ("content", "audio/x-wav", WAV),
    ]), 400, INVALID),
    "part without headers": (MULTIPART, f"--{BOUNDARY}\r\n\r\nhello\r\n--{BOUNDARY}--\r\n".encode(), 400, INVALID),
    "part header line garbage": (MULTIPART, f"--{BOUNDARY}\r\n\x00\x01\x02\r\n\r\nhi\r\n--{BOUNDARY}--\r\n".encode(),
                                 400, INVALID),
}

NESTING: dict[str, tuple[str, bytes, int, str]] = {
    "structuredText 101 levels": (JSON, deep_structured_text(101), 400, INVALID),
    "structuredText 10,000 levels": (JSON, deep_structured_text(10_000), 400, INVALID),
    "features 10,000 levels": (JSON, b'{"type":"text","content":"a","features":' + b'{"a":' * 10_000 + b"1"
                               + b"}" * 10_000 + b"}", 400, INVALID),
    "params 100,000 nested arrays": (JSON, b'{"type":"text","content":"a","params":{"p":' + b"[" * 100_000
                                     + b"]" * 100_000 + b"}}", 400, INVALID),
    "multipart request part 10,000 levels": (MULTIPART, multipart([("request", JSON, deep_structured_text(10_000))]),
                                             400, INVALID),
    "multipart request part 100,000 nested arrays": (MULTIPART, multipart([("request", JSON, b"[" * 100_000
                                                                            + b"]" * 100_000)]), 400, INVALID),
}


def check_case(server: Server, case: tuple[str | None, bytes, int, str], path: str = "/process") -> dict[str, Any]:
    content_type, body, status, code = case
    failure = assert_elg_failure(post(server.port, path, body, content_type), status,
                                 None if code == "*" else code)
    assert_serving(server.port)
    return failure


@pytest.mark.parametrize("case", MALFORMED_JSON.values(), ids=MALFORMED_JSON.keys())
def test_malformed_and_truncated_json(main_server: Server, case: Any) -> None:
    check_case(main_server, case)


@pytest.mark.parametrize("case", TYPE_PROBLEMS.values(), ids=TYPE_PROBLEMS.keys())
def test_missing_and_unknown_type(main_server: Server, case: Any) -> None:
    # /stream serves text only: the structuredText case is a type the path does not take.
    check_case(main_server, case, "/stream")


@pytest.mark.parametrize("case", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_every_field_with_the_wrong_json_type(main_server: Server, case: Any) -> None:
    check_case(main_server, case)


@pytest.mark.parametrize("case", NESTING.values(), ids=NESTING.keys())
def test_deep_nesting_is_a_400_not_a_crash(main_server: Server, case: Any) -> None:
    check_case(main_server, case)


@pytest.mark.parametrize("case", MILLION_ITEMS.values(), ids=MILLION_ITEMS.keys())
def test_arrays_of_a_million_items(roomy_server: Server, case: Any) -> None:
    check_case(roomy_server, case)


def test_a_million_valid_items_are_served(roomy_server: Server) -> None:
    """Big but valid: a million params items and a structuredText of 100,000 nodes get a 200."""
    body = dumps({"type": "text", "content": "a", "params": {"items": [0] * MILLION}})
    assert_elg_response(post(roomy_server.port, "/process", body), "annotations")
    body = dumps({"type": "structuredText", "texts": [{"content": "a"}] * 100_000})
    answer = assert_elg_response(post(roomy_server.port, "/process", body, timeout=60), "annotations")
    assert answer["features"] == {"nodes": 100_000}
    assert_serving(roomy_server.port)


@pytest.mark.parametrize("case", LYING_CONTENT_TYPES.values(), ids=LYING_CONTENT_TYPES.keys())
def test_content_type_that_lies(main_server: Server, case: Any) -> None:
    check_case(main_server, case)


@pytest.mark.parametrize("case", MULTIPART_CASES.values(), ids=MULTIPART_CASES.keys())
def test_hostile_multipart(main_server: Server, case: Any) -> None:
    check_case(main_server, case)


def test_unknown_path_and_method_are_elg_failures(main_server: Server) -> None:
    assert_elg_failure(post(main_server.port, "/nowhere", dumps({"type": "text", "content": "a"})), 404,
                       "elg.service.not.found")
    failure = assert_elg_failure(request(main_server.port, "PUT", "/process", b"{}"), 405)
    assert failure["errors"][0]["code"] == INVALID
    assert_elg_failure(request(main_server.port, "GET", "/process"), 405)
    assert_serving(main_server.port)


# -- bodies over the size limit (MAX_REQUEST_SIZE=1 MiB on the main server) ------------------


def oversized_text(size: int) -> bytes:
    head = b'{"type":"text","content":"'
    return head + b"a" * (size - len(head) - 2) + b'"}'


OVER = SMALL_LIMIT + 256 * 1024


def test_under_the_limit_is_served(main_server: Server) -> None:
    answer = assert_elg_response(post(main_server.port, "/process", oversized_text(SMALL_LIMIT - 1024)))
    assert answer["features"]["length"] == SMALL_LIMIT - 1024 - 28


def test_over_the_limit_with_content_length(main_server: Server) -> None:
    response = post(main_server.port, "/process", oversized_text(OVER))
    failure = assert_elg_failure(response, 413, "elg.request.too.large")
    assert failure["errors"][0]["detail"] == {"limit": SMALL_LIMIT}
    assert_serving(main_server.port)


def test_content_length_claiming_a_huge_body(main_server: Server) -> None:
    """A small body whose Content-Length claims 10 GB is refused before it is read."""
    response = post(main_server.port, "/process", b'{"type":"text","content":"a"}', content_length=10 * 1024 ** 3)
    assert_elg_failure(response, 413, "elg.request.too.large")
    assert_serving(main_server.port)


def test_over_the_limit_chunked(main_server: Server) -> None:
    """No Content-Length: the limit must apply while the chunked body is read.

    Observed: no 413. ``parsing._read_body`` calls ``stream.read()``; werkzeug's max-size
    ``LimitedStream.readall`` stops quietly at the limit, so the body is cut at exactly
    1 MiB and the JSON parser reports a 400 "EOF while parsing". (Multipart bodies, read in
    chunks, do get their 413.) A 413, when sent, arrives before the server closes the
    connection; whether the client got to send the whole body is in ``response.notes``.
    """
    response = post(main_server.port, "/process", oversized_text(OVER), chunked=True)
    assert_elg_failure(response, 413, "elg.request.too.large")
    assert response.closed
    assert_serving(main_server.port)


def test_over_the_limit_chunked_multipart(main_server: Server) -> None:
    body = multipart([("request", JSON, AUDIO_JSON), ("content", "audio/x-wav", WAV + bytes(OVER))])
    assert_elg_failure(post(main_server.port, "/process", body, MULTIPART, chunked=True), 413, "elg.request.too.large")
    assert_elg_failure(post(main_server.port, "/process", body, MULTIPART), 413, "elg.request.too.large")
    assert_serving(main_server.port)


def test_over_the_limit_raw_audio(main_server: Server) -> None:
    """Observed: sent chunked, a raw body over the limit is silently truncated to the limit
    and served (200, ``score`` 1048576.0 = the truncated length): data loss, not a 413."""
    body = WAV + bytes(OVER)
    assert_elg_failure(post(main_server.port, "/process", body, "audio/x-wav"), 413, "elg.request.too.large")
    assert_elg_failure(post(main_server.port, "/process", body, "audio/x-wav", chunked=True), 413,
                       "elg.request.too.large")
    assert_serving(main_server.port)


def test_valid_requests_of_each_kind_are_served(main_server: Server) -> None:
    """The corpus above is refused because it is hostile, not because the service refuses everything."""
    port = main_server.port
    assert_elg_response(post(port, "/process", dumps({"type": "text", "content": "abc"})), "annotations")
    answer = assert_elg_response(post(port, "/process", dumps({"type": "structuredText", "texts": [
        {"texts": [{"content": "a"}, {"content": "b"}]}]})), "annotations")
    assert answer["features"] == {"nodes": 3}
    body = multipart([("content", "audio/x-wav", WAV), ("request", JSON, AUDIO_JSON)])
    answer = assert_elg_response(post(port, "/process", body, MULTIPART), "classification")
    assert answer["classes"] == [{"class": "LINEAR16", "score": float(len(WAV))}]
    answer = assert_elg_response(post(port, "/process", b"\x89PNG\r\n", "image/png"), "classification")
    assert answer["classes"] == [{"class": "png", "score": 6.0}]
    answer = assert_elg_response(post(port, "/process", "grüße".encode("latin-1"), "text/plain; charset=latin-1"))
    assert answer["features"]["length"] == 5


@pytest.mark.parametrize("levels", [100, 300, 600])
def test_accepted_nesting_can_be_echoed(main_server: Server, levels: int) -> None:
    """Whatever nesting the service accepts in ``features``, a handler passing it through can answer.

    Observed: pydantic-core's JSON parser stops at 200 levels, the parsing fallback
    (``json.loads``) accepts up to ~990, but pydantic-core serialises at most 255 levels,
    so a pass-through handler turns a 300-level request into a 500 internalError
    ("Circular reference detected (depth exceeded)") instead of a 400 at the door.
    """
    features = b"{\"a\":" * levels + b"1" + b"}" * levels
    body = b'{"type":"text","content":"a","features":' + features + b"}"
    response = post(main_server.port, "/echo", body)
    if response.status == 200:
        assert_elg_response(response, "annotations")
    else:
        assert_elg_failure(response, 400, INVALID)
    assert_serving(main_server.port)
