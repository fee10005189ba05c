"""Reading an HTTP request body into the typed ELG request model."""
from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import IO, Any

from pydantic import ValidationError
from werkzeug.http import parse_options_header

from ..errors import ProcessingError
from ..kinds import REQUEST_KINDS, RequestKinds
from ..model.request import Request
from .charsets import ACCEPTED_CHARSETS, UTF8_COMPATIBLE, codec_for
from .failures import (
    invalid_request,
    unrepresentable_values,
    unsupported_charset,
    unsupported_media_type,
    validation_failure,
)
from .json_values import may_hold_lone_surrogate, spells_not_finite, unrepresentable
from .multipart import read_multipart

#: Deepest nesting of JSON arrays and objects accepted: what the response encoder can write back.
MAX_JSON_NESTING = 250
_NO_OPTIONS: dict[str, str] = {}


def parse_request(
    content_type: str | None,
    stream: IO[bytes],
    query: Callable[[], Mapping[str, Sequence[str]]],
    *,
    kinds: RequestKinds = REQUEST_KINDS,
    content_required: Collection[str] | None = None,
    served: Collection[str] | None = None,
) -> Request:
    """The ELG request carried by a body of ``content_type`` read from ``stream``.

    Accepts a JSON request; a multipart request with a JSON ``request`` part
    and a binary ``content`` part; and, as on the public ELG API, the bare
    bodies the request ``kinds`` list (audio, images, plain text and HTML)
    with ``params`` from the query string. ``query`` returns the query-string
    parameters (read only for bare bodies). Raises :class:`ProcessingError`
    with the fitting ELG failure otherwise. An audio or image request without
    content is refused if its type is in ``content_required`` (None: every
    binary type) and otherwise returned with ``content`` None. ``served``: the request
    types the service takes there, whose media types a 415 lists (None: every kind's).
    """
    if content_type == "application/json":  # what nearly every client sends: no header to parse
        mimetype, options = content_type, _NO_OPTIONS
    else:
        mimetype, options = parse_options_header(content_type or "")
        mimetype = mimetype.lower()
    if mimetype == "application/json" or mimetype.endswith("+json"):
        charset = options.get("charset")
        codec = None if charset is None else _codec(charset, content_type)
        request = _validate_json(_read_body(stream), codec, kinds)
        return request if request.type not in kinds.binary_types else _with_content(request, kinds, content_required)
    if mimetype == "multipart/form-data":
        return _parse_multipart(stream, options.get("boundary", ""), kinds, content_required)
    raw = kinds.for_raw_body(mimetype)
    if raw is None:
        raise unsupported_media_type(content_type or "", accepted_media_types(kinds, served))
    kind, fields = raw
    if kind.binary:
        content: Any = _read_body(stream)
    else:
        charset = options.get("charset")
        content = _decode(_read_body(stream), "utf_8" if charset is None else _codec(charset, content_type))
    return _validated(kind.model, content=content, params=_params_from(query()), **fields)


def accepted_media_types(kinds: RequestKinds, served: Collection[str] | None = None) -> tuple[str, ...]:
    """The media types a body may have for the request types ``served`` (None: every kind of ``kinds``).

    JSON always; multipart when a binary kind is served (its content travels in a part of its
    own); then the bare bodies of each kind served.
    """
    chosen = [kind for kind in kinds if served is None or kind.type in served]
    multipart = ("multipart/form-data",) if any(kind.binary for kind in chosen) or not chosen else ()
    return ("application/json", *multipart, *(media for kind in chosen for media in kind.raw_media_types))


def _read_body(stream: IO[bytes]) -> bytes:
    body = stream.read()
    if not body:
        raise ProcessingError("elg.request.missing")
    if not getattr(stream, "within_limit", False):
        # A size-capped stream stops quietly at the cap; reading past it raises the 413.
        stream.read(1)
    return body


def _codec(charset: str, content_type: str | None) -> str:
    """The codec of the body's declared charset; a 415 if it is not accepted."""
    codec = codec_for(charset)
    if codec is None:
        raise unsupported_charset(charset, content_type or "")
    return codec


def _decode(body: bytes, codec: str) -> str:
    """``body`` decoded strictly with one of the accepted codecs (none yields lone surrogates)."""
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        raise invalid_request(f"the body is not valid {ACCEPTED_CHARSETS[codec]} text (byte {exc.start})") from None


def _validate_json(body: bytes, codec: str | None, kinds: RequestKinds) -> Request:
    if codec is not None and codec not in UTF8_COMPATIBLE:
        body = _decode(body, codec).encode("utf-8")
    # The scan is cheap; only a body spelling NaN or Infinity somewhere is parsed a second time.
    if (b"NaN" in body or b"Infinity" in body) and spells_not_finite(body):
        _loads(body)  # names where the NaN or Infinity is, if one is outside a string
    try:
        request: Request = kinds.adapter.validate_json(body)
    except ValidationError as exc:
        if not _too_deep_for_the_fast_parser(exc):
            raise validation_failure(exc) from None
        # pydantic-core's JSON parser stops at 200 nested containers; the standard
        # library parser goes deeper, so the model can apply its own, documented limit.
        fields = _loads(body)
        if _nesting(fields) > MAX_JSON_NESTING:
            raise invalid_request(f"the JSON is nested more than {MAX_JSON_NESTING} levels deep") from None
        request = _validate_python(fields, kinds)
    return request


def _too_deep_for_the_fast_parser(error: ValidationError) -> bool:
    problems = error.errors(include_url=False)
    return len(problems) == 1 and problems[0]["type"] == "json_invalid" and "recursion limit" in problems[0]["msg"]


def _nesting(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iteratively: no recursion limit)."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in item if isinstance(child, (dict, list)))
    return deepest


def _loads(body: bytes) -> Any:
    """``body`` parsed by the standard library, refusing NaN, infinities and lone surrogates (naming where)."""
    constants: list[str] = []

    def constant(name: str) -> float:
        constants.append(name)
        return float(name)

    try:
        fields = json.loads(body, parse_constant=constant)
    except RecursionError:
        raise invalid_request("the JSON is nested too deeply") from None
    except ValueError as exc:  # includes UnicodeDecodeError
        raise invalid_request(f"the body is not valid JSON: {exc}") from None
    if constants or may_hold_lone_surrogate(body):
        problems = unrepresentable(fields)
        if problems:
            raise unrepresentable_values(problems)
    return fields


def _validate_python(fields: Any, kinds: RequestKinds) -> Request:
    try:
        request: Request = kinds.adapter.validate_python(fields)
    except ValidationError as exc:
        raise validation_failure(exc) from None
    return request


def _with_content(request: Request, kinds: RequestKinds, required: Collection[str] | None) -> Request:
    if request.type not in kinds.binary_types or (required is not None and request.type not in required):
        return request
    if getattr(request, "content", None) is None:
        raise invalid_request(
            f"{request.type} requests carry their {request.type} as the content part of a multipart body, "
            "or as a raw body"
        )
    return request


def _validated(model: type[Request], **fields: Any) -> Request:
    try:
        return model(**fields)
    except ValidationError as exc:
        raise validation_failure(exc, request_type=model.model_fields["type"].default) from None


def _parse_multipart(
    stream: IO[bytes], boundary: str, kinds: RequestKinds, content_required: Collection[str] | None
) -> Request:
    body = read_multipart(stream, boundary)
    fields = _loads(body.request_json)
    if not isinstance(fields, dict):
        raise invalid_request('the "request" part must be a JSON object')
    kind = kinds.get(fields.get("type"))
    if kind is not None and kind.binary and body.content is not None:
        fields["content"] = body.content
        implied = kind.raw_body_fields(body.content_type or "") or {}
        fields.update({name: value for name, value in implied.items() if name not in fields})
    request = _validate_python(fields, kinds)
    if body.content is None and (content_required is None or request.type in content_required):
        kind = kinds.get(request.type)
        if kind is not None and kind.binary:
            raise invalid_request('the multipart body has no "content" part')
    return request


def _params_from(query: Mapping[str, Sequence[str]]) -> dict[str, Any] | None:
    """Query-string parameters: one value as a string, repeated ones as a list."""
    params = {name: values[0] if len(values) == 1 else list(values) for name, values in query.items()}
    return params or None
