"""An OpenAPI 3.1 description of a service's endpoints, built from their description and the message models.

Each path states the request kinds its handlers take (with each handler's own
``params``, typed), its URL variables (typed by their converters), and the
response its handlers declare (every response kind when one declares none).
"""
from __future__ import annotations

import re
import uuid
from typing import Any
from collections.abc import Sequence

from pydantic import PydanticInvalidForJsonSchema, TypeAdapter
from pydantic.json_schema import models_json_schema
from pydantic_core import PydanticSerializationError, to_jsonable_python

from ..kinds import RESPONSE_KINDS, Endpoint, EndpointHandler, Parameter, ParameterSource, RequestKinds, fill_path
from ..model.response import ResponseObject
from ..model.status import Failure, Progress

FAILURE_STATUSES = {
    "400": "The request is not a valid ELG request, or a parameter is missing or invalid",
    "413": "The request body is larger than the service accepts",
    "415": "The Content-Type is not one the service reads",
    "500": "The service failed while processing the request",
}
_REF_TEMPLATE = "#/components/schemas/{model}"
_URL_VARIABLE_SCHEMAS: dict[type, dict[str, str]] = {
    int: {"type": "integer"}, float: {"type": "number"}, uuid.UUID: {"type": "string", "format": "uuid"},
}


def _ref(model: type) -> dict[str, str]:
    return {"$ref": _REF_TEMPLATE.format(model=model.__name__)}


def _components(kinds: RequestKinds, responses: Sequence[type[ResponseObject]]) -> dict[str, Any]:
    models: list[Any] = [(kind.model, "validation") for kind in kinds]
    models += [(model, "serialization") for model in (*responses, Failure, Progress)]
    _, schema = models_json_schema(models, ref_template=_REF_TEMPLATE, by_alias=True)
    schemas: dict[str, Any] = schema.get("$defs", {})
    for kind in kinds:
        properties = schemas[kind.model.__name__]["properties"]
        # The models default ``type`` for Python callers; on the wire it says which request it is.
        required = schemas[kind.model.__name__].setdefault("required", [])
        if "type" not in required:
            required.insert(0, "type")
        if kind.formats and "format" in properties:
            properties["format"]["pattern"] = _any_case(kind.formats)  # formats are matched ignoring case
        if kind.binary:  # the binary travels beside the JSON, never inside it
            properties.pop("content", None)
            properties.pop("generator", None)
    for name in ("Text", "TextsResponseObject"):
        # A node is a leaf with content or a branch with texts (checked by a model validator).
        schemas[name]["anyOf"] = [_present("content"), _present("texts")]
    schemas["AnnotationsResponse"]["anyOf"] = [_present("features"), _present("annotations")]
    return schemas


def _present(field: str) -> dict[str, Any]:
    """A schema requiring ``field`` to be there and not null."""
    return {"required": [field], "properties": {field: {"not": {"type": "null"}}}}


def _any_case(words: Sequence[str]) -> str:
    """A regular expression (ECMA 262, which has no flag for case) matching any of ``words`` in any case."""
    spelled = ("".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word) for word in words)
    return "^(" + "|".join(spelled) + ")$"


def _envelope(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {key: schema}, "required": [key]}


def _value_schema(parameter: Parameter, schemas: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of a parameter's annotation, with its default; models it names go to ``schemas``."""
    schema: dict[str, Any] = {}
    if parameter.annotation is not Any:
        try:
            schema = TypeAdapter(parameter.annotation).json_schema(ref_template=_REF_TEMPLATE)
        except PydanticInvalidForJsonSchema:  # a type JSON Schema cannot state: any value, converted by the handler
            schema = {}
        for name, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
    if not parameter.required:
        try:
            schema["default"] = to_jsonable_python(parameter.default)
        except PydanticSerializationError:  # a default JSON cannot show is left unsaid
            pass
    return schema


def _params_schema(handler: EndpointHandler, schemas: dict[str, Any]) -> dict[str, Any] | None:
    """The ``params`` object the handler reads its own parameters from, or None if it has none."""
    parameters = handler.parameters_from(ParameterSource.PARAMS)
    if not parameters:
        return None
    required = [parameter.name for parameter in parameters if parameter.required]
    schema: dict[str, Any] = {
        "type": "object" if required else ["object", "null"],
        "properties": {parameter.name: _value_schema(parameter, schemas) for parameter in parameters},
    }
    if required:
        schema["required"] = required
    return schema


def _request_schema(handler: EndpointHandler, schemas: dict[str, Any]) -> dict[str, Any]:
    """The JSON of a request the handler takes: its kind's model, with the handler's typed ``params``."""
    params = _params_schema(handler, schemas)
    if params is None:
        return _ref(handler.request_kind.model)
    typed: dict[str, Any] = {"properties": {"params": params}}
    if "required" in params:
        typed["required"] = ["params"]
    return {"allOf": [_ref(handler.request_kind.model), typed]}


def _one_of(choices: Sequence[dict[str, Any]]) -> dict[str, Any]:
    if len(choices) == 1:
        return choices[0]
    if all(set(choice) == {"$ref"} for choice in choices):
        return {"oneOf": list(choices), "discriminator": {"propertyName": "type"}}
    return {"oneOf": list(choices)}  # each names its model's constant ``type``, which tells them apart


def _request_body(endpoint: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    # Binary kinds never travel inside JSON: a JSON audio or image request is refused.
    json_handlers = [handler for handler in endpoint.handlers if not handler.request_kind.binary]
    if json_handlers:
        content["application/json"] = {"schema": _one_of([_request_schema(h, schemas) for h in json_handlers])}
    binary_handlers = [handler for handler in endpoint.handlers if handler.request_kind.binary]
    if binary_handlers:
        content["multipart/form-data"] = {
            "schema": {
                "type": "object",
                "properties": {
                    "request": _one_of([_request_schema(handler, schemas) for handler in binary_handlers]),
                    "content": {"type": "string", "format": "binary"},
                },
                "required": ["request", "content"],
                "additionalProperties": False,  # any other part would be taken for a second request or content
            },
            "encoding": {"request": {"contentType": "application/json"}},
        }
    for kind in endpoint.request_kinds:
        body_schema = {"type": "string", "format": "binary"} if kind.binary else {"type": "string"}
        for media_type in kind.raw_media_types:
            content[media_type] = {"schema": {**body_schema, "minLength": 1}}  # an empty body is refused
    return {"required": True, "content": content}


def _path_parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    return [
        {"name": variable.name, "in": "path", "required": True,
         "schema": dict(_URL_VARIABLE_SCHEMAS.get(variable.python_type, {"type": "string"}))}
        for variable in endpoint.url_variables
    ]


def _success(endpoint: Endpoint) -> dict[str, Any]:
    """The 200 answer: the response the handlers declare (any response when one declares none)."""
    declared = endpoint.response_kinds if endpoint.declares_every_response else tuple(RESPONSE_KINDS)
    models = [_ref(kind.model) for kind in declared]
    content: dict[str, Any] = {
        "application/json": {"schema": _envelope("response", models[0] if len(models) == 1 else {"oneOf": models})},
    }
    if not endpoint.streams:
        return {"description": "The result", "content": content}
    content["text/event-stream"] = {"schema": {"type": "string"}}
    return {"description": "The result; as server-sent events (progress, then the result) when asked for",
            "content": content}


def _operation(endpoint: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    failure_schema = _envelope("failure", _ref(Failure))
    responses: dict[str, Any] = {"200": _success(endpoint)}
    for status, description in FAILURE_STATUSES.items():
        responses[status] = {"description": description, "content": {"application/json": {"schema": failure_schema}}}
    operation: dict[str, Any] = {
        "summary": f"Process {', '.join(endpoint.request_types)} requests",
        "operationId": "process" + re.sub(r"[^A-Za-z0-9]+", "_", endpoint.path).rstrip("_"),
        "requestBody": _request_body(endpoint, schemas),
        "responses": responses,
    }
    parameters = _path_parameters(endpoint)
    if parameters:
        operation["parameters"] = parameters
        responses["404"] = {
            "description": "A path parameter has a value the path does not accept",
            "content": {"application/json": {"schema": failure_schema}},
        }
    return operation


def openapi_document(title: str, version: str, endpoints: Sequence[Endpoint], kinds: RequestKinds) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``endpoints`` (see :meth:`~elg_decorators.FlaskService.describe_endpoints`).

    ``kinds`` is the table of request kinds the service knows: each has its schema in the components.
    """
    declared = [kind.model for endpoint in endpoints for kind in endpoint.response_kinds]
    schemas = _components(kinds, list(dict.fromkeys([*(kind.model for kind in RESPONSE_KINDS), *declared])))
    paths = {
        fill_path(endpoint.path, lambda variable: "{" + variable.name + "}"): {"post": _operation(endpoint, schemas)}
        for endpoint in endpoints
        if endpoint.handlers
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": schemas},
    }
