"""The framework's own wheel, made from the installed distribution.

No package index needs to have the running version: the image gets exactly the code that runs
here. The wheel is built byte for byte the same from the same files (fixed timestamps and
permissions, sorted entries), so that its hash in the lock file, and with it Docker's cached
dependency layer, changes only when the framework's code does.

Run from a source tree (an editable install, or the package on ``PYTHONPATH``), the code comes
from that tree, and so do the requirements: those its ``setup.cfg`` declares now, not those an
older install recorded. The image thus gets the run-time requirements of the code it runs.
"""
from __future__ import annotations

import base64
import configparser
import hashlib
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from ..errors import BuildError
from ..version import __version__

__all__ = ["DISTRIBUTION", "framework_version", "framework_wheel"]

DISTRIBUTION = "elg_decorators"
_PACKAGE = Path(__file__).resolve().parents[1]
_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip file can record
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_REQUIREMENT_FIELDS = ("Requires-Dist:", "Provides-Extra:")


def framework_version() -> str:
    """The version of the framework's code that runs here, which the image gets."""
    return __version__


def _metadata_text(distribution: metadata.Distribution) -> str:
    # A wheel's METADATA; setuptools' development installs call the same file PKG-INFO.
    for name in ("METADATA", "PKG-INFO"):
        text = distribution.read_text(name)
        if text:
            return text
    raise BuildError(f"the installed {DISTRIBUTION} distribution has no metadata; reinstall it with pip")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#")]


def _source_requirements() -> list[str] | None:
    """The ``Requires-Dist``/``Provides-Extra`` fields the source tree's ``setup.cfg`` declares, or None."""
    setup_cfg = _PACKAGE.parent / "setup.cfg"
    if not setup_cfg.is_file():
        return None  # an installed package: its metadata is that of its code
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(setup_cfg, encoding="utf-8")
        if parser.get("metadata", "name", fallback=None) != DISTRIBUTION:
            return None
        fields = [f"Requires-Dist: {line}" for line in _lines(parser.get("options", "install_requires", fallback=""))]
        extras = parser.items("options.extras_require") if parser.has_section("options.extras_require") else []
        for extra, value in extras:
            fields.append(f"Provides-Extra: {extra}")
            for line in _lines(value):
                requirement = Requirement(line)
                marker = f"({requirement.marker}) and " if requirement.marker is not None else ""
                requirement.marker = None
                fields.append(f'Requires-Dist: {requirement}; {marker}extra == "{extra}"')
    except (configparser.Error, InvalidRequirement) as err:
        raise BuildError(f"cannot read the requirements in {setup_cfg}: {err}") from None
    return fields


def _current_metadata(text: str) -> str:
    """The installed metadata with the code's version and, in a source tree, its current requirements."""
    head, separator, body = text.partition("\n\n")
    fields = _source_requirements()
    lines = []
    for line in head.splitlines():
        if line.startswith("Version:"):
            line = f"Version: {framework_version()}"
        elif fields is not None and line.startswith(_REQUIREMENT_FIELDS):
            continue
        lines.append(line)
    lines += fields or []
    return "\n".join(lines) + (separator + body if separator else "\n")


def _installed() -> metadata.Distribution:
    try:
        return metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise BuildError(
            f"{DISTRIBUTION} is not installed in this Python environment, so its wheel cannot be made for the "
            "image; install it with 'pip install elg_decorators' (or 'pip install -e .' in its source tree)"
        ) from None


def _package_files() -> list[tuple[str, bytes]]:
    files = []
    for path in sorted(_PACKAGE.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in _SKIPPED_SUFFIXES:
            continue
        files.append((f"{_PACKAGE.name}/{path.relative_to(_PACKAGE).as_posix()}", path.read_bytes()))
    return files


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{name},sha256={digest},{len(data)}"


def framework_wheel(folder: Path) -> Path:
    """Write the wheel of the installed framework into ``folder`` and return its path.

    The files are those of the imported ``elg_decorators`` package (so a development install
    gives the working tree's code), the metadata that of the installed distribution, with the
    requirements of the source tree's ``setup.cfg`` when the package is imported from one.

    :raises BuildError: if the framework is not installed as a distribution.
    """
    distribution = _installed()
    version = framework_version()
    dist_info = f"{DISTRIBUTION}-{version}.dist-info"
    members = _package_files()
    members.append((f"{dist_info}/METADATA", _current_metadata(_metadata_text(distribution)).encode("utf-8")))
    wheel_text = "Wheel-Version: 1.0\nGenerator: elg_decorators\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    members.append((f"{dist_info}/WHEEL", wheel_text.encode("ascii")))
    entry_points = distribution.read_text("entry_points.txt")
    if entry_points:
        members.append((f"{dist_info}/entry_points.txt", entry_points.encode("utf-8")))
    members.append((f"{dist_info}/top_level.txt", f"{_PACKAGE.name}\n".encode("ascii")))
    record = "".join(_record_line(name, data) + "\n" for name, data in members) + f"{dist_info}/RECORD,,\n"
    members.append((f"{dist_info}/RECORD", record.encode("utf-8")))

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{DISTRIBUTION}-{version}-py3-none-any.whl"
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    partial.replace(target)
    return target
