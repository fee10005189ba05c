"""examples/translate.py: URL variables as handler arguments."""
from __future__ import annotations

import pytest
from media import example

from elg_decorators.discovery import load_service
from elg_decorators.model import TextsResponse
from elg_decorators.testing import ServiceClient


@pytest.fixture
def client() -> ServiceClient:
    return ServiceClient.for_module(example("translate"), path="/translate/en/de")


def test_translates_word_by_word(client: ServiceClient) -> None:
    assert client.text("The cat drinks milk now") == TextsResponse(
        texts=[{"content": "die Katze trinkt Milch now", "features": {"source": "en", "target": "de"}}]
    )


def test_target_language_comes_from_the_url(client: ServiceClient) -> None:
    assert client.text("the dog", path="/translate/en/fr") == TextsResponse(
        texts=[{"content": "le chien", "features": {"source": "en", "target": "fr"}}]
    )


def test_exact_json_answer() -> None:
    http = load_service(example("translate")).app().test_client()

    answer = http.post("/translate/en/de", json={"type": "text", "content": "the cat"})

    assert answer.data == (
        b'{"response":{"type":"texts","texts":[{"content":"die Katze","features":{"source":"en","target":"de"}}]}}'
    )


def test_unknown_language_pair(client: ServiceClient) -> None:
    status, failure = client.text("the cat", path="/translate/de/en", with_status=True)

    assert status == 400
    assert failure.errors[0].code == "elg.request.parameter.invalid"
    assert failure.errors[0].render() == 'Value "de/en" is not valid for parameter language pair'
    assert failure.errors[0].detail == {"supported": "en/de, en/fr"}


def test_process_is_not_served(client: ServiceClient) -> None:
    status, failure = client.text("the cat", path="/process", with_status=True)

    assert (status, failure.errors[0].code) == (404, "elg.service.not.found")
