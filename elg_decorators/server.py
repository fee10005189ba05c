"""``serve()``: run a service under gunicorn, embedded, or werkzeug where gunicorn cannot run."""
from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask

from .discovery import find_classic_service, load_service
from .errors import ServiceLoadError
from .logger import logger
from .logs import configure_logging
from .registry.registry import Registry, current_registry
from .registry.service import create_app
from .runtime.metrics import prepare_multiprocess_dir
from .settings import ServerSettings
from .worker.hooks import prepare_master


def serve(target: str | None = None, *, registry: Registry | None = None, **settings: Any) -> None:
    """Serve the decorated handlers over HTTP with gunicorn until stopped (SIGTERM or Ctrl-C).

    .. code-block:: python

        if __name__ == "__main__":
            serve()                       # http://localhost:8000/process, on every interface
            serve(port=8080, threads=8)   # any setting by name

    :param target: a script path or module to load the service from; by
        default the handlers already registered (those of the running script).
    :param registry: serve this registry instead of the default one.
    :param settings: any field of :class:`~elg_decorators.settings.ServerSettings` by name
        (``port``, ``workers``, ``threads``, ``request_timeout``, ``reload``, ...); one left out
        comes from its environment variable (``PORT``, ...), else its default. The settings
        reference of the documentation lists them all.
    :raises ValueError: in one line, for an unknown setting or a value out of its bounds.
    :raises SystemExit: with one line naming the fix, when the address cannot be listened on
        (a port in use, say); this is checked before the service loads.
    """
    options = ServerSettings.resolve(**settings)
    configure_logging(options.log_level)
    prepare_multiprocess_dir()  # before anything imports prometheus-client: workers count into one place
    try:
        from .gunicorn_app import GunicornServer
    except ImportError as exc:  # gunicorn needs fcntl: not on Windows
        logger.warning("gunicorn cannot run here (%s); serving with werkzeug's development server instead", exc)
        _run_werkzeug(_app_loader(target, registry, options.reload)(), options)
        return
    server = GunicornServer(options)  # listening now: a port in use is said before the service loads
    try:
        load = _app_loader(target, registry, options.reload)
        app = load()  # fail here, in the foreground, rather than in every worker
        if not options.reload:  # reloading, each worker loads the service afresh, resources included
            prepare_master(app)  # shared resources, created before the fork
    except BaseException:
        server.close()
        raise
    gc.freeze()  # what is loaded now lives as long as the process: the collector need not scan it again
    if options.reload:
        server.run_reloading(load, app)
    else:
        server.run(app)


def _app_loader(target: str | None, registry: Registry | None, reload: bool) -> Callable[[], Flask]:
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
