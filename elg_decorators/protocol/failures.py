"""Ready-made failures for what can go wrong before or after a handler runs."""
from __future__ import annotations

from typing import Any
from collections.abc import Iterable, Mapping

from pydantic import ValidationError

from ..errors import ProcessingError
from ..settings import HIDE_EXCEPTION_TEXT
from .charsets import accepted_charset_names

#: How many validation errors a failure's detail lists at most.
MAX_REPORTED_ERRORS = 20
#: How much of a client's charset or content type a failure repeats.
MAX_ECHOED_LABEL = 100
#: What a 500 says instead of an exception's text when ``HIDE_EXCEPTION_TEXT`` is on.
HIDDEN_EXCEPTION_TEXT = "the service's log has the details"


def invalid_request(reason: str, **detail: Any) -> ProcessingError:
    """400 ``elg.request.invalid`` with ``reason`` in the detail."""
    return ProcessingError("elg.request.invalid", detail={"reason": reason, **detail})


def validation_failure(error: ValidationError, *, request_type: str | None = None) -> ProcessingError:
    """The 400 failure for a request body that did not validate.

    A missing ``type`` or an unknown one, an unsupported audio or image format
    get their own standard codes; everything else is ``elg.request.invalid``
    with the validation errors (without the offending values) in the detail.
    ``request_type`` names the model when ``error`` came from one request
    model rather than from the union of all of them.
    """
    # Built once: the models stop at the first invalid item of a list, so there are few problems.
    problems = error.errors(include_url=False)
    prefix = (request_type,) if request_type is not None else ()
    first: Mapping[str, Any] = problems[0] if problems else {}
    kind = first.get("type")
    if kind == "union_tag_invalid":
        return ProcessingError("elg.request.type.unsupported", params=[str(first.get("ctx", {}).get("tag", ""))])
    location = (*prefix, *first.get("loc", ()))
    if kind == "value_error" and location[-1:] == ("format",) and location[0] in ("audio", "image"):
        value = first.get("input")
        code = f"elg.request.{location[0]}.format.unsupported"
        return ProcessingError(code, params=[value if isinstance(value, str) else ""], detail={"reason": first["msg"]})
    return invalid_request(
        "the request body is not a valid ELG request",
        errors=[_describe(problem, prefix) for problem in problems[:MAX_REPORTED_ERRORS]],
    )


def _describe(problem: Mapping[str, Any], prefix: tuple[str, ...]) -> dict[str, Any]:
    return {
        "location": ".".join(str(part) for part in (*prefix, *problem.get("loc", ()))),
        "message": problem.get("msg", ""),
        "type": problem.get("type", ""),
    }


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


def too_large(limit: int | None) -> ProcessingError:
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


def unsupported_charset(charset: str, content_type: str) -> ProcessingError:
    """415 for a body in a charset outside the accepted ones (see :mod:`.charsets`)."""
    shown = charset[:MAX_ECHOED_LABEL]
    return ProcessingError(
        "elg.request.type.unsupported",
        params=[content_type[:MAX_ECHOED_LABEL] or "(none)"],
        detail={"reason": f"unsupported charset {shown!r}", "charset": shown, "accepted": accepted_charset_names()},
        status=415,
    )


def unrepresentable_values(problems: list[dict[str, str]]) -> ProcessingError:
    """400 for JSON holding NaN, an infinity or a lone surrogate, naming where."""
    return invalid_request("the request holds values JSON cannot carry", errors=problems)


def internal_error(exc: BaseException, *, hide_text: bool | None = None) -> ProcessingError:
    """500 ``elg.service.internalError`` for an unexpected exception, carrying its message.

    With ``hide_text`` (None: the ``HIDE_EXCEPTION_TEXT`` setting) the message is replaced by
    :data:`HIDDEN_EXCEPTION_TEXT`: the caller logs the exception, and the answer holds nothing of it.
    """
    hidden = HIDE_EXCEPTION_TEXT.read() if hide_text is None else hide_text
    return ProcessingError(
        "elg.service.internalError", params=[HIDDEN_EXCEPTION_TEXT if hidden else str(exc) or type(exc).__name__]
    )


def interrupted() -> ProcessingError:
    """500 when processing was cut short, e.g. by the worker timeout."""
    return ProcessingError(
        "elg.service.internalError", params=["processing was interrupted: the worker is stopping (timeout?)"]
    )


def invalid_response(reason: str) -> ProcessingError:
    """500 ``elg.response.invalid``: the handler's result is not an ELG message."""
    return ProcessingError("elg.response.invalid", detail={"reason": reason})


def invalid_response_value(response_name: str, error: Exception) -> ProcessingError:
    """500 ``elg.response.invalid`` for a handler's value that does not make a ``response_name``.

    The detail names where the value is wrong and the kind of error, never the
    value itself (it may hold anything, secrets included) nor library versions:
    those belong in the service's log.
    """
    detail: dict[str, Any] = {"reason": f"the value returned is not a valid {response_name}"}
    if isinstance(error, ValidationError):
        problems = error.errors(include_url=False, include_input=False, include_context=False)
        detail["errors"] = [
            {"location": ".".join(str(part) for part in problem["loc"]), "type": problem["type"]}
            for problem in problems[:MAX_REPORTED_ERRORS]
        ]
    else:
        detail["errors"] = [{"location": "", "type": type(error).__name__}]
    return ProcessingError("elg.response.invalid", detail=detail)
