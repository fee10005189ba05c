"""A toy word-by-word "translator" whose languages are part of the URL.

``/translate/<src>/<tgt>`` has two URL variables; the handler receives them
as arguments of the same names. Words missing from the dictionary are kept
as they are.

Run it and call it::

    python examples/translate.py
    curl -s -H 'Content-Type: application/json' \\
         -d '{"type": "text", "content": "the cat drinks milk"}' \\
         http://localhost:8000/translate/en/de
"""
from elg_decorators import ProcessingError, serve, text_service
from elg_decorators.model import TextsResponse

#: A word list per (source, target) language pair.
DICTIONARIES = {
    ("en", "de"): {"the": "die", "cat": "Katze", "drinks": "trinkt", "milk": "Milch", "dog": "Hund"},
    ("en", "fr"): {"the": "le", "cat": "chat", "drinks": "boit", "milk": "lait", "dog": "chien"},
}


@text_service("/translate/<src>/<tgt>")
def translate(content: str, src: str, tgt: str) -> TextsResponse:
    """Replace each word of ``content`` by its translation from ``src`` to ``tgt``."""
    dictionary = DICTIONARIES.get((src, tgt))
    if dictionary is None:
        pairs = ", ".join(f"{source}/{target}" for source, target in DICTIONARIES)
        raise ProcessingError(
            "elg.request.parameter.invalid", params=["language pair", f"{src}/{tgt}"], detail={"supported": pairs}
        )
    translated = " ".join(dictionary.get(word.lower(), word) for word in content.split())
    return TextsResponse(texts=[{"content": translated, "features": {"source": src, "target": tgt}}])


if __name__ == "__main__":
    serve()
