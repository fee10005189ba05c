"""How the decorators are applied: call shapes, registries, duplicates."""
from __future__ import annotations

import functools

import pytest

from elg_decorators import (
    HandlerDefinitionError,
    Registry,
    audio_service,
    default_registry,
    image_service,
    structured_text_service,
    text_service,
)
from elg_decorators.model import AnnotationsResponse, TextsResponse
from elg_decorators.registry.registry import collecting_into, current_registry
from elg_decorators.testing import ServiceClient


def test_bare_decorator_registers_on_process(registry: Registry) -> None:
    with collecting_into(registry):  # what bare decorators add to while a script is loaded

        @text_service
        def echo(content: str) -> TextsResponse:
            return TextsResponse(texts=[{"content": content}])

    assert registry.endpoints() == {"/process": ["text"]}
    assert registry.handlers[0].func is echo
    assert ServiceClient(registry).text("hi") == TextsResponse(texts=[{"content": "hi"}])


def test_bare_decorator_outside_a_load_adds_to_the_default_registry() -> None:
    scratch = Registry("scratch")
    assert current_registry() is default_registry
    with collecting_into(scratch):
        assert current_registry() is scratch
    assert current_registry() is default_registry


def test_empty_call_registers_on_process(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content}])

    assert registry.endpoints() == {"/process": ["text"]}


def test_positional_path(registry: Registry) -> None:
    @text_service("/upper", registry=registry)
    def upper(content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content.upper()}])

    assert registry.endpoints() == {"/upper": ["text"]}
    assert ServiceClient(registry, path="/upper").text("abc").texts[0].content == "ABC"


def test_path_keyword(registry: Registry) -> None:
    @text_service(path="/lower", registry=registry)
    def lower(content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content.lower()}])

    assert registry.endpoints() == {"/lower": ["text"]}
    assert ServiceClient(registry, path="/lower").text("ABC").texts[0].content == "abc"


def test_path_given_twice_is_refused(registry: Registry) -> None:
    with pytest.raises(TypeError, match=r"^text_service: give the path once, either positionally or as path=$"):
        text_service("/a", path="/b", registry=registry)


def test_path_must_start_with_a_slash(registry: Registry) -> None:
    expected = r"^@text_service .*handler\(content\): path 'process' must start with '/'$"
    with pytest.raises(HandlerDefinitionError, match=expected):
        @text_service("process", registry=registry)
        def handler(content): ...


def test_function_is_returned_unchanged_and_stays_callable(registry: Registry) -> None:
    def ner(content: str, lang: str = "en") -> AnnotationsResponse:
        return AnnotationsResponse(features={"lang": lang, "length": len(content)})

    decorated = text_service("/ner", registry=registry)(ner)

    assert decorated is ner
    assert ner("abc", lang="de") == AnnotationsResponse(features={"lang": "de", "length": 3})


def test_every_decorator_registers_its_request_type(registry: Registry) -> None:
    @text_service("/text", registry=registry)
    def on_text(content): ...

    @structured_text_service("/structured", registry=registry)
    def on_structured(texts): ...

    @audio_service("/audio", registry=registry)
    def on_audio(content): ...

    @image_service("/image", registry=registry)
    def on_image(content): ...

    assert registry.endpoints() == {
        "/text": ["text"], "/structured": ["structuredText"], "/audio": ["audio"], "/image": ["image"],
    }


def test_explicit_registries_are_isolated() -> None:
    first, second = Registry("first"), Registry("second")
    before = len(default_registry)

    @text_service(registry=first)
    def one(content): ...

    @text_service(registry=second)
    def two(content): ...

    assert [handler.func for handler in first.handlers] == [one]
    assert [handler.func for handler in second.handlers] == [two]
    assert len(default_registry) == before


def test_second_handler_for_the_same_path_and_type_names_both_functions(registry: Registry) -> None:
    @text_service(registry=registry)
    def first(content): ...

    with pytest.raises(HandlerDefinitionError) as caught:
        @text_service(registry=registry)
        def second(content): ...

    local = "test_second_handler_for_the_same_path_and_type_names_both_functions.<locals>"
    assert str(caught.value) == (
        f"@text_service {local}.second(content): text requests on /process are already handled by "
        f"{local}.first(content) (in {__name__}); give one of them another path, "
        'e.g. @text_service("/process/second")'
    )
    assert [handler.func for handler in registry.handlers] == [first]


def test_one_path_may_serve_two_request_types(registry: Registry) -> None:
    @text_service("/describe", registry=registry)
    def describe_text(content: str) -> AnnotationsResponse:
        return AnnotationsResponse(features={"kind": "text"})

    @audio_service("/describe", registry=registry)
    def describe_audio(content: bytes) -> AnnotationsResponse:
        return AnnotationsResponse(features={"kind": "audio", "bytes": len(content)})

    client = ServiceClient(registry, path="/describe")
    assert registry.endpoints() == {"/describe": ["text", "audio"]}
    assert client.text("hi") == AnnotationsResponse(features={"kind": "text"})
    assert client.audio(b"RIFF....") == AnnotationsResponse(features={"kind": "audio", "bytes": 8})


def test_request_type_without_a_handler_is_unsupported(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content}])

    status, failure = ServiceClient(registry).structured_text(["a"], with_status=True)

    assert status == 400
    assert failure.errors[0].code == "elg.request.type.unsupported"
    assert failure.errors[0].params == ["structuredText"]


def test_remove_unregisters_a_function(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content): ...

    registry.remove(handler)

    assert len(registry) == 0


def add_suffix(content: str, suffix: str) -> TextsResponse:
    return TextsResponse(texts=[{"content": content + suffix}])


class Upper:
    """A callable object as a handler."""

    def __call__(self, content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content.upper()}])


def test_callable_objects_can_be_registered(registry: Registry) -> None:
    # Registry.add accepts any callable; partials and callable instances have no __qualname__.
    text_service("/partial", registry=registry)(functools.partial(add_suffix, suffix="!"))
    text_service("/object", registry=registry)(Upper())

    client = ServiceClient(registry)
    assert client.text("hi", path="/partial") == TextsResponse(texts=[{"content": "hi!"}])
    assert client.text("hi", path="/object") == TextsResponse(texts=[{"content": "HI"}])
