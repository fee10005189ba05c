"""The wheels chosen for a base image: pip's platform options for its Python, glibc and architecture."""
from __future__ import annotations

import platform

import pytest

from elg_decorators.image.target import TargetPlatform


def test_every_manylinux_tag_the_glibc_runs_newest_first() -> None:
    tags = TargetPlatform((3, 11), "x86_64", (2, 36)).platform_tags()
    assert tags[0] == "manylinux_2_36_x86_64"
    assert tags[tags.index("manylinux_2_17_x86_64") + 1] == "manylinux2014_x86_64"
    assert tags[-2:] == ["manylinux2010_x86_64", "manylinux1_x86_64"]
    assert len(tags) == len(set(tags)) == (36 - 17 + 1) + 3


def test_arm_has_no_legacy_tags_before_manylinux2014() -> None:
    tags = TargetPlatform((3, 12), "aarch64", (2, 28)).platform_tags()
    assert tags[0] == "manylinux_2_28_aarch64" and tags[-1] == "manylinux2014_aarch64"


def test_pip_options_ask_for_binary_wheels_of_that_python() -> None:
    options = TargetPlatform((3, 9), "x86_64", (2, 31)).pip_options()
    assert options[:7] == ["--only-binary=:all:", "--implementation", "cp", "--python-version", "39", "--abi", "cp39"]
    assert options[7:9] == ["--platform", "manylinux_2_31_x86_64"]


@pytest.mark.parametrize("machine, linux", [("arm64", "aarch64"), ("AMD64", "x86_64"), ("x86_64", "x86_64")])
def test_this_machine_in_linux_names(monkeypatch: pytest.MonkeyPatch, machine: str, linux: str) -> None:
    monkeypatch.setattr(platform, "machine", lambda: machine)
    monkeypatch.setattr(platform, "libc_ver", lambda: ("", ""))
    target = TargetPlatform.of_this_machine()
    assert target.machine == linux and target.glibc == (2, 17)
