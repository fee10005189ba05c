"""Module path ``elg.quart_service`` of the elg package: QuartService, ProcessingError and the models."""
from __future__ import annotations

from .errors import ProcessingError as ProcessingError
from .model import AudioRequest as AudioRequest
from .model import Failure as Failure
from .model import ImageRequest as ImageRequest
from .model import Progress as Progress
from .model import ResponseObject as ResponseObject
from .model import StandardMessages as StandardMessages
from .model import StructuredTextRequest as StructuredTextRequest
from .model import TextRequest as TextRequest
from .service.quart_service import QuartService as QuartService

__all__ = [
    "AudioRequest",
    "Failure",
    "ImageRequest",
    "ProcessingError",
    "Progress",
    "QuartService",
    "ResponseObject",
    "StandardMessages",
    "StructuredTextRequest",
    "TextRequest",
]
