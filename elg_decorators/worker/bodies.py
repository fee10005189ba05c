"""A request body as the application reads it (``wsgi.input``): held in memory when small, else in an
unnamed temporary file written as the body arrives."""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from .answers import ServerAnswerError, body_not_stored

#: Bodies up to this many bytes are held in memory; larger ones go to an unnamed temporary file as
#: they arrive (a chunked body once its decoded size passes it).
SPOOL_THRESHOLD = 1024 * 1024


class Body:
    """A request body held in memory, read as the WSGI ``wsgi.input`` stream."""

    def __init__(self, data: Any) -> None:
        self._data = memoryview(data)
        self._position = 0

    def __len__(self) -> int:
        return len(self._data)

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all that is left if ``size`` is None or negative)."""
        start = self._position
        end = len(self._data) if size is None or size < 0 else min(len(self._data), start + size)
        self._position = end
        return self._data[start:end].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        """The next line, with its LF (at most ``size`` bytes of it)."""
        start = self._position
        limit = len(self._data) if size is None or size < 0 else min(len(self._data), start + size)
        newline = bytes(self._data[start:limit]).find(b"\n")
        return self.read(newline + 1 if newline >= 0 else limit - start)

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        """The remaining lines."""
        return list(iter(self.readline, b""))

    def __iter__(self) -> Body:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def close(self) -> None:
        """Nothing to release: the memory goes with the object."""


class FileBody:
    """A request body in an unnamed temporary file, read from its start as the WSGI ``wsgi.input`` stream.

    The file is closed (and its space on disk freed) as soon as the body has been read to its end.
    """

    def __init__(self, file: IO[bytes], size: int) -> None:
        file.seek(0)
        self._file = file
        self._size = size
        self._left = size

    def __len__(self) -> int:
        return self._size

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all that is left if ``size`` is None or negative)."""
        if size is None or size < 0 or size > self._left:
            # Never ask for more than is left: a buffered read allocates what it is asked for first.
            size = self._left
        return self._took(self._file.read(size) if size else b"")

    def readline(self, size: int | None = -1) -> bytes:
        """The next line, with its LF (at most ``size`` bytes of it)."""
        if not self._left:
            return b""
        return self._took(self._file.readline(-1 if size is None else size))

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        """The remaining lines (about ``hint`` bytes of them, if given)."""
        if not self._left:
            return []
        lines = self._file.readlines(-1 if hint is None else hint)
        self._took(b"", sum(len(line) for line in lines))
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    @property
    def closed(self) -> bool:
        """Whether the file is closed (the body was read to its end, or closed)."""
        return self._file.closed

    def close(self) -> None:
        """Close the file; what was not read is gone."""
        self._left = 0
        self._file.close()

    def _took(self, data: bytes, size: int | None = None) -> bytes:
        self._left -= len(data) if size is None else size
        if self._left <= 0:
            self.close()
        return data


class Spool:
    """Where a body's bytes go as they arrive: memory up to :data:`SPOOL_THRESHOLD`, then a temporary file."""

    def __init__(self, expected: int = 0) -> None:
        #: Bytes written so far.
        self.size = 0
        self.memory = bytearray()
        self.file: IO[bytes] | None = None
        # A body announced larger than the threshold goes to the file from its first byte (made only
        # once a byte arrives: a client announcing 60 MB costs nothing until it sends them).
        self._to_file = expected > SPOOL_THRESHOLD

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.size += len(data)
        if self.file is None and not self._to_file and self.size <= SPOOL_THRESHOLD:
            self.memory += data
            return
        try:
            if self.file is None:
                self.file = tempfile.TemporaryFile()
                if self.memory:
                    self.file.write(self.memory)
                    self.memory = bytearray()
            self.file.write(data)
        except OSError as error:  # the server's trouble (a full disk), not the client's
            raise ServerAnswerError(body_not_stored(error)) from None

    def body(self) -> Body | FileBody:
        """The whole body, readable from its start."""
        if self.file is not None:
            return FileBody(self.file, self.size)
        return Body(self.memory)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
