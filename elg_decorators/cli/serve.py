"""``python -m elg_decorators serve``: serve a script's or module's handlers with gunicorn."""
from __future__ import annotations

import argparse

from ..settings import SETTINGS
from .server_options import add_server_options, server_options

#: Every server setting is an option of serve.
SERVE_OPTIONS = tuple(declared.name for declared in SETTINGS)

SERVE_EXAMPLES = """\
examples:
  python -m elg_decorators serve my_service.py
  python -m elg_decorators serve my_service.py --port 8080 --workers 4 --timeout 120
  PORT=9000 WORKERS=2 python -m elg_decorators serve my_package.ner

Each option left out comes from its environment variable (--max-queue from MAX_QUEUE, and
so on), else the default shown.
"""


def add_serve_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve a script's or module's handlers with gunicorn",
        description="Serve the ELG handlers that a script or module defines, under gunicorn.",
        epilog=SERVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", help="the service: a path to a .py script or a module name")
    add_server_options(parser, SERVE_OPTIONS)
    parser.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from ..server import serve

    serve(args.target, **server_options(args, SERVE_OPTIONS))
    return 0
