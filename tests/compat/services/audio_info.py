"""An audio service that checks what it receives itself and answers its own failures."""
import io
import wave

from elg import FlaskService
from elg.model import AnnotationsResponse, AudioRequest, Failure
from elg.model.base import StandardMessages


class AudioInfo(FlaskService):
    def process_audio(self, request: AudioRequest):
        audio = request.content
        if audio is None or len(audio) < 44:
            return Failure(errors=[StandardMessages.generate_elg_request_invalid(
                detail={"audio": "File is empty or too small"})])
        try:
            with wave.open(io.BytesIO(audio)) as reader:
                frames, rate = reader.getnframes(), reader.getframerate()
        except Exception:
            return Failure(errors=[StandardMessages.generate_elg_request_invalid(
                detail={"audio": "Audio is not in WAV format"})])
        return AnnotationsResponse(features={"frames": frames, "rate": rate, "format": request.format})


service = AudioInfo("audio-info")
app = service.app
