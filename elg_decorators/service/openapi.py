"""An OpenAPI 3.1 description of a service's endpoints, built from the message models."""
from __future__ import annotations

import re
import uuid
from typing import Any, Dict, List, Mapping, Sequence

from pydantic.json_schema import models_json_schema

from ..kinds import RESPONSE_KINDS, RequestKind, RequestKinds, fill_path, url_variables
from ..model.status import Failure, Progress

FAILURE_STATUSES = {
    "400": "The request is not a valid ELG request, or a parameter is missing or invalid",
    "413": "The request body is larger than the service accepts",
    "415": "The Content-Type is not one the service reads",
    "500": "The service failed while processing the request",
}
_URL_VARIABLE_SCHEMAS: Dict[type, Dict[str, str]] = {
    int: {"type": "integer"}, float: {"type": "number"}, uuid.UUID: {"type": "string", "format": "uuid"},
}


def _ref(model: type) -> Dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _components(kinds: RequestKinds) -> Dict[str, Any]:
    models: List[Any] = [(kind.model, "validation") for kind in kinds]
    models += [(model, "serialization") for model in (*(kind.model for kind in RESPONSE_KINDS), Failure, Progress)]
    _, schema = models_json_schema(models, ref_template="#/components/schemas/{model}", by_alias=True)
    schemas: Dict[str, Any] = schema.get("$defs", {})
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


def _present(field: str) -> Dict[str, Any]:
    """A schema requiring ``field`` to be there and not null."""
    return {"required": [field], "properties": {field: {"not": {"type": "null"}}}}


def _any_case(words: Sequence[str]) -> str:
    """A regular expression (ECMA 262, which has no flag for case) matching any of ``words`` in any case."""
    spelled = ("".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word) for word in words)
    return "^(" + "|".join(spelled) + ")$"


def _envelope(key: str, schema: Dict[str, Any]) -> Dict[str, Any]:
    return {"type": "object", "properties": {key: schema}, "required": [key]}


def _request_body(kinds: Sequence[RequestKind]) -> Dict[str, Any]:
    content: Dict[str, Any] = {}
    # Binary kinds never travel inside JSON: a JSON audio or image request is refused.
    json_kinds = [kind for kind in kinds if not kind.binary]
    if json_kinds:
        content["application/json"] = {"schema": _one_of(json_kinds)}
    binary_kinds = [kind for kind in kinds if kind.binary]
    if binary_kinds:
        content["multipart/form-data"] = {
            "schema": {
                "type": "object",
                "properties": {
                    "request": _one_of(binary_kinds),
                    "content": {"type": "string", "format": "binary"},
                },
                "required": ["request", "content"],
                "additionalProperties": False,  # any other part would be taken for a second request or content
            },
            "encoding": {"request": {"contentType": "application/json"}},
        }
    for kind in kinds:
        body_schema = {"type": "string", "format": "binary"} if kind.binary else {"type": "string"}
        for media_type in kind.raw_media_types:
            content[media_type] = {"schema": {**body_schema, "minLength": 1}}  # an empty body is refused
    return {"required": True, "content": content}


def _one_of(kinds: Sequence[RequestKind]) -> Dict[str, Any]:
    schemas = [_ref(kind.model) for kind in kinds]
    if len(schemas) == 1:
        return schemas[0]
    return {"oneOf": schemas, "discriminator": {"propertyName": "type"}}


def _parameters(path: str) -> List[Dict[str, Any]]:
    return [
        {"name": variable.name, "in": "path", "required": True,
         "schema": dict(_URL_VARIABLE_SCHEMAS.get(variable.python_type, {"type": "string"}))}
        for variable in url_variables(path)
    ]


def _operation(path: str, kinds: Sequence[RequestKind]) -> Dict[str, Any]:
    response_schema = _envelope("response", {"oneOf": [_ref(kind.model) for kind in RESPONSE_KINDS]})
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
        fill_path(path, lambda variable: "{" + variable.name + "}"): {
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
