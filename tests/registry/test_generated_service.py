"""The FlaskService subclass generated from a registry: a real FlaskService."""
from __future__ import annotations

from pathlib import Path

import pytest

from elg_decorators import FlaskService, ProcessingError, Registry, audio_service, image_service, service_class
from elg_decorators import text_service
from elg_decorators.discovery import load_service
from elg_decorators.errors import ServiceLoadError
from elg_decorators.model import AnnotationsResponse, AudioRequest, TextRequest, TextsResponse
from elg_decorators.testing import ServiceClient


def translation_service(registry: Registry) -> None:
    """Register a text+audio handler on a path with URL variables and an image handler."""

    @text_service("/translate/<src>/<tgt>", registry=registry)
    def translate(content: str, src: str, tgt: str) -> TextsResponse:
        return f"{src}->{tgt}: {content}"

    @audio_service("/translate/<src>/<tgt>", registry=registry)
    def transcribe(content: bytes, src: str) -> TextsResponse:
        return f"{src} audio of {len(content)} bytes"

    @image_service("/ocr", registry=registry)
    def ocr(content: bytes) -> AnnotationsResponse:
        return {"features": {"bytes": len(content)}}


def test_generated_class_is_a_flask_service(registry: Registry) -> None:
    translation_service(registry)

    cls = service_class(registry)
    service = cls()

    assert issubclass(cls, FlaskService)
    assert isinstance(service, FlaskService)
    assert cls.supported_request_types() == ["text", "audio", "image"]
    assert service.name == "test-service"
    assert service.paths == ["/translate/<src>/<tgt>", "/ocr"]


def test_process_request_dispatches_to_the_handler(registry: Registry) -> None:
    @text_service(registry=registry)
    def shout(content: str, mark: str = "!") -> TextsResponse:
        return content.upper() + mark

    service = service_class(registry)()

    assert service.process_request(TextRequest(content="hi", params={"mark": "?"})) == TextsResponse(
        texts=[{"content": "HI?"}]
    )
    with pytest.raises(ProcessingError) as caught:
        service.process_request(AudioRequest(content=b"x"))
    assert (caught.value.status, caught.value.message.code, caught.value.message.params) == (
        400, "elg.request.type.unsupported", ["audio"],
    )


def test_url_param_reads_the_matched_path(registry: Registry) -> None:
    translation_service(registry)
    service = service_class(registry)()

    with service.app.test_request_context("/translate/en/de", method="POST"):
        assert (service.url_param("src"), service.url_param("tgt")) == ("en", "de")


def test_each_path_dispatches_to_its_handlers(registry: Registry) -> None:
    translation_service(registry)
    client = ServiceClient(service_class(registry)())

    assert client.text("hello", path="/translate/en/de") == TextsResponse(texts=[{"content": "en->de: hello"}])
    assert client.audio(b"RIFF", path="/translate/fr/de") == TextsResponse(texts=[{"content": "fr audio of 4 bytes"}])
    assert client.image(b"\x89PNG", path="/ocr") == AnnotationsResponse(features={"bytes": 4})
    status, failure = client.text("hello", path="/ocr", with_status=True)
    assert (status, failure.errors[0].code, failure.errors[0].params) == (400, "elg.request.type.unsupported", ["text"])


def test_docker_classmethods_resolve_paths_against_the_defining_script(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> TextsResponse:
        return content

    assert service_class(registry).service_script() == Path(__file__).resolve()


SCRIPT = '''\
from elg_decorators import text_service
from elg_decorators.model import TextsResponse


@text_service("/echo")
def echo(content: str) -> TextsResponse:
    return content
'''


def test_docker_files_are_written_beside_a_loaded_script(tmp_path: Path) -> None:
    script = tmp_path / "echo_service.py"
    script.write_text(SCRIPT)
    cls = service_class(load_service(str(script)).registry)

    cls.create_requirements(["regex==2024.5.15"])
    cls.create_docker_files()

    assert cls.service_script() == script.resolve()
    assert "regex==2024.5.15" in (tmp_path / "requirements.txt").read_text().splitlines()
    dockerfile = (tmp_path / "Dockerfile").read_text()
    assert "echo_service.py" in dockerfile
    assert (tmp_path / ".dockerignore").is_file()


def test_health_lists_endpoints(registry: Registry) -> None:
    translation_service(registry)
    http = service_class(registry)().app.test_client()

    answer = http.get("/health")

    assert answer.status_code == 200
    assert answer.get_json() == {
        "status": "ok",
        "name": "test-service",
        "endpoints": {"/translate/<src>/<tgt>": ["text", "audio"], "/ocr": ["image"]},
    }


def openapi_of(registry: Registry) -> dict:
    return service_class(registry)().app.test_client().get("/openapi.json").get_json()


def test_openapi_document_passes_the_openapi_3_1_validator(registry: Registry) -> None:
    # openapi-spec-validator belongs in the test extras (setup.cfg); imported here so only this test needs it.
    from openapi_spec_validator import validate

    translation_service(registry)

    @text_service("/repeat/<int:times>", registry=registry)
    def repeat(content: str, times: int) -> TextsResponse:
        return content * times

    validate(openapi_of(registry))  # raises on any violation of the OpenAPI 3.1 schema


def test_openapi_document_describes_each_path(registry: Registry) -> None:
    translation_service(registry)

    document = openapi_of(registry)

    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "test-service"
    assert set(document["paths"]) == {"/translate/{src}/{tgt}", "/ocr"}
    translate = document["paths"]["/translate/{src}/{tgt}"]["post"]
    assert [(p["name"], p["in"], p["required"]) for p in translate["parameters"]] == [
        ("src", "path", True), ("tgt", "path", True),
    ]
    # Audio and images travel beside the JSON (multipart) or as the body, never inside JSON.
    content = translate["requestBody"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/TextRequest"}
    assert content["multipart/form-data"]["schema"]["properties"]["request"] == {
        "$ref": "#/components/schemas/AudioRequest"
    }
    assert {"text/plain", "audio/x-wav", "audio/mpeg"} <= set(content)
    ocr = document["paths"]["/ocr"]["post"]
    assert "application/json" not in ocr["requestBody"]["content"]
    assert ocr["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]["request"] == {
        "$ref": "#/components/schemas/ImageRequest"
    }
    for operation in (translate, ocr):
        assert set(operation["responses"]) >= {"200", "400", "413", "500"}
        failure_schema = operation["responses"]["400"]["content"]["application/json"]["schema"]
        assert failure_schema["properties"]["failure"] == {"$ref": "#/components/schemas/Failure"}
    schemas = document["components"]["schemas"]
    assert {"TextRequest", "AudioRequest", "ImageRequest", "Failure", "TextsResponse"} <= set(schemas)
    assert "content" not in schemas["AudioRequest"]["properties"]  # the binary travels beside the JSON
    assert schemas["TextRequest"]["required"] == ["type", "content"]  # the server needs the type


def test_int_url_variable_is_an_integer_path_parameter(registry: Registry) -> None:
    @text_service("/repeat/<int:times>", registry=registry)
    def repeat(content: str, times: int) -> TextsResponse:
        return content * times

    assert openapi_of(registry)["paths"]["/repeat/{times}"]["post"]["parameters"] == [
        {"name": "times", "in": "path", "required": True, "schema": {"type": "integer"}},
    ]


def test_service_class_of_an_empty_registry_is_refused() -> None:
    with pytest.raises(ServiceLoadError, match="no handler is registered: decorate a function with @text_service"):
        service_class(Registry("empty"))
