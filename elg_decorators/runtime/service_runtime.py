"""A service's runtime: its resources in this process, liveness, readiness and the metrics route.

``GET /health/live`` answers 200 as soon as the worker runs (while resources are being created
too); ``GET /health/ready`` answers a 503 ELG failure until every resource exists in this worker
process, 200 then, and 503 again once the process drains (SIGTERM). The paths are those of
:mod:`elg_decorators.settings`.
"""
from __future__ import annotations

import threading
from typing import Any, Protocol
from collections.abc import Callable

from flask import Flask, Response
from flask import request as http_request

from ..errors import ProcessingError
from ..protocol.status_lines import status_line
from ..settings import LIVE_PATH, METRICS_PATH, READY_PATH
from . import metrics, requestlog
from .lifecycle import LIVE_BODY, lifecycle
from .resources import FAILED, Resource, ResourceSet, describe_error, unavailable
from .service_app import ServiceApp, current_request, note_failure


class Served(Protocol):
    """What the runtime needs of a service: its Flask application and its message encoder."""

    @property
    def app(self) -> Flask: ...

    @property
    def encoder(self) -> Any: ...


_EXTENSION = "elg_decorators.runtime"


class ServiceRuntime:
    """The resources of one service, their creation in each worker process, and its readiness."""

    def __init__(self, app: Flask, resources: ResourceSet, encoder: Any) -> None:
        self.app = app
        self.resources = resources
        self._encoder = encoder
        #: Resources without which no POST is answered.
        self.guards = [resource for resource in resources if resource.guards_every_request]

    @property
    def started(self) -> bool:
        """True once resource creation began in this process."""
        return self.resources.started

    def start(self) -> threading.Thread | None:
        """Create this worker's resources in a background thread (once per process)."""
        # The app is complete by now: its fixed paths are the routes metrics may name.
        metrics.known_routes.update(rule.rule for rule in self.app.url_map.iter_rules() if "<" not in rule.rule)
        return self.resources.start(on_created=metrics.resource_created)

    def create_shared(self) -> None:
        """Create the shared resources now (in the master process, before the workers are forked)."""
        self.resources.create_shared()
        for resource in self.resources:
            if resource.shared and resource.seconds is not None:
                metrics.resource_created(resource)

    def wait(self, timeout: float | None = None) -> bool:
        """Create the resources if needed and wait for them; True if all exist (for tests)."""
        return self.resources.wait(timeout)

    def refusal(self, start_response: Callable[..., Any]) -> list[bytes] | None:
        """The 503 answer to a POST while a guarding resource does not exist, else None."""
        for resource in self.guards:
            try:
                resource.current()
            except ProcessingError as problem:
                return self.answer_failure(problem, start_response)
        return None

    def answer_failure(self, problem: ProcessingError, start_response: Callable[..., Any]) -> list[bytes]:
        """Answer with ``problem`` as ELG failure JSON (for answers given outside the application's routes)."""
        note_failure(problem.message.code)
        body = self._encoder.envelope("failure", problem.failure)
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        start_response(status_line(problem.status), headers + list(problem.headers.items()))
        return [body]

    def readiness(self) -> Any | None:
        """None when ready, else the 503 ProcessingError saying why not."""
        if lifecycle.draining:
            return unavailable("the service is shutting down", retry_after=None)
        waiting = self.resources.not_ready()
        if not waiting:
            return None
        first = next((resource for resource in waiting if resource.state is FAILED), waiting[0])
        error = _first_reason(first)
        return type(error)(
            error.message.model_copy(update={"detail": {"resources": _states(self.resources)}}),
            status=error.status, headers=error.headers,
        )


def _first_reason(resource: Resource) -> Any:
    try:
        resource.current()
    except Exception as error:
        return error
    return unavailable(f"resource {resource.name!r} is not ready")


def _states(resources: ResourceSet) -> dict[str, str]:
    return {
        resource.name: f"failed: {describe_error(resource.error)}" if resource.state is FAILED else resource.state
        for resource in resources
    }


def runtime_of(app: Any) -> ServiceRuntime | None:
    """The runtime of a service's Flask app, if it has one."""
    extensions = getattr(app, "extensions", None)
    return extensions.get(_EXTENSION) if isinstance(extensions, dict) else None


def install_runtime(service: Served, resources: ResourceSet) -> ServiceRuntime:
    """Give ``service`` its runtime: resources, the live/ready/metrics routes, request logs and metrics."""
    app = service.app
    runtime = ServiceRuntime(app, resources, service.encoder)
    app.extensions[_EXTENSION] = runtime
    if isinstance(app, ServiceApp):
        app.elg_runtime = runtime
    encoder = service.encoder

    def live() -> Any:
        # The same answer the service worker's event loop gives while every thread is busy.
        return Response(LIVE_BODY, mimetype="application/json")

    def ready() -> Any:
        problem = runtime.readiness()
        if problem is None:
            return app.json.response(status="ready", resources=_states(runtime.resources))
        note_failure(problem.message.code)
        return Response(encoder.envelope("failure", problem.failure), status=problem.status,
                        mimetype="application/json", headers=dict(problem.headers))

    def metrics_page() -> Response:
        body, content_type = metrics.render(http_request.headers.get("Accept"))
        return Response(body, status=200, content_type=content_type)

    for path, endpoint, view in ((LIVE_PATH, "health_live", live), (READY_PATH, "health_ready", ready),
                                 (METRICS_PATH, "metrics", metrics_page)):
        _add_get_route(app, path, endpoint, view)
    app.url_value_preprocessor(_note_route)
    lifecycle.add_listener(requestlog.log_request)
    lifecycle.add_listener(metrics.count_request)
    return runtime


def lifecycle_resource(service: Served, setup: Callable[[], Any], shutdown: Callable[[], Any]) -> Resource:
    """A resource that calls a classic service's ``setup()`` when created and ``shutdown()`` at exit."""

    def factory() -> Any:
        setup()
        yield service
        shutdown()

    resource = Resource(factory)
    resource.name = f"{type(service).__name__}.setup"
    resource.guards_every_request = True
    return resource


def _add_get_route(app: Flask, path: str, endpoint: str, view: Callable[[], Any]) -> None:
    if any(rule.rule == path for rule in app.url_map.iter_rules()):
        return  # the service answers it itself
    app.add_url_rule(path, endpoint, view, methods=["GET"], provide_automatic_options=False)


def _note_route(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Record the route Flask matched, for request logs and metrics labels."""
    record = current_request.get()
    rule = http_request.url_rule
    if record is not None and rule is not None:
        record.route = rule.rule
