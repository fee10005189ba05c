"""JSON Schemas of the ELG messages, generated from the models, and a small validator for them.

The schemas ship with the package (``elg_decorators/check/schemas/*.json``) so that services written
in other languages can validate their messages too; ``python -m elg_decorators.check.json_schemas``
writes them again from the models (a test fails when the files are stale).

:func:`validate` checks a document against one of them with the part of JSON Schema (2020-12) that
the generated schemas use, so ``check`` needs no JSON Schema library at run time.
"""
from __future__ import annotations

import json
import math
import sys
from functools import cache
from pathlib import Path
from typing import Any
from collections.abc import Iterator

from pydantic import TypeAdapter

from ..kinds import REQUEST_KINDS, RESPONSE_KINDS
from ..model import Failure, Progress

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _require_type(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with ``type`` required wherever a model fixes it with a constant (it is required on the wire)."""
    for definition in [schema, *schema.get("$defs", {}).values()]:
        type_property = definition.get("properties", {}).get("type", {})
        if "const" in type_property:
            type_property.pop("default", None)
            required = definition.setdefault("required", [])
            if "type" not in required:
                required.insert(0, "type")
    return schema


def _document(title: str, description: str, schema: dict[str, Any], envelope: str | None) -> dict[str, Any]:
    schema = _require_type(schema)
    defs = schema.pop("$defs", {})
    body: dict[str, Any] = schema
    if envelope is not None:
        body = {"type": "object", "properties": {envelope: schema}, "required": [envelope]}
    document: dict[str, Any] = {"$schema": DIALECT, "title": title, "description": description, **body}
    if defs:
        document["$defs"] = defs
    return document


def _schema_of(adapted: Any) -> dict[str, Any]:
    return dict(TypeAdapter(adapted).json_schema(by_alias=True, mode="validation"))


def generate() -> dict[str, dict[str, Any]]:
    """Every schema, by file name: ``request.json``, ``request.<kind>.json``, ``response.json``,
    ``response.<kind>.json``, ``failure.json``, ``progress.json``."""
    documents: dict[str, dict[str, Any]] = {}
    documents["request.json"] = _document(
        "ELG request", "The body of a request of any kind (JSON, or the request part of a multipart body).",
        dict(REQUEST_KINDS.adapter.json_schema(by_alias=True, mode="validation")), None,
    )
    for kind in REQUEST_KINDS:
        documents[f"request.{kind.type}.json"] = _document(
            f"ELG {kind.type} request", f"A request of type {kind.type!r}.", _schema_of(kind.model), None)
    from ..model.response.utils import ResponseMessage  # the discriminated union of the response models

    documents["response.json"] = _document(
        "ELG response", "A successful answer of any kind.", _schema_of(ResponseMessage), "response")
    for response_kind in RESPONSE_KINDS:
        documents[f"response.{response_kind.type}.json"] = _document(
            f"ELG {response_kind.type} response", f"A successful answer of type {response_kind.type!r}.",
            _schema_of(response_kind.model), "response")
    documents["failure.json"] = _document(
        "ELG failure", "A failed request: status messages saying why.", _schema_of(Failure), "failure")
    documents["progress.json"] = _document(
        "ELG progress", "A progress report (a server-sent event before the final answer).", _schema_of(Progress),
        "progress")
    return documents


def render(document: dict[str, Any]) -> str:
    """A schema as the text of its file."""
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


@cache
def load(name: str) -> dict[str, Any]:
    """The shipped schema ``name`` (``response``, ``request.text``, ``failure``…)."""
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def names() -> list[str]:
    """The names of the shipped schemas."""
    return sorted(path.stem for path in SCHEMA_DIR.glob("*.json"))


_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool)
    or isinstance(v, float) and math.isfinite(v) and v.is_integer(),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def validate(instance: Any, schema: dict[str, Any] | str) -> list[str]:
    """What is wrong with ``instance`` against ``schema`` (a schema, or the name of a shipped one): one
    line per error, each starting with where it is (``/response/annotations/Person/0``); empty if valid."""
    root = load(schema) if isinstance(schema, str) else schema
    return list(_errors(instance, root, root, ""))


def _resolve(reference: str, root: dict[str, Any]) -> dict[str, Any]:
    node: Any = root
    for part in reference.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return dict(node)


def _errors(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str) -> Iterator[str]:  # noqa: C901
    here = where or "/"
    if "$ref" in schema:
        yield from _errors(value, _resolve(schema["$ref"], root), root, where)
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else list(types)
        if not any(_TYPES[name](value) for name in allowed):
            yield f"{here}: {json.dumps(value)[:60]} is not of type {' or '.join(allowed)}"
            return
    if "const" in schema and value != schema["const"]:
        yield f"{here}: {json.dumps(value)[:60]} is not {json.dumps(schema['const'])}"
    if "enum" in schema and value not in schema["enum"]:
        yield f"{here}: {json.dumps(value)[:60]} is not one of {json.dumps(schema['enum'])}"
    discriminator = schema.get("discriminator")
    if discriminator and isinstance(value, dict):  # the branch the discriminating property names
        tag, mapping = discriminator["propertyName"], discriminator.get("mapping", {})
        if value.get(tag) not in mapping:
            yield f"{here}/{tag}: {json.dumps(value.get(tag))[:60]} is not one of {json.dumps(sorted(mapping))}"
        else:
            yield from _errors(value, {"$ref": mapping[value[tag]]}, root, where)
        return
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            branches = [list(_errors(value, branch, root, where)) for branch in schema[keyword]]
            matching = sum(1 for errors in branches if not errors)
            if matching == 0:
                yield min(branches, key=len)[0] if len(schema[keyword]) == 1 else (
                    f"{here}: matches none of the allowed forms ({'; '.join(errors[0] for errors in branches)})")
            elif keyword == "oneOf" and matching > 1:
                yield f"{here}: matches more than one of the allowed forms"
    for branch in schema.get("allOf", ()):
        yield from _errors(value, branch, root, where)
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                yield f"{here}: required property {name!r} is missing"
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                yield from _errors(item, properties[name], root, f"{where}/{name}")
            elif extra is False:
                yield f"{here}: property {name!r} is not allowed"
            elif isinstance(extra, dict):
                yield from _errors(item, extra, root, f"{where}/{name}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            yield f"{here}: has {len(value)} items, fewer than {schema['minItems']}"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            yield f"{here}: has {len(value)} items, more than {schema['maxItems']}"
        if "items" in schema:
            for index, item in enumerate(value):
                yield from _errors(item, schema["items"], root, f"{where}/{index}")
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        yield f"{here}: is shorter than {schema['minLength']} characters"
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            yield f"{here}: {value} is less than {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            yield f"{here}: {value} is more than {schema['maximum']}"


def write(folder: Path = SCHEMA_DIR) -> list[Path]:
    """Write every schema into ``folder``; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in generate().items():
        path = folder / name
        path.write_text(render(document), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write():
        print(written_path, file=sys.stderr)
