"""What deploy says besides the files: a ``note:`` for every value it falls back on, naming the option
that sets it, and a ``warning:`` for an image that only this machine or its network can pull.

Neither stops deploy: the exit status is 0 and the four files are written.
"""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from deploy_helpers import EXAMPLES, MS

from elg_decorators.cli import main
from elg_decorators.deploy.inputs import registry_warning

IMAGE = "registry.example.org/me/slow:1.0"
SLOW = EXAMPLES / "slow_progress.py"
FILES = ["elg-deployment.yaml", "elg-metadata.xml", "knative-service.yaml", "kubernetes.yaml"]
_RECORD = "ms:DescribedEntity/ms:LanguageResource"
_TOOL = f"{_RECORD}/ms:LRSubclass/ms:ToolService"
_LICENCE = f"{_TOOL}/ms:SoftwareDistribution/ms:licenceTerms"

KUBERNETES_NOTE = ("note: kubernetes.yaml: minReplicas is 1, not --min-scale 0: a HorizontalPodAutoscaler cannot "
                   "scale to zero, Knative can; give --min-scale 1 for the same minimum on both")
#: What deploy says about slow_progress.py given only its image (and a long deadline).
DEFAULT_NOTES = [
    "note: Knative refuses timeoutSeconds 705 unless the cluster's max-revision-timeout-seconds is raised "
    "above its default of 600",
    KUBERNETES_NOTE,
    "note: elg-metadata.xml: resourceName is 'slow-progress', the service's name (--name); give --title",
    "note: elg-metadata.xml: description is the first paragraph of the script's docstring; give --description",
    "note: elg-metadata.xml: keyword is 'slow progress', the service's name; give --keyword (repeatable)",
    "note: elg-metadata.xml: function is LTClassOther 'unspecified'; give --lt-class "
    "('deploy --list-lt-classes' lists them)",
    "note: elg-metadata.xml: languageDependent is false, and no input or output has a language; "
    "give --language for each language the service processes",
    "note: elg-metadata.xml: licenceTermsName is 'unspecified' and licenceTermsURL the landing page "
    "https://registry.example.org/me/slow; give --licence (an SPDX identifier)",
    "note: elg-metadata.xml: conditionOfUse is 'unspecified'; give --condition-of-use (repeatable), "
    "e.g. attribution or nonCommercialUse",
    "note: elg-metadata.xml: landingPage is https://registry.example.org/me/slow, the image's repository; "
    "give --landing-page (or --email)",
    "note: elg-metadata.xml describes no output for /process: annotate its handler's return type "
    "(e.g. -> AnnotationsResponse)",
]


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


def test_every_fallback_is_a_note_naming_its_option(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "elg_decorators", "deploy", str(SLOW), "--image", IMAGE,
         "--output", str(tmp_path / "out"), "--request-timeout", "700"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0
    assert result.stderr.splitlines() == DEFAULT_NOTES


def test_the_record_holds_what_the_notes_say(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, output = deploy(tmp_path, capsys)
    root = ET.fromstring((output / "elg-metadata.xml").read_bytes())

    def text(path: str) -> str | None:
        return root.findtext(path, namespaces=MS)

    assert text(f"{_RECORD}/ms:resourceName") == "slow-progress"
    assert text(f"{_RECORD}/ms:description") == "A long-running service that reports its progress as it goes."
    assert [element.text for element in root.findall(f"{_RECORD}/ms:keyword", MS)] == ["slow progress"]
    assert text(f"{_TOOL}/ms:function/ms:LTClassOther") == "unspecified"
    assert text(f"{_TOOL}/ms:languageDependent") == "false"
    assert root.findall(f"{_TOOL}/ms:inputContentResource/ms:language", MS) == []
    assert text(f"{_LICENCE}/ms:licenceTermsName") == "unspecified"
    assert text(f"{_LICENCE}/ms:licenceTermsURL") == "https://registry.example.org/me/slow"
    assert text(f"{_LICENCE}/ms:conditionOfUse") == "http://w3id.org/meta-share/meta-share/unspecified"
    assert text(f"{_RECORD}/ms:additionalInfo/ms:landingPage") == "https://registry.example.org/me/slow"


#: option -> the notes it removes (by their start), and a note it changes into another, if any.
SILENCED = {
    "--title": (["--title", "A slow service"], "note: elg-metadata.xml: resourceName ", None),
    "--description": (["--description", "Waits."], "note: elg-metadata.xml: description ", None),
    "--keyword": (["--keyword", "waiting"], "note: elg-metadata.xml: keyword ", None),
    "--lt-class": (["--lt-class", "Summarization"], "note: elg-metadata.xml: function ",
                   "note: elg-metadata.xml: keyword is 'summarization', from --lt-class; give --keyword (repeatable)"),
    "--language": (["--language", "en"], "note: elg-metadata.xml: languageDependent ", None),
    "--licence": (["--licence", "MIT"], "note: elg-metadata.xml: licenceTermsName ", None),
    "--condition-of-use": (["--condition-of-use", "attribution"], "note: elg-metadata.xml: conditionOfUse ", None),
    "--landing-page": (["--landing-page", "https://example.org/slow"], "note: elg-metadata.xml: landingPage ",
                       "note: elg-metadata.xml: licenceTermsName is 'unspecified' and licenceTermsURL the landing "
                       "page https://example.org/slow; give --licence (an SPDX identifier)"),
    "--email": (["--email", "me@example.org"], "note: elg-metadata.xml: landingPage ", None),
    "--min-scale": (["--min-scale", "1"], "note: kubernetes.yaml: ", None),
}


@pytest.mark.parametrize("option", sorted(SILENCED))
def test_giving_the_option_silences_its_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str,
) -> None:
    arguments, silenced, changed = SILENCED[option]
    lines, _ = deploy(tmp_path, capsys, "--request-timeout", "700", *arguments)
    expected = [line for line in DEFAULT_NOTES if not line.startswith(silenced)]
    assert len(expected) == len(DEFAULT_NOTES) - 1
    if changed is not None:
        expected = [changed if line.split(" is ")[0] == changed.split(" is ")[0] else line for line in expected]
        assert changed in expected
    assert lines == expected


def test_a_script_without_docstring_gets_a_placeholder_description_and_its_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    script = tmp_path / "bare.py"
    script.write_text("from elg_decorators import text_service\nfrom elg_decorators.model import TextsResponse\n\n\n"
                      "@text_service\ndef echo(content: str) -> TextsResponse:\n"
                      "    return TextsResponse(texts=[{'content': content}])\n", encoding="utf-8")
    lines, output = deploy(tmp_path, capsys, "--title", "Bare echo", script=script)
    assert ("note: elg-metadata.xml: description is the placeholder 'Bare echo: a European Language Grid service'; "
            "give --description (or a docstring to the script)") in lines
    root = ET.fromstring((output / "elg-metadata.xml").read_bytes())
    assert root.findtext(f"{_RECORD}/ms:description", namespaces=MS) == "Bare echo: a European Language Grid service"


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
    assert text.splitlines()[1:4] == [
        "# Needs Kubernetes 1.25 or later.",
        "# The try-out page (GET /try) is on; add TRY_PAGE=0 to the container's env to turn it off in production.",
        "---",
    ]
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
