"""The image's ``requirements.txt``: the framework at the installed version and the user's requirements.

Requirements are read with ``packaging``'s grammar (PEP 508), the one pip uses, so a line pip
would refuse is refused here, before anything is downloaded or built.
"""
from __future__ import annotations

import re
import shlex
from importlib import metadata
from pathlib import Path
from typing import NamedTuple
from collections.abc import Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..errors import BuildError
from .generated import GENERATED_HEADER
from .wheel import DISTRIBUTION, framework_version

__all__ = ["requirement_lines", "render_requirements", "write_requirements", "canonical_name"]

_INCLUDE_OPTIONS = ("-r", "--requirement")
# Options that change where pip looks for packages: kept, since the host-side download needs them.
_KEPT_OPTIONS = (
    "-i", "--index-url", "--extra-index-url", "--trusted-host", "-f", "--find-links", "--pre",
)
_FIND_LINKS_OPTIONS = ("-f", "--find-links")
_HEADER = (
    f"{GENERATED_HEADER}: the service's requirements. The wheels of these and of all their\n"
    "# dependencies are downloaded into wheels/ and pinned, with their hashes, in requirements.lock.\n"
)


def canonical_name(name: str) -> str:
    """Normalise a distribution name as PEP 503 does (``Foo.Bar_baz`` -> ``foo-bar-baz``)."""
    return str(canonicalize_name(name))


class _Line(NamedTuple):
    requirement: Requirement
    text: str

    @property
    def key(self) -> str:
        return canonical_name(self.requirement.name)

    @property
    def unversioned(self) -> bool:
        return not self.requirement.specifier and self.requirement.url is None


def _parse(text: str, where: str) -> _Line:
    try:
        return _Line(Requirement(text), text)
    except InvalidRequirement as err:
        first = str(err).splitlines()[0]
        raise BuildError(
            f"{where}{text!r} is not a valid requirement ({first}); write it as pip does, e.g. "
            "'regex>=2023.1', 'spacy[lookups]==3.7.4' or 'name @ https://example.org/name-1.0-py3-none-any.whl'"
        ) from None


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


def _split_option(line: str) -> tuple[str, str]:
    match = re.match(r"(-{1,2}[A-Za-z-]+)(?:\s*=\s*|\s+|$)(.*)", line)
    if match is None:
        return line, ""
    return match.group(1), match.group(2).strip()


def _find_links_line(option: str, value: str, folder: Path) -> str:
    """A ``--find-links`` line whose local folder is named from the requirements file's folder, made absolute:
    the generated requirements.txt lives in the build folder, where the relative path would lead elsewhere."""
    if "://" in value or not value or Path(value).is_absolute() or not (folder / value).exists():
        return f"{option} {value}".strip()
    return f"{option} {shlex.quote(str((folder / value).resolve()))}"


def _read_file(path: Path, seen: tuple[Path, ...]) -> tuple[list[str], list[_Line]]:
    """Return (option lines, requirements) of a requirements file, following ``-r``."""
    resolved = path.resolve()
    if resolved in seen:
        raise BuildError(f"requirements file {path} includes itself (through {seen[-1]}); remove the loop")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise BuildError(f"cannot read requirements file {path}: {err.strerror or err}") from None
    options: list[str] = []
    requirements: list[_Line] = []
    for line in _logical_lines(text):
        if not line.startswith("-"):
            requirements.append(_parse(line, f"{path}: "))
            continue
        option, value = _split_option(line)
        if option in _INCLUDE_OPTIONS:
            more_options, more = _read_file(path.parent / value, seen + (resolved,))
            options += more_options
            requirements += more
        elif option in _FIND_LINKS_OPTIONS:
            options.append(_find_links_line(option, value, path.parent))
        elif option in _KEPT_OPTIONS:
            options.append(line)
        else:
            raise BuildError(
                f"{path}: {line!r} cannot be used in an image build (the image does not have the "
                "files it refers to); list the requirements themselves instead"
            )
    return options, requirements


def _merge(lines: Sequence[_Line]) -> dict[str, _Line]:
    merged: dict[str, _Line] = {}
    for line in lines:
        old = merged.get(line.key)
        # A later spec replaces an earlier one, but a bare name does not drop a version.
        if old is None or not line.unversioned or old.unversioned:
            merged[line.key] = line
    return merged


def _pinned(line: _Line) -> str:
    requirement = line.requirement
    try:
        version = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        raise BuildError(
            f"cannot pin {requirement.name!r}: it is not installed in this Python environment; install it, "
            f"or give a version yourself (e.g. '{requirement.name}==1.0')"
        ) from None
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    marker = f"; {requirement.marker}" if requirement.marker is not None else ""
    return f"{requirement.name}{extras}=={version}{marker}"


def _framework_line(user: _Line | None) -> str:
    version = framework_version()
    if user is not None:
        requirement = user.requirement
        if requirement.url or not requirement.specifier.contains(version, prereleases=True):
            raise BuildError(
                f"the requirement {user.text!r} asks for another {DISTRIBUTION} than the one installed here "
                f"({version}), whose wheel the image gets; leave {DISTRIBUTION} out of the requirements, or "
                "install that version"
            )
    return f"{DISTRIBUTION}=={version}"


def requirement_lines(
    requirements: Sequence[str] = (),
    *,
    requirements_file: Path | None = None,
    pin: bool = False,
) -> list[str]:
    """Compute the lines of the image's ``requirements.txt`` (see :func:`write_requirements`).

    :returns: pip option lines (``--index-url`` …) in the order first given, then the
        requirements sorted by canonical distribution name.
    :raises BuildError: for an invalid requirement, an unreadable file, an unusable option line,
        or a distribution to pin that is not installed.
    """
    options: list[str] = []
    user: list[_Line] = []
    if requirements_file is not None:
        options, user = _read_file(Path(requirements_file), ())
    for text in requirements:
        if text.strip().startswith("-"):
            raise BuildError(f"{text!r} is a pip option, not a requirement; put it in a requirements file")
        user += [_parse(line, "") for line in _logical_lines(text)]
    merged = _merge(user)
    framework = _framework_line(merged.pop(canonical_name(DISTRIBUTION), None))
    lines = {canonical_name(DISTRIBUTION): framework}
    for key, line in merged.items():
        lines[key] = _pinned(line) if pin and line.unversioned else line.text
    return list(dict.fromkeys(options)) + [lines[key] for key in sorted(lines)]


def render_requirements(
    requirements: Sequence[str] = (), *, requirements_file: Path | None = None, pin: bool = False
) -> str:
    """The text of ``requirements.txt``, with its header (see :func:`write_requirements`)."""
    lines = requirement_lines(requirements, requirements_file=requirements_file, pin=pin)
    return _HEADER + "\n".join(lines) + "\n"


def write_requirements(
    directory: Path,
    requirements: Sequence[str] = (),
    *,
    requirements_file: Path | None = None,
    pin: bool = False,
) -> Path:
    """Write ``directory/requirements.txt`` for the image.

    It lists ``elg_decorators`` at the installed version (the image gets a wheel made from this
    installation) and the given requirements, one per distribution (PEP 503 names), sorted, so
    that the same inputs always give the same bytes and Docker can reuse its cached layers.

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
    text = render_requirements(requirements, requirements_file=requirements_file, pin=pin)
    target = Path(directory) / "requirements.txt"
    target.write_bytes(text.encode("utf-8"))
    return target
