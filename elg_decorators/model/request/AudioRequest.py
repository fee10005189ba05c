"""Module path ``elg.model.request.AudioRequest`` of the elg package: its names, re-exported."""
from __future__ import annotations

from ..annotation import Annotation as Annotation
from ._models import AudioRequest as AudioRequest
from ._models import Request as Request

__all__ = ["Annotation", "AudioRequest", "Request"]
