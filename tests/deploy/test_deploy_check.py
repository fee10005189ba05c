"""``deploy --check``: an up-to-date folder passes; a stale image, path, probe or file is named, one line each."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_helpers import EXAMPLES

IMAGE = "registry.example.org/me/translate:1.0"


def deploy(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "elg_decorators", "deploy", *arguments],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the translate example with its deploy folder written beside it."""
    shutil.copy(EXAMPLES / "translate.py", tmp_path / "translate.py")
    result = deploy("translate.py", "--image", IMAGE, "--path-value", "src=en", "--path-value", "tgt=de", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "".join(f"wrote deploy/{name}\n" for name in (
        "knative-service.yaml", "kubernetes.yaml", "elg-deployment.yaml", "elg-metadata.xml"))
    return tmp_path


def test_fresh_folder_matches(project: Path) -> None:
    before = {path.name: path.read_bytes() for path in (project / "deploy").iterdir()}
    result = deploy("translate.py", "--image", IMAGE, "--check", cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"deploy matches translate.py and {IMAGE}\n", "")
    assert {path.name: path.read_bytes() for path in (project / "deploy").iterdir()} == before


def test_new_tag_names_every_stale_place(project: Path) -> None:
    newer = "registry.example.org/me/translate:1.1"
    result = deploy("translate.py", "--image", newer, "--check", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"knative-service.yaml: the image is {IMAGE!r}, expected {newer!r}",
        f"kubernetes.yaml: the image is {IMAGE!r}, expected {newer!r}",
        f"elg-deployment.yaml: the image is {IMAGE!r}, expected {newer!r}",
        "elg-metadata.xml: the version is '1.0', expected '1.1'",
        f"elg-metadata.xml: dockerDownloadLocation is {IMAGE!r}, expected {newer!r}",
    ]


def test_changed_path_in_the_script(project: Path) -> None:
    script = project / "translate.py"
    script.write_text(script.read_text().replace('"/translate/<src>/<tgt>"', '"/mt/<src>/<tgt>"'))
    result = deploy("translate.py", "--image", IMAGE, "--check", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "elg-metadata.xml: executionLocation 'http://localhost:8000/translate/en/de' calls '/translate/en/de', "
        "which the service does not serve (it serves /mt/<src>/<tgt>)",
        "elg-metadata.xml: no executionLocation calls /mt/<src>/<tgt>, which the service serves",
    ]


def test_edited_probe_and_concurrency_are_named_and_other_edits_are_not(project: Path) -> None:
    knative = project / "deploy" / "knative-service.yaml"
    text = knative.read_text()
    text = text.replace("path: /health/ready", "path: /health")
    text = text.replace("containerConcurrency: 4", "containerConcurrency: 9")
    # Edits a person may make that do not concern the service: a namespace, a comment.
    text = text.replace("  name: translate\n", "  name: translate\n  namespace: nlp  # ours\n", 1)
    knative.write_text(text)
    result = deploy("translate.py", "--image", IMAGE, "--check", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "knative-service.yaml: the readinessProbe path is '/health', expected '/health/ready'",
        "knative-service.yaml: containerConcurrency is 9, expected 4",
    ]


def test_missing_and_unreadable_files(project: Path) -> None:
    (project / "deploy" / "kubernetes.yaml").unlink()
    (project / "deploy" / "elg-deployment.yaml").write_text("image: [unclosed\n")
    result = deploy("translate.py", "--image", IMAGE, "--check", cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "kubernetes.yaml: missing from deploy; run deploy without --check to write it"
    assert lines[1].startswith("elg-deployment.yaml: cannot be read (")
    assert len(lines) == 2


def test_check_with_bad_input_is_an_error_not_a_report(project: Path) -> None:
    result = deploy("translate.py", "--image", "registry.example.org/me/translate:latest", "--check", cwd=project)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("error: --image ") and result.stderr.count("\n") == 1
