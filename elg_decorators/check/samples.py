"""The bodies the checker sends: sample texts, a tiny PNG and WAV, multipart bodies."""
from __future__ import annotations

import io
import struct
import uuid
import wave
import zlib
from collections.abc import Sequence

#: The default sample text: names, a date, an address, punctuation, so most services find something in it.
SAMPLE_TEXT = "Ada Lovelace met Charles Babbage in London on 1833-06-05. Write to ada@example.org today!"
#: Characters outside the Basic Multilingual Plane (one code point, two UTF-16 units each), then a space.
ASTRAL_PREFIX = "\U0001d400\U0001d401 \U0001f600\U0001f600 "


def png_1x1() -> bytes:
    """A valid 1×1 grey PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
            + chunk(b"IEND", b""))


def wav_silence(seconds: float = 0.05, rate: int = 8000) -> bytes:
    """A valid mono 16-bit PCM WAV recording of silence."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(rate)
        recording.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def multipart(parts: Sequence[tuple[str, str, bytes, str | None]]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body of ``(name, content type, data, filename)`` parts, and its Content-Type."""
    boundary = "elgcheck" + uuid.uuid4().hex[:16]
    body = io.BytesIO()
    for name, content_type, data, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body.write(f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
                   .encode("ascii"))
        body.write(data + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode("ascii"))
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"
