"""Declaring resources: mistakes fail at import with one line; handlers stay plain functions; timeout= reaches
the server's deadline. These run in-process (Flask's test client): what they check is decided at import or
inside the application, before any server is involved."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from elg_decorators import HandlerDefinitionError, Registry, create_app, resource, text_service
from elg_decorators.model import TextsResponse
from elg_decorators.registry.binding import ArgumentSource
from elg_decorators.runtime.lifecycle import RECORD_KEY, RequestRecord
from elg_decorators.testing import ServiceClient

TEXT = {"type": "text", "content": "hi"}


def test_a_resource_declared_after_a_handler_that_reads_its_name_from_params_is_refused() -> None:
    registry = Registry()

    @text_service(registry=registry)
    def tag(content: str, tagger):  # type: ignore[no-untyped-def]
        ...

    with pytest.raises(HandlerDefinitionError) as error:
        @resource(registry=registry)
        def tagger() -> int:
            return 1

    assert str(error.value) == (
        "@resource test_a_resource_declared_after_a_handler_that_reads_its_name_from_params_is_refused.<locals>"
        ".tagger() -> int is declared after the handler test_a_resource_declared_after_a_handler_that_reads_its_"
        "name_from_params_is_refused.<locals>.tag(content: str, tagger), which therefore reads 'tagger' from the "
        "request's params; move @resource tagger above the handlers that use it"
    )


def test_a_handler_naming_a_misspelt_resource_is_refused() -> None:
    registry = Registry()

    @resource(registry=registry)
    def tagger() -> int:
        return 1

    with pytest.raises(HandlerDefinitionError) as error:
        @text_service(registry=registry)
        def tag(content: str, taggr):  # type: ignore[no-untyped-def]
            ...

    assert str(error.value).endswith(
        ".tag(content: str, taggr): parameter 'taggr' names no resource; did you mean the resource 'tagger'? "
        "(if it is a request parameter, annotate it, e.g. taggr: str)"
    )
    assert str(error.value).startswith("@text_service ")

    @text_service("/annotated", registry=registry)
    def annotated(content: str, taggr: str = "x") -> TextsResponse:  # a request parameter, said so
        return TextsResponse(texts=[{"content": taggr}])

    assert [argument.source for argument in registry.lookup("/annotated", "text").arguments] == [
        ArgumentSource.REQUEST_FIELD, ArgumentSource.NAMED_PARAM,
    ]


@pytest.mark.parametrize("name", ["content", "request", "params", "texts", "_private"])
def test_names_a_handler_receives_from_the_request_cannot_name_a_resource(name: str) -> None:
    def factory() -> int:
        return 1

    factory.__name__ = factory.__qualname__ = name
    with pytest.raises(HandlerDefinitionError, match=f"'{name}' cannot name a resource .*; rename it$"):
        resource(registry=Registry())(factory)


def test_a_resource_taking_arguments_or_declared_twice_is_refused() -> None:
    registry = Registry()
    with pytest.raises(HandlerDefinitionError, match=r"a resource is created with no argument; remove path$"):
        @resource(registry=registry)
        def model(path):  # type: ignore[no-untyped-def]
            ...

    @resource(registry=registry)
    def tagger() -> int:
        return 1

    with pytest.raises(HandlerDefinitionError, match=r"a resource named 'tagger' is already declared by .*tagger"):
        @resource(registry=registry, shared=True)  # type: ignore[no-redef]
        def tagger() -> int:
            return 2


@pytest.mark.parametrize("timeout", [0, -1, "10"])
def test_a_timeout_that_is_not_a_positive_number_is_refused(timeout: Any) -> None:
    with pytest.raises(HandlerDefinitionError, match=rf"timeout={timeout!r} must be a number of seconds above 0"):
        @text_service(registry=Registry(), timeout=timeout)
        def tag(content: str) -> TextsResponse:
            ...


def test_handlers_and_resources_stay_plain_functions() -> None:
    registry = Registry()

    @resource(registry=registry)
    def tagger() -> str:
        return "real"

    @text_service(registry=registry, timeout=3)
    def tag(content: str, tagger: Any) -> TextsResponse:
        return TextsResponse(texts=[{"content": f"{tagger}:{content}"}])

    assert tagger() == "real"
    assert tag("x", tagger="any object").texts[0].content == "any object:x"
    assert registry.resources.names() == ["tagger"]


def test_async_and_generator_resources_reach_the_handler_through_the_test_client() -> None:
    registry = Registry()

    @resource(registry=registry)
    async def counted() -> int:
        await asyncio.sleep(0)
        return 41

    @resource(registry=registry)
    async def opened():  # type: ignore[no-untyped-def]
        yield "open"

    @resource(registry=registry)
    def plain():  # type: ignore[no-untyped-def]
        yield "plain"

    @text_service(registry=registry)
    def tag(content: str, counted: int, opened: str, plain: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": f"{counted + 1} {opened} {plain}"}])

    client = ServiceClient(registry)  # waits for the resources
    assert client.text("x").texts[0].content == "42 open plain"


def test_the_handler_timeout_sets_the_server_deadline_and_nothing_happens_without_one() -> None:
    registry = Registry()

    @text_service(registry=registry, timeout=7)
    def bounded(content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content}])

    @text_service("/free", registry=registry)
    def free(content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content}])

    http = create_app(registry).test_client()
    deadline = RequestRecord("bounded", seconds=300)
    answer = http.post("/process", json=TEXT, environ_overrides={RECORD_KEY: deadline})
    assert answer.status_code == 200
    assert deadline.seconds == 7
    untouched = RequestRecord("free", seconds=300)
    assert http.post("/free", json=TEXT, environ_overrides={RECORD_KEY: untouched}).status_code == 200
    assert untouched.seconds == 300
    assert json.loads(http.post("/process", json=TEXT).data)["response"]["texts"][0]["content"] == "hi"


def test_an_async_resource_cannot_be_shared_across_the_fork() -> None:
    registry = Registry()
    with pytest.raises(HandlerDefinitionError) as error:
        @resource(registry=registry, shared=True)
        async def session() -> int:
            return 1

    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("@resource test_an_async_resource_cannot_be_shared_across_the_fork.<locals>.session")
    assert message.endswith(": an async resource cannot be shared=True: what it creates belongs to an event loop, "
                            "and no loop survives the fork into the workers; drop shared=True (each worker then "
                            "creates it on its own loop)")
    with pytest.raises(HandlerDefinitionError, match="an async resource cannot be shared=True"):
        @resource(registry=registry, shared=True)
        async def generated() -> AsyncIterator[int]:
            yield 1
    assert registry.resources.names() == []
