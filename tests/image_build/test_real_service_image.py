"""A service's image on a real engine: its health follows readiness, its code is read-only, and a build
leaves neither an unnamed image nor generated files beside the code.

Two services in one folder are built without --output: each gets a build folder of its own under
.elg-build/, and the folder keeps the user's files as they were. The first loads its model, the
second fails to: Docker's health check passes for the first and fails for the second, whose
``/health`` answers 200 all the same. In the first, the service's user can read its script and
named files (one of them unreadable for others on this machine) but not change, replace or add
to them.
"""
from __future__ import annotations

import json
from pathlib import Path

import requests
from .images import build, build_folder, container, dangling_images, remove_image, run_healthcheck, stop
from .real_engine import Engine

FAILING = '''\
from elg_decorators import resource, text_service


@resource
def model():
    raise RuntimeError("the model file is missing")


@text_service
def tag(content: str, model):
    return {"texts": [{"content": content}]}
'''

# Run as the service's user in the container: what it may change, one line of JSON.
PROBE = '''\
import json, os
def attempt(action):
    try:
        action()
    except PermissionError:
        return "denied"
    return "allowed"
report = {
    "owner": [os.stat(path).st_uid for path in ("/elg", "/elg/ner.py", "/elg/labels.json", "/elg/models")],
    "read": open("/elg/labels.json").read() + open("/elg/models/model.bin", "rb").read().decode("latin-1"),
    "append to the script": attempt(lambda: open("/elg/ner.py", "a").close()),
    "replace the script": attempt(lambda: os.rename("/elg/ner.py", "/elg/old.py")),
    "remove the script": attempt(lambda: os.unlink("/elg/ner.py")),
    "add a file beside it": attempt(lambda: open("/elg/new.py", "w").close()),
    "change a model": attempt(lambda: open("/elg/models/model.bin", "r+b").close()),
    "add to the models": attempt(lambda: open("/elg/models/new.bin", "w").close()),
    "write to home": attempt(lambda: open(os.path.expanduser("~/note"), "w").close()),
    "write to /tmp": attempt(lambda: open("/tmp/note", "w").close()),
}
print(json.dumps(report))
'''


def test_health_follows_readiness_code_is_read_only_and_nothing_is_left_behind(
    engine: Engine, service_dir: Path
) -> None:
    (service_dir / "failing.py").write_text(FAILING)
    (service_dir / "labels.json").chmod(0o600)  # as under umask 077
    before = sorted(str(path.relative_to(service_dir)) for path in service_dir.rglob("*"))
    dangling = dangling_images(engine)
    tags = ("elg-test-ner:1", "elg-test-failing-model:1")
    try:
        result = build(engine, service_dir / "ner.py", "--tag", tags[0], "--file", "labels.json", "--folder", "models")
        assert result.returncode == 0, result.stderr + result.stdout[-3000:]
        assert "kept its dependencies stage as elg-test-ner:dependencies" in result.stdout
        result = build(engine, service_dir / "failing.py", "--tag", tags[1])
        assert result.returncode == 0, result.stderr + result.stdout[-3000:]
        # no unnamed image; the dependencies stage under a name
        assert dangling_images(engine) == dangling
        assert engine.client.images.get("elg-test-ner:dependencies")
        # the user's folder: their files, and the build folders in .elg-build
        after = sorted(str(path.relative_to(service_dir)) for path in service_dir.rglob("*"))
        assert [name for name in after if not name.startswith(".elg-build")] == before
        assert sorted(path.name for path in (service_dir / ".elg-build").iterdir()) == ["failing", "ner"]
        assert (build_folder(service_dir / "ner.py") / ".gitignore").read_text().splitlines()[-1] == "*"

        with container(engine, tags[0]) as (running, _port):
            assert running.attrs["Config"]["Healthcheck"]["Test"][-1].endswith("+ '/health/ready', timeout=4)")
            assert run_healthcheck(running) == (0, b"")
            probe = running.exec_run(["/elg/venv/bin/python", "-c", PROBE])
            assert probe.exit_code == 0, probe.output
            report = json.loads(probe.output)
            assert report.pop("owner") == [0, 0, 0, 0]
            assert report.pop("read") == '{"Person": "PER"}\n\x00weights'
            assert report == {
                "append to the script": "denied", "replace the script": "denied", "remove the script": "denied",
                "add a file beside it": "denied", "change a model": "denied", "add to the models": "denied",
                "write to home": "allowed", "write to /tmp": "allowed",
            }
            assert stop(running)[0] == 0

        with container(engine, tags[1], wait_for="/health/live") as (running, port):
            assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
            ready = requests.get(f"http://127.0.0.1:{port}/health/ready", timeout=5)
            assert ready.status_code == 503 and "the model file is missing" in ready.text
            code, output = run_healthcheck(running)
            assert code != 0 and b"503" in output, output
            assert stop(running)[0] == 0
    finally:
        for tag in tags:
            remove_image(engine, tag)
    assert dangling_images(engine) == dangling
