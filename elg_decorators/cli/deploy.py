"""``python -m elg_decorators deploy``: Knative, Kubernetes and ELG files for a service script, or ``--check`` them.

This module turns a script into a :class:`~elg_decorators.deploy.description.ServiceDescription`;
the files are made from that plain description by :mod:`elg_decorators.deploy`.
"""
from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
import sys
from pathlib import Path
from typing import Any

from ..image.context import parse_reference
from ..deploy.checks import check_folder
from ..deploy import kubernetes
from ..deploy.container import deployed_settings, revision_timeout_seconds
from ..deploy.description import Endpoint, RecordDetails, ServiceDescription
from ..deploy.files import KUBERNETES_FILE, METADATA_FILE, render_files, write_files
from ..deploy.inputs import (
    DeployError,
    check_condition_of_use,
    check_image_tag,
    check_language,
    check_lt_class,
    check_quantity,
    check_scale,
    check_service_name,
    concrete_path,
    default_service_name,
    registry_warning,
)
from ..deploy.metadata import derived_resources, fallbacks
from ..deploy.vocabulary import lt_classes
from ..kinds import Endpoint as ServedEndpoint
from ..settings import ServerSettings
from .server_options import add_server_options, server_options

#: The server settings the manifests carry (as environment variables and in their timings).
DEPLOY_OPTIONS = ("workers", "threads", "worker_class", "request_timeout", "graceful_timeout", "max_queue")

__all__ = ["add_deploy_parser", "run_deploy"]

_DEFAULTS = {field.name: field.default for field in dataclasses.fields(ServiceDescription)}
#: The longest revision timeout a Knative installation allows unless its operator raises it.
KNATIVE_MAX_TIMEOUT_SECONDS = 600
_SPDX_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")

_DESCRIPTION = f"""\
Write the files that run a service script's image on Knative or Kubernetes and register it
with the European Language Grid, into DIR (default: a 'deploy' folder beside the script):

  knative-service.yaml   a Knative Service: kubectl apply -f DIR/knative-service.yaml
  kubernetes.yaml        Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget
                         (Kubernetes {kubernetes.MINIMUM_KUBERNETES} or later): kubectl apply -f DIR/kubernetes.yaml
  elg-deployment.yaml    image, memory limit and scaling, for ELG's operators
  elg-metadata.xml       the ELG-SHARE metadata record to upload to ELG

The image must carry an immutable tag (not 'latest'): it becomes the record's version.
The files are generated: the same script and options give the same bytes.
With --check, nothing is written: the files in DIR are compared with the script and the
image, and each difference is printed on a line of its own.
"""

_EXAMPLES = """\
examples:
  %(prog)s ner.py --image registry.example.org/me/ner:1.0 --lt-class NamedEntityRecognition --language en
  %(prog)s ner.py --image registry.example.org/me/ner:1.0 --memory 4Gi --cpu 2 --min-scale 1 --max-scale 5
  %(prog)s translate.py --image me/translate:2.1 --path-value src=en --path-value tgt=de
  %(prog)s ner.py --image registry.example.org/me/ner:1.1 --check
"""


def add_deploy_parser(subparsers: Any) -> None:
    """Register the ``deploy`` subcommand on an ``argparse`` subparsers object.

    :param subparsers: what ``ArgumentParser.add_subparsers()`` returned.
    """
    parser = subparsers.add_parser(
        "deploy",
        help="write Knative/Kubernetes manifests and the ELG files for a service script",
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("script", metavar="SCRIPT", nargs="?", help="the service script (a .py file)")
    parser.add_argument("--image", metavar="IMAGE", help="the image, REGISTRY/PATH:TAG, as 'build --push' pushed it")
    parser.add_argument("--output", "-o", type=Path, metavar="DIR",
                        help="where the files go (default: SCRIPT's folder/deploy)")
    parser.add_argument("--name", help="the service's Kubernetes name (default: from SCRIPT's file name)")
    parser.add_argument("--check", action="store_true", help="compare DIR's files with SCRIPT and IMAGE; write nothing")
    group = parser.add_argument_group("resources and scaling")
    group.add_argument("--memory", default=_DEFAULTS["memory"],
                       help=f"memory of one replica, a Kubernetes quantity (default: {_DEFAULTS['memory']})")
    group.add_argument("--cpu", default=_DEFAULTS["cpu"],
                       help=f"CPU of one replica, a Kubernetes quantity (default: {_DEFAULTS['cpu']})")
    group.add_argument("--min-scale", type=int, default=_DEFAULTS["min_scale"], metavar="N",
                       help="fewest replicas; with 0, Knative scales to zero when idle, and the autoscaler "
                            f"of kubernetes.yaml, which cannot, keeps 1 (default: {_DEFAULTS['min_scale']})")
    group.add_argument("--max-scale", type=int, default=_DEFAULTS["max_scale"], metavar="N",
                       help=f"most replicas (default: {_DEFAULTS['max_scale']})")
    group.add_argument("--startup-seconds", type=int, default=_DEFAULTS["startup_seconds"], metavar="SECONDS",
                       help="how long a replica may take to start and load its resources "
                            f"(default: {_DEFAULTS['startup_seconds']})")
    group.add_argument("--writable-root", action="store_true",
                       help="mount the root filesystem writable in the Kubernetes Deployment (default: read-only, "
                            "with a writable /tmp)")
    group = parser.add_argument_group("server settings (as the image's server runs; default: the serve defaults)")
    add_server_options(group, DEPLOY_OPTIONS, defaults={"max_queue": "workers times threads, the concurrency"})
    group = parser.add_argument_group("ELG metadata record")
    group.add_argument("--lt-class", metavar="CLASS", help="what the service does, from ELG's LT classes, "
                                                           "e.g. NamedEntityRecognition, MachineTranslation "
                                                           "(default: unspecified)")
    group.add_argument("--list-lt-classes", action="store_true", help="print ELG's LT classes and exit")
    group.add_argument("--language", action="append", default=[], metavar="TAG",
                       help="a language the service processes, a BCP 47 tag such as en or de-AT "
                            "(repeatable; default: none, the service is language independent)")
    group.add_argument("--path-value", action="append", default=[], metavar="NAME=VALUE",
                       help="the value of a URL variable of a path, for the URL ELG calls (repeatable)")
    group.add_argument("--title", help="the service's full name (default: --name)")
    group.add_argument("--description", help="what the service does (default: the script's docstring)")
    group.add_argument("--keyword", action="append", default=[], metavar="WORD",
                       help="a keyword (repeatable; default: the LT class in words, else the name)")
    group.add_argument("--landing-page", metavar="URL",
                       help="a web page about the service (default: the image's repository)")
    group.add_argument("--email", help="a contact address, when there is no landing page")
    group.add_argument("--licence", metavar="SPDX",
                       help="the licence as an SPDX identifier, e.g. Apache-2.0 (default: unspecified)")
    group.add_argument("--condition-of-use", action="append", default=[], metavar="CONDITION",
                       help="a condition of use the licence imposes, from ELG's list, e.g. attribution, "
                            "nonCommercialUse, noConditions (repeatable; default: unspecified)")
    parser.set_defaults(run=run_deploy)


def _settings(args: argparse.Namespace) -> ServerSettings:
    try:
        return deployed_settings(server_options(args, DEPLOY_OPTIONS))
    except ValueError as err:
        raise DeployError(str(err)) from None


def _path_values(items: list[str]) -> dict[str, str]:
    values = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise DeployError(f"--path-value {item!r} must be NAME=VALUE, e.g. --path-value src=en")
        values[name] = value
    return values


def _record(args: argparse.Namespace, lt_class: str | None, docstring: str | None) -> RecordDetails:
    if args.landing_page is not None and not re.fullmatch(r"https?://[^\s/]+\S*", args.landing_page):
        raise DeployError(f"--landing-page {args.landing_page!r} must be an http:// or https:// URL")
    if args.email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", args.email):
        raise DeployError(f"--email {args.email!r} is not an e-mail address")
    if args.licence is not None and not _SPDX_ID.fullmatch(args.licence):
        raise DeployError(f"--licence {args.licence!r} is not an SPDX licence identifier, e.g. Apache-2.0 or MIT")
    conditions = tuple(dict.fromkeys(check_condition_of_use(condition) for condition in args.condition_of_use))
    summary = " ".join((docstring or "").strip().split("\n\n")[0].split())
    return RecordDetails(
        title=args.title or None,
        description=args.description or None,
        lt_class=lt_class,
        keywords=tuple(args.keyword),
        landing_page=args.landing_page,
        email=args.email,
        licence=args.licence,
        conditions_of_use=conditions,
        summary=summary or None,
    )


def _declared_endpoints(script: Path) -> tuple[tuple[ServedEndpoint, ...], str | None]:
    """What the script serves on each path, as the service describes it; and the script's docstring."""
    # Imported here: loading a script pulls in Flask, which the other commands and --help do not need.
    from ..discovery import load_service

    loaded = load_service(str(script))
    endpoints = loaded.describe_endpoints()
    if not endpoints or not all(endpoint.handlers for endpoint in endpoints):
        raise DeployError(
            f"{script} defines no ELG handler that deploy can describe: decorate a function with @text_service "
            "(or @structured_text_service, @audio_service, @image_service), or define a FlaskService subclass "
            "with process_text (or another process_* method)"
        )
    return endpoints, inspect.getdoc(loaded.module)


def _describe(args: argparse.Namespace) -> tuple[ServiceDescription, Path, list[str]]:
    """Check every option, then load the script; return the description, the output folder and the
    ``warning:`` and ``note:`` lines to print once the files are written."""
    if not args.script:
        raise DeployError("give the service script, e.g. 'deploy ner.py --image registry.example.org/me/ner:1.0'")
    if not args.image:
        raise DeployError("--image is required: the image 'build --push' pushed, e.g. registry.example.org/me/ner:1.0")
    image = parse_reference(args.image)
    version = check_image_tag(args.image, image.repository, image.tag)
    warning = registry_warning(image.domain) if image.domain else None
    memory, cpu = check_quantity("memory", args.memory), check_quantity("cpu", args.cpu)
    min_scale, max_scale = check_scale(args.min_scale, args.max_scale)
    if args.startup_seconds < 1:
        raise DeployError(f"--startup-seconds {args.startup_seconds} must be at least 1")
    settings = _settings(args)
    languages = tuple(dict.fromkeys(check_language(tag) for tag in args.language))
    lt_class = check_lt_class(args.lt_class) if args.lt_class else None
    path_values = _path_values(args.path_value)
    script = Path(args.script)
    if not script.is_file():
        raise DeployError(f"service script {args.script!r} does not exist (or is not a file)")
    name = check_service_name(args.name if args.name is not None else default_service_name(script.stem))
    output = args.output if args.output is not None else script.parent / "deploy"
    declared, docstring = _declared_endpoints(script)
    endpoints = tuple(
        Endpoint(path=served.path, location=served.path if args.check else concrete_path(served.path, path_values),
                 request_kinds=served.request_kinds, response_kinds=served.response_kinds)
        for served in declared
    )
    description = ServiceDescription(
        name=name, image=str(image), image_repository=image.repository, version=version,
        endpoints=endpoints, record=_record(args, lt_class, docstring), settings=settings,
        memory=memory, cpu=cpu, min_scale=min_scale, max_scale=max_scale,
        startup_seconds=args.startup_seconds, languages=languages, read_only_root=not args.writable_root,
    )
    warnings = [f"warning: {warning}"] if warning else []
    return description, output, warnings + [f"note: {note}" for note in _notes(description)]


def _notes(description: ServiceDescription) -> list[str]:
    notes = []
    timeout = revision_timeout_seconds(description.settings)
    if timeout is not None and timeout > KNATIVE_MAX_TIMEOUT_SECONDS:
        notes.append(f"Knative refuses timeoutSeconds {timeout} unless the cluster's max-revision-timeout-seconds "
                     f"is raised above its default of {KNATIVE_MAX_TIMEOUT_SECONDS}")
    notes.extend(f"{KUBERNETES_FILE}: {note}" for note in kubernetes.notes(description))
    notes.extend(f"{METADATA_FILE}: {fallback}" for fallback in fallbacks(description))
    notes.extend(f"elg-metadata.xml describes {derived} from the kind alone, which gives no ELG-SHARE facts; "
                 "give the kind elg_share=ShareResource(...) to state them"
                 for derived in derived_resources(description))
    for endpoint in description.endpoints:
        if not endpoint.response_kinds:
            notes.append(f"elg-metadata.xml describes no output for {endpoint.path}: annotate its handler's "
                         "return type (e.g. -> AnnotationsResponse)")
    return notes


def run_deploy(args: argparse.Namespace) -> int:
    """Run the ``deploy`` subcommand; print ``error: <message>`` to stderr and return 1 on failure.

    :param args: the namespace parsed by the parser :func:`add_deploy_parser` registered.
    :returns: the exit status: 0, or 1 after an error or when ``--check`` found differences.
    """
    if args.list_lt_classes:
        print("\n".join(lt_classes()))
        return 0
    description, output, messages = _describe(args)
    if args.check:
        mismatches = check_folder(output, description)
        for line in mismatches:
            print(line)
        if not mismatches:
            print(f"{output} matches {args.script} and {description.image}")
        return 1 if mismatches else 0
    written = write_files(output, render_files(description))
    for path in written:
        print(f"wrote {path}")
    for message in messages:
        print(message, file=sys.stderr)
    return 0
