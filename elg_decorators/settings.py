"""How a service process runs: the production defaults, in one place.

``serve()``, the image that ``build`` writes and the manifests that ``deploy``
writes all read their defaults from here, and each setting can be overridden by
an argument or by its environment variable, so a service runs the same way on
a laptop, in its image and on Kubernetes. The reasons for each default are in
the README's "Serving in production" section.

This module imports nothing of the web stack: the build and deploy layers use it
without loading Flask.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

#: The port a service listens on unless ``PORT`` says otherwise (Knative sets ``PORT``).
DEFAULT_PORT = 8000
#: The path POST requests go to when a decorator names none.
DEFAULT_PATH = "/process"
#: GET paths every service answers.
HEALTH_PATH = "/health"
LIVE_PATH = "/health/live"
READY_PATH = "/health/ready"
METRICS_PATH = "/metrics"
OPENAPI_PATH = "/openapi.json"

LOG_LEVELS: Tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: ``LOG_FORMAT``: ``text`` lines, or one JSON object per line.
LOG_FORMAT_ENV = "LOG_FORMAT"
LOG_FORMATS: Tuple[str, ...] = ("text", "json")
#: Seconds a client is told to wait (``Retry-After``) for a resource that is still being created.
RETRY_AFTER_SECONDS = 5

#: Environment variable that, set to 1/true/yes, answers every failure of a service's POST paths
#: with HTTP 200 (the failure JSON unchanged), as the elg package does; see FlaskService.reference_statuses.
REFERENCE_STATUSES_ENV = "ELG_REFERENCE_STATUSES"

#: The default worker class: requests read by an event loop, handlers run in threads, with
#: deadlines, overload refusal and graceful recycling (see the README's "Serving in production").
SERVICE_WORKER_CLASS = "elg_decorators.runtime.worker.ServiceWorker"
#: gunicorn's sync worker with deadlines and ELG answers; ``serve`` uses it for ``sync``.
SYNC_WORKER_CLASS = "elg_decorators.runtime.sync_worker.SyncServiceWorker"

#: gunicorn's worker classes that run one request at a time per process.
SINGLE_THREADED_WORKER_CLASSES = frozenset({"sync", SYNC_WORKER_CLASS})


def default_base_image(version: Optional[Tuple[int, int]] = None) -> str:
    """The slim official Python image of ``version`` (default: the running interpreter's), e.g. ``python:3.11-slim``."""
    major, minor = version if version is not None else sys.version_info[:2]
    return f"python:{major}.{minor}-slim"


@dataclass(frozen=True)
class ServerSettings:
    """Where and how a service process serves; see :meth:`resolve` for where each value comes from.

    The defaults are those of a production ELG service: one worker process per
    container (replicas scale out, not workers), four threads in it so that
    health probes and short requests are answered while a long one runs, and
    a generous silence limit for the worker itself; per-request deadlines are
    separate (``request_timeout``).
    """

    host: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    workers: int = 1
    threads: int = 4
    worker_class: str = SERVICE_WORKER_CLASS
    #: Seconds a worker may go without a heartbeat before the master replaces it.
    timeout: int = 60
    #: Seconds requests in flight may take to finish after SIGTERM.
    graceful_timeout: int = 30
    #: Seconds a request may take before it is answered with a deadline failure (0: none).
    request_timeout: int = 300
    #: Seconds a client has to send a request's head, and at most between two reads of its body.
    read_timeout: int = 5
    #: Seconds an idle kept-alive connection stays open (it costs no thread in the service worker).
    keepalive: int = 75
    #: Complete requests that may wait for a thread; past that, 503 with Retry-After at once.
    max_queue: int = 64
    #: Client connections a worker holds open; past it, connections that sent nothing or sit idle are
    #: closed, oldest first, so that a flood of idle connections never delays the next client.
    max_connections: int = 1000
    #: MiB of request bodies a worker holds at once (a body over 1 MiB waits in a temporary file, not in
    #: memory); a request whose body would pass it is answered 503 with Retry-After.
    max_body_buffer: int = 256
    #: Requests after which a worker is replaced (0: never); up to a tenth more, at random, so that
    #: workers are not all replaced at once.
    max_requests: int = 0
    #: Resident memory in MiB above which a worker is replaced (0: no limit).
    max_worker_memory: int = 0
    log_level: str = "INFO"
    reload: bool = False

    #: The environment variable of each setting.
    ENVIRONMENT = {
        "host": "HOST",
        "port": "PORT",
        "workers": "WORKERS",
        "threads": "THREADS",
        "worker_class": "WORKER_CLASS",
        "timeout": "TIMEOUT",
        "graceful_timeout": "GRACEFUL_TIMEOUT",
        "request_timeout": "REQUEST_TIMEOUT",
        "read_timeout": "READ_TIMEOUT",
        "keepalive": "KEEPALIVE",
        "max_queue": "MAX_QUEUE",
        "max_connections": "MAX_CONNECTIONS",
        "max_body_buffer": "MAX_BODY_BUFFER",
        "max_requests": "MAX_REQUESTS",
        "max_worker_memory": "MAX_WORKER_MEMORY",
        "log_level": "LOG_LEVEL",
    }

    #: What each setting means, for command-line help.
    DESCRIPTIONS = {
        "host": "interface to bind",
        "port": "port to bind",
        "workers": "worker processes",
        "threads": "threads per worker (1 with the sync worker class)",
        "worker_class": "gunicorn worker class",
        "timeout": "seconds a worker may go silent before the master replaces it",
        "graceful_timeout": "seconds requests in flight get after SIGTERM",
        "request_timeout": "seconds a request may take (0: no limit)",
        "read_timeout": "seconds a client has to send a request's head",
        "keepalive": "seconds an idle kept-alive connection stays open",
        "max_queue": "complete requests waiting for a thread, per worker, before 503s",
        "max_connections": "client connections per worker; past it, silent and idle ones are closed, oldest first",
        "max_body_buffer": "MiB of request bodies a worker holds at once, before 503s",
        "max_requests": "requests after which a worker is replaced (0: never)",
        "max_worker_memory": "resident MiB above which a worker is replaced (0: no limit)",
        "log_level": "DEBUG, INFO, WARNING, ERROR or CRITICAL",
    }

    @classmethod
    def resolve(cls, environ: Optional[Mapping[str, str]] = None, **given: Any) -> "ServerSettings":
        """The settings from the arguments given (those not None), else the environment, else the defaults.

        A worker class that runs one request at a time (``sync``) gets one thread
        unless threads are asked for, and asking for both is refused: gunicorn
        would quietly switch to ``gthread``.

        :raises ValueError: with one line naming the setting, for a value that is not valid.
        """
        environ = os.environ if environ is None else environ
        values: Dict[str, Any] = {}
        explicit = set()
        for field in dataclasses.fields(cls):
            value = given.get(field.name)
            variable = cls.ENVIRONMENT.get(field.name)
            if value is None and variable is not None:
                value = environ.get(variable) or None
            if value is not None:
                values[field.name] = _converted(variable or field.name, value, type(field.default))
                explicit.add(field.name)
        worker_class = values.get("worker_class", cls.worker_class)
        if worker_class in SINGLE_THREADED_WORKER_CLASSES:
            if "threads" in explicit and values["threads"] != 1:
                raise ValueError(
                    f"worker class {worker_class!r} runs one request at a time, but {values['threads']} threads "
                    "were asked for; drop THREADS/--threads or use the gthread worker class"
                )
            values["threads"] = 1
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse values no server could run with, in one line naming the setting."""
        if self.log_level not in LOG_LEVELS:
            raise ValueError(f"LOG_LEVEL={self.log_level!r} is not one of {', '.join(LOG_LEVELS)}")
        for name in ("workers", "threads", "max_connections", "max_body_buffer"):
            if getattr(self, name) < 1:
                raise ValueError(f"{self.ENVIRONMENT[name]}={getattr(self, name)} must be at least 1")
        for name in ("timeout", "graceful_timeout", "request_timeout", "keepalive", "max_queue", "max_requests",
                     "max_worker_memory"):
            if getattr(self, name) < 0:
                raise ValueError(f"{self.ENVIRONMENT[name]}={getattr(self, name)} must be 0 or more")
        if self.read_timeout < 1:
            raise ValueError(f"READ_TIMEOUT={self.read_timeout} must be at least 1 second")
        if not 0 < self.port < 65536:
            raise ValueError(f"PORT={self.port} is not a port number")

    @property
    def concurrency(self) -> int:
        """How many requests one process can work on at once (workers × threads)."""
        return self.workers * self.threads

    def environment(self) -> Dict[str, str]:
        """These settings as the environment variables that :meth:`resolve` reads (for images and manifests)."""
        return {
            variable: str(getattr(self, name))
            for name, variable in self.ENVIRONMENT.items()
            if name not in ("host", "port")
        }


def _converted(name: str, value: Any, kind: type) -> Any:
    if kind is bool:
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
    if isinstance(value, kind) and not isinstance(value, bool):
        return str(value).upper() if name == "LOG_LEVEL" else value
    try:
        converted = kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is not a valid {kind.__name__}") from None
    return converted.upper() if name == "LOG_LEVEL" else converted
