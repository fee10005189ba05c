"""Exceptions: the one handlers raise to answer with a failure, and those of the framework."""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Union

from .model.messages import http_status_for, standard_message
from .model.status import Failure, StatusMessage


class ProcessingError(Exception):
    """Raise from a handler to answer with an ELG failure and an HTTP status.

    .. code-block:: python

        raise ProcessingError("elg.request.parameter.missing", params=["lang"])
        raise ProcessingError(StandardMessages.generate_elg_request_too_large(), status=413)

    :param message: a :class:`StatusMessage`, or a standard code whose English
        text is looked up.
    :param params: values for the text's placeholders (with a code only).
    :param detail: untranslated detail (with a code only).
    :param status: the HTTP status; by default the one that goes with the code
        (400 for ``elg.request.*``, 500 for ``elg.service.internalError`` …).
    :param headers: HTTP headers to send with the failure (``Retry-After``, say).
    """

    def __init__(
        self,
        message: Union[StatusMessage, str],
        *,
        params: Optional[Sequence[Any]] = None,
        detail: Optional[Mapping[str, Any]] = None,
        status: Optional[int] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        if isinstance(message, str):
            message = standard_message(message, params, detail)
        self.message = message
        self.status = status if status is not None else http_status_for(message.code)
        self.headers: Mapping[str, str] = headers or {}
        super().__init__(message.render())

    @property
    def failure(self) -> Failure:
        """The failure message this error answers with."""
        return Failure(errors=[self.message])


class ElgDecoratorsError(Exception):
    """Base of the errors the framework reports to a developer (not to a client)."""


class HandlerDefinitionError(ElgDecoratorsError, TypeError):
    """A decorated function cannot be served as written; the message says what to change."""


class ServiceLoadError(ElgDecoratorsError):
    """A service script or module could not be imported or defines no handler."""


class BuildError(ElgDecoratorsError):
    """Writing the image files, building or pushing the image failed."""
