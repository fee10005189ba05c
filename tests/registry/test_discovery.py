"""Loading a service from a script or module, and the command line that does it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from elg_decorators import cli, default_registry
from elg_decorators.discovery import load_service
from elg_decorators.errors import ServiceLoadError
from elg_decorators.model import TextsResponse
from elg_decorators.testing import ServiceClient

SERVICE = '''\
from elg_decorators import text_service
from elg_decorators.model import TextsResponse

LOADS = []
LOADS.append(1)


@text_service
def shout(content: str) -> TextsResponse:
    return content.upper()
'''


def write(folder: Path, name: str, text: str) -> str:
    script = folder / name
    script.write_text(text)
    return str(script)


def test_load_service_registers_into_a_registry_of_its_own(tmp_path: Path) -> None:
    before = len(default_registry)

    loaded = load_service(write(tmp_path, "shouter.py", SERVICE))

    assert loaded.registry.name == "shouter"
    assert loaded.registry.endpoints() == {"/process": ["text"]}
    assert len(default_registry) == before
    assert ServiceClient(loaded.app()).text("hi") == TextsResponse(texts=[{"content": "HI"}])


def test_loading_the_same_script_twice_works(tmp_path: Path) -> None:
    script = write(tmp_path, "twice.py", SERVICE)

    first = load_service(script)
    second = load_service(script)

    assert first.module is not second.module
    assert first.registry is not second.registry
    assert len(second.registry) == 1
    assert ServiceClient(second.app()).text("again") == TextsResponse(texts=[{"content": "AGAIN"}])


def test_loading_the_same_module_twice_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "twice_package"
    package.mkdir()
    (package / "__init__.py").write_text("")
    write(package, "shouter.py", SERVICE)
    monkeypatch.syspath_prepend(str(tmp_path))

    first = load_service("twice_package.shouter")
    second = load_service("twice_package.shouter")

    assert (first.handler_count, second.handler_count) == (1, 1)
    assert second.module is not first.module and second.module.LOADS == [1]
    monkeypatch.delitem(sys.modules, "twice_package.shouter")


def test_a_script_can_import_modules_beside_it(tmp_path: Path) -> None:
    write(tmp_path, "wordlist.py", "WORDS = {'hi': 'hello'}\n")
    script = write(tmp_path, "expander.py", (
        "from elg_decorators import text_service\n"
        "from elg_decorators.model import TextsResponse\n"
        "from wordlist import WORDS\n\n\n"
        "@text_service\n"
        "def expand(content: str) -> TextsResponse:\n"
        "    return WORDS.get(content, content)\n"
    ))

    assert ServiceClient(load_service(script).app()).text("hi") == TextsResponse(texts=[{"content": "hello"}])


def test_missing_file() -> None:
    with pytest.raises(ServiceLoadError) as caught:
        load_service("no/such/service.py")

    assert str(caught.value) == "could not import 'no/such/service.py': no such file"


def test_module_not_found() -> None:
    with pytest.raises(ServiceLoadError) as caught:
        load_service("no_such_package.service")

    assert str(caught.value) == (
        "could not import 'no_such_package.service': no such module (give a .py file or a module on sys.path)"
    )


def test_error_raised_inside_the_script_is_reported_with_its_message(tmp_path: Path) -> None:
    script = write(tmp_path, "broken.py", "MODEL = {}\nraise RuntimeError('model file is corrupt')\n")

    with pytest.raises(ServiceLoadError) as caught:
        load_service(script)

    message = str(caught.value)
    assert message.startswith(f"{str(Path(script).resolve())!r} raised an error while being imported:\n")
    assert "RuntimeError: model file is corrupt" in message
    assert "broken.py" in message  # the traceback points at the script


def test_missing_dependency_inside_the_script_is_not_mistaken_for_a_missing_script(tmp_path: Path) -> None:
    script = write(tmp_path, "needs_dep.py", "import no_such_dependency_xyz\n")

    with pytest.raises(ServiceLoadError) as caught:
        load_service(script)

    assert "raised an error while being imported" in str(caught.value)
    assert "No module named 'no_such_dependency_xyz'" in str(caught.value)


def test_script_without_handlers(tmp_path: Path) -> None:
    with pytest.raises(ServiceLoadError) as caught:
        load_service(write(tmp_path, "empty_service.py", "VALUE = 1\n"))

    assert str(caught.value) == (
        "'empty_service' defines no ELG service: decorate a function with @text_service (or "
        "@structured_text_service, @audio_service, @image_service), or define a FlaskService subclass"
    )


def test_script_sees_its_own_name_in_argv(tmp_path: Path) -> None:
    script = write(tmp_path, "argv_service.py", SERVICE + "\nimport sys\nARGV = list(sys.argv)\n")

    loaded = load_service(script)

    assert loaded.module.ARGV == [str(Path(script).resolve())]


def test_help_lists_serve_and_build_with_examples() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "elg_decorators", "--help"], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0
    assert "serve     serve a script's or module's handlers with gunicorn" in result.stdout
    assert "build     write the Docker files for a service script" in result.stdout
    assert "examples:\n  python -m elg_decorators serve my_service.py\n" in result.stdout
    assert "python -m elg_decorators build my_service.py --tag " in result.stdout


def test_serve_help_shows_options_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--help"])

    out = capsys.readouterr().out
    assert exited.value.code == 0
    for option in ("--host", "--port", "--workers", "--threads", "--timeout", "--reload"):
        assert option in out
    assert "PORT=9000 WORKERS=2 python -m elg_decorators serve my_package.ner" in out


def test_serve_of_a_missing_script_fails_before_starting(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["serve", "no/such/service.py", "--host", "127.0.0.1", "--port", "1"])

    assert status == 1
    assert capsys.readouterr().err == "error: could not import 'no/such/service.py': no such file\n"
