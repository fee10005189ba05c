"""``python -m elg_decorators build``: write the image files for a service script, build and push the image."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from ..errors import BuildError, ElgDecoratorsError
from ..build.context import context_path, context_paths, validate_build_tag
from ..build.dockerfile import LOG_LEVELS, default_base_image, render_docker_files, write_docker_files
from ..build.requirements import requirement_lines, write_requirements

__all__ = ["add_build_parser", "run_build"]

_DESCRIPTION = """\
Write requirements.txt, Dockerfile, docker-entrypoint.sh and .dockerignore for a service
script, then build the image with the Docker engine and, with --push, push it.

The files go into the build context: the script's folder, or --output. Existing files of
these names there are overwritten; they are generated. The script and every --file and
--folder must lie inside the build context. The image serves the script with gunicorn on
port 8000.

Without --tag the image is called after the script: 'ner.py' is built as 'ner:latest'.
--push needs a --tag that names the registry, e.g. registry.example.org/me/ner:1.0.
Registry credentials come from DOCKER_USERNAME and DOCKER_PASSWORD, else from 'docker login'.
"""

_EXAMPLES = """\
examples:
  %(prog)s ner.py --no-build
  %(prog)s ner.py --tag registry.example.org/me/ner:1.0 --requirement spacy==3.7.4 --push
  %(prog)s ner.py --tag me/ner:1.0 --requirements-file requirements-ner.txt --pin \\
      --folder models --file labels.json --workers 2 --worker-class gthread
  %(prog)s ner.py --tag me/ner:1.0 --command "apt-get update && apt-get install -y --no-install-recommends libicu72"
"""


def add_build_parser(subparsers: Any) -> None:
    """Register the ``build`` subcommand on an ``argparse`` subparsers object.

    :param subparsers: what ``ArgumentParser.add_subparsers()`` returned.
    """
    parser = subparsers.add_parser(
        "build",
        help="write the Docker files for a service script and build (and push) its image",
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("script", metavar="SCRIPT", help="the service script (a .py file)")
    parser.add_argument("--tag", "-t", help="image name, [registry/]path[:tag] (default: SCRIPT's name:latest)")
    parser.add_argument("--push", action="store_true", help="push the image after a successful build")
    parser.add_argument(
        "--base-image", default=None, metavar="IMAGE",
        help=f"Debian-based Python image to start from (default: {default_base_image()}, this Python's version)",
    )
    parser.add_argument("--requirement", "-r", action="append", default=[], metavar="SPEC",
                        help="a pip requirement, e.g. 'spacy>=3.7' (repeatable)")
    parser.add_argument("--requirements-file", type=Path, metavar="FILE", help="a pip requirements file to include")
    parser.add_argument("--pin", action="store_true",
                        help="pin requirements given without a version to the version installed here")
    parser.add_argument("--file", action="append", default=[], dest="files", metavar="FILE",
                        help="a file the service needs, copied into the image (repeatable)")
    parser.add_argument("--folder", action="append", default=[], dest="folders", metavar="DIR",
                        help="a folder the service needs, copied into the image (repeatable)")
    parser.add_argument("--command", action="append", default=[], dest="commands", metavar="CMD",
                        help="a shell command run as root while building, after the requirements are "
                             "installed (repeatable)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (default: 1)")
    parser.add_argument("--timeout", type=int, default=30, metavar="SECONDS",
                        help="gunicorn worker timeout; 0 for none (default: 30)")
    parser.add_argument("--worker-class", default="sync", metavar="CLASS",
                        help="gunicorn worker class (default: sync)")
    parser.add_argument("--log-level", default="INFO", type=str.upper,
                        choices=[level.upper() for level in LOG_LEVELS], help="gunicorn log level (default: INFO)")
    parser.add_argument("--output", "-o", type=Path, metavar="DIR",
                        help="the build context to write the files into (default: the script's folder)")
    parser.add_argument("--no-build", action="store_true", help="only write the files")
    parser.add_argument("--no-pull", action="store_true", help="do not pull a newer base image")
    parser.set_defaults(run=run_build)


def _default_tag(script: Path) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", script.stem.lower()).strip("._-")
    if not name:
        raise BuildError(f"cannot make an image name from {script.name!r}; give one with --tag")
    return f"{name}:latest"


def _count_handlers(script: Path) -> int:
    # Imported here: loading a script pulls in the service layers, which 'build' itself does not need.
    try:
        from ..discovery import load_service
    except ImportError as err:
        raise BuildError(f"cannot load service scripts: {err}") from err

    return load_service(str(script)).handler_count


def _plan(args: argparse.Namespace) -> dict[str, Any]:
    """Check everything that can be checked before a file is written or a request sent."""
    script = Path(args.script)
    if not script.is_file():
        raise BuildError(f"service script {args.script!r} does not exist (or is not a file)")
    context = args.output if args.output is not None else script.parent
    if not context.is_dir():
        raise BuildError(
            f"--output {str(context)!r} is not an existing folder; name the folder that contains the "
            "script and the files it needs"
        )
    plan: dict[str, Any] = {"context": context, "script": script, "tag": None}
    if not args.no_build:
        if args.push and not args.tag:
            raise BuildError(
                "--push needs --tag naming the registry repository, e.g. --tag registry.example.org/me/ner:1.0"
            )
        plan["tag"] = args.tag or _default_tag(script)
        validate_build_tag(plan["tag"])
    relative_script = context_path(context, script.resolve(), kind="file")
    plan["docker"] = dict(
        required_files=context_paths(context, args.files, kind="file"),
        required_folders=context_paths(context, args.folders, kind="folder"),
        commands=args.commands,
        base_image=args.base_image or default_base_image(),
        log_level=args.log_level,
        workers=args.workers,
        timeout=args.timeout,
        worker_class=args.worker_class,
    )
    render_docker_files(relative_script, **plan["docker"])  # validates the options
    requirement_lines(args.requirement, requirements_file=args.requirements_file, pin=args.pin)
    if _count_handlers(script) == 0:
        raise BuildError(
            f"{args.script} defines no service: decorate a function with @text_service (or another "
            "*_service decorator), or define a FlaskService subclass"
        )
    return plan


def run_build(args: argparse.Namespace) -> int:
    """Run the ``build`` subcommand; print ``error: <message>`` to stderr and return 1 on failure.

    :param args: the namespace parsed by the parser :func:`add_build_parser` registered.
    :returns: the exit status.
    """
    try:
        plan = _plan(args)
        context, tag = plan["context"], plan["tag"]
        write_requirements(context, args.requirement, requirements_file=args.requirements_file, pin=args.pin)
        written = write_docker_files(context, plan["script"].resolve(), **plan["docker"])
        for path in [context / "requirements.txt", *written]:
            print(f"wrote {path}")
        if tag is None:
            return 0
        from ..build.engine import build_and_push, build_image

        if args.push:
            image_id = build_and_push(context, tag, pull=not args.no_pull)
            print(f"built {tag} ({image_id}) and pushed it")
        else:
            image_id = build_image(context, tag, pull=not args.no_pull)
            print(f"built {tag} ({image_id})")
        return 0
    except ElgDecoratorsError as err:
        sys.stdout.flush()
        print(f"error: {err}", file=sys.stderr)
        return 1
