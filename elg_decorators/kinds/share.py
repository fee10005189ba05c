"""What the ELG-SHARE metadata record says about one kind of input or output."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ShareResource:
    """An ``inputContentResource`` or ``outputResource`` of the ELG-SHARE record, without its languages.

    The values are the local names of the vocabulary terms (``file1`` for
    ``http://w3id.org/meta-share/meta-share/file1``).
    """

    #: ``processingResourceType``: ``userInputText``, ``outputText`` or ``file1``.
    processing_type: str
    #: ``mediaType``: ``text``, ``audio``, ``image`` or ``video``; None to leave it out.
    media_type: str | None
    #: ``dataFormat`` values (``Json``, ``wav``…).
    data_formats: tuple[str, ...] = ()
    #: Whether it is text, encoded as UTF-8 (``characterEncoding``).
    text_encoded: bool = True


#: A response as ELG-SHARE sees it when nothing more is known: every response travels as JSON text.
JSON_TEXT = ShareResource("file1", "text", ("Json",))
