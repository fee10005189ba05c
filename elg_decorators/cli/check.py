"""``python -m elg_decorators check``: check that a service speaks the ELG LT service API."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

CHECK_EXAMPLES = """\
examples:
  python -m elg_decorators check http://localhost:8000/process --type text
  python -m elg_decorators check my_service.py
  python -m elg_decorators check http://localhost:8000/process --junit report.xml --json report.json
  python -m elg_decorators check my_service.py --only invalid --skip INVAL-SIZE-001
  python -m elg_decorators check translate.py --var src=en --var tgt=de

exit status: 0 when every MUST case passes (with --strict, every case), 1 when one fails,
2 for a usage error or a service that cannot be reached or started.
"""


def add_check_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check that a service (any language) speaks the ELG LT service API",
        description="Send a service valid and invalid ELG requests and judge its answers against the ELG "
                    "LT internal API. TARGET is an endpoint's URL, a service's base URL (when its GET /health "
                    "lists its endpoints), or a script or module, which is served on a free port for the run.",
        epilog=CHECK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", help="http://host:port/path, or a .py script or module name")
    parser.add_argument("--type", action="append", default=[], dest="types", metavar="KIND",
                        help="a request kind the endpoint takes: text, structuredText, audio, image (repeatable; "
                             "default: what GET /health says, else text)")
    parser.add_argument("--text", help="the sample text sent in text requests (default: names, a date, an address)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="add a params entry to every valid request (VALUE read as JSON if it is)")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                        help="the value of a URL variable of an endpoint (/translate/<src>/<tgt>)")
    parser.add_argument("--metadata", type=Path, metavar="FILE",
                        help="an elg-metadata.xml record to check against the service")
    parser.add_argument("--only", action="append", default=[], metavar="GROUP",
                        help="run only this group (or case ID); repeatable")
    parser.add_argument("--skip", action="append", default=[], metavar="ID",
                        help="leave out this case ID (or group); repeatable")
    parser.add_argument("--strict", action="store_true", help="SHOULD failures count too")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write a JSON report")
    parser.add_argument("--max-size", type=int, metavar="BYTES", default=64 * 1024 * 1024,
                        help="the service's largest request body; the oversized case sends one byte more "
                             "(default: 67108864, elg_decorators' default)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default: 30)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.set_defaults(run=_run_check)


def _run_check(args: argparse.Namespace) -> int:
    from ..check import report
    from ..check.cases_answers import metadata_declares
    from ..check.runner import Options, run, selected
    from ..check.samples import SAMPLE_TEXT
    from ..check.target import Unreachable, open_target, parse_pairs

    if args.list:
        for case in selected(args.only, args.skip):
            print(f"{case.id:<17} {case.level.value:<6} {case.group:<12} {case.title} [{case.section}]")
        return 0
    try:
        options = Options(args.text or SAMPLE_TEXT, parse_pairs(args.param, "--param"), None, args.only, args.skip,
                          args.max_size, args.timeout)
        selected(args.only, args.skip)
        variables = {name: str(value) for name, value in parse_pairs(args.var, "--var").items()}
        if args.metadata is not None:
            options.metadata = metadata_declares(args.metadata.read_bytes())
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        target = open_target(args.target, args.types, variables)
    except Unreachable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        results = run(target.base_url, target.endpoints, options)
    finally:
        target.stop()
    seconds = time.monotonic() - started
    print(report.summary(results, target.notes, seconds, args.strict))
    if args.junit is not None:
        args.junit.write_bytes(report.junit(results, seconds, args.strict))
    if args.json is not None:
        args.json.write_text(report.as_json(results, args.target, target.notes, seconds, args.strict),
                             encoding="utf-8")
    return 0 if report.conforms(results, args.strict) else 1
