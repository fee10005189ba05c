"""The reference ``elg`` 0.6.0 (with its Flask and Quart extras) in a virtual environment of its own.

Created on first use in ``tests/compat/.venv-ref`` (from PyPI, about a minute) and reused
afterwards; gunicorn serves its Flask services and hypercorn its Quart ones.
"""
from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

REF_VENV = Path(__file__).resolve().parent / ".venv-ref"
REQUIREMENTS = ("elg[flask,quart]==0.6.0", "gunicorn", "hypercorn")
CHECK = "import elg, elg.flask_service, elg.quart_service, gunicorn, hypercorn; print(elg.__file__)"


def reference_python() -> Path:
    """The reference venv's python, creating and filling the venv if needed."""
    python = REF_VENV / "bin" / "python"
    if python.exists() and subprocess.run([str(python), "-c", CHECK], capture_output=True).returncode == 0:
        return python
    venv.EnvBuilder(with_pip=True, clear=True).create(REF_VENV)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *REQUIREMENTS],
        capture_output=True, text=True, timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"cannot install {' '.join(REQUIREMENTS)}: {done.stderr.strip()[-2000:]}")
    return python


if __name__ == "__main__":
    print(reference_python(), file=sys.stderr)
