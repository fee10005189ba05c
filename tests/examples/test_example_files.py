"""Every example is a runnable script that documents how to call it."""
from __future__ import annotations

import ast

import pytest
from media import EXAMPLES

from elg_decorators.discovery import load_service

SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def test_the_examples_are_all_there() -> None:
    assert [script.stem for script in SCRIPTS] == [
        "batched_classifier", "classic_flask_service", "dictionary_ner", "image_info", "sentence_splitter", "sentiment",
        "slow_progress", "translate", "wav_info",
    ]


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_example_has_a_curl_line_and_serves_when_run(script) -> None:
    tree = ast.parse(script.read_text())
    last = tree.body[-1]

    assert "curl -s" in (ast.get_docstring(tree) or "")
    assert isinstance(last, ast.If) and ast.unparse(last.test) == "__name__ == '__main__'"
    assert ast.unparse(last.body[0]).startswith("serve(")
    assert load_service(str(script)).handler_count == 1
