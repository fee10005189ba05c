"""A proxy that forwards a remote answer only when the remote answered 2xx (a chain of services)."""
import json
import os
import urllib.error
import urllib.request

from elg import FlaskService
from elg.model import AnnotationsResponse, Failure, TextRequest
from elg.model.base import StandardMessages

REMOTE = os.environ.get("REMOTE_ENDPOINT", "http://127.0.0.1:8001/process")


def internal_error(text):
    return Failure(errors=[StandardMessages.generate_elg_service_internalerror(params=[text])])


class Proxy(FlaskService):
    def process_text(self, request: TextRequest):
        payload = json.dumps({"type": "text", "content": request.content, "params": request.params}).encode()
        call = urllib.request.Request(REMOTE, data=payload, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(call, timeout=10) as answer:
                status, body = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except Exception:
            return internal_error("Error calling remote API")
        if not 200 <= status < 300:
            return internal_error(str(status))
        data = json.loads(body)
        if "response" in data:
            return AnnotationsResponse(annotations=data["response"].get("annotations", {}),
                                       features=data["response"].get("features"))
        if "failure" in data:
            return Failure(errors=data["failure"]["errors"])
        return internal_error("No response or failure from remote API")


proxy = Proxy("proxy")
app = proxy.app
