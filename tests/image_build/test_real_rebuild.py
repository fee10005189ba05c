"""A compiled third-party requirement, and a rebuild after editing the code, on a real engine.

``regex`` ships manylinux wheels with a C extension: the image gets the wheel for the base
image's Python and architecture (not this machine's environment), and the handler that imports
it answers from the container. Editing the script and building again reuses every dependency
layer (asserted from the image's layers and the build output), and neither build leaves an
unnamed image: the dependencies stage is kept under a name, the image the rebuild replaced is
removed. The times of both builds are printed (run with -s), never asserted.
"""
from __future__ import annotations

import time
from pathlib import Path

import regex
import requests
from .images import build, build_folder, build_steps, container, dangling_images, remove_image, stop
from .real_engine import Engine

SCRIPT = '''\
import regex
from elg_decorators import text_service
from elg_decorators.model import AnnotationsResponse


@text_service
def words(content: str) -> AnnotationsResponse:
    return {"LABEL": [{"start": m.start(), "end": m.end()} for m in regex.finditer(r"\\p{L}+", content)]}
'''
TEXT = "Grüße aus Köln, 北京 und Zürich"


def _expected(label: str) -> dict:
    spans = [{"start": m.start(), "end": m.end()} for m in regex.finditer(r"\p{L}+", TEXT)]
    return {"response": {"type": "annotations", "annotations": {label: spans}}}


def _build(engine: Engine, script: Path, tag: str) -> tuple[float, str]:
    started = time.monotonic()
    result = build(engine, script, "--tag", tag, "--requirement", "regex")
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr + result.stdout[-3000:]
    return took, result.stdout


def _call(engine: Engine, tag: str, label: str) -> None:
    with container(engine, tag) as (running, port):
        reply = requests.post(f"http://127.0.0.1:{port}/process", json={"type": "text", "content": TEXT}, timeout=10)
        assert (reply.status_code, reply.json()) == (200, _expected(label))
        assert stop(running)[0] == 0


def test_compiled_requirement_and_rebuild_after_a_code_edit(engine: Engine, tmp_path: Path) -> None:
    script = tmp_path / "words.py"
    script.write_text(SCRIPT.replace("LABEL", "Word"))
    tag = "elg-test-words:1"
    dangling = dangling_images(engine)
    try:
        first, _ = _build(engine, script, tag)
        assert dangling_images(engine) == dangling, "the build left no unnamed image"
        lock = (build_folder(script) / "requirements.lock").read_text()
        assert "regex==" in lock and "manylinux" in lock.split("regex==", 1)[1].splitlines()[0]
        _call(engine, tag, "Word")
        layers_before = engine.client.images.get(tag).attrs["RootFS"]["Layers"]

        script.write_text(SCRIPT.replace("LABEL", "Token"))
        second, output = _build(engine, script, tag)
        assert dangling_images(engine) == dangling, "the image the rebuild replaced is removed"
        layers_after = engine.client.images.get(tag).attrs["RootFS"]["Layers"]
        _call(engine, tag, "Token")
    finally:
        remove_image(engine, tag)

    # Only the script's layer is new: the user, the virtual environment and the base are reused.
    assert layers_after[:-1] == layers_before[:-1]
    assert layers_after[-1] != layers_before[-1]
    assert "requirements.lock is up to date" in output
    steps = build_steps(output)
    script_copy = "COPY words.py /elg/words.py"
    assert all("---> Using cache" in text for instruction, text in steps if instruction != script_copy), steps
    print(f"\nbuild with a new requirement: {first:.1f} s; rebuild after a code edit: {second:.1f} s "
          f"({second / first:.0%} of the first)")
