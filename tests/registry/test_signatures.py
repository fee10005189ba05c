"""Handlers that cannot be served as written fail at decoration, with a message naming the function.

The handlers here have no ``from __future__ import annotations`` in effect for
their messages: the expected texts show the signature as ``inspect`` prints it.
"""
import threading
from collections.abc import Iterator

import pytest

from elg_decorators import HandlerDefinitionError, Registry, audio_service, text_service
from elg_decorators.kinds import RESPONSE_KINDS
from elg_decorators.model import AudioRequest, Progress, TextsResponse


def where(test_name: str, signature: str) -> str:
    """How a message names a handler defined inside a test."""
    return f"{test_name}.<locals>.{signature}"


def test_positional_only_parameter(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError) as caught:
        @text_service(registry=registry)
        def handler(content, /): ...

    assert str(caught.value) == (
        f"@text_service {where('test_positional_only_parameter', 'handler(content, /)')}: parameter 'content' "
        "is positional-only; arguments are passed by name, remove the '/'"
    )
    assert len(registry) == 0


def test_var_positional_parameter(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError) as caught:
        @text_service(registry=registry)
        def handler(content, *args): ...

    assert str(caught.value) == (
        f"@text_service {where('test_var_positional_parameter', 'handler(content, *args)')}: parameter 'args': "
        "*args cannot be filled from a request; name each parameter"
    )


def test_content_annotated_with_the_wrong_type(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError) as caught:
        @text_service(registry=registry)
        def handler(content: int): ...

    assert str(caught.value) == (
        f"@text_service {where('test_content_annotated_with_the_wrong_type', 'handler(content: int)')}: "
        "parameter 'content' is the TextRequest field of type str; annotate it as str (not int) or leave it bare"
    )


def test_audio_content_annotated_as_str_names_bytes(registry: Registry) -> None:
    # The field is Optional[bytes]; the message must say which type to write, not just "Optional".
    with pytest.raises(HandlerDefinitionError, match=r"^@audio_service .*handler\(content: str\): parameter 'content' "
                       r"is the AudioRequest field of type (Optional\[bytes\]|bytes); "
                       r"annotate it as (Optional\[bytes\]|bytes) \(not str\) or leave it bare$"):
        @audio_service(registry=registry)
        def handler(content: str): ...


def test_request_annotated_with_another_request_type(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError) as caught:
        @text_service(registry=registry)
        def handler(request: AudioRequest): ...

    message = str(caught.value)
    assert message.startswith("@text_service test_request_annotated_with_another_request_type.<locals>.handler(")
    assert message.endswith(
        "parameter 'request' receives a TextRequest; annotate it as TextRequest or leave it bare"
    )


def test_unresolvable_string_annotation(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError) as caught:
        @text_service(registry=registry)
        def handler(content: "Undefined"): ...  # noqa: F821

    assert str(caught.value) == (
        f"@text_service {where('test_unresolvable_string_annotation', 'handler(content: ' + repr('Undefined') + ')')}: "
        "cannot resolve its type annotations (name 'Undefined' is not defined); "
        "import every name used in them at module level"
    )


def test_return_annotation_that_is_not_an_elg_message(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError) as caught:
        @text_service(registry=registry)
        def handler(content) -> dict: ...

    assert str(caught.value) == (
        f"@text_service {where('test_return_annotation_that_is_not_an_elg_message', 'handler(content) -> dict')}: "
        "its return annotation names dict, which is not an ELG message; annotate it with the response it builds "
        "(e.g. -> AnnotationsResponse, -> TextsResponse) or remove the annotation"
    )


def test_return_annotation_of_a_dict_type_is_refused_too(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError, match="its return annotation names dict"):
        @text_service(registry=registry)
        def handler(content) -> dict[str, int]: ...


def test_parameter_type_pydantic_cannot_read(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError) as caught:
        @text_service(registry=registry)
        def handler(content, lock: threading.Event): ...

    message = str(caught.value)
    assert message.startswith("@text_service test_parameter_type_pydantic_cannot_read.<locals>.handler(")
    assert "parameter 'lock': its annotation Event cannot be read from JSON" in message
    assert message.endswith("use a JSON-compatible type (str, int, float, bool, list, dict, a pydantic model…)")


def test_stream_return_annotations_are_accepted(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content) -> Iterator[Progress | TextsResponse]:
        yield TextsResponse(texts=[{"content": content}])

    assert registry.handlers[0].response_kind is RESPONSE_KINDS["texts"]
    assert registry.handlers[0].streams
