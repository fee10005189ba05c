"""The ``requirements.txt`` installed into the image: the framework, gunicorn and the user's own."""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path
from typing import NamedTuple, Sequence

from ..version import __version__
from ..errors import BuildError

__all__ = ["requirement_lines", "write_requirements", "canonical_name"]

_NAME_RE = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)", re.ASCII | re.S)
_INCLUDE_OPTIONS = ("-r", "--requirement")
# Options that change where pip looks for packages: kept, since the image needs them too.
_KEPT_OPTIONS = (
    "-i", "--index-url", "--extra-index-url", "--trusted-host", "-f", "--find-links",
    "--pre", "--prefer-binary", "--only-binary", "--no-binary",
)


def canonical_name(name: str) -> str:
    """Normalise a distribution name as PEP 503 does (``Foo.Bar_baz`` -> ``foo-bar-baz``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


class _Requirement(NamedTuple):
    key: str  # canonical name, or the whole line for a requirement without one (a URL)
    name: str | None
    extras: str
    rest: str  # version specifiers, "@ url" and/or "; marker"
    line: str

    @property
    def unversioned(self) -> bool:
        spec = self.rest.split(";", 1)[0].strip()
        return self.name is not None and not spec


def _parse(line: str) -> _Requirement:
    match = _NAME_RE.fullmatch(line)
    if match is None:
        return _Requirement(line, None, "", "", line)
    name, extras, rest = match.group(1), match.group(2) or "", match.group(3).strip()
    if rest and rest[0] not in "<>=!~;@(":
        # Not "name<spec>": a path or URL such as ./wheels/x.whl or git+https://...
        return _Requirement(line, None, "", "", line)
    return _Requirement(canonical_name(name), name, extras.replace(" ", ""), rest, line)


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if raw.endswith("\\"):
            pending += raw[:-1]
            continue
        raw, pending = pending + raw, ""
        # pip's rule: a comment starts at "#" at the start or after whitespace.
        raw = " ".join(re.sub(r"(^|\s+)#.*$", "", raw).split())
        if raw:
            lines.append(raw)
    if pending.strip():
        lines.append(pending.strip())
    return lines


def _read_file(path: Path, seen: tuple[Path, ...]) -> tuple[list[str], list[str]]:
    """Return (option lines, requirement lines) of a requirements file, following ``-r``."""
    resolved = path.resolve()
    if resolved in seen:
        raise BuildError(f"requirements file {path} includes itself (through {seen[-1]}); remove the loop")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise BuildError(f"cannot read requirements file {path}: {err.strerror or err}") from None
    options: list[str] = []
    requirements: list[str] = []
    for line in _logical_lines(text):
        if not line.startswith("-"):
            requirements.append(line)
            continue
        option, value = _split_option(line)
        if option in _INCLUDE_OPTIONS:
            more_options, more = _read_file(path.parent / value, seen + (resolved,))
            options += more_options
            requirements += more
        elif option in _KEPT_OPTIONS:
            options.append(line)
        else:
            raise BuildError(
                f"{path}: {line!r} cannot be used in an image build (the image does not have the "
                "files it refers to); list the requirements themselves instead"
            )
    return options, requirements


def _split_option(line: str) -> tuple[str, str]:
    match = re.match(r"(-{1,2}[A-Za-z-]+)(?:\s*=\s*|\s+|$)(.*)", line)
    if match is None:
        return line, ""
    return match.group(1), match.group(2).strip()


def _merge(requirements: Sequence[str]) -> dict[str, _Requirement]:
    merged: dict[str, _Requirement] = {}
    for line in requirements:
        req = _parse(line.strip())
        old = merged.get(req.key)
        # A later spec replaces an earlier one, but a bare name does not drop a version.
        if old is None or not req.unversioned or old.unversioned:
            merged[req.key] = req
    return merged


def _pinned(req: _Requirement) -> str:
    try:
        version = metadata.version(req.name or "")
    except metadata.PackageNotFoundError:
        raise BuildError(
            f"cannot pin {req.name!r}: it is not installed in this Python environment; install it, "
            f"or give a version yourself (e.g. '{req.name}==1.0')"
        ) from None
    marker = req.rest.split(";", 1)
    suffix = f"; {marker[1].strip()}" if len(marker) == 2 else ""
    return f"{req.name}{req.extras}=={version}{suffix}"


def requirement_lines(
    requirements: Sequence[str] = (),
    *,
    requirements_file: Path | None = None,
    pin: bool = False,
) -> list[str]:
    """Compute the lines of the image's ``requirements.txt`` (see :func:`write_requirements`).

    :returns: pip option lines (``--index-url`` …) in the order first given, then the
        requirements sorted by canonical distribution name.
    :raises BuildError: for an unreadable file, an unusable option line, or a distribution
        to pin that is not installed.
    """
    options: list[str] = []
    user: list[str] = []
    if requirements_file is not None:
        options, user = _read_file(Path(requirements_file), ())
    for line in requirements:
        if line.strip().startswith("-"):
            raise BuildError(f"{line!r} is a pip option, not a requirement; put it in a requirements file")
        user += _logical_lines(line)
    ours = [f"elg_decorators=={__version__}", "gunicorn"]
    merged = _merge(ours)
    merged.update(_merge(user))  # the user's spec wins over ours
    ordered = sorted(merged.values(), key=lambda r: (r.name is None, r.key, r.line))
    lines = [_pinned(r) if pin and r.unversioned else r.line for r in ordered]
    return list(dict.fromkeys(options)) + lines


def write_requirements(
    directory: Path,
    requirements: Sequence[str] = (),
    *,
    requirements_file: Path | None = None,
    pin: bool = False,
) -> Path:
    """Write ``directory/requirements.txt`` for the image.

    It lists ``elg_decorators`` at the running version, ``gunicorn`` and the given requirements,
    one per distribution (PEP 503 names; a spec given here replaces the framework's own), sorted,
    so that the same inputs always give the same bytes and Docker can reuse its cached layer.

    .. code-block:: python

        write_requirements(Path("."), ["spacy>=3.7"], requirements_file=Path("reqs.txt"))

    :param directory: the build context folder.
    :param requirements: requirement specifiers such as ``"spacy>=3.7"``.
    :param requirements_file: a pip requirements file to add; comments and blank lines are
        skipped, ``-r`` includes are followed, index options are kept.
    :param pin: pin every distribution given without a version to the version installed here.
    :returns: the path of the file written.
    :raises BuildError: see :func:`requirement_lines`.
    """
    lines = requirement_lines(requirements, requirements_file=requirements_file, pin=pin)
    target = Path(directory) / "requirements.txt"
    target.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return target
