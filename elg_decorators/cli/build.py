"""``python -m elg_decorators build``: write the build context of a service script, build the image and push it."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..image.extra import require_extra
from ..settings import default_base_image
from .build_plan import IMAGE_OPTIONS, BuildPlan, make_plan
from .server_options import add_server_options

__all__ = ["add_build_parser", "run_build"]

_DESCRIPTION = """\
Write the build context of a service script, build the image with the Docker engine and, with
--push, push it. Needs the build extra: pip install 'elg_decorators[build]'.

The context is a build folder of the script's own, .elg-build/<script name>/ beside it (or
--output DIR), so that the script's folder keeps only the user's code: build writes there
requirements.txt, requirements.lock, wheels/, Dockerfile, .dockerignore and a .gitignore that
keeps the folder out of git, and copies in the script and the --file and --folder paths
(relative to the script's folder). Files in the build folder that build did not write are
never overwritten, unless --force is given. The script is imported here to find its handlers,
so its imports must work here.

The build needs no network: the wheels of the framework (made from this installation), of the
requirements and of all their dependencies are downloaded here, for the base image's Python
version and the engine's architecture, and installed in the image with no index, checked
against the hashes in requirements.lock. The image serves the script as 'python -m
elg_decorators serve' does, with the same defaults, on $PORT (default 8000); its health check
asks for readiness (/health/ready). The stage the dependencies are installed in is kept as
REPOSITORY:dependencies, the cache of the next build; a build leaves no unnamed image.

Without --tag the image is called after the script: 'ner.py' is built as 'ner:latest'.
--push needs a --tag naming the repository, e.g. registry.example.org/me/ner:1.0. Registry
credentials come from DOCKER_USERNAME and DOCKER_PASSWORD, else from 'docker login'.
"""

_EXAMPLES = """\
examples:
  %(prog)s ner.py --no-build
  %(prog)s ner.py --tag registry.example.org/me/ner:1.0 --requirement spacy==3.7.4 --push
  %(prog)s ner.py --tag me/ner:1.0 --requirements-file requirements-ner.txt --pin \\
      --folder models --file labels.json --workers 2 --output build/ner
  %(prog)s ner.py --tag me/ner:1.0 --network host \\
      --command "apt-get update && apt-get install -y --no-install-recommends libicu72"
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
    parser.add_argument("--requirements-file", type=Path, metavar="FILE",
                        help="a pip requirements file to merge into the generated requirements.txt")
    parser.add_argument("--pin", action="store_true",
                        help="pin requirements given without a version to the version installed here")
    parser.add_argument("--file", action="append", default=[], dest="files", metavar="FILE",
                        help="a file the service needs, copied into the image (repeatable)")
    parser.add_argument("--folder", action="append", default=[], dest="folders", metavar="DIR",
                        help="a folder the service needs, copied into the image (repeatable)")
    parser.add_argument("--command", action="append", default=[], dest="commands", metavar="CMD",
                        help="a shell command run as root while building, after the requirements are "
                             "installed (repeatable; one that downloads needs --network)")
    parser.add_argument("--network", metavar="MODE",
                        help="network of the build steps, e.g. 'host' for --command steps that download "
                             "(default: the engine's; the generated steps need none)")
    add_server_options(parser, IMAGE_OPTIONS)
    parser.add_argument("--output", "-o", type=Path, metavar="DIR",
                        help="the build folder: write the build context here, copying the script and the files "
                             "it needs (default: .elg-build/SCRIPT-NAME/ beside the script)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite requirements.txt, Dockerfile … in the build folder even if build did not "
                             "write them")
    parser.add_argument("--no-build", action="store_true", help="only write the build context")
    parser.add_argument("--no-pull", action="store_true",
                        help="use the base image in the engine as it is, without pulling a newer one")
    parser.set_defaults(run=run_build)


def _build_and_push(plan: BuildPlan, args: argparse.Namespace, client: Any) -> None:
    from ..image.engine import build_image, push_image
    from ..image.leftovers import dependencies_reference

    assert plan.tag is not None
    build_kwargs = {"network_mode": args.network} if args.network else {}
    image_id = build_image(plan.context, plan.tag, pull=False, client=client, **build_kwargs)
    print(f"built {plan.tag} ({image_id})")
    kept = dependencies_reference(plan.tag)
    print(f"kept its dependencies stage as {kept}, the next build's cache ('docker rmi {kept}' frees it)")
    if args.push:
        push_image(plan.tag, client=client)
        print(f"pushed {plan.tag}")


def run_build(args: argparse.Namespace) -> int:
    """Run the ``build`` subcommand; print ``error: <message>`` to stderr and return 1 on failure.

    Everything that can be checked is checked before a file is written or the engine builds:
    the arguments, the requirements, the script's handlers, and (when building) the base image.

    :param args: the namespace parsed by the parser :func:`add_build_parser` registered.
    :returns: the exit status.
    """
    require_extra("build", "docker")
    client = None
    try:
        plan = make_plan(args)
        client, target = plan.engine_and_target(pull=not args.no_pull, output=sys.stdout)
        for path in plan.write_context(target, output=sys.stdout):
            print(f"wrote {path}")
        if plan.tag is not None:
            _build_and_push(plan, args, client)
        return 0
    finally:
        if client is not None:
            client.close()

