"""The server settings as command-line options, declared once for ``serve``, ``build`` and ``deploy``."""
from __future__ import annotations

import argparse
import dataclasses
from typing import Any, Dict, Sequence

from ..settings import LOG_LEVELS, ServerSettings


def add_server_options(parser: Any, names: Sequence[str]) -> None:
    """Add ``--NAME`` for each setting in ``names`` to ``parser`` (or an argument group), without defaults.

    An option left out is None, so :meth:`ServerSettings.resolve` takes it from the environment
    or the defaults; the help shows the default.
    """
    defaults = ServerSettings()
    kinds = {field.name: type(field.default) for field in dataclasses.fields(ServerSettings)}
    for name in names:
        help_text = f"{ServerSettings.DESCRIPTIONS[name]} (default: {getattr(defaults, name)})"
        flag = "--" + name.replace("_", "-")
        if name == "log_level":
            parser.add_argument(flag, type=str.upper, choices=list(LOG_LEVELS), help=help_text)
        elif kinds[name] is int:
            parser.add_argument(flag, type=int, metavar="N", help=help_text)
        else:
            parser.add_argument(flag, help=help_text)


def server_options(args: argparse.Namespace, names: Sequence[str]) -> Dict[str, Any]:
    """The settings of ``names`` given on the command line (None where left out)."""
    return {name: getattr(args, name) for name in names}
