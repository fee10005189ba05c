"""The ELG message models: names on construction, wire form, validation rules, parsing back."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from elg_decorators.model import (
    Annotation,
    AnnotationsResponse,
    AudioRequest,
    AudioResponse,
    ClassesResponse,
    ClassificationResponse,
    Failure,
    ImageRequest,
    Progress,
    StatusMessage,
    StructuredTextRequest,
    Text,
    TextRequest,
    TextsResponse,
    TextsResponseObject,
    get_response,
)
from elg_decorators.kinds import REQUEST_KINDS


def nested_texts(levels: int) -> dict:
    """A structuredText request whose single leaf sits ``levels`` lists deep."""
    node: dict = {"content": "leaf"}
    for _ in range(levels - 1):
        node = {"texts": [node]}
    return {"type": "structuredText", "texts": [node]}


# -- Python names and camelCase wire names ------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"start": 0, "end": 4, "source_start": 1, "source_end": 5},
        {"start": 0, "end": 4, "sourceStart": 1, "sourceEnd": 5},
    ],
)
def test_annotation_accepts_python_and_wire_names_and_emits_camel_case(fields):
    annotation = Annotation(**fields)
    assert (annotation.source_start, annotation.source_end) == (1, 5)
    assert annotation.json() == '{"start":0,"end":4,"sourceStart":1,"sourceEnd":5}'


@pytest.mark.parametrize("fields", [{"sample_rate": 16000}, {"sampleRate": 16000}])
def test_audio_request_accepts_sample_rate_under_both_names(fields):
    request = AudioRequest(**fields)
    assert request.sample_rate == 16000
    assert json.loads(request.json()) == {"type": "audio", "format": "LINEAR16", "sampleRate": 16000}


@pytest.mark.parametrize("fields", [{"class_field": "spam"}, {"class": "spam"}])
def test_classes_response_accepts_class_field_and_class(fields):
    klass = ClassesResponse(**fields, score=0.5)
    assert klass.class_field == "spam"
    assert klass.json() == '{"class":"spam","score":0.5}'


@pytest.mark.parametrize("fields", [{"mime_type": "text/html"}, {"mimeType": "text/html"}])
def test_text_request_mime_type_under_both_names(fields):
    request = TextRequest(content="<b>x</b>", **fields)
    assert request.mime_type == "text/html"
    assert request.mimeType == "text/html"
    assert request.json() == '{"type":"text","content":"<b>x</b>","mimeType":"text/html"}'


def test_text_request_defaults():
    request = TextRequest(content="hello")
    assert request.json() == '{"type":"text","content":"hello","mimeType":"text/plain"}'


def test_text_request_rejects_another_type():
    with pytest.raises(ValidationError):
        TextRequest(type="audio", content="x")


def test_unknown_properties_are_ignored():
    request = REQUEST_KINDS.adapter.validate_python({"type": "text", "content": "x", "colour": "blue"})
    assert isinstance(request, TextRequest)
    assert json.loads(request.json()) == {"type": "text", "content": "x", "mimeType": "text/plain"}


# -- request validation rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, stored",
    [
        ("LINEAR16", "LINEAR16"),
        ("linear16", "LINEAR16"),
        ("MP3", "MP3"),
        ("mp3", "MP3"),
        ("Mp3", "MP3"),
    ],
)
def test_audio_request_format_is_upper_cased(given, stored):
    assert AudioRequest(format=given).format == stored


@pytest.mark.parametrize("bad", ["wav", "FLAC", "", "mpeg"])
def test_audio_request_rejects_other_formats(bad):
    with pytest.raises(ValidationError):
        AudioRequest(format=bad)


@pytest.mark.parametrize("given", ["tiff", "bmp", "png", "jpeg", "gif", "PNG", "Jpeg", "GIF", "TIFF"])
def test_image_request_formats_are_case_insensitive_and_keep_case(given):
    assert ImageRequest(format=given).format == given


@pytest.mark.parametrize("bad", ["jpg", "svg", "webp", ""])
def test_image_request_rejects_other_formats(bad):
    with pytest.raises(ValidationError):
        ImageRequest(format=bad)


def test_image_request_default_format_and_no_annotations_on_the_wire():
    request = ImageRequest.model_validate({"type": "image", "annotations": {"A": [{"start": 0, "end": 1}]}})
    assert json.loads(request.json()) == {"type": "image", "format": "png"}


def test_binary_content_never_appears_in_the_json():
    request = AudioRequest(content=b"\x00\x01", format="mp3", sample_rate=8000)
    assert request.content == b"\x00\x01"
    assert request.json() == '{"type":"audio","format":"MP3","sampleRate":8000}'


def test_structured_text_node_needs_content_or_texts():
    with pytest.raises(ValidationError):
        Text(mime_type="text/plain")
    with pytest.raises(ValidationError):
        StructuredTextRequest(texts=[{"features": {"a": 1}}])


def test_structured_text_keeps_a_clients_html_mime_type():
    request = REQUEST_KINDS.adapter.validate_json(
        '{"type":"structuredText","texts":[{"content":"<p>a</p>","mimeType":"text/html"},'
        '{"texts":[{"content":"b"}]}]}'
    )
    leaf = request.texts[0]
    assert leaf.mime_type == "text/html"
    assert leaf.mimeType == "text/html"
    assert json.loads(request.json()) == {
        "type": "structuredText",
        "texts": [
            {"content": "<p>a</p>", "mimeType": "text/html"},
            {"mimeType": "text/plain", "texts": [{"content": "b", "mimeType": "text/plain"}]},
        ],
    }


def test_structured_text_empty_content_keeps_its_mime_type():
    node = Text(content="", mimeType="text/html")
    assert json.loads(node.json()) == {"content": "", "mimeType": "text/html"}


def test_structured_text_accepts_100_levels_and_rejects_101():
    assert isinstance(REQUEST_KINDS.adapter.validate_python(nested_texts(100)), StructuredTextRequest)
    with pytest.raises(ValidationError):
        REQUEST_KINDS.adapter.validate_python(nested_texts(101))


@pytest.mark.parametrize("fields", [{"start": "1", "end": 2}, {"start": 0, "end": "2"}])
def test_annotation_offsets_must_be_numbers_not_strings(fields):
    # the reference (numbers.Number) rejects strings; they must not be coerced silently
    with pytest.raises(ValidationError):
        Annotation(**fields)


def test_annotation_offsets_may_be_floats():
    assert Annotation(start=0.5, end=1.25).json() == '{"start":0.5,"end":1.25}'


# -- response rules ----------------------------------------------------------------------------


def test_annotations_response_needs_features_or_annotations():
    with pytest.raises(ValidationError):
        AnnotationsResponse()
    assert AnnotationsResponse(features={}).json() == '{"type":"annotations","features":{}}'
    assert AnnotationsResponse(annotations={}).json() == '{"type":"annotations","annotations":{}}'


@pytest.mark.parametrize("score", [0.9, 0, 0.0])
def test_texts_response_branch_cannot_carry_a_score(score):
    with pytest.raises(ValidationError):
        TextsResponseObject(texts=[{"content": "a"}], score=score)


def test_texts_response_leaf_may_carry_a_score_and_node_needs_content_or_texts():
    assert TextsResponseObject(content="a", score=0).json() == '{"content":"a","score":0}'
    with pytest.raises(ValidationError):
        TextsResponseObject(role="alternative")


def test_texts_response_requires_texts():
    with pytest.raises(ValidationError):
        TextsResponse()


def test_audio_response_format_upper_cased_and_required_fields():
    assert (
        AudioResponse(content="AAE=", format="mp3").json()
        == '{"type":"audio","content":"AAE=","format":"MP3"}'
    )
    with pytest.raises(ValidationError):
        AudioResponse(content="AAE=", format="ogg")
    with pytest.raises(ValidationError):
        AudioResponse(format="MP3")


def test_failure_needs_at_least_one_error():
    with pytest.raises(ValidationError):
        Failure(errors=[])


def test_status_message_params_must_be_strings():
    with pytest.raises(ValidationError):
        StatusMessage(code="x", text="t", params=[None])


# -- serialised and parsed back ------------------------------------------------------------------

ROUND_TRIPS = [
    pytest.param(
        AnnotationsResponse(
            features={"lang": "de"},
            annotations={
                "Person": [Annotation(start=0, end=4, source_start=10, source_end=14, features={"x": 1})]
            },
            warnings=[StatusMessage(code="w.c", text="careful {0}", params=["now"])],
        ),
        {
            "response": {
                "type": "annotations",
                "warnings": [{"code": "w.c", "params": ["now"], "text": "careful {0}"}],
                "features": {"lang": "de"},
                "annotations": {
                    "Person": [
                        {"start": 0, "end": 4, "sourceStart": 10, "sourceEnd": 14, "features": {"x": 1}}
                    ]
                },
            }
        },
        id="annotations",
    ),
    pytest.param(
        ClassificationResponse(classes=[ClassesResponse(class_field="spam", score=0.75), {"class": "ham"}]),
        {
            "response": {
                "type": "classification",
                "classes": [{"class": "spam", "score": 0.75}, {"class": "ham"}],
            }
        },
        id="classification",
    ),
    pytest.param(
        TextsResponse(
            texts=[
                TextsResponseObject(role="alternative", content="Hallo", score=0.5),
                {
                    "role": "document",
                    "texts": [{"content": "Satz", "annotations": {"S": [{"start": 0, "end": 4}]}}],
                },
            ]
        ),
        {
            "response": {
                "type": "texts",
                "texts": [
                    {"role": "alternative", "content": "Hallo", "score": 0.5},
                    {
                        "role": "document",
                        "texts": [{"content": "Satz", "annotations": {"S": [{"start": 0, "end": 4}]}}],
                    },
                ],
            }
        },
        id="texts",
    ),
    pytest.param(
        AudioResponse(content="UklGRg==", format="linear16", features={"voice": "x"}),
        {
            "response": {
                "type": "audio",
                "content": "UklGRg==",
                "format": "LINEAR16",
                "features": {"voice": "x"},
            }
        },
        id="audio",
    ),
    pytest.param(
        Failure(
            errors=[
                StatusMessage(
                    code="elg.request.invalid", text="Invalid request message", params=[], detail={"why": "x"}
                )
            ]
        ),
        {
            "failure": {
                "errors": [
                    {
                        "code": "elg.request.invalid",
                        "params": [],
                        "text": "Invalid request message",
                        "detail": {"why": "x"},
                    }
                ]
            }
        },
        id="failure",
    ),
    pytest.param(
        Progress(percent=42, message=StatusMessage(code="p.step", text="step {0}", params=["2"])),
        {"progress": {"percent": 42.0, "message": {"code": "p.step", "params": ["2"], "text": "step {0}"}}},
        id="progress",
    ),
]


@pytest.mark.parametrize("model, wire", ROUND_TRIPS)
def test_message_serialises_to_camel_case_wire_form(model, wire):
    ((_kind, body),) = wire.items()
    assert json.loads(model.json()) == body
    assert list(json.loads(model.json())) == list(body)  # keys in model field order


@pytest.mark.parametrize("model, wire", ROUND_TRIPS)
def test_message_parses_back_with_get_response(model, wire):
    text = json.dumps(wire)
    for message in (text, text.encode(), wire):
        parsed = get_response(message)
        assert type(parsed) is type(model)
        assert parsed == model


@pytest.mark.parametrize("model, wire", ROUND_TRIPS)
def test_message_parses_back_with_model_validate_json(model, wire):
    ((_kind, body),) = wire.items()
    assert type(model).model_validate_json(json.dumps(body)) == model


def test_get_response_rejects_an_envelope_without_a_known_key():
    with pytest.raises(ValueError):
        get_response({"result": {}})
