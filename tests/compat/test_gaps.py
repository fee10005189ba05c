"""What the README promises and real services met: content None for classic services, ProcessingError
with any code, parts named request/content, wrong request types, and return values that do not fit."""
from __future__ import annotations

import logging

import pytest

from elg_decorators import FlaskService, ProcessingError, Registry, audio_service, text_service
from elg_decorators.model import AnnotationsResponse, AudioResponse, ClassificationResponse, Failure
from elg_decorators.model.base import StandardMessages
from elg_decorators.testing import ServiceClient

from .exchanges import multipart

AUDIO_ONLY_REQUEST = (("request", "application/json", b'{"type":"audio","format":"MP3"}', None),)


def only_error(answer) -> dict:
    [error] = answer.get_json()["failure"]["errors"]
    return error


# -- content None (classic services) and a 400 naming the content (decorated handlers) ---------


class Received(FlaskService):
    def process_audio(self, request):
        return AnnotationsResponse(features={"content": request.content, "format": request.format})

    def process_image(self, request):
        if request.content is None:
            return Failure(errors=[StandardMessages.generate_elg_request_invalid(detail={"image": "missing"})])
        return AnnotationsResponse(features={"size": len(request.content)})


@pytest.mark.parametrize("send", ["json", "multipart"])
def test_classic_audio_without_content_reaches_process_audio_with_none(send):
    client = Received("r").app.test_client()
    if send == "json":
        answer = client.post("/process", json={"type": "audio", "format": "MP3"})
    else:
        body, content_type = multipart(*AUDIO_ONLY_REQUEST)
        answer = client.post("/process", data=body, content_type=content_type)
    assert answer.get_json() == {"response": {"type": "annotations", "features": {"content": None, "format": "MP3"}}}


def test_classic_image_without_content_gets_the_services_own_answer():
    answer = Received("r").app.test_client().post("/process", json={"type": "image", "format": "png"})
    assert (answer.status_code, only_error(answer)["detail"]) == (400, {"image": "missing"})


def test_decorated_handler_taking_content_gets_a_400_naming_it_before_it_runs():
    registry, calls = Registry("audio"), []

    @audio_service(registry=registry)
    def size(content: bytes) -> AnnotationsResponse:
        calls.append(content)
        return {"size": [{"start": 0, "end": len(content)}]}

    client = ServiceClient(registry).http
    as_json = client.post("/process", json={"type": "audio", "format": "MP3"})
    body, content_type = multipart(*AUDIO_ONLY_REQUEST)
    as_multipart = client.post("/process", data=body, content_type=content_type)
    assert (as_json.status_code, as_multipart.status_code) == (400, 400)
    assert "content part" in only_error(as_json)["detail"]["reason"]
    assert only_error(as_multipart)["detail"]["reason"] == 'the multipart body has no "content" part'
    assert calls == []


# -- ProcessingError with any code -------------------------------------------------------------


@pytest.mark.parametrize("error, status, expected", [
    (ProcessingError("lingsoft.custom.code", text="Custom failure for {0}", params=["fi"]), 400,
     {"code": "lingsoft.custom.code", "params": ["fi"], "text": "Custom failure for {0}", "detail": {}}),
    (ProcessingError("lingsoft.custom.code"), 400,
     {"code": "lingsoft.custom.code", "params": [], "text": "lingsoft.custom.code", "detail": {}}),
    (ProcessingError("lingsoft.model.internalError", text="Model crashed"), 500,
     {"code": "lingsoft.model.internalError", "params": [], "text": "Model crashed", "detail": {}}),
    (ProcessingError("lingsoft.custom.code", text="Busy", status=503), 503,
     {"code": "lingsoft.custom.code", "params": [], "text": "Busy", "detail": {}}),
    (ProcessingError("the model is not loaded yet"), 500,
     {"code": "elg.service.internalError", "params": ["the model is not loaded yet"],
      "text": "the model is not loaded yet", "detail": {}}),
    (ProcessingError("the text must be Finnish", status=422), 422,
     {"code": "elg.request.invalid", "params": [], "text": "the text must be Finnish", "detail": {}}),
    (ProcessingError("elg.request.parameter.missing", params=["lang"]), 400,
     {"code": "elg.request.parameter.missing", "params": ["lang"],
      "text": "Required parameter {0} missing from request", "detail": {}}),
], ids=["own code and text", "own code only", "own internal code", "own code with status", "sentence",
        "sentence with a 4xx status", "standard code"])
def test_processing_error_with_any_code_is_sent_as_given(error, status, expected, caplog):
    class Raises(FlaskService):
        def process_text(self, request):
            raise error

    registry = Registry("raises")

    @text_service(registry=registry)
    def handler(content: str):
        raise error

    with caplog.at_level(logging.INFO, logger="elg_decorators"):
        classic = Raises("r").app.test_client().post("/process", json={"type": "text", "content": "x"})
        decorated = ServiceClient(registry).http.post("/process", json={"type": "text", "content": "x"})
    for answer in (classic, decorated):
        assert (answer.status_code, answer.get_json()) == (status, {"failure": {"errors": [expected]}})
    assert "KeyError" not in caplog.text and "Traceback" not in caplog.text


def test_processing_error_refuses_what_is_neither_a_message_nor_a_code():
    with pytest.raises(TypeError, match="ProcessingError takes a StatusMessage or a code, not dict"):
        ProcessingError({"code": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"ProcessingError\(status, message\) needs a StatusMessage after the status"):
        ProcessingError(500)


# -- multipart part names and wrong request types -----------------------------------------------


@pytest.mark.parametrize("parts, named", [
    ((("meta", "application/json", b'{"type":"audio"}', None), ("content", "audio/mpeg", b"ID3", "a.mp3")), "meta"),
    ((("request", "application/json", b'{"type":"audio"}', None), ("file", "audio/mpeg", b"ID3", "a.mp3")), "file"),
    ((("request", "application/json", b'{"type":"audio"}', None), ("content", "audio/mpeg", b"ID3", "a.mp3"),
      ("extra", "text/plain", b"x", None)), "extra"),
])
def test_multipart_parts_not_named_request_or_content_are_refused(parts, named):
    body, content_type = multipart(*parts)
    answer = Received("r").app.test_client().post("/process", data=body, content_type=content_type)
    assert answer.status_code == 400
    error = only_error(answer)
    assert (error["code"], error["detail"]["reason"]) == ("elg.request.invalid", (
        f"the multipart body has a part named {named!r}: an ELG request has a \"request\" part (the JSON request) "
        "and a \"content\" part (the audio or image)"))


def test_audio_json_to_a_text_only_service_is_an_unsupported_type():
    registry = Registry("text only")

    @text_service(registry=registry)
    def upper(content: str) -> ClassificationResponse:
        return [content.upper()]

    class TextOnly(FlaskService):
        def process_text(self, request):
            return ClassificationResponse(classes=[{"class": "x"}])

    decorated = ServiceClient(registry).http.post("/process", json={"type": "audio", "format": "MP3"})
    classic = TextOnly("t").app.test_client().post("/process", json={"type": "audio", "format": "MP3"})
    expected = {"code": "elg.request.type.unsupported", "params": ["audio"],
                "text": "Request type {0} not supported by this service", "detail": {}}
    for answer in (decorated, classic):
        assert (answer.status_code, only_error(answer)) == (400, expected)


# -- return values that do not fit their annotation ---------------------------------------------


def test_a_dict_that_is_not_a_classification_is_500_response_invalid():
    registry = Registry("classifier")

    @text_service(registry=registry)
    def classify(content: str) -> ClassificationResponse:
        return {"not": "a classification"}

    answer = ServiceClient(registry).http.post("/process", json={"type": "text", "content": "x"})
    assert answer.status_code == 500
    error = only_error(answer)
    assert error["code"] == "elg.response.invalid"
    assert error["detail"]["reason"].startswith("the value returned is not a valid ClassificationResponse")


@pytest.mark.parametrize("content", ["not base64!", "QUJD=", "QUJ"])
def test_audio_content_that_is_not_base64_is_500_response_invalid(content):
    registry = Registry("speech")

    @text_service(registry=registry)
    def speak(text: str = "") -> AudioResponse:
        return {"content": content, "format": "MP3"}

    answer = ServiceClient(registry).http.post("/process", json={"type": "text", "content": "x"})
    assert answer.status_code == 500
    assert only_error(answer)["code"] == "elg.response.invalid"
    # Where and what kind of error, never the value (the log has the message).
    assert only_error(answer)["detail"] == {
        "reason": "the value returned is not a valid AudioResponse",
        "errors": [{"location": "content", "type": "value_error"}],
    }


def test_audio_content_in_base64_goes_out_as_is():
    registry = Registry("speech")

    @text_service(registry=registry)
    def speak(text: str = "") -> AudioResponse:
        return {"content": "SUQz", "format": "MP3"}

    answer = ServiceClient(registry).http.post("/process", json={"type": "text", "content": "x"})
    assert answer.get_json() == {"response": {"type": "audio", "content": "SUQz", "format": "MP3"}}
