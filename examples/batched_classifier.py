"""A scikit-learn sentiment classifier served in batches.

A TF-IDF + logistic regression pipeline is trained when the service starts, on the small corpus next
to this file (``data/sentiment_corpus.tsv``: a label and a sentence a line, nothing downloaded). The
handler is batched (``max_batch_size=32``): requests arriving together are answered by one call of
``predict_proba``, which costs barely more for 32 texts than for one. It gets a list of texts and
returns one ``ClassificationResponse`` per text, every class with its probability, best first.
scikit-learn is an optional dependency: ``pip install -e '.[examples]'``.

Run it and call it::

    python examples/batched_classifier.py
    curl -s -H 'Content-Type: application/json' \\
         -d '{"type": "text", "content": "The staff were wonderful, I love it"}' \\
         http://localhost:8000/process
"""
import csv
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from elg_decorators import resource, serve, text_service
from elg_decorators.model import ClassificationResponse

#: Labelled sentences, tab-separated: ``label<TAB>text``, after a header line.
CORPUS = Path(__file__).resolve().parent / "data" / "sentiment_corpus.tsv"


def read_corpus(path=CORPUS):
    """The texts and labels of the corpus, in two lists."""
    with open(path, encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row["text"] for row in rows], [row["label"] for row in rows]


@resource
def classifier():
    """The pipeline, trained once per worker when it starts."""
    texts, labels = read_corpus()
    pipeline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                             LogisticRegression(C=10.0, max_iter=1000))
    return pipeline.fit(texts, labels)


@text_service(max_batch_size=32)
def classify(content: list[str], classifier) -> list[ClassificationResponse]:
    """Classify each text of the batch: one ``predict_proba`` call for all of them."""
    rows = classifier.predict_proba(content)
    return [
        ClassificationResponse(classes=[
            {"class": str(name), "score": round(float(score), 4)}
            for score, name in sorted(zip(row, classifier.classes_), key=lambda pair: -pair[0])
        ])
        for row in rows
    ]


if __name__ == "__main__":
    serve()
