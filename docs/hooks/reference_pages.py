"""An MkDocs hook: the reference pages generated from the code when the site is built.

A page that holds one of these comments gets it replaced by what the code declares:

``<!-- generated: server-settings -->``
    a table of :data:`elg_decorators.settings.SETTINGS` (name, environment variable,
    command-line option and the commands that take it, default, allowed values, help);
``<!-- generated: application-settings -->``
    the same for :data:`elg_decorators.settings.APPLICATION_SETTINGS`;
``<!-- generated: command-line -->``
    the ``--help`` of ``python -m elg_decorators`` and of each of its commands.

So no default, bound or option is written twice: change a declaration and the page follows.
The package is imported from the repository this file is in, not from an installed copy.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[2]

MARKER = "<!-- generated: {} -->"
#: Width of the command-line help, as a terminal of this many columns would show it.
HELP_COLUMNS = "96"


def _code(value: Any) -> str:
    return f"`{value}`"


def _allowed(setting: Any) -> str:
    if setting.choices:
        return "one of " + ", ".join(_code(choice) for choice in setting.choices)
    if setting.type is bool:
        return "`1` or `0` (`true`/`false`, `yes`/`no`, `on`/`off`)"
    if setting.minimum is not None and setting.maximum is not None:
        return f"{setting.minimum} to {setting.maximum}"
    if setting.minimum is not None:
        return "0 or more" if setting.minimum == 0 else f"at least {setting.minimum}"
    if setting.maximum is not None:
        return f"at most {setting.maximum}"
    return "any " + setting.type.__name__


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _commands_taking(name: str) -> list[str]:
    """The commands whose server options (each command's declared list) include the setting ``name``."""
    from elg_decorators.cli.build_plan import IMAGE_OPTIONS
    from elg_decorators.cli.deploy import DEPLOY_OPTIONS
    from elg_decorators.cli.serve import SERVE_OPTIONS

    declared = {"serve": SERVE_OPTIONS, "build": IMAGE_OPTIONS, "deploy": DEPLOY_OPTIONS}
    return [command for command, names in declared.items() if name in names]


def _default(setting: Any) -> str:
    value = int(setting.default) if setting.type is bool else setting.default
    shown = _code(value)
    if setting.type is int and "bytes" in setting.help and value and value % (1024 * 1024) == 0:
        shown += f" ({value // (1024 * 1024)} MiB)"
    return shown


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def server_settings() -> str:
    """The table of the server settings."""
    from elg_decorators.settings import SETTINGS

    rows = ["| name (`serve()` argument) | environment | command line | default | allowed | what it sets |",
            "| --- | --- | --- | --- | --- | --- |"]
    for setting in SETTINGS:
        commands = _commands_taking(setting.name)
        option = (f"{_code(setting.option)} ({', '.join(commands)})" if commands else "—")
        image = "" if setting.in_image or setting.env is None else " Not written into images and manifests."
        rows.append("| " + " | ".join(_cell(cell) for cell in (
            f'<span id="{setting.name}"></span>{_code(setting.name)}',
            _code(setting.env) if setting.env else "—",
            option,
            _default(setting),
            _allowed(setting),
            setting.help[:1].upper() + setting.help[1:] + "." + image,
        )) + " |")
    return "\n".join(rows)


def application_settings() -> str:
    """The table of the settings the application reads from its environment."""
    from elg_decorators.settings import APPLICATION_SETTINGS

    rows = ["| environment | default | allowed | what it sets |", "| --- | --- | --- | --- |"]
    for setting in APPLICATION_SETTINGS:
        rows.append("| " + " | ".join(_cell(cell) for cell in (
            f'<span id="{setting.name}"></span>{_code(setting.env)}',
            _default(setting),
            _allowed(setting),
            setting.help[:1].upper() + setting.help[1:] + ".",
        )) + " |")
    return "\n".join(rows)


def command_line() -> str:
    """The help of the command and of each of its subcommands, as the terminal shows it."""
    from elg_decorators.cli import build_parser

    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS
    try:
        parser = build_parser()
        sections = [("python -m elg_decorators --help", parser.format_help())]
        for name, command in _subcommands(parser).items():
            sections.append((f"python -m elg_decorators {name} --help", command.format_help()))
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before
    parts = []
    for title, text in sections:
        heading = title.split()[3] if len(title.split()) > 4 else "python -m elg_decorators"
        parts.append(f"## {heading}\n\n```text\n$ {title}\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


GENERATORS = {
    "server-settings": server_settings,
    "application-settings": application_settings,
    "command-line": command_line,
}


def on_config(config: Any, **kwargs: Any) -> Any:
    """Import the package (here and in the API reference's run-time look-ups) from this repository."""
    if str(REPOSITORY) not in sys.path:
        sys.path.insert(0, str(REPOSITORY))
    loaded = sys.modules.get("elg_decorators")
    if loaded is not None and Path(loaded.__file__ or "").resolve().parent != REPOSITORY / "elg_decorators":
        raise RuntimeError(f"elg_decorators was imported from {loaded.__file__}, not from {REPOSITORY}")
    return config


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace each marker of :data:`GENERATORS` in a page by what its function writes."""
    for name, generate in GENERATORS.items():
        marker = MARKER.format(name)
        if marker in markdown:
            markdown = markdown.replace(marker, generate())
    return markdown
