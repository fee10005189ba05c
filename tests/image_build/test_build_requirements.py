"""requirements.txt: framework + gunicorn + the user's, de-duplicated, sorted, optionally pinned."""
from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from golden_files import assert_golden

from elg_decorators import __version__
from elg_decorators.build.requirements import canonical_name, requirement_lines, write_requirements
from elg_decorators.errors import BuildError


def test_default_lists_framework_and_gunicorn(tmp_path: Path) -> None:
    path = write_requirements(tmp_path)
    assert path == tmp_path / "requirements.txt"
    assert path.read_bytes() == f"elg_decorators=={__version__}\ngunicorn\n".encode()
    assert_golden("requirements/default.txt", path.read_bytes())


def test_user_requirements_and_file(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("regex>=2023.1  # inline comment\n")
    (tmp_path / "reqs.txt").write_text(
        "# comment\n\n--extra-index-url https://download.pytorch.org/whl/cpu\n"
        "-r base.txt\ntorch==2.3.0\nNumPy \\\n  >=1.26\nrequests[socks]\n"
    )
    path = write_requirements(
        tmp_path,
        ["Spacy>=3.7", "numpy", "ELG.Decorators>=0.1", "gunicorn==22.0.0", "Spacy>=3.7"],
        requirements_file=tmp_path / "reqs.txt",
    )
    assert_golden("requirements/user.txt", path.read_bytes())
    lines = path.read_text().splitlines()
    assert lines[0] == "--extra-index-url https://download.pytorch.org/whl/cpu"
    # the user's spec wins over ours, and a bare name does not drop a version
    assert "ELG.Decorators>=0.1" in lines and f"elg_decorators=={__version__}" not in lines
    assert "gunicorn==22.0.0" in lines and "gunicorn" not in lines
    assert "NumPy >=1.26" in lines and "numpy" not in lines
    assert lines.count("Spacy>=3.7") == 1
    names = [canonical_name(line.split(">")[0].split("=")[0].split("[")[0].strip()) for line in lines[1:]]
    assert names == sorted(names)


def test_same_inputs_same_bytes_in_any_order(tmp_path: Path) -> None:
    first = requirement_lines(["b-pkg", "a_pkg>=1", "c"])
    assert requirement_lines(["c", "a_pkg>=1", "b-pkg"]) == first
    one = write_requirements(tmp_path, ["b-pkg", "a_pkg>=1"]).read_bytes()
    two = write_requirements(tmp_path, ["b-pkg", "a_pkg>=1"]).read_bytes()
    assert one == two and one.endswith(b"\n") and b"\r" not in one


def test_urls_are_kept_verbatim_after_named_requirements() -> None:
    lines = requirement_lines(["git+https://example.org/x.git#egg=x", "zz", "name @ https://example.org/n.whl"])
    assert lines[-1] == "git+https://example.org/x.git#egg=x"
    assert "name @ https://example.org/n.whl" in lines


def test_pin_uses_installed_versions() -> None:
    lines = requirement_lines(["pytest", "Requests[socks]", "hypothesis>=6"], pin=True)
    assert f"pytest=={metadata.version('pytest')}" in lines
    assert f"Requests[socks]=={metadata.version('requests')}" in lines
    assert f"gunicorn=={metadata.version('gunicorn')}" in lines
    assert "hypothesis>=6" in lines  # given with a version: left alone


def test_pin_of_missing_distribution_names_it() -> None:
    with pytest.raises(BuildError, match="cannot pin 'no-such-distribution-xyz'"):
        requirement_lines(["no-such-distribution-xyz"], pin=True)


def test_unusable_lines_are_reported(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text("-e ./local\n")
    with pytest.raises(BuildError, match="cannot be used in an image build"):
        requirement_lines(requirements_file=tmp_path / "r.txt")
    with pytest.raises(BuildError, match="cannot read requirements file"):
        requirement_lines(requirements_file=tmp_path / "missing.txt")
    (tmp_path / "loop.txt").write_text("-r loop.txt\n")
    with pytest.raises(BuildError, match="includes itself"):
        requirement_lines(requirements_file=tmp_path / "loop.txt")
    with pytest.raises(BuildError, match="is a pip option"):
        requirement_lines(["--pre"])
