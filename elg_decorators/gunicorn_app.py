"""Running a Flask app inside gunicorn's arbiter through its application API."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .errors import error_line
from .logger import logger
from .settings import SYNC_WORKER_CLASS, TRY_PAGE, ServerSettings
from .worker.arbiter import ServiceArbiter, give_state, mark_booted, worker_exited
from .worker.hooks import application_started, application_worker_exited
from .worker.listening import CannotListen, listen
from .worker.reloading import Reloads, SourceWatcher, fresh_loader, note_worker


class _EmbeddedApplication(BaseApplication):  # type: ignore[misc]
    """A gunicorn application whose configuration comes from ServerSettings, not the command line."""

    def __init__(self, options: ServerSettings) -> None:
        self._app: Flask | Callable[[], Flask] | None = None
        #: The application whose routes the start announces (the one loaded in the master).
        self._shown: Flask | None = None
        self._options = options
        #: What the service worker reads its settings from (gunicorn hands it this object).
        self.settings = options
        super().__init__()

    def load_config(self) -> None:
        options = self._options
        settings = {
            "bind": f"[{options.host}]:{options.port}" if ":" in options.host else f"{options.host}:{options.port}",
            "workers": options.workers,
            "threads": options.threads,
            "timeout": options.timeout,
            "worker_class": SYNC_WORKER_CLASS if options.worker_class == "sync" else options.worker_class,
            "loglevel": options.log_level.lower(),
            "reload": False,  # the master watches the files instead (worker/reloading.py)
            "graceful_timeout": options.graceful_timeout,
            "keepalive": options.keepalive,
            "max_requests": options.max_requests,
            "max_requests_jitter": options.max_requests // 10,
            "when_ready": self._announce,
            "pre_fork": give_state,
            "post_fork": _post_fork,
            "post_worker_init": _post_worker_init,
            "child_exit": _child_exit,
        }
        if "control_socket_disable" in self.cfg.settings:
            settings["control_socket_disable"] = True  # one socket path per user would clash between services
        for name, value in settings.items():
            self.cfg.set(name, value)

    def serve(self, app: Flask | Callable[[], Flask], shown: Flask | None = None) -> None:
        """Serve ``app``, or the application a factory makes in each worker (``shown``: one made already)."""
        self._app = app
        self._shown = app if isinstance(app, Flask) else shown

    def load(self) -> Flask:
        if self._app is None:
            raise RuntimeError("no application to serve")
        return self._app() if not isinstance(self._app, Flask) else self._app

    def _announce(self, server: Any) -> None:
        routes = _routes(self._shown) if self._shown is not None else "(loaded by each worker)"
        logger.info("serving on %s: %s", ", ".join(_url(address) for address in server.cfg.address), routes)
        shown = self._shown
        if TRY_PAGE.read() and (shown is None or any(rule.rule == "/try" for rule in shown.url_map.iter_rules())):
            first = _url(server.cfg.address[0]).split(" ", 1)[0]
            logger.info("try it in a browser: %s/try (TRY_PAGE=0 turns the page off)", first)


# gunicorn checks each hook's arity, so each is a function of its own rather than a combination.
def _post_fork(server: Any, worker: Any) -> None:
    note_worker(worker)


def _post_worker_init(worker: Any) -> None:
    mark_booted(worker)
    application_started(worker)


def _child_exit(arbiter: Any, worker: Any) -> None:
    worker_exited(arbiter, worker)
    application_worker_exited(arbiter, worker)


def _routes(app: Flask) -> str:
    """The POST paths, then the GET ones: ``POST /process, GET /health, ...``."""
    methods = {rule.rule: "POST" if "POST" in (rule.methods or ()) else "GET" for rule in app.url_map.iter_rules()}
    ordered = sorted(methods, key=lambda path: (methods[path] != "POST", path))
    return ", ".join(f"{methods[path]} {path}" for path in ordered)


def _url(address: Any) -> str:
    """The URL a client on this machine uses for a bound ``address``, saying when every interface listens."""
    if not isinstance(address, tuple):
        return f"unix:{address}"
    host, port = address[0], address[1]
    if host in ("0.0.0.0", "::", ""):
        shown = "[::]" if host == "::" else "0.0.0.0"
        return f"http://localhost:{port} (listening on every interface, {shown}:{port})"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class GunicornServer:
    """gunicorn's master for a service, listening from the moment it is made.

    Made before the service loads, so that an address that cannot be listened on (a port in
    use) ends the program at once, in one line naming the fix (see :mod:`.worker.listening`).
    """

    def __init__(self, options: ServerSettings) -> None:
        self.application = _EmbeddedApplication(options)
        self.arbiter = ServiceArbiter(self.application)
        try:
            self.arbiter.LISTENERS = listen(self.application.cfg, self.arbiter.log)
        except CannotListen as exc:
            raise SystemExit(error_line(exc)) from None

    def close(self) -> None:
        """Stop listening (when the service fails to load, say)."""
        for listener in self.arbiter.LISTENERS:
            listener.close()
        self.arbiter.LISTENERS = []

    def run(self, app: Flask | Callable[[], Flask], shown: Flask | None = None) -> None:
        """Serve ``app`` (or a factory called by each worker) until gunicorn is told to stop.

        ``shown``: the application the start announces, when ``app`` is a factory.
        """
        self.application.serve(app, shown)
        self._run()

    def run_reloading(self, load: Callable[[], Flask], shown: Flask) -> None:
        """Serve what ``load`` makes in each worker, with new workers when the service's files change.

        ``shown``: the application loaded here (whose modules say which folders to watch).
        """
        watcher = SourceWatcher.of_service()
        self.arbiter.reloads = Reloads(watcher)
        logger.warning("reloading when a Python file changes in %s (for development only)",
                       ", ".join(str(folder) for folder in watcher.folders) or "no folder")
        self.application.serve(fresh_loader(load), shown)
        self._run()

    def _run(self) -> None:
        try:
            self.arbiter.run()
        except RuntimeError as exc:  # what gunicorn's own runner does with a configuration it cannot use
            raise SystemExit(error_line(exc)) from None

