"""What the image runs on: the base image's Python version, C library and architecture.

The wheels of the image are chosen for these, not for the machine that runs ``build``, so the
base image is asked, by running its own ``python3`` in the engine that will build the image.
"""
from __future__ import annotations

import json
import platform
import re
import sys
from importlib import metadata
from dataclasses import dataclass
from typing import Any

from ..errors import BuildError

__all__ = ["TargetPlatform", "probe_base_image", "MINIMUM_PYTHON"]

def _oldest_supported_python() -> tuple[int, int]:
    """The oldest Python the framework runs on, from its own ``Requires-Python`` (``>=3.10``)."""
    requires = metadata.metadata("elg_decorators")["Requires-Python"] or ""
    found = re.search(r">=\s*(\d+)\.(\d+)", requires)
    return (int(found.group(1)), int(found.group(2))) if found else sys.version_info[:2]


#: The oldest Python the framework runs on.
MINIMUM_PYTHON = _oldest_supported_python()

# Run by the base image's python3: one JSON line, and only the standard library.
_PROBE = (
    "import json, os, platform, sys, importlib.util as u; "
    "print(json.dumps({'python': list(sys.version_info[:2]), 'machine': platform.machine(), "
    "'libc': list(platform.libc_ver()), 'debian': os.path.exists('/etc/debian_version'), "
    "'venv': u.find_spec('venv') is not None and u.find_spec('ensurepip') is not None}))"
)
_OLDEST_MANYLINUX_GLIBC = 17  # manylinux2014, the oldest still published for most projects
_LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
# What other systems call the CPU architectures Linux calls x86_64 and aarch64.
_LINUX_MACHINE = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}


@dataclass(frozen=True)
class TargetPlatform:
    """The Python, glibc and CPU architecture wheels must be chosen for."""

    python: tuple[int, int]
    machine: str
    glibc: tuple[int, int]

    @classmethod
    def of_this_machine(cls) -> TargetPlatform:
        """The running interpreter's platform (for when no engine can be asked; glibc 2.17 off Linux)."""
        name, version = platform.libc_ver()
        glibc = tuple(int(part) for part in version.split(".")[:2]) if name == "glibc" else (2, 17)
        machine = platform.machine()
        machine = _LINUX_MACHINE.get(machine.lower(), machine)
        return cls((sys.version_info[0], sys.version_info[1]), machine, glibc)  # type: ignore[arg-type]

    def describe(self) -> str:
        """E.g. ``Python 3.11, x86_64, glibc 2.36``."""
        return f"Python {self.python[0]}.{self.python[1]}, {self.machine}, glibc {self.glibc[0]}.{self.glibc[1]}"

    def platform_tags(self) -> list[str]:
        """Every manylinux platform tag this glibc runs, newest first."""
        major, minor = self.glibc
        tags = []
        for version in range(minor, _OLDEST_MANYLINUX_GLIBC - 1, -1):
            tags.append(f"manylinux_{major}_{version}_{self.machine}")
            if version in _LEGACY_MANYLINUX:
                tags.append(f"{_LEGACY_MANYLINUX[version]}_{self.machine}")
        if self.machine in ("x86_64", "i686"):
            tags += [f"manylinux2010_{self.machine}", f"manylinux1_{self.machine}"]
        return tags

    def pip_options(self) -> list[str]:
        """Options of ``pip download`` that choose wheels for this platform (binary only)."""
        version = f"{self.python[0]}{self.python[1]}"
        options = ["--only-binary=:all:", "--implementation", "cp", "--python-version", version,
                   "--abi", f"cp{version}"]
        for tag in self.platform_tags():
            options += ["--platform", tag]
        return options


def _parse_probe(image: str, output: str) -> dict[str, Any]:
    for line in reversed(output.splitlines()):
        try:
            answer = json.loads(line)
        except ValueError:
            continue
        if isinstance(answer, dict):
            return answer
    raise BuildError(f"base image {image!r} did not answer the Python check: {output.strip()[-300:]!r}")


def _not_suitable(image: str, why: str) -> BuildError:
    return BuildError(
        f"base image {image!r} {why}; use a Debian-based image with Python {MINIMUM_PYTHON[0]}.{MINIMUM_PYTHON[1]} "
        "or newer and its venv module, e.g. python:3.11-slim"
    )


def probe_base_image(client: Any, image: str) -> TargetPlatform:
    """Run ``python3`` in ``image`` (no network, removed afterwards) and check that it can carry a service.

    :param client: a ``docker.DockerClient``; ``image`` must be present in its engine.
    :raises BuildError: if the image has no ``python3``, is not Debian-based, has a Python older
        than the framework needs, or lacks the ``venv`` module.
    """
    import docker.errors

    api = client.api
    try:
        container = api.create_container(image, entrypoint=["python3", "-c", _PROBE], user="0",
                                         network_disabled=True, host_config=api.create_host_config(network_mode="none"))
    except docker.errors.ImageNotFound:
        raise BuildError(f"base image {image!r} is not in the Docker engine; pull it, or drop --no-pull") from None
    try:
        try:
            api.start(container)
        except docker.errors.APIError as err:
            if "executable file not found" in str(err) or "no such file" in str(err).lower():
                raise _not_suitable(image, "has no python3") from None
            raise
        status = api.wait(container, timeout=120).get("StatusCode")
        output = api.logs(container, stdout=True, stderr=True).decode("utf-8", "replace")
    finally:
        api.remove_container(container, force=True)
    if status != 0:
        raise _not_suitable(image, f"could not run python3 (exit status {status}: {output.strip()[-200:]!r})")
    answer = _parse_probe(image, output)
    if not answer.get("debian"):
        raise _not_suitable(image, "is not Debian-based (no /etc/debian_version)")
    libc_name, libc_version = answer.get("libc") or ["", ""]
    if libc_name != "glibc":
        raise _not_suitable(image, "has no glibc")
    python = tuple(answer["python"])
    if python < MINIMUM_PYTHON:
        raise _not_suitable(image, f"has Python {python[0]}.{python[1]}")
    if not answer.get("venv"):
        raise _not_suitable(image, "has no venv module (on Debian: the python3-venv package)")
    glibc = tuple(int(part) for part in str(libc_version).split(".")[:2])
    return TargetPlatform(python, str(answer["machine"]), glibc)  # type: ignore[arg-type]
