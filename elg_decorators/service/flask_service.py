"""FlaskService: the documented base class of an ELG service written as a class."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar

from flask import Response, stream_with_context
from flask import request as http_request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from ..errors import ProcessingError
from ..kinds import REQUEST_KINDS, Endpoint, RequestKinds
from ..logger import logger
from ..logs import configure_logging
from ..model.request import AudioRequest, ImageRequest, Request, StructuredTextRequest, TextRequest
from ..model.response import ResponseObject
from ..model.status import Failure
from ..protocol import failures
from ..protocol.encoding import MessageEncoder, sse_event
from ..protocol.negotiation import wants_event_stream
from ..protocol.parsing import parse_request
from ..protocol.streaming import Outgoing, as_outgoing, final_message, is_stream, messages
from ..runtime.batching import Pending, Settled
from ..runtime.log_values import printable
from ..runtime.resources import ResourceSet
from ..runtime.service_app import handler_name, note_failure, note_request
from ..runtime.service_runtime import install_runtime, lifecycle_resource
from ..settings import DEFAULT_PATH, HEALTH_PATH, OPENAPI_PATH
from ..version import __version__
from .app import DEFAULT_MAX_REQUEST_SIZE, create_flask_app, failure_for_http_error, max_request_size
from .compat import reference_statuses
from .description import classic_endpoints
from .exchange import Exchange, Reply
from .openapi import openapi_document
from .packaging import DockerPackaging

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class FlaskService(DockerPackaging):
    """Base class of an ELG service: override ``process_text`` and its siblings.

    .. code-block:: python

        class Upper(FlaskService):
            def process_text(self, request):
                return TextsResponse(texts=[{"content": request.content.upper()}])

        app = Upper("upper").app

    :param name: the service's name (also the Flask application's name).
    :param path: the URL path that takes POST requests; it may hold Flask URL
        variables (``/translate/<src>/<tgt>``), read with :meth:`url_param`.
    """

    #: Extra pip requirements :meth:`create_requirements` always adds.
    requirements: ClassVar[Sequence[str]] = ()
    #: Largest request body in bytes (None: no limit); ``MAX_REQUEST_SIZE`` overrides it.
    max_request_size: ClassVar[int | None] = DEFAULT_MAX_REQUEST_SIZE
    #: GET path answering health probes; None to have none.
    health_path: ClassVar[str | None] = HEALTH_PATH
    #: GET path serving the OpenAPI description; None to have none.
    openapi_path: ClassVar[str | None] = OPENAPI_PATH
    #: True: every failure answered on a POST path is sent with HTTP 200, as the elg package sends it
    #: (``ELG_REFERENCE_STATUSES`` overrides it); the failure JSON is the same either way.
    reference_statuses: ClassVar[bool] = False
    #: False (as in the elg package): an audio or image request without content reaches ``process_audio``/
    #: ``process_image`` with ``content`` None. True: it is refused (400) before dispatch.
    content_required: ClassVar[bool] = False
    #: The request kinds this service can take, and the ``process_*`` method of each.
    kinds: RequestKinds = REQUEST_KINDS
    #: The key of the service in its Flask application's ``extensions``.
    EXTENSION_KEY: ClassVar[str] = "elg_decorators"

    def __init__(self, name: str = "My ELG Service", path: str = DEFAULT_PATH) -> None:
        self.name = name
        configure_logging(keep_level=True)
        hook = self.to_json if type(self).to_json is not FlaskService.to_json else None
        self.encoder = MessageEncoder(hook)
        self.size_limit = max_request_size(self.max_request_size)
        self.reference_statuses = reference_statuses(type(self).reference_statuses)  # type: ignore[misc]
        self.app = create_flask_app(name, self.encoder, size_limit=self.size_limit)
        self.app.extensions[self.EXTENSION_KEY] = self
        self.paths: list[str] = []
        self._endpoints: tuple[Endpoint, ...] | None = None
        self._openapi: dict[str, Any] | None = None
        self._content_required_types: frozenset[str] | None = None
        self._add_endpoint(path)
        if self.health_path:
            self.app.add_url_rule(
                self.health_path, "health", self.health, methods=["GET"], provide_automatic_options=False
            )
        if self.openapi_path:
            self.app.add_url_rule(
                self.openapi_path, "openapi", self.openapi, methods=["GET"], provide_automatic_options=False
            )
        install_runtime(self, self.runtime_resources())

    def _add_endpoint(self, path: str) -> None:
        endpoint = "process" if not self.paths else f"process:{path}"
        # No automatic OPTIONS answer: it would be an empty text/html page, not ELG JSON.
        self.app.add_url_rule(path, endpoint, self.process, methods=["POST"], provide_automatic_options=False)
        self.paths.append(path)
        self._endpoints = None

    # -- documented hooks -------------------------------------------------

    def to_json(self, obj: Any) -> Any:
        """Hook that can be overridden by subclasses to customise JSON encoding.

        It is called for every object that is not a str, number, bool, list,
        dict or None and should return a JSON-serialisable substitute, or None
        for the default conversions: date/time/datetime as ISO 8601,
        ``uuid.UUID`` as str, pydantic models (the ELG messages included) by
        alias without None values, dataclasses via ``dataclasses.asdict``,
        objects with ``__json__`` or ``for_json``, and other iterables as lists.

        The default implementation always returns None.

        :param obj: the object to convert.
        :returns: a substitute object suitable for JSON serialisation, or None.
        """
        return None

    def run(self, host: str = "127.0.0.1", port: int = 5000, **options: Any) -> None:
        """Start Flask's development server (for trying a service; serve with gunicorn in production)."""
        self.app.run(host=host, port=port, **options)

    def url_param(self, name: str) -> Any:
        """The value of the URL variable ``name`` in the path of the current request."""
        return (http_request.view_args or {})[name]

    def setup(self) -> None:
        """Called once in each worker process before it reports ready: load models here.

        It runs in a background thread while the worker already answers ``/health/live``;
        ``/health/ready`` answers 503 until it returned (or names the exception it raised).
        """

    def shutdown(self) -> None:
        """Called once in each worker process when it exits, after ``setup``: release what it made."""

    def runtime_resources(self) -> ResourceSet:
        """The resources this service creates in each worker (``setup``/``shutdown`` when overridden)."""
        resources = ResourceSet(getattr(getattr(self, "registry", None), "resources", ()))
        if type(self).setup is not FlaskService.setup or type(self).shutdown is not FlaskService.shutdown:
            resources.add(lifecycle_resource(self, self.setup, self.shutdown))
        return resources

    def endpoints(self) -> dict[str, list[str]]:
        """Each POST path served and the request types it takes."""
        return {endpoint.path: list(endpoint.request_types) for endpoint in self.describe_endpoints()}

    def describe_endpoints(self) -> tuple[Endpoint, ...]:
        """Each POST path and what answers each request kind there (here, the ``process_*`` methods this class
        overrides): what the OpenAPI document, ``deploy``, the health answer and the test client read."""
        if self._endpoints is None:
            kinds = [self.kinds[request_type] for request_type in self.supported_request_types()]
            self._endpoints = classic_endpoints(self.paths, [(kind, getattr(self, kind.method)) for kind in kinds])
        return self._endpoints

    def health(self) -> ResponseReturnValue:
        """GET handler for health probes: 200 with the endpoints served."""
        return self.app.json.response(status="ok", name=self.name, endpoints=self.endpoints())

    def openapi(self) -> ResponseReturnValue:
        """GET handler serving the OpenAPI 3.1 description of the endpoints."""
        if self._openapi is None:
            self._openapi = openapi_document(self.name, __version__, self.describe_endpoints(), self.kinds)
        return self.app.json.response(self._openapi)

    # -- request processing -------------------------------------------------

    def process(self, **kwargs: Any) -> Response:
        """Main request processing logic: read the request, dispatch it, answer with ELG JSON or events."""
        rule = http_request.url_rule
        exchange = Exchange(
            method=http_request.method,
            path=http_request.path,
            route=rule.rule if rule is not None else http_request.path,
            url_values=kwargs,
            content_type=http_request.content_type,
            body=lambda: http_request.stream,
            query=lambda: http_request.args.to_dict(flat=False),
            accept=http_request.headers.get("Accept"),
        )
        reply = self.answer(exchange)
        body = reply.body
        if not isinstance(body, bytes):
            body = stream_with_context(body)  # the handler's generator runs while the body is sent
        return Response(body, status=reply.status, content_type=reply.content_type, headers=reply.headers)

    def answer(self, exchange: Exchange) -> Reply:
        """Answer one POST: parse the body, :meth:`dispatch` it, encode the result.

        Every outcome is an ELG message with its HTTP status (logged once it is sent, see
        :mod:`elg_decorators.runtime.requestlog`).
        """
        request_type = "-"
        try:
            elg_request = parse_request(exchange.content_type, exchange.body(), exchange.query, kinds=self.kinds,
                                        content_required=self._content_required)
            request_type = elg_request.type or "-"
            note_request(exchange.route, request_type)
            result = self.dispatch(elg_request, exchange.route, exchange.url_values)
            if isinstance(result, Pending):
                return Reply(0, "", b"", pending=result)
            reply = self._reply(result, exchange.accept)
        except ProcessingError as error:
            reply = self._failure(error)
        except HTTPException as error:  # reading the body: over the size limit, or the client went away
            reply = self._failure(
                failure_for_http_error(error, method=exchange.method, path=exchange.path, size_limit=self.size_limit)
            )
        except Exception as exc:
            logger.exception("%s failed on a %s request to %s", handler_name(type(self).__name__),
                             printable(request_type), printable(exchange.path))
            reply = self._failure(failures.internal_error(exc))
        except SystemExit:
            # gunicorn stops a sync worker that overran its timeout by raising SystemExit in it: answer
            # with an ELG failure rather than the server's HTML page; the worker exits afterwards.
            logger.error("%s was interrupted on a %s request (worker timeout?)", handler_name(type(self).__name__),
                         printable(request_type))
            reply = self._failure(failures.interrupted())
        if self.reference_statuses and reply.status >= 400:
            reply.status = 200
        return reply

    def settle(self, outcome: Settled, exchange: Exchange) -> Reply:
        """The reply to a request of a batch, once its entry of the batch's result (or its error) is known:
        what :meth:`answer` would have replied had the handler given that alone."""
        try:
            if outcome.error is not None:
                raise outcome.error
            reply = self._reply(outcome.value, None)
        except ProcessingError as error:
            reply = self._failure(error)
        except Exception as exc:
            logger.exception("%s failed on a request to %s (in a batch)", handler_name(type(self).__name__),
                             printable(exchange.path))
            reply = self._failure(failures.internal_error(exc))
        if self.reference_statuses and reply.status >= 400:
            reply.status = 200
        return reply

    def dispatch(self, request: Request, route: str | None, url_values: Mapping[str, Any]) -> Any:
        """Hand a parsed request to the code that answers it; return what that code returns.

        Called by :meth:`answer` with the route that matched (``/translate/<src>/<tgt>``)
        and its variables' values. The default calls :meth:`process_request`; the
        service of decorated handlers overrides it to call the handler directly.
        """
        return self.process_request(request)

    def content_required_types(self) -> frozenset[str]:
        """The binary request types this service refuses without content (see :attr:`content_required`)."""
        if self._content_required_types is None:
            served = {kind for kinds in self.endpoints().values() for kind in kinds} if self.content_required else ()
            self._content_required_types = frozenset(kind for kind in served if self.kinds[kind].binary)
        return self._content_required_types

    @cached_property
    def _content_required(self) -> frozenset[str]:
        """:meth:`content_required_types`, worked out once (an attribute read per request, not a call)."""
        return self.content_required_types()

    def _reply(self, result: Any, accept: str | None) -> Reply:
        if isinstance(result, (ResponseObject, Failure)):
            return self._json(as_outgoing(result))
        if is_stream(result):
            name = handler_name(type(self).__name__)
            if wants_event_stream(accept):
                events = self._events(messages(result, name=name))
                return Reply(200, "text/event-stream; charset=utf-8", events, dict(SSE_HEADERS))
            return self._json(final_message(result, name=name))
        logger.warning("%s returned %s, not an ELG response", handler_name(type(self).__name__), type(result).__name__)
        raise failures.invalid_response(f"the service returned {type(result).__name__}, not an ELG response")

    def _json(self, message: Outgoing) -> Reply:
        if message.kind == "failure":
            note_failure(message.model.errors[0].code)  # type: ignore[attr-defined]
        return Reply(message.status, "application/json", self.encoder.envelope(message.kind, message.model))

    def _failure(self, error: ProcessingError) -> Reply:
        try:
            body = self.encoder.envelope("failure", error.failure)
        except Exception as exc:  # e.g. a detail holding an object JSON cannot represent
            logger.exception("%s: a failure could not be encoded", type(self).__name__)
            error = failures.internal_error(exc)
            body = self.encoder.envelope("failure", error.failure)
        note_failure(error.message.code)
        return Reply(error.status, "application/json", body, dict(error.headers))

    def _events(self, stream: Iterator[Outgoing]) -> Iterator[bytes]:
        try:
            for message in stream:
                try:
                    payload = self.encoder.envelope(message.kind, message.model)
                except Exception as exc:  # the status line is sent: end the stream with a failure event
                    logger.exception("%s: a streamed %s could not be encoded", type(self).__name__, message.kind)
                    error = failures.internal_error(exc)
                    note_failure(error.message.code)
                    yield sse_event(self.encoder.envelope("failure", error.failure))
                    return
                if message.kind == "failure":
                    note_failure(message.model.errors[0].code)  # type: ignore[attr-defined]
                yield sse_event(payload)
        finally:
            stream.close()  # type: ignore[attr-defined]

    def process_request(self, request: Request) -> Any:
        """Call the ``process_*`` method for the type of ``request``."""
        kind = self.kinds.get(request.type)
        method = getattr(self, kind.method, None) if kind is not None else None
        if method is None:
            raise ProcessingError("elg.request.type.unsupported", params=[request.type])
        return method(request)

    def process_text(self, request: TextRequest) -> Any:
        """Method to implement if the service takes text as input."""
        raise ProcessingError("elg.request.type.unsupported", params=[request.type])

    def process_structured_text(self, request: StructuredTextRequest) -> Any:
        """Method to implement if the service takes structured text as input."""
        raise ProcessingError("elg.request.type.unsupported", params=[request.type])

    def process_audio(self, request: AudioRequest) -> Any:
        """Method to implement if the service takes audio as input."""
        raise ProcessingError("elg.request.type.unsupported", params=[request.type])

    def process_image(self, request: ImageRequest) -> Any:
        """Method to implement if the service takes image as input."""
        raise ProcessingError("elg.request.type.unsupported", params=[request.type])

    @classmethod
    def supported_request_types(cls) -> list[str]:
        """The request types whose ``process_*`` method this class overrides."""
        return [kind.type for kind in cls.kinds
                if getattr(cls, kind.method, None) is not getattr(FlaskService, kind.method, None)]
