"""One log line per request over real gunicorn (GETs, unknown paths and streams included), request ids,
errors naming the handler function, and ``LOG_FORMAT=json``."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hardening.conftest import Server, assert_elg_failure, assert_elg_response, get, post, request

from .app_servers import serve, text, wait_for

REQUEST_LINE = re.compile(
    r"\[INFO\] elg_decorators: (?P<method>[A-Z]+) (?P<path>\S+) (?P<type>\S+) (?P<status>\d{3}) (?P<code>\S+) "
    r"(?P<ms>\d+\.\d)ms(?: (?P<events>\d+) events)? id=(?P<id>\S+)$"
)
SSE = {"Accept": "text/event-stream"}


def request_lines(server: Server) -> list[dict[str, str]]:
    return [found.groupdict() for found in map(REQUEST_LINE.search, server.log().splitlines()) if found]


def line_of(server: Server, request_id: str) -> dict[str, str]:
    wait_for(lambda: any(line["id"] == request_id for line in request_lines(server)), f"the line of {request_id}")
    (line,) = [line for line in request_lines(server) if line["id"] == request_id]
    return line


def test_every_request_is_one_line_with_its_type_status_code_duration_and_id(tmp_path: Path) -> None:
    server = serve(tmp_path, "logged", workers=1, log_level="INFO")
    try:
        wait_for(lambda: get(server.port, "/health/ready").status == 200, "ready")
        sent = {
            "ok-1": post(server.port, "/plain", text(), headers={"X-Request-ID": "ok-1"}),
            "bad-json": post(server.port, "/plain", b'{"type": "text", "content": ',
                             headers={"X-Request-ID": "bad-json"}),
            "nowhere": request(server.port, "GET", "/nowhere", headers={"X-Request-ID": "nowhere"}),
            "live": request(server.port, "GET", "/health/live", headers={"X-Request-ID": "live"}),
            "route": post(server.port, "/translate/en/de", text(), headers={"X-Request-ID": "route"}),
            "stream": post(server.port, "/stream", text(steps=3), headers={**SSE, "X-Request-ID": "stream"}),
            "boom": post(server.port, "/boom", text(), headers={"X-Request-ID": "boom"}),
            "broken": post(server.port, "/stream", text(steps=2, fail=True), headers={**SSE, "X-Request-ID": "broken"}),
        }
        for request_id, response in sent.items():
            assert response.headers["x-request-id"] == request_id
        assert sent["stream"].body.count(b"data:") == 4
        assert_elg_failure(sent["nowhere"], 404, "elg.service.not.found")

        def fields(request_id: str) -> tuple[str, ...]:
            line = line_of(server, request_id)
            return line["method"], line["path"], line["type"], line["status"], line["code"], line["events"]

        assert fields("ok-1") == ("POST", "/plain", "text", "200", "-", None)
        assert fields("bad-json") == ("POST", "/plain", "-", "400", "elg.request.invalid", None)
        assert fields("nowhere") == ("GET", "/nowhere", "-", "404", "elg.service.not.found", None)
        assert fields("live") == ("GET", "/health/live", "-", "200", "-", None)
        assert fields("route") == ("POST", "/translate/en/de", "text", "200", "-", None)
        assert fields("stream") == ("POST", "/stream", "text", "200", "-", "4")
        assert fields("boom") == ("POST", "/boom", "text", "500", "elg.service.internalError", None)
        assert fields("broken") == ("POST", "/stream", "text", "200", "elg.service.internalError", "3")
        assert sorted(line["id"] for line in request_lines(server) if line["id"] in sent) == sorted(sent)

        log = server.log()
        assert "boom failed on a text request to /boom" in log  # the handler function, not a generated class
        assert "ELGService" not in log
    finally:
        server.stop()


def test_a_stream_is_logged_when_it_ends_with_its_duration_and_events(tmp_path: Path) -> None:
    server = serve(tmp_path, "streams", workers=1, log_level="INFO")
    try:
        answer = post(server.port, "/stream", text(steps=5, delay=0.2), headers=SSE)
        assert answer.body.count(b"data:") == 6
        line = line_of(server, answer.headers["x-request-id"])
        assert (line["path"], line["status"], line["events"]) == ("/stream", "200", "6")
        assert float(line["ms"]) >= 1000  # five steps of 0.2 s: the line was written at the end of the stream
    finally:
        server.stop()


def test_request_ids_are_generated_unless_a_well_formed_one_is_sent(tmp_path: Path) -> None:
    server = serve(tmp_path, "ids", workers=2, log_level="INFO")
    try:
        generated = {post(server.port, "/plain", text()).headers["x-request-id"] for _ in range(20)}
        assert len(generated) == 20
        assert all(re.fullmatch(r"[0-9a-f]{24}", request_id) for request_id in generated)
        refused = post(server.port, "/plain", text(), headers={"X-Request-ID": "no spaces; " + "x" * 200})
        assert re.fullmatch(r"[0-9a-f]{24}", refused.headers["x-request-id"])
        # The worker reads the id first: it applies the same rule as the application, even to a short one.
        short = post(server.port, "/plain", text(), headers={"X-Request-ID": "has space"})
        assert re.fullmatch(r"[0-9a-f]{24}", short.headers["x-request-id"])
        kept = post(server.port, "/plain", text(), headers={"X-Request-ID": "upstream-7f3a:1"})
        assert kept.headers["x-request-id"] == "upstream-7f3a:1"
        for request_id in generated | {refused.headers["x-request-id"], "upstream-7f3a:1"}:
            assert line_of(server, request_id)["path"] == "/plain"
    finally:
        server.stop()


def test_log_format_json_gives_one_object_per_line(tmp_path: Path) -> None:
    server = serve(tmp_path, "json-log", workers=1, log_level="INFO", env={"LOG_FORMAT": "json"})
    try:
        wait_for(lambda: get(server.port, "/health/ready").status == 200, "ready")
        assert_elg_response(post(server.port, "/plain", text(), headers={"X-Request-ID": "j-ok"}))
        assert_elg_failure(post(server.port, "/boom", text(), headers={"X-Request-ID": "j-boom"}), 500)
        stream = post(server.port, "/stream", text(steps=2), headers={**SSE, "X-Request-ID": "j-stream"})
        assert stream.status == 200

        def entries() -> list[dict[str, object]]:
            return [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]

        wait_for(lambda: sum(entry.get("request_id") == "j-stream" for entry in entries()) == 1, "the stream's line")
        log = server.log()
        assert not re.search(r"\[(INFO|ERROR|WARNING)\] elg_decorators", log)  # nothing of ours in the text format
        ours = entries()
        assert all(entry["logger"] == "elg_decorators" for entry in ours)
        (ok,) = [entry for entry in ours if entry.get("request_id") == "j-ok"]
        assert {key: ok[key] for key in ("method", "path", "type", "status", "code", "level")} == {
            "method": "POST", "path": "/plain", "type": "text", "status": 200, "code": "", "level": "INFO"}
        assert isinstance(ok["duration_ms"], float) and ok["pid"] in server.workers()
        boom = [entry for entry in ours if entry.get("request_id") == "j-boom"]
        error, line = sorted(boom, key=lambda entry: entry["level"])  # ERROR sorts before INFO
        assert error["message"] == "boom failed on a text request to /boom"
        assert "ValueError: the handler broke" in str(error["traceback"])
        assert (line["status"], line["code"]) == (500, "elg.service.internalError")
        (streamed,) = [entry for entry in ours if entry.get("request_id") == "j-stream"]
        assert (streamed["events"], streamed["path"]) == (3, "/stream")
    finally:
        server.stop()


# A line break and a line of the client's choosing, a terminal escape code, a UTF-8 U+2028 (which WSGI
# gives as latin-1 characters, one of them a C1 control) and NEL (U+0085, a line break to some readers).
FORGING_PATH = "/nowhere%0D%0A[CRITICAL]%20elg_decorators:%20FORGED%1b[31m%E2%80%A8%85end"
FORGING_PATH_DECODED = "/nowhere\r\n[CRITICAL] elg_decorators: FORGED\x1b[31m\xe2\x80\xa8\x85end"
FORGING_PATH_ESCAPED = "/nowhere\\r\\n[CRITICAL] elg_decorators: FORGED\\x1b[31m\xe2\\x80\xa8\\x85end"


def forged_log(server: Server) -> str:
    """The server's log, after asserting it holds no raw control character of the forging path."""
    raw = server.log_path.read_bytes()
    for control in (b"\r", b"\x1b", "\x80".encode(), "\x85".encode()):
        assert control not in raw, (control, raw[-2000:])
    return raw.decode()


@pytest.mark.parametrize("worker_class", ["default", "sync"])
def test_a_path_can_neither_forge_a_line_nor_send_escape_codes(tmp_path: Path, worker_class: str) -> None:
    extra = ("--worker-class", worker_class) if worker_class != "default" else ()
    server = serve(tmp_path, f"forging-{worker_class}", workers=1, log_level="INFO", extra=extra)
    try:
        answer = request(server.port, "GET", FORGING_PATH, headers={"X-Request-ID": "forging"})
        assert_elg_failure(answer, 404, "elg.service.not.found")
        wait_for(lambda: "id=forging" in server.log(), "the request's line")
        lines = forged_log(server).splitlines()  # str.splitlines: at \r, \x85 and U+2028 too
        assert not [line for line in lines if line.startswith("[CRITICAL]")]
        (line,) = [line for line in lines if "FORGED" in line]
        assert re.search(rf"\[INFO\] elg_decorators: GET {re.escape(FORGING_PATH_ESCAPED)} - 404 "
                         r"elg\.service\.not\.found \d+\.\dms id=forging$", line), line
    finally:
        server.stop()


def test_log_format_json_keeps_the_path_as_sent_and_escapes_its_control_characters(tmp_path: Path) -> None:
    server = serve(tmp_path, "forging-json", workers=1, log_level="INFO", env={"LOG_FORMAT": "json"})
    try:
        answer = request(server.port, "GET", FORGING_PATH, headers={"X-Request-ID": "forging"})
        assert_elg_failure(answer, 404, "elg.service.not.found")
        wait_for(lambda: '"request_id": "forging"' in server.log(), "the request's line")
        (line,) = [line for line in forged_log(server).splitlines() if "FORGED" in line]
        entry = json.loads(line)
        assert entry["path"] == FORGING_PATH_DECODED
        assert entry["message"].startswith(f"GET {FORGING_PATH_ESCAPED} - 404 ")
    finally:
        server.stop()
