"""The try-out page in a real browser: for every example, fill the form, send it, and check what a person sees.

Headless Chromium drives ``GET /try`` of real ``serve`` processes. The screenshots of the
documentation (``docs/images/try-*.png``) are taken here; they are rewritten when missing or
when ``UPDATE_SCREENSHOTS=1``.
"""
from __future__ import annotations

import io
import json
import os
import struct
import wave
import zlib
from pathlib import Path
from typing import Any

from conftest import REPO, Watched, wait_for

SCREENSHOTS = REPO / "docs" / "images"
HOSTILE = "<img src=x onerror=alert(1)>"


def screenshot(watched: Watched, name: str, tmp_path: Path) -> None:
    """A picture of the page for the documentation: always taken, kept in docs/ when missing or asked for."""
    target = SCREENSHOTS / name
    keep = os.environ.get("UPDATE_SCREENSHOTS") == "1" or not target.exists()
    path = target if keep else tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    watched.page.mouse.move(0, 0)
    watched.page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes().startswith(b"\x89PNG")


def highlighted(page: Any) -> list[tuple[str, str]]:
    """Each highlighted stretch of text and the annotation types over it."""
    return [(segment.text_content(), segment.get_attribute("data-types"))
            for segment in page.query_selector_all(".segment.annotated")]


def wav_bytes(seconds: float, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(rate)
        recording.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def png_bytes(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x20\x40\xc0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def features(page: Any, scope: str = "#answer > table.features") -> dict[str, str]:
    return {row.query_selector("th").text_content(): row.query_selector("td").text_content()
            for row in page.query_selector_all(f"{scope} tr")}


# -- the examples ------------------------------------------------------------------------------


def test_dictionary_ner_highlights_each_entity_with_its_type(serve: Any, watched: Watched, tmp_path: Path) -> None:
    page = watched.open(serve("dictionary_ner"))
    assert page.input_value("[name='param:lang']") == "en"  # the parameter's default
    assert "string, default \"en\"" in page.text_content("#inputs fieldset")
    page.fill("[name=content]", "Ada Lovelace wrote to charles@babbage.org on 1843-07-10.")
    watched.send()
    assert highlighted(page) == [("Ada Lovelace", "Person"), ("charles@babbage.org", "Email"), ("1843-07-10", "Date")]
    assert [label.text_content() for label in page.query_selector_all(".legend .type-name")] == [
        "Person", "Date", "Email"]
    page.hover(".segment[data-types=Person]")
    assert "name" in page.text_content("#hover-card") and "Ada Lovelace" in page.text_content("#hover-card")
    assert page.is_visible("#hover-card")
    screenshot(watched, "try-dictionary-ner.png", tmp_path)

    page.uncheck(".legend input[data-type=Person]")  # a type turned off is no longer highlighted
    assert highlighted(page) == [("charles@babbage.org", "Email"), ("1843-07-10", "Date")]

    page.click("#raw summary")
    sent = page.text_content("#raw-request")
    assert sent.startswith("POST /process\n") and '"content": "Ada Lovelace wrote to' in sent
    assert '"Person"' in page.text_content("#raw-answer")
    page.click("#copy-curl")
    curl = page.text_content("#curl")
    assert curl.startswith("curl -s -N -X POST 'http://127.0.0.1:") and "/process'" in curl
    assert "--data-binary '{\"type\":\"text\",\"content\":\"Ada Lovelace wrote to" in curl

    page.fill("[name='param:lang']", "xx")
    watched.send()
    assert page.text_content("#answer .failure .text") == 'Value "xx" is not valid for parameter lang'
    assert page.text_content("#answer .failure .code") == "elg.request.parameter.invalid · HTTP 400"
    assert watched.dialogs == []


def test_sentiment_shows_a_bar_per_class(serve: Any, watched: Watched) -> None:
    page = watched.open(serve("sentiment"))
    assert page.text_content("label:has([name='param:top_k']) .type") == "integer, default 1"
    assert page.text_content("label:has([name='param:threshold']) .type") == "number, default 0"
    page.fill("[name=content]", "What a great, happy day")
    page.fill("[name='param:top_k']", "3")
    watched.send()
    rows = page.query_selector_all(".classes .class-row")
    names = [row.query_selector(".class-name").text_content() for row in rows]
    assert names[0] == "positive" and sorted(names) == ["negative", "neutral", "positive"]
    widths = [row.query_selector(".bar").evaluate("bar => bar.getBoundingClientRect().width") for row in rows]
    track = rows[0].query_selector(".bar-track").evaluate("track => track.getBoundingClientRect().width")
    scores = [float(row.query_selector(".score").text_content()) for row in rows]
    for width, score in zip(widths, scores):
        assert abs(width - score * track) < 2

    page.fill("[name='param:top_k']", "1.5")  # sent as typed: the service's failure is shown
    watched.send()
    assert page.text_content("#answer .failure .text") == 'Value "1.5" is not valid for parameter top_k'
    assert "HTTP 400" in page.text_content("#answer .failure .code")


def test_slow_progress_shows_a_live_progress_bar_then_the_answer(
    serve: Any, watched: Watched, tmp_path: Path,
) -> None:
    page = watched.open(serve("slow_progress"))
    page.fill("[name=content]", "one two three four")
    page.fill("[name='param:delay']", "0.4")
    page.click("#send")
    wait_for(page, "() => document.getElementById('progress').value > 0"
                   " && document.getElementById('progress').value < 100")
    assert page.text_content("#status") == "Waiting for the answer…"  # the bar moves before the answer comes
    watched.send()
    assert page.eval_on_selector("#progress", "bar => bar.value") == 100
    assert page.text_content("#progress-message") == "Word 4 of 4 done"
    assert page.text_content("#progress-percent").startswith("100 %")
    assert highlighted(page) == [("one", "Word"), ("two", "Word"), ("three", "Word"), ("four", "Word")]
    assert features(page) == {"words": "4"}
    assert page.text_content("#raw-answer").count('{"progress":') == 4
    screenshot(watched, "try-slow-progress.png", tmp_path)


def test_translate_takes_url_variables_and_shows_a_failure_with_its_detail(serve: Any, watched: Watched) -> None:
    page = watched.open(serve("translate"))
    assert "URL variables of /translate/<src>/<tgt>" in page.text_content("#inputs")
    page.fill("[name=content]", "the cat drinks milk")
    page.fill("[name='url:src']", "en")
    page.fill("[name='url:tgt']", "de")
    watched.send()
    assert page.text_content("#answer .text-node .content") == "die Katze trinkt Milch"
    assert features(page, "#answer .text-node table.features") == {"source": "en", "target": "de"}

    page.fill("[name='url:src']", "xx")
    watched.send()
    assert page.text_content("#answer .failure .text") == 'Value "xx/de" is not valid for parameter language pair'
    assert page.text_content("#answer .failure .code") == "elg.request.parameter.invalid · HTTP 400"
    assert json.loads(page.text_content("#answer .failure .detail")) == {"supported": "en/de, en/fr"}
    assert "HTTP 400" in page.text_content("#status")


def test_classic_flask_service_takes_its_url_variable(serve: Any, watched: Watched) -> None:
    page = watched.open(serve("classic_flask_service"))
    page.fill("[name=content]", "hello world")
    page.fill("[name='url:mode']", "upper")
    watched.send()
    assert page.text_content("#answer .text-node .content") == "HELLO WORLD"


def test_sentence_splitter_renders_the_nested_texts(serve: Any, watched: Watched) -> None:
    page = watched.open(serve("sentence_splitter"))
    page.fill("[name=texts]", json.dumps([{"content": "Hello world. How are you?"}]))
    watched.send()
    roles = [role.text_content() for role in page.query_selector_all("#answer .role")]
    assert roles[:3] == ["paragraph", "sentence", "token"] and roles.count("sentence") == 2
    tokens = page.query_selector_all("#answer .text-node .text-node .text-node .content")
    assert [token.text_content() for token in tokens] == ["Hello", "world", ".", "How", "are", "you", "?"]


def test_wav_info_takes_a_file_and_a_recording_from_the_microphone(serve: Any, watched: Watched) -> None:
    page = watched.open(serve("wav_info"))
    page.set_input_files("[name=file]", files=[
        {"name": "silence.wav", "mimeType": "audio/wav", "buffer": wav_bytes(1.5)}])
    assert page.input_value("[name=format]") == "LINEAR16"
    watched.send()
    assert features(page)["duration"] == "1.5"
    assert [cell.text_content() for cell in page.query_selector_all("#answer table.annotations td")][:3] == [
        "Audio", "0s", "1.5s"]
    page.click("#record")  # Chromium's fake microphone plays a tone
    page.wait_for_timeout(1200)
    page.click("#record")
    wait_for(page, "() => document.querySelector('.recorder .muted').textContent.startsWith('Recorded')")
    watched.send()
    answered = features(page)
    assert float(answered["duration"]) > 0.5 and answered["sampleWidth"] == "2" and answered["channels"] == "1"
    assert "recording.wav (audio/wav" in page.text_content("#raw-request")


def test_image_info_takes_an_image_file(serve: Any, watched: Watched) -> None:
    page = watched.open(serve("image_info"))
    page.set_input_files("[name=file]", files=[
        {"name": "picture.png", "mimeType": "image/png", "buffer": png_bytes(7, 5)}])
    assert page.input_value("[name=format]") == "png"
    watched.send()
    answered = features(page)
    assert (answered["width"], answered["height"]) == ("7", "5")
    page.click("#copy-curl")
    assert "-F 'content=@picture.png;type=image/png'" in page.text_content("#curl")


# -- rendering: hostile content, overlaps, offsets, audio, scores --------------------------------


def test_hostile_content_and_features_render_as_text(serve: Any, watched: Watched) -> None:
    page = watched.open(serve("showcase"))
    page.fill("[name=content]", HOSTILE + " 🐱 a big cat 🐈")
    watched.send()
    assert page.query_selector("#answer img") is None and page.query_selector("#raw img") is None
    assert page.text_content("#answer .highlighted").startswith(HOSTILE + " 🐱")
    assert features(page) == {"markup": HOSTILE}
    assert page.text_content("#answer .warning .text") == "Warning: Note " + HOSTILE
    page.hover(".segment[data-types='Phrase']")
    assert HOSTILE in page.text_content("#hover-card") and page.query_selector("#hover-card img") is None
    assert watched.dialogs == []


def test_overlapping_and_nested_spans_are_each_visible(serve: Any, watched: Watched) -> None:
    page = watched.open(serve("showcase"))
    page.fill("[name=content]", "🐱 a big cat 🐈")  # offsets are code points: the emoji count one each
    watched.send()
    assert highlighted(page) == [
        ("🐱", "Emoji"), ("bi", "Phrase"), ("g ", "Phrase Overlap"), ("cat", "Phrase Overlap Word"),
        (" ", "Overlap"), ("🐈", "Overlap Emoji"),
    ]
    # Each annotation covering a stretch draws one more underline below it: nesting shows as depth.
    underlines = page.eval_on_selector(".segment[data-types='Phrase Overlap Word']", "s => s.style.boxShadow")
    assert underlines.count("inset") == 3
    assert page.query_selector_all(".annotation-problem") == []


def test_a_wrong_offset_is_shown_as_a_problem(serve: Any, watched: Watched) -> None:
    page = watched.open(serve("showcase"))
    page.fill("[name=content]", "a big cat")
    page.select_option("[name='param:bad_offset']", "true")
    watched.send()
    assert page.text_content(".annotation-problem") == (
        "Wrong offset: Word #2: end 14 is past the end of the text (9 characters)")
    assert ("big cat", "Phrase") not in highlighted(page)  # the wrong span is not clipped into the text
    assert "cat" in dict(highlighted(page))


def test_audio_and_scored_texts_responses(serve: Any, watched: Watched) -> None:
    page = watched.open(serve("showcase"))
    page.select_option("#endpoint", label="/speak")
    page.fill("[name=content]", "hi")
    watched.send()
    duration = wait_for(page, "() => document.querySelector('#answer audio').duration || false")
    assert abs(duration - 0.5) < 0.05
    page.select_option("#endpoint", label="/alternatives")
    page.fill("[name=content]", "Some Text")
    watched.send()
    assert [score.text_content() for score in page.query_selector_all("#answer .text-node .score")] == [
        "score 0.750", "score 0.250"]
    assert highlighted(page) == [("SOM", "Shout")]
    assert features(page, "#answer .text-node table.features") == {"html": HOSTILE}
