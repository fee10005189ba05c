"""examples/wav_info.py: WAV header facts from a real WAV file; MP3 refused."""
from __future__ import annotations

from media import wav_bytes

from elg_decorators.model import AnnotationsResponse, Failure, StatusMessage
from elg_decorators.testing import ServiceClient


EXAMPLE = "wav_info"


def test_describes_a_mono_recording(client: ServiceClient) -> None:
    assert client.audio(wav_bytes(1.5, sample_rate=16000)) == AnnotationsResponse(
        features={"duration": 1.5, "sampleRate": 16000, "channels": 1, "sampleWidth": 2, "frames": 24000},
        annotations={"Audio": [{"start": 0.0, "end": 1.5}]},
    )


def test_describes_a_stereo_recording(client: ServiceClient) -> None:
    assert client.audio(wav_bytes(0.25, sample_rate=44100, channels=2)) == AnnotationsResponse(
        features={"duration": 0.25, "sampleRate": 44100, "channels": 2, "sampleWidth": 2, "frames": 11025},
        annotations={"Audio": [{"start": 0.0, "end": 0.25}]},
    )


def test_raw_wav_body_is_accepted_too(client: ServiceClient) -> None:
    answer = client.http.post("/process", data=wav_bytes(0.5, sample_rate=8000), content_type="audio/x-wav")

    assert answer.status_code == 200
    assert answer.data == (
        b'{"response":{"type":"annotations","features":{"duration":0.5,"sampleRate":8000,"channels":1,'
        b'"sampleWidth":2,"frames":4000},"annotations":{"Audio":[{"start":0.0,"end":0.5}]}}}'
    )


def test_mp3_is_an_unsupported_format(client: ServiceClient) -> None:
    assert client.audio(b"ID3\x03\x00", format="MP3", with_status=True) == (400, Failure(errors=[StatusMessage(
        code="elg.request.audio.format.unsupported", params=["MP3"],
        text="Audio format {0} not supported by this service", detail={},
    )]))


def test_content_that_is_not_wav_is_an_invalid_request(client: ServiceClient) -> None:
    assert client.audio(b"definitely not audio", with_status=True) == (400, Failure(errors=[StatusMessage(
        code="elg.request.invalid", params=[], text="Invalid request message",
        detail={"reason": "the content is not a WAV file"},
    )]))
