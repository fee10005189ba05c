"""examples/dictionary_ner.py: gazetteer persons, regex dates and e-mails."""
from __future__ import annotations

from media import example

from elg_decorators.discovery import load_service
from elg_decorators.model import AnnotationsResponse, Failure, StatusMessage
from elg_decorators.testing import ServiceClient

TEXT = "Ada Lovelace wrote to charles@babbage.org on 1843-07-10."


EXAMPLE = "dictionary_ner"


def test_finds_persons_dates_and_emails(client: ServiceClient) -> None:
    assert client.text(TEXT) == AnnotationsResponse(annotations={
        "Person": [{"start": 0, "end": 12, "features": {"name": "Ada Lovelace"}}],
        "Date": [{"start": 45, "end": 55}],
        "Email": [{"start": 22, "end": 41}],
    })
    assert TEXT[22:41] == "charles@babbage.org"


def test_exact_json_answer() -> None:
    http = load_service(example("dictionary_ner")).app().test_client()

    answer = http.post("/process", json={"type": "text", "content": "Grace Hopper and Alan Turing"})

    assert answer.status_code == 200
    assert answer.content_type == "application/json"
    assert answer.data == (
        b'{"response":{"type":"annotations","annotations":{"Person":['
        b'{"start":0,"end":12,"features":{"name":"Grace Hopper"}},'
        b'{"start":17,"end":28,"features":{"name":"Alan Turing"}}]}}}'
    )


def test_lang_param_chooses_the_gazetteer(client: ServiceClient) -> None:
    text = "Lise Meitner and Ada Lovelace"

    assert client.text(text, params={"lang": "de"}) == AnnotationsResponse(
        annotations={"Person": [{"start": 0, "end": 12, "features": {"name": "Lise Meitner"}}]}
    )
    assert client.text(text) == AnnotationsResponse(
        annotations={"Person": [{"start": 17, "end": 29, "features": {"name": "Ada Lovelace"}}]}
    )


def test_text_without_entities_has_empty_annotations(client: ServiceClient) -> None:
    assert client.text("nothing to see here") == AnnotationsResponse(annotations={})


def test_unknown_language_is_an_invalid_parameter(client: ServiceClient) -> None:
    assert client.text(TEXT, params={"lang": "fr"}, with_status=True) == (400, Failure(errors=[StatusMessage(
        code="elg.request.parameter.invalid", params=["lang", "fr"],
        text='Value "{1}" is not valid for parameter {0}', detail={},
    )]))


def test_handler_is_a_plain_function() -> None:
    module = load_service(example("dictionary_ner")).module

    assert module.ner("Konrad Zuse, 1941-05-12", lang="de") == AnnotationsResponse(annotations={
        "Person": [{"start": 0, "end": 11, "features": {"name": "Konrad Zuse"}}],
        "Date": [{"start": 13, "end": 23}],
    })
