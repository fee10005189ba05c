"""The FlaskService that answers with the handlers of a registry: what ``serve()`` serves."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar
from collections.abc import Mapping

from flask import Flask

from ..errors import ProcessingError, ServiceLoadError
from ..kinds import Endpoint, url_variables
from ..model.request import Request
from ..service.direct import install as install_direct_dispatch
from ..service.flask_service import FlaskService
from .registry import Registry, current_registry


class RegistryService(FlaskService):
    """A :class:`FlaskService` whose POST paths are those of a registry's handlers.

    It overrides :meth:`FlaskService.dispatch` to call the handler registered
    for the matched path and request type directly; everything else (parsing,
    encoding, ``to_json``, the docker classmethods) is FlaskService's own.

    .. code-block:: python

        app = RegistryService(my_registry).app      # a WSGI application

    :param registry: the handlers to serve; default the registry being filled
        (that of the running script).
    :param name: the service name; default the registry's.
    """

    #: The registry instances serve by default and the class-level docker classmethods
    #: describe (see :func:`service_class`); None: the registry being filled.
    bound_registry: ClassVar[Registry | None] = None
    #: Handlers take their content as an argument: a request without it is a 400 before they run,
    #: unless the handler declares a default for it (see :meth:`content_required_at`).
    content_required: ClassVar[bool] = True

    def __init__(self, registry: Registry | None = None, *, name: str | None = None) -> None:
        chosen = registry if registry is not None else type(self).bound_registry or current_registry()
        if not chosen:
            raise ServiceLoadError(
                "no handler is registered: decorate a function with @text_service, @structured_text_service, "
                "@audio_service or @image_service before serving"
            )
        self.registry = chosen
        self.kinds = chosen.kinds
        self._content_required_by_route: dict[str, frozenset[str]] = {}
        paths = list(chosen.endpoints())
        super().__init__(name or chosen.name, paths[0])
        for path in paths[1:]:
            self._add_endpoint(path)
        install_direct_dispatch(self, [path for path in self.paths if not url_variables(path)])

    def dispatch(self, request: Request, route: str | None, url_values: Mapping[str, Any]) -> Any:
        """Call the handler registered for ``route`` and the request's type.

        Without a route, the one handler of that type is called (if several paths
        take it, the request is unsupported: there is no telling which).
        """
        handler = self.registry.lookup(route, request.type or "")
        if handler is None:
            raise ProcessingError("elg.request.type.unsupported", params=[request.type])
        return handler(request, url_values)

    def content_required_at(self, route: str) -> frozenset[str]:
        """The binary request types refused without content on ``route``: those whose handler there takes
        ``content`` without a default (one declaring ``content: bytes | None = None`` receives None)."""
        required = self._content_required_by_route.get(route)
        if required is None:
            required = frozenset(
                request_type for request_type in self.content_required_types()
                if not getattr(self.registry.lookup(route, request_type), "content_optional", False)
            )
            self._content_required_by_route[route] = required
        return required

    def process_request(self, request: Request) -> Any:
        """Call the handler of the request's type, as :meth:`dispatch` does without a route."""
        return self.dispatch(request, None, {})

    def describe_endpoints(self) -> tuple[Endpoint, ...]:
        """The registry's paths, each with its handlers' parameters, responses and streaming."""
        return self.registry.describe_endpoints()

    @classmethod
    def supported_request_types(cls) -> list[str]:
        """The request types the class's registry has handlers for, in the order of its kinds."""
        registry = cls._class_registry()
        served = {handler.kind for handler in registry.handlers}
        return [kind.type for kind in registry.kinds if kind.type in served]

    @classmethod
    def service_script(cls, path: str | None = None) -> Path:
        """The script that defines the handlers (not this module): ``path`` if given."""
        registry = cls._class_registry()
        if path is None and registry:
            module = sys.modules.get(registry.handlers[0].func.__module__)
            module_file = getattr(module, "__file__", None)
            if module_file:
                return Path(module_file).resolve()
        return super().service_script(path)

    @classmethod
    def _class_registry(cls) -> Registry:
        return cls.bound_registry if cls.bound_registry is not None else current_registry()


def service_class(registry: Registry | None = None) -> type[RegistryService]:
    """A :class:`RegistryService` subclass bound to ``registry``, for its class-level docker classmethods.

    Instances serve ``registry``; ``create_docker_files()`` and its siblings
    write their files beside the script that defines its handlers.
    """
    chosen = registry if registry is not None else current_registry()
    if not chosen:
        RegistryService(chosen)  # raises the "no handler" error

    class ELGService(RegistryService):
        __doc__ = f"ELG service of {chosen!r}."
        bound_registry = chosen

    ELGService.__module__ = chosen.handlers[0].func.__module__
    return ELGService


def create_app(registry: Registry | None = None, *, name: str | None = None) -> Flask:
    """The WSGI application (a Flask app) serving the handlers of ``registry``."""
    return RegistryService(registry, name=name).app
