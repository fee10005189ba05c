"""A test client for services built with elg_decorators, for use in your own tests.

.. code-block:: python

    from elg_decorators.testing import ServiceClient
    import my_service

    def test_ner():
        client = ServiceClient.for_module(my_service, raise_for_failure=True)
        response = client.text("Ada Lovelace wrote", params={"lang": "en"})
        assert response.annotations["Person"][0].end == 12

With ``raise_for_failure=True`` a failure answered where a response was expected raises
:class:`ServiceFailure` (naming the HTTP status, the code and the text) instead of being
returned as a :class:`~elg_decorators.model.Failure`.
"""
from __future__ import annotations

import io
import json
import mimetypes
from pathlib import Path
from types import ModuleType
from typing import Any
from collections.abc import Iterator

from flask import Flask

from .discovery import load_service
from .kinds import REQUEST_KINDS, Endpoint, RequestKind, RequestKinds, url_variables
from .model.response import get_response
from .model.request import Request
from .model.status import Failure
from .registry.registry import Registry
from .registry.service import RegistryService
from .runtime.service_runtime import runtime_of
from .service.flask_service import FlaskService
from .settings import DEFAULT_PATH

#: Binary content: the bytes themselves, or a file to read them from.
Binary = bytes | str | Path
#: How much of a failure's detail the message of :class:`ServiceFailure` repeats.
MAX_SHOWN_DETAIL = 300


class ServiceFailure(AssertionError):
    """A service answered with a failure where the test expected a response (see ``raise_for_failure``).

    An ``AssertionError``: a test that meets one fails (rather than errs), with a message
    such as ``POST /process answered 400 elg.request.parameter.missing: Required parameter
    lang missing from request``.
    """

    def __init__(self, failure: Failure, status: int, method: str = "POST", path: str = "") -> None:
        #: The failure message, as the service sent it.
        self.failure = failure
        #: The HTTP status it came with (200 for a failure event ending a stream).
        self.status = status
        #: The code of its first error (``elg.request.parameter.missing``).
        self.code = failure.errors[0].code
        request = f"{method} {path}" if path else method
        super().__init__(f"{request} answered {status} {'; '.join(_describe(error) for error in failure.errors)}")


class ServiceClient:
    """Sends ELG requests to a service in-process (through Flask's test client) and parses the answers.

    Each call returns the parsed response model, ``Failure`` or (for
    :meth:`stream`) ``Progress`` messages; with ``with_status=True`` it
    returns ``(http_status, message)``. Every request kind has a method taking
    the same arguments: the content, then ``params``, ``path``,
    ``with_status``, ``raise_for_failure`` and any other request field by name.

    :param service: a Flask app, a FlaskService, or a Registry of handlers.
    :param path: the path requests go to unless a call gives one; default: the one path
        (without URL variables) that takes the request's kind, else ``/process``.
    :param raise_for_failure: True: a failure answered raises :class:`ServiceFailure` instead of
        being returned (a call's own ``raise_for_failure`` overrides it for that call).
    """

    def __init__(self, service: Flask | FlaskService | Registry, *, path: str | None = None,
                 raise_for_failure: bool = False) -> None:
        served: Flask | FlaskService = RegistryService(service) if isinstance(service, Registry) else service
        if isinstance(served, Flask):
            served = served.extensions.get(FlaskService.EXTENSION_KEY, served)
        self.kinds: RequestKinds = served.kinds if isinstance(served, FlaskService) else REQUEST_KINDS
        #: What the service serves on each path (nothing known for a bare Flask app).
        self.endpoints: tuple[Endpoint, ...] = served.describe_endpoints() if isinstance(served, FlaskService) else ()
        self.app: Flask = served.app if isinstance(served, FlaskService) else served
        self.path = path
        self.raise_for_failure = raise_for_failure
        runtime = runtime_of(self.app)
        if runtime is not None:
            runtime.wait()  # the service's resources exist (or failed) before the first request
        self.http = self.app.test_client()

    @classmethod
    def for_module(cls, module: ModuleType | str, *, path: str | None = None,
                   raise_for_failure: bool = False) -> ServiceClient:
        """A client for the service that a module (or script path) defines, loaded afresh."""
        target = module if isinstance(module, str) else (module.__file__ or module.__name__)
        return cls(load_service(target).app(), path=path, raise_for_failure=raise_for_failure)

    # -- one call per request kind, all alike ----------------------------------------

    def text(self, content: str, *, params: dict[str, Any] | None = None, path: str | None = None,
             with_status: bool = False, raise_for_failure: bool | None = None, **fields: Any) -> Any:
        """Send a text request (other fields by name: ``mime_type``, ``features``, ``annotations``)."""
        return self.call("text", content, params=params, path=path, with_status=with_status,
                         raise_for_failure=raise_for_failure, **fields)

    def structured_text(self, texts: Any, *, params: dict[str, Any] | None = None, path: str | None = None,
                        with_status: bool = False, raise_for_failure: bool | None = None, **fields: Any) -> Any:
        """Send a structuredText request; plain strings among ``texts`` become leaf nodes."""
        return self.call("structuredText", texts, params=params, path=path, with_status=with_status,
                         raise_for_failure=raise_for_failure, **fields)

    def audio(self, audio: Binary, *, params: dict[str, Any] | None = None, path: str | None = None,
              with_status: bool = False, raise_for_failure: bool | None = None, **fields: Any) -> Any:
        """Send an audio request (bytes or a file path) as multipart; ``format`` from the file's type by default."""
        return self.call("audio", audio, params=params, path=path, with_status=with_status,
                         raise_for_failure=raise_for_failure, **fields)

    def image(self, image: Binary, *, params: dict[str, Any] | None = None, path: str | None = None,
              with_status: bool = False, raise_for_failure: bool | None = None, **fields: Any) -> Any:
        """Send an image request (bytes or a file path) as multipart; ``format`` from the file's type by default."""
        return self.call("image", image, params=params, path=path, with_status=with_status,
                         raise_for_failure=raise_for_failure, **fields)

    def call(self, request_type: str, content: Any, *, params: dict[str, Any] | None = None,
             path: str | None = None, with_status: bool = False, raise_for_failure: bool | None = None,
             **fields: Any) -> Any:
        """Send a request of any kind the service knows, built from its content and fields."""
        request = build_request(self.kinds[request_type], content, params=params, **fields)
        return self.send(request, path=path, with_status=with_status, raise_for_failure=raise_for_failure)

    def send(self, request: Request, *, path: str | None = None, with_status: bool = False,
             raise_for_failure: bool | None = None) -> Any:
        """Send any ELG request and parse the single JSON answer.

        :raises ServiceFailure: for a failure, with ``raise_for_failure`` (default: the client's).
        """
        where = self._path(request.type, path)
        answer = self.http.post(where, **self._body(request))
        message = get_response(answer.get_data())
        self._check(message, answer.status_code, where, raise_for_failure)
        return (answer.status_code, message) if with_status else message

    def stream(self, content: Any, *, request_type: str = "text", params: dict[str, Any] | None = None,
               path: str | None = None, raise_for_failure: bool | None = None, **fields: Any) -> Iterator[Any]:
        """Send a request asking for server-sent events; yield Progress messages, then the result.

        ``content`` is what the method of ``request_type`` takes, or a whole request model.

        :raises ServiceFailure: for a failure (answered, or the event ending the stream), with
            ``raise_for_failure`` (default: the client's).
        """
        request = content if isinstance(content, Request) else build_request(
            self.kinds[request_type], content, params=params, **fields
        )
        where = self._path(request.type, path)
        answer = self.http.post(where, headers={"Accept": "text/event-stream"}, **self._body(request))
        if answer.mimetype != "text/event-stream":
            message = get_response(answer.get_data())
            self._check(message, answer.status_code, where, raise_for_failure)
            yield message
            return
        for data in event_data(answer.get_data()):
            message = get_response(data)
            self._check(message, answer.status_code, where, raise_for_failure)
            yield message

    def _check(self, message: Any, status: int, path: str, raise_for_failure: bool | None) -> None:
        """Raise :class:`ServiceFailure` for a failure if asked to (by the call, else by the client)."""
        chosen = self.raise_for_failure if raise_for_failure is None else raise_for_failure
        if chosen and isinstance(message, Failure):
            raise ServiceFailure(message, status, "POST", path)

    def _path(self, request_type: str | None, path: str | None) -> str:
        """The path given, else the client's, else the one fixed path that takes ``request_type``."""
        chosen = path or self.path
        if chosen:
            return chosen
        taking = [endpoint.path for endpoint in self.endpoints if endpoint.handler(request_type or "")]
        if len(taking) == 1 and not url_variables(taking[0]):
            return taking[0]
        return DEFAULT_PATH  # the service answers there, if only to say what it does not take

    def _body(self, request: Request) -> dict[str, Any]:
        kind = self.kinds.get(request.type)
        if kind is not None and kind.binary:
            meta = json.dumps(request.model_dump(mode="json", by_alias=True, exclude_none=True))
            data = {
                "request": (io.BytesIO(meta.encode()), "request.json", "application/json"),
                "content": (
                    io.BytesIO(getattr(request, "content", None) or b""), "content", "application/octet-stream"
                ),
            }
            return {"data": data, "content_type": "multipart/form-data"}
        return {"data": request.model_dump_json(by_alias=True, exclude_none=True), "content_type": "application/json"}


def build_request(
    kind: RequestKind, content: Any, *, params: dict[str, Any] | None = None, **fields: Any
) -> Request:
    """A request of ``kind`` whose content field holds ``content``.

    Binary content may be a file path; its media type then supplies the fields
    it implies (``format``) unless they are given. Plain strings in a list of
    ``texts`` become leaf nodes.
    """
    if kind.binary:
        content, media_type = _read(content)
        implied = kind.raw_body_fields(media_type or "") or {}
        fields = {**implied, **fields}
    elif kind.content_field == "texts":
        content = [{"content": node} if isinstance(node, str) else node for node in content]
    return kind.model(**{kind.content_field: content}, params=params, **fields)


def event_data(stream: bytes) -> list[bytes]:
    """The data of each server-sent event in a whole event stream, as ELG services write them.

    :raises ValueError: when the stream is not a series of one-line ``data:`` events, each
        ended by a blank line.
    """
    if stream and not stream.endswith(b"\r\n\r\n"):
        raise ValueError(f"the event stream does not end with a blank line: {stream[-80:]!r}")
    data = []
    for event in stream.split(b"\r\n\r\n")[:-1]:
        if not event.startswith(b"data:") or b"\n" in event or b"\r" in event:
            raise ValueError(f"not a one-line data: event: {event[:80]!r}")
        data.append(event[len(b"data:"):])
    return data


def event_messages(stream: bytes) -> list[dict[str, Any]]:
    """The JSON of each server-sent event in a whole event stream (see :func:`event_data`)."""
    return [json.loads(data) for data in event_data(stream)]


def _describe(error: Any) -> str:
    """``code: text`` of one status message, with its detail (shortened) when it has one."""
    shown = f"{error.code}: {error.render()}"
    if error.detail:
        detail = json.dumps(error.detail, ensure_ascii=False, default=str)
        shown += f" (detail: {detail if len(detail) <= MAX_SHOWN_DETAIL else detail[:MAX_SHOWN_DETAIL] + '…'})"
    return shown


def _read(source: Binary) -> tuple[bytes, str | None]:
    if isinstance(source, bytes):
        return source, None
    path = Path(source)
    return path.read_bytes(), mimetypes.guess_type(path.name)[0]
