"""Module path ``elg.flask_service`` of the elg package: FlaskService and the models it names."""
from __future__ import annotations

from .model import AudioRequest as AudioRequest
from .model import Failure as Failure
from .model import ImageRequest as ImageRequest
from .model import Progress as Progress
from .model import Request as Request
from .model import ResponseObject as ResponseObject
from .model import StandardMessages as StandardMessages
from .model import StructuredTextRequest as StructuredTextRequest
from .model import TextRequest as TextRequest
from .service.flask_service import FlaskService as FlaskService

__all__ = [
    "AudioRequest",
    "Failure",
    "FlaskService",
    "ImageRequest",
    "Progress",
    "Request",
    "ResponseObject",
    "StandardMessages",
    "StructuredTextRequest",
    "TextRequest",
]
