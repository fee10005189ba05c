"""A test client for services built with elg_decorators, for use in your own tests.

.. code-block:: python

    from elg_decorators.testing import ServiceClient
    import my_service

    def test_ner():
        client = ServiceClient.for_module(my_service)
        response = client.text("Ada Lovelace wrote", params={"lang": "en"})
        assert response.annotations["Person"][0].end == 12
"""
from __future__ import annotations

import io
import json
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

from flask import Flask

from .discovery import load_service
from .model.envelope import get_response
from .model.request import AudioRequest, ImageRequest, Request, StructuredTextRequest, Text, TextRequest
from .registry.generated import create_app
from .registry.registry import Registry
from .runtime.health import runtime_of
from .service.flask_service import FlaskService

Binary = Union[bytes, str, Path]
Message = Any  # a response model, Failure or Progress


class ServiceClient:
    """Sends ELG requests to a service in-process (through Flask's test client) and parses the answers.

    Each call returns the parsed response model or :class:`Failure`; with
    ``with_status=True`` it returns ``(http_status, message)``.

    :param service: a Flask app, a FlaskService, or a Registry of handlers.
    :param path: the default path requests go to.
    """

    def __init__(self, service: Union[Flask, FlaskService, Registry], *, path: str = "/process") -> None:
        if isinstance(service, FlaskService):
            service = service.app
        elif isinstance(service, Registry):
            service = create_app(service)
        self.app: Flask = service
        self.path = path
        runtime = runtime_of(service)
        if runtime is not None:
            runtime.wait()  # the service's resources exist (or failed) before the first request
        self.http = self.app.test_client()

    @classmethod
    def for_module(cls, module: Union[ModuleType, str], *, path: str = "/process") -> "ServiceClient":
        """A client for the service that a module (or script path) defines, loaded afresh."""
        target = module if isinstance(module, str) else (module.__file__ or module.__name__)
        return cls(load_service(target).app(), path=path)

    # -- one call per request type ------------------------------------------------

    def text(self, content: str, *, params: Optional[Dict[str, Any]] = None, path: Optional[str] = None,
             with_status: bool = False, **fields: Any) -> Any:
        """Send a text request (extra ``fields``: mime_type, features, annotations)."""
        return self.send(TextRequest(content=content, params=params, **fields), path=path, with_status=with_status)

    def structured_text(self, texts: List[Union[str, Dict[str, Any], Text]], *,
                        params: Optional[Dict[str, Any]] = None, path: Optional[str] = None,
                        with_status: bool = False) -> Any:
        """Send a structuredText request; plain strings become leaf nodes."""
        nodes = [{"content": node} if isinstance(node, str) else node for node in texts]
        return self.send(StructuredTextRequest(texts=nodes, params=params), path=path, with_status=with_status)

    def audio(self, audio: Binary, *, format: Optional[str] = None, params: Optional[Dict[str, Any]] = None,
              path: Optional[str] = None, with_status: bool = False, **fields: Any) -> Any:
        """Send an audio request (bytes or a file path) as multipart; format from the suffix by default."""
        content, suffix = _read(audio)
        chosen = format or ("MP3" if suffix == ".mp3" else "LINEAR16")
        request = AudioRequest(content=content, format=chosen, params=params, **fields)
        return self.send(request, path=path, with_status=with_status)

    def image(self, image: Binary, *, format: Optional[str] = None, params: Optional[Dict[str, Any]] = None,
              path: Optional[str] = None, with_status: bool = False, **fields: Any) -> Any:
        """Send an image request (bytes or a file path) as multipart; format from the suffix by default."""
        content, suffix = _read(image)
        request = ImageRequest(content=content, format=format or suffix.lstrip(".") or "png", params=params, **fields)
        return self.send(request, path=path, with_status=with_status)

    def send(self, request: Request, *, path: Optional[str] = None, with_status: bool = False) -> Any:
        """Send any ELG request and parse the single JSON answer."""
        answer = self.http.post(path or self.path, **_body(request))
        message = get_response(answer.get_data())
        return (answer.status_code, message) if with_status else message

    def stream(self, request: Union[Request, str], *, path: Optional[str] = None) -> Iterator[Message]:
        """Send a request asking for server-sent events; yield Progress messages, then the result."""
        if isinstance(request, str):
            request = TextRequest(content=request)
        answer = self.http.post(path or self.path, headers={"Accept": "text/event-stream"}, **_body(request))
        if not answer.mimetype == "text/event-stream":
            yield get_response(answer.get_data())
            return
        for event in answer.get_data().split(b"\r\n\r\n"):
            if event.startswith(b"data:"):
                yield get_response(event[len(b"data:"):])


def _read(source: Binary) -> Tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, ""
    path = Path(source)
    return path.read_bytes(), path.suffix.lower()


def _body(request: Request) -> Dict[str, Any]:
    if isinstance(request, (AudioRequest, ImageRequest)):
        meta = json.dumps(request.model_dump(mode="json", by_alias=True, exclude_none=True))
        data = {
            "request": (io.BytesIO(meta.encode()), "request.json", "application/json"),
            "content": (io.BytesIO(request.content or b""), "content", "application/octet-stream"),
        }
        return {"data": data, "content_type": "multipart/form-data"}
    return {"data": request.model_dump_json(by_alias=True, exclude_none=True), "content_type": "application/json"}
