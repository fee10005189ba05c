"""Property-based tests, in-process through Flask's test client.

Any JSON value and any bytes posted as application/json get a 200 ELG response or a clean
4xx ELG failure, never a 5xx or a non-JSON body; generated valid requests are served and
round-trip through their models; every response model survives serialise -> get_response.
"""
from __future__ import annotations

import base64
import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elg_decorators import create_app
from elg_decorators.discovery import load_registry
from elg_decorators.model import (
    AnnotationsResponse,
    AudioResponse,
    ClassificationResponse,
    Failure,
    Progress,
    StatusMessage,
    StructuredTextRequest,
    TextRequest,
    TextsResponse,
    get_response,
)
from elg_decorators.kinds import REQUEST_KINDS

from .conftest import HOSTILE_SERVICE

APP: Flask = create_app(load_registry(str(HOSTILE_SERVICE)))
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- strategies ------------------------------------------------------------------

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
json_scalars = st.none() | st.booleans() | st.integers() | finite_floats | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)
REQUEST_KEYS = ["type", "content", "mimeType", "features", "annotations", "params", "texts", "format", "sampleRate"]
# Request-shaped objects: the real keys, each with an arbitrary JSON value, and often a real type.
request_like = st.dictionaries(st.sampled_from(REQUEST_KEYS), json_values, max_size=6).flatmap(
    lambda fields: st.sampled_from(["text", "structuredText", "audio", "image", None]).map(
        lambda kind: fields if kind is None else {**fields, "type": kind}))

names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12)
numbers = st.integers(-10**6, 10**6) | st.floats(-1e6, 1e6, allow_nan=False)
json_objects = st.dictionaries(names, json_values, max_size=4)
annotations = st.dictionaries(names, st.lists(st.builds(
    lambda start, end, features: {"start": start, "end": end, **({"features": features} if features else {})},
    numbers, numbers, st.none() | json_objects), max_size=3), max_size=3)
status_messages = st.builds(StatusMessage, code=names, text=st.text(max_size=30),
                            params=st.lists(st.text(max_size=10), max_size=3), detail=st.none() | json_objects)
text_requests = st.builds(
    TextRequest, content=st.text(max_size=200), mime_type=st.sampled_from(["text/plain", "text/html"]),
    features=st.none() | json_objects, annotations=st.none() | annotations,
    params=st.none() | st.dictionaries(names.filter(lambda name: name != "repeat"), json_values, max_size=3),
)


def text_nodes(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.builds(lambda content, features: {"content": content, **({"features": features} if features else {})},
                     st.text(max_size=40), st.none() | json_objects)
    if depth == 0:
        return leaf
    return leaf | st.builds(lambda texts: {"texts": texts}, st.lists(text_nodes(depth - 1), max_size=3))


structured_requests = st.builds(StructuredTextRequest, texts=st.lists(text_nodes(3), max_size=4),
                                params=st.none() | json_objects)

warnings = st.none() | st.lists(status_messages, min_size=1, max_size=2)
annotations_responses = st.builds(
    AnnotationsResponse, features=json_objects, annotations=st.none() | annotations, warnings=warnings)
classification_responses = st.builds(
    ClassificationResponse, warnings=warnings,
    classes=st.none() | st.lists(st.builds(lambda name, score: {"class": name, "score": score},
                                           st.none() | names, st.none() | finite_floats), max_size=4))


def response_nodes(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.builds(lambda content, role, score: {k: v for k, v in
                                                   {"content": content, "role": role, "score": score}.items()
                                                   if v is not None},
                     st.text(max_size=30), st.none() | names, st.none() | numbers)
    if depth == 0:
        return leaf
    return leaf | st.builds(lambda texts, role: {"texts": texts, **({"role": role} if role else {})},
                            st.lists(response_nodes(depth - 1), min_size=1, max_size=3), st.none() | names)


texts_responses = st.builds(TextsResponse, texts=st.lists(response_nodes(3), max_size=4), warnings=warnings)
audio_responses = st.builds(
    AudioResponse, content=st.binary(max_size=64).map(lambda data: base64.b64encode(data).decode()),
    format=st.sampled_from(["LINEAR16", "MP3", "mp3", "linear16"]), features=st.none() | json_objects,
    annotations=st.none() | annotations, warnings=warnings)
response_models = st.one_of(annotations_responses, classification_responses, texts_responses, audio_responses)
failures = st.builds(Failure, errors=st.lists(status_messages, min_size=1, max_size=3))
progresses = st.builds(Progress, percent=st.floats(0, 100), message=st.none() | status_messages)


# -- helpers ---------------------------------------------------------------------


def client() -> FlaskClient:
    return APP.test_client()


def assert_clean_answer(status: int, content_type: str, body: bytes) -> dict[str, Any]:
    """A 200 ELG response or a 4xx ELG failure, as JSON."""
    shown = f"{status} {content_type} {body[:300]!r}"
    assert content_type == "application/json", shown
    message = json.loads(body)
    assert isinstance(message, dict) and len(message) == 1, shown
    if status == 200:
        assert "response" in message, shown
    else:
        assert 400 <= status < 500 and "failure" in message, shown
        errors = message["failure"]["errors"]
        assert errors and all(isinstance(error["code"], str) for error in errors), shown
    return message


# -- properties ------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(value=json_values)
def test_any_json_value_gets_a_clean_answer(value: Any) -> None:
    response = client().post("/process", data=json.dumps(value), content_type="application/json")
    assert_clean_answer(response.status_code, response.content_type, response.data)


@PROPERTY_SETTINGS
@given(value=request_like)
def test_any_request_shaped_object_gets_a_clean_answer(value: dict[str, Any]) -> None:
    response = client().post("/process", data=json.dumps(value), content_type="application/json")
    assert_clean_answer(response.status_code, response.content_type, response.data)


@PROPERTY_SETTINGS
@given(body=st.binary(max_size=512))
def test_any_bytes_get_a_clean_answer(body: bytes) -> None:
    response = client().post("/process", data=body, content_type="application/json")
    assert_clean_answer(response.status_code, response.content_type, response.data)


@PROPERTY_SETTINGS
@given(prefix=st.sampled_from([b'{"type":"text","content":"', b'{"type":"structuredText","texts":[{"content":"']),
       body=st.binary(max_size=128))
def test_any_bytes_inside_a_request_get_a_clean_answer(prefix: bytes, body: bytes) -> None:
    response = client().post("/process", data=prefix + body, content_type="application/json; charset=utf-8")
    assert_clean_answer(response.status_code, response.content_type, response.data)


@PROPERTY_SETTINGS
@given(request=text_requests)
def test_valid_text_requests_round_trip_and_are_served(request: TextRequest) -> None:
    wire = request.json()
    assert REQUEST_KINDS.adapter.validate_json(wire) == request
    response = client().post("/process", data=wire, content_type="application/json")
    message = assert_clean_answer(response.status_code, response.content_type, response.data)
    assert response.status_code == 200, message
    assert message["response"]["features"]["length"] == len(request.content)


@PROPERTY_SETTINGS
@given(request=structured_requests)
def test_valid_structured_requests_round_trip_and_are_served(request: StructuredTextRequest) -> None:
    wire = request.json()
    assert REQUEST_KINDS.adapter.validate_json(wire) == request
    response = client().post("/process", data=wire, content_type="application/json")
    message = assert_clean_answer(response.status_code, response.content_type, response.data)
    assert response.status_code == 200, message


@PROPERTY_SETTINGS
@given(model=response_models)
def test_response_models_round_trip_through_get_response(model: Any) -> None:
    wire = json.dumps({"response": model.dict()})
    assert get_response(wire) == model
    assert get_response(json.loads(wire)) == model


@PROPERTY_SETTINGS
@given(model=failures | progresses)
def test_failure_and_progress_round_trip_through_get_response(model: Any) -> None:
    key = "failure" if isinstance(model, Failure) else "progress"
    assert get_response(json.dumps({key: model.dict()})) == model
