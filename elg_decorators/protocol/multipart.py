"""Streaming reader for ``multipart/form-data`` audio and image requests.

The ``request`` part (JSON) is buffered; the ``content`` part (the binary)
is spooled to a temporary file once it grows past a threshold, so a large
upload is held in memory once, as the final ``bytes``, not several times.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import IO

from werkzeug.datastructures import Headers
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from .failures import invalid_request

READ_CHUNK = 64 * 1024
#: Binary parts up to this size stay in memory; larger ones go to a temporary file.
SPOOL_THRESHOLD = 1024 * 1024
#: The JSON part of a multipart request may be at most this large.
MAX_JSON_PART = 1024 * 1024

JSON_PART_NAME = "request"
BINARY_PART_NAME = "content"


@dataclass
class MultipartBody:
    """The two parts of an ELG multipart request."""

    request_json: bytes
    content: bytes | None
    content_type: str | None


class _Part:
    def __init__(self, name: str, headers: Headers) -> None:
        self.name = name
        self.content_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
        if name not in (JSON_PART_NAME, BINARY_PART_NAME):
            raise invalid_request(
                f'the multipart body has a part named {name!r}: an ELG request has a "{JSON_PART_NAME}" part '
                f'(the JSON request) and a "{BINARY_PART_NAME}" part (the audio or image)'
            )
        self.is_json = name == JSON_PART_NAME
        self.sink: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_THRESHOLD)
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.is_json and self.size > MAX_JSON_PART:
            raise invalid_request(f"the {self.name!r} part is larger than {MAX_JSON_PART} bytes")
        self.sink.write(data)

    def read_all(self) -> bytes:
        self.sink.seek(0)
        data = self.sink.read()
        self.sink.close()
        return data

    def discard(self) -> None:
        self.sink.close()


def read_multipart(stream: IO[bytes], boundary: str) -> MultipartBody:
    """Read an ELG multipart body from ``stream``.

    Parts are recognised by name (``request``, ``content``), in either order,
    with or without a filename. A part of another name, a missing JSON part,
    a second part of the same name or a malformed body is a 400 failure.
    """
    if not boundary:
        raise invalid_request("multipart/form-data without a boundary")
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    parts: list[_Part] = []
    try:
        json_part, binary_part = _read_parts(stream, decoder, parts)
    except BaseException:
        for part in parts:
            part.discard()
        raise
    if json_part is None:
        if binary_part is not None:
            binary_part.discard()
        raise invalid_request('the multipart body has no "request" part with the JSON request')
    return MultipartBody(
        request_json=json_part.read_all(),
        content=binary_part.read_all() if binary_part is not None else None,
        content_type=binary_part.content_type if binary_part is not None else None,
    )


def _read_parts(
    stream: IO[bytes], decoder: MultipartDecoder, parts: list[_Part]
) -> tuple[_Part | None, _Part | None]:
    """Feed the body to ``decoder``; return the JSON and binary parts (each appended to ``parts``)."""
    json_part: _Part | None = None
    binary_part: _Part | None = None
    current: _Part | None = None
    finished = False
    try:
        while not finished:
            chunk = stream.read(READ_CHUNK)
            decoder.receive_data(chunk or None)
            event = decoder.next_event()
            while not isinstance(event, NeedData):
                if isinstance(event, (Field, File)):
                    current = _Part(event.name, event.headers)
                    parts.append(current)
                    if current.is_json:
                        if json_part is not None:
                            raise invalid_request("the multipart body has more than one JSON request part")
                        json_part = current
                    else:
                        if binary_part is not None:
                            raise invalid_request("the multipart body has more than one content part")
                        binary_part = current
                elif isinstance(event, Data):
                    if current is None:
                        raise invalid_request("malformed multipart body")
                    current.write(event.data)
                elif isinstance(event, Epilogue):
                    finished = True
                    break
                event = decoder.next_event()
            if not chunk and not finished:
                raise invalid_request("the multipart body ends before its closing boundary")
    except ValueError as exc:
        raise invalid_request(f"malformed multipart body: {exc}") from None
    return json_part, binary_part
