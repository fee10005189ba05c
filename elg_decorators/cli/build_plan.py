"""What ``build`` is asked to do, checked whole before any file is written or any image built."""
from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..image.context import context_path, context_paths, validate_build_tag
from ..image.dockerfile import render_docker_files, write_docker_files
from ..image.generated import LOCK_FILE, WHEELHOUSE, check_overwritable, is_generated, write_generated
from ..image.requirements import render_requirements
from ..image.sources import BUILD_FOLDER, GITIGNORE, default_build_folder, sync_sources, write_gitignore
from ..image.target import TargetPlatform
from ..errors import BuildError
from ..settings import default_base_image
from .server_options import server_options

#: The server settings an image can be built with (its ENV; the container platform sets PORT).
IMAGE_OPTIONS = ("workers", "threads", "timeout", "worker_class", "log_level")

__all__ = ["BuildPlan", "make_plan", "GENERATED_FILES"]

#: What ``build`` writes into the build context (and a .gitignore, unless that is the script's folder).
GENERATED_FILES = ("requirements.txt", LOCK_FILE, WHEELHOUSE, "Dockerfile", ".dockerignore")


@dataclass
class BuildPlan:
    """A checked ``build`` request: where the context goes, what it holds, what image it makes."""

    script: Path
    context: Path
    tag: str | None
    base_image: str
    files: list[str]
    folders: list[str]
    requirements_text: str
    docker_options: dict[str, Any] = field(default_factory=dict)

    @property
    def source_root(self) -> Path:
        """The folder the script and the named files are taken from."""
        return self.script.parent

    def engine_and_target(self, *, pull: bool, output: TextIO) -> tuple[Any, TargetPlatform]:
        """A docker client (None with --no-build) and the base image's platform, checked in the engine.

        :raises BuildError: if the engine is unreachable, the pull fails or the base image cannot
            carry a service.
        """
        from ..image.engine import connect, pull_base_images
        from ..image.progress import ProgressPrinter
        from ..image.target import probe_base_image

        if self.tag is None:
            return None, self._target_without_build(output)
        client = connect()
        try:
            if pull:
                pull_base_images(client, [self.base_image], ProgressPrinter(output))
            return client, probe_base_image(client, self.base_image)
        except BaseException:
            client.close()
            raise

    def _target_without_build(self, output: TextIO) -> TargetPlatform:
        from ..image.engine import connect
        from ..image.target import probe_base_image

        try:
            client = connect()
        except BuildError as err:
            reason = str(err)
        else:
            try:
                client.images.get(self.base_image)
            except Exception as err:  # noqa: BLE001 - any answer but the image means: not here
                reason = f"{self.base_image} is not in the engine ({type(err).__name__})"
            else:
                return probe_base_image(client, self.base_image)
            finally:
                client.close()
        target = TargetPlatform.of_this_machine()
        output.write(f"note: wheels are for this machine ({target.describe()}): {reason}\n")
        return target

    @property
    def separate(self) -> bool:
        """Whether the context is a folder of its own (the default), into which the sources are copied."""
        return self.context.resolve() != self.source_root

    def write_context(self, target: TargetPlatform, *, output: TextIO) -> list[Path]:
        """Copy the sources into the build folder, write the generated files and fill the wheelhouse.

        :returns: the paths written, in order.
        """
        from ..image.wheelhouse import prepare_wheelhouse

        self.context.mkdir(parents=True, exist_ok=True)
        written = []
        if self.separate:
            written.append(write_gitignore(self.context))
            written += sync_sources(self.source_root, self.context, [*self.files, self.script.name], self.folders)
        written.append(write_generated(self.context / "requirements.txt", self.requirements_text))
        output.flush()
        written.append(prepare_wheelhouse(self.context, target, output))
        written += write_docker_files(
            self.context, Path(self.script.name), required_files=self.files, required_folders=self.folders,
            base_image=self.base_image, **self.docker_options,
        )
        earlier = [name for name in GENERATED_FILES if name != WHEELHOUSE and (self.source_root / name).is_file()
                   and is_generated(self.source_root / name)]
        if self.separate and earlier:
            output.write(f"note: {', '.join(earlier)} beside {self.script.name} are generated files that build no "
                         f"longer uses (it writes into {self.context}): delete them, and {WHEELHOUSE}/, unless "
                         "something else does\n")
        return written


def _default_tag(script: Path) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", script.stem.lower()).strip("._-")
    if not name:
        raise BuildError(f"cannot make an image name from {script.name!r}; give one with --tag")
    return f"{name}:latest"


def _check_tag_and_push(args: argparse.Namespace, script: Path) -> str | None:
    if args.tag is not None:
        validate_build_tag(args.tag)
    if args.push and args.no_build:
        raise BuildError("--push pushes the image that build builds: drop --no-build, or push with 'docker push'")
    if args.push and not args.tag:
        raise BuildError(
            "--push needs --tag naming the registry repository, e.g. --tag registry.example.org/me/ner:1.0"
        )
    if args.push:
        from ..image.engine import auth_config

        auth_config()  # a user name without a password, or the reverse, is refused now
    if args.no_build:
        return None
    return args.tag or _default_tag(script)


def _missing_module(err: BaseException) -> str | None:
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, ModuleNotFoundError) and seen.name:
            return seen.name
        seen = seen.__cause__ or seen.__context__
    return None


def _count_handlers(script: Path) -> int:
    # Imported here: loading a script pulls in Flask and the service layers, which build does not need.
    from ..discovery import load_service

    try:
        return load_service(str(script)).handler_count
    except BuildError:
        raise
    except Exception as err:
        module = _missing_module(err)
        if module is None:
            raise
        raise BuildError(
            f"{script.name} imports {module!r}, which is not installed here: build imports the script to "
            f"find its handlers, so this Python needs the service's requirements too (pip install {module})"
        ) from None


def _check_copied_names(names: list[str], generated: tuple[str, ...]) -> None:
    for name in names:
        first = name.split("/", 1)[0]
        if first in generated or first == BUILD_FOLDER:
            raise BuildError(
                f"{name!r} cannot be copied into the build folder, where build writes {first!r} itself: rename it, "
                "or give --output the script's folder"
            )


def make_plan(args: argparse.Namespace) -> BuildPlan:
    """Check a parsed ``build`` command line whole, writing nothing.

    :raises BuildError: for the first problem found, in one line naming it and the way out.
    """
    script = Path(args.script)
    if not script.is_file():
        raise BuildError(f"service script {args.script!r} does not exist (or is not a file)")
    script = script.resolve()
    context = Path(args.output) if args.output is not None else default_build_folder(script)
    if context.exists() and not context.is_dir():
        raise BuildError(
            f"--output {str(context)!r} exists and is not a folder; name a folder (it is created if missing)"
        )
    tag = _check_tag_and_push(args, script)
    files = context_paths(script.parent, args.files, kind="file")
    folders = context_paths(script.parent, args.folders, kind="folder")
    context_path(script.parent, script, kind="file")  # a name Docker can copy
    separate = context.resolve() != script.parent
    generated = (*GENERATED_FILES, GITIGNORE) if separate else GENERATED_FILES
    if separate:
        _check_copied_names([*folders, *files, script.name], generated)
    docker_options = dict(commands=args.commands, **server_options(args, IMAGE_OPTIONS))
    base_image = args.base_image or default_base_image()
    render_docker_files(script.name, required_files=files, required_folders=folders, base_image=base_image,
                        **docker_options)  # checks the options
    requirements_text = render_requirements(args.requirement, requirements_file=args.requirements_file, pin=args.pin)
    if context.is_dir():
        check_overwritable(context, generated, force=args.force, merged=args.requirements_file)
    if _count_handlers(script) == 0:
        raise BuildError(
            f"{args.script} defines no service: decorate a function with @text_service (or another "
            "*_service decorator), or define a FlaskService subclass"
        )
    return BuildPlan(script, context, tag, base_image, files, folders, requirements_text, docker_options)
