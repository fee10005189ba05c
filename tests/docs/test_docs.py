"""The documentation: the site builds in strict mode, and every snippet of the README and docs/ runs.

* The site is built with ``mkdocs build --strict`` into a temporary folder: a broken link, anchor
  or API reference fails the build, as in CI.
* Each Python snippet runs in a fresh interpreter, in a temporary working folder holding the files
  that earlier snippets of its document name (``# my_service.py``).
* Each shell command is checked without running it: ``python -m elg_decorators ...`` through the
  command's own parser, the files and extras it names against the repository. Commands that
  install, build images or reach a cluster (``pip``, ``docker``, ``kubectl``, ``bash .ci/run``) are
  not run here: their files are checked, and the rest of the suite tests what they do.
* Each ``curl`` line is sent, in-process through Flask's test client rather than over a socket, to
  the service the document started before it (``python examples/NAME.py``, ``python my_service.py``),
  and must be answered with an ELG response; a ``text`` block right after it must be the answer.
"""
from __future__ import annotations

import base64
import configparser
import functools
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from doc_snippets import (
    CURL_RUNNER,
    DOCUMENTS,
    LANGUAGES,
    NOT_RUN,
    PYTHON_RUNNER,
    REPOSITORY,
    SHELL,
    Snippet,
    all_snippets,
    commands,
    curl_request,
    served_script,
    snippets,
)

from elg_decorators.cli import build_parser
from elg_decorators.settings import APPLICATION_SETTINGS, SETTINGS

SNIPPETS = all_snippets()
PYTHON = [snippet for snippet in SNIPPETS if snippet.language == "python" and snippet.run]
SHELL_SNIPPETS = [snippet for snippet in SNIPPETS if snippet.language in SHELL and snippet.run]
CURLS = [(snippet, command) for snippet in SHELL_SNIPPETS for command in commands(snippet.code)
         if command[0] == "curl"]
#: Programs whose command lines are only checked for the files they name (see the module docstring).
NOT_RUN_HERE = frozenset({"pip", "docker", "kubectl", "tox", "mypy", "lint-imports", "ruff", "mkdocs", "gunicorn",
                          "curl", "bash", ".", "pytest"})
#: Words that stand for a name the reader chooses, in paths like ``examples/NAME.py``.
PLACEHOLDERS = re.compile(r"\b(?:NAME|SCRIPT|DIR|FILE)\b")
SUBPROCESS_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPOSITORY),
                                                                              os.environ.get("PYTHONPATH")]))}


def _in_document(snippet: Snippet) -> list[Snippet]:
    return snippets(snippet.document)


def _prepare_folder(snippet: Snippet, folder: Path) -> None:
    """Write the files the snippets before ``snippet`` in its document name, and sample media."""
    for earlier in _in_document(snippet)[: snippet.index]:
        if earlier.language == "python" and earlier.file_name:
            (folder / earlier.file_name).write_text(earlier.code, encoding="utf-8")
    media = importlib.util.spec_from_file_location("docs_media", REPOSITORY / "tests" / "examples" / "media.py")
    assert media is not None and media.loader is not None
    module = importlib.util.module_from_spec(media)
    media.loader.exec_module(module)
    (folder / "speech.wav").write_bytes(module.wav_bytes(1.0))
    (folder / "picture.png").write_bytes(module.png_bytes(4, 3))


def _run(arguments: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *arguments], cwd=folder, env=SUBPROCESS_ENV, capture_output=True,
                          text=True, timeout=120)


# -- the site ----------------------------------------------------------------------------------


def test_the_site_builds_in_strict_mode(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPOSITORY, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    assert "WARNING" not in result.stderr, result.stderr[-5000:]

    settings = (site / "reference" / "settings.html").read_text(encoding="utf-8")
    for setting in (*SETTINGS, *APPLICATION_SETTINGS):
        assert setting.help.split(" (")[0][1:] in settings, f"{setting.name} is missing from the settings page"
        assert setting.env is None or f"<code>{setting.env}</code>" in settings
    assert "<!-- generated" not in settings
    cli = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    assert "--max-queue" in cli and "--lt-class" in cli and "--tag" in cli

    pages = {path: path.read_text(encoding="utf-8") for path in site.rglob("*.html")}
    api = "".join(text for path, text in pages.items() if path.parent.name == "reference")
    assert "text_service" in api and "ProcessingError" in api and "ServiceClient" in api
    for leftover in (".. code-block::", ":class:`", ":func:`", ":meth:`", ":mod:`"):
        assert leftover not in api, f"reST {leftover!r} left in the API reference"
    for path, text in pages.items():  # read offline: nothing is loaded from elsewhere
        assert not re.search(r'<(?:script|img)[^>]+src="(?:https?:)?//', text), path
        assert not re.search(r'<link[^>]+href="(?:https?:)?//', text), path


# -- the README --------------------------------------------------------------------------------


def test_the_readme_is_a_door() -> None:
    """A few screens: what the product is, the two set-up commands, a service, links."""
    readme = REPOSITORY / "README.md"
    assert len(readme.read_text(encoding="utf-8").splitlines()) <= 150
    shell = [snippet.code.strip() for snippet in snippets(readme) if snippet.language in SHELL]
    assert shell[:2] == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install . && python examples/dictionary_ner.py",
        "bash .ci/run",
    ]


# -- snippets ----------------------------------------------------------------------------------


def test_every_snippet_has_a_known_language() -> None:
    unknown = [f"{snippet.name} ({snippet.language or 'no language'})" for snippet in SNIPPETS
               if snippet.language not in LANGUAGES]
    assert not unknown, f"give each fence one of {sorted(LANGUAGES)}: {unknown}"


def test_few_snippets_are_left_unrun() -> None:
    """Snippets marked <!-- not run --> are the exception: a partial snippet is better made whole."""
    unrun = [snippet.name for snippet in SNIPPETS if not snippet.run]
    assert len(unrun) <= 3, f"{len(unrun)} snippets are marked {NOT_RUN}: {unrun}"


@pytest.mark.parametrize("snippet", PYTHON, ids=[snippet.name for snippet in PYTHON])
def test_python_snippet_runs(snippet: Snippet, tmp_path: Path) -> None:
    _prepare_folder(snippet, tmp_path)
    script = tmp_path / (snippet.file_name or "snippet.py")
    script.write_text(snippet.code, encoding="utf-8")
    result = _run(["-c", PYTHON_RUNNER, str(script)], tmp_path)
    assert result.returncode == 0, f"{snippet.name}:\n{snippet.code}\n{result.stderr[-4000:]}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if re.search(r"^@\w+_service", snippet.code, re.MULTILINE):
        assert report["handlers"] > 0, f"{snippet.name} registers no handler"
    if (snippet.file_name or "").startswith("test_"):
        assert report["tests"] > 0


@pytest.mark.parametrize("snippet", SHELL_SNIPPETS, ids=[snippet.name for snippet in SHELL_SNIPPETS])
def test_shell_commands_are_valid(snippet: Snippet) -> None:
    named_files = {earlier.file_name for earlier in _in_document(snippet)[: snippet.index] if earlier.file_name}
    for command in commands(snippet.code):
        _check_command(command, named_files, snippet.name)


def _check_command(command: list[str], named_files: set[str], where: str) -> None:
    program, arguments = command[0], command[1:]
    if program in ("python", "python3"):
        if arguments[:2] == ["-m", "elg_decorators"]:
            _check_cli(arguments[2:], where)
        elif arguments[:2] == ["-m", "pytest"]:
            _check_paths([word for word in arguments[2:] if not word.startswith("-")], where)
        elif arguments[:2] == ["-m", "venv"]:
            pass
        elif arguments and arguments[0].endswith(".py"):
            assert arguments[0] in named_files or (REPOSITORY / arguments[0]).is_file(), \
                f"{where}: {arguments[0]} is neither in the repository nor a snippet of the document"
        else:
            pytest.fail(f"{where}: the documentation tests do not know what to check of: {' '.join(command)}")
    elif program == "pip":
        for word in arguments:
            extras = re.fullmatch(r"\.\[([\w,-]+)\]", word)
            if extras:
                assert set(extras.group(1).split(",")) <= _extras(), f"{where}: no such extra in setup.cfg: {word}"
    elif program == "gunicorn":
        module, _, attribute = arguments[-1].partition(":")
        loaded = importlib.import_module(module)
        name = attribute.split("(")[0]
        assert name in vars(loaded) or "__getattr__" in vars(loaded), f"{where}: {module} has no {name}"
    elif program in ("bash", "."):
        _check_paths(arguments[:1], where)
    elif program.startswith((".ci/", "./")):
        _check_paths([program], where)
    else:
        assert program in NOT_RUN_HERE, f"{where}: the documentation tests do not know the program {program!r}"
        _check_paths([word for word in arguments if "/" in word and not word.startswith(("-", "http"))], where)


def _check_cli(arguments: list[str], where: str) -> None:
    parser = build_parser()
    try:
        parser.parse_args(arguments)
    except SystemExit as exit:  # --help exits 0; an error 2, after printing it
        assert exit.code == 0, f"{where}: python -m elg_decorators {' '.join(arguments)} does not parse"


def _extras() -> set[str]:
    config = configparser.ConfigParser()
    config.read(REPOSITORY / "setup.cfg")
    return set(config["options.extras_require"])


def _check_paths(paths: list[str], where: str) -> None:
    for path in paths:
        if path.startswith((".venv/", "/")) or path in (".venv/bin/activate",) or PLACEHOLDERS.search(path):
            continue
        if path.split("/")[0] in _top_level() or path in _top_level():
            assert (REPOSITORY / path).exists() or _ignored(path), f"{where}: {path} does not exist"


@pytest.mark.parametrize("snippet, command", CURLS, ids=[f"{snippet.name}" for snippet, _ in CURLS])
def test_curl_is_answered(snippet: Snippet, command: list[str], tmp_path: Path) -> None:
    script = served_script(snippet, _in_document(snippet))
    assert script is not None, f"{snippet.name}: no command before this curl starts the service it calls"
    _prepare_folder(snippet, tmp_path)
    if (REPOSITORY / script).is_file():
        script = str(REPOSITORY / script)
    request = curl_request(command, tmp_path)
    payload = json.dumps([script, request.method, request.path, request.headers,
                          base64.b64encode(request.body).decode()])
    result = _run(["-c", CURL_RUNNER, payload], tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200, f"{snippet.name}: {answer}"
    if answer["type"].startswith("text/event-stream"):
        assert answer["body"].rstrip().splitlines()[-1].startswith('data:{"response"'), answer["body"]
    else:
        assert json.loads(answer["body"]).get("response"), answer["body"]
    following = _in_document(snippet)[snippet.index + 1: snippet.index + 2]
    if following and following[0].language == "text" and _adjacent(snippet, following[0]):
        shown = following[0].code.strip().splitlines()
        assert answer["body"].strip().splitlines() == shown, f"{following[0].name} is not the answer"


def _adjacent(first: Snippet, second: Snippet) -> bool:
    """Whether only blank lines separate two snippets."""
    lines = first.document.read_text(encoding="utf-8").splitlines()
    end = first.line + len(first.code.splitlines())  # the closing fence of the first
    return all(not line.strip() for line in lines[end + 1: second.line - 1])


# -- paths and layers --------------------------------------------------------------------------


_PATH = re.compile(r"(?<![\w./-])((?:\.ci|[\w-]+)/[\w./-]*[\w/-]|[\w-]+\.(?:cfg|ini|toml|yml))")


@pytest.mark.parametrize("document", DOCUMENTS, ids=[str(path.relative_to(REPOSITORY)) for path in DOCUMENTS])
def test_the_repository_paths_named_exist(document: Path) -> None:
    """Every path of the repository a document names (``examples/translate.py``, ``docs/testing.md``)."""
    text = document.read_text(encoding="utf-8")
    if document.parent.name == "docs" or document.parent.parent.name == "docs":
        text = re.sub(r"\]\([^)]*\)", "]", text)  # the site's own links: mkdocs checks them
    named = {found.rstrip(".") for found in _PATH.findall(text)}
    _check_paths(sorted(named), str(document.relative_to(REPOSITORY)))


@functools.cache
def _top_level() -> set[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=REPOSITORY, capture_output=True, text=True)
    if listed.returncode != 0:  # not a clone: what is there
        return {path.name for path in REPOSITORY.iterdir() if not path.name.startswith(".") or path.name == ".ci"}
    return {line.split("/")[0] for line in listed.stdout.splitlines()} | {"docs", "tests"}


def _ignored(path: str) -> bool:
    """Whether ``path`` is one the project generates (ignored by git: results, virtual environments)."""
    return any(subprocess.run(["git", "check-ignore", "-q", candidate], cwd=REPOSITORY).returncode == 0
               for candidate in (path, path.rstrip("/") + "/"))


def test_the_layers_table_is_the_layer_contract() -> None:
    """docs/development.md lists the layers that setup.cfg's import-linter contract enforces, in its order."""
    config = configparser.ConfigParser()
    config.read(REPOSITORY / "setup.cfg")
    contract = [re.findall(r"elg_decorators\.(\w+)", line)
                for line in config["importlinter:contract:layers"]["layers"].split("\n") if line.strip()]
    page = (REPOSITORY / "docs" / "development.md").read_text(encoding="utf-8")
    section = page.split("## Layers", 1)[1].splitlines()
    rows = [line for line in section[: next(i for i, line in enumerate(section) if line.startswith("## "))]
            if line.startswith("|")][2:]  # the table's rows, below its head
    documented = [re.findall(r"`(\w+)`", row.split("|")[2]) for row in rows]
    modules = [name for row in documented for name in row if (REPOSITORY / "elg_decorators" / name).exists()
               or (REPOSITORY / "elg_decorators" / f"{name}.py").exists()]
    assert modules == [name for layer in contract for name in layer]
