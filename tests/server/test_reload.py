"""``serve --reload`` over a real server: an edit that does not load leaves the code loaded before
serving, its error is logged once in one line, and the next edit that loads is served."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import requests

SERVE = ["-m", "elg_decorators", "serve"]
#: Longest wait for the server to notice an edit (it looks about twice a second).
NOTICE_SECONDS = 60

SERVICE = '''\
from elg_decorators import text_service
from elg_decorators.model import TextsResponse
{imports}

@text_service
def answer(content: str) -> TextsResponse:
    return {answer}
'''


def ask(url: str) -> str:
    reply = requests.post(f"{url}/process", json={"type": "text", "content": "?"}, timeout=30)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["response"]["texts"][0]["content"])


def eventually(condition: Callable[[], bool], output: Callable[[], str]) -> None:
    deadline = time.monotonic() + NOTICE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"not within {NOTICE_SECONDS} s; log:\n{output()[-3000:]}"
        time.sleep(0.2)


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "the changed code does not load" in line]


def test_a_syntax_error_keeps_the_old_code_serving_until_the_fix(start, tmp_path: Path) -> None:
    script = tmp_path / "editable.py"
    script.write_text(SERVICE.format(imports="", answer='"first"'))
    service = start([*SERVE, str(script), "--reload", "--host", "127.0.0.1", "--port", "{port}"])
    assert ask(service.url) == "first"

    script.write_text(SERVICE.format(imports="", answer='"second"') + "\ndef broken(:\n")
    eventually(lambda: bool(error_lines(service.output())), service.output)
    assert ask(service.url) == "first"

    script.write_text(SERVICE.format(imports="", answer='"third"'))
    eventually(lambda: ask(service.url) == "third", service.output)

    output = service.output()
    assert error_lines(output) == [line for line in output.splitlines() if "SyntaxError" in line]
    [line] = error_lines(output)
    assert line.endswith(f"the changed code does not load ({script}, line 9: SyntaxError: invalid syntax: "
                         "def broken(:); still serving the code loaded before")
    assert "Traceback" not in output and "Worker failed to boot" not in output
    assert service.stop() == 0


def test_an_edited_helper_module_is_imported_afresh_and_its_import_error_shown_once(start, tmp_path: Path) -> None:
    helper = tmp_path / "wording.py"
    helper.write_text('WORD = "alpha"\n')
    script = tmp_path / "worded.py"
    script.write_text(SERVICE.format(imports="import wording", answer="wording.WORD"))
    service = start([*SERVE, str(script), "--reload", "--workers", "2", "--host", "127.0.0.1", "--port", "{port}"])
    assert ask(service.url) == "alpha"

    helper.write_text('from nowhere_to_be_found import WORD\n')
    eventually(lambda: bool(error_lines(service.output())), service.output)
    helper.write_text('WORD = "beta"\n')
    # Until the old workers have stopped, some answers may still come from them.
    eventually(lambda: {ask(service.url) for _ in range(6)} == {"beta"}, service.output)

    [line] = error_lines(service.output())  # two new workers failed; the master said it once
    assert line.endswith(f"({helper}, line 1: ModuleNotFoundError: No module named 'nowhere_to_be_found'); "
                         "still serving the code loaded before")
    assert service.stop() == 0
