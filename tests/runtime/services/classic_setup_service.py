"""A classic FlaskService whose setup() and shutdown() record when they run, for the runtime tests."""
from __future__ import annotations

import os
import time

from elg_decorators import FlaskService
from elg_decorators.model import TextsResponse


class Loaded(FlaskService):
    def setup(self) -> None:
        gate = os.environ.get("RESOURCE_GATE")
        while gate and not os.path.exists(gate):
            time.sleep(0.05)
        self.model_pid = os.getpid()
        self._note("setup")

    def shutdown(self) -> None:
        self._note("shutdown")

    def _note(self, what: str) -> None:
        with open(os.environ["TEARDOWN_LOG"], "a") as out:
            out.write(f"{os.getpid()} {what}\n")

    def process_text(self, request):
        return TextsResponse(texts=[{"content": request.content, "features": {"model_pid": self.model_pid}}])


service = Loaded("loaded")
app = service.app
