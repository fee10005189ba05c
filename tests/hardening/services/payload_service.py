"""Fixture service for the payload tests: handlers that report what reached them.

``/process`` takes text (its features count what arrived), structuredText (the nodes) and
audio (a class per param);
``/echo`` answers with the decoded text itself; ``/leaky`` returns a value that is not a
valid annotations response and holds a secret, which must not reach the client.
"""
from __future__ import annotations


from elg_decorators import audio_service, structured_text_service, text_service
from elg_decorators.model import AnnotationsResponse, ClassificationResponse, TextsResponse

#: What /leaky returns in its invalid value; a test asserts it reaches the log, not the client.
SECRET = "db_password=correct-horse-battery-staple"


@text_service
def describe(content: str, annotations: dict | None = None, params: dict | None = None) -> AnnotationsResponse:
    """The text's length, how many annotations and params arrived, and the params' names."""
    count = sum(len(spans) for spans in (annotations or {}).values())
    return AnnotationsResponse(features={
        "length": len(content), "annotations": count, "params": sorted(params or {}),
    })


@structured_text_service
def count_nodes(texts: list) -> AnnotationsResponse:
    """How many nodes the structured text has, walked without recursion."""
    count, pending = 0, [texts]
    while pending:
        for node in pending.pop():
            count += 1
            if node.texts:
                pending.append(node.texts)
    return AnnotationsResponse(features={"nodes": count})


@audio_service
def audio_params(content: bytes, params: dict | None = None) -> ClassificationResponse:
    """One class per param name, scored with the audio's size."""
    return ClassificationResponse(classes=[{"class": name, "score": len(content)} for name in sorted(params or {})])


@text_service("/echo")
def echo(content: str, features: dict | None = None) -> TextsResponse:
    """The decoded text, unchanged, with the features it came with."""
    return TextsResponse(texts=[{"content": content, "features": features}])


@text_service("/leaky")
def leaky(content: str) -> AnnotationsResponse:
    """A value that does not make an AnnotationsResponse: ``end`` is a string holding a secret."""
    return {"Person": [{"start": 0, "end": SECRET}]}  # type: ignore[return-value]
