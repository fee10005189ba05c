"""A small Docker Engine API server for tests: enough of the API for the real docker SDK.

It listens on a unix socket, records every request, and answers ``/_ping``, ``/version``,
``POST /build`` (reading the context tar and streaming ``Step n/m`` lines made from the
Dockerfile it received, each step making an image), ``GET /images/{name or id}/json``,
``POST /images/{name}/tag``, ``DELETE /images/{name or id}`` and ``POST /images/{name}/push``.
Setting ``fail_build_at`` (a text the failing instruction contains) or ``reject_push``
(the registry's reason) switches on the error paths.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import socketserver
import tarfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from collections.abc import Iterable
from urllib.parse import parse_qs, unquote, urlsplit

API_VERSION = "1.45"
_ROUTE = re.compile(r"^(?:/v[0-9.]+)?(?P<path>/.*)$")


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeEngine:
    socket_path: Path
    requests: list[Recorded] = field(default_factory=list)
    builds: list[dict[str, Any]] = field(default_factory=list)
    pushes: list[dict[str, Any]] = field(default_factory=list)
    #: name:tag -> image id
    images: dict[str, str] = field(default_factory=dict)
    #: the ids of the images the builds made (each step's and each build's), tagged or not
    made_images: set[str] = field(default_factory=set)
    #: the images removed, as named in the request
    removed: list[str] = field(default_factory=list)
    fail_build_at: str | None = None
    reject_push: str | None = None
    send_image_id: bool = True
    _server: Any = None
    _thread: Any = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> FakeEngine:
        engine = self

        class Handler(_Handler):
            fake = engine

        self._server = _Server(str(self.socket_path), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    block_on_close = False


def _instructions(dockerfile: str) -> list[str]:
    steps, pending = [], ""
    for line in dockerfile.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1].strip() + " "
            continue
        steps.append(pending + stripped)
        pending = ""
    return steps


def _pull_events(image: str) -> Iterable[dict[str, Any]]:
    yield {"status": f"Pulling from library/{image}", "id": "3-slim"}
    for status in ("Pulling fs layer", "Downloading", "Downloading", "Download complete", "Pull complete"):
        yield {"status": status, "progressDetail": {}, "progress": "[==>   ]", "id": "a1b2c3d4e5f6"}
    yield {"status": f"Status: Image is up to date for {image}"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeEngine
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, events: Iterable[dict[str, Any]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in events:
            data = json.dumps(event).encode() + b"\r\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def _handle(self, method: str) -> None:
        split = urlsplit(self.path)
        path = _ROUTE.match(split.path).group("path")  # type: ignore[union-attr]
        record = Recorded(method, path, parse_qs(split.query), dict(self.headers.items()), self._body())
        self.fake.requests.append(record)
        if method == "GET" and path == "/_ping":
            body = b"OK"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(body)
        elif method == "GET" and path == "/version":
            self._json(200, {"ApiVersion": API_VERSION, "Version": "26.1.4", "MinAPIVersion": "1.24",
                             "Os": "linux", "Arch": "amd64"})
        elif method == "POST" and path == "/build":
            self._stream(self._build(record))
        elif method == "GET" and (match := re.fullmatch(r"/images/(.+)/json", path)):
            name = unquote(match.group(1))
            image = self._resolve(name)
            if image is None:
                self._json(404, {"message": f"No such image: {name}"})
            else:
                tags = sorted(tag for tag, known in self.fake.images.items() if known == image)
                self._json(200, {"Id": image, "RepoTags": tags})
        elif method == "POST" and (match := re.fullmatch(r"/images/(.+)/tag", path)):
            image = self._resolve(unquote(match.group(1)))
            if image is None:
                self._json(404, {"message": f"No such image: {unquote(match.group(1))}"})
            else:
                self.fake.images[f"{record.query['repo'][0]}:{record.query.get('tag', ['latest'])[0]}"] = image
                self._json(201, {})
        elif method == "DELETE" and (match := re.fullmatch(r"/images/(.+)", path)):
            name = unquote(match.group(1))
            image = self._resolve(name)
            tags = [tag for tag, known in self.fake.images.items() if known == image]
            if image is None or len(tags) > 1 and name not in tags:
                self._json(404 if image is None else 409, {"message": f"cannot remove {name}"})
            else:
                self.fake.removed.append(name)
                for tag in [name] if name in tags else tags:
                    del self.fake.images[tag]
                self.fake.made_images.discard(image)
                self._json(200, [{"Untagged": name}])
        elif method == "POST" and path == "/images/create":
            self._stream(_pull_events(record.query.get("fromImage", [""])[0]))
        elif method == "POST" and (match := re.fullmatch(r"/images/(.+)/push", path)):
            self._push(record, unquote(match.group(1)))
        else:
            self._json(404, {"message": f"page not found: {method} {path}"})

    def do_GET(self) -> None:  # noqa: N802 - the name BaseHTTPRequestHandler calls
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle("HEAD")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")

    def _resolve(self, name: str) -> str | None:
        """The id of the image a name, a full id or a short id names."""
        if name in self.fake.images:
            return self.fake.images[name]
        short = name.removeprefix("sha256:")
        for image in [*self.fake.images.values(), *self.fake.made_images]:
            if len(short) >= 12 and image.removeprefix("sha256:").startswith(short):
                return image
        return None

    def _build(self, record: Recorded) -> Iterable[dict[str, Any]]:
        with tarfile.open(fileobj=io.BytesIO(record.body)) as tar:
            members = {m.name: (tar.extractfile(m).read() if m.isfile() else None)  # type: ignore[union-attr]
                       for m in tar.getmembers()}
            owners = {m.name: (m.mode, m.uid, m.gid, m.uname, m.gname) for m in tar.getmembers()}
        tag = record.query.get("t", [""])[0]
        self.fake.builds.append({"members": members, "owners": owners, "tag": tag, "query": record.query})
        dockerfile = (members.get("Dockerfile") or b"").decode()
        steps = _instructions(dockerfile)
        if record.query.get("pull", ["False"])[0] in ("1", "True", "true"):
            yield from _pull_events("python")
        for number, step in enumerate(steps, 1):
            yield {"stream": f"Step {number}/{len(steps)} : {step}\n"}
            if self.fake.fail_build_at and self.fake.fail_build_at in step:
                yield {"stream": " ---> Running in 0badc0ffee00\n"}
                yield {"stream": "Collecting nosuchpackage\n"}
                yield {"stream": "ERROR: No matching distribution found for nosuchpackage\n"}
                message = f"The command '/bin/sh -c {step.split(' ', 1)[1]}' returned a non-zero code: 1"
                yield {"errorDetail": {"code": 1, "message": message}, "error": message}
                return
            step_image = hashlib.sha256(f"{number} {step}".encode()).hexdigest()
            self.fake.made_images.add(f"sha256:{step_image}")
            yield {"stream": f" ---> {step_image[:12]}\n"}
        image_id = "sha256:" + hashlib.sha256(record.body).hexdigest()
        self.fake.made_images.add(image_id)
        self.fake.images[tag if ":" in tag.rsplit("/", 1)[-1] else tag + ":latest"] = image_id
        if self.fake.send_image_id:
            yield {"aux": {"ID": image_id}}
        yield {"stream": f"Successfully built {image_id[7:19]}\n"}
        yield {"stream": f"Successfully tagged {tag}\n"}

    def _push(self, record: Recorded, name: str) -> None:
        header = record.headers.get("X-Registry-Auth")
        auth = None
        if header:
            auth = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
        tag = record.query.get("tag", [""])[0]
        self.fake.pushes.append({"name": name, "tag": tag, "auth": auth})
        if f"{name}:{tag}" not in self.fake.images:
            self._json(404, {"message": f"An image does not exist locally with the tag: {name}"})
            return
        events: list[dict[str, Any]] = [{"status": f"The push refers to repository [{name}]"}]
        events.append({"status": "Preparing", "progressDetail": {}, "id": "a1b2c3d4e5f6"})
        if self.fake.reject_push:
            events.append({"errorDetail": {"message": self.fake.reject_push}, "error": self.fake.reject_push})
        else:
            for current in (1, 2, 3):
                events.append({"status": "Pushing", "progressDetail": {"current": current, "total": 3},
                               "progress": "[" + "=" * current + ">]", "id": "a1b2c3d4e5f6"})
            events.append({"status": "Pushed", "progressDetail": {}, "id": "a1b2c3d4e5f6"})
            events.append({"status": f"{tag}: digest: sha256:{'0' * 64} size: 1234"})
            events.append({"progressDetail": {}, "aux": {"Tag": tag, "Digest": "sha256:" + "0" * 64, "Size": 1234}})
        self._stream(events)
