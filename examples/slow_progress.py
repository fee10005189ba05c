"""A long-running service that reports its progress as it goes.

The handler is a generator: it yields ``Progress`` messages while it works
and its final response last. Clients that send
``Accept: text/event-stream`` receive each message as a server-sent event;
other clients receive only the final response, as plain JSON.

Run it and call it (``-N`` shows each event as it arrives)::

    python examples/slow_progress.py
    curl -s -N -H 'Accept: text/event-stream' -H 'Content-Type: application/json' \\
         -d '{"type": "text", "content": "one two three", "params": {"delay": 0.5}}' \\
         http://localhost:8000/process
"""
import time

from elg_decorators import serve, text_service
from elg_decorators.model import AnnotationsResponse, Progress, StatusMessage


@text_service
def count_words(content: str, delay: float = 0.05):
    """Annotate each word of ``content``, pausing ``delay`` seconds per word to show progress."""
    words = content.split()
    annotations = []
    position = 0
    for number, word in enumerate(words, start=1):
        time.sleep(delay)
        start = content.index(word, position)
        position = start + len(word)
        annotations.append({"start": start, "end": position})
        yield Progress(
            percent=round(100 * number / len(words), 1),
            message=StatusMessage(code="example.word.done", text="Word {0} of {1} done",
                                  params=[str(number), str(len(words))]),
        )
    yield AnnotationsResponse(features={"words": len(words)}, annotations={"Word": annotations})


if __name__ == "__main__":
    serve()
