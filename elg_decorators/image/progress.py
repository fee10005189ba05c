"""Compact rendering of the JSON progress stream the Docker engine sends while building or pushing."""
from __future__ import annotations

import re
from collections import deque
from typing import Any, TextIO
from collections.abc import Mapping

__all__ = ["ProgressPrinter", "strip_ansi"]

# Colour and cursor sequences (CSI ... letter) and the other escapes programs in a build step print.
_ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
# The image a build step made: `` ---> 0123456789ab`` (not `` ---> Running in …`` nor `` ---> Using cache``).
_STEP_IMAGE_RE = re.compile(r" ---> ([0-9a-f]{12,64})")
_FROM_STEP_RE = re.compile(r"Step \d+/\d+ : FROM\s", re.I)


def strip_ansi(text: str) -> str:
    """``text`` without terminal escape sequences (colours, cursor movement)."""
    return _ANSI_RE.sub("", text)


class ProgressPrinter:
    """Write engine stream events to ``output`` as they arrive.

    Build output (``stream``) is written as it comes, without the terminal's colour codes
    unless ``output`` is a terminal. Layer progress (``status`` with an ``id``) is
    shown as one line per change of a layer's status, or, on a terminal, as a single line
    rewritten in place. It also remembers the current build step and its last log lines, for
    error messages, and the image each stage but the last of a multi-stage build ended with.

    :param output: where to write.
    :param keep: how many log lines of the current step to remember.
    """

    def __init__(self, output: TextIO, *, keep: int = 5) -> None:
        self.output = output
        isatty = getattr(output, "isatty", None)
        self.tty = bool(isatty()) if callable(isatty) else False
        self.step: str | None = None
        self.step_lines: deque[str] = deque(maxlen=keep)
        #: The (short) ids of the images the earlier stages of a multi-stage build ended with.
        self.stage_images: list[str] = []
        self._last_image: str | None = None
        self._layer_status: dict[str, str] = {}
        self._open_line = False
        self._partial = ""

    def _end_progress_line(self) -> None:
        if self._open_line:
            self.output.write("\n")
            self._open_line = False

    def _write(self, text: str) -> None:
        self.output.write(text)
        self.output.flush()

    def text(self, text: str) -> None:
        """Write build output, tracking ``Step n/m : ...`` lines."""
        self._end_progress_line()
        if not self.tty:
            text = strip_ansi(text)
        self._write(text)
        self._partial += strip_ansi(text)
        *lines, self._partial = self._partial.split("\n")
        for line in lines:
            line = line.rstrip()
            image = _STEP_IMAGE_RE.fullmatch(line)
            if image is not None:
                self._last_image = image.group(1)
            if line.startswith("Step ") and " : " in line:
                if _FROM_STEP_RE.match(line) and self._last_image is not None:
                    self.stage_images.append(self._last_image)
                self.step = line
                self.step_lines.clear()
            elif line and not line.startswith((" ---> ", "Removing intermediate container")):
                self.step_lines.append(line)

    def status(self, event: Mapping[str, Any]) -> None:
        """Show a ``status`` event (pull or push progress)."""
        status = str(event.get("status", ""))
        layer = event.get("id")
        if not layer:
            self._end_progress_line()
            self._write(status + "\n")
            return
        changed = self._layer_status.get(layer) != status
        self._layer_status[layer] = status
        if not self.tty:
            if changed:
                self._write(f"{layer}: {status}\n")
            return
        # On a terminal a status change starts a new line; progress within it rewrites it.
        line = f"{layer}: {status} {event.get('progress') or ''}".rstrip()
        if changed:
            self._end_progress_line()
            self._write(line)
        else:
            self._write(f"\r\x1b[K{line}")
        self._open_line = True

    def close(self) -> None:
        """Finish a progress line left open on a terminal."""
        self._end_progress_line()
        self.output.flush()
