"""Exceptions: the one handlers raise to answer with a failure, and those of the framework."""
from __future__ import annotations

from typing import Any
from collections.abc import Mapping, Sequence

from .model.messages import STANDARD_MESSAGES, http_status_for, is_status_code, standard_message
from .model.status import Failure, StatusMessage

#: The standard code a plain sentence is sent under, by whether the status blames the service.
_SENTENCE_CODES = {True: "elg.service.internalError", False: "elg.request.invalid"}


class ProcessingError(Exception):
    """Raise from a handler to answer with an ELG failure and an HTTP status.

    .. code-block:: python

        raise ProcessingError("elg.request.parameter.missing", params=["lang"])
        raise ProcessingError(StandardMessages.generate_elg_request_too_large(), status=413)
        raise ProcessingError("acme.lexicon.missing", text="No lexicon for {0}", params=["fi"])
        raise ProcessingError("the model is not loaded yet")

    :param message: a :class:`StatusMessage`; a standard code, whose English text
        is looked up; a service's own code (sent with ``text``, or the code itself
        as its text); or a plain sentence, sent as the text of an
        ``elg.service.internalError`` (``elg.request.invalid`` with a 4xx ``status``).
        As in the elg package's ``elg.quart_service``, ``ProcessingError(500, message)``
        (a status, then a :class:`StatusMessage`) works too.
    :param params: values for the text's placeholders.
    :param detail: untranslated detail.
    :param status: the HTTP status; by default the one that goes with the code
        (400 for ``elg.request.*``, 500 for ``elg.service.internalError``; for a
        service's own code 500 if it names an internal error, else 400).
    :param text: the English text of a service's own code.
    :param headers: HTTP headers to send with the failure (``Retry-After``, say).
    """

    def __init__(
        self,
        message: StatusMessage | str | int,
        standard_message: StatusMessage | None = None,
        *,
        params: Sequence[Any] | None = None,
        detail: Mapping[str, Any] | None = None,
        status: int | None = None,
        text: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(message, int) and not isinstance(message, bool):
            if standard_message is None:
                raise TypeError("ProcessingError(status, message) needs a StatusMessage after the status")
            status = message
            message = standard_message
        if isinstance(message, str):
            message = _status_message(message, params, detail, text, status)
        elif not isinstance(message, StatusMessage):
            raise TypeError(f"ProcessingError takes a StatusMessage or a code, not {type(message).__name__}")
        self.message = message
        self.status = status if status is not None else http_status_for(message.code)
        self.headers: Mapping[str, str] = headers or {}
        super().__init__(message.render())

    @property
    def failure(self) -> Failure:
        """The failure message this error answers with."""
        return Failure(errors=[self.message])

    # The attribute names and constructors of the elg package's elg.quart_service.ProcessingError.

    @property
    def status_code(self) -> int:
        """The HTTP status (the elg package's name for :attr:`status`)."""
        return self.status

    @property
    def standard_message(self) -> StatusMessage:
        """The status message (the elg package's name for :attr:`message`)."""
        return self.message

    def to_json(self) -> dict[str, Failure]:
        """The failure envelope, ``{"failure": Failure}``."""
        return {"failure": self.failure}

    @staticmethod
    def InternalError(text: str, detail: Mapping[str, Any] | None = None) -> ProcessingError:  # noqa: N802
        """500 ``elg.service.internalError`` with ``text`` as its parameter."""
        return ProcessingError("elg.service.internalError", params=[text], detail=detail)

    @staticmethod
    def InvalidRequest(detail: Mapping[str, Any] | None = None) -> ProcessingError:  # noqa: N802
        """400 ``elg.request.invalid``."""
        return ProcessingError("elg.request.invalid", detail=detail)

    @staticmethod
    def TooLarge(detail: Mapping[str, Any] | None = None) -> ProcessingError:  # noqa: N802
        """413 ``elg.request.too.large``."""
        return ProcessingError("elg.request.too.large", detail=detail)

    @staticmethod
    def UnsupportedMime(mime: str, detail: Mapping[str, Any] | None = None) -> ProcessingError:  # noqa: N802
        """400 ``elg.request.text.mimeType.unsupported`` for ``mime``."""
        return ProcessingError("elg.request.text.mimeType.unsupported", params=[mime], detail=detail)

    @staticmethod
    def UnsupportedType(  # noqa: N802
        request_type: str | None = None, detail: Mapping[str, Any] | None = None
    ) -> ProcessingError:
        """400 ``elg.request.type.unsupported`` for ``request_type``."""
        return ProcessingError("elg.request.type.unsupported", params=[request_type or ""], detail=detail)


def _status_message(
    message: str,
    params: Sequence[Any] | None,
    detail: Mapping[str, Any] | None,
    text: str | None,
    status: int | None,
) -> StatusMessage:
    if message in STANDARD_MESSAGES and text is None:
        return standard_message(message, params, detail)
    if is_status_code(message):  # a service's own code (or a standard one with its own text)
        return StatusMessage(
            code=message, text=text if text is not None else message,
            params=[str(p) for p in params or ()], detail=dict(detail) if detail is not None else {},
        )
    # A sentence: its words are the text; under internalError it is also the {0} the UI fills in.
    internal = status is None or status >= 500
    code = _SENTENCE_CODES[internal]
    return StatusMessage(
        code=code, text=message, params=[message] if internal else [str(p) for p in params or ()],
        detail=dict(detail) if detail is not None else {},
    )


def error_line(problem: object) -> str:
    """How a developer's mistake is shown on the command line: one line, ``error: ...``."""
    return f"error: {problem}"


class ElgDecoratorsError(Exception):
    """Base of the errors the framework reports to a developer (not to a client)."""


class HandlerDefinitionError(ElgDecoratorsError, TypeError):
    """A decorated function cannot be served as written; the message says what to change."""


class ServiceLoadError(ElgDecoratorsError):
    """A service script or module could not be imported or defines no handler."""


class BuildError(ElgDecoratorsError):
    """Writing the image files, building or pushing the image failed."""
