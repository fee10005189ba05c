"""The service of ``benchmarks/batching.py``: one GPU-like model, served batched and unbatched.

The model costs 10 ms per call plus 0.5 ms per item, sleeping (so it releases the GIL, as a GPU
call does), and runs one call at a time (one device): the lock stands for the device.
"""
from __future__ import annotations

import threading
import time

from elg_decorators import text_service
from elg_decorators.model import AnnotationsResponse

_device = threading.Lock()


def _model(texts: list[str]) -> list[AnnotationsResponse]:
    with _device:
        time.sleep(0.010 + 0.0005 * len(texts))
    return [AnnotationsResponse(features={"length": len(text)}) for text in texts]


@text_service("/batched", max_batch_size=128)
def batched(content: list[str]) -> list[AnnotationsResponse]:
    return _model(content)


@text_service("/unbatched")
def unbatched(content: str) -> AnnotationsResponse:
    return _model([content])[0]
