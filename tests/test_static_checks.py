"""The checks that keep the code's shape: the layer contract and the types."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_the_layer_contract_is_kept() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = _run(lint_imports, "--config", "setup.cfg", "--no-cache")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_the_package_type_checks() -> None:
    result = _run(sys.executable, "-m", "mypy", "--config-file", "setup.cfg", "--no-incremental")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_the_code_passes_the_linter() -> None:
    """ruff with the rules of ruff.toml, pyupgrade's included: the annotation style of Python 3.10."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    result = _run(ruff, "check", "elg_decorators", "tests", "examples", "benchmarks")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
