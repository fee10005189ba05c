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


class _EmbeddedApplication(BaseApplication):  # type: ignore[misc]
    """A gunicorn application whose configuration comes from ServerSettings, not the command line."""

    def __init__(self, app: Flask | Callable[[], Flask], options: ServerSettings) -> None:
        self._app = app
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
            "reload": options.reload,
            "graceful_timeout": options.graceful_timeout,
            "keepalive": options.keepalive,
            "max_requests": options.max_requests,
            "max_requests_jitter": options.max_requests // 10,
            "when_ready": self._announce,
            "pre_fork": give_state,
            "post_worker_init": _post_worker_init,
            "child_exit": _child_exit,
        }
        if "control_socket_disable" in self.cfg.settings:
            settings["control_socket_disable"] = True  # one socket path per user would clash between services
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return self._app() if not isinstance(self._app, Flask) else self._app

    def _announce(self, server: Any) -> None:
        app = self.load() if isinstance(self._app, Flask) else None
        routes = _routes(app) if app is not None else "(loaded by each worker)"
        addresses = ", ".join(f"http://{address}" for address in server.cfg.bind)
        logger.info("serving on %s: %s", addresses.replace("0.0.0.0", "localhost"), routes)
        if TRY_PAGE.read() and (app is None or any(rule.rule == "/try" for rule in app.url_map.iter_rules())):
            first = f"http://{server.cfg.bind[0]}".replace("0.0.0.0", "localhost")
            logger.info("try it in a browser: %s/try (TRY_PAGE=0 turns the page off)", first)


# gunicorn checks each hook's arity, so each is a function of its own rather than a combination.
def _post_worker_init(worker: Any) -> None:
    mark_booted(worker)
    application_started(worker)


def _child_exit(arbiter: Any, worker: Any) -> None:
    worker_exited(arbiter, worker)
    application_worker_exited(arbiter, worker)


def _routes(app: Flask) -> str:
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)
    return ", ".join(f"{'POST' if 'POST' in (rule.methods or ()) else 'GET'} {rule.rule}" for rule in rules)


def run_gunicorn(app: Flask | Callable[[], Flask], options: ServerSettings) -> None:
    """Serve ``app`` (or a factory called by each worker) until gunicorn is told to stop."""
    application = _EmbeddedApplication(app, options)
    try:
        ServiceArbiter(application).run()
    except RuntimeError as exc:  # what gunicorn's own runner does with a configuration it cannot use
        raise SystemExit(error_line(exc)) from None
