"""QuartService: the elg package's async service class, served by this package's own stack.

Subclasses write ``async def process_text`` (and its siblings), ``async def setup``
and ``async def shutdown`` as they would for the elg package's ``QuartService``;
the app is a WSGI application like :class:`FlaskService`'s (gunicorn or any WSGI
server), whose coroutines run on the worker process's event loop (the one async handlers
and async resources run on, :mod:`elg_decorators.protocol.event_loop`).
"""
from __future__ import annotations

import atexit
import inspect
import os
import threading
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from flask import Response

from ..errors import ProcessingError
from ..logger import logger
from ..model.request import AudioRequest, ImageRequest, Request, StructuredTextRequest, TextRequest
from ..model.status import Failure
from ..protocol import event_loop
from ..runtime.resources import ResourceSet
from ..settings import DEFAULT_PATH
from .exchange import Reply
from .flask_service import FlaskService

#: Size of the chunks an unconsumed binary content is handed out in (``consume_generator = False``).
GENERATOR_CHUNK = 64 * 1024


class QuartService(FlaskService):
    """Base class of an ELG service whose methods are coroutines.

    .. code-block:: python

        class Proxy(QuartService):
            async def setup(self):
                self.session = aiohttp.ClientSession()

            async def shutdown(self):
                await self.session.close()

            async def process_text(self, request):
                async with self.session.post(URL, json={"text": request.content}) as answer:
                    return TextsResponse(texts=[{"content": (await answer.json())["text"]}])

        app = Proxy("proxy").app

    :meth:`setup` runs once in each worker process before its first request,
    :meth:`shutdown` once when the process exits; both and every ``process_*``
    method run on the same event loop, so what ``setup`` creates is usable there.
    With reference statuses on (:attr:`reference_statuses`, ``ELG_REFERENCE_STATUSES``)
    a returned Failure is sent with HTTP 200 and a raised ProcessingError with its
    status, as the elg package's QuartService does.

    :param name: the service's name.
    :param path: the URL path that takes POST requests (URL variables allowed).
    :param request_size_limit: the largest request body in bytes; default the
        class's ``max_request_size`` (``MAX_REQUEST_SIZE`` in the environment overrides both).
    """

    #: False: audio and image requests arrive with ``content`` None and ``generator`` an
    #: async iterator of the content's bytes (to forward it without holding it twice).
    consume_generator: ClassVar[bool] = True

    def __init__(
        self, name: str = "My ELG Service", path: str = DEFAULT_PATH, request_size_limit: int | None = None
    ) -> None:
        if request_size_limit is not None:
            self.max_request_size = request_size_limit  # type: ignore[misc]
        self._setup_lock = threading.Lock()
        self._setup_pid = 0
        super().__init__(name, path)
        # The elg package's QuartService sends raised errors with their status and only a returned
        # Failure with 200: that is what reference statuses mean here.
        self._returned_failures_ok, self.reference_statuses = self.reference_statuses, False  # type: ignore[misc]

    # -- the elg package's QuartService API ------------------------------------------

    # The elg package's QuartService makes these coroutines, where FlaskService's are plain methods.
    async def setup(self) -> None:  # type: ignore[override]
        """One-time set-up before the first request of each worker process (open sessions, load models)."""

    async def shutdown(self) -> None:  # type: ignore[override]
        """Clean-up when a worker process exits, after its last request (close sessions)."""

    def runtime_resources(self) -> ResourceSet:
        """No set-up resource: :meth:`setup` runs on the worker's event loop before its first request,
        which waits for it, as under the elg package's QuartService."""
        return ResourceSet()

    def health(self) -> Response:
        """GET handler for health probes: 200 ``{"alive": true}``, as the elg package's QuartService answers."""
        return self.app.json.response(alive=True)  # type: ignore[return-value]

    async def process_request(self, request: Request) -> Any:
        """Await the ``process_*`` coroutine for the type of ``request``."""
        kind = self.kinds.get(request.type)
        method = getattr(self, kind.method, None) if kind is not None else None
        if method is None:
            raise ProcessingError.UnsupportedType(request.type)
        return await method(request)

    async def process_text(self, request: TextRequest) -> Any:
        """Coroutine to implement if the service takes text as input."""
        raise ProcessingError.UnsupportedType(request.type)

    async def process_structured_text(self, request: StructuredTextRequest) -> Any:
        """Coroutine to implement if the service takes structured text as input."""
        raise ProcessingError.UnsupportedType(request.type)

    async def process_audio(self, request: AudioRequest) -> Any:
        """Coroutine to implement if the service takes audio as input."""
        raise ProcessingError.UnsupportedType(request.type)

    async def process_image(self, request: ImageRequest) -> Any:
        """Coroutine to implement if the service takes an image as input."""
        raise ProcessingError.UnsupportedType(request.type)

    @staticmethod
    def error_message(err: ProcessingError) -> Any:
        """The failure envelope and status of ``err`` (the elg package's error handler)."""
        return err.to_json(), err.status_code

    @classmethod
    def supported_request_types(cls) -> list[str]:
        """The request types whose ``process_*`` coroutine this class overrides."""
        return [kind.type for kind in cls.kinds
                if getattr(cls, kind.method, None) is not getattr(QuartService, kind.method, None)]

    # -- running coroutines from a WSGI worker -----------------------------------------

    def dispatch(self, request: Request, route: str | None, url_values: Mapping[str, Any]) -> Any:
        """Run :meth:`process_request` on the worker's event loop (after :meth:`setup`, once per process)."""
        self._ensure_setup()
        if not self.consume_generator and isinstance(request, (AudioRequest, ImageRequest)) and request.content:
            request = request.model_copy(update={"generator": _chunks(request.content), "content": None})
        result = self.process_request(request)
        if inspect.isawaitable(result):
            result = event_loop.run(result)
        return result  # an async stream is stepped on the same loop (protocol.streaming.iterate)

    def _reply(self, result: Any, accept: str | None) -> Reply:
        reply = super()._reply(result, accept)
        if self._returned_failures_ok and isinstance(result, Failure):
            reply.status = 200
        return reply

    def _ensure_setup(self) -> None:
        if self._setup_pid == os.getpid():
            return
        with self._setup_lock:
            if self._setup_pid == os.getpid():
                return
            event_loop.run(self.setup())
            self._setup_pid = os.getpid()
            atexit.register(self._shutdown_at_exit, os.getpid())

    def _shutdown_at_exit(self, pid: int) -> None:
        if pid != os.getpid():  # registered by the parent of a forked process
            return
        try:
            event_loop.run(self.shutdown())
        except Exception:
            logger.exception("%s.shutdown failed", type(self).__name__)


async def _chunks(content: bytes) -> AsyncIterator[bytes]:
    view = memoryview(content)
    for start in range(0, len(view), GENERATOR_CHUNK):
        yield bytes(view[start:start + GENERATOR_CHUNK])
