"""What the try-out page needs to know of a service's endpoints, as JSON.

Built from :class:`~elg_decorators.kinds.Endpoint`: each path with its URL
variables, and per request kind the handler's own parameters (their JSON
schema, with its type name and default), the response it declares and whether
it streams.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Sequence

from pydantic import PydanticInvalidForJsonSchema, TypeAdapter
from pydantic_core import PydanticSerializationError, to_jsonable_python

from ..kinds import Endpoint, EndpointHandler, Parameter, ParameterSource, UrlVariable

_URL_TYPES: dict[str, str] = {"int": "integer", "float": "number", "UUID": "string"}


def _schema(parameter: Parameter) -> dict[str, Any]:
    """The JSON schema of the parameter's annotation (empty for none, or one JSON Schema cannot state)."""
    if parameter.annotation is Any:
        return {}
    try:
        schema = TypeAdapter(parameter.annotation).json_schema()
    except (PydanticInvalidForJsonSchema, TypeError, ValueError):
        return {}
    schema.pop("$defs", None)
    return schema


def _type_name(schema: dict[str, Any]) -> str:
    """One JSON type name for an input: ``integer``, ``number``, ``boolean``, ``string``, ``array``,
    ``object``; ``any`` when the schema allows several (``null`` aside) or says nothing."""
    types: list[str] = []
    for choice in schema.get("anyOf", [schema]):
        declared = choice.get("type")
        if isinstance(declared, str):
            types.append(declared)
        elif isinstance(declared, list):
            types.extend(declared)
        elif "enum" in choice or "const" in choice:
            types.append("string")
    names = [name for name in dict.fromkeys(types) if name != "null"]
    return names[0] if len(names) == 1 else "any"


def _parameter(parameter: Parameter) -> dict[str, Any]:
    schema = _schema(parameter)
    described: dict[str, Any] = {"name": parameter.name, "type": _type_name(schema), "required": parameter.required}
    enum = schema.get("enum")
    if isinstance(enum, list):
        described["choices"] = enum
    if not parameter.required:
        try:
            described["default"] = to_jsonable_python(parameter.default)
        except PydanticSerializationError:  # a default JSON cannot show: left unsaid, the handler applies it
            pass
    return described


def _handler(handler: EndpointHandler) -> dict[str, Any]:
    kind = handler.request_kind
    return {
        "requestType": kind.type,
        "name": handler.name,
        "binary": kind.binary,
        "formats": list(kind.formats),
        "responseType": handler.response_kind.type if handler.response_kind is not None else None,
        "streams": handler.streams,
        "parameters": [_parameter(parameter) for parameter in handler.parameters_from(ParameterSource.PARAMS)],
    }


def _url_variable(variable: UrlVariable) -> dict[str, Any]:
    return {"name": variable.name, "converter": variable.converter,
            "type": _URL_TYPES.get(variable.python_type.__name__, "string")}


def describe(name: str, endpoints: Sequence[Endpoint]) -> dict[str, Any]:
    """The JSON the page reads: the service's name and each endpoint with its handlers."""
    return {
        "name": name,
        "endpoints": [
            {"path": endpoint.path, "urlVariables": [_url_variable(variable) for variable in endpoint.url_variables],
             "handlers": [_handler(handler) for handler in endpoint.handlers]}
            for endpoint in endpoints
        ],
    }
