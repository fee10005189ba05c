"""Reading a whole ELG message envelope back into its model."""
from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from .request import AudioRequest, ImageRequest, StructuredTextRequest, TextRequest
from .response.utils import ResponseMessage as ResponseMessage
from .response.utils import get_response as get_response
from .response.utils import response_adapter as response_adapter

AnyRequest = Annotated[
    Union[TextRequest, StructuredTextRequest, AudioRequest, ImageRequest], Field(discriminator="type")
]

request_adapter: TypeAdapter[Any] = TypeAdapter(AnyRequest)
