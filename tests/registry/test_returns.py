"""What handlers return or raise, and what the client receives."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from elg_decorators import ProcessingError, Registry, text_service
from elg_decorators.model import (
    AnnotationsResponse,
    ClassificationResponse,
    Failure,
    Progress,
    StatusMessage,
    TextsResponse,
)
from elg_decorators.testing import ServiceClient


def post(registry: Registry, path: str = "/process", **headers: str):
    """POST a text request for "hi" to the registry's app and return the Flask test response."""
    return ServiceClient(registry).http.post(path, json={"type": "text", "content": "hi"}, headers=headers)


def reason_of(answer) -> str:
    return answer.get_json()["failure"]["errors"][0]["detail"]["reason"]


def test_a_response_model_goes_out_as_is(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str):
        return AnnotationsResponse(annotations={"Greeting": [{"start": 0, "end": 2}]})

    answer = post(registry)

    assert answer.status_code == 200
    assert answer.content_type == "application/json"
    assert answer.data == b'{"response":{"type":"annotations","annotations":{"Greeting":[{"start":0,"end":2}]}}}'


def test_a_returned_failure_goes_out_with_the_status_of_its_code(registry: Registry) -> None:
    failure = Failure(errors=[StatusMessage(code="elg.request.text.mimeType.unsupported", text="MIME type {0} "
                                            "not supported by this service", params=["text/html"])])

    @text_service(registry=registry)
    def handler(content: str):
        return failure

    status, message = ServiceClient(registry).text("x", with_status=True)

    assert (status, message) == (400, failure)


def test_str_becomes_a_texts_response(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> TextsResponse:
        return content.upper()

    assert ServiceClient(registry).text("hi") == TextsResponse(texts=[{"content": "HI"}])


def test_list_becomes_a_texts_response(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> TextsResponse:
        return ["first", {"content": "second", "score": 0.5}]

    assert ServiceClient(registry).text("hi") == TextsResponse(
        texts=[{"content": "first"}, {"content": "second", "score": 0.5}]
    )


def test_dict_with_texts_becomes_a_texts_response(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> TextsResponse:
        return {"texts": [{"role": "alternative", "content": content}]}

    answer = post(registry)

    assert answer.data == b'{"response":{"type":"texts","texts":[{"role":"alternative","content":"hi"}]}}'


def test_dict_becomes_a_classification_response(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> ClassificationResponse:
        return {"class": "pos", "score": 0.9}

    assert ServiceClient(registry).text("hi") == ClassificationResponse(classes=[{"class": "pos", "score": 0.9}])


def test_list_becomes_a_classification_response(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> ClassificationResponse:
        return [{"class": "pos", "score": 0.9}, "neutral"]

    answer = post(registry)

    assert answer.data == (
        b'{"response":{"type":"classification","classes":[{"class":"pos","score":0.9},{"class":"neutral"}]}}'
    )


def test_mapping_becomes_an_annotations_response(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> AnnotationsResponse:
        return {"Person": [{"start": 0, "end": 2, "features": {"name": content}}]}

    assert ServiceClient(registry).text("hi") == AnnotationsResponse(
        annotations={"Person": [{"start": 0, "end": 2, "features": {"name": "hi"}}]}
    )


def test_an_empty_mapping_is_a_response_without_annotations(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> AnnotationsResponse:
        return {kind: spans for kind, spans in {"Person": []}.items() if spans}  # nothing found

    answer = post(registry)

    assert answer.status_code == 200
    assert answer.get_json() == {"response": {"type": "annotations", "annotations": {}}}


def test_dict_with_features_becomes_an_annotations_response(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> AnnotationsResponse:
        return {"features": {"length": len(content)}}

    assert ServiceClient(registry).text("hi") == AnnotationsResponse(features={"length": 2})


def test_optional_and_union_annotations_name_the_response(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> TextsResponse | Failure | None:
        return content

    assert ServiceClient(registry).text("hi") == TextsResponse(texts=[{"content": "hi"}])


def test_value_failing_validation_is_a_500_response_invalid(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> ClassificationResponse:
        return {"classes": "not a list"}

    answer = post(registry)

    assert answer.status_code == 500
    errors = answer.get_json()["failure"]["errors"]
    assert [(error["code"], error["params"], error["text"]) for error in errors] == [
        ("elg.response.invalid", [], "Invalid response message")
    ]
    assert errors[0]["detail"] == {
        "reason": "the value returned is not a valid ClassificationResponse",
        "errors": [{"location": "classes", "type": "list_type"}],
    }


def test_annotations_response_needs_features_or_annotations(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> AnnotationsResponse:
        return {"features": None}

    answer = post(registry)

    assert answer.status_code == 500
    assert answer.get_json()["failure"]["errors"][0]["code"] == "elg.response.invalid"


@pytest.mark.parametrize("value", [None, 42, object(), b"bytes"])
def test_none_or_garbage_is_a_500_response_invalid(registry: Registry, value: object) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> TextsResponse:
        return value

    answer = post(registry)

    assert answer.status_code == 500
    assert answer.content_type == "application/json"
    assert answer.get_json()["failure"]["errors"][0]["code"] == "elg.response.invalid"
    assert reason_of(answer) == f"the handler returned {type(value).__name__}, not an ELG response"


def test_dict_without_return_annotation_says_to_annotate(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str):
        return {"texts": [{"content": content}]}

    answer = post(registry)

    assert answer.status_code == 500
    assert reason_of(answer) == (
        "the handler returned dict, not an ELG response "
        "(annotate the return type to have a dict, str or list converted)"
    )


def test_processing_error_sends_its_code_and_status(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str):
        raise ProcessingError("elg.request.too.large")

    status, failure = ServiceClient(registry).text("x", with_status=True)

    assert (status, failure) == (413, Failure(errors=[StatusMessage(
        code="elg.request.too.large", params=[], text="Request size too large", detail={},
    )]))


def test_processing_error_with_own_message_and_status(registry: Registry) -> None:
    message = StatusMessage(code="example.quota", text="Only {0} requests a day", params=["5"])

    @text_service(registry=registry)
    def handler(content: str):
        raise ProcessingError(message, status=429)

    assert ServiceClient(registry).text("x", with_status=True) == (429, Failure(errors=[message]))


def test_other_exceptions_are_500_internal_errors_with_the_message(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str):
        raise KeyError("model not loaded")

    answer = post(registry)

    assert answer.status_code == 500
    assert answer.data == (
        b'{"failure":{"errors":[{"code":"elg.service.internalError","params":["\'model not loaded\'"],'
        b'"text":"Internal error during processing: {0}","detail":{}}]}}'
    )


def test_async_handler(registry: Registry) -> None:
    @text_service(registry=registry)
    async def handler(content: str, delay: float = 0.0) -> TextsResponse:
        await asyncio.sleep(delay)
        return content[::-1]

    client = ServiceClient(registry)

    assert client.text("abc", params={"delay": "0.001"}) == TextsResponse(texts=[{"content": "cba"}])
    assert client.text("xyz") == TextsResponse(texts=[{"content": "zyx"}])


def test_async_handler_raising(registry: Registry) -> None:
    @text_service(registry=registry)
    async def handler(content: str):
        raise ProcessingError("elg.request.parameter.invalid", params=["content", content])

    status, failure = ServiceClient(registry).text("bad", with_status=True)

    assert (status, failure.errors[0].code, failure.errors[0].params) == (
        400, "elg.request.parameter.invalid", ["content", "bad"],
    )


def counting(content: str) -> Iterator[Progress | dict]:
    for percent in (25.0, 75.0):
        yield Progress(percent=percent)
    yield {"texts": [{"content": content}]}


def test_generator_streams_server_sent_events_with_dicts_coerced(registry: Registry) -> None:
    def handler(content: str) -> Iterator[Progress | TextsResponse]:
        return counting(content)

    text_service(registry=registry)(handler)

    answer = post(registry, Accept="text/event-stream")

    assert answer.status_code == 200
    assert answer.mimetype == "text/event-stream"
    assert answer.headers["Cache-Control"] == "no-cache"
    assert answer.data == (
        b'data:{"progress":{"percent":25.0}}\r\n\r\n'
        b'data:{"progress":{"percent":75.0}}\r\n\r\n'
        b'data:{"response":{"type":"texts","texts":[{"content":"hi"}]}}\r\n\r\n'
    )


def test_generator_without_event_stream_accept_collapses_to_the_response(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> Iterator[Progress | TextsResponse]:
        yield from counting(content)

    for accept in ("*/*", "text/*", "application/json", "text/event-stream;q=0"):
        answer = post(registry, Accept=accept)
        assert (answer.status_code, answer.mimetype) == (200, "application/json"), accept
        assert answer.get_json() == {"response": {"type": "texts", "texts": [{"content": "hi"}]}}


def test_service_client_stream_parses_each_event(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> Iterator[Progress | TextsResponse]:
        yield from counting(content)

    events: list[object] = list(ServiceClient(registry).stream("hey"))

    assert events == [Progress(percent=25.0), Progress(percent=75.0), TextsResponse(texts=[{"content": "hey"}])]


def test_client_disconnect_closes_the_handler_generator(registry: Registry) -> None:
    closed = []

    @text_service(registry=registry)
    def handler(content: str):
        try:
            yield Progress(percent=10.0)
            yield Progress(percent=20.0)
            yield TextsResponse(texts=[{"content": content}])
        finally:
            closed.append(True)

    answer = ServiceClient(registry).http.post(
        "/process", json={"type": "text", "content": "hi"}, headers={"Accept": "text/event-stream"}, buffered=False,
    )
    first = next(iter(answer.response))
    answer.close()  # the client goes away after the first event

    assert first == b'data:{"progress":{"percent":10.0}}\r\n\r\n'
    assert closed == [True]


def test_async_generator_streams(registry: Registry) -> None:
    @text_service(registry=registry)
    async def handler(content: str) -> AsyncIterator[Progress | TextsResponse]:
        for step in range(1, 3):
            await asyncio.sleep(0)
            yield Progress(percent=50.0 * step)
        yield content.upper()

    assert list(ServiceClient(registry).stream("hey")) == [
        Progress(percent=50.0), Progress(percent=100.0), TextsResponse(texts=[{"content": "HEY"}]),
    ]
    assert ServiceClient(registry).text("hey") == TextsResponse(texts=[{"content": "HEY"}])


def test_error_inside_a_stream_ends_it_with_a_failure_event(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str):
        yield Progress(percent=10.0)
        raise ProcessingError("elg.request.parameter.invalid", params=["content", content])

    events = list(ServiceClient(registry).stream("oops"))

    assert events == [
        Progress(percent=10.0),
        Failure(errors=[StatusMessage(code="elg.request.parameter.invalid", params=["content", "oops"],
                                      text='Value "{1}" is not valid for parameter {0}', detail={})]),
    ]
    status, failure = ServiceClient(registry).text("oops", with_status=True)
    assert (status, failure.errors[0].code) == (400, "elg.request.parameter.invalid")


def test_exception_inside_a_stream_is_an_internal_error(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str):
        yield Progress(percent=10.0)
        raise ValueError("half way")

    *progress, last = ServiceClient(registry).stream("x")

    assert progress == [Progress(percent=10.0)]
    assert (last.errors[0].code, last.errors[0].params) == ("elg.service.internalError", ["half way"])


def test_stream_ending_without_a_response_is_response_invalid(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str):
        yield Progress(percent=10.0)

    answer = post(registry)

    assert answer.status_code == 500
    assert answer.get_json()["failure"]["errors"][0]["code"] == "elg.response.invalid"
    assert reason_of(answer) == "the stream ended without a response or failure"


def test_unannotated_stream_yielding_a_dict_is_response_invalid(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str):
        yield {"texts": [{"content": content}]}

    answer = post(registry)

    assert answer.status_code == 500
    assert answer.get_json()["failure"]["errors"][0]["code"] == "elg.response.invalid"
