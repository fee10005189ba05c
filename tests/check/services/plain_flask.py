"""A plain Flask ELG text service (no elg package, no elg_decorators), with one defect planted on demand.

``python plain_flask.py PORT DEFECT`` serves on 127.0.0.1:PORT; DEFECT is ``none`` (a correct service) or
one of :data:`DEFECTS`. It annotates each capitalised word, and streams progress when asked to.
"""
import codecs
import json
import re
import sys

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

DEFECTS = ("failure-without-code", "annotation-past-end", "utf16-offsets", "html-404", "bad-stream",
           "wrong-kind-200")
DEFECT = sys.argv[2] if len(sys.argv) > 2 else "none"
MAX_SIZE = 1024 * 1024

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = MAX_SIZE


def failure(status, code, text, *params):
    error = {"code": code, "text": text, "params": list(params)}
    if DEFECT == "failure-without-code":
        del error["code"]
    return Response(json.dumps({"failure": {"errors": [error]}}), status, content_type="application/json")


@app.errorhandler(HTTPException)
def http_error(exc):
    if exc.code == 404 and DEFECT == "html-404":
        return "<!doctype html><title>404 Not Found</title><h1>Not Found</h1>", 404
    if exc.code == 413:
        return failure(413, "elg.request.too.large", "Request size too large")
    return failure(exc.code, "elg.request.invalid" if exc.code < 500 else "elg.service.internalError",
                   exc.name)


@app.get("/health")
def health():
    return {"status": "ok"}


def annotate(text):
    found = []
    for match in re.finditer(r"\b[A-Z]\w+", text):
        start, end = match.start(), match.end()
        if DEFECT == "utf16-offsets":
            start = len(text[:start].encode("utf-16-le")) // 2
            end = len(text[:end].encode("utf-16-le")) // 2
        found.append({"start": start, "end": end})
    if DEFECT == "annotation-past-end":
        found.append({"start": len(text) - 1, "end": len(text) + 5})
    return {"response": {"type": "annotations", "annotations": {"Capitalised": found}}}


@app.post("/process")
def process():
    media_type = request.mimetype
    if media_type != "application/json":
        return failure(415, "elg.request.type.unsupported", "Request type {0} not supported by this service",
                       media_type or "none")
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        codecs.lookup(charset)
        message = json.loads(request.get_data().decode(charset))
    except LookupError:
        return failure(415, "elg.request.invalid", "Invalid request message")
    except ValueError:
        return failure(400, "elg.request.invalid", "Invalid request message")
    if not isinstance(message, dict) or "type" not in message:
        return failure(400, "elg.request.invalid", "Invalid request message")
    if message["type"] != "text":
        status = 200 if DEFECT == "wrong-kind-200" else 400
        return failure(status, "elg.request.type.unsupported", "Request type {0} not supported by this service",
                       str(message["type"]))
    if not isinstance(message.get("content"), str):
        return failure(400, "elg.request.invalid", "Invalid request message")
    answer = annotate(message["content"])
    if "text/event-stream" in request.headers.get("Accept", "") and "*/*" not in request.headers.get("Accept", ""):
        def events():
            if DEFECT == "bad-stream":
                yield "progress: 50\n\n"
                yield json.dumps(answer) + "\n\n"
                return
            yield "data:" + json.dumps({"progress": {"percent": 50.0}}) + "\n\n"
            yield "data:" + json.dumps(answer) + "\n\n"
        return Response(events(), content_type="text/event-stream")
    return Response(json.dumps(answer), content_type="application/json")


if __name__ == "__main__":
    app.run("127.0.0.1", int(sys.argv[1]), threaded=True)
