"""An audio service that reads the header of a WAV file with the standard library.

It answers with the duration, sample rate, channel count and sample width
as features, and one ``Audio`` annotation spanning the whole recording in
seconds. MP3 requests are refused with the standard
``elg.request.audio.format.unsupported`` failure.

Run it and call it (the audio travels as the ``content`` part of a multipart request)::

    python examples/wav_info.py
    curl -s -F 'request={"type": "audio", "format": "LINEAR16"};type=application/json' \\
         -F 'content=@speech.wav;type=audio/x-wav' http://localhost:8000/process
"""
import io
import wave

from elg_decorators import ProcessingError, audio_service, serve
from elg_decorators.model import AnnotationsResponse


@audio_service
def wav_info(content: bytes, format: str) -> AnnotationsResponse:
    """Describe the WAV recording in ``content``."""
    if format != "LINEAR16":
        raise ProcessingError("elg.request.audio.format.unsupported", params=[format])
    try:
        with wave.open(io.BytesIO(content)) as recording:
            frames = recording.getnframes()
            sample_rate = recording.getframerate()
            channels = recording.getnchannels()
            sample_width = recording.getsampwidth()
    except (wave.Error, EOFError):
        raise ProcessingError("elg.request.invalid", detail={"reason": "the content is not a WAV file"}) from None
    duration = frames / sample_rate
    return AnnotationsResponse(
        features={
            "duration": duration,
            "sampleRate": sample_rate,
            "channels": channels,
            "sampleWidth": sample_width,
            "frames": frames,
        },
        annotations={"Audio": [{"start": 0.0, "end": duration}]},
    )


if __name__ == "__main__":
    serve()
