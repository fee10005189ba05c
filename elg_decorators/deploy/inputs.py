"""Checks on what a user gives ``deploy``: image, quantities, scale, names, languages, LT class.

Each check raises :class:`DeployError` with one line naming the value, what is wrong
and how to write it instead, before any file is written.
"""
from __future__ import annotations

import ipaddress
import re
from decimal import Decimal, InvalidOperation
from collections.abc import Mapping

from ..errors import ElgDecoratorsError
from ..kinds import fill_path, url_variables
from .vocabulary import conditions_of_use, language_ids, lt_classes, region_ids, script_ids

__all__ = [
    "DeployError",
    "check_image_tag",
    "check_quantity",
    "check_scale",
    "check_service_name",
    "check_lt_class",
    "check_condition_of_use",
    "registry_warning",
    "check_language",
    "concrete_path",
    "MAX_NAME_LENGTH",
]


class DeployError(ElgDecoratorsError):
    """The input of ``deploy`` cannot describe a deployable service; the message says what to change."""


# Kubernetes' quantity grammar (k8s.io/apimachinery/pkg/api/resource, quantity.go):
# a signed decimal number, then a binary (Ki..Ei) or decimal (n, u, m, k, M..E) suffix or an exponent.
_QUANTITY = re.compile(
    r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?"
)
_BINARY = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60}
_DECIMAL = {suffix: Decimal(10) ** exponent for suffix, exponent in
            (("n", -9), ("u", -6), ("m", -3), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18))}
_EXAMPLES = {"memory": "'512Mi', '2Gi' or '1500M'", "cpu": "'1', '2' or '500m'"}

#: Knative appends revision suffixes (``-00001``) to the service name, within the 63 characters of a label.
MAX_NAME_LENGTH = 50
_DNS_1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_PATH_VALUE = re.compile(r"[A-Za-z0-9._~-]+")


#: ELG-SHARE's limit on the record's version, which is the image's tag.
MAX_VERSION_LENGTH = 50


def check_image_tag(reference: str, repository: str, tag: str | None) -> str:
    """The tag of the image ``reference`` (already parsed), which must be immutable: not missing, not ``latest``."""
    if tag is None:
        raise DeployError(f"--image {reference!r} has no tag; ELG deploys an immutable tag, e.g. '{repository}:1.0'")
    if tag == "latest":
        raise DeployError(
            f"--image {reference!r} uses the tag 'latest', which changes under a running service; "
            f"tag the image with its version, e.g. '{repository}:1.0'"
        )
    if len(tag) > MAX_VERSION_LENGTH:
        raise DeployError(f"--image tag {tag!r} is longer than the {MAX_VERSION_LENGTH} characters "
                          "of an ELG version; use a shorter tag such as 1.0")
    return tag


def quantity_value(text: str) -> Decimal:
    """The number a Kubernetes quantity such as ``2Gi`` or ``500m`` stands for.

    :raises ValueError: if ``text`` is not a quantity.
    """
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise ValueError(text)
    number = Decimal(match.group("number"))
    suffix = match.group("suffix") or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * _DECIMAL[suffix]
    if suffix:
        try:
            return number.scaleb(int(suffix[1:]))
        except (InvalidOperation, ValueError, OverflowError):
            raise ValueError(text) from None
    return number


def registry_warning(domain: str) -> str | None:
    """A warning if the registry ``domain`` (``host[:port]`` of an image reference) is one that only this
    machine, or only its own network, can reach: a loopback or private address. None otherwise.

    Not an error: a cluster may well pull from a registry on its private network.
    """
    host = domain[1:domain.index("]")] if domain.startswith("[") else domain.rsplit(":", 1)[0]
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        loopback = True
    else:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return None
        if not (address.is_loopback or address.is_private or address.is_link_local):
            return None
        loopback = address.is_loopback
    if loopback:
        return (f"--image registry {domain} is this machine's loopback address: a cluster and ELG would look for "
                "it on their own machines; push the image to a registry they can reach and give that name")
    return (f"--image registry {domain} is a private address, reachable only from its own network: a cluster "
            "there can pull from it, ELG cannot; push the image to a public registry before registering it with ELG")


def check_quantity(option: str, text: str) -> str:
    """``text`` if it is a positive Kubernetes quantity, for ``--memory`` or ``--cpu``."""
    try:
        value = quantity_value(text)
    except ValueError:
        raise DeployError(
            f"--{option} {text!r} is not a Kubernetes quantity; write it as {_EXAMPLES[option]}"
        ) from None
    if value <= 0:
        raise DeployError(f"--{option} {text!r} must be more than zero, e.g. {_EXAMPLES[option]}")
    if option == "memory" and value < 2 ** 20:
        raise DeployError(
            f"--memory {text!r} is less than one mebibyte (the suffix 'm' means thousandths); "
            f"write it as {_EXAMPLES['memory']}"
        )
    return text


def check_scale(minimum: int, maximum: int) -> tuple[int, int]:
    """The replica range ``minimum..maximum``: 0 or more, at least 1, in order."""
    if minimum < 0:
        raise DeployError(f"--min-scale {minimum} must be 0 (scale to zero when idle) or more")
    if maximum < 1:
        raise DeployError(f"--max-scale {maximum} must be at least 1")
    if minimum > maximum:
        raise DeployError(f"--min-scale {minimum} is above --max-scale {maximum}; give a minimum at most the maximum")
    return minimum, maximum


def default_service_name(stem: str) -> str:
    """A Kubernetes name made from a script's file name: ``dictionary_ner`` -> ``dictionary-ner``."""
    name = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name)[:MAX_NAME_LENGTH].rstrip("-")
    return name


def check_service_name(name: str) -> str:
    """``name`` if Kubernetes and Knative accept it as the service's name (a short DNS-1035 label)."""
    if not name:
        raise DeployError("the service name is empty; give one with --name, e.g. --name my-ner")
    if not _DNS_1035_LABEL.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        raise DeployError(
            f"--name {name!r} is not a valid service name: use at most {MAX_NAME_LENGTH} lower-case letters, "
            "digits and '-', starting with a letter and ending with a letter or digit"
        )
    return name


def check_lt_class(name: str) -> str:
    """``name`` if it is an LT class of the ELG vocabulary (``NamedEntityRecognition``; the full URI works too)."""
    local = name.rsplit("/", 1)[-1]
    if local in lt_classes():
        return local
    folded = {known.lower(): known for known in lt_classes()}
    suggestion = folded.get(local.lower().replace(" ", "").replace("-", "").replace("_", ""))
    hint = f"did you mean {suggestion!r}?" if suggestion else "run 'deploy --list-lt-classes' to see them all"
    raise DeployError(f"--lt-class {name!r} is not an LT class of the ELG vocabulary; {hint}")


def check_condition_of_use(name: str) -> str:
    """``name`` if it is a condition of use of the ELG vocabulary (``attribution``; the full URI works too)."""
    local = name.rsplit("/", 1)[-1]
    if local in conditions_of_use():
        return local
    folded = {known.lower(): known for known in conditions_of_use()}
    suggestion = folded.get(local.lower().replace(" ", "").replace("-", "").replace("_", ""))
    hint = f"did you mean {suggestion!r}?" if suggestion else f"give one of {', '.join(conditions_of_use())}"
    raise DeployError(f"--condition-of-use {name!r} is not a condition of use of the ELG vocabulary; {hint}")


def check_language(tag: str) -> str:
    """``tag`` as a normalised BCP 47 tag (``en``, ``en-GB``, ``sr-Latn``) whose parts ELG knows."""
    parts = tag.replace("_", "-").split("-")
    language, rest = parts[0].lower(), parts[1:]
    normalised = [language]
    problem = None if language in language_ids() else f"{parts[0]!r} is not an ISO 639 language code"
    if problem is None and rest and len(rest[0]) == 4 and rest[0].isalpha():
        script = rest.pop(0).title()
        normalised.append(script)
        if script not in script_ids():
            problem = f"{script!r} is not an ISO 15924 script code"
    if problem is None and rest and re.fullmatch(r"[A-Za-z]{2}|[0-9]{3}", rest[0]):
        region = rest.pop(0).upper()
        normalised.append(region)
        if region not in region_ids():
            problem = f"{region!r} is not a region code"
    if problem is None and rest:
        problem = f"{'-'.join(rest)!r} is neither a script nor a region"
    if problem is not None:
        raise DeployError(f"--language {tag!r}: {problem}; give a BCP 47 tag such as 'en', 'de-AT' or 'sr-Latn'")
    return "-".join(normalised)


def concrete_path(path: str, values: Mapping[str, str]) -> str:
    """``path`` with each URL variable replaced by its value from ``--path-value NAME=VALUE``."""
    names = [variable.name for variable in url_variables(path)]
    missing = [name for name in names if name not in values]
    if missing:
        example = " ".join(f"--path-value {name}=VALUE" for name in missing)
        raise DeployError(
            f"path {path} has URL variables ({', '.join(missing)}) and ELG calls one fixed URL; "
            f"give their values with {example}"
        )
    for name in names:
        if not _PATH_VALUE.fullmatch(values[name]):
            raise DeployError(
                f"--path-value {name}={values[name]!r} must be letters, digits and '.', '_', '~', '-' only"
            )
    return fill_path(path, lambda variable: values[variable.name])


def path_pattern(path: str) -> re.Pattern[str]:
    """A pattern matching the concrete paths of ``path`` (each URL variable one path segment)."""
    return re.compile(fill_path(path, lambda variable: "[^/]+", re.escape))
