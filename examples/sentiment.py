"""A lexicon sentiment classifier with typed parameters.

Each word found in a small lexicon adds its weight to the score of the text.
The score, averaged over the words, is positive, negative or neutral
depending on ``threshold``; ``top_k`` says how many classes to return, best
first. The handler returns plain dicts: the return annotation tells the
framework to build a ClassificationResponse from them.

Run it and call it::

    python examples/sentiment.py
    curl -s -H 'Content-Type: application/json' \\
         -d '{"type": "text", "content": "What a great, happy day", "params": {"top_k": 2}}' \\
         http://localhost:8000/process
"""
import re

from elg_decorators import serve, text_service
from elg_decorators.model import ClassificationResponse

#: Word weights: above zero is positive, below zero negative.
LEXICON = {
    "good": 1.0, "great": 2.0, "happy": 1.5, "love": 2.0, "excellent": 2.5,
    "bad": -1.0, "awful": -2.5, "sad": -1.5, "hate": -2.0, "poor": -1.0,
}

WORD = re.compile(r"\w+")


def polarity(text):
    """The mean lexicon weight of the words of ``text`` (0.0 for none)."""
    words = WORD.findall(text.lower())
    if not words:
        return 0.0
    return sum(LEXICON.get(word, 0.0) for word in words) / len(words)


def clip(value):
    """``value`` limited to the range 0..1."""
    return min(max(value, 0.0), 1.0)


@text_service
def sentiment(content: str, threshold: float = 0.0, top_k: int = 1) -> ClassificationResponse:
    """Classify ``content`` as positive, negative or neutral."""
    score = polarity(content)
    scores = {"positive": clip(score), "negative": clip(-score), "neutral": 1.0 - clip(abs(score))}
    if score > threshold:
        label = "positive"
    elif score < -threshold:
        label = "negative"
    else:
        label = "neutral"
    others = sorted((name for name in scores if name != label), key=scores.get, reverse=True)
    return [{"class": name, "score": round(scores[name], 4)} for name in [label, *others][:top_k]]


if __name__ == "__main__":
    serve()
