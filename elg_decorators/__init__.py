"""Turn plain Python functions into European Language Grid (ELG) services.

.. code-block:: python

    from elg_decorators import text_service, serve

    @text_service
    def shout(content: str):
        return TextsResponse(texts=[{"content": content.upper()}])

    serve()
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .errors import HandlerDefinitionError as HandlerDefinitionError
    from .errors import ProcessingError as ProcessingError
    from .registry.decorators import audio_service as audio_service
    from .registry.decorators import image_service as image_service
    from .registry.decorators import structured_text_service as structured_text_service
    from .registry.decorators import text_service as text_service
    from .registry.generated import create_app as create_app
    from .registry.generated import service_class as service_class
    from .registry.registry import Registry as Registry
    from .registry.registry import default_registry as default_registry
    from .server import serve as serve
    from .service.flask_service import FlaskService as FlaskService

# The public names are imported when first used, so that the build and deploy
# commands (``import elg_decorators.deploy``) do not load Flask and the service layers.
_EXPORTS: Dict[str, str] = {
    "HandlerDefinitionError": ".errors",
    "ProcessingError": ".errors",
    "audio_service": ".registry.decorators",
    "image_service": ".registry.decorators",
    "structured_text_service": ".registry.decorators",
    "text_service": ".registry.decorators",
    "create_app": ".registry.generated",
    "service_class": ".registry.generated",
    "Registry": ".registry.registry",
    "default_registry": ".registry.registry",
    "serve": ".server",
    "FlaskService": ".service.flask_service",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__version__ = "0.1.0"

__all__ = [
    "FlaskService",
    "HandlerDefinitionError",
    "ProcessingError",
    "Registry",
    "__version__",
    "audio_service",
    "create_app",
    "default_registry",
    "serve",
    "image_service",
    "service_class",
    "structured_text_service",
    "text_service",
]
