"""A classifier behind a fixed path segment, built from a dict of scores (a common pattern)."""
from typing import Any

from elg import FlaskService
from elg.model import ClassificationResponse


def scores(text: str) -> dict[str, float]:
    words = text.split()
    positive = sum(word.lower() in {"good", "great", "happy"} for word in words)
    return {"positive": positive / max(len(words), 1), "length": float(len(words))}


class Classifier(FlaskService):
    def convert_outputs(self, content: str) -> ClassificationResponse:
        return ClassificationResponse(classes=[{"class": k, "score": v} for k, v in scores(content).items()])

    def process_text(self, content: Any) -> ClassificationResponse:
        return self.convert_outputs(content.content)


service = Classifier("classifier", path="/process/classifier")
app = service.app
