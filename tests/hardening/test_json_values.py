"""Values JSON cannot carry, over a real gunicorn worker: NaN, infinities and lone surrogates.

Python's and pydantic-core's parsers accept ``NaN``, ``Infinity`` and ``-Infinity``; they
used to reach the handler and come back as ``null`` in fields the schema requires. Now
each is a 400 naming where it occurs, on every way a JSON request can arrive: a JSON body,
one nested deeper than the fast parser goes, the request part of a multipart body.
Every probe is followed by a valid request that must be answered.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import Server, assert_elg_response, assert_serving, post
from .test_hostile_input import MULTIPART, WAV, multipart


def not_json(*problems: tuple[str, str]) -> dict[str, Any]:
    """The failure naming each (location, type) of a value JSON cannot carry."""
    messages = {"json_not_finite": "NaN and Infinity are not JSON numbers",
                "json_lone_surrogate": "a lone surrogate is not Unicode text"}
    return {"failure": {"errors": [{
        "code": "elg.request.invalid", "params": [], "text": "Invalid request message",
        "detail": {"reason": "the request holds values JSON cannot carry",
                   "errors": [{"location": location, "message": messages[kind], "type": kind}
                              for location, kind in problems]},
    }]}}


def deep_texts(leaf: str, depth: int) -> bytes:
    """A structuredText request whose one leaf is ``depth`` levels down (2 JSON levels each)."""
    return (b'{"type":"structuredText","texts":' + b'[{"texts":' * (depth - 1) + leaf.encode()
            + b"}]" * (depth - 1) + b"}")


NOT_FINITE = "json_not_finite"
CASES = {
    "NaN and Infinity as offsets": (
        b'{"type":"text","content":"abc","annotations":{"Person":[{"start":NaN,"end":Infinity}]}}',
        [("annotations.Person.0.start", NOT_FINITE), ("annotations.Person.0.end", NOT_FINITE)],
    ),
    "-Infinity in a params list": (
        b'{"type":"text","content":"abc","params":{"weights":[0.5,-Infinity]}}', [("params.weights.1", NOT_FINITE)],
    ),
    "NaN in features, spaced and on several lines": (
        b'{"type": "text",\n "content": "abc",\n "features": {"score": NaN }}', [("features.score", NOT_FINITE)],
    ),
    "NaN 150 levels deep (past the fast parser)": (
        deep_texts('[{"content":"x","features":{"f":NaN}}]', 150),
        [(".".join(["texts.0"] * 150) + ".features.f", NOT_FINITE)],
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_not_a_number_is_a_400_naming_where(payload_server: Server, case: Any) -> None:
    body, problems = case
    answer = post(payload_server.port, "/process", body)
    assert (answer.status, answer.json()) == (400, not_json(*problems))
    assert_serving(payload_server.port)


def test_not_a_number_in_a_multipart_request_part_is_a_400(payload_server: Server) -> None:
    request = b'{"type":"audio","format":"LINEAR16","params":{"gain":NaN}}'
    answer = post(payload_server.port, "/process", multipart([("request", "application/json", request),
                                                              ("content", "audio/x-wav", WAV)]), MULTIPART)
    assert (answer.status, answer.json()) == (400, not_json(("params.gain", NOT_FINITE)))
    assert_serving(payload_server.port)


def test_a_lone_surrogate_in_a_multipart_request_part_is_a_400(payload_server: Server) -> None:
    request = b'{"type":"audio","params":{"name":"a\\ud800b","\\udfffkey":1}}'
    answer = post(payload_server.port, "/process", multipart([("request", "application/json", request),
                                                              ("content", "audio/x-wav", WAV)]), MULTIPART)
    assert (answer.status, answer.json()) == (
        400, not_json(("params.name", "json_lone_surrogate"), ("params.\\udfffkey", "json_lone_surrogate")))
    assert_serving(payload_server.port)


def test_a_number_beyond_float_range_in_an_offset_is_a_400(payload_server: Server) -> None:
    body = b'{"type":"text","content":"abc","annotations":{"A":[{"start":0,"end":1e400}]}}'
    answer = post(payload_server.port, "/process", body)
    assert answer.status == 400
    errors = answer.json()["failure"]["errors"][0]["detail"]["errors"]
    assert {"location": "text.annotations.A.0.end.float", "message": "Input should be a finite number",
            "type": "finite_number"} in errors
    assert_serving(payload_server.port)


def test_the_words_inside_strings_are_text(payload_server: Server) -> None:
    content = 'NaN, Infinity and -Infinity are words here; so is "NaN"'
    body = json.dumps({"type": "text", "content": content, "features": {"NaN": "Infinity"}}).encode()
    answer = assert_elg_response(post(payload_server.port, "/echo", body), "texts")
    assert answer["texts"] == [{"content": content, "features": {"NaN": "Infinity"}}]


def test_finite_numbers_pass(payload_server: Server) -> None:
    body = (b'{"type":"text","content":"abc","params":{"w":[1e308,-1.5e-300,0]},'
            b'"annotations":{"A":[{"start":0,"end":2.5}]}}')
    answer = assert_elg_response(post(payload_server.port, "/process", body), "annotations")
    assert answer["features"] == {"length": 3, "annotations": 1, "params": ["w"]}
