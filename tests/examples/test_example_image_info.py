"""examples/image_info.py: image size from real PNG and JPEG headers."""
from __future__ import annotations

from media import jpeg_bytes, png_bytes

from elg_decorators.model import AnnotationsResponse, Failure, StatusMessage
from elg_decorators.testing import ServiceClient


EXAMPLE = "image_info"


def test_png_size(client: ServiceClient) -> None:
    assert client.image(png_bytes(7, 5), format="png") == AnnotationsResponse(
        features={"format": "png", "width": 7, "height": 5}
    )


def test_jpeg_size(client: ServiceClient) -> None:
    assert client.image(jpeg_bytes(33, 17), format="jpeg") == AnnotationsResponse(
        features={"format": "jpeg", "width": 33, "height": 17}
    )


def test_format_is_case_insensitive(client: ServiceClient) -> None:
    assert client.image(png_bytes(2, 3), format="PNG") == AnnotationsResponse(
        features={"format": "png", "width": 2, "height": 3}
    )


def test_raw_image_body_takes_its_format_from_the_content_type(client: ServiceClient) -> None:
    answer = client.http.post("/process", data=jpeg_bytes(640, 480), content_type="image/jpeg")

    assert answer.status_code == 200
    assert answer.data == b'{"response":{"type":"annotations","features":{"format":"jpeg","width":640,"height":480}}}'


def test_other_formats_are_unsupported(client: ServiceClient) -> None:
    assert client.image(b"GIF89a", format="gif", with_status=True) == (400, Failure(errors=[StatusMessage(
        code="elg.request.image.format.unsupported", params=["gif"],
        text="Image format {0} not supported by this service", detail={},
    )]))


def test_content_not_matching_its_format_is_an_invalid_request(client: ServiceClient) -> None:
    status, failure = client.image(png_bytes(1, 1), format="jpeg", with_status=True)

    assert status == 400
    assert (failure.errors[0].code, failure.errors[0].detail) == (
        "elg.request.invalid", {"reason": "the content is not a jpeg image"},
    )
