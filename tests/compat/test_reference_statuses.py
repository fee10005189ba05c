"""Reference statuses on request: a proxy that forwards a remote failure only when the remote
answered 2xx, in front of a service that fails, all real gunicorn processes on 127.0.0.1."""
from __future__ import annotations

import json

import pytest

from hardening.conftest import post

LONG_TEXT = json.dumps({"type": "text", "content": "x" * 50}).encode()  # the checker refuses it
TOO_LARGE = {"code": "elg.request.too.large", "params": [], "text": "Request size too large", "detail": {}}


def through_proxy(our_services, inner_script: str, inner_env=None):
    inner = our_services.ours(inner_script, env=inner_env)
    proxy = our_services.ours("proxy.py", env={"REMOTE_ENDPOINT": f"http://127.0.0.1:{inner.port}/process"})
    direct = post(inner.port, "/process", LONG_TEXT)
    return direct, post(proxy.port, "/process", LONG_TEXT)


def test_default_statuses_break_a_chain_that_expects_2xx(our_services):
    direct, proxied = through_proxy(our_services, "checker.py")
    assert (direct.status, direct.json()) == (413, {"failure": {"errors": [TOO_LARGE]}})
    # The proxy sees a 413 and reports the status, not the inner failure.
    assert proxied.status == 500
    assert proxied.json()["failure"]["errors"] == [
        {"code": "elg.service.internalError", "params": ["413"], "text": "Internal error during processing: {0}",
         "detail": {}}
    ]


@pytest.mark.parametrize("inner_script, inner_env", [
    ("checker.py", {"ELG_REFERENCE_STATUSES": "1"}),
    ("checker_statuses.py", None),
], ids=["environment variable", "class attribute"])
def test_reference_statuses_let_the_client_get_the_inner_failure(our_services, inner_script, inner_env):
    direct, proxied = through_proxy(our_services, inner_script, inner_env)
    assert (direct.status, direct.json()) == (200, {"failure": {"errors": [TOO_LARGE]}})
    # The proxy (default statuses itself) forwards the inner failure with its own status for the code.
    assert (proxied.status, proxied.json()) == (413, {"failure": {"errors": [TOO_LARGE]}})


def test_reference_statuses_switched_off_by_the_environment(our_services):
    direct, _ = through_proxy(our_services, "checker_statuses.py", {"ELG_REFERENCE_STATUSES": "0"})
    assert direct.status == 413


def test_success_and_routing_are_unchanged_with_reference_statuses(our_services):
    inner = our_services.ours("checker.py", env={"ELG_REFERENCE_STATUSES": "yes"})
    ok = post(inner.port, "/process", json.dumps({"type": "text", "content": "teh"}).encode())
    assert ok.status == 200 and ok.json()["response"]["annotations"]["errs"][0]["end"] == 3
    crashed = post(inner.port, "/process", json.dumps({"type": "text", "content": "crash"}).encode())
    assert crashed.status == 200 and crashed.json()["failure"]["errors"][0]["params"] == ["the checker crashed"]
    unknown_path = post(inner.port, "/elsewhere", b"{}")
    assert unknown_path.status == 404 and unknown_path.json()["failure"]["errors"][0]["code"] == "elg.service.not.found"


def test_reference_statuses_cover_what_the_service_code_raises(our_services):
    inner = our_services.ours("raising.py", env={"ELG_REFERENCE_STATUSES": "1"})
    raised = post(inner.port, "/process", json.dumps({"type": "text", "content": "crash"}).encode())
    assert (raised.status, raised.json()["failure"]["errors"][0]["code"]) == (200, "elg.service.internalError")
    assert raised.json()["failure"]["errors"][0]["params"] == ["cannot reach postgres://admin:hunter2@db/records"]
    # A request type the service does not take reaches its (unimplemented) process_audio, as in the elg package.
    untaken = post(inner.port, "/process", json.dumps({"type": "audio", "format": "MP3"}).encode())
    assert (untaken.status, untaken.json()["failure"]["errors"][0]["code"]) == (200, "elg.request.type.unsupported")


#: Requests the server itself refuses, before any code of the service runs, and the status each keeps.
REJECTIONS = {
    "malformed JSON": (b"{nope", "application/json", 400, "elg.request.invalid"),
    "no type": (b'{"content": "no type"}', "application/json", 400, "elg.request.invalid"),
    "unknown type": (b'{"type": "video", "content": "x"}', "application/json", 400, "elg.request.type.unsupported"),
    "empty body": (b"", "application/json", 400, "elg.request.missing"),
    "unknown media type": (b"<text>x</text>", "application/xml", 415, "elg.request.type.unsupported"),
}


def test_the_server_s_own_rejections_keep_their_status_with_reference_statuses(our_services):
    inner = our_services.ours("checker.py", env={"ELG_REFERENCE_STATUSES": "1"})
    for name, (body, content_type, status, code) in REJECTIONS.items():
        rejected = post(inner.port, "/process", body, content_type)
        assert (rejected.status, rejected.json()["failure"]["errors"][0]["code"]) == (status, code), name


def test_a_bad_value_of_the_variable_is_refused_in_one_line(monkeypatch):
    from elg_decorators import FlaskService

    monkeypatch.setenv("ELG_REFERENCE_STATUSES", "maybe")
    with pytest.raises(ValueError) as raised:
        FlaskService("bad")
    assert str(raised.value) == "ELG_REFERENCE_STATUSES='maybe': use 1 or 0 (true/false, yes/no)"
    monkeypatch.delenv("ELG_REFERENCE_STATUSES")
    monkeypatch.setenv("HIDE_EXCEPTION_TEXT", "sometimes")
    with pytest.raises(ValueError, match=r"^HIDE_EXCEPTION_TEXT='sometimes': use 1 or 0 \(true/false, yes/no\)$"):
        FlaskService("bad")
