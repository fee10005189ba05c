"""A Griffe extension: the package's reST docstrings as the Markdown that mkdocstrings renders.

The docstrings are written for Sphinx (``:param:`` fields, ``.. code-block::``, ``:class:`` roles,
``#:`` comments above attributes). mkdocstrings' ``sphinx`` style reads the fields; the rest of a
docstring is rendered as Markdown, so this extension rewrites, before rendering:

* ``.. code-block:: LANG`` and ``Text::`` literal blocks into fenced code blocks;
* ``:class:`~a.b.C``` and the other roles into code spans (``C``; ``a.b.C`` without the tilde);
* ``#:`` comments above a module or class attribute into that attribute's docstring;
* an object whose docstring is set at run time (the decorators ``@text_service`` and its
  siblings are instances whose ``__doc__`` is made from the request kinds' table) gets that
  docstring.

Nothing here changes what the docstrings say; it only lets a Markdown renderer show them.
"""
from __future__ import annotations

import importlib
import inspect
import re
import textwrap
from typing import Any

from griffe import Docstring, Extension, Function, Object, Parameter, ParameterKind, Parameters

_ROLE = re.compile(r":(?:py:)?(?:mod|class|func|meth|data|attr|obj|exc|const):`(~?)([^`<]*?)(?:\s*<([^>]+)>)?`")
_DIRECTIVE = re.compile(r"^(\s*)\.\. code-block::\s*(\S*)\s*$")
_LITERAL = re.compile(r"^(\s*)(.*?)::\s*$")


def _role(match: re.Match[str]) -> str:
    tilde, text, target = match.group(1), match.group(2).strip(), match.group(3)
    if target:  # :class:`shown text <target>`
        return f"`{text}`"
    if tilde:
        text = text.rsplit(".", 1)[-1]
    return f"`{text.lstrip('.')}`"


def _block(lines: list[str], start: int, indent: int) -> tuple[list[str], int]:
    """The indented block after line ``start`` (blank lines inside it kept), and the index after it."""
    index = start + 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    block: list[str] = []
    while index < len(lines):
        line = lines[index]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
        index += 1
    while block and not block[-1].strip():
        block.pop()
    return textwrap.dedent("\n".join(block)).splitlines(), index


def markdown(text: str) -> str:
    """A reST docstring as Markdown (see the module docstring)."""
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        directive = _DIRECTIVE.match(line)
        literal = None if directive else _LITERAL.match(line)
        if directive or (literal and not line.lstrip().startswith(":")):
            match = directive or literal
            assert match is not None
            indent = len(match.group(1))
            block, after = _block(lines, index, indent)
            if block:
                prefix = " " * indent
                if literal is not None and literal.group(2):
                    out.append(f"{prefix}{literal.group(2)}:")
                    out.append("")
                language = directive.group(2) if directive else "text"
                out.append(f"{prefix}```{language}")
                out.extend(f"{prefix}{code}" if code else "" for code in block)
                out.append(f"{prefix}```")
                out.append("")
                index = after
                continue
        out.append(_ROLE.sub(_role, line))
        index += 1
    return "\n".join(out)


def _comment_above(obj: Object) -> str | None:
    """The ``#:`` comment lines right above ``obj``'s declaration, as one text.

    An attribute also assigned in a method (``self.name = ...``) may be placed there; its
    declaration is then looked for in its class's body.
    """
    try:
        lines = obj.lines_collection[obj.filepath]  # type: ignore[index]
    except (KeyError, TypeError, AttributeError):
        return None
    starts = [obj.lineno] if obj.lineno else []
    parent = obj.parent
    if parent is not None and parent.is_class and parent.lineno and parent.endlineno:
        declaration = re.compile(rf"^\s*{re.escape(obj.name)}\s*[:=]")
        starts += [number for number in range(parent.lineno, parent.endlineno + 1)
                   if declaration.match(lines[number - 1])]
    for start in starts:
        index = start - 2
        found: list[str] = []
        while index >= 0 and lines[index].strip().startswith("#:"):
            found.insert(0, lines[index].strip()[2:].strip())
            index -= 1
        if found:
            return " ".join(found)
    return None


def _runtime_value(obj: Object) -> Any:
    """What a module attribute of the package is at run time (None if its module cannot be imported)."""
    parent = obj.parent
    if parent is None or not parent.is_module or not obj.path.startswith("elg_decorators."):
        return None
    try:
        return getattr(importlib.import_module(parent.path), obj.name, None)
    except Exception:  # a module that cannot be imported here is documented from its source alone
        return None


def _own_docstring(value: Any) -> str | None:
    """The docstring an instance was given at run time (not its class's), if any."""
    if isinstance(value, type) or not type(value).__module__.startswith("elg_decorators."):
        return None
    if not hasattr(value, "__dict__"):
        return None
    doc = vars(value).get("__doc__")
    return doc if isinstance(doc, str) else None


_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: ParameterKind.positional_or_keyword,
    inspect.Parameter.VAR_POSITIONAL: ParameterKind.var_positional,
    inspect.Parameter.KEYWORD_ONLY: ParameterKind.keyword_only,
    inspect.Parameter.VAR_KEYWORD: ParameterKind.var_keyword,
}


def _as_function(attribute: Object, value: Any, doc: str) -> Function:
    """A callable instance documented as the function it is to its callers: its call's signature."""
    signature = inspect.signature(value)

    def text(annotation: Any) -> str | None:
        if annotation is inspect.Parameter.empty:
            return None
        return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)

    parameters = Parameters(*(
        Parameter(
            name,
            annotation=text(parameter.annotation),
            kind=_KINDS[parameter.kind],
            default=None if parameter.default is inspect.Parameter.empty else repr(parameter.default),
        )
        for name, parameter in signature.parameters.items()
    ))
    return Function(
        attribute.name,
        lineno=attribute.lineno,
        endlineno=attribute.endlineno,
        parameters=parameters,
        returns=text(signature.return_annotation),
        docstring=Docstring(inspect.cleandoc(doc)),
    )


class RestDocstrings(Extension):
    """Rewrite each docstring into Markdown once the package is loaded."""

    def on_package(self, *, pkg: Object, **kwargs: Any) -> None:
        """Document the callable instances of the package's modules as functions."""
        for module in _modules(pkg):
            for name, member in list(module.members.items()):
                if member.is_alias or not member.is_attribute or member.docstring is not None:
                    continue
                value = _runtime_value(member)
                doc = _own_docstring(value)
                if doc and callable(value):
                    function = _as_function(member, value, doc)
                    module.set_member(name, function)
                    function.docstring.parent = function  # type: ignore[union-attr]
                elif doc:
                    member.docstring = Docstring(inspect.cleandoc(doc), parent=member)

    def on_module(self, *, mod: Object, **kwargs: Any) -> None:
        if mod.parent is None:  # the package itself: on_object is fired for its members only
            self.on_object(obj=mod)

    def on_object(self, *, obj: Object, **kwargs: Any) -> None:
        if obj.is_alias:
            return
        if obj.docstring is None and obj.is_attribute:
            text = _comment_above(obj)
            if text:
                obj.docstring = Docstring(text, parent=obj)
        docstring = obj.docstring
        if docstring is not None and not getattr(docstring, "_markdown", False):
            docstring.value = markdown(docstring.value)
            docstring._markdown = True  # type: ignore[attr-defined]


def _modules(obj: Object) -> list[Object]:
    found = [obj]
    for member in obj.members.values():
        if not member.is_alias and member.is_module:
            found.extend(_modules(member))
    return found
