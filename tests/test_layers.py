"""The layer rules that a user can observe: packaging a service does not load the web stack."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

WEB_STACK = ("flask", "werkzeug", "gunicorn")


@pytest.mark.parametrize("module", ["elg_decorators.image", "elg_decorators.settings", "elg_decorators"])
def test_importing_loads_no_web_stack(module: str) -> None:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert [name for name in loaded if name.split(".")[0] in WEB_STACK] == []


def test_the_public_names_load_on_first_use() -> None:
    import elg_decorators

    assert elg_decorators.text_service.__name__ == "text_service"
    assert sorted(elg_decorators.__all__) == sorted([
        "__version__", "FlaskService", "HandlerDefinitionError", "ProcessingError", "Progress", "QuartService",
        "Registry", "RegistryService", "StandardMessages", "audio_service", "create_app", "default_registry",
        "image_service", "resource", "serve", "service_class", "structured_text_service", "text_service",
    ])
    with pytest.raises(AttributeError, match="no attribute 'annotations'"):
        elg_decorators.annotations  # noqa: B018 - the __future__ import is not a public name
