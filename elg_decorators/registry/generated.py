"""The FlaskService subclass generated from a registry of decorated handlers."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from flask import Flask

from ..errors import ProcessingError, ServiceLoadError
from ..model.request import Request
from ..service.direct import install as install_direct_dispatch
from ..service.exchange import current_exchange
from ..service.flask_service import PROCESS_METHODS, FlaskService
from .registry import Registry, current_registry, url_variables


def _dispatcher(kind: str) -> Callable[[FlaskService, Request], Any]:
    def process(self: Any, request: Request) -> Any:
        exchange = current_exchange.get()
        handler = self.registry.lookup(exchange.route if exchange is not None else None, kind)
        if handler is None:
            raise ProcessingError("elg.request.type.unsupported", params=[kind])
        return handler(request, exchange.url_values if exchange is not None else {})

    process.__name__ = process.__qualname__ = PROCESS_METHODS[kind]
    process.__doc__ = f"Dispatch {kind} requests to the handler registered for the matched path."
    return process


def service_class(registry: Optional[Registry] = None) -> type[FlaskService]:
    """A FlaskService subclass whose ``process_*`` methods call the registered handlers.

    Its module is that of the first handler, so the docker classmethods
    write their files beside the script that defines the handlers.
    """
    registry = registry if registry is not None else current_registry()
    if not registry:
        raise ServiceLoadError(
            "no handler is registered: decorate a function with @text_service, @structured_text_service, "
            "@audio_service or @image_service before serving"
        )
    endpoints = registry.endpoints()
    paths = list(endpoints)

    def __init__(self: FlaskService, name: Optional[str] = None, path: Optional[str] = None) -> None:
        FlaskService.__init__(self, name or registry.name, path or paths[0])
        for extra in paths:
            if extra not in self.paths:
                self._add_endpoint(extra)
        install_direct_dispatch(self, [path for path in self.paths if not url_variables(path)])

    def served(self: FlaskService) -> Dict[str, List[str]]:
        return {path: list(kinds) for path, kinds in registry.endpoints().items()}

    namespace: Dict[str, Any] = {
        "__module__": registry.handlers[0].func.__module__,
        "__doc__": f"ELG service generated from {registry!r}.",
        "__init__": __init__,
        "endpoints": served,
        "registry": registry,
    }
    for kind in {handler.kind for handler in registry.handlers}:
        namespace[PROCESS_METHODS[kind]] = _dispatcher(kind)
    return type("ELGService", (FlaskService,), namespace)


def create_app(registry: Optional[Registry] = None, *, name: Optional[str] = None) -> Flask:
    """The WSGI application (a Flask app) serving the handlers of ``registry``."""
    return service_class(registry)(name).app
