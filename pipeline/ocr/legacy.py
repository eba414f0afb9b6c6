"""Legacy OCR text files: one document, a form feed between pages, whitespace kept as is."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.exceptions import UnreadableSourceError
from pipeline.model import Line, Page, Word

_WORD = re.compile(r"\S+")


def decode(data: bytes, *, path: Path) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252, the two encodings old OCR text comes in."""
    if b"\x00" in data[:4096]:
        raise UnreadableSourceError("this is not a text file (binary content)", path=path,
                                    fix="Pass legacy OCR text as UTF-8 or Windows-1252 .txt.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_pages(text: str) -> list[str]:
    return text.split("\f")


def read_pages(path: Path) -> list[Page]:
    text = decode(path.read_bytes(), path=path)
    return [Page(number=n, method="legacy-text", lines=[text_line(t) for t in page.split("\n")])
            for n, page in enumerate(split_pages(text), start=1)]


def text_line(text: str) -> Line:
    words = [Word(text=m.group(), start=m.start()) for m in _WORD.finditer(text)]
    return Line(text=text, words=words)
