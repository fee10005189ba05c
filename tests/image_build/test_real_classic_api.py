"""The documented FlaskService classmethods build, run and push a real image, as the ``elg`` package's did."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import requests
from .images import container, remove_image, stop
from .real_engine import BASE_IMAGE, REGISTRY_PASSWORD, REGISTRY_USER, Engine, Registry

from elg_decorators.discovery import load_service

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "classic_flask_service.py"


def test_create_files_build_run_and_push(engine: Engine, registry: Registry, tmp_path: Path) -> None:
    script = tmp_path / "classic_flask_service.py"
    shutil.copyfile(EXAMPLE, script)
    service = type(load_service(str(script)).flask_service)
    tag = f"{registry.host}/elg/classic:1.0"

    service.create_requirements(path=str(script))
    service.create_docker_files(base_image=BASE_IMAGE, path=str(script))
    dockerfile = (tmp_path / "Dockerfile").read_text()
    assert 'WORKERS="1"' in dockerfile and 'TIMEOUT="30"' in dockerfile and 'WORKER_CLASS="sync"' in dockerfile
    output = io.StringIO()
    try:
        service.docker_build_image(tag, pull=False, path=str(script), client=engine.client, output=output)
        assert (tmp_path / "requirements.lock").is_file() and "Successfully tagged" in output.getvalue()
        with container(engine, tag) as (running, port):
            reply = requests.post(f"http://127.0.0.1:{port}/process/upper", json={"type": "text", "content": "hi"},
                                  timeout=10)
            assert reply.json() == {"response": {"type": "texts", "texts": [{"content": "HI"}]}}
            assert stop(running)[0] == 0
        service.docker_push_image(f"{registry.host}/elg/classic", "1.0", username=REGISTRY_USER,
                                  password=REGISTRY_PASSWORD, client=engine.client, output=output)
    finally:
        remove_image(engine, tag)
    assert "Pushed" in output.getvalue() and REGISTRY_PASSWORD not in output.getvalue()
