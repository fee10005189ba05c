"""HTTP status and ELG JSON body for every outcome: success, caller errors, service errors."""

from __future__ import annotations

import json

import pytest

from elg_decorators import FlaskService, ProcessingError
from elg_decorators.model import (
    AnnotationsResponse,
    Failure,
    StandardMessages,
    StatusMessage,
    TextsResponse,
)


def failure(code, params, text, detail=None):
    return {"failure": {"errors": [{"code": code, "params": params, "text": text, "detail": detail or {}}]}}


class Upper(FlaskService):
    def process_text(self, request):
        return TextsResponse(texts=[{"content": request.content.upper()}])


@pytest.fixture
def client():
    return Upper("upper").app.test_client()


def test_success_is_200_with_compact_utf8_json(client):
    response = client.post("/process", json={"type": "text", "content": "grüße ß 日本"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.data == '{"response":{"type":"texts","texts":[{"content":"GRÜSSE SS 日本"}]}}'.encode()


def test_success_json_keeps_field_order_and_omits_none():
    class Ordered(FlaskService):
        def process_text(self, request):
            return AnnotationsResponse(
                annotations={"A": [{"end": 2, "start": 1, "features": None}]},
                features={"z": 1, "a": 2},
                warnings=[StatusMessage(code="w", text="t", params=[])],
            )

    response = Ordered("o").app.test_client().post("/process", json={"type": "text", "content": "x"})
    assert response.data == (
        b'{"response":{"type":"annotations","warnings":[{"code":"w","params":[],"text":"t"}],'
        b'"features":{"z":1,"a":2},"annotations":{"A":[{"start":1,"end":2}]}}}'
    )


@pytest.mark.parametrize(
    "body", [b'{"type":"text","content":', b"not json", b'{"type":"text","content":"x"}}']
)
def test_malformed_json_is_400(client, body):
    response = client.post("/process", data=body, content_type="application/json")
    assert response.status_code == 400
    [error] = response.get_json()["failure"]["errors"]
    assert error["code"] == "elg.request.invalid"
    assert [e["type"] for e in error["detail"]["errors"]] == ["json_invalid"]


@pytest.mark.parametrize("body", [b'[{"type":"text","content":"x"}]', b'"text"', b"42", b"null"])
def test_json_that_is_not_an_object_is_400(client, body):
    response = client.post("/process", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["failure"]["errors"][0]["code"] == "elg.request.invalid"


def test_missing_type_is_400(client):
    response = client.post("/process", json={"content": "x"})
    assert response.status_code == 400
    assert response.get_json() == failure(
        "elg.request.invalid",
        [],
        "Invalid request message",
        {
            "reason": "the request body is not a valid ELG request",
            "errors": [
                {
                    "location": "",
                    "message": "Unable to extract tag using discriminator 'type'",
                    "type": "union_tag_not_found",
                }
            ],
        },
    )


@pytest.mark.parametrize("request_type", ["video", "Text", "stored"])
def test_unknown_type_is_400_type_unsupported_naming_it(client, request_type):
    response = client.post("/process", json={"type": request_type, "content": "x"})
    assert response.status_code == 400
    assert response.get_json() == failure(
        "elg.request.type.unsupported", [request_type], "Request type {0} not supported by this service"
    )


@pytest.mark.parametrize(
    "request_type, body, content_type",
    [
        ("structuredText", b'{"type":"structuredText","texts":[{"content":"a"}]}', "application/json"),
        ("audio", b"RIFF", "audio/wav"),
        ("image", b"\x89PNG", "image/png"),
    ],
)
def test_request_type_without_process_method_is_400(client, request_type, body, content_type):
    response = client.post("/process", data=body, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json() == failure(
        "elg.request.type.unsupported", [request_type], "Request type {0} not supported by this service"
    )


def test_text_without_process_text_is_400():
    class AudioOnly(FlaskService):
        def process_audio(self, request):
            raise AssertionError("not called")

    response = AudioOnly("a").app.test_client().post("/process", json={"type": "text", "content": "x"})
    assert response.status_code == 400
    assert response.get_json() == failure(
        "elg.request.type.unsupported", ["text"], "Request type {0} not supported by this service"
    )


def test_over_the_size_limit_is_413():
    class Small(Upper):
        max_request_size = 100

    client = Small("small").app.test_client()
    assert client.post("/process", json={"type": "text", "content": "x" * 60}).status_code == 200
    response = client.post("/process", json={"type": "text", "content": "x" * 100})
    assert response.status_code == 413
    assert response.get_json() == failure(
        "elg.request.too.large", [], "Request size too large", {"limit": 100}
    )


def test_size_limit_from_the_environment(monkeypatch):
    monkeypatch.setenv("MAX_REQUEST_SIZE", "1000")
    client = Upper("upper").app.test_client()
    assert client.post("/process", json={"type": "text", "content": "x" * 900}).status_code == 200
    response = client.post("/process", data=b"\x00" * 1001, content_type="audio/wav")
    assert response.status_code == 413
    assert response.get_json() == failure(
        "elg.request.too.large", [], "Request size too large", {"limit": 1000}
    )


def test_size_limit_zero_in_the_environment_disables_it(monkeypatch):
    class Small(Upper):
        max_request_size = 10

    monkeypatch.setenv("MAX_REQUEST_SIZE", "0")
    response = Small("small").app.test_client().post("/process", json={"type": "text", "content": "x" * 100})
    assert response.status_code == 200


def test_multipart_over_the_size_limit_is_413(multipart):
    class Small(Upper):
        max_request_size = 10_000

    body, content_type = multipart(
        [
            ("request", "application/json", b'{"type":"audio"}', None),
            ("content", "audio/wav", b"\x00" * 20_000, "a.wav"),
        ]
    )
    response = Small("small").app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 413
    assert response.get_json()["failure"]["errors"][0]["code"] == "elg.request.too.large"


@pytest.mark.parametrize(
    "content_type", ["application/xml", "application/octet-stream", "video/mp4", "text/csv"]
)
def test_unsupported_content_type_is_415(client, content_type):
    response = client.post("/process", data=b"<x/>", content_type=content_type)
    assert response.status_code == 415
    [error] = response.get_json()["failure"]["errors"]
    assert (error["code"], error["params"]) == ("elg.request.type.unsupported", [content_type])


def test_a_415_lists_the_media_types_of_the_kinds_the_path_takes(client):
    class TextAndAudio(FlaskService):
        def process_text(self, request):
            return TextsResponse(texts=[{"content": request.content}])

        def process_audio(self, request):
            return TextsResponse(texts=[{"content": "heard"}])

    text_only = client.post("/process", data=b"<x/>", content_type="application/xml")
    both = TextAndAudio("both").app.test_client().post("/process", data=b"<x/>", content_type="application/xml")

    assert text_only.get_json()["failure"]["errors"][0]["detail"] == {
        "reason": "unsupported Content-Type", "accepted": ["application/json", "text/plain", "text/html"],
    }
    assert both.get_json()["failure"]["errors"][0]["detail"]["accepted"] == [
        "application/json", "multipart/form-data", "text/plain", "text/html",
        "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/mpeg", "audio/mp3",
    ]


def test_missing_content_type_is_415(client):
    response = client.post("/process", data=b'{"type":"text","content":"x"}')
    assert response.status_code == 415
    [error] = response.get_json()["failure"]["errors"]
    assert error["code"] == "elg.request.type.unsupported"


def test_unknown_path_is_404(client):
    response = client.post("/nowhere", json={"type": "text", "content": "x"})
    assert response.status_code == 404
    assert response.get_json() == failure("elg.service.not.found", ["/nowhere"], "Service {0} not found")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow_header(client, method):
    response = client.open("/process", method=method)
    assert response.status_code == 405
    assert "POST" in [m.strip() for m in response.headers["Allow"].split(",")]
    [error] = response.get_json()["failure"]["errors"]
    assert error["code"] == "elg.request.invalid"


def test_exception_in_handler_is_500_internal_error_with_its_message():
    class Crashes(FlaskService):
        def process_text(self, request):
            raise KeyError("model not loaded")

    response = Crashes("c").app.test_client().post("/process", json={"type": "text", "content": "x"})
    assert response.status_code == 500
    assert response.get_json() == failure(
        "elg.service.internalError", ["'model not loaded'"], "Internal error during processing: {0}"
    )


@pytest.mark.parametrize(
    "error, status, expected",
    [
        (
            ProcessingError("elg.request.parameter.missing", params=["lang"]),
            400,
            failure("elg.request.parameter.missing", ["lang"], "Required parameter {0} missing from request"),
        ),
        (
            ProcessingError("elg.request.too.large"),
            413,
            failure("elg.request.too.large", [], "Request size too large"),
        ),
        (
            ProcessingError("elg.permissions.quotaExceeded", detail={"left": 0}),
            429,
            failure("elg.permissions.quotaExceeded", [], "Authorized quota exceeded", {"left": 0}),
        ),
        (
            ProcessingError("elg.request.parameter.invalid", params=["lang", "xx"], status=422),
            422,
            failure(
                "elg.request.parameter.invalid", ["lang", "xx"], 'Value "{1}" is not valid for parameter {0}'
            ),
        ),
        (
            ProcessingError(StandardMessages.generate_elg_response_invalid()),
            500,
            failure("elg.response.invalid", [], "Invalid response message"),
        ),
        (
            ProcessingError(StatusMessage(code="my.own", text="mine {0}", params=["1"])),
            400,
            {"failure": {"errors": [{"code": "my.own", "params": ["1"], "text": "mine {0}"}]}},
        ),
        (
            ProcessingError(StatusMessage(code="my.own", text="mine", params=[]), status=409),
            409,
            {"failure": {"errors": [{"code": "my.own", "params": [], "text": "mine"}]}},
        ),
    ],
)
def test_processing_error_gives_its_code_and_status(error, status, expected):
    class Raises(FlaskService):
        def process_text(self, request):
            raise error

    response = Raises("r").app.test_client().post("/process", json={"type": "text", "content": "x"})
    assert response.status_code == status
    assert response.get_json() == expected


@pytest.mark.parametrize(
    "code, status", [("my.model.down", 400), ("my.model.internalError", 500), ("my.model.internal_error", 500)]
)
def test_returned_failure_with_own_code_is_400_unless_it_names_an_internal_error(code, status):
    class Fails(FlaskService):
        def process_text(self, request):
            return Failure(errors=[StatusMessage(code=code, text="down", params=[])])

    response = Fails("f").app.test_client().post("/process", json={"type": "text", "content": "x"})
    assert response.status_code == status
    assert response.get_json() == {"failure": {"errors": [{"code": code, "params": [], "text": "down"}]}}


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        {"response": {"type": "texts", "texts": []}},
        42,
        "text",
        [1, 2],
        StatusMessage(code="x", text="y", params=[]),
    ],
    ids=["None", "dict", "int", "str", "list", "StatusMessage"],
)
def test_handler_returning_garbage_is_500_response_invalid(garbage):
    class Garbage(FlaskService):
        def process_text(self, request):
            return garbage

    response = Garbage("g").app.test_client().post("/process", json={"type": "text", "content": "x"})
    assert response.status_code == 500
    [error] = response.get_json()["failure"]["errors"]
    assert (error["code"], error["params"], error["text"]) == (
        "elg.response.invalid",
        [],
        "Invalid response message",
    )


def test_health_is_200_json(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert json.loads(response.data) == {"status": "ok", "name": "upper", "endpoints": {"/process": ["text"]}}


@pytest.mark.parametrize(
    "method, path, kwargs",
    [
        ("POST", "/process", {"data": b"{", "content_type": "application/json"}),
        ("POST", "/process", {"data": b"x"}),
        ("POST", "/elsewhere", {"json": {}}),
        ("GET", "/", {}),
        ("GET", "/process", {}),
        ("PUT", "/health", {}),
        ("OPTIONS", "/process", {}),
        ("OPTIONS", "/health", {}),
        ("POST", "/process", {"json": {"type": "text", "content": "x"}}),
    ],
)
def test_never_an_html_response(client, method, path, kwargs):
    response = client.open(path, method=method, **kwargs)
    assert response.mimetype == "application/json"
    body = json.loads(response.data)
    if response.status_code == 200:
        assert set(body) == {"response"}
    else:
        assert set(body) == {"failure"} and body["failure"]["errors"][0]["code"].startswith("elg.")
