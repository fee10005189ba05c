"""Charsets over a real gunicorn worker: the accepted ones decode, any other is a 415 naming it.

Python hands a client's charset to any codec it has; some of them decode in quadratic time
(``punycode``), produce text no JSON can carry (``unicode_escape``, ``utf_7``: lone
surrogates) or are no text encodings at all (``zlib``). Every probe is followed by a valid
request that must be answered.
"""
from __future__ import annotations

import encodings.aliases
import json
import time

import pytest

from elg_decorators.protocol.charsets import ACCEPTED_CHARSETS, accepted_charset_names

from .conftest import Server, assert_elg_failure, assert_elg_response, assert_serving, post

TEXT = "Grüße, naïve café"

ACCEPTED = {
    "utf-8": TEXT, "UTF8": TEXT, '"utf-8"': TEXT, "utf-16": TEXT, "UTF-16LE": TEXT, "utf-16be": TEXT,
    "utf-32": TEXT, "us-ascii": "plain ASCII", "latin1": TEXT, "ISO-8859-1": TEXT, "iso-8859-15": "€ and ß",
    "windows-1252": "“quoted” – €", "cp1251": "Привет", "koi8-r": "Привет", "ISO-8859-7": "Καλημέρα",
    "shift_jis": "こんにちは", "EUC-JP": "こんにちは", "iso-2022-jp": "こんにちは", "gb18030": "你好",
    "GBK": "你好", "big5": "你好", "euc-kr": "안녕하세요",
}


@pytest.mark.parametrize("label", ACCEPTED, ids=ACCEPTED)
def test_an_accepted_charset_is_decoded(payload_server: Server, label: str) -> None:
    text = ACCEPTED[label]
    body = text.encode(label.strip('"'))
    answer = assert_elg_response(post(payload_server.port, "/echo", body, f"text/plain; charset={label}"), "texts")
    assert answer["texts"] == [{"content": text}]


def test_a_json_body_may_declare_an_accepted_charset(payload_server: Server) -> None:
    body = json.dumps({"type": "text", "content": TEXT}, ensure_ascii=False).encode("utf-16")
    answer = assert_elg_response(post(payload_server.port, "/echo", body, "application/json; charset=UTF-16"))
    assert answer["texts"] == [{"content": TEXT}]


def unsupported(content_type: str, charset: str) -> dict:
    return {"failure": {"errors": [{
        "code": "elg.request.type.unsupported", "params": [content_type],
        "text": "Request type {0} not supported by this service",
        "detail": {"reason": f"unsupported charset {charset!r}", "charset": charset,
                   "accepted": accepted_charset_names()},
    }]}}


REFUSED = {
    "punycode, 1 MB": ("text/plain; charset=punycode", b"a" * 1_000_000 + b"-" + b"b" * 1000, "punycode"),
    "unicode_escape, a lone surrogate": ("text/plain; charset=unicode_escape", b"\\ud800", "unicode_escape"),
    "unicode_escape in JSON": ("application/json; charset=unicode_escape",
                               b'{"type":"text","content":"\\ud800"}', "unicode_escape"),
    "utf-7, a lone surrogate": ("text/plain; charset=utf-7", b"+2AA-", "utf-7"),
    "raw_unicode_escape": ("text/plain; charset=raw-unicode-escape", b"\\ud800", "raw-unicode-escape"),
    "zlib": ("text/plain; charset=zlib", b"x\x9c+\xc9\xc8,\x06\x00\x04\x9a\x01\xc9", "zlib"),
    "base64": ("application/json; charset=base64", b"eyJ0eXBlIjoidGV4dCJ9", "base64"),
    "rot13": ("text/plain; charset=rot13", b"uryyb", "rot13"),
    "idna": ("text/plain; charset=idna", b"xn--" + b"a" * 1000, "idna"),
    "unknown": ("text/plain; charset=klingon-8", b"Qapla'", "klingon-8"),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_any_other_charset_is_a_415_naming_it(payload_server: Server, case: tuple[str, bytes, str]) -> None:
    content_type, body, charset = case
    answer = post(payload_server.port, "/echo", body, content_type)
    assert_elg_failure(answer, 415, "elg.request.type.unsupported")
    assert answer.json() == unsupported(content_type, charset)
    assert_serving(payload_server.port)


def test_a_refused_charset_costs_no_more_than_a_valid_body_of_its_size(payload_server: Server) -> None:
    """1 MB of punycode took 17 s of CPU when handed to Python's codec; now it is refused unread.

    Both times are mostly the transfer of the megabyte, hence the factor 2 (the codec made it 800).
    """
    refused, accepted = [], []
    for _ in range(3):
        started = time.perf_counter()
        assert post(payload_server.port, "/echo", b"a" * 1_000_000, "text/plain; charset=punycode").status == 415
        refused.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert_elg_response(post(payload_server.port, "/echo", b"a" * 1_000_000, "text/plain; charset=utf-8"))
        accepted.append(time.perf_counter() - started)
    assert min(refused) <= 2 * min(accepted), f"refused {refused}, accepted {accepted}"
    assert_serving(payload_server.port)


def test_bytes_invalid_in_the_declared_charset_are_a_400(payload_server: Server) -> None:
    for content_type, body, reason in [
        ("text/plain; charset=utf-8", b"ok \xff", "the body is not valid UTF-8 text (byte 3)"),
        ("text/plain; charset=utf-16le", b"\x00\xd8a\x00", "the body is not valid UTF-16LE text (byte 0)"),
        ("text/plain; charset=us-ascii", "naïve".encode(), "the body is not valid US-ASCII text (byte 2)"),
        ("application/json; charset=shift_jis", b'{"type":"text","content":"\x82"}',
         "the body is not valid Shift_JIS text (byte 26)"),
    ]:
        answer = post(payload_server.port, "/echo", body, content_type)
        assert answer.json() == {"failure": {"errors": [{
            "code": "elg.request.invalid", "params": [], "text": "Invalid request message",
            "detail": {"reason": reason},
        }]}}, content_type
        assert answer.status == 400
    assert_serving(payload_server.port)


#: Every codec Python has, by its module name: a charset label a client may send.
PYTHON_CODECS = sorted(set(encodings.aliases.aliases.values()) | {
    "punycode", "unicode_escape", "raw_unicode_escape", "idna", "utf_7", "undefined", "mbcs", "oem", "palmos",
    "charmap", "rot_13", "uu_codec", "quopri_codec", "bz2_codec", "hex_codec", "base64_codec", "zlib_codec",
})
#: Bytes that upset one codec or another: a BOM, an escaped and an encoded lone surrogate, invalid UTF-8.
AWKWARD_BYTES = b"\xff\xfe\\ud800+2AA-\xed\xa0\x80\x80\x00\x00\xd8"


def test_no_codec_makes_a_500(payload_server: Server) -> None:
    """Each of Python's codecs as the charset of awkward bytes: a 200, a 400 or a 415, never a 500."""
    outcomes = {}
    for codec in PYTHON_CODECS:
        for content_type in (f"text/plain; charset={codec}", f"application/json; charset={codec}"):
            answer = post(payload_server.port, "/echo", AWKWARD_BYTES, content_type)
            assert answer.content_type == "application/json", (content_type, answer.status, answer.body[:200])
            outcomes[content_type] = answer.status
            assert answer.status in (200, 400, 415), (content_type, answer.status, answer.body[:300])
    refused = {content_type.split("=")[1] for content_type, status in outcomes.items() if status == 415}
    assert refused == set(PYTHON_CODECS) - set(ACCEPTED_CHARSETS)
    assert_serving(payload_server.port)
