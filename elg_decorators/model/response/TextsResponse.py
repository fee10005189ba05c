"""Module path ``elg.model.response.TextsResponse`` of the elg package: its names, re-exported."""
from __future__ import annotations

from .._base import to_camel as to_camel
from ..annotation import Annotation as Annotation
from ._models import ResponseObject as ResponseObject
from ._models import TextsResponse as TextsResponse
from ._models import TextsResponseObject as TextsResponseObject

__all__ = ["Annotation", "ResponseObject", "TextsResponse", "TextsResponseObject", "to_camel"]
