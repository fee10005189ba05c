"""examples/sentiment.py: lexicon classifier with typed params, returning plain lists."""
from __future__ import annotations

from media import example

from elg_decorators.discovery import load_service
from elg_decorators.model import ClassificationResponse
from elg_decorators.testing import ServiceClient


EXAMPLE = "sentiment"


def test_positive_text_gives_the_best_class(client: ServiceClient) -> None:
    # 5 words, weights great 2.0 + happy 1.5: mean 0.7
    assert client.text("What a great, happy day") == ClassificationResponse(
        classes=[{"class": "positive", "score": 0.7}]
    )


def test_top_k_returns_more_classes_in_order(client: ServiceClient) -> None:
    assert client.text("What a great, happy day", params={"top_k": 3}) == ClassificationResponse(classes=[
        {"class": "positive", "score": 0.7}, {"class": "neutral", "score": 0.3}, {"class": "negative", "score": 0.0},
    ])


def test_params_sent_as_strings_are_converted(client: ServiceClient) -> None:
    # mean 0.7 is not above the threshold 0.9: neutral, though positive scores higher
    assert client.text("What a great, happy day", params={"threshold": "0.9", "top_k": "2"}) == ClassificationResponse(
        classes=[{"class": "neutral", "score": 0.3}, {"class": "positive", "score": 0.7}]
    )


def test_negative_text(client: ServiceClient) -> None:
    assert client.text("awful") == ClassificationResponse(classes=[{"class": "negative", "score": 1.0}])


def test_exact_json_answer() -> None:
    http = load_service(example("sentiment")).app().test_client()

    answer = http.post("/process", json={"type": "text", "content": "sad", "params": {"top_k": 2}})

    assert answer.data == (
        b'{"response":{"type":"classification","classes":'
        b'[{"class":"negative","score":1.0},{"class":"positive","score":0.0}]}}'
    )


def test_invalid_top_k_is_a_400(client: ServiceClient) -> None:
    status, failure = client.text("good", params={"top_k": "all"}, with_status=True)

    assert status == 400
    assert (failure.errors[0].code, failure.errors[0].params) == ("elg.request.parameter.invalid", ["top_k", "all"])
