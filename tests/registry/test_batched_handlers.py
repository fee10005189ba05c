"""Batched handlers (``max_batch_size=``) as the registry sees them: the signatures it refuses at
import, the lists it binds, and batches of one where the server cannot batch (the test client)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from elg_decorators import HandlerDefinitionError, ProcessingError, Registry, resource, text_service
from elg_decorators.model import AnnotationsResponse, Failure, Progress
from elg_decorators.runtime.batching import CostModel
from elg_decorators.testing import ServiceClient


def test_a_batched_function_stays_a_plain_function(registry: Registry) -> None:
    @text_service(registry=registry, max_batch_size=8)
    def upper(content: list[str], suffix: list[str]) -> list[AnnotationsResponse]:
        return [AnnotationsResponse(features={"text": text.upper() + end}) for text, end in zip(content, suffix)]

    assert upper(["a", "b"], ["!", "?"]) == [AnnotationsResponse(features={"text": "A!"}),
                                             AnnotationsResponse(features={"text": "B?"})]
    handler = registry.handlers[0]
    assert handler.batch is not None and handler.batch.max_batch_size == 8
    assert not handler.streams


def test_the_test_client_serves_batches_of_one_with_converted_values(registry: Registry) -> None:
    seen: list[tuple[list[str], list[int], str]] = []

    @resource(registry=registry)
    def model() -> str:
        return "the model"

    @text_service(registry=registry, max_batch_size=8, batch_by="lang")
    def count(content: list[str], times: list[int], lang: str, model: str) -> list[AnnotationsResponse]:
        seen.append((content, times, lang))
        return [{"features": {"n": len(text) * n, "lang": lang, "model": model}} for text, n in zip(content, times)]

    client = ServiceClient(registry)
    assert client.text("abc", params={"times": "2", "lang": "en"}) == AnnotationsResponse(
        features={"n": 6, "lang": "en", "model": "the model"})
    assert seen == [(["abc"], [2], "en")]
    failure = client.text("abc", params={"times": "two", "lang": "en"}, with_status=True)
    assert failure[0] == 400


def test_entries_that_are_exceptions_or_failures_fail_their_request(registry: Registry) -> None:
    @text_service(registry=registry, max_batch_size=4)
    def judge(content: list[str]) -> list[AnnotationsResponse]:
        return [ProcessingError("elg.request.invalid") if text == "bad" else RuntimeError("boom") if text == "odd"
                else {"features": {"ok": text}} for text in content]  # type: ignore[misc]

    client = ServiceClient(registry)
    assert client.text("fine", with_status=True) == (200, AnnotationsResponse(features={"ok": "fine"}))
    status, message = client.text("bad", with_status=True)
    assert status == 400 and isinstance(message, Failure) and message.errors[0].code == "elg.request.invalid"
    status, message = client.text("odd", with_status=True)
    assert status == 500 and isinstance(message, Failure) and message.errors[0].code == "elg.service.internalError"


def test_a_list_of_the_wrong_length_is_an_invalid_response(registry: Registry) -> None:
    @text_service(registry=registry, max_batch_size=4)
    def nothing(content: list[str]) -> list[AnnotationsResponse]:
        return []

    status, message = ServiceClient(registry).text("x", with_status=True)
    assert status == 500 and isinstance(message, Failure) and message.errors[0].code == "elg.response.invalid"


def test_async_batched_handler_in_the_test_client(registry: Registry) -> None:
    @text_service(registry=registry, max_batch_size=4)
    async def shout(content: list[str]) -> list[AnnotationsResponse]:
        return [AnnotationsResponse(features={"text": text.upper()}) for text in content]

    assert ServiceClient(registry).text("hi") == AnnotationsResponse(features={"text": "HI"})


def test_a_generator_cannot_be_batched(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError, match=r"^@text_service\(max_batch_size=4\) .*gen\(content\) -> .*: a "
                                                     r"batched handler cannot be a generator; return a list"):
        @text_service(registry=registry, max_batch_size=4)
        def gen(content) -> Iterator[Progress]:  # type: ignore[no-untyped-def]
            yield Progress(percent=1)


def test_kwargs_cannot_be_batched(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError, match=r"handler\(content, \*\*rest\): a batched handler cannot "
                                                     r"take \*\*rest; name each parameter"):
        @text_service(registry=registry, max_batch_size=4)
        def handler(content, **rest): ...  # type: ignore[no-untyped-def]


def test_a_request_argument_that_is_not_a_list_is_refused(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError) as caught:
        @text_service(registry=registry, max_batch_size=4)
        def handler(content: str, lang: str) -> list[AnnotationsResponse]: ...

    message = str(caught.value)
    assert "\n" not in message and "handler(content: str, lang: str)" in message
    assert "parameter 'content' is annotated" in message and "annotate it list[str] or name it in batch_by=" in message
    assert len(registry) == 0


def test_batch_by_must_name_a_request_argument(registry: Registry) -> None:
    with pytest.raises(HandlerDefinitionError, match="batch_by names 'language', which is not a request argument"):
        @text_service(registry=registry, max_batch_size=4, batch_by="language")
        def handler(content: list[str], lang: str) -> list[AnnotationsResponse]: ...


@pytest.mark.parametrize("options", [{"max_batch_size": 0}, {"max_batch_size": True},
                                     {"max_batch_size": 2, "max_batch_wait": -1}, {"batch_by": "lang"}])
def test_wrong_batch_options(registry: Registry, options: dict[str, object]) -> None:
    with pytest.raises(HandlerDefinitionError, match="max_batch"):
        @text_service(registry=registry, **options)  # type: ignore[call-overload]
        def handler(content: list[str], lang: str = "en") -> list[AnnotationsResponse]: ...


def test_the_cost_model_separates_fixed_and_per_item_costs() -> None:
    model = CostModel()
    assert model.coefficients() == (0.0, 0.0)
    model.observe(4, 0.012)
    fixed, per_item = model.coefficients()
    assert (fixed, per_item) == (0.012, 0.0)  # one size seen: all of it counts as fixed
    for size in (1, 8, 32, 2, 16):
        model.observe(size, 0.010 + 0.0005 * size)
    fixed, per_item = model.coefficients()
    assert fixed == pytest.approx(0.010, rel=0.05) and per_item == pytest.approx(0.0005, rel=0.05)
    assert model.predict(10) == pytest.approx(0.015, rel=0.05)
