"""The code snippets of the README and of docs/, as the documentation tests read them.

A snippet is a fenced code block. Its language says what is done with it:

* ``python``: run in a fresh interpreter (see :data:`PYTHON_RUNNER`);
* ``sh``, ``console``, ``bash``, ``shell``: each command checked (see ``test_docs.py``);
* ``text``: output shown to the reader, compared with the answer when it follows a ``curl`` block.

A snippet whose first line is a comment naming a file (``# my_service.py``) is that file: the
snippets after it in the same document find it in their working folder. A snippet that is
deliberately partial is preceded by :data:`NOT_RUN` and only counted.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
#: Every document whose snippets run: the README and the pages of the site.
DOCUMENTS = [REPOSITORY / "README.md", *sorted((REPOSITORY / "docs").rglob("*.md"))]
#: The comment that, on the line before a fence, marks its snippet as deliberately partial.
NOT_RUN = "<!-- not run -->"
SHELL = frozenset({"sh", "console", "bash", "shell"})
LANGUAGES = SHELL | {"python", "text"}

_FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)\s*$")
_NAMED_FILE = re.compile(r"^#\s*([\w.-]+\.py)\s*$")


@dataclass(frozen=True)
class Snippet:
    """One fenced code block of a document."""

    document: Path
    line: int
    language: str
    code: str
    run: bool
    #: The index of this snippet among its document's snippets.
    index: int

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(REPOSITORY)}:{self.line}"

    @property
    def file_name(self) -> str | None:
        """The file this snippet is (``# my_service.py`` on its first line), if any."""
        first = self.code.lstrip().splitlines()[0] if self.code.strip() else ""
        found = _NAMED_FILE.match(first)
        return found.group(1) if found else None


def snippets(document: Path) -> list[Snippet]:
    """The fenced code blocks of ``document``, in order."""
    lines = document.read_text(encoding="utf-8").splitlines()
    found: list[Snippet] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, language = opening.groups()
        before = next((line.strip() for line in reversed(lines[:index]) if line.strip()), "")
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index][len(indent):] if lines[index].startswith(indent) else lines[index])
            index += 1
        start = index - len(body)
        found.append(Snippet(document, start, language, "\n".join(body) + "\n", before != NOT_RUN, len(found)))
        index += 1
    return found


def all_snippets() -> list[Snippet]:
    return [snippet for document in DOCUMENTS for snippet in snippets(document)]


def commands(code: str) -> list[list[str]]:
    """The commands of a shell snippet: lines joined at a trailing backslash, comments dropped,
    split at ``&&``, ``||``, ``;`` and ``|``, the leading ``NAME=value`` assignments dropped."""
    found: list[list[str]] = []
    for line in code.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "$":  # a console prompt
            words = words[1:]
        command: list[str] = []
        for word in [*words, "&&"]:
            if word in ("&&", "||", ";", "|"):
                while command and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", command[0]):
                    command.pop(0)
                if command:
                    found.append(command)
                command = []
            else:
                command.append(word)
    return found


def served_script(snippet: Snippet, all_in_document: list[Snippet]) -> str | None:
    """The script a ``curl`` in ``snippet`` talks to: that of the nearest command before it in the
    same document that starts a service (``python SCRIPT.py``, ``python -m elg_decorators serve SCRIPT``)."""
    for earlier in reversed(all_in_document[: snippet.index + 1]):
        if earlier.language not in SHELL:
            continue
        found = commands(earlier.code)
        if earlier is snippet:  # only the commands before its first curl
            found = found[: next(i for i, command in enumerate(found) if command[0] == "curl")]
        for command in reversed(found):
            if command[:1] in (["python"], ["python3"]) and len(command) > 1:
                if command[1].endswith(".py"):
                    return command[1]
                if command[1:4] == ["-m", "elg_decorators", "serve"] and len(command) > 4:
                    return command[4]
    return None


#: Runs one Python snippet as a module (not as ``__main__``, so ``serve()`` under the usual guard
#: does not start a server), then calls the ``test_*`` functions it defines, and prints how many
#: handlers it registered, in the default registry or in registries of its own.
PYTHON_RUNNER = """
import json, runpy, sys
from elg_decorators import Registry, default_registry
namespace = runpy.run_path(sys.argv[1], run_name="__snippet__")
tests = [value for name, value in namespace.items() if name.startswith("test_") and callable(value)]
for test in tests:
    test()
registries = [default_registry] + [value for value in namespace.values() if isinstance(value, Registry)]
print(json.dumps({"handlers": sum(len(registry) for registry in registries), "tests": len(tests)}))
"""

#: Sends one request, given as JSON (script, method, path, headers, base64 body), to the service of
#: a script through Flask's test client, and prints the status, content type and body.
CURL_RUNNER = """
import base64, json, sys
from elg_decorators.testing import ServiceClient
script, method, path, headers, body = json.loads(sys.argv[1])
client = ServiceClient.for_module(script)
answer = client.app.test_client().open(path, method=method, headers=headers, data=base64.b64decode(body))
print(json.dumps({"status": answer.status_code, "type": answer.content_type, "body": answer.get_data(as_text=True)}))
"""


@dataclass
class CurlRequest:
    """What a ``curl`` command line sends."""

    method: str = "GET"
    path: str = "/"
    headers: dict[str, str] | None = None
    body: bytes = b""


def curl_request(command: list[str], folder: Path) -> CurlRequest:
    """The request ``command`` (``curl ...``) sends, files (``-F name=@file``) read from ``folder``.

    Only the options the documentation uses are understood; any other is a ValueError, so that a
    new one is added here rather than passed over.
    """
    request = CurlRequest(headers={})
    assert request.headers is not None
    data: str | None = None
    parts: list[str] = []
    method: str | None = None
    words = iter(command[1:])
    for word in words:
        if word in ("-s", "--silent", "-N", "--no-buffer"):
            continue
        if word in ("-H", "--header"):
            name, _, value = next(words).partition(":")
            request.headers[name.strip()] = value.strip()
        elif word in ("-d", "--data", "--data-raw"):
            data = next(words)
        elif word in ("-F", "--form"):
            parts.append(next(words))
        elif word in ("-X", "--request"):
            method = next(words)
        elif not word.startswith("-"):
            found = re.fullmatch(r"(?:https?://)?(?:localhost|127\.0\.0\.1)(?::\d+)?(/.*)?", word)
            if found is None:
                raise ValueError(f"curl: not a URL of the local service: {word}")
            request.path = found.group(1) or "/"
        else:
            raise ValueError(f"curl: option {word} is not understood by the documentation tests")
    if data is not None:
        request.body = data.encode()
        request.headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request.method = "POST"
    if parts:
        boundary = "docs-test-boundary"
        request.body = _multipart(parts, boundary, folder)
        request.headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        request.method = "POST"
    request.method = method or request.method
    return request


def _multipart(parts: list[str], boundary: str, folder: Path) -> bytes:
    """A multipart body as curl's ``-F 'name=value;type=...'`` and ``-F 'name=@file;type=...'`` make it."""
    body = b""
    for part in parts:
        name, _, rest = part.partition("=")
        value, _, options = rest.partition(";")
        content_type = options.partition("type=")[2] or None
        disposition = f'form-data; name="{name}"'
        if value.startswith("@"):
            path = folder / value[1:]
            content = path.read_bytes()
            disposition += f'; filename="{path.name}"'
        else:
            content = value.encode()
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        body += head.encode() + b"\r\n" + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()
