"""Server-sent events: progress messages then exactly one terminal message, in the ELG wire format."""

from __future__ import annotations

import json

import pytest

from elg_decorators import FlaskService, ProcessingError
from elg_decorators.model import (
    AnnotationsResponse,
    Failure,
    Progress,
    StandardMessages,
    StatusMessage,
)
from elg_decorators.testing import event_data, event_messages

SSE = {"Accept": "text/event-stream"}
TEXT = {"type": "text", "content": "hello"}


def parse_events(data: bytes) -> list:
    """The JSON of each event, checking each is ``data:`` + compact JSON + CRLF CRLF."""
    events = event_messages(data)
    for payload, parsed in zip(event_data(data), events):
        assert payload == json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode()
    return events


def streaming_service(handler):
    """A service whose process_text is ``handler`` (a generator function taking the request)."""
    cls = type("Streaming", (FlaskService,), {"process_text": lambda self, request: handler(request)})
    return cls("streaming")


def progress_then_response(request):
    yield Progress(percent=10)
    yield Progress(percent=50, message=StatusMessage(code="x.step", text="step {0}", params=["1"]))
    yield AnnotationsResponse(features={"n": 1, "text": request.content})


def test_generator_streams_progress_then_the_response():
    response = (
        streaming_service(progress_then_response).app.test_client().post("/process", json=TEXT, headers=SSE)
    )
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.data == (
        b'data:{"progress":{"percent":10.0}}\r\n\r\n'
        b'data:{"progress":{"percent":50.0,"message":{"code":"x.step","params":["1"],"text":"step {0}"}}}\r\n\r\n'
        b'data:{"response":{"type":"annotations","features":{"n":1,"text":"hello"}}}\r\n\r\n'
    )


def test_events_are_read_one_by_one_as_they_are_produced():
    produced = []

    def handler(request):
        for percent in (0, 25, 75):
            produced.append(percent)
            yield Progress(percent=percent)
        produced.append("response")
        yield AnnotationsResponse(features={"done": True})

    response = (
        streaming_service(handler).app.test_client().post("/process", json=TEXT, headers=SSE, buffered=False)
    )
    chunks = iter(response.response)
    first = next(chunks)
    assert parse_events(first) == [{"progress": {"percent": 0.0}}]
    assert produced == [0]
    rest = parse_events(b"".join(chunks))
    assert rest == [
        {"progress": {"percent": 25.0}},
        {"progress": {"percent": 75.0}},
        {"response": {"type": "annotations", "features": {"done": True}}},
    ]
    response.close()


def test_async_generator_streams_the_same():
    async def handler(request):
        yield Progress(percent=10)
        yield Progress(percent=50, message=StatusMessage(code="x.step", text="step {0}", params=["1"]))
        yield AnnotationsResponse(features={"n": 1, "text": request.content})

    sync = (
        streaming_service(progress_then_response).app.test_client().post("/process", json=TEXT, headers=SSE)
    )
    asyn = streaming_service(handler).app.test_client().post("/process", json=TEXT, headers=SSE)
    assert asyn.status_code == 200 and asyn.mimetype == "text/event-stream"
    assert asyn.data == sync.data


def test_utf8_in_events_is_not_escaped():
    def handler(request):
        yield AnnotationsResponse(features={"greeting": "Grüße 世界"})

    response = streaming_service(handler).app.test_client().post("/process", json=TEXT, headers=SSE)
    assert (
        response.data
        == 'data:{"response":{"type":"annotations","features":{"greeting":"Grüße 世界"}}}\r\n\r\n'.encode()
    )


def test_failure_is_a_terminal_event():
    def handler(request):
        yield Progress(percent=5)
        yield Failure(errors=[StandardMessages.generate_elg_request_parameter_missing(params=["lang"])])
        yield AnnotationsResponse(features={"never": "sent"})

    response = streaming_service(handler).app.test_client().post("/process", json=TEXT, headers=SSE)
    assert parse_events(response.data) == [
        {"progress": {"percent": 5.0}},
        {
            "failure": {
                "errors": [
                    {
                        "code": "elg.request.parameter.missing",
                        "params": ["lang"],
                        "text": "Required parameter {0} missing from request",
                        "detail": {},
                    }
                ]
            }
        },
    ]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_exception_mid_stream_is_a_terminal_failure_event(kind):
    def sync_handler(request):
        yield Progress(percent=10)
        raise RuntimeError("GPU melted")

    async def async_handler(request):
        yield Progress(percent=10)
        raise RuntimeError("GPU melted")

    handler = sync_handler if kind == "sync" else async_handler
    response = streaming_service(handler).app.test_client().post("/process", json=TEXT, headers=SSE)
    assert response.status_code == 200
    assert parse_events(response.data) == [
        {"progress": {"percent": 10.0}},
        {
            "failure": {
                "errors": [
                    {
                        "code": "elg.service.internalError",
                        "params": ["GPU melted"],
                        "text": "Internal error during processing: {0}",
                        "detail": {},
                    }
                ]
            }
        },
    ]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_exception_mid_stream_without_sse_is_500_json(kind):
    def sync_handler(request):
        yield Progress(percent=10)
        raise RuntimeError("GPU melted")

    async def async_handler(request):
        yield Progress(percent=10)
        raise RuntimeError("GPU melted")

    handler = sync_handler if kind == "sync" else async_handler
    response = streaming_service(handler).app.test_client().post("/process", json=TEXT)
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "failure": {
            "errors": [
                {
                    "code": "elg.service.internalError",
                    "params": ["GPU melted"],
                    "text": "Internal error during processing: {0}",
                    "detail": {},
                }
            ]
        }
    }


def test_processing_error_mid_stream_keeps_its_code():
    def handler(request):
        yield Progress(percent=1)
        raise ProcessingError("elg.request.parameter.invalid", params=["lang", "xx"])

    client = streaming_service(handler).app.test_client()
    events = parse_events(client.post("/process", json=TEXT, headers=SSE).data)
    assert events[-1] == {
        "failure": {
            "errors": [
                {
                    "code": "elg.request.parameter.invalid",
                    "params": ["lang", "xx"],
                    "text": 'Value "{1}" is not valid for parameter {0}',
                    "detail": {},
                }
            ]
        }
    }
    plain = client.post("/process", json=TEXT)
    assert plain.status_code == 400
    assert plain.get_json() == {"failure": events[-1]["failure"]}


@pytest.mark.parametrize("accept", [SSE, {}], ids=["sse", "plain"])
def test_stream_ending_without_a_response_is_response_invalid(accept):
    def handler(request):
        yield Progress(percent=10)
        yield Progress(percent=90)

    response = streaming_service(handler).app.test_client().post("/process", json=TEXT, headers=accept)
    if accept:
        events = parse_events(response.data)
        assert events[:2] == [{"progress": {"percent": 10.0}}, {"progress": {"percent": 90.0}}]
        terminal = events[2:]
    else:
        assert response.status_code == 500
        terminal = [response.get_json()]
    [message] = terminal
    [error] = message["failure"]["errors"]
    assert (error["code"], error["params"]) == ("elg.response.invalid", [])


def test_item_that_is_not_a_message_ends_the_stream_with_response_invalid():
    def handler(request):
        yield Progress(percent=10)
        yield {"progress": {"percent": 20}}
        yield AnnotationsResponse(features={"never": "sent"})

    events = parse_events(
        streaming_service(handler).app.test_client().post("/process", json=TEXT, headers=SSE).data
    )
    assert events[0] == {"progress": {"percent": 10.0}}
    [terminal] = events[1:]
    assert terminal["failure"]["errors"][0]["code"] == "elg.response.invalid"


@pytest.mark.parametrize("accept", [SSE, {}], ids=["sse", "plain"])
def test_messages_after_the_final_one_are_dropped_without_draining_the_generator(accept):
    steps = []

    def handler(request):
        try:
            steps.append("progress")
            yield Progress(percent=50)
            steps.append("response")
            yield AnnotationsResponse(features={"final": 1})
            steps.append("extra 1")
            yield Progress(percent=99)
            steps.append("extra 2")
            yield AnnotationsResponse(features={"final": 2})
            steps.append("extra 3")
        finally:
            steps.append("closed")

    response = streaming_service(handler).app.test_client().post("/process", json=TEXT, headers=accept)
    final = {"response": {"type": "annotations", "features": {"final": 1}}}
    if accept:
        assert parse_events(response.data) == [{"progress": {"percent": 50.0}}, final]
    else:
        assert response.get_json() == final
    # at most one look-ahead after the final message, then the generator is closed
    assert steps in (["progress", "response", "closed"], ["progress", "response", "extra 1", "closed"])


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_client_that_stops_reading_closes_the_generator(kind):
    steps = []

    def sync_handler(request):
        try:
            for percent in range(0, 100, 10):
                steps.append(percent)
                yield Progress(percent=percent)
            yield AnnotationsResponse(features={})
        except GeneratorExit:
            steps.append("GeneratorExit")
            raise
        finally:
            steps.append("finally")

    async def async_handler(request):
        try:
            for percent in range(0, 100, 10):
                steps.append(percent)
                yield Progress(percent=percent)
            yield AnnotationsResponse(features={})
        except GeneratorExit:
            steps.append("GeneratorExit")
            raise
        finally:
            steps.append("finally")

    handler = sync_handler if kind == "sync" else async_handler
    response = (
        streaming_service(handler).app.test_client().post("/process", json=TEXT, headers=SSE, buffered=False)
    )
    chunks = iter(response.response)
    assert parse_events(next(chunks)) == [{"progress": {"percent": 0.0}}]
    assert parse_events(next(chunks)) == [{"progress": {"percent": 10.0}}]
    response.close()
    assert steps == [0, 10, "GeneratorExit", "finally"]


def test_generator_can_read_the_request_while_streaming():
    class Paths(FlaskService):
        def process_text(self, request):
            yield Progress(percent=0)
            yield AnnotationsResponse(features={"lang": self.url_param("lang")})

    client = Paths("paths", path="/ner/<lang>").app.test_client()
    events = parse_events(client.post("/ner/fi", json=TEXT, headers=SSE).data)
    assert events[-1] == {"response": {"type": "annotations", "features": {"lang": "fi"}}}


def test_response_that_cannot_be_serialised_still_ends_the_stream_with_a_failure():
    def handler(request):
        yield Progress(percent=10)
        yield AnnotationsResponse(features={"model": object()})

    response = streaming_service(handler).app.test_client().post("/process", json=TEXT, headers=SSE)
    events = parse_events(response.data)
    assert events[0] == {"progress": {"percent": 10.0}}
    [terminal] = events[1:]
    [error] = terminal["failure"]["errors"]
    assert error["code"] in ("elg.response.invalid", "elg.service.internalError")
