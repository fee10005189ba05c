"""The service of ``benchmarks/batching.py``: models served batched and unbatched.

The GPU-like model costs 10 ms per call plus 0.5 ms per item, sleeping (so it releases the GIL, as a
GPU call does), and runs one call at a time (one device): the lock stands for the device. The
scikit-learn model is the classifier of ``examples/batched_classifier.py`` (CPU, holding the GIL).
``/poisoned`` is the GPU-like model failing a whole batch that holds a poison request.
"""
from __future__ import annotations

import csv
import threading
import time
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from elg_decorators import resource, text_service
from elg_decorators.model import AnnotationsResponse, ClassificationResponse

CORPUS = Path(__file__).resolve().parents[2] / "examples" / "data" / "sentiment_corpus.tsv"

_device = threading.Lock()


def _model(texts: list[str]) -> list[AnnotationsResponse]:
    with _device:
        time.sleep(0.010 + 0.0005 * len(texts))
    return [AnnotationsResponse(features={"length": len(text)}) for text in texts]


@text_service("/batched", max_batch_size=128)
def batched(content: list[str]) -> list[AnnotationsResponse]:
    return _model(content)


@text_service("/unbatched")
def unbatched(content: str) -> AnnotationsResponse:
    return _model([content])[0]


# -- a scikit-learn model: the classifier of examples/batched_classifier.py, on its corpus ---------------------


@resource
def classifier() -> Any:
    """TF-IDF and logistic regression trained on ``examples/data/sentiment_corpus.tsv``."""
    with open(CORPUS, encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    pipeline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                             LogisticRegression(C=10.0, max_iter=1000))
    return pipeline.fit([row["text"] for row in rows], [row["label"] for row in rows])


def _classes(row: Any, names: Any) -> ClassificationResponse:
    return ClassificationResponse(classes=[{"class": str(name), "score": round(float(score), 4)}
                                           for score, name in sorted(zip(row, names), key=lambda pair: -pair[0])])


@text_service("/sk-batched", max_batch_size=32)
def sk_batched(content: list[str], classifier: Any) -> list[ClassificationResponse]:
    return [_classes(row, classifier.classes_) for row in classifier.predict_proba(content)]


@text_service("/sk-unbatched")
def sk_unbatched(content: str, classifier: Any) -> ClassificationResponse:
    return _classes(classifier.predict_proba([content])[0], classifier.classes_)


# -- poison: a batch holding the text "poison" makes the model raise, so the batch is bisected ---------------


@text_service("/poisoned", max_batch_size=128)
def poisoned(content: list[str]) -> list[AnnotationsResponse]:
    if "poison" in content:
        with _device:
            time.sleep(0.010 + 0.0005 * len(content))  # the call fails after its run time
        raise RuntimeError("poisoned batch")
    return _model(content)
