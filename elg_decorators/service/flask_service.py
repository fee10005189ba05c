"""FlaskService: the documented base class of an ELG service written as a class."""
from __future__ import annotations

from typing import Any, ClassVar
from collections.abc import Mapping, Sequence

from flask import Response, stream_with_context
from flask import request as http_request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from ..errors import ProcessingError
from ..kinds import REQUEST_KINDS, Endpoint, RequestKinds
from ..logs import configure_logging
from ..model.request import AudioRequest, ImageRequest, Request, StructuredTextRequest, TextRequest
from ..protocol import failures
from ..protocol.encoding import MessageEncoder
from ..protocol.parsing import parse_request
from ..runtime.batching import Pending, Settled
from ..runtime.log_values import printable
from ..runtime.resources import ResourceSet
from ..runtime.service_app import handler_name, note_request
from ..runtime.service_runtime import install_runtime, lifecycle_resource
from ..settings import DEFAULT_PATH, HEALTH_PATH, HIDE_EXCEPTION_TEXT, OPENAPI_PATH, TRY_PAGE
from ..tryout import install_try_page
from ..version import __version__
from .app import DEFAULT_MAX_REQUEST_SIZE, create_flask_app, failure_for_http_error, max_request_size
from .compat import reference_statuses
from .description import classic_endpoints
from .exchange import Exchange, Reply
from .openapi import openapi_document
from .packaging import DockerPackaging
from .replies import failure_reply, result_reply
from ..logger import logger


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
    #: Whether ``GET /try`` serves the try-out page (``TRY_PAGE`` overrides it).
    try_page: ClassVar[bool] = True
    #: True: a failure of the service's own code is sent with HTTP 200, as the elg package sends it
    #: (``ELG_REFERENCE_STATUSES`` overrides it); the failure JSON is the same either way. The service's
    #: own failures are those of a request that reached :meth:`dispatch`: a ProcessingError raised there
    #: (by a ``process_*`` method or a decorated handler, by the binding of a handler's arguments, or for
    #: a request type the path does not take), a Failure returned (or ending a stream sent as JSON), an
    #: exception raised (``elg.service.internalError``) and a value returned that is not an ELG message
    #: (``elg.response.invalid``). The server's own rejections keep their status: a body that is not an
    #: ELG request (malformed JSON, no or an unknown ``type``, an empty body, a binary request without
    #: the content its handler requires: 400), an unsupported Content-Type or charset (415), a body over
    #: the size limit (413), an unknown path or method (404, 405), and the worker's answers (503 when
    #: overloaded, not ready or past a deadline; 500 when the worker timeout cuts a handler short).
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
        HIDE_EXCEPTION_TEXT.read()  # a value that is not a boolean is refused now, in one line
        self.app = create_flask_app(name, self.encoder, size_limit=self.size_limit)
        self.app.extensions[self.EXTENSION_KEY] = self
        self.paths: list[str] = []
        self._endpoints: tuple[Endpoint, ...] | None = None
        self._openapi: dict[str, Any] | None = None
        self._content_required_types: frozenset[str] | None = None
        self._types_by_route: dict[str, frozenset[str]] | None = None
        self._add_endpoint(path)
        if self.health_path:
            self.app.add_url_rule(
                self.health_path, "health", self.health, methods=["GET"], provide_automatic_options=False
            )
        if self.openapi_path:
            self.app.add_url_rule(
                self.openapi_path, "openapi", self.openapi, methods=["GET"], provide_automatic_options=False
            )
        if TRY_PAGE.read(type(self).try_page):
            install_try_page(self.app, self.name, self.describe_endpoints)
        install_runtime(self, self.runtime_resources())

    def _add_endpoint(self, path: str) -> None:
        endpoint = "process" if not self.paths else f"process:{path}"
        # No automatic OPTIONS answer: it would be an empty text/html page, not ELG JSON.
        self.app.add_url_rule(path, endpoint, self.process, methods=["POST"], provide_automatic_options=False)
        self.paths.append(path)
        self._endpoints = None
        self._types_by_route = None

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
        dispatched = False  # a failure from here on is the service's own (see reference_statuses)
        try:
            elg_request = parse_request(exchange.content_type, exchange.body(), exchange.query, kinds=self.kinds,
                                        content_required=self.content_required_at(exchange.route),
                                        served=self.request_types_at(exchange.route))
            request_type = elg_request.type or "-"
            note_request(exchange.route, request_type)
            dispatched = True
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
            dispatched = False  # the server cut the handler short: the failure is the server's
        if dispatched and self.reference_statuses and reply.status >= 400:
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

    def request_types_at(self, route: str) -> frozenset[str] | None:
        """The request types served on ``route`` (None if it is not one of the service's POST paths)."""
        if self._types_by_route is None:
            self._types_by_route = {path: frozenset(types) for path, types in self.endpoints().items()}
        return self._types_by_route.get(route)

    def content_required_at(self, route: str) -> frozenset[str]:
        """The binary request types refused without content on ``route``: here, :meth:`content_required_types`."""
        return self.content_required_types()

    def content_required_types(self) -> frozenset[str]:
        """The binary request types this service refuses without content (see :attr:`content_required`)."""
        if self._content_required_types is None:
            served = {kind for kinds in self.endpoints().values() for kind in kinds} if self.content_required else ()
            self._content_required_types = frozenset(kind for kind in served if self.kinds[kind].binary)
        return self._content_required_types

    def _reply(self, result: Any, accept: str | None) -> Reply:
        return result_reply(result, accept, self.encoder, type(self).__name__)

    def _failure(self, error: ProcessingError) -> Reply:
        return failure_reply(error, self.encoder, type(self).__name__)

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
