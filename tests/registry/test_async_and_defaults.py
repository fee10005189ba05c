"""Async handlers share the event loop of the process; request fields fall back to the handler's defaults."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from elg_decorators import FlaskService, create_app, text_service
from elg_decorators.logs import LOGGER_NAME, configure_logging
from elg_decorators.model import AnnotationsResponse, Progress


def test_async_generator_can_await_what_its_coroutine_created(registry):
    @text_service(registry=registry)
    async def staged(content: str):
        ready = asyncio.get_running_loop().create_future()

        async def stages() -> AsyncIterator[Progress | AnnotationsResponse]:
            ready.set_result(len(content))
            yield Progress(percent=50)
            yield AnnotationsResponse(features={"length": await ready})

        return stages()

    response = create_app(registry).test_client().post("/process", json={"type": "text", "content": "four"})

    assert response.status_code == 200
    assert response.get_json() == {"response": {"type": "annotations", "features": {"length": 4}}}


def test_missing_request_field_takes_the_handlers_default(registry):
    @text_service(registry=registry)
    def echo(content: str, features: dict = {"source": "default"}) -> AnnotationsResponse:  # noqa: B006
        return AnnotationsResponse(features=features)

    client = create_app(registry).test_client()
    without = client.post("/process", json={"type": "text", "content": "x"})
    given = client.post("/process", json={"type": "text", "content": "x", "features": {"source": "client"}})

    assert without.get_json()["response"]["features"] == {"source": "default"}
    assert given.get_json()["response"]["features"] == {"source": "client"}


def test_a_service_keeps_the_log_level_chosen_before_it(monkeypatch):
    logger = logging.getLogger(LOGGER_NAME)
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    monkeypatch.delenv("LOG_LEVEL", raising=False)

    configure_logging("WARNING")
    FlaskService("any")

    assert logger.level == logging.WARNING
