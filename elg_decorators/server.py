"""``serve()``: run a service under gunicorn, embedded, or werkzeug where gunicorn cannot run."""
from __future__ import annotations

import gc
import logging
import sys
from typing import Callable, Optional

from flask import Flask

from .discovery import find_classic_service, load_service
from .errors import ServiceLoadError
from .logs import configure_logging
from .registry.service import create_app
from .registry.registry import Registry, current_registry
from .runtime.metrics import prepare_multiprocess_dir
from .runtime.server_hooks import prepare_master
from .settings import ServerSettings

logger = logging.getLogger("elg_decorators")


def serve(
    target: Optional[str] = None,
    *,
    registry: Optional[Registry] = None,
    host: Optional[str] = None,
    port: Optional[int] = None,
    workers: Optional[int] = None,
    threads: Optional[int] = None,
    timeout: Optional[int] = None,
    graceful_timeout: Optional[int] = None,
    request_timeout: Optional[int] = None,
    worker_class: Optional[str] = None,
    log_level: Optional[str] = None,
    reload: bool = False,
    read_timeout: Optional[int] = None,
    keepalive: Optional[int] = None,
    max_queue: Optional[int] = None,
    max_connections: Optional[int] = None,
    max_body_buffer: Optional[int] = None,
    max_requests: Optional[int] = None,
    max_worker_memory: Optional[int] = None,
) -> None:
    """Serve the decorated handlers over HTTP with gunicorn until stopped (SIGTERM or Ctrl-C).

    .. code-block:: python

        if __name__ == "__main__":
            serve()                       # http://0.0.0.0:8000/process

    :param target: a script path or module to load the service from; by
        default the handlers already registered (those of the running script).
    :param registry: serve this registry instead of the default one.
    :param host: interface to bind (``HOST``, default 0.0.0.0).
    :param port: port to bind (``PORT``, default 8000).
    :param workers: worker processes (``WORKERS``, default 1).
    :param threads: threads per worker (``THREADS``, default 4; 1 with the sync worker class).
    :param timeout: seconds a worker may go silent before it is replaced (``TIMEOUT``, default 60).
    :param graceful_timeout: seconds requests in flight may take after SIGTERM (``GRACEFUL_TIMEOUT``, default 30).
    :param request_timeout: seconds a request may take (``REQUEST_TIMEOUT``, default 300; 0 for none).
    :param worker_class: gunicorn worker class (``WORKER_CLASS``); by default the service worker, which
        reads requests in an event loop and runs them in threads, with deadlines and overload refusal;
        ``sync`` for gunicorn's sync worker with deadlines (see the README's "Serving in production").
    :param log_level: DEBUG, INFO, WARNING… (``LOG_LEVEL``, default INFO).
    :param reload: restart workers when source files change (development).
    :param read_timeout: seconds a client has to send a request's head (``READ_TIMEOUT``, default 5).
    :param keepalive: seconds an idle kept-alive connection stays open (``KEEPALIVE``, default 75).
    :param max_queue: requests that may wait for a thread before the next is refused with a 503
        (``MAX_QUEUE``, default 64).
    :param max_connections: client connections a worker holds open; past it, those that sent nothing or
        sit idle are closed, oldest first (``MAX_CONNECTIONS``, default 1000).
    :param max_body_buffer: MiB of request bodies a worker holds at once; a request whose body would pass
        it is refused with a 503 (``MAX_BODY_BUFFER``, default 256).
    :param max_requests: requests after which a worker is replaced (``MAX_REQUESTS``, default 0: never).
    :param max_worker_memory: MiB of resident memory above which a worker is replaced
        (``MAX_WORKER_MEMORY``, default 0: no limit).
    """
    options = ServerSettings.resolve(
        host=host, port=port, workers=workers, threads=threads, timeout=timeout,
        graceful_timeout=graceful_timeout, request_timeout=request_timeout,
        worker_class=worker_class, log_level=log_level, reload=reload or None, read_timeout=read_timeout,
        keepalive=keepalive, max_queue=max_queue, max_connections=max_connections,
        max_body_buffer=max_body_buffer, max_requests=max_requests, max_worker_memory=max_worker_memory,
    )
    configure_logging(options.log_level)
    prepare_multiprocess_dir()  # before anything imports prometheus-client: workers count into one place
    load = _app_loader(target, registry, options.reload)
    app = load()  # fail here, in the foreground, rather than in every worker
    prepare_master(app)  # shared resources, created before the fork
    gc.freeze()  # what is loaded now lives as long as the process: the collector need not scan it again
    try:
        from .gunicorn_app import run_gunicorn
    except ImportError as exc:  # gunicorn needs fcntl: not on Windows
        logger.warning("gunicorn cannot run here (%s); serving with werkzeug's development server instead", exc)
        _run_werkzeug(app, options)
        return
    run_gunicorn(app if not options.reload else load, options)


def _app_loader(target: Optional[str], registry: Optional[Registry], reload: bool) -> Callable[[], Flask]:
    if target is not None:
        return lambda: load_service(target).app()
    if reload:
        script = getattr(sys.modules.get("__main__"), "__file__", None)
        if registry is None and script:
            # Each new worker imports the script afresh, so edits take effect.
            return lambda: load_service(script).app()
    chosen = registry if registry is not None else current_registry()
    if not len(chosen) and registry is None:
        main = sys.modules.get("__main__")
        service, app = find_classic_service(main) if main is not None else (None, None)
        if service is not None or app is not None:
            return lambda: service.app if service is not None else app  # type: ignore[return-value]
    if not len(chosen):
        raise ServiceLoadError(
            "serve() found no handler: decorate a function with @text_service (or @structured_text_service, "
            "@audio_service, @image_service) or define a FlaskService subclass above the serve() call, "
            "or pass the script: serve('my_service.py')"
        )
    return lambda: create_app(chosen)


def _run_werkzeug(app: Flask, options: ServerSettings) -> None:
    from werkzeug.serving import run_simple

    run_simple(options.host, options.port, app, threaded=True, use_reloader=options.reload)
