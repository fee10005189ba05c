"""An async adapter: loop-bound resources made in setup, closed in shutdown, errors raised as ProcessingError."""
import asyncio
import os

from elg import QuartService
from elg.model import AnnotationsResponse, Failure, TextsResponse, TextsResponseObject
from elg.model.base import StandardMessages
from elg.quart_service import ProcessingError

EVENTS = os.environ.get("ADAPTER_EVENTS")


def record(event):
    if EVENTS:
        with open(EVENTS, "a") as log:
            log.write(f"{event} {os.getpid()}\n")


class Adapter(QuartService):
    consume_generator = False

    async def setup(self):
        self.lock = asyncio.Lock()  # bound to the loop it is first used on
        self.calls = 0
        record("setup")

    async def shutdown(self):
        record("shutdown")

    async def process_text(self, request):
        async with self.lock:
            self.calls += 1
            await asyncio.sleep(0.01)
        if request.content == "fail":
            raise ProcessingError.InternalError("Error calling API")
        if request.content == "bad":
            raise ProcessingError.InvalidRequest()
        if request.content == "soft":
            return Failure(errors=[StandardMessages.generate_elg_request_invalid(detail={"why": "soft"})])
        words = request.content.split()
        return TextsResponse(texts=[TextsResponseObject(content=w.upper(), role="segment") for w in words])

    async def process_audio(self, request):
        size = 0
        async for chunk in request.generator:
            size += len(chunk)
        return AnnotationsResponse(features={"size": size, "format": request.format})


service = Adapter("adapter")
app = service.app
