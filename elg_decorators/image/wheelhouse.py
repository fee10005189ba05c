"""The wheelhouse of an image: every Python package it installs, as a wheel in the build context.

``pip download`` runs here, on the machine that runs ``build`` (which reaches the package index,
or the proxy or mirror its pip is set up for), and picks wheels for the image's platform: the
base image's Python version, glibc and CPU architecture (see :mod:`.target`). The framework's own
wheel is made from its installation (see :mod:`.wheel`); a project that publishes only its source
gets its wheel built here, when that wheel is pure Python and so fits any platform.
``requirements.lock`` then pins every wheel with its hash, and the image installs them with no
index, so no build step needs a network.

When ``requirements.txt``, the platform and the framework's wheel are those the lock was made
from, and every wheel it names is there with its hash, nothing is downloaded again.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from ..errors import BuildError
from .generated import GENERATED_HEADER, LOCK_FILE, WHEELHOUSE, write_generated
from .target import TargetPlatform
from .wheel import framework_wheel

__all__ = ["prepare_wheelhouse", "WHEELHOUSE", "LOCK_FILE"]

_INPUTS_PREFIX = "# inputs: sha256:"
_PIP_TIMEOUT = 1800
_MISSING_RE = re.compile(r"No matching distribution found for (\S+)")
_MAX_SOURCE_BUILDS = 20


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inputs_digest(requirements: Path, target: TargetPlatform, own_wheel: Path) -> str:
    digest = hashlib.sha256()
    digest.update(requirements.read_bytes())
    digest.update(" ".join(target.pip_options()).encode("ascii"))
    digest.update(own_wheel.name.encode("utf-8") + _sha256(own_wheel).encode("ascii"))
    return digest.hexdigest()


def _lock_is_current(context: Path, inputs: str) -> bool:
    lock = context / LOCK_FILE
    if not lock.is_file():
        return False
    lines = lock.read_text(encoding="utf-8").splitlines()
    if f"{_INPUTS_PREFIX}{inputs}" not in lines:
        return False
    files = {path.name: path for path in (context / WHEELHOUSE).glob("*.whl")}
    locked = 0
    for line in lines:
        if " --hash=sha256:" not in line:
            continue
        digest, _, file_name = line.split(" --hash=sha256:", 1)[1].partition("  # ")
        path = files.get(file_name.strip())
        if path is None or _sha256(path) != digest.strip():
            return False
        locked += 1
    return locked == len(files)


def _render_lock(wheels: list[Path], target: TargetPlatform, inputs: str) -> str:
    lines = [
        f"{GENERATED_HEADER} from requirements.txt; regenerate it instead of editing it.",
        f"# The wheels in {WHEELHOUSE}/ for {target.describe()}, each with its hash: the image",
        "# installs exactly these, with pip install --no-index --require-hashes.",
        f"{_INPUTS_PREFIX}{inputs}",
    ]
    entries = []
    for wheel in wheels:
        name, version, _, _ = parse_wheel_filename(wheel.name)
        # The file name, after the hash, tells which wheel was locked; pip reads it as a comment.
        entries.append((str(name), f"{name}=={version} --hash=sha256:{_sha256(wheel)}  # {wheel.name}"))
    lines += [line for _, line in sorted(entries)]
    return "\n".join(lines) + "\n"


def _failure(output: str, target: TargetPlatform) -> BuildError:
    errors = [line.strip() for line in output.splitlines() if line.startswith("ERROR:")]
    reason = " ".join(errors) or output.strip()[-500:]
    hint = ""
    if "No matching distribution" in reason or "from versions: none" in reason:
        hint = (
            f"; the image needs wheels for {target.describe()} (a project that publishes only its source "
            "gets one built here when it is pure Python): choose a version that publishes one, or build "
            "the wheel yourself and add --find-links FOLDER to a --requirements-file"
        )
    return BuildError(f"downloading the image's Python packages failed: {reason}{hint}")


def _pip(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    command = [sys.executable, "-m", "pip", *arguments, "--disable-pip-version-check", "--progress-bar", "off"]
    try:
        return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=_PIP_TIMEOUT, cwd=str(cwd))
    except subprocess.TimeoutExpired:
        raise BuildError(f"pip {arguments[0]} of the image's Python packages took over {_PIP_TIMEOUT} s") from None


def _pure_wheel_from_source(requirement: str, into: Path, cwd: Path) -> Path | None:
    """Build the wheel of a project that publishes only its source; keep it if it is pure Python."""
    with tempfile.TemporaryDirectory(prefix="elg-sdist-") as scratch:
        if _pip(["wheel", "--no-deps", "--wheel-dir", scratch, requirement], cwd).returncode != 0:
            return None
        built = list(Path(scratch).glob("*.whl"))
        if len(built) != 1:
            return None
        tags = parse_wheel_filename(built[0].name)[3]
        if not all(tag.abi == "none" and tag.platform == "any" for tag in tags):
            return None  # compiled for this machine, not for the image
        return Path(shutil.move(str(built[0]), str(into / built[0].name)))


def _download(requirements: Path, own_wheel: Path, into: Path, target: TargetPlatform, previous: Path,
              output: TextIO) -> None:
    # Projects that publish only their source get a wheel built here when it is pure Python (it then
    # fits every platform); pip download finds those through --find-links.
    from_source = into.parent / "from-source"
    from_source.mkdir()
    arguments = ["download", "--dest", str(into), "--find-links", str(from_source), *target.pip_options(),
                 "-r", str(requirements), str(own_wheel)]
    if previous.is_dir():
        arguments[3:3] = ["--find-links", str(previous)]  # reuse what an earlier build downloaded
    tried: set[str] = set()
    while True:
        result = _pip(arguments, requirements.parent)
        if result.returncode == 0:
            break
        missing = _MISSING_RE.search(result.stdout)
        if missing is None or missing.group(1) in tried or len(tried) >= _MAX_SOURCE_BUILDS:
            raise _failure(result.stdout, target)
        tried.add(missing.group(1))
        wheel = _pure_wheel_from_source(missing.group(1), from_source, requirements.parent)
        if wheel is None:
            raise _failure(result.stdout, target)
        output.write(f"{missing.group(1)} publishes no wheel: built {wheel.name} from its source (pure Python)\n")
    strays = [path.name for path in into.iterdir() if not path.name.endswith(".whl")]
    if strays:
        raise BuildError(f"pip downloaded files that are not wheels ({', '.join(strays)}); report this as a bug")


def _check_wheels(wheels: list[Path]) -> None:
    for wheel in wheels:
        try:
            parse_wheel_filename(wheel.name)
        except InvalidWheelFilename:
            raise BuildError(f"{wheel.name} is not a valid wheel file name; remove it from the requirements") from None


def prepare_wheelhouse(context: Path, target: TargetPlatform, output: TextIO) -> Path:
    """Fill ``context/wheels`` and write ``context/requirements.lock`` for ``context/requirements.txt``.

    :param context: the build context, holding ``requirements.txt``.
    :param target: the platform of the image's base image.
    :param output: where to say what was done.
    :returns: the path of the lock file.
    :raises BuildError: if a requirement has no wheel for ``target`` or the download fails.
    """
    context = context.resolve()  # pip runs in another folder: a relative path would point elsewhere
    requirements = context / "requirements.txt"
    wheelhouse = context / WHEELHOUSE
    with tempfile.TemporaryDirectory(prefix="elg-wheels-") as scratch:
        fresh = Path(scratch) / WHEELHOUSE
        own_wheel = framework_wheel(Path(scratch) / "framework")
        inputs = _inputs_digest(requirements, target, own_wheel)
        if _lock_is_current(context, inputs):
            output.write(f"{LOCK_FILE} is up to date: reusing the wheels in {wheelhouse}\n")
            return context / LOCK_FILE
        output.write(f"downloading wheels for {target.describe()} into {wheelhouse}\n")
        output.flush()
        fresh.mkdir()
        _download(requirements, own_wheel, fresh, target, wheelhouse, output)
        wheels = sorted(fresh.glob("*.whl"))
        _check_wheels(wheels)
        lock_text = _render_lock(wheels, target, inputs)
        if wheelhouse.exists():
            shutil.rmtree(wheelhouse)
        shutil.copytree(fresh, wheelhouse)
    output.write(f"{len(wheels)} wheels in {wheelhouse}\n")
    return write_generated(context / LOCK_FILE, lock_text)
