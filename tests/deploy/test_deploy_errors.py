"""Bad input: one line on stderr naming the problem and the fix, exit status 1, and no file written."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from deploy_helpers import EXAMPLES

NER = str(EXAMPLES / "dictionary_ner.py")
IMAGE = "registry.example.org/me/ner:1.0"


def deploy(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "elg_decorators", "deploy", *arguments],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )


CASES = [
    ("latest", [NER, "--image", "registry.example.org/me/ner:latest"],
     "error: --image 'registry.example.org/me/ner:latest' uses the tag 'latest', which changes under a running "
     "service; tag the image with its version, e.g. 'registry.example.org/me/ner:1.0'"),
    ("no tag", [NER, "--image", "registry.example.org/me/ner"],
     "error: --image 'registry.example.org/me/ner' has no tag; ELG deploys an immutable tag, "
     "e.g. 'registry.example.org/me/ner:1.0'"),
    ("bad reference", [NER, "--image", "Registry Example/ner:1.0"],
     "error: invalid image reference 'Registry Example/ner:1.0': it must not contain spaces; "
     "write it as 'name:tag', e.g. 'me/ner:1.0'"),
    ("memory unit", [NER, "--image", IMAGE, "--memory", "2GB"],
     "error: --memory '2GB' is not a Kubernetes quantity; write it as '512Mi', '2Gi' or '1500M'"),
    ("memory in millibytes", [NER, "--image", IMAGE, "--memory", "512m"],
     "error: --memory '512m' is less than one mebibyte (the suffix 'm' means thousandths); "
     "write it as '512Mi', '2Gi' or '1500M'"),
    ("cpu", [NER, "--image", IMAGE, "--cpu", "1.5 cores"],
     "error: --cpu '1.5 cores' is not a Kubernetes quantity; write it as '1', '2' or '500m'"),
    ("zero cpu", [NER, "--image", IMAGE, "--cpu", "0"],
     "error: --cpu '0' must be more than zero, e.g. '1', '2' or '500m'"),
    ("min above max", [NER, "--image", IMAGE, "--min-scale", "4", "--max-scale", "2"],
     "error: --min-scale 4 is above --max-scale 2; give a minimum at most the maximum"),
    ("max zero", [NER, "--image", IMAGE, "--max-scale", "0"],
     "error: --max-scale 0 must be at least 1"),
    ("unknown LT class", [NER, "--image", IMAGE, "--lt-class", "OpticalCharacterRecognition"],
     "error: --lt-class 'OpticalCharacterRecognition' is not an LT class of the ELG vocabulary; "
     "run 'deploy --list-lt-classes' to see them all"),
    ("LT class spelt otherwise", [NER, "--image", IMAGE, "--lt-class", "named-entity-recognition"],
     "error: --lt-class 'named-entity-recognition' is not an LT class of the ELG vocabulary; "
     "did you mean 'NamedEntityRecognition'?"),
    ("language", [NER, "--image", IMAGE, "--language", "english"],
     "error: --language 'english': 'english' is not an ISO 639 language code; "
     "give a BCP 47 tag such as 'en', 'de-AT' or 'sr-Latn'"),
    ("name", [NER, "--image", IMAGE, "--name", "My_Service"],
     "error: --name 'My_Service' is not a valid service name: use at most 50 lower-case letters, digits and '-', "
     "starting with a letter and ending with a letter or digit"),
    ("path without values", [str(EXAMPLES / "translate.py"), "--image", IMAGE, "--path-value", "src=en"],
     "error: path /translate/<src>/<tgt> has URL variables (tgt) and ELG calls one fixed URL; "
     "give their values with --path-value tgt=VALUE"),
    ("threads with sync", [NER, "--image", IMAGE, "--worker-class", "sync", "--threads", "4"],
     "error: worker class 'sync' runs one request at a time, but 4 threads were asked for; "
     "drop THREADS/--threads or use the gthread worker class"),
    ("landing page", [NER, "--image", IMAGE, "--landing-page", "example.org/ner"],
     "error: --landing-page 'example.org/ner' must be an http:// or https:// URL"),
    ("licence", [NER, "--image", IMAGE, "--licence", "Apache 2"],
     "error: --licence 'Apache 2' is not an SPDX licence identifier, e.g. Apache-2.0 or MIT"),
    ("condition of use spelt otherwise", [NER, "--image", IMAGE, "--condition-of-use", "non-commercial-use"],
     "error: --condition-of-use 'non-commercial-use' is not a condition of use of the ELG vocabulary; "
     "did you mean 'nonCommercialUse'?"),
    ("unknown condition of use", [NER, "--image", IMAGE, "--condition-of-use", "free"],
     "error: --condition-of-use 'free' is not a condition of use of the ELG vocabulary; give one of academicUser, "
     "academicUseOnly, attribution, evaluationUse, noConditions, noDerivatives, noRedistribution, "
     "nonCommercialUse, other, shareAlike, unspecified"),
    ("negative queue", [NER, "--image", IMAGE, "--max-queue", "-1"],
     "error: MAX_QUEUE=-1 must be 0 or more"),
    ("missing script", ["nothere.py", "--image", IMAGE],
     "error: service script 'nothere.py' does not exist (or is not a file)"),
    ("no image", [NER],
     "error: --image is required: the image 'build --push' pushed, e.g. registry.example.org/me/ner:1.0"),
]


@pytest.mark.parametrize("arguments, message", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, arguments: list[str], message: str) -> None:
    output = tmp_path / "out"
    result = deploy([*arguments, "--output", str(output)], cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message + "\n")
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


def test_script_without_handler(tmp_path: Path) -> None:
    script = tmp_path / "helpers.py"
    script.write_text("def tokenize(text):\n    return text.split()\n")
    result = deploy([str(script), "--image", IMAGE], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "error: 'helpers' defines no ELG service: decorate a function with @text_service (or "
        "@structured_text_service, @audio_service, @image_service), or define a FlaskService subclass\n"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["helpers.py"]


def test_output_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "deploy"
    blocker.write_text("not a folder\n")
    result = deploy([NER, "--image", IMAGE, "--output", str(blocker / "inner")], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    inner = str(blocker / "inner")
    assert result.stderr == f"error: --output {inner!r} cannot be a folder: {str(blocker)!r} is a file\n"
    assert blocker.read_text() == "not a folder\n"
