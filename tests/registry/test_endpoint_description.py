"""One description of a service's endpoints: here, the URL-variable syntax it is built on, defined once."""
from __future__ import annotations

from elg_decorators.kinds import UrlVariable, fill_path, url_variables

# -- the URL-variable syntax, defined once ---------------------------------------


def test_url_variables_name_their_converters() -> None:
    assert url_variables("/t/<src>/<int:n>/<float:x>/<path:rest>/<any(a, b):choice>") == (
        UrlVariable("src"), UrlVariable("n", "int"), UrlVariable("x", "float"), UrlVariable("rest", "path"),
        UrlVariable("choice", "any(a, b)"),
    )
    assert [variable.python_type for variable in url_variables("/<a>/<int:b>/<float:c>/<any(x, y):d>")] == [
        str, int, float, str]
    assert url_variables("/process") == ()


def test_a_path_is_filled_piece_by_piece() -> None:
    assert fill_path("/t/<src>/<int:n>", lambda variable: "{" + variable.name + "}") == "/t/{src}/{n}"
    assert fill_path("/a.b/<x>", lambda variable: "[^/]+", lambda piece: piece.replace(".", r"\.")) == r"/a\.b/[^/]+"
