"""Input checks: paths inside the build context and image references."""
from __future__ import annotations

from pathlib import Path

import pytest

from elg_decorators.image.context import context_path, context_paths, parse_reference, validate_build_tag
from elg_decorators.errors import BuildError


@pytest.mark.parametrize(
    "reference, parts",
    [
        ("ner", ("", "ner", None, None)),
        ("registry.example.org:5000/me/ner:1.0", ("registry.example.org:5000", "me/ner", "1.0", None)),
        ("me/ner@sha256:" + "a" * 64, ("", "me/ner", None, "sha256:" + "a" * 64)),
        ("localhost/ner_x__y-z.v2:V1.0_rc-1", ("localhost", "ner_x__y-z.v2", "V1.0_rc-1", None)),
        ("[::1]:5000/ner:latest", ("[::1]:5000", "ner", "latest", None)),
        ("a" * 200 + ":" + "t" * 128, ("", "a" * 200, "t" * 128, None)),
    ],
)
def test_valid_references(reference: str, parts: tuple) -> None:
    ref = parse_reference(reference)
    assert tuple(ref) == parts
    assert str(ref) == reference


@pytest.mark.parametrize(
    "reference, message",
    [
        ("Me/NER:1.0", "must be lowercase (try 'me/ner:1.0')"),
        ("registry.example.org/Me/ner", "must be lowercase"),
        ("me/ner:1.0 ", "must not contain spaces"),
        ("me /ner", "must not contain spaces"),
        ("me/ner:1.0+build", "tag '1.0+build' may contain only"),
        ("me/ner:.hidden", "must not start with '.'"),
        ("me/ner:" + "t" * 129, "at most 128"),
        ("me//ner", "repository path"),
        ("me/-ner", "repository path"),
        ("me/ner@sha256:abc", "digest"),
        ("", "it is empty"),
        ("bad_host:99/ner", "not a valid registry host"),
        ("a" * 256, "longer than 255"),
    ],
)
def test_invalid_references(reference: str, message: str) -> None:
    with pytest.raises(BuildError, match="invalid image reference") as info:
        parse_reference(reference)
    assert message in str(info.value)


def test_build_tag_refuses_digest() -> None:
    with pytest.raises(BuildError, match="tag the build as 'name:tag'"):
        validate_build_tag("me/ner@sha256:" + "a" * 64)
    assert validate_build_tag("me/ner").tag is None


def test_paths_inside_context(service_dir: Path) -> None:
    assert context_path(service_dir, "labels.json") == "labels.json"
    assert context_path(service_dir, service_dir / "models" / "model.bin") == "models/model.bin"
    assert context_path(service_dir, "models/../labels.json") == "labels.json"
    assert context_paths(service_dir, ["models", "models/", "./models"], kind="folder") == ["models"]


@pytest.mark.parametrize(
    "name, kind, message",
    [
        ("missing.txt", "file", "does not exist"),
        ("models", "file", "does not exist"),
        ("labels.json", "folder", "does not exist"),
        ("../outside.txt", "file", "lies outside the build context"),
        ("/etc/hostname", "file", "lies outside the build context"),
        ("data*.bin", "file", "would read"),
        (".", "folder", "is the build context itself"),
        ("", "file", "empty"),
    ],
)
def test_bad_paths(service_dir: Path, name: str, kind: str, message: str) -> None:
    (service_dir.parent / "outside.txt").write_text("secret")
    with pytest.raises(BuildError) as info:
        context_path(service_dir, name, kind=kind)
    assert message in str(info.value)


def test_symlink_escaping_the_context_is_refused(service_dir: Path) -> None:
    (service_dir.parent / "outside.txt").write_text("secret")
    (service_dir / "link.txt").symlink_to(service_dir.parent / "outside.txt")
    with pytest.raises(BuildError, match="outside the build context"):
        context_path(service_dir, "link.txt")
