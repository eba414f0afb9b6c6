"""Legacy OCR text files: one document, a form feed between pages, whitespace kept as is."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from pipeline.exceptions import UnreadableSourceError
from pipeline.model import Line, Page, Word
from pipeline.ocr import files

_WORD = re.compile(r"\S+")
_EXPECTED = "UTF-8, UTF-16 or Windows-1252"


def decode(data: bytes, *, path: Path) -> str:
    """UTF-8 (a BOM is dropped), UTF-16 or UTF-32 (with a BOM, or UTF-16 without one), else
    Windows-1252: the encodings old OCR text comes in."""
    wide = _wide_encoding(data)
    if wide is None and b"\x00" in data[:4096]:
        raise UnreadableSourceError("this is not a text file (binary content)", path=path,
                                    fix=f"Pass legacy OCR text as {_EXPECTED} .txt.")
    try:
        text = data.decode(wide or "utf-8-sig")
    except UnicodeDecodeError as exc:
        if wide:
            raise UnreadableSourceError(f"the text is not valid {wide.upper()}", path=path,
                                        fix=f"Pass legacy OCR text as {_EXPECTED} .txt."
                                        ) from exc
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _wide_encoding(data: bytes) -> str | None:
    """utf-32 or utf-16 when the text starts with their byte-order mark; utf-16-le or -be
    when it has none but every other byte is zero, as Latin and Swedish text then has."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4096] if len(data) % 2 == 0 else b""
    pairs = len(sample) // 2
    if not pairs:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.5 * pairs and not even:
        return "utf-16-le"
    if even > 0.5 * pairs and not odd:
        return "utf-16-be"
    return None


def split_pages(text: str) -> list[str]:
    return text.split("\f")


def read_pages(path: Path) -> list[Page]:
    text = decode(files.read_regular(path), path=path)
    return [Page(number=n, method="legacy-text", lines=[text_line(t) for t in page.split("\n")])
            for n, page in enumerate(split_pages(text), start=1)]


def text_line(text: str) -> Line:
    words = [Word(text=m.group(), start=m.start()) for m in _WORD.finditer(text)]
    return Line(text=text, words=words)
