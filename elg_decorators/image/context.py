"""Checks on what goes into an image: paths inside the build context and image references."""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from collections.abc import Sequence

from ..errors import BuildError

__all__ = [
    "ImageReference",
    "parse_reference",
    "validate_build_tag",
    "DEPENDENCIES_TAG",
    "context_path",
    "context_paths",
]

# The grammar of github.com/distribution/reference (reference.go), as regular expressions.
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_IPV6 = r"\[[a-fA-F0-9:]+\]"
_DOMAIN = rf"(?:{_DOMAIN_NAME}|{_IPV6})(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_PATH = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG_RE = re.compile(rf"{_TAG}", re.ASCII)
_DIGEST_RE = re.compile(_DIGEST, re.ASCII)
_PATH_RE = re.compile(_PATH, re.ASCII)
_DOMAIN_RE = re.compile(_DOMAIN, re.ASCII)
_NAME_MAX = 255
#: The tag, in an image's repository, under which its dependencies stage is kept (see .leftovers).
DEPENDENCIES_TAG = "dependencies"

# Characters a .dockerignore line, a COPY source or the entrypoint's shell quoting would read
# as a pattern, a variable or a line break.
_UNSAFE_PATH_CHARS = frozenset("*?[]\\\n\r\t\"$`")


class ImageReference(NamedTuple):
    """An image reference split into its parts (``domain`` is ``""`` when not given)."""

    domain: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def repository(self) -> str:
        """The name without tag or digest, as ``docker push`` expects it."""
        return f"{self.domain}/{self.path}" if self.domain else self.path

    def __str__(self) -> str:
        text = self.repository
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def _split(reference: str) -> tuple[str, str | None, str | None]:
    name, digest = reference, None
    if "@" in name:
        name, digest = name.split("@", 1)
    tag = None
    # A colon after the last slash separates the tag; one before it belongs to a registry port.
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return name, tag, digest


def _split_domain(name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    # Docker's rule: only a first component that looks like a host (a dot, a port or
    # "localhost") names a registry. Docker also takes an upper-case one for a host, but that
    # is nearly always a mistyped repository, so it is reported as one.
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return "", name


def parse_reference(reference: str) -> ImageReference:
    """Parse and validate an image reference such as ``registry.example.org:5000/me/ner:1.0``.

    :param reference: ``[host[:port]/]path[:tag][@digest]``.
    :returns: the parts of the reference.
    :raises BuildError: naming what is wrong and how to write it instead.
    """
    def fail(why: str) -> BuildError:
        return BuildError(f"invalid image reference {reference!r}: {why}")

    if not reference:
        raise fail("it is empty; give one such as 'registry.example.org/me/ner:1.0'")
    if any(ch.isspace() for ch in reference):
        raise fail("it must not contain spaces; write it as 'name:tag', e.g. 'me/ner:1.0'")
    name, tag, digest = _split(reference)
    domain, path = _split_domain(name)
    if domain and not _DOMAIN_RE.fullmatch(domain):
        raise fail(f"{domain!r} is not a valid registry host[:port]")
    if not path:
        raise fail("the repository name is missing; e.g. 'me/ner:1.0'")
    if path != path.lower() and _PATH_RE.fullmatch(path.lower()):
        suggestion = str(ImageReference(domain, path.lower(), tag, digest))
        raise fail(f"repository names must be lowercase (try {suggestion!r})")
    if not _PATH_RE.fullmatch(path):
        raise fail(
            f"repository path {path!r} may contain only lowercase letters, digits and single "
            "'.', '_', '__' or '-' separators between them, in '/'-separated components"
        )
    if len(name) > _NAME_MAX:
        raise fail(f"the name is longer than {_NAME_MAX} characters")
    if tag is not None and not _TAG_RE.fullmatch(tag):
        raise fail(
            f"tag {tag!r} may contain only letters, digits, '_', '.' and '-', must not start "
            "with '.' or '-', and is at most 128 characters long"
        )
    if digest is not None and not _DIGEST_RE.fullmatch(digest):
        raise fail(f"digest {digest!r} must look like 'sha256:' followed by 64 hex digits")
    return ImageReference(domain, path, tag, digest)


def validate_build_tag(reference: str) -> ImageReference:
    """Validate the name an image is built under: a reference without a digest.

    :raises BuildError: if the reference is invalid, carries a digest, or the tag is
        :data:`DEPENDENCIES_TAG`.
    """
    ref = parse_reference(reference)
    if ref.digest is not None:
        raise BuildError(
            f"cannot build {reference!r}: a digest identifies an existing image; "
            f"tag the build as 'name:tag' instead, e.g. {ref.repository + ':' + (ref.tag or 'latest')!r}"
        )
    if ref.tag == DEPENDENCIES_TAG:
        raise BuildError(
            f"cannot build {reference!r}: the tag {DEPENDENCIES_TAG!r} names the stage the image's dependencies "
            f"are installed in, which build keeps for the next build; choose another tag, e.g. {ref.repository}:1.0"
        )
    return ref


def context_path(context: Path, name: str | Path, *, kind: str = "file") -> str:
    """Check that ``name`` exists inside the build ``context`` and return it relative to it.

    :param context: the build context folder.
    :param name: a path relative to the context, or an absolute path inside it.
    :param kind: ``"file"`` or ``"folder"``; what ``name`` must be.
    :returns: the path relative to the context, with ``/`` separators.
    :raises BuildError: if the path is missing, of the wrong kind, outside the context, or
        contains characters Docker would read as a pattern.
    """
    text = str(name)
    if not text.strip():
        raise BuildError(f"an empty {kind} name was given; name a {kind} inside {context}")
    bad = sorted(set(text) & _UNSAFE_PATH_CHARS)
    if bad:
        raise BuildError(
            f"{kind} {text!r} contains {''.join(bad)!r}, which Docker or the shell would read "
            "as a pattern, a variable or a line break; rename it"
        )
    root = context.resolve()
    candidate = Path(text)
    full = (candidate if candidate.is_absolute() else root / candidate).resolve()
    try:
        relative = full.relative_to(root)
    except ValueError:
        raise BuildError(
            f"{kind} {text!r} lies outside the build context {root}; Docker can only copy what "
            "is inside it: move it into that folder"
        ) from None
    if relative == Path("."):
        raise BuildError(f"{kind} {text!r} is the build context itself; name what is inside it")
    if kind == "folder":
        if not full.is_dir():
            raise BuildError(f"folder {text!r} does not exist in {root} (or is not a folder)")
    elif not full.is_file():
        raise BuildError(f"file {text!r} does not exist in {root} (or is not a file)")
    posix = PurePosixPath(*relative.parts).as_posix()
    if posix.startswith(("#", "!")):
        raise BuildError(f"{kind} {text!r} starts with {posix[0]!r}, which .dockerignore reads specially; rename it")
    return posix


def context_paths(context: Path, names: Sequence[str | Path], *, kind: str = "file") -> list[str]:
    """Check several paths with :func:`context_path`; duplicates are dropped, order is kept."""
    return list(dict.fromkeys(context_path(context, name, kind=kind) for name in names))
