"""Write ``elg_module_paths.txt``: each module of the reference ``elg`` package a service imports,
and the names in it, read from an installed ``elg`` 0.6.0.

Run with the reference environment's python (``tests/compat/.venv-ref/bin/python``)::

    python tests/compat/list_elg_modules.py > tests/compat/elg_module_paths.txt

A name is listed when it is a class or function defined in the module itself or in ``elg.model``
(what ``from elg.model.request.TextRequest import TextRequest`` and the like reach for).
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys

ROOTS = ("elg.model", "elg.flask_service", "elg.quart_service")


def module_names() -> list[str]:
    found = []
    for root in ROOTS:
        module = importlib.import_module(root)
        found.append(root)
        if hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, prefix=root + "."):
                found.append(info.name)
    return sorted(found)


def exported(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    names = []
    for name, value in vars(module).items():
        if name.startswith("_") or not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        origin = getattr(value, "__module__", "") or ""
        if origin == module_name or origin.startswith("elg.model"):
            names.append(name)
    return sorted(names)


def main() -> None:
    print("# Modules of elg 0.6.0 and the names in them; written by tests/compat/list_elg_modules.py.")
    print("# Each line: the module path, then the names it provides (elg_decorators provides the same).")
    for name in module_names():
        print(name, *exported(name))


if __name__ == "__main__":
    sys.exit(main())
