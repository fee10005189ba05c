"""A structured-text service: split each text into sentences, and each sentence into tokens.

For every node of the request it answers with a node of the same shape: a
leaf becomes a branch of ``sentence`` nodes, each a branch of ``token``
leaves; a branch keeps its children, split the same way. Sentences carry
their character offsets in the leaf they come from as features.

Run it and call it::

    python examples/sentence_splitter.py
    curl -s -H 'Content-Type: application/json' \\
         -d '{"type": "structuredText", "texts": [{"content": "Hello world. How are you?"}]}' \\
         http://localhost:8000/process
"""
import re

from elg_decorators import serve, structured_text_service
from elg_decorators.model import Text, TextsResponse

SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")
TOKEN = re.compile(r"\w+|[^\w\s]")


def split_sentences(content):
    """Each sentence of ``content`` as a ``sentence`` node of ``token`` leaves."""
    sentences = []
    for match in SENTENCE.finditer(content):
        sentence = match.group().strip()
        if not sentence:
            continue
        start = match.start() + match.group().index(sentence)
        sentences.append({
            "role": "sentence",
            "features": {"start": start, "end": start + len(sentence)},
            "texts": [{"role": "token", "content": token} for token in TOKEN.findall(sentence)],
        })
    return sentences


def split_node(node: Text):
    """The response node for one request node, keeping the request's structure."""
    if node.texts is not None:
        return {"texts": [split_node(child) for child in node.texts]}
    return {"role": "paragraph", "texts": split_sentences(node.content)}


@structured_text_service
def split(texts: list[Text]) -> TextsResponse:
    """Split every text of the request into sentences and tokens."""
    return TextsResponse(texts=[split_node(node) for node in texts])


if __name__ == "__main__":
    serve()
