"""The build folder: where ``build`` writes, and the service's files it copies there, kept in step with theirs.

By default each script gets a folder of its own, ``.elg-build/<script name>/`` beside it, so the
user's folder keeps their code only, and two services in one folder do not share a Dockerfile.
A ``.gitignore`` in it keeps it out of git. The script and the named files and folders are
copied in (as hard links where the file system allows, so that a large model takes no room
twice); a build copies again only what changed, and removes from a copied folder what is no
longer in the original, so the image holds what the user's folder holds.
"""
from __future__ import annotations

import fnmatch
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from .generated import GENERATED_HEADER, write_generated

__all__ = ["BUILD_FOLDER", "GITIGNORE", "default_build_folder", "sync_sources", "write_gitignore"]

#: The folder, beside the script, that holds a build folder for each script.
BUILD_FOLDER = ".elg-build"
GITIGNORE = ".gitignore"
_GITIGNORE_TEXT = (
    f"{GENERATED_HEADER}: everything in this build folder is written or copied by\n"
    "# python -m elg_decorators build, and made again by it; git ignores it all.\n"
    "*\n"
)
#: What is never copied from a named folder: caches, version control, environments.
_SKIPPED = ("__pycache__", "*.py[cod]", ".git", ".hg", ".svn", ".venv", ".tox", ".DS_Store", BUILD_FOLDER)


def default_build_folder(script: Path) -> Path:
    """``.elg-build/<script name without .py>/`` beside ``script``."""
    return script.parent / BUILD_FOLDER / script.stem


def write_gitignore(folder: Path) -> Path:
    """Write ``folder/.gitignore``, which makes git ignore everything in ``folder``."""
    return write_generated(folder / GITIGNORE, _GITIGNORE_TEXT)


def _skipped(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in _SKIPPED)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _sync_file(source: Path, target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists():
        if os.path.samefile(source, target):
            return  # the hard link of an earlier build: the same file
        have, want = target.stat(), source.stat()
        if (have.st_size, have.st_mtime_ns) == (want.st_size, want.st_mtime_ns):
            return
        target.unlink()
    elif target.is_symlink():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)


def _mirror_folder(source: Path, target: Path, context: Path) -> None:
    if target.exists() and not target.is_dir() or target.is_symlink():
        target.unlink()
    target.mkdir(parents=True, exist_ok=True)
    kept = set()
    for entry in sorted(source.iterdir()):
        if _skipped(entry.name) or entry.resolve() == context:
            continue
        if entry.is_dir():
            _mirror_folder(entry, target / entry.name, context)
        elif entry.is_file():
            _sync_file(entry, target / entry.name)
        else:
            continue  # sockets, pipes, broken links: nothing Docker could copy
        kept.add(entry.name)
    for entry in target.iterdir():
        if entry.name not in kept:
            _remove(entry)


def sync_sources(source_root: Path, context: Path, files: Sequence[str], folders: Sequence[str]) -> list[Path]:
    """Bring copies of ``folders`` and ``files`` (relative to ``source_root``, the script among them) into ``context``.

    :returns: the copies, folders first.
    """
    context = context.resolve()
    copied = []
    for folder in folders:
        _mirror_folder(source_root / folder, context / folder, context)
        copied.append(context / folder)
    for name in files:
        _sync_file(source_root / name, context / name)
        copied.append(context / name)
    return copied
