"""The table of response kinds beside that of request kinds: what a plain value becomes, and ELG-SHARE's name.

A made-up response model, ``summary``, that the table lacks still works: a plain value is
validated into it, OpenAPI states it, and deploy's record describes it (derived, with a note).
"""
from __future__ import annotations

from typing import Literal

from elg_decorators import Registry, create_app, text_service
from elg_decorators.deploy.description import Endpoint, RecordDetails, ServiceDescription
from elg_decorators.deploy.metadata import derived_resources, output_resource
from elg_decorators.kinds import RESPONSE_KINDS, ResponseKind, ShareResource
from elg_decorators.model.response import RESPONSE_MODELS, ResponseObject, TextsResponse


class SummaryResponse(ResponseObject):
    """A made-up response: one summary of the input."""

    type: Literal["summary"] = "summary"
    summary: str


def test_the_table_has_a_row_per_response_model() -> None:
    assert RESPONSE_KINDS.types == ("annotations", "classification", "texts", "audio")
    assert tuple(kind.model for kind in RESPONSE_KINDS) == RESPONSE_MODELS
    assert RESPONSE_KINDS["texts"].elg_share == ShareResource("outputText", "text", ("Json",))
    assert RESPONSE_KINDS["texts"].build(["a", "b"]) == TextsResponse(texts=[{"content": "a"}, {"content": "b"}])


def test_a_model_the_table_lacks_is_validated_as_it_is() -> None:
    kind = RESPONSE_KINDS.for_model(SummaryResponse)
    assert kind == ResponseKind(SummaryResponse) and kind.type == "summary" and kind.elg_share is None
    assert kind.build({"summary": "short"}) == SummaryResponse(summary="short")


def test_a_made_up_response_is_served_stated_and_described(registry: Registry) -> None:
    @text_service(registry=registry)
    def summarise(content: str) -> SummaryResponse:
        return {"summary": content[:5]}  # type: ignore[return-value]

    app = create_app(registry)
    answer = app.test_client().post("/process", json={"type": "text", "content": "a long text"})
    assert answer.get_json() == {"response": {"type": "summary", "summary": "a lon"}}
    document = app.test_client().get("/openapi.json").get_json()
    assert document["paths"]["/process"]["post"]["responses"]["200"]["content"]["application/json"]["schema"][
        "properties"] == {"response": {"$ref": "#/components/schemas/SummaryResponse"}}
    assert "SummaryResponse" in document["components"]["schemas"]

    (served,) = registry.describe_endpoints()
    description = ServiceDescription(
        name="summary", image="me/summary:1.0", image_repository="me/summary", version="1.0",
        record=RecordDetails("Summary", "Summarises."),
        endpoints=(Endpoint(served.path, served.path, served.request_kinds, served.response_kinds),),
    )
    assert output_resource(served.response_kinds[0]) == ShareResource("file1", "text", ("Json",))
    assert derived_resources(description) == ["'summary' responses (as file1, mediaType text)"]
