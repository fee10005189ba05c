"""A service whose answers exercise every renderer of the try-out page, hostile content included."""
import base64
import io
import wave

from elg_decorators import serve, text_service
from elg_decorators.model import AnnotationsResponse, AudioResponse, StatusMessage, TextsResponse

HTML = "<img src=x onerror=alert(1)>"


@text_service("/annotate")
def annotate(content: str, bad_offset: bool = False) -> AnnotationsResponse:
    """Overlapping and nested spans, a feature holding HTML, offsets in code points, a warning."""
    sentence = content.find("big cat")
    annotations = {
        "Phrase": [{"start": sentence, "end": sentence + 7, "features": {"html": HTML}}],
        "Word": [{"start": sentence + 4, "end": sentence + 7}],
        "Overlap": [{"start": sentence + 2, "end": sentence + 9}],
        "Emoji": [{"start": index, "end": index + 1} for index, char in enumerate(content) if ord(char) > 0xFFFF],
    }
    if bad_offset:
        annotations["Word"].append({"start": 2, "end": len(content) + 5})
    return AnnotationsResponse(
        annotations=annotations, features={"markup": HTML},
        warnings=[StatusMessage(code="showcase.note", text="Note {0}", params=[HTML])],
    )


@text_service("/speak")
def speak(content: str) -> AudioResponse:
    """Half a second of silence as WAV."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\x00\x00" * 4000)
    return AudioResponse(content=base64.b64encode(buffer.getvalue()).decode(), format="LINEAR16",
                         annotations={"Silence": [{"start": 0.0, "end": 0.5}]})


@text_service("/alternatives")
def alternatives(content: str) -> TextsResponse:
    """Two scored alternatives, the first with an annotation, under a branch."""
    return TextsResponse(texts=[{"role": "alternatives", "texts": [
        {"role": "alternative", "content": content.upper(), "score": 0.75,
         "annotations": {"Shout": [{"start": 0, "end": min(3, len(content))}]}},
        {"role": "alternative", "content": content.lower(), "score": 0.25, "features": {"html": HTML}},
    ]}])


if __name__ == "__main__":
    serve()
