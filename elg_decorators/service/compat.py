"""Behaviour of the elg package that services written for it rely on, kept apart from our defaults.

- :func:`reference_statuses`: whether the failures of a service's own code are sent
  with HTTP 200, as the elg package's FlaskService sends them (chains of services
  that forward a remote failure only when the remote answered 2xx depend on it);
  the exact rule is in the docstring of ``FlaskService.reference_statuses``.
- :class:`CompatFlask`: the Flask application class of our services, with
  ``before_first_request`` (removed from Flask in 2.3, still used by services
  to load their models).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ..logger import logger
from ..protocol.failures import internal_error
from ..runtime.service_app import ServiceApp
from ..settings import HEALTH_PATH, LIVE_PATH, METRICS_PATH, READY_PATH, REFERENCE_STATUSES

F = TypeVar("F", bound=Callable[[], Any])

#: Paths answered without waiting for the before_first_request functions.
_NOT_WAITING = frozenset({HEALTH_PATH, LIVE_PATH, READY_PATH, METRICS_PATH})


def reference_statuses(default: bool) -> bool:
    """``ELG_REFERENCE_STATUSES`` from the environment if set, else ``default``."""
    return bool(REFERENCE_STATUSES.read(default))


class CompatFlask(ServiceApp):
    """The application class of a service, with ``before_first_request``.

    Functions registered with it run once per process, before that process's first request.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.before_first_request_funcs: list[Callable[[], Any]] = []
        self._first_request_lock = threading.Lock()
        self._first_request_pid = 0

    def before_first_request(self, func: F) -> F:
        """Register ``func`` to run once in each worker process before that process's first request.

        It runs inside an application context; the request waits for it. If it
        raises, the request is answered with an ELG failure and the next request
        runs it again.
        """
        self.before_first_request_funcs.append(func)
        self.may_refuse = True
        return func

    def refusal(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes] | None:
        """Run the ``before_first_request`` functions before this process's first request.

        The probes and metrics do not wait for them (a liveness probe must not fail because a model
        does not load). If one raises, the request is answered with an ELG failure, logged and
        counted like any other, and the next request runs them again.
        """
        if not self.before_first_request_funcs or self._first_request_pid == os.getpid():
            return None
        if environ.get("PATH_INFO") in _NOT_WAITING:
            return None
        try:
            self._run_before_first_request()
        except Exception as exc:
            logger.exception("a before_first_request function of %s failed", self.name)
            runtime = self.elg_runtime
            if runtime is None:
                raise
            return runtime.answer_failure(internal_error(exc), start_response)
        return None

    def _run_before_first_request(self) -> None:
        with self._first_request_lock:
            if self._first_request_pid == os.getpid():
                return
            with self.app_context():
                for func in self.before_first_request_funcs:
                    func()
            self._first_request_pid = os.getpid()
