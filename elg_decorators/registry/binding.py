"""Reading a handler's signature once, and binding its arguments for each request."""
from __future__ import annotations

import difflib
import enum
import functools
import inspect
import types
import typing
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Mapping

from pydantic import TypeAdapter, ValidationError

from ..errors import HandlerDefinitionError, ProcessingError
from ..kinds import Parameter, ParameterSource, RequestKind
from ..model.request import Request


class ArgumentSource(enum.Enum):
    """Where an argument's value comes from."""

    #: The whole typed request (a parameter named ``request``).
    REQUEST = "request"
    #: The request's ``params`` dict (a parameter named ``params``).
    ALL_PARAMS = "params"
    #: A field of the request (``content``, ``features``…).
    REQUEST_FIELD = "request field"
    #: A variable of the URL path.
    URL_VARIABLE = "URL variable"
    #: One entry of ``params``, by the parameter's name.
    NAMED_PARAM = "named param"
    #: The ``params`` no other parameter took (``**kwargs``).
    OTHER_PARAMS = "other params"
    #: A resource (``@resource``) of that name.
    RESOURCE = "resource"


@dataclass(frozen=True)
class Argument:
    """One handler parameter and how to fill it."""

    name: str
    source: ArgumentSource
    default: Any = inspect.Parameter.empty
    adapter: TypeAdapter[Any] | None = None
    #: Gives the value of a resource argument.
    provider: Callable[[], Any] | None = None
    #: The parameter's annotation (``Any`` when it has none).
    annotation: Any = Any

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty


def callable_name(func: Callable[..., Any]) -> str:
    """The qualified name of a function, or a description of another callable (a partial, an instance)."""
    return getattr(func, "__qualname__", None) or repr(func)


def describe(func: Callable[..., Any]) -> str:
    """``name(signature)`` of a function, for error messages."""
    try:
        try:
            signature = inspect.signature(func, eval_str=True)
        except Exception:
            signature = inspect.signature(func)
    except (TypeError, ValueError):
        return callable_name(func)
    return f"{callable_name(func)}{signature}"


def annotated_function(func: Callable[..., Any]) -> Any:
    """The function whose annotations describe ``func`` (a partial's function, an instance's ``__call__``)."""
    if isinstance(func, functools.partial):
        return annotated_function(func.func)
    if inspect.isroutine(func) or isinstance(func, type):
        return func
    return type(func).__call__ if callable(func) else func


def resolved_hints(func: Callable[..., Any], decorator: str) -> dict[str, Any]:
    """The function's annotations with string annotations resolved."""
    try:
        return typing.get_type_hints(annotated_function(func), include_extras=True)
    except Exception as exc:
        raise HandlerDefinitionError(
            f"{decorator} {describe(func)}: cannot resolve its type annotations ({exc}); "
            "import every name used in them at module level"
        ) from None


def plan_arguments(
    func: Callable[..., Any], kind: RequestKind, url_variables: tuple[str, ...], decorator: str,
    resources: Mapping[str, Callable[[], Any]] | None = None, hints: Mapping[str, Any] | None = None,
) -> tuple[Argument, ...]:
    """How to fill each parameter of ``func`` for a request of ``kind``.

    ``resources`` gives the value of each resource declared so far, by name; ``hints``, the type
    of each parameter's value for one request (default: its annotation; a batched handler's
    parameters are lists of them).

    Raises :class:`HandlerDefinitionError` naming the function and saying
    what to change when a parameter cannot be filled.
    """
    model = kind.model
    fields = {name: model.model_fields[name] for name in kind.fields}
    if hints is None:
        hints = resolved_hints(func, decorator)
    arguments = []
    for parameter in inspect.signature(func).parameters.values():
        where = f"{decorator} {describe(func)}: parameter {parameter.name!r}"
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise HandlerDefinitionError(f"{where} is positional-only; arguments are passed by name, remove the '/'")
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            raise HandlerDefinitionError(f"{where}: *args cannot be filled from a request; name each parameter")
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            arguments.append(Argument(parameter.name, ArgumentSource.OTHER_PARAMS))
            continue
        hint = hints.get(parameter.name, Any)
        if parameter.name == "request":
            _check_request_hint(hint, model, where)
            arguments.append(Argument(parameter.name, ArgumentSource.REQUEST))
        elif parameter.name == "params":
            arguments.append(Argument(parameter.name, ArgumentSource.ALL_PARAMS))
        elif resources and parameter.name in resources:
            arguments.append(Argument(parameter.name, ArgumentSource.RESOURCE, provider=resources[parameter.name]))
        elif parameter.name in url_variables:
            arguments.append(Argument(parameter.name, ArgumentSource.URL_VARIABLE, parameter.default,
                                      _adapter(hint, where), annotation=hint))
        elif parameter.name in fields:
            _check_field_hint(hint, fields[parameter.name].annotation, model, where)
            arguments.append(Argument(parameter.name, ArgumentSource.REQUEST_FIELD, parameter.default,
                                      annotation=hint))
        else:
            _check_not_misspelt(parameter, hint, resources or {}, where)
            arguments.append(Argument(parameter.name, ArgumentSource.NAMED_PARAM, parameter.default,
                                      _adapter(hint, where), annotation=hint))
    return tuple(arguments)


#: Where the client gives each kind of argument it fills (the others are the request whole, all its
#: params, or resources).
_CLIENT_SOURCES = {
    ArgumentSource.NAMED_PARAM: ParameterSource.PARAMS,
    ArgumentSource.URL_VARIABLE: ParameterSource.URL,
    ArgumentSource.REQUEST_FIELD: ParameterSource.REQUEST_FIELD,
}


def client_parameters(arguments: tuple[Argument, ...]) -> tuple[Parameter, ...]:
    """The arguments whose values the client gives, as the endpoint description states them."""
    return tuple(
        Parameter(argument.name, _CLIENT_SOURCES[argument.source], argument.annotation, argument.default)
        for argument in arguments if argument.source in _CLIENT_SOURCES
    )


def _check_not_misspelt(parameter: inspect.Parameter, hint: Any, resources: Mapping[str, Any], where: str) -> None:
    """Refuse a bare required parameter whose name is close to a resource's: most likely a misspelt resource."""
    if hint is not Any or not resources or parameter.default is not inspect.Parameter.empty:
        return
    close = difflib.get_close_matches(parameter.name, list(resources), n=1, cutoff=0.75)
    if close:
        raise HandlerDefinitionError(
            f"{where} names no resource; did you mean the resource {close[0]!r}? "
            f"(if it is a request parameter, annotate it, e.g. {parameter.name}: str)"
        )


def _check_request_hint(hint: Any, model: type[Request], where: str) -> None:
    if hint is Any or (isinstance(hint, type) and issubclass(model, hint)):
        return
    raise HandlerDefinitionError(
        f"{where} receives a {model.__name__}; annotate it as {model.__name__} or leave it bare"
    )


def _check_field_hint(hint: Any, field_type: Any, model: type[Request], where: str) -> None:
    accepted_types = _options(hint)
    if hint is Any or all(any(_is_sub(value, ok) for ok in accepted_types) for value in _options(field_type)):
        return
    raise HandlerDefinitionError(
        f"{where} is the {model.__name__} field of type {_type_name(field_type)}; "
        f"annotate it as {_type_name(field_type)} (not {_type_name(hint)}) or leave it bare"
    )


def _options(annotation: Any) -> list[Any]:
    """The members of a Union other than None (or the annotation itself)."""
    is_union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    members = typing.get_args(annotation) if is_union else (annotation,)
    return [member for member in members if member is not type(None)]


def _is_sub(value_type: Any, accepted: Any) -> bool:
    if accepted is Any:
        return True
    value_origin = typing.get_origin(value_type) or value_type
    accepted_origin = typing.get_origin(accepted) or accepted
    both_classes = isinstance(value_origin, type) and isinstance(accepted_origin, type)
    return both_classes and issubclass(value_origin, accepted_origin)


def _type_name(annotation: Any) -> str:
    options = _options(annotation)
    if len(options) != 1 or options[0] is not annotation:
        return " | ".join(_type_name(option) for option in options)
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return repr(annotation).replace("typing.", "")


def _adapter(hint: Any, where: str) -> TypeAdapter[Any] | None:
    if hint is Any:
        return None
    try:
        return TypeAdapter(hint)
    except Exception as exc:
        raise HandlerDefinitionError(
            f"{where}: its annotation {_type_name(hint)} cannot be read from JSON ({exc}); "
            "use a JSON-compatible type (str, int, float, bool, list, dict, a pydantic model…)"
        ) from None


def bind_arguments(
    arguments: tuple[Argument, ...], request: Request, url_values: Mapping[str, Any]
) -> dict[str, Any]:
    """The keyword arguments for one call, or a 400 failure naming the parameter at fault."""
    params = request.params or {}
    bound: dict[str, Any] = {}
    named_params = set()
    rest_name = None
    for argument in arguments:
        if argument.source is ArgumentSource.REQUEST:
            bound[argument.name] = request
        elif argument.source is ArgumentSource.ALL_PARAMS:
            bound[argument.name] = params
        elif argument.source is ArgumentSource.REQUEST_FIELD:
            value = getattr(request, argument.name)
            bound[argument.name] = argument.default if value is None and not argument.required else value
        elif argument.source is ArgumentSource.OTHER_PARAMS:
            rest_name = argument.name
        elif argument.source is ArgumentSource.RESOURCE:
            bound[argument.name] = argument.provider()  # type: ignore[misc]
        else:
            values = url_values if argument.source is ArgumentSource.URL_VARIABLE else params
            named_params.add(argument.name)
            if argument.name in values:
                bound[argument.name] = _convert(argument, values[argument.name])
            elif not argument.required:
                bound[argument.name] = argument.default
            else:
                raise ProcessingError("elg.request.parameter.missing", params=[argument.name])
    if rest_name is not None:
        bound.update({name: value for name, value in params.items() if name not in named_params and name not in bound})
    return bound


def _convert(argument: Argument, value: Any) -> Any:
    if argument.adapter is None:
        return value
    try:
        return argument.adapter.validate_python(value)
    except ValidationError as exc:
        problem = exc.errors(include_url=False, include_input=False)[0]
        raise ProcessingError(
            "elg.request.parameter.invalid", params=[argument.name, _shown(value)], detail={"reason": problem["msg"]}
        ) from None


def _shown(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
