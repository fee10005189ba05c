"""What deploy says besides the files: a ``note:`` where a file cannot do what the options ask.

A note does not stop deploy: the exit status is 0 and the four files are written.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from deploy_helpers import EXAMPLES

from elg_decorators.cli import main

IMAGE = "registry.example.org/me/slow:1.0"
SLOW = EXAMPLES / "slow_progress.py"
FILES = ["elg-deployment.yaml", "elg-metadata.xml", "knative-service.yaml", "kubernetes.yaml"]

KUBERNETES_NOTE = ("note: kubernetes.yaml: minReplicas is 1, not --min-scale 0: a HorizontalPodAutoscaler cannot "
                   "scale to zero, Knative can; give --min-scale 1 for the same minimum on both")


def deploy(tmp_path: Path, capsys: pytest.CaptureFixture[str], *arguments: str,
           script: Path = SLOW) -> tuple[list[str], Path]:
    """Run deploy in this process; return its stderr lines and the output folder, after checking the exit
    status, stdout and the files written."""
    output = tmp_path / "out"
    assert main(["deploy", str(script), "--image", IMAGE, "--output", str(output), *arguments]) == 0
    captured = capsys.readouterr()
    assert captured.out == "".join(f"wrote {output / name}\n" for name in (
        "knative-service.yaml", "kubernetes.yaml", "elg-deployment.yaml", "elg-metadata.xml"))
    assert sorted(path.name for path in output.iterdir()) == FILES
    return captured.err.splitlines(), output


def test_min_scale_zero_holds_on_knative_and_the_autoscaler_says_it_cannot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    lines, output = deploy(tmp_path, capsys, "--min-scale", "0", "--max-scale", "3")
    assert [line for line in lines if "kubernetes.yaml" in line] == [KUBERNETES_NOTE]
    knative = yaml.safe_load((output / "knative-service.yaml").read_text())
    assert knative["spec"]["template"]["metadata"]["annotations"]["autoscaling.knative.dev/min-scale"] == "0"
    assert yaml.safe_load((output / "elg-deployment.yaml").read_text())["minScale"] == 0
    text = (output / "kubernetes.yaml").read_text()
    assert text.splitlines()[2] == ("# minReplicas is 1, not --min-scale 0: a HorizontalPodAutoscaler cannot scale "
                                    "to zero (Knative can).")
    autoscaler = list(yaml.safe_load_all(text))[2]
    assert (autoscaler["kind"], autoscaler["spec"]["minReplicas"]) == ("HorizontalPodAutoscaler", 1)


def test_a_minimum_the_autoscaler_can_keep_is_kept_without_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    lines, output = deploy(tmp_path, capsys, "--min-scale", "2", "--max-scale", "3")
    assert not [line for line in lines if "kubernetes.yaml" in line]
    text = (output / "kubernetes.yaml").read_text()
    assert text.splitlines()[1:3] == ["# Needs Kubernetes 1.25 or later.", "---"]
    assert list(yaml.safe_load_all(text))[2]["spec"]["minReplicas"] == 2
