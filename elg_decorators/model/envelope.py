"""The union of every request message, for type annotations (parsing goes through the request kinds)."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .request import AudioRequest, ImageRequest, StructuredTextRequest, TextRequest

AnyRequest = Annotated[
    TextRequest | StructuredTextRequest | AudioRequest | ImageRequest, Field(discriminator="type")
]
