"""The build context as the engine receives it: what ``.dockerignore`` lets in, owned by root, with fixed modes.

The docker SDK would send each file with this machine's owner and permission bits, and ``COPY``
keeps the bits: a file made under umask 077 would be unreadable for the service's user, one under
umask 000 writable. Here every directory is sent as ``rwxr-xr-x``, every file as ``rw-r--r--``
(``rwxr-xr-x`` when its owner may execute it), all owned by root, so the service's user can read
its code and not change it, and the same sources give the same layers on every machine.
"""
from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path
from typing import IO

from ..errors import BuildError

__all__ = ["context_archive"]

_DIRECTORY_MODE = 0o755
_FILE_MODE = 0o644
_EXECUTABLE_MODE = 0o755


def _ignore_patterns(context: Path) -> list[str]:
    # As the docker SDK reads them: one pattern a line, blank lines and comments skipped.
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if info.isdir():
        info.mode = _DIRECTORY_MODE
    elif info.isfile():
        info.mode = _EXECUTABLE_MODE if info.mode & 0o100 else _FILE_MODE
    return info


def context_archive(context: Path, dockerfile: str = "Dockerfile") -> IO[bytes]:
    """A tar archive of ``context`` for the engine's build, as ``docker build`` would send it but for owners and modes.

    :param context: the build context folder.
    :param dockerfile: the Dockerfile's path in the context; it is sent even if ``.dockerignore`` leaves it out.
    :returns: a temporary file holding the archive, positioned at its start (closing it deletes it).
    :raises BuildError: if a file of the context cannot be read.
    """
    from docker.utils import exclude_paths

    root = context.resolve()
    names = sorted(exclude_paths(str(root), _ignore_patterns(root), dockerfile=dockerfile))
    archive = tempfile.TemporaryFile()
    try:
        with tarfile.open(fileobj=archive, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name in names:
                path = root / name
                # None for a socket (typeshed says otherwise).
                info: tarfile.TarInfo | None = tar.gettarinfo(str(path), arcname=name)
                if info is None:
                    continue  # a socket: nothing Docker could copy
                info.mtime = int(info.mtime)
                if info.isfile():
                    with path.open("rb") as stream:
                        tar.addfile(_normalised(info), stream)
                else:
                    tar.addfile(_normalised(info))
    except OSError as err:
        archive.close()
        raise BuildError(f"cannot read {err.filename or context} of the build context: {err.strerror or err}") from None
    archive.seek(0)
    return archive
