"""The framework's logger: every module logs through this one, under the name ``elg_decorators``.

:mod:`elg_decorators.logs` configures it (level, text or JSON lines); a service's own
code may log under its own names.
"""
from __future__ import annotations

import logging

#: The name a deployment filters on to see the framework's lines (and those of request logs).
LOGGER_NAME = "elg_decorators"
logger = logging.getLogger(LOGGER_NAME)
