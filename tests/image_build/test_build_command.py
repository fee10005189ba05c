"""The build subcommand, through an argparse parser, against the fake engine."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from conftest import PASSWORD
from fake_engine import FakeEngine

from elg_decorators.cli.build import add_build_parser, run_build

GENERATED = ("requirements.txt", "Dockerfile", "docker-entrypoint.sh", ".dockerignore")


@pytest.fixture
def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="elg-decorators")
    add_build_parser(parser.add_subparsers(dest="command"))
    return parser


def run(parser: argparse.ArgumentParser, *argv: str) -> int:
    return run_build(parser.parse_args(["build", *map(str, argv)]))


def _assert_failed(code: int, capsys: pytest.CaptureFixture[str], message: str) -> str:
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: ") and message in err, err
    assert "Traceback" not in err
    return err


def test_help_has_examples(parser: argparse.ArgumentParser, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["build", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "--tag registry.example.org/me/ner:1.0" in out and "overwritten" in out


def test_no_build_writes_the_files(
    parser: argparse.ArgumentParser, service_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (service_dir / "Dockerfile").write_text("old\n")
    code = run(parser, service_dir / "ner.py", "--no-build", "--file", "labels.json", "--folder", "models",
               "--requirement", "regex", "--base-image", "python:3.11-slim", "--workers", "3")
    assert code == 0
    out = capsys.readouterr().out
    for name in GENERATED:
        assert f"wrote {service_dir / name}" in out
    dockerfile = (service_dir / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile and "WORKERS=3" in dockerfile
    assert "regex\n" in (service_dir / "requirements.txt").read_text()


def test_build_streams_to_the_terminal(
    parser: argparse.ArgumentParser, fake_engine: FakeEngine, service_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(parser, service_dir / "ner.py", "--tag", "me/ner:1.0", "--file", "labels.json", "--folder", "models")
    out = capsys.readouterr().out
    assert code == 0
    assert "Step 1/" in out and "Successfully tagged me/ner:1.0" in out and "built me/ner:1.0 (sha256:" in out
    assert fake_engine.builds[0]["tag"] == "me/ner:1.0"
    assert set(fake_engine.builds[0]["members"]) == {*GENERATED, "ner.py", "labels.json", "models", "models/model.bin"}
    assert fake_engine.pushes == []


def test_default_tag_and_no_pull(
    parser: argparse.ArgumentParser, fake_engine: FakeEngine, service_dir: Path
) -> None:
    assert run(parser, service_dir / "ner.py", "--no-pull") == 0
    assert fake_engine.builds[0]["tag"] == "ner:latest"
    assert fake_engine.builds[0]["query"]["pull"] == ["False"]


def test_output_folder_is_the_build_context(
    parser: argparse.ArgumentParser, fake_engine: FakeEngine, service_dir: Path
) -> None:
    (service_dir / "sub").mkdir()
    (service_dir / "sub" / "svc.py").write_text((service_dir / "ner.py").read_text())
    assert run(parser, service_dir / "sub" / "svc.py", "--output", service_dir, "--tag", "me/svc") == 0
    assert "sub/svc.py" in fake_engine.builds[0]["members"]
    assert "COPY --chown=elg:elg sub/svc.py /elg/svc.py" in (service_dir / "Dockerfile").read_text()


def test_push_after_build(
    parser: argparse.ArgumentParser, fake_engine: FakeEngine, service_dir: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DOCKER_USERNAME", "robot")
    monkeypatch.setenv("DOCKER_PASSWORD", PASSWORD)
    assert run(parser, service_dir / "ner.py", "--tag", "registry.example.org/me/ner:1.0", "--push") == 0
    captured = capsys.readouterr()
    assert fake_engine.pushes == [
        {"name": "registry.example.org/me/ner", "tag": "1.0", "auth": {"username": "robot", "password": PASSWORD}}
    ]
    assert "Pushed" in captured.out and "and pushed it" in captured.out
    assert PASSWORD not in captured.out + captured.err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--file", "missing.txt"], "file 'missing.txt' does not exist"),
        (["--file", "../outside.txt"], "lies outside the build context"),
        (["--file", "{outside}"], "lies outside the build context"),
        (["--folder", "labels.json"], "folder 'labels.json' does not exist"),
        (["--tag", "Me/NER:1.0"], "must be lowercase"),
        (["--tag", "me/ner:1 0"], "must not contain spaces"),
        (["--tag", "me/ner:v1+x"], "may contain only letters"),
        (["--tag", "me/ner@sha256:" + "a" * 64], "tag the build as 'name:tag'"),
        (["--push"], "--push needs --tag"),
        (["--workers", "0"], "workers must be"),
        (["--worker-class", "a b"], "worker class"),
        (["--requirement", "no-such-distribution-xyz", "--pin"], "cannot pin 'no-such-distribution-xyz'"),
        (["--output", "{nowhere}"], "is not an existing folder"),
        (["--output", "{elsewhere}"], "lies outside the build context"),
    ],
)
def test_bad_input_fails_before_anything_is_written(
    parser: argparse.ArgumentParser, fake_engine: FakeEngine, service_dir: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str,
) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    (tmp_path / "elsewhere").mkdir()
    values = {"outside": tmp_path / "outside.txt", "nowhere": tmp_path / "nowhere", "elsewhere": tmp_path / "elsewhere"}
    argv = [arg.format(**{k: str(v) for k, v in values.items()}) for arg in argv]
    code = run(parser, service_dir / "ner.py", *argv)
    _assert_failed(code, capsys, message)
    for name in GENERATED:
        assert not (service_dir / name).exists()
        assert not (tmp_path / "elsewhere" / name).exists()
    assert fake_engine.builds == [] and fake_engine.pushes == []


def test_missing_script(parser: argparse.ArgumentParser, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _assert_failed(run(parser, tmp_path / "nope.py", "--no-build"), capsys, "does not exist")


def test_script_without_a_service(
    parser: argparse.ArgumentParser, service_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (service_dir / "empty.py").write_text("x = 1\n")
    _assert_failed(run(parser, service_dir / "empty.py", "--no-build"), capsys, "defines no ELG service")
    assert not (service_dir / "Dockerfile").exists()


def test_engine_down(
    parser: argparse.ArgumentParser, no_engine: str, service_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _assert_failed(run(parser, service_dir / "ner.py", "--tag", "me/ner"), capsys,
                         f"Cannot reach the Docker engine at {no_engine}: is it running?")
    assert err.count("\n") == 1


def test_failed_step(
    parser: argparse.ArgumentParser, fake_engine: FakeEngine, service_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_engine.fail_build_at = "pip install"
    err = _assert_failed(run(parser, service_dir / "ner.py", "--tag", "me/ner", "--push"), capsys,
                         "Building me/ner failed at 'Step 6/")
    assert "No matching distribution found for nosuchpackage" in err
    assert fake_engine.pushes == []


def test_rejected_push(
    parser: argparse.ArgumentParser, fake_engine: FakeEngine, service_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_engine.reject_push = "unauthorized: authentication required"
    _assert_failed(run(parser, service_dir / "ner.py", "--tag", "me/ner:1.0", "--push"), capsys,
                   "The registry rejected the push of me/ner:1.0: unauthorized: authentication required")
    assert len(fake_engine.pushes) == 1
