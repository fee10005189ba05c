"""The command line: ``python -m elg_decorators serve|build|deploy|check …``."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from ..errors import ElgDecoratorsError, error_line
from ..image.extra import EXTRA_INSTALL, EXTRA_MODULES, extra_error
from ..version import __version__
from .build import add_build_parser
from .check import add_check_parser
from .serve import add_serve_parser

DESCRIPTION = "Serve and package European Language Grid (ELG) services written with elg_decorators."
EXAMPLES = """\
examples:
  python -m elg_decorators serve my_service.py
  python -m elg_decorators serve my_package.my_service --port 8080 --workers 2
  python -m elg_decorators serve my_service.py --reload --host 127.0.0.1
  python -m elg_decorators build my_service.py --tag registry.example.org/me/ner:1.0 --push
  python -m elg_decorators build my_service.py --no-build --requirement nltk==3.8
  python -m elg_decorators deploy my_service.py --image registry.example.org/me/ner:1.0
  python -m elg_decorators check http://localhost:8000/process --type text

run 'python -m elg_decorators COMMAND --help' for a command's options.
"""


def _add_deploy_parser(subparsers: Any) -> None:
    # deploy reads and writes YAML with PyYAML, which the service's image does not have (it is in the
    # build extra): without it, serve works and deploy fails with one line naming the extra.
    try:
        from .deploy import add_deploy_parser
    except ModuleNotFoundError as err:
        if err.name not in EXTRA_MODULES:
            raise
        missing = err.name
    else:
        add_deploy_parser(subparsers)
        return

    def run(args: argparse.Namespace) -> NoReturn:
        raise extra_error("deploy", (missing,))

    # Every argument is taken as it comes (no option is known), so that any deploy command line
    # reaches the one-line error.
    parser = subparsers.add_parser("deploy", help=f"write Knative, Kubernetes and ELG files (needs {EXTRA_INSTALL})",
                                   add_help=False, prefix_chars="\0")
    parser.add_argument("arguments", nargs="*")
    parser.set_defaults(run=run)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``elg_decorators`` command."""
    parser = argparse.ArgumentParser(
        prog="python -m elg_decorators",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"elg_decorators {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_serve_parser(subparsers)
    add_build_parser(subparsers)
    _add_deploy_parser(subparsers)
    add_check_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except (ElgDecoratorsError, ValueError) as exc:
        sys.stdout.flush()  # what the command wrote before comes first
        print(error_line(exc), file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (``... | head``): not an error of ours to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so exit's flush cannot fail again
        return 0
