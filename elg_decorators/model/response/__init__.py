"""The ELG response messages, under the package path the elg package uses (``elg.model.response``).

The classes are defined in :mod:`._models`; each submodule named after a class
(``elg_decorators.model.response.ClassificationResponse``) re-exports it, as in the elg package.
"""
from __future__ import annotations

# The submodules first, then the names: each name of this package is the class, not the
# submodule of the same name, however the submodules are imported later.
from .AnnotationsResponse import AnnotationsResponse as AnnotationsResponse
from .AudioResponse import AudioResponse as AudioResponse
from .ClassificationResponse import ClassesResponse as ClassesResponse
from .ClassificationResponse import ClassificationResponse as ClassificationResponse
from .TextsResponse import TextsResponse as TextsResponse
from .TextsResponse import TextsResponseObject as TextsResponseObject
from ._models import ResponseObject as ResponseObject
from .utils import RESPONSE_MODELS as RESPONSE_MODELS
from .utils import ResponseMessage as ResponseMessage
from .utils import get_response as get_response
from .utils import response_adapter as response_adapter

__all__ = [
    "AnnotationsResponse",
    "AudioResponse",
    "ClassesResponse",
    "ClassificationResponse",
    "RESPONSE_MODELS",
    "ResponseMessage",
    "ResponseObject",
    "TextsResponse",
    "TextsResponseObject",
    "get_response",
    "response_adapter",
]
