"""examples/slow_progress.py: a generator handler streaming progress events."""
from __future__ import annotations

from media import example

from elg_decorators.discovery import load_service
from elg_decorators.model import AnnotationsResponse, Progress, StatusMessage, TextRequest
from elg_decorators.testing import ServiceClient

RESULT = AnnotationsResponse(features={"words": 3}, annotations={"Word": [
    {"start": 0, "end": 3}, {"start": 4, "end": 7}, {"start": 9, "end": 14},
]})


def progress(percent: float, number: int) -> Progress:
    return Progress(percent=percent, message=StatusMessage(
        code="example.word.done", text="Word {0} of {1} done", params=[str(number), "3"],
    ))


EXAMPLE = "slow_progress"


def test_streams_one_progress_event_per_word_then_the_result(client: ServiceClient) -> None:
    request = TextRequest(content="one two  three", params={"delay": 0})

    assert list(client.stream(request)) == [progress(33.3, 1), progress(66.7, 2), progress(100.0, 3), RESULT]


def test_exact_event_stream() -> None:
    http = load_service(example("slow_progress")).app().test_client()

    answer = http.post("/process", json={"type": "text", "content": "hi", "params": {"delay": 0}},
                       headers={"Accept": "text/event-stream"})

    assert answer.status_code == 200
    assert answer.mimetype == "text/event-stream"
    assert answer.data == (
        b'data:{"progress":{"percent":100.0,"message":{"code":"example.word.done","params":["1","1"],'
        b'"text":"Word {0} of {1} done"}}}\r\n\r\n'
        b'data:{"response":{"type":"annotations","features":{"words":1},'
        b'"annotations":{"Word":[{"start":0,"end":2}]}}}\r\n\r\n'
    )


def test_without_event_stream_only_the_result_is_sent(client: ServiceClient) -> None:
    assert client.text("one two  three", params={"delay": "0"}, with_status=True) == (200, RESULT)


def test_invalid_delay(client: ServiceClient) -> None:
    status, failure = client.text("x", params={"delay": "soon"}, with_status=True)

    assert (status, failure.errors[0].code, failure.errors[0].params) == (
        400, "elg.request.parameter.invalid", ["delay", "soon"],
    )
