"""The server settings as command-line options, declared once for ``serve``, ``build`` and ``deploy``."""
from __future__ import annotations

import argparse
from typing import Any
from collections.abc import Mapping, Sequence

from ..settings import SETTINGS

_BY_NAME = {declared.name: declared for declared in SETTINGS}


def add_server_options(parser: Any, names: Sequence[str], defaults: Mapping[str, str] | None = None) -> None:
    """Add ``--NAME`` for each setting in ``names`` to ``parser`` (or an argument group), without defaults.

    An option left out is None, so :meth:`~elg_decorators.settings.ServerSettings.resolve` takes it
    from the environment or the defaults; the help shows the default and the environment variable.

    :param defaults: what the help gives as the default of a setting whose default the command
        works out otherwise (``deploy``'s queue, say), by setting name.
    """
    for name in names:
        declared = _BY_NAME[name]
        variable = f", {declared.env}" if declared.env else ""
        default = (defaults or {}).get(name, declared.default)
        help_text = f"{declared.help} (default: {default}{variable})"
        if declared.type is bool:
            parser.add_argument(declared.option, action="store_true", default=None, help=help_text)
        elif declared.choices:
            parser.add_argument(declared.option, type=declared.convert, choices=list(declared.choices), help=help_text)
        elif declared.type is int:
            parser.add_argument(declared.option, type=int, metavar="N", help=help_text)
        else:
            parser.add_argument(declared.option, help=help_text)


def server_options(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    """The settings of ``names`` given on the command line (None where left out)."""
    return {name: getattr(args, name) for name in names}
