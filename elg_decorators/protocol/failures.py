"""Ready-made failures for what can go wrong before or after a handler runs."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional

from pydantic import ValidationError

from ..errors import ProcessingError

#: How many validation errors a failure's detail lists at most.
MAX_REPORTED_ERRORS = 20


def invalid_request(reason: str, **detail: Any) -> ProcessingError:
    """400 ``elg.request.invalid`` with ``reason`` in the detail."""
    return ProcessingError("elg.request.invalid", detail={"reason": reason, **detail})


def validation_failure(error: ValidationError, *, request_type: Optional[str] = None) -> ProcessingError:
    """The 400 failure for a request body that did not validate.

    A missing ``type`` or an unknown one, an unsupported audio or image format
    get their own standard codes; everything else is ``elg.request.invalid``
    with the validation errors (without the offending values) in the detail.
    ``request_type`` names the model when ``error`` came from one request
    model rather than from the union of all of them.
    """
    problems: List[Any] = error.errors(include_url=False, include_input=False, include_context=False)
    if request_type is not None:
        problems = [{**problem, "loc": (request_type, *problem["loc"])} for problem in problems]
    first: Dict[str, Any] = problems[0] if problems else {}
    kind = first.get("type")
    if kind == "union_tag_invalid":
        return ProcessingError("elg.request.type.unsupported", params=[_tag_of(error)])
    if kind == "value_error" and tuple(first.get("loc", ()))[-1:] == ("format",):
        request_type = first["loc"][0]
        if request_type in ("audio", "image"):
            code = f"elg.request.{request_type}.format.unsupported"
            return ProcessingError(code, params=[_format_of(error)], detail={"reason": first["msg"]})
    return invalid_request(
        "the request body is not a valid ELG request",
        errors=[_describe(problem) for problem in problems[:MAX_REPORTED_ERRORS]],
    )


def _describe(problem: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "location": ".".join(str(part) for part in problem.get("loc", ())),
        "message": problem.get("msg", ""),
        "type": problem.get("type", ""),
    }


def _tag_of(error: ValidationError) -> str:
    for problem in error.errors(include_url=False):
        tag = problem.get("ctx", {}).get("tag")
        if tag is not None:
            return str(tag)
    return ""


def _format_of(error: ValidationError) -> str:
    for problem in error.errors(include_url=False):
        value: Optional[Any] = problem.get("input")
        if isinstance(value, str):
            return value
    return ""


def not_found(path: str) -> ProcessingError:
    """404 for a path no endpoint serves."""
    return ProcessingError("elg.service.not.found", params=[path])


def method_not_allowed(method: str, allowed: Iterable[str]) -> ProcessingError:
    """405 for a method the path does not accept."""
    return ProcessingError(
        "elg.request.invalid",
        detail={"reason": f"method {method} is not allowed here", "allowed": sorted(allowed)},
        status=405,
    )


def too_large(limit: Optional[int]) -> ProcessingError:
    """413 for a body over the size limit."""
    detail = {"limit": limit} if limit is not None else None
    return ProcessingError("elg.request.too.large", detail=detail)


def unsupported_media_type(content_type: str, accepted: Iterable[str]) -> ProcessingError:
    """415 for a body whose content type the service cannot read."""
    return ProcessingError(
        "elg.request.type.unsupported",
        params=[content_type or "(none)"],
        detail={"reason": "unsupported Content-Type", "accepted": list(accepted)},
        status=415,
    )


def internal_error(exc: BaseException) -> ProcessingError:
    """500 ``elg.service.internalError`` carrying the exception's message."""
    return ProcessingError("elg.service.internalError", params=[str(exc) or type(exc).__name__])


def interrupted() -> ProcessingError:
    """500 when processing was cut short, e.g. by the worker timeout."""
    return ProcessingError(
        "elg.service.internalError", params=["processing was interrupted: the worker is stopping (timeout?)"]
    )


def invalid_response(reason: str) -> ProcessingError:
    """500 ``elg.response.invalid``: the handler's result is not an ELG message."""
    return ProcessingError("elg.response.invalid", detail={"reason": reason})
