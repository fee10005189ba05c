"""The standard ELG status messages: code, English text and HTTP status.

The texts are the English fallbacks the ELG user interface shows when it
cannot translate a code; ``{0}``, ``{1}`` … are filled from ``params``.
"""
from __future__ import annotations

import re
import warnings
from typing import Any, Final, NamedTuple
from collections.abc import Mapping, Sequence

from .status import StatusMessage


class MessageSpec(NamedTuple):
    """What the platform knows about one standard code."""

    text: str
    http_status: int


STANDARD_MESSAGES: Final[Mapping[str, MessageSpec]] = {
    "elg.request.invalid": MessageSpec("Invalid request message", 400),
    "elg.request.missing": MessageSpec("No request provided in message", 400),
    "elg.request.type.unsupported": MessageSpec("Request type {0} not supported by this service", 400),
    "elg.request.property.unsupported": MessageSpec("Unsupported property {0} in request", 400),
    "elg.request.too.large": MessageSpec("Request size too large", 413),
    "elg.request.parameter.missing": MessageSpec("Required parameter {0} missing from request", 400),
    "elg.request.parameter.invalid": MessageSpec('Value "{1}" is not valid for parameter {0}', 400),
    "elg.request.text.mimeType.unsupported": MessageSpec("MIME type {0} not supported by this service", 400),
    "elg.request.audio.format.unsupported": MessageSpec("Audio format {0} not supported by this service", 400),
    "elg.request.audio.sampleRate.unsupported": MessageSpec(
        "Audio sample rate {0} not supported by this service", 400
    ),
    "elg.request.image.format.unsupported": MessageSpec("Image format {0} not supported by this service", 400),
    "elg.request.structuredText.property.unsupported": MessageSpec(
        'Unsupported property {0} in "texts" of structuredText request', 400
    ),
    "elg.response.invalid": MessageSpec("Invalid response message", 500),
    "elg.response.type.unsupported": MessageSpec("Response type {0} not supported", 500),
    "elg.response.property.unsupported": MessageSpec("Unsupported property {0} in response", 500),
    "elg.response.texts.property.unsupported": MessageSpec(
        'Unsupported property {0} in "texts" of texts response', 500
    ),
    "elg.response.classification.property.unsupported": MessageSpec(
        'Unsupported property {0} in "classes" of classification response', 500
    ),
    "elg.service.not.found": MessageSpec("Service {0} not found", 404),
    "elg.async.call.not.found": MessageSpec("Async call {0} not found", 404),
    "elg.permissions.quotaExceeded": MessageSpec("Authorized quota exceeded", 429),
    "elg.permissions.accessDenied": MessageSpec("Access denied", 403),
    "elg.permissions.accessManagerError": MessageSpec("Error in access manager: {0}", 500),
    "elg.file.not.found": MessageSpec("File {0} not found", 404),
    "elg.file.expired": MessageSpec("Requested file {0} no longer available", 410),
    "elg.upload.too.large": MessageSpec("Upload too large", 413),
    "elg.service.internalError": MessageSpec("Internal error during processing: {0}", 500),
}

#: Status for a service's own code (one not in the table above) that names an internal error.
DEFAULT_FAILURE_STATUS: Final = 500
#: Status for any other code of a service's own.
DEFAULT_CALLER_FAILURE_STATUS: Final = 400


def is_internal_error_code(code: str) -> bool:
    """True for codes naming the service's own fault: ``*.internalError``, ``acme.model.internal_error``…"""
    last = code.rsplit(".", 1)[-1].lower().replace("_", "")
    return "internal" in last


def http_status_for(code: str) -> int:
    """The HTTP status that goes with a status message code.

    A standard code has its own; a service's own code gets 500 when it names an
    internal error (:func:`is_internal_error_code`) and 400 otherwise.
    """
    spec = STANDARD_MESSAGES.get(code)
    if spec is not None:
        return spec.http_status
    return DEFAULT_FAILURE_STATUS if is_internal_error_code(code) else DEFAULT_CALLER_FAILURE_STATUS


def is_status_code(text: str) -> bool:
    """True if ``text`` reads as a status message code (``elg.request.invalid``, ``acme.custom.code``)."""
    return _CODE.fullmatch(text) is not None


_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+")


def standard_message(
    code: str, params: Sequence[Any] | None = None, detail: Mapping[str, Any] | None = None
) -> StatusMessage:
    """Build the :class:`StatusMessage` for a standard ``code``.

    ``params`` are converted to strings, as the wire format requires.
    """
    return StatusMessage(
        code=code,
        text=STANDARD_MESSAGES[code].text,
        params=[str(p) for p in params or ()],
        detail=dict(detail) if detail is not None else {},
    )


def _generator_name(code: str) -> str:
    return "generate_" + code.replace(".", "_").lower()


def _make_generator(code: str) -> Any:
    def generate(
        cls: type,
        params: Sequence[Any] | None = None,
        detail: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> StatusMessage:
        if "lang" in kwargs:
            warnings.warn(
                "the 'lang' argument is ignored: standard message texts are English; "
                "the ELG i18n service translates the code",
                DeprecationWarning,
                stacklevel=2,
            )
        return standard_message(code, params, detail)

    generate.__name__ = generate.__qualname__ = _generator_name(code)
    generate.__doc__ = f"Generate the StatusMessage for code ``{code}``."
    return classmethod(generate)  # type: ignore[arg-type]


class StandardMessages:
    """One ``generate_<code>`` classmethod per standard ELG code.

    The method name is ``generate_`` plus the code with dots replaced by
    underscores, lower-cased, e.g.
    ``StandardMessages.generate_elg_request_invalid(params=[], detail={})``.
    """


for _code in STANDARD_MESSAGES:
    setattr(StandardMessages, _generator_name(_code), _make_generator(_code))
del _code
