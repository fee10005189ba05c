"""Turn plain Python functions into European Language Grid (ELG) services.

.. code-block:: python

    from elg_decorators import text_service, serve

    @text_service
    def shout(content: str):
        return TextsResponse(texts=[{"content": content.upper()}])

    serve()
"""
from __future__ import annotations

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
from .runtime.resource_decorator import resource as resource
from .server import serve as serve
from .service.flask_service import FlaskService as FlaskService

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
    "resource",
    "serve",
    "image_service",
    "service_class",
    "structured_text_service",
    "text_service",
]
