"""A service written for the `elg` 0.6.0 package runs unchanged once its imports point at elg_decorators."""

from __future__ import annotations

import importlib

import pytest

# ---- the user's service, as written for elg 0.6.0 with only the two imports changed ----------------
from elg_decorators import FlaskService
from elg_decorators.model import TextsResponse

DICTIONARY = {("en", "de"): {"hello": "hallo", "world": "welt"}}


class Translator(FlaskService):
    def process_text(self, content):
        src = self.url_param("src")
        tgt = self.url_param("tgt")
        words = DICTIONARY.get((src, tgt), {})
        translated = " ".join(words.get(word, word) for word in content.content.split())
        return TextsResponse(texts=[{"content": translated, "role": "translation"}])


service = Translator("translator", path="/translate/<src>/<tgt>")
app = service.app
# ------------------------------------------------------------------------------------------------------


def test_translate_path_with_url_params():
    response = app.test_client().post("/translate/en/de", json={"type": "text", "content": "hello world"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert (
        response.data
        == b'{"response":{"type":"texts","texts":[{"role":"translation","content":"hallo welt"}]}}'
    )


def test_other_url_params_reach_the_handler():
    response = app.test_client().post("/translate/fr/it", json={"type": "text", "content": "bonjour"})
    assert response.get_json() == {
        "response": {"type": "texts", "texts": [{"role": "translation", "content": "bonjour"}]}
    }


def test_default_process_path_is_not_served():
    response = app.test_client().post("/process", json={"type": "text", "content": "hello"})
    assert response.status_code == 404


def test_reference_style_failure_and_message_usage():
    from elg_decorators.model import Failure
    from elg_decorators.model.base import StandardMessages

    class Strict(FlaskService):
        def process_text(self, request):
            if request.mimeType != "text/plain":
                return Failure(
                    errors=[
                        StandardMessages.generate_elg_request_text_mimetype_unsupported(
                            params=[request.mimeType]
                        )
                    ]
                )
            return TextsResponse(texts=[{"content": request.content}])

    client = Strict("strict").app.test_client()
    ok = client.post("/process", json={"type": "text", "content": "a"})
    assert ok.get_json() == {"response": {"type": "texts", "texts": [{"content": "a"}]}}
    bad = client.post("/process", json={"type": "text", "content": "<a/>", "mimeType": "text/html"})
    assert bad.status_code == 400
    assert bad.get_json() == {
        "failure": {
            "errors": [
                {
                    "code": "elg.request.text.mimeType.unsupported",
                    "params": ["text/html"],
                    "text": "MIME type {0} not supported by this service",
                    "detail": {},
                }
            ]
        }
    }


def test_reference_style_init_override():
    class Loaded(FlaskService):
        def __init__(self, name, path="/process"):
            super().__init__(name, path)
            self.suffix = "!"

        def process_text(self, request):
            return TextsResponse(texts=[{"content": request.content + self.suffix}])

    response = Loaded("loaded").app.test_client().post("/process", json={"type": "text", "content": "hi"})
    assert response.get_json() == {"response": {"type": "texts", "texts": [{"content": "hi!"}]}}


@pytest.mark.parametrize(
    "module, names",
    [
        (
            "model",
            [
                "Annotation",
                "Failure",
                "Progress",
                "Request",
                "ResponseObject",
                "StandardMessages",
                "StatusMessage",
                "AudioRequest",
                "ImageRequest",
                "StructuredTextRequest",
                "TextRequest",
                "AnnotationsResponse",
                "AudioResponse",
                "ClassesResponse",
                "ClassificationResponse",
                "TextsResponse",
                "TextsResponseObject",
                "get_response",
            ],
        ),
        (
            "model.base",
            [
                "Annotation",
                "Failure",
                "Progress",
                "Request",
                "ResponseObject",
                "StandardMessages",
                "StatusMessage",
            ],
        ),
        ("model.request", ["AudioRequest", "ImageRequest", "StructuredTextRequest", "TextRequest"]),
        (
            "model.response",
            [
                "AnnotationsResponse",
                "AudioResponse",
                "ClassesResponse",
                "ClassificationResponse",
                "TextsResponse",
                "TextsResponseObject",
                "get_response",
            ],
        ),
    ],
)
def test_reference_import_paths_exist(module, names):
    imported = importlib.import_module(f"elg_decorators.{module}")
    assert [name for name in names if not hasattr(imported, name)] == []
