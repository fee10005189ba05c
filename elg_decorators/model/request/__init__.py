"""The four ELG request messages, under the package path the elg package uses (``elg.model.request``).

The classes are defined in :mod:`._models`; each submodule named after a class
(``elg_decorators.model.request.TextRequest``) re-exports it, as in the elg package.
"""
from __future__ import annotations

# The submodules first, then the names: each name of this package is the class, not the
# submodule of the same name, however the submodules are imported later.
from .AudioRequest import AudioRequest as AudioRequest
from .ImageRequest import ImageRequest as ImageRequest
from .StructuredTextRequest import StructuredTextRequest as StructuredTextRequest
from .TextRequest import TextRequest as TextRequest
from ._models import AUDIO_FORMATS as AUDIO_FORMATS
from ._models import IMAGE_FORMATS as IMAGE_FORMATS
from ._models import MAX_STRUCTURED_TEXT_DEPTH as MAX_STRUCTURED_TEXT_DEPTH
from ._models import Request as Request
from ._models import Text as Text

__all__ = [
    "AUDIO_FORMATS",
    "IMAGE_FORMATS",
    "MAX_STRUCTURED_TEXT_DEPTH",
    "AudioRequest",
    "ImageRequest",
    "Request",
    "StructuredTextRequest",
    "Text",
    "TextRequest",
]
