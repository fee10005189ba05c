"""Fixture service of the large-body tests: an audio handler that says what it received."""
from __future__ import annotations

import hashlib
import os

from elg_decorators import audio_service, text_service
from elg_decorators.model import AnnotationsResponse


@text_service
def annotate(content: str) -> AnnotationsResponse:
    return AnnotationsResponse(features={"length": len(content), "pid": os.getpid()})


@audio_service
def received(content: bytes, format: str) -> AnnotationsResponse:
    """The size and SHA-256 of the audio's bytes, as the handler got them."""
    return AnnotationsResponse(features={"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest(),
                                         "format": format})
