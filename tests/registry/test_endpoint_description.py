"""One description of a service's endpoints, read by the OpenAPI document and the test client.

Each path states its URL variables (typed by converter), the request kinds its handlers
take with each handler's own ``params`` (typed, with defaults and what is required), and
the one response its handlers declare (every response kind when one declares none).
"""
from __future__ import annotations

from typing import Any
from collections.abc import Iterator

import pytest

from elg_decorators import FlaskService, HandlerDefinitionError, Registry, audio_service, create_app, text_service
from elg_decorators.kinds import (
    NO_DEFAULT,
    REQUEST_KINDS,
    RESPONSE_KINDS,
    Endpoint,
    Parameter,
    ParameterSource,
    RequestKind,
    UrlVariable,
    fill_path,
    url_variables,
)
from elg_decorators.model import AnnotationsResponse, ClassificationResponse, Progress, TextRequest, TextsResponse
from elg_decorators.registry.decorators import service_decorator
from elg_decorators.testing import ServiceClient

SCHEMAS = "#/components/schemas/"


def openapi(service: Registry | FlaskService) -> dict[str, Any]:
    app = create_app(service) if isinstance(service, Registry) else service.app
    document: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    return document


def json_body(document: dict[str, Any], path: str) -> Any:
    return document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


def success(document: dict[str, Any], path: str) -> Any:
    return document["paths"][path]["post"]["responses"]["200"]


# -- the URL-variable syntax, defined once ---------------------------------------


def test_url_variables_name_their_converters() -> None:
    assert url_variables("/t/<src>/<int:n>/<float:x>/<path:rest>/<any(a, b):choice>") == (
        UrlVariable("src"), UrlVariable("n", "int"), UrlVariable("x", "float"), UrlVariable("rest", "path"),
        UrlVariable("choice", "any(a, b)"),
    )
    assert [variable.python_type for variable in url_variables("/<a>/<int:b>/<float:c>/<any(x, y):d>")] == [
        str, int, float, str]
    assert url_variables("/process") == ()


def test_a_path_is_filled_piece_by_piece() -> None:
    assert fill_path("/t/<src>/<int:n>", lambda variable: "{" + variable.name + "}") == "/t/{src}/{n}"
    assert fill_path("/a.b/<x>", lambda variable: "[^/]+", lambda piece: piece.replace(".", r"\.")) == r"/a\.b/[^/]+"


# -- the registry's description --------------------------------------------------


def test_the_registry_describes_each_handlers_own_parameters(registry: Registry) -> None:
    @text_service("/classify/<int:k>", registry=registry)
    def classify(content: str, k: int, threshold: float, lang: str = "en", **rest: Any) -> ClassificationResponse:
        return ClassificationResponse(classes=[])

    (endpoint,) = registry.describe_endpoints()
    assert endpoint.path == "/classify/<int:k>"
    assert endpoint.url_variables == (UrlVariable("k", "int"),)
    assert endpoint.request_types == ("text",)
    (handler,) = endpoint.handlers
    assert handler.request_kind is REQUEST_KINDS["text"]
    assert handler.name.endswith("classify")
    assert handler.response_kind is RESPONSE_KINDS["classification"]
    assert handler.streams is False
    assert handler.parameters == (
        Parameter("content", ParameterSource.REQUEST_FIELD, str),
        Parameter("k", ParameterSource.URL, int),
        Parameter("threshold", ParameterSource.PARAMS, float),
        Parameter("lang", ParameterSource.PARAMS, str, "en"),
    )
    assert [parameter.required for parameter in handler.parameters] == [True, True, True, False]
    assert handler.parameters[0].default is NO_DEFAULT


def test_streaming_is_what_the_handler_declares(registry: Registry) -> None:
    @text_service("/gen", registry=registry)
    def generator(content):
        yield TextsResponse(texts=[{"content": content}])

    @text_service("/iterator", registry=registry)
    def annotated(content) -> Iterator[Progress | TextsResponse]:
        return iter([TextsResponse(texts=[{"content": content}])])

    @text_service("/unsaid", registry=registry)
    def unsaid(content):
        return TextsResponse(texts=[{"content": content}])

    @text_service("/single", registry=registry)
    def single(content) -> TextsResponse | None:
        return TextsResponse(texts=[{"content": content}])

    assert {endpoint.path: endpoint.streams for endpoint in registry.describe_endpoints()} == {
        "/gen": True, "/iterator": True, "/unsaid": True, "/single": False,
    }


def test_a_classic_service_describes_its_process_methods() -> None:
    class Classic(FlaskService):
        def process_text(self, request: TextRequest) -> TextsResponse:
            return TextsResponse(texts=[{"content": request.content}])

        def process_audio(self, request):
            return AnnotationsResponse(features={})

    service = Classic("classic", "/run/<mode>")
    (endpoint,) = service.describe_endpoints()
    assert endpoint.path == "/run/<mode>" and endpoint.url_variables == (UrlVariable("mode"),)
    assert [(handler.request_kind.type, handler.name, handler.response_kind, handler.parameters, handler.streams)
            for handler in endpoint.handlers] == [
        ("text", "test_a_classic_service_describes_its_process_methods.<locals>.Classic.process_text",
         RESPONSE_KINDS["texts"], (), False),
        ("audio", "test_a_classic_service_describes_its_process_methods.<locals>.Classic.process_audio",
         None, (), True),
    ]
    assert service.endpoints() == {"/run/<mode>": ["text", "audio"]}


def test_a_classic_return_annotation_that_names_no_message_declares_nothing() -> None:
    class Classic(FlaskService):
        def process_text(self, request) -> dict:  # the elg package never read it: it keeps working here
            return TextsResponse(texts=[{"content": request.content}])

    (endpoint,) = Classic("classic").describe_endpoints()
    assert endpoint.handlers[0].response_kind is None
    assert success(openapi(Classic("classic")), "/process")["content"]["application/json"]["schema"] == {
        "type": "object", "required": ["response"], "properties": {"response": {"oneOf": [
            {"$ref": SCHEMAS + kind.model.__name__} for kind in RESPONSE_KINDS]}},
    }


# -- OpenAPI reads it -------------------------------------------------------------


def test_openapi_types_a_handlers_params_with_defaults_and_required(registry: Registry) -> None:
    @text_service("/classify", registry=registry)
    def classify(content: str, threshold: float, lang: str = "en") -> ClassificationResponse:
        return ClassificationResponse(classes=[])

    @text_service("/ner", registry=registry)
    def ner(content: str, lang: str = "en") -> AnnotationsResponse:
        return AnnotationsResponse(annotations={})

    document = openapi(registry)
    assert json_body(document, "/classify") == {"allOf": [
        {"$ref": SCHEMAS + "TextRequest"},
        {
            "properties": {"params": {
                "type": "object",
                "properties": {"threshold": {"type": "number"}, "lang": {"type": "string", "default": "en"}},
                "required": ["threshold"],
            }},
            "required": ["params"],
        },
    ]}
    assert json_body(document, "/ner") == {"allOf": [
        {"$ref": SCHEMAS + "TextRequest"},
        {"properties": {"params": {
            "type": ["object", "null"],  # nothing is required: params may be left out, or null
            "properties": {"lang": {"type": "string", "default": "en"}},
        }}},
    ]}


def test_openapi_leaves_a_handler_without_params_to_its_kind(registry: Registry) -> None:
    @text_service(registry=registry)
    def upper(content: str, params: dict, **rest: Any) -> TextsResponse:
        return TextsResponse(texts=[{"content": content.upper()}])

    assert json_body(openapi(registry), "/process") == {"$ref": SCHEMAS + "TextRequest"}


def test_openapi_types_url_variables_by_converter(registry: Registry) -> None:
    @text_service("/t/<src>/<int:n>/<float:x>/<uuid:id>", registry=registry)
    def handler(content: str, src: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": src}])

    operation = openapi(registry)["paths"]["/t/{src}/{n}/{x}/{id}"]["post"]
    assert operation["parameters"] == [
        {"name": "src", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}},
        {"name": "x", "in": "path", "required": True, "schema": {"type": "number"}},
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
    ]


def test_each_path_states_the_response_its_handler_declares(registry: Registry) -> None:
    @text_service("/ner", registry=registry)
    def ner(content: str) -> AnnotationsResponse:
        return AnnotationsResponse(annotations={})

    @text_service("/translate", registry=registry)
    def translate(content: str):
        yield TextsResponse(texts=[{"content": content}])

    @text_service("/anything", registry=registry)
    def anything(content: str):
        return TextsResponse(texts=[{"content": content}])

    document = openapi(registry)
    assert success(document, "/ner") == {"description": "The result", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"response": {"$ref": SCHEMAS + "AnnotationsResponse"}},
        "required": ["response"],
    }}}}
    assert success(document, "/translate")["content"]["application/json"]["schema"]["properties"] == {
        "response": {"oneOf": [{"$ref": SCHEMAS + kind.model.__name__} for kind in RESPONSE_KINDS]}}
    assert success(document, "/translate")["content"]["text/event-stream"] == {"schema": {"type": "string"}}
    assert success(document, "/anything")["content"]["application/json"]["schema"]["properties"] == {
        "response": {"oneOf": [{"$ref": SCHEMAS + kind.model.__name__} for kind in RESPONSE_KINDS]}}


def test_one_path_of_two_kinds_types_each_kinds_params(registry: Registry) -> None:
    @text_service("/describe", registry=registry)
    def describe_text(content: str, lang: str = "en") -> AnnotationsResponse:
        return AnnotationsResponse(annotations={})

    @audio_service("/describe", registry=registry)
    def describe_audio(content: bytes, rate: int) -> AnnotationsResponse:
        return AnnotationsResponse(annotations={})

    content = openapi(registry)["paths"]["/describe"]["post"]["requestBody"]["content"]
    assert content["application/json"]["schema"]["allOf"][1]["properties"]["params"]["properties"] == {
        "lang": {"type": "string", "default": "en"}}
    assert content["multipart/form-data"]["schema"]["properties"]["request"] == {"allOf": [
        {"$ref": SCHEMAS + "AudioRequest"},
        {"properties": {"params": {"type": "object", "properties": {"rate": {"type": "integer"}},
                                   "required": ["rate"]}},
         "required": ["params"]},
    ]}


# -- the test client reads it -----------------------------------------------------


def test_the_test_client_sends_to_the_one_path_of_the_kind(registry: Registry) -> None:
    @text_service("/upper", registry=registry)
    def upper(content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content.upper()}])

    @audio_service("/size/<unit>", registry=registry)
    def size(content: bytes, unit: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": f"{len(content)} {unit}"}])

    client = ServiceClient(registry)
    assert client.text("abc") == TextsResponse(texts=[{"content": "ABC"}])
    # a path with URL variables needs their values: without a path the request goes to /process
    status, failure = client.audio(b"xyz", format="LINEAR16", with_status=True)
    assert status == 404
    assert client.audio(b"xyz", format="LINEAR16", path="/size/bytes").texts[0].content == "3 bytes"


# -- a decorator of a made-up kind teaches any registry its kind --------------------


def test_a_made_up_kind_joins_the_registry_it_is_registered_into(registry: Registry) -> None:
    shout = RequestKind("shout", TextRequest, "process_shout", "shout_service")
    shout_service = service_decorator(shout)

    @shout_service(registry=registry)
    def loud(content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content.upper()}])

    assert registry.kinds.types == ("text", "structuredText", "audio", "image", "shout")
    assert REQUEST_KINDS.types == ("text", "structuredText", "audio", "image")
    (endpoint,) = registry.describe_endpoints()
    assert endpoint == Endpoint("/process", endpoint.handlers) and endpoint.request_kinds == (shout,)


def test_two_kinds_of_one_type_are_an_error(registry: Registry) -> None:
    service_decorator(RequestKind("shout", TextRequest, "process_shout", "shout_service"))(registry=registry)(
        lambda content: TextsResponse(texts=[{"content": content}]))
    other = service_decorator(RequestKind("shout", TextRequest, "process_yell", "yell_service"))
    with pytest.raises(HandlerDefinitionError) as caught:
        @other(registry=registry)
        def yell(content: str) -> TextsResponse:
            return TextsResponse(texts=[{"content": content}])
    assert str(caught.value).startswith("@yell_service test_two_kinds_of_one_type_are_an_error.<locals>.yell(")
    assert str(caught.value).endswith(
        "already describes 'shout' requests by another RequestKind (that of @shout_service); "
        "make one RequestKind for 'shout' and use it for both"
    )
