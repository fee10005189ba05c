"""Module path ``elg.model.response.ClassificationResponse`` of the elg package: its names, re-exported."""
from __future__ import annotations

from .._base import to_camel as to_camel
from ._models import ClassesResponse as ClassesResponse
from ._models import ClassificationResponse as ClassificationResponse
from ._models import ResponseObject as ResponseObject

__all__ = ["ClassesResponse", "ClassificationResponse", "ResponseObject", "to_camel"]
