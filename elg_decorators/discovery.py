"""Finding the service in a script or module, as ``serve`` and ``build`` are given it."""
from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from collections.abc import Callable

from flask import Flask

from .errors import ServiceLoadError
from .kinds import Endpoint
from .registry.service import create_app
from .registry.registry import Registry, collecting_into
from .service.flask_service import FlaskService


@dataclass
class LoadedService:
    """What a script or module defines: decorated handlers, or a classic FlaskService."""

    module: ModuleType
    registry: Registry
    flask_service: FlaskService | None = None
    flask_app: Flask | None = None

    @property
    def handler_count(self) -> int:
        """Decorated handlers, plus one for a classic service."""
        return len(self.registry) + (1 if self.flask_service or self.flask_app else 0)

    def app(self) -> Flask:
        """The WSGI application serving it."""
        if len(self.registry):
            return create_app(self.registry)
        if self.flask_service is not None:
            return self.flask_service.app
        if self.flask_app is not None:
            return self.flask_app
        raise ServiceLoadError(_nothing_found(self.module))

    def describe_endpoints(self) -> tuple[Endpoint, ...]:
        """What it serves on each path; nothing for a Flask app that is not a FlaskService's."""
        if len(self.registry):
            return self.registry.describe_endpoints()
        service = self.flask_service
        if service is None and self.flask_app is not None:
            service = self.flask_app.extensions.get(FlaskService.EXTENSION_KEY)
        return service.describe_endpoints() if isinstance(service, FlaskService) else ()


def load_service(target: str) -> LoadedService:
    """Import ``target`` (``path/to/script.py`` or ``package.module``) and find its service.

    Its decorators register into a registry of its own, so loading the same
    target twice works. Raises :class:`ServiceLoadError` when the target
    cannot be imported (the message tells a missing file or module from an
    error raised inside it) or defines no service.
    """
    registry = Registry(Path(target).stem if target.endswith(".py") else target.rpartition(".")[2])
    with collecting_into(registry):
        module = _import(target)
    loaded = LoadedService(module, registry)
    if not len(registry):
        loaded.flask_service, loaded.flask_app = find_classic_service(module)
    if not loaded.handler_count:
        raise ServiceLoadError(_nothing_found(module))
    return loaded


def load_registry(target: str) -> Registry:
    """The registry of decorated handlers that ``target`` defines."""
    return load_service(target).registry


def _import(target: str) -> ModuleType:
    if target.endswith(".py") or "/" in target or "\\" in target:
        return _import_file(Path(target))
    try:
        spec = importlib.util.find_spec(target)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise ServiceLoadError(f"could not import {target!r}: no such module (give a .py file or a module on sys.path)")
    sys.modules.pop(target, None)  # load it afresh, so its decorators run into the new registry
    return _run_import(lambda: importlib.import_module(target), target)


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise ServiceLoadError(f"could not import {str(path)!r}: no such file")
    path = path.resolve()
    name = path.stem
    existing = sys.modules.get(name)
    if existing is not None and Path(getattr(existing, "__file__", "") or "").resolve() == path:
        del sys.modules[name]  # load it afresh, so its decorators run into the new registry
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # so the script can import modules beside it
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)

    def execute() -> ModuleType:
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)  # type: ignore[union-attr]
        except BaseException:
            sys.modules.pop(name, None)
            raise
        return module

    return _run_import(execute, str(path))


def _run_import(load: Callable[[], ModuleType], shown: str) -> ModuleType:
    saved_argv = sys.argv
    sys.argv = [shown]  # the script sees its own name, not our command line
    try:
        return load()
    except ServiceLoadError:
        raise
    except Exception as exc:
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-6:])
        raise ServiceLoadError(f"{shown!r} raised an error while being imported:\n{details.rstrip()}") from None
    finally:
        sys.argv = saved_argv


def find_classic_service(module: ModuleType) -> tuple[FlaskService | None, Flask | None]:
    """A FlaskService instance (or the one subclass, instantiated) or a Flask ``app`` that ``module`` defines."""
    values = [value for name, value in vars(module).items() if not name.startswith("__")]
    services = [value for value in values if isinstance(value, FlaskService)]
    if services:
        return services[0], None
    classes = [
        value for value in values
        if isinstance(value, type) and issubclass(value, FlaskService) and value is not FlaskService
        and value.__module__ == module.__name__
    ]
    if len(classes) == 1:
        return classes[0](), None
    app = getattr(module, "app", None)
    return None, app if isinstance(app, Flask) else None


def _nothing_found(module: ModuleType) -> str:
    return (
        f"{module.__name__!r} defines no ELG service: decorate a function with @text_service (or "
        "@structured_text_service, @audio_service, @image_service), or define a FlaskService subclass"
    )
