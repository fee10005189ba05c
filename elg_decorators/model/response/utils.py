"""Reading a whole ELG message back into its model (``elg.model.response.utils`` in the elg package)."""
from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from ..status import Failure, Progress
from ._models import AnnotationsResponse, AudioResponse, ClassificationResponse, ResponseObject, TextsResponse

#: The response messages of the ELG API: the one list of them. What the framework does with each
#: (building one from a plain value, its ELG-SHARE description) is its row in
#: :data:`elg_decorators.kinds.RESPONSE_KINDS`, which covers every model named here.
RESPONSE_MODELS: tuple[type[ResponseObject], ...] = (
    AnnotationsResponse, ClassificationResponse, TextsResponse, AudioResponse,
)

ResponseMessage: Any = Annotated[Union[RESPONSE_MODELS], Field(discriminator="type")]  # noqa: UP007 - a union of a tuple

response_adapter: TypeAdapter[Any] = TypeAdapter(ResponseMessage)


def get_response(message: Any) -> ResponseObject | Failure | Progress:
    """Parse ``{"response": …}``, ``{"failure": …}`` or ``{"progress": …}`` into its model.

    ``message`` may be a ``dict`` or JSON text/bytes.
    """
    if isinstance(message, (str, bytes, bytearray)):
        message = TypeAdapter(dict).validate_json(message)
    if "response" in message:
        return response_adapter.validate_python(message["response"])  # type: ignore[no-any-return]
    if "failure" in message:
        return Failure.model_validate(message["failure"])
    if "progress" in message:
        return Progress.model_validate(message["progress"])
    raise ValueError('an ELG message has a "response", "failure" or "progress" key')
