"""Logging set-up for served applications: level from ``LOG_LEVEL``, one line per request."""
from __future__ import annotations

import logging
import os
import sys

from .logger import LOGGER_NAME, logger
from .runtime.requestlog import formatter
from .settings import LOG_LEVELS

__all__ = ["LOGGER_NAME", "LOG_FORMAT", "configure_logging", "log_level"]

LOG_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"


def log_level(level: str | None = None) -> str:
    """The level in force: ``level``, else ``LOG_LEVEL`` from the environment, else INFO."""
    chosen = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    if chosen not in LOG_LEVELS:
        raise ValueError(f"unknown log level {chosen!r}; use DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return chosen


def configure_logging(level: str | None = None, *, keep_level: bool = False) -> None:
    """Set the framework's log level; print its records to stderr unless the application configured logging.

    When the root logger has handlers (the application set up logging, or a
    test runner captures it) records propagate there instead. With
    ``keep_level``, a level set before (by ``serve(log_level=...)``, say) stays.
    """
    if not (keep_level and logger.level != logging.NOTSET):
        logger.setLevel(log_level(level))
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(LOG_FORMAT))  # LOG_FORMAT=json: one JSON object per line
    logger.addHandler(handler)
    logger.propagate = False
