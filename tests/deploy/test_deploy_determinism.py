"""Same script and options, same bytes: whatever the folder, the shell's environment or the run.

The golden copies under golden/deploy/ are the files for the dictionary_ner example;
set UPDATE_GOLDEN=1 to rewrite them after an intended change, and review the diff.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_helpers import EXAMPLES

GOLDEN = Path(__file__).parent / "golden" / "deploy"
OPTIONS = [
    "--image", "registry.example.org/elg/dictionary-ner:1.2.0", "--lt-class", "NamedEntityRecognition",
    "--language", "en", "--language", "de", "--memory", "1Gi", "--cpu", "500m", "--min-scale", "0", "--max-scale", "4",
    "--licence", "Apache-2.0", "--landing-page", "https://example.org/dictionary-ner",
    "--description", "Finds person names, ISO dates and e-mail addresses in English and German texts.",
]
FILES = ("knative-service.yaml", "kubernetes.yaml", "elg-deployment.yaml", "elg-metadata.xml")


def written(folder: Path, *, cwd: Path, environment: dict[str, str]) -> dict[str, bytes]:
    script = cwd / "dictionary_ner.py"
    if not script.exists():
        shutil.copy(EXAMPLES / "dictionary_ner.py", script)
    result = subprocess.run(
        [sys.executable, "-m", "elg_decorators", "deploy", str(script), "--output", str(folder), *OPTIONS],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return {name: (folder / name).read_bytes() for name in FILES}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    home = tmp_path_factory.mktemp("first")
    return written(home / "deploy", cwd=home, environment=dict(os.environ))


def test_matches_golden_copies(first_run: dict[str, bytes]) -> None:
    for name, content in first_run.items():
        path = GOLDEN / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        assert content == path.read_bytes(), f"{name} differs from its golden copy"


def test_same_bytes_elsewhere_and_whatever_the_shell_environment(
    first_run: dict[str, bytes], tmp_path: Path,
) -> None:
    # The machine running deploy is not the container: its PORT, WORKERS... must not leak into the files.
    environment = dict(os.environ, PORT="9999", WORKERS="7", THREADS="3", REQUEST_TIMEOUT="12", MAX_QUEUE="99",
                       LANG="de_DE.UTF-8", PYTHONHASHSEED="12345", TZ="Pacific/Auckland")
    other = tmp_path / "some where" / "else"
    other.mkdir(parents=True)
    assert written(other / "out", cwd=other, environment=environment) == first_run


def test_rewriting_replaces_the_files_whole(first_run: dict[str, bytes], tmp_path: Path) -> None:
    folder = tmp_path / "deploy"
    folder.mkdir()
    (folder / "kubernetes.yaml").write_bytes(b"x" * 100_000)
    assert written(folder, cwd=tmp_path, environment=dict(os.environ)) == first_run
    assert sorted(path.name for path in folder.iterdir()) == sorted(FILES)
