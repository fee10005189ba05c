"""Pydantic models of every ELG message, named as in the elg package's ``elg.model``."""
from __future__ import annotations

from .annotation import Annotation as Annotation
from .envelope import AnyRequest as AnyRequest
from .response import get_response as get_response
from .messages import STANDARD_MESSAGES as STANDARD_MESSAGES
from .messages import StandardMessages as StandardMessages
from .messages import http_status_for as http_status_for
from .messages import standard_message as standard_message
from .request import AudioRequest as AudioRequest
from .request import ImageRequest as ImageRequest
from .request import Request as Request
from .request import StructuredTextRequest as StructuredTextRequest
from .request import Text as Text
from .request import TextRequest as TextRequest
from .response import AnnotationsResponse as AnnotationsResponse
from .response import AudioResponse as AudioResponse
from .response import ClassesResponse as ClassesResponse
from .response import ClassificationResponse as ClassificationResponse
from .response import ResponseObject as ResponseObject
from .response import TextsResponse as TextsResponse
from .response import TextsResponseObject as TextsResponseObject
from .status import Failure as Failure
from .status import Progress as Progress
from .status import StatusMessage as StatusMessage

__all__ = [
    "STANDARD_MESSAGES",
    "Annotation",
    "AnnotationsResponse",
    "AnyRequest",
    "AudioRequest",
    "AudioResponse",
    "ClassesResponse",
    "ClassificationResponse",
    "Failure",
    "ImageRequest",
    "Progress",
    "Request",
    "ResponseObject",
    "StandardMessages",
    "StatusMessage",
    "StructuredTextRequest",
    "Text",
    "TextRequest",
    "TextsResponse",
    "TextsResponseObject",
    "get_response",
    "http_status_for",
    "standard_message",
]
