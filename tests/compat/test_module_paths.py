"""Every module path of the elg package's model, flask_service and quart_service exists under
elg_decorators with the same names, so only the package name of an import changes."""
from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import TypeAdapter

import elg_decorators.model

PATHS_FILE = Path(__file__).with_name("elg_module_paths.txt")


def reference_modules() -> list[tuple[str, list[str]]]:
    rows = []
    for line in PATHS_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            module, *names = line.split()
            rows.append((module, names))
    return rows


def ours(module: str) -> str:
    assert module.startswith("elg.")
    return "elg_decorators." + module[len("elg."):]


def test_the_list_covers_every_module_of_the_reference_model_package():
    modules = [module for module, _ in reference_modules()]
    assert len(modules) == 23
    assert {"elg.model.response.ClassificationResponse", "elg.model.base.StandardMessages",
            "elg.flask_service", "elg.quart_service", "elg.model.base.utils"} <= set(modules)


@pytest.mark.parametrize("module, names", reference_modules(), ids=[module for module, _ in reference_modules()])
def test_module_path_exists_with_the_same_names(module, names):
    imported = importlib.import_module(ours(module))
    assert [name for name in names if not hasattr(imported, name)] == []
    for name in names:
        value = getattr(imported, name)
        assert inspect.isclass(value) or inspect.isfunction(value), f"{ours(module)}.{name} is {value!r}"
        # One definition per name: the submodule re-exports the package's object.
        if hasattr(elg_decorators.model, name):
            assert value is getattr(elg_decorators.model, name)


def test_the_names_are_classes_whichever_module_is_imported_first():
    # Importing elg_decorators.model.request.TextRequest (the module) must not turn the package
    # attribute TextRequest into that module for a later `from ... import TextRequest`.
    script = (
        "import elg_decorators.model.response.ClassificationResponse\n"
        "import elg_decorators.model.request.TextRequest, elg_decorators.model.base.Annotation\n"
        "from elg_decorators.model.request import TextRequest\n"
        "from elg_decorators.model.response import ClassificationResponse\n"
        "from elg_decorators.model.base import Annotation\n"
        "from elg_decorators.model.response.ClassificationResponse import ClassesResponse\n"
        "print(TextRequest.__name__, ClassificationResponse.__name__, Annotation.__name__, ClassesResponse.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["TextRequest", "ClassificationResponse", "Annotation", "ClassesResponse"]


def test_earlier_import_paths_still_work():
    from elg_decorators.model import AnnotationsResponse, TextRequest
    from elg_decorators.model.base import StandardMessages
    from elg_decorators.model import get_response
    from elg_decorators.model.envelope import AnyRequest
    from elg_decorators.model.request import AUDIO_FORMATS, Text
    from elg_decorators.model.response import ResponseMessage, ResponseObject, response_adapter

    assert AUDIO_FORMATS == ("LINEAR16", "MP3")
    assert issubclass(AnnotationsResponse, ResponseObject) and Text.__name__ == "Text"
    assert StandardMessages.generate_elg_request_invalid().code == "elg.request.invalid"
    assert TypeAdapter(AnyRequest).validate_python({"type": "text", "content": "x"}) == TextRequest(content="x")
    assert get_response({"response": {"type": "annotations", "features": {}}}) == AnnotationsResponse(features={})
    assert response_adapter.validate_python({"type": "annotations", "features": {}}) == AnnotationsResponse(features={})
    assert ResponseMessage is not None


def test_the_list_is_what_the_reference_package_holds(reference_python):
    done = subprocess.run(
        [str(reference_python), str(Path(__file__).with_name("list_elg_modules.py"))],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == PATHS_FILE.read_text()
