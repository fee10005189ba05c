"""The character sets a request may declare for its text, and decoding a body in one of them.

Only the encodings texts really arrive in are accepted: the Unicode encodings, ASCII, Latin-1
and the legacy encodings of the WHATWG Encoding Standard (what browsers, mail clients and
text files use). Each decodes in time linear in its input and, decoding strictly, never yields
a lone surrogate. Python's other codecs are no charsets a client should choose: ``punycode``
decodes in quadratic time, ``unicode_escape`` and ``utf_7`` produce lone surrogates that no
JSON can carry, and ``zlib`` or ``base64`` are not text encodings at all.
"""
from __future__ import annotations

import re
from encodings.aliases import aliases as _python_aliases

#: The codecs (Python's names) of the accepted charsets, and the name each is known by on the web.
ACCEPTED_CHARSETS = {
    "utf_8": "UTF-8", "utf_8_sig": "UTF-8 with BOM",
    "utf_16": "UTF-16", "utf_16_le": "UTF-16LE", "utf_16_be": "UTF-16BE",
    "utf_32": "UTF-32", "utf_32_le": "UTF-32LE", "utf_32_be": "UTF-32BE",
    "ascii": "US-ASCII", "latin_1": "ISO-8859-1",
    "iso8859_2": "ISO-8859-2", "iso8859_3": "ISO-8859-3", "iso8859_4": "ISO-8859-4", "iso8859_5": "ISO-8859-5",
    "iso8859_6": "ISO-8859-6", "iso8859_7": "ISO-8859-7", "iso8859_8": "ISO-8859-8", "iso8859_10": "ISO-8859-10",
    "iso8859_13": "ISO-8859-13", "iso8859_14": "ISO-8859-14", "iso8859_15": "ISO-8859-15",
    "iso8859_16": "ISO-8859-16",
    "cp1250": "windows-1250", "cp1251": "windows-1251", "cp1252": "windows-1252", "cp1253": "windows-1253",
    "cp1254": "windows-1254", "cp1255": "windows-1255", "cp1256": "windows-1256", "cp1257": "windows-1257",
    "cp1258": "windows-1258", "cp874": "windows-874", "cp866": "IBM866",
    "koi8_r": "KOI8-R", "koi8_u": "KOI8-U", "mac_roman": "macintosh", "mac_cyrillic": "x-mac-cyrillic",
    "gbk": "GBK", "gb2312": "GB2312", "gb18030": "gb18030", "big5": "Big5",
    "euc_jp": "EUC-JP", "iso2022_jp": "ISO-2022-JP", "shift_jis": "Shift_JIS", "euc_kr": "EUC-KR",
}
#: Web labels Python's alias table does not know.
_MORE_LABELS = {"windows_874": "cp874", "x_mac_cyrillic": "mac_cyrillic", "x_sjis": "shift_jis",
                "iso_8859_8_i": "iso8859_8", "ks_c_5601_1989": "euc_kr"}
#: Codecs whose bytes are already UTF-8 as far as a JSON parser is concerned.
UTF8_COMPATIBLE = frozenset({"utf_8", "ascii"})
_SEPARATORS = re.compile(r"[^0-9a-z.]+")


def codec_for(charset: str) -> str | None:
    """The Python codec of an accepted ``charset`` label (any case, ``-`` or ``_``), else None.

    The label is looked up in fixed tables only: a client's string never reaches
    :func:`codecs.lookup`, whose cache would grow with every new name.
    """
    key = _SEPARATORS.sub("_", charset.strip().strip('"').lower()).strip("_")
    codec = _MORE_LABELS.get(key) or _python_aliases.get(key, key)
    return codec if codec in ACCEPTED_CHARSETS else None


def accepted_charset_names() -> list[str]:
    """The accepted charsets by their usual names, for failure messages."""
    return list(ACCEPTED_CHARSETS.values())
