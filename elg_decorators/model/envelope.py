"""Reading a whole ELG message envelope back into its model."""
from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from .request import AudioRequest, ImageRequest, StructuredTextRequest, TextRequest
from .response import AnnotationsResponse, AudioResponse, ClassificationResponse, TextsResponse
from .status import Failure, Progress

AnyRequest = Annotated[
    Union[TextRequest, StructuredTextRequest, AudioRequest, ImageRequest], Field(discriminator="type")
]
ResponseMessage = Annotated[
    Union[AnnotationsResponse, ClassificationResponse, TextsResponse, AudioResponse], Field(discriminator="type")
]

request_adapter: TypeAdapter[Any] = TypeAdapter(AnyRequest)
response_adapter: TypeAdapter[Any] = TypeAdapter(ResponseMessage)


def get_response(message: Any) -> Union[AnnotationsResponse, ClassificationResponse, TextsResponse, AudioResponse,
                                         Failure, Progress]:
    """Parse ``{"response": …}``, ``{"failure": …}`` or ``{"progress": …}`` into its model.

    ``message`` may be a ``dict`` or JSON text/bytes.
    """
    if isinstance(message, (str, bytes, bytearray)):
        message = TypeAdapter(dict).validate_json(message)
    if "response" in message:
        return response_adapter.validate_python(message["response"])
    if "failure" in message:
        return Failure.model_validate(message["failure"])
    if "progress" in message:
        return Progress.model_validate(message["progress"])
    raise ValueError('an ELG message has a "response", "failure" or "progress" key')
