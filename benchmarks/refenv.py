"""The reference's own virtual environment: ``elg[flask]==0.6.0`` + gunicorn, apart from ours.

Created on first use in ``benchmarks/.venv-ref`` and reused afterwards. The
web stack under the framework (gunicorn, Flask, Werkzeug, pydantic) is
pinned to the versions installed beside ``elg_decorators`` so that only the
framework differs between the columns; if a pin cannot be met, the
reference's own resolution is used and the versions are recorded.
"""
from __future__ import annotations

import json
import subprocess
import sys
import venv
from importlib import metadata
from pathlib import Path

REF_VENV = Path(__file__).resolve().parent / ".venv-ref"
REFERENCE = "elg[flask]==0.6.0"
SHARED_STACK = ("gunicorn", "flask", "werkzeug", "pydantic")
REPORTED = ("elg", "gunicorn", "flask", "werkzeug", "pydantic", "loguru")


def our_versions() -> dict[str, str]:
    """Versions of the shared stack in the running (our) environment."""
    found = {}
    for name in ("elg_decorators", *SHARED_STACK):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def _python(venv_dir: Path) -> Path:
    return venv_dir / "bin" / "python"


def installed_versions(python: Path) -> dict[str, str]:
    """Versions of the reported packages inside the interpreter ``python``'s environment."""
    script = (
        "import json, importlib.metadata as m\n"
        "out = {}\n"
        f"for name in {list(REPORTED)!r}:\n"
        "    try: out[name] = m.version(name)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(python), "-c", script], capture_output=True, text=True, timeout=60)
    return json.loads(done.stdout) if done.returncode == 0 else {}


def _wanted(ours: dict[str, str]) -> list[str]:
    return [REFERENCE, *(f"{name}=={ours[name]}" for name in SHARED_STACK if name in ours)]


def _satisfied(have: dict[str, str], ours: dict[str, str]) -> bool:
    return have.get("elg") == "0.6.0" and all(have.get(name) == ours[name] for name in SHARED_STACK if name in ours)


def ensure_reference_env(log=print) -> Path:  # type: ignore[no-untyped-def]
    """The reference venv's python, creating or completing the venv if needed."""
    python = _python(REF_VENV)
    ours = our_versions()
    if python.exists() and _satisfied(installed_versions(python), ours):
        return python
    if not python.exists():
        log(f"creating the reference venv {REF_VENV} (first run only)")
        venv.EnvBuilder(with_pip=True, clear=True).create(REF_VENV)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    log(f"installing {' '.join(_wanted(ours))} into the reference venv")
    done = subprocess.run([*pip, *_wanted(ours)], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        log("pinned install failed; installing the reference with its own dependency resolution")
        done = subprocess.run([*pip, REFERENCE, "gunicorn"], capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"cannot install {REFERENCE}: {done.stderr.strip()[-2000:]}")
    have = installed_versions(python)
    if have.get("elg") != "0.6.0" or "gunicorn" not in have:
        raise RuntimeError(f"the reference venv lacks elg 0.6.0 or gunicorn: {have}")
    return python


if __name__ == "__main__":
    print(ensure_reference_env(), installed_versions(_python(REF_VENV)), our_versions(), file=sys.stderr)
