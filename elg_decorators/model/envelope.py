"""The union of every request message, for type annotations (parsing goes through the request kinds)."""
from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from .request import AudioRequest, ImageRequest, StructuredTextRequest, TextRequest

AnyRequest = Annotated[
    Union[TextRequest, StructuredTextRequest, AudioRequest, ImageRequest], Field(discriminator="type")
]
