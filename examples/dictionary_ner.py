"""A named-entity annotator built from a small gazetteer and two regular expressions.

It finds person names listed in a built-in dictionary (one per language),
ISO dates (2024-05-17) and e-mail addresses, and answers with standoff
annotations: character offsets into the text.

Run it and call it::

    python examples/dictionary_ner.py
    curl -s -H 'Content-Type: application/json' \\
         -d '{"type": "text", "content": "Ada Lovelace wrote to charles@babbage.org on 1843-07-10."}' \\
         http://localhost:8000/process
"""
import re

from elg_decorators import ProcessingError, serve, text_service
from elg_decorators.model import AnnotationsResponse

#: The names each language's gazetteer knows.
GAZETTEER = {
    "en": ["Ada Lovelace", "Alan Turing", "Charles Babbage", "Grace Hopper"],
    "de": ["Emmy Noether", "Konrad Zuse", "Lise Meitner"],
}

DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def find_names(content, names):
    """Each occurrence of a gazetteer name, as an annotation."""
    found = []
    for name in names:
        for match in re.finditer(r"\b" + re.escape(name) + r"\b", content):
            found.append({"start": match.start(), "end": match.end(), "features": {"name": name}})
    return sorted(found, key=lambda annotation: annotation["start"])


def find_pattern(content, pattern):
    """Each match of ``pattern``, as an annotation."""
    return [{"start": match.start(), "end": match.end()} for match in pattern.finditer(content)]


@text_service
def ner(content: str, lang: str = "en"):
    """Annotate persons, dates and e-mail addresses in ``content``."""
    if lang not in GAZETTEER:
        raise ProcessingError("elg.request.parameter.invalid", params=["lang", lang])
    annotations = {
        "Person": find_names(content, GAZETTEER[lang]),
        "Date": find_pattern(content, DATE),
        "Email": find_pattern(content, EMAIL),
    }
    return AnnotationsResponse(annotations={kind: found for kind, found in annotations.items() if found})


if __name__ == "__main__":
    serve()
