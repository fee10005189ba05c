"""An OpenAPI 3.1 description of a service's endpoints, built from the message models."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Sequence

from pydantic.json_schema import models_json_schema

from ..kinds import RequestKind, RequestKinds
from ..model.response import AnnotationsResponse, AudioResponse, ClassificationResponse, TextsResponse
from ..model.status import Failure, Progress

RESPONSE_MODELS = (AnnotationsResponse, ClassificationResponse, TextsResponse, AudioResponse)
FAILURE_STATUSES = {
    "400": "The request is not a valid ELG request, or a parameter is missing or invalid",
    "413": "The request body is larger than the service accepts",
    "415": "The Content-Type is not one the service reads",
    "500": "The service failed while processing the request",
}
_FLASK_VARIABLE = re.compile(r"<(?:([^:<>]+):)?([A-Za-z_][A-Za-z0-9_]*)>")
_CONVERTER_TYPES = {"int": "integer", "float": "number"}


def _ref(model: type) -> Dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _components(kinds: RequestKinds) -> Dict[str, Any]:
    models: List[Any] = [(kind.model, "validation") for kind in kinds]
    models += [(model, "serialization") for model in (*RESPONSE_MODELS, Failure, Progress)]
    _, schema = models_json_schema(models, ref_template="#/components/schemas/{model}", by_alias=True)
    schemas: Dict[str, Any] = schema.get("$defs", {})
    for kind in kinds:
        if kind.binary:  # the binary travels beside the JSON, never inside it
            schemas[kind.model.__name__]["properties"].pop("content", None)
            schemas[kind.model.__name__]["properties"].pop("generator", None)
    return schemas


def _envelope(key: str, schema: Dict[str, Any]) -> Dict[str, Any]:
    return {"type": "object", "properties": {key: schema}, "required": [key]}


def _request_body(kinds: Sequence[RequestKind]) -> Dict[str, Any]:
    schemas = [_ref(kind.model) for kind in kinds]
    json_schema: Dict[str, Any] = schemas[0] if len(schemas) == 1 else {
        "oneOf": schemas,
        "discriminator": {"propertyName": "type"},
    }
    content: Dict[str, Any] = {"application/json": {"schema": json_schema}}
    if any(kind.binary for kind in kinds):
        content["multipart/form-data"] = {
            "schema": {
                "type": "object",
                "properties": {
                    "request": {"type": "string", "contentMediaType": "application/json"},
                    "content": {"type": "string", "contentMediaType": "application/octet-stream"},
                },
                "required": ["request", "content"],
            },
        }
    for kind in kinds:
        for raw in kind.raw_bodies:
            body_schema = {"type": "string", "format": "binary"} if kind.binary else {"type": "string"}
            content[raw.media_type] = {"schema": body_schema}
    return {"required": True, "content": content}


def _parameters(path: str) -> List[Dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": _CONVERTER_TYPES.get(converter, "string")}}
        for converter, name in _FLASK_VARIABLE.findall(path)
    ]


def _operation(path: str, kinds: Sequence[RequestKind]) -> Dict[str, Any]:
    response_schema = _envelope("response", {"oneOf": [_ref(model) for model in RESPONSE_MODELS]})
    failure_schema = _envelope("failure", _ref(Failure))
    responses: Dict[str, Any] = {
        "200": {
            "description": "The result; as server-sent events (progress, then the result) when asked for",
            "content": {
                "application/json": {"schema": response_schema},
                "text/event-stream": {"schema": {"type": "string"}},
            },
        },
    }
    for status, description in FAILURE_STATUSES.items():
        responses[status] = {"description": description, "content": {"application/json": {"schema": failure_schema}}}
    operation: Dict[str, Any] = {
        "summary": f"Process {', '.join(kind.type for kind in kinds)} requests",
        "operationId": "process" + re.sub(r"[^A-Za-z0-9]+", "_", path).rstrip("_"),
        "requestBody": _request_body(kinds),
        "responses": responses,
    }
    parameters = _parameters(path)
    if parameters:
        operation["parameters"] = parameters
        responses["404"] = {
            "description": "A path parameter has a value the path does not accept",
            "content": {"application/json": {"schema": failure_schema}},
        }
    return operation


def openapi_document(
    title: str, version: str, endpoints: Mapping[str, Sequence[str]], kinds: RequestKinds
) -> Dict[str, Any]:
    """The OpenAPI 3.1 document for ``endpoints`` (path -> request types it takes, described in ``kinds``)."""
    paths = {
        _FLASK_VARIABLE.sub(lambda match: "{" + match.group(2) + "}", path): {
            "post": _operation(path, [kinds[request_type] for request_type in types])
        }
        for path, types in endpoints.items()
        if types
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": _components(kinds)},
    }
