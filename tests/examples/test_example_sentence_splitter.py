"""examples/sentence_splitter.py: structured text split into sentences and tokens."""
from __future__ import annotations

from media import example

from elg_decorators.discovery import load_service
from elg_decorators.model import TextsResponse
from elg_decorators.testing import ServiceClient


def tokens(*words: str) -> list:
    return [{"role": "token", "content": word} for word in words]


def test_each_leaf_becomes_sentences_of_tokens() -> None:
    client = ServiceClient.for_module(example("sentence_splitter"))

    response = client.structured_text(["Hello world. How are you?", "Fine!"])

    assert response == TextsResponse(texts=[
        {"role": "paragraph", "texts": [
            {"role": "sentence", "features": {"start": 0, "end": 12}, "texts": tokens("Hello", "world", ".")},
            {"role": "sentence", "features": {"start": 13, "end": 25}, "texts": tokens("How", "are", "you", "?")},
        ]},
        {"role": "paragraph", "texts": [
            {"role": "sentence", "features": {"start": 0, "end": 5}, "texts": tokens("Fine", "!")},
        ]},
    ])


def test_branches_keep_their_structure() -> None:
    client = ServiceClient.for_module(example("sentence_splitter"))

    response = client.structured_text([{"texts": [{"content": "One."}, {"texts": [{"content": "Two"}]}]}])

    assert response == TextsResponse(texts=[{"texts": [
        {"role": "paragraph", "texts": [
            {"role": "sentence", "features": {"start": 0, "end": 4}, "texts": tokens("One", ".")},
        ]},
        {"texts": [{"role": "paragraph", "texts": [
            {"role": "sentence", "features": {"start": 0, "end": 3}, "texts": tokens("Two")},
        ]}]},
    ]}])


def test_exact_json_answer() -> None:
    http = load_service(example("sentence_splitter")).app().test_client()

    answer = http.post("/process", json={"type": "structuredText", "texts": [{"content": "Hi there."}]})

    assert answer.data == (
        b'{"response":{"type":"texts","texts":[{"role":"paragraph","texts":[{"role":"sentence","texts":['
        b'{"role":"token","content":"Hi"},{"role":"token","content":"there"},{"role":"token","content":"."}],'
        b'"features":{"start":0,"end":9}}]}]}}'
    )


def test_a_text_request_is_not_supported() -> None:
    status, failure = ServiceClient.for_module(example("sentence_splitter")).text("Hi.", with_status=True)

    assert (status, failure.errors[0].code, failure.errors[0].params) == (
        400, "elg.request.type.unsupported", ["text"],
    )
