"""What deploy says besides the files: a ``note:`` where a file cannot do what the options ask, and a
``warning:`` for an image that only this machine or its network can pull.

Neither stops deploy: the exit status is 0 and the four files are written.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from deploy_helpers import EXAMPLES

from elg_decorators.cli import main
from elg_decorators.deploy.inputs import registry_warning

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


LOOPBACK = ("is this machine's loopback address: a cluster and ELG would look for it on their own machines; "
            "push the image to a registry they can reach and give that name")
PRIVATE = ("is a private address, reachable only from its own network: a cluster there can pull from it, "
           "ELG cannot; push the image to a public registry before registering it with ELG")


@pytest.mark.parametrize("domain, kind", [
    ("127.0.0.1:5055", LOOPBACK), ("127.1.2.3", LOOPBACK), ("localhost:5000", LOOPBACK), ("localhost", LOOPBACK),
    ("LocalHost:5000", LOOPBACK), ("registry.localhost:5000", LOOPBACK), ("[::1]:5000", LOOPBACK),
    ("10.0.0.5:5000", PRIVATE), ("10.255.255.255", PRIVATE), ("192.168.1.20:5000", PRIVATE),
    ("172.16.0.1:5000", PRIVATE), ("172.31.255.254", PRIVATE), ("169.254.10.1:5000", PRIVATE),
    ("[fd00::1]:5000", PRIVATE), ("[fe80::1]:5000", PRIVATE),
])
def test_a_registry_only_this_machine_or_network_reaches_is_warned_of(domain: str, kind: str) -> None:
    assert registry_warning(domain) == f"--image registry {domain} {kind}"


@pytest.mark.parametrize("domain", [
    "registry.example.org", "registry.example.org:5000", "ghcr.io", "docker.io", "172.32.0.1:5000",
    "172.15.255.255", "8.8.8.8:5000", "[2001:4860::8888]:5000", "localhost.example.org:5000", "my-localhost:5000",
])
def test_a_public_registry_is_not_warned_of(domain: str) -> None:
    assert registry_warning(domain) is None


@pytest.mark.parametrize("image, warning", [
    ("127.0.0.1:5055/me/slow:1.0", f"warning: --image registry 127.0.0.1:5055 {LOOPBACK}"),
    ("192.168.49.2:5000/me/slow:1.0", f"warning: --image registry 192.168.49.2:5000 {PRIVATE}"),
])
def test_the_warning_is_one_line_and_deploy_goes_on(tmp_path: Path, image: str, warning: str) -> None:
    output = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "elg_decorators", "deploy", str(SLOW), "--image", image, "--output", str(output)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert lines[0] == warning
    assert all(line.startswith("note: ") for line in lines[1:]) and "Traceback" not in result.stderr
    assert sorted(path.name for path in output.iterdir()) == FILES
    assert yaml.safe_load((output / "elg-deployment.yaml").read_text())["image"] == image


def test_a_public_image_draws_no_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines, _ = deploy(tmp_path, capsys)
    assert not [line for line in lines if line.startswith("warning:")]
