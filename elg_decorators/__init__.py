"""Turn plain Python functions into European Language Grid (ELG) services.

.. code-block:: python

    from elg_decorators import text_service, serve

    @text_service
    def shout(content: str):
        return TextsResponse(texts=[{"content": content.upper()}])

    serve()

The names below are imported when first used, so that ``import
elg_decorators.image`` (or ``.deploy``) does not load the web stack.
"""

import importlib
from typing import TYPE_CHECKING, Any

from .version import __version__ as __version__

#: Each public name and the module that defines it.
_EXPORTS: dict[str, str] = {
    "FlaskService": ".service.flask_service",
    "HandlerDefinitionError": ".errors",
    "ProcessingError": ".errors",
    "Progress": ".model.status",
    "QuartService": ".service.quart_service",
    "Registry": ".registry.registry",
    "RegistryService": ".registry.service",
    "StandardMessages": ".model.messages",
    "audio_service": ".registry.decorators",
    "create_app": ".registry.service",
    "default_registry": ".registry.registry",
    "image_service": ".registry.decorators",
    "resource": ".registry.resource_decorator",
    "serve": ".server",
    "service_class": ".registry.service",
    "structured_text_service": ".registry.decorators",
    "text_service": ".registry.decorators",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from .errors import HandlerDefinitionError as HandlerDefinitionError
    from .errors import ProcessingError as ProcessingError
    from .model.messages import StandardMessages as StandardMessages
    from .model.status import Progress as Progress
    from .registry.decorators import audio_service as audio_service
    from .registry.decorators import image_service as image_service
    from .registry.decorators import structured_text_service as structured_text_service
    from .registry.decorators import text_service as text_service
    from .registry.registry import Registry as Registry
    from .registry.registry import default_registry as default_registry
    from .registry.service import RegistryService as RegistryService
    from .registry.service import create_app as create_app
    from .registry.service import service_class as service_class
    from .registry.resource_decorator import resource as resource
    from .server import serve as serve
    from .service.flask_service import FlaskService as FlaskService
    from .service.quart_service import QuartService as QuartService


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
