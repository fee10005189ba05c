"""An image service that reads the size of a PNG or JPEG image from its header, with the standard library.

It answers with the image's format, width and height as features.
Other formats are refused with ``elg.request.image.format.unsupported``.

Run it and call it (the image travels as the ``content`` part of a multipart request)::

    python examples/image_info.py
    curl -s -F 'request={"type": "image", "format": "png"};type=application/json' \\
         -F 'content=@picture.png;type=image/png' http://localhost:8000/process
"""
import struct

from elg_decorators import ProcessingError, image_service, serve
from elg_decorators.model import AnnotationsResponse

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_START = b"\xff\xd8"
#: JPEG "start of frame" markers, the segments that hold the image size.
JPEG_FRAME_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def png_size(data):
    """(width, height) from the IHDR chunk that follows the PNG signature."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def jpeg_size(data):
    """(width, height) from the first start-of-frame segment of a JPEG."""
    if not data.startswith(JPEG_START):
        return None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        if marker in JPEG_FRAME_MARKERS:
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + length
    return None


READERS = {"png": png_size, "jpeg": jpeg_size}


@image_service
def image_info(content: bytes, format: str) -> AnnotationsResponse:
    """Describe the PNG or JPEG image in ``content``."""
    reader = READERS.get(format.lower())
    if reader is None:
        raise ProcessingError("elg.request.image.format.unsupported", params=[format])
    size = reader(content)
    if size is None:
        raise ProcessingError("elg.request.invalid", detail={"reason": f"the content is not a {format} image"})
    width, height = size
    return AnnotationsResponse(features={"format": format.lower(), "width": width, "height": height})


if __name__ == "__main__":
    serve()
