"""Module path ``elg.model.response.AudioResponse`` of the elg package: its names, re-exported."""
from __future__ import annotations

from ..annotation import Annotation as Annotation
from ._models import AudioResponse as AudioResponse
from ._models import ResponseObject as ResponseObject

__all__ = ["Annotation", "AudioResponse", "ResponseObject"]
