"""How a service process runs: the production defaults, in one place.

``serve()``, the image that ``build`` writes and the manifests that ``deploy``
writes all read their defaults from here, and each setting can be overridden by
an argument or by its environment variable, so a service runs the same way on
a laptop, in its image and on Kubernetes. The reasons for each default are in
the documentation's "Serving in production" (docs/production.md).

This module imports nothing of the web stack: the build and deploy layers use it
without loading Flask.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping

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

LOG_LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: Seconds a client is told to wait (``Retry-After``) for a resource that is still being created.
RETRY_AFTER_SECONDS = 5

#: The default worker class: requests read by an event loop, handlers run in threads, with
#: deadlines, overload refusal and graceful recycling (see docs/production.md).
SERVICE_WORKER_CLASS = "elg_decorators.worker.service_worker.ServiceWorker"
#: gunicorn's sync worker with deadlines and ELG answers; ``serve`` uses it for ``sync``.
SYNC_WORKER_CLASS = "elg_decorators.worker.sync_worker.SyncServiceWorker"

#: gunicorn's worker classes that run one request at a time per process.
SINGLE_THREADED_WORKER_CLASSES = frozenset({"sync", SYNC_WORKER_CLASS})


def default_base_image(version: tuple[int, int] | None = None) -> str:
    """The slim official Python image of ``version`` (default: the running interpreter's), e.g. ``python:3.11-slim``."""
    major, minor = version if version is not None else sys.version_info[:2]
    return f"python:{major}.{minor}-slim"


def setting(default: Any, env: str | None, help: str, *, minimum: int | None = None,
            maximum: int | None = None, choices: tuple[str, ...] = (), in_image: bool = True) -> Any:
    """Declare one field of :class:`ServerSettings`: its default, environment variable (None: only an
    argument), one line of help, its bounds or choices, and whether images and manifests carry it."""
    return dataclasses.field(default=default, metadata={
        "env": env, "help": help, "minimum": minimum, "maximum": maximum, "choices": choices, "in_image": in_image,
    })


_BOOLEAN_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
                  "off": False}


@dataclass(frozen=True)
class Setting:
    """What is declared of one setting (see :func:`setting`), as :data:`SETTINGS` lists it."""

    name: str
    env: str | None
    type: type
    default: Any
    help: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    #: Written into the image's ``ENV`` and the manifests' environment (not where to listen).
    in_image: bool = True

    @property
    def option(self) -> str:
        """The command-line option: ``--max-queue``."""
        return "--" + self.name.replace("_", "-")

    def convert(self, value: Any) -> Any:
        """``value`` (from an argument or the environment) as this setting's type, or a one-line ValueError."""
        label = self.env or self.name
        if self.type is bool:
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word not in _BOOLEAN_WORDS:
                raise ValueError(f"{label}={value!r}: use 1 or 0 (true/false, yes/no)")
            return _BOOLEAN_WORDS[word]
        if self.choices:  # matched ignoring case, spelled as declared
            chosen = next((choice for choice in self.choices if choice.lower() == str(value).strip().lower()), None)
            return value if chosen is None else chosen  # check() names a value that is not a choice
        try:
            return value if isinstance(value, self.type) and not isinstance(value, bool) else self.type(value)
        except (TypeError, ValueError):
            raise ValueError(f"{label}={value!r} is not a valid {self.type.__name__}") from None

    def read(self, default: Any = None, environ: Mapping[str, str] | None = None) -> Any:
        """The value its environment variable gives (checked), else ``default`` (None: the declared default)."""
        environ = os.environ if environ is None else environ
        given = (environ.get(self.env) or "").strip() if self.env else ""
        if not given:
            return self.default if default is None else default
        value = self.convert(given)
        self.check(value)
        return value

    def check(self, value: Any) -> None:
        """Refuse a value out of bounds, in one line naming the setting."""
        label = self.env or self.name
        if self.choices and value not in self.choices:
            raise ValueError(f"{label}={value!r} is not one of {', '.join(self.choices)}")
        if self.minimum is not None and value < self.minimum:
            bound = "0 or more" if self.minimum == 0 else f"at least {self.minimum}"
            raise ValueError(f"{label}={value} must be {bound}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{label}={value} must be {self.maximum} or less")


@dataclass(frozen=True)
class ServerSettings:
    """Where and how a service process serves; see :meth:`resolve` for where each value comes from.

    Each field is declared once, with :func:`setting`: the command-line options of ``serve``,
    ``build`` and ``deploy``, the keyword arguments of ``serve()``, the environment of images and
    manifests and the settings reference of the documentation all follow from these declarations.

    The defaults are those of a production ELG service: one worker process per container
    (replicas scale out, not workers), four threads in it so that health probes and short
    requests are answered while a long one runs, and a generous silence limit for the worker
    itself; per-request deadlines are separate (``request_timeout``).
    """

    host: str = setting("0.0.0.0", "HOST", "interface to bind", in_image=False)
    port: int = setting(DEFAULT_PORT, "PORT", "port to bind (Knative sets PORT)", minimum=1, maximum=65535,
                        in_image=False)
    workers: int = setting(1, "WORKERS", "worker processes", minimum=1)
    threads: int = setting(4, "THREADS", "threads per worker (1 with the sync worker class)", minimum=1)
    worker_class: str = setting(SERVICE_WORKER_CLASS, "WORKER_CLASS",
                                "gunicorn worker class: the service worker by default, or sync")
    timeout: int = setting(60, "TIMEOUT", "seconds a worker may go silent before the master replaces it",
                           minimum=0)
    graceful_timeout: int = setting(30, "GRACEFUL_TIMEOUT", "seconds requests in flight get after SIGTERM",
                                    minimum=0)
    request_timeout: int = setting(300, "REQUEST_TIMEOUT", "seconds a request may take (0: no limit)", minimum=0)
    read_timeout: int = setting(5, "READ_TIMEOUT",
                                "seconds a client has to send a request's head, and the longest pause in its body",
                                minimum=1)
    keepalive: int = setting(75, "KEEPALIVE", "seconds an idle kept-alive connection stays open", minimum=0)
    max_queue: int = setting(64, "MAX_QUEUE", "complete requests waiting for a thread, per worker, before 503s",
                             minimum=0)
    max_connections: int = setting(
        1000, "MAX_CONNECTIONS",
        "client connections per worker; past it, silent and idle ones are closed, oldest first", minimum=1)
    max_body_buffer: int = setting(
        256, "MAX_BODY_BUFFER",
        "MiB of request bodies a worker holds in memory at once (a body over 1 MiB waits in a temporary "
        "file and counts 1 MiB), before 503s", minimum=1)
    max_requests: int = setting(0, "MAX_REQUESTS",
                                "requests after which a worker is replaced, plus up to a tenth (0: never)",
                                minimum=0)
    max_worker_memory: int = setting(0, "MAX_WORKER_MEMORY",
                                     "resident MiB above which a worker is replaced (0: no limit)", minimum=0)
    log_level: str = setting("INFO", "LOG_LEVEL", "how much is logged (INFO: one line per request)",
                             choices=LOG_LEVELS)
    reload: bool = setting(False, None, "restart the workers when source files change (development)")

    @classmethod
    def resolve(cls, environ: Mapping[str, str] | None = None, **given: Any) -> ServerSettings:
        """The settings from the arguments given (those not None), else the environment, else the defaults.

        A worker class that runs one request at a time (``sync``) gets one thread
        unless threads are asked for, and asking for both is refused: gunicorn
        would quietly switch to ``gthread``.

        :raises ValueError: with one line naming the setting, for a value that is not valid
            or a setting that does not exist.
        """
        environ = os.environ if environ is None else environ
        unknown = sorted(set(given) - {declared.name for declared in SETTINGS})
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}; the settings are: "
                             f"{', '.join(declared.name for declared in SETTINGS)}")
        values: dict[str, Any] = {}
        for declared in SETTINGS:
            value = given.get(declared.name)
            if value is None and declared.env is not None:
                value = environ.get(declared.env) or None
            if value is not None:
                values[declared.name] = declared.convert(value)
        worker_class = values.get("worker_class", cls.worker_class)
        if worker_class in SINGLE_THREADED_WORKER_CLASSES:
            if "threads" in values and values["threads"] != 1:
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
        for declared in SETTINGS:
            declared.check(getattr(self, declared.name))

    @property
    def concurrency(self) -> int:
        """How many requests one process can work on at once (workers × threads)."""
        return self.workers * self.threads

    def environment(self) -> dict[str, str]:
        """These settings as the environment variables that :meth:`resolve` reads (for images and manifests)."""
        return {
            declared.env: str(getattr(self, declared.name))
            for declared in SETTINGS if declared.env is not None and declared.in_image
        }


#: Every setting of :class:`ServerSettings`, in the order declared.
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(field.name, field.metadata["env"], type(field.default), field.default, field.metadata["help"],
            field.metadata["minimum"], field.metadata["maximum"], field.metadata["choices"], field.metadata["in_image"])
    for field in dataclasses.fields(ServerSettings)
)


#: Settings the application reads from the environment in each process (``serve()`` passes them on).
MAX_REQUEST_SIZE = Setting("max_request_size", "MAX_REQUEST_SIZE", int, 64 * 1024 * 1024,
                           "largest request body in bytes (0: no limit); a FlaskService may set max_request_size",
                           minimum=0)
LOG_FORMAT = Setting("log_format", "LOG_FORMAT", str, "text", "log lines as text, or one JSON object per line",
                     choices=("text", "json"))
REFERENCE_STATUSES = Setting("reference_statuses", "ELG_REFERENCE_STATUSES", bool, False,
                             "send the failures of a service's own code (what its handlers raise or return) with "
                             "HTTP 200, as the elg package does; the server's own rejections keep their status")
HIDE_EXCEPTION_TEXT = Setting("hide_exception_text", "HIDE_EXCEPTION_TEXT", bool, False,
                              "send a 500 for an exception without the exception's text (the log keeps it), so that "
                              "paths, queries or keys in it stay inside the service")
TRY_PAGE = Setting("try_page", "TRY_PAGE", bool, True,
                   "serve the try-out page at /try, which calls only the service's own POST paths (0: off)")
APPLICATION_SETTINGS: tuple[Setting, ...] = (MAX_REQUEST_SIZE, LOG_FORMAT, REFERENCE_STATUSES, HIDE_EXCEPTION_TEXT,
                                             TRY_PAGE)
