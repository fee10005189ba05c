"""Real WAV, PNG and JPEG files, built with the standard library, and the path of each example."""
from __future__ import annotations

import io
import struct
import wave
import zlib
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> str:
    """The path of ``examples/<name>.py``."""
    return str(EXAMPLES / f"{name}.py")


def wav_bytes(seconds: float, sample_rate: int = 16000, channels: int = 1) -> bytes:
    """A silent 16-bit PCM WAV file."""
    frames = int(seconds * sample_rate)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(channels)
        recording.setsampwidth(2)
        recording.setframerate(sample_rate)
        recording.writeframes(b"\x00\x00" * channels * frames)
    return buffer.getvalue()


def png_bytes(width: int, height: int) -> bytes:
    """A red RGB PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))  # filter byte, then pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def jpeg_bytes(width: int, height: int) -> bytes:
    """A grey baseline JPEG image: one component, every 8x8 block flat.

    Each block is coded as "DC difference 0, end of block" with two one-code
    Huffman tables that map the 1-bit code 0 to symbol 0, so the scan is
    two 0 bits per block.
    """
    def segment(marker: int, data: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data

    blocks = -(-width // 8) * -(-height // 8)
    scan_bits = "00" * blocks
    scan_bits += "1" * (-len(scan_bits) % 8)  # pad the last byte with 1 bits
    huffman_tables = bytes([0x00, 1] + [0] * 15 + [0]) + bytes([0x10, 1] + [0] * 15 + [0])
    return (
        b"\xff\xd8"  # start of image
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + bytes([1] * 64))  # quantisation table 0
        + segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")  # baseline frame
        + segment(0xC4, huffman_tables)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")  # start of scan
        + int(scan_bits, 2).to_bytes(len(scan_bits) // 8, "big")
        + b"\xff\xd9"  # end of image
    )
