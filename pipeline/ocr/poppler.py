"""PDF pages through poppler: page count and text layer. Only this module imports
pdf2image. (Page images come from `pdfium.py`.)"""

from __future__ import annotations

import functools
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pdf2image
import pdf2image.exceptions as pdf_errors

from pipeline.exceptions import MissingDependencyError, OcrTimeoutError, UnreadableSourceError
from pipeline.model import BBox, Line, Word
from pipeline.ocr import files
from pipeline.programs import INSTALL_HINT, run_tool

_XHTML = "{http://www.w3.org/1999/xhtml}"
# A text layer with more than this share of unmapped glyphs is not worth using.
_MAX_BAD_CHARS = 0.05


@functools.cache
def version() -> str:
    out = run_tool(["pdftotext", "-v"])
    match = re.search(r"version ([\d.]+)", (out.stdout + out.stderr).decode(errors="replace"))
    return match.group(1) if match else "unknown"


def page_count(path: Path, *, timeout: float | None = None) -> int:
    files.check_regular(path)
    try:
        info = pdf2image.pdfinfo_from_path(str(path), timeout=timeout)
    except (pdf_errors.PDFInfoNotInstalledError, pdf_errors.PopplerNotInstalledError) as exc:
        raise MissingDependencyError("poppler (pdfinfo) is not installed", path=path,
                                     fix=INSTALL_HINT) from exc
    except pdf_errors.PDFPopplerTimeoutError as exc:
        raise UnreadableSourceError(f"pdfinfo took more than {timeout:g} s to read the PDF",
                                    path=path, fix="Check the file; rerun with a larger "
                                    "--timeout if it is sound.") from exc
    except pdf_errors.PDFPageCountError as exc:
        raise unreadable(path, str(exc)) from exc
    pages = int(info.get("Pages", 0))
    if pages < 1:
        raise UnreadableSourceError("the PDF has no pages", path=path,
                                    fix="Check the file; re-export or re-scan it.")
    return pages


def unreadable(path: Path, detail: str) -> UnreadableSourceError:
    if "password" in detail.lower() or "encrypt" in detail.lower():
        return UnreadableSourceError(
            "the PDF is encrypted and needs a password", path=path,
            fix="Decrypt it first, e.g. `qpdf --decrypt --password=… in.pdf out.pdf`.")
    return UnreadableSourceError(
        "the PDF is damaged and cannot be read", path=path,
        fix="Re-export or re-scan it, or try repairing it with `qpdf in.pdf out.pdf`.")


def text_layer(path: Path, page: int, *, timeout: float | None = None
               ) -> tuple[list[Line], float, float] | None:
    """The page's own text with word boxes (in PDF points), or None if it has no usable text.

    Lines are rebuilt from the word boxes (words sharing a baseline, left to right), so a
    header set in columns reads as one line, as it does on paper.
    """
    files.check_regular(path)
    try:
        proc = run_tool(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path),
                         "-"], path=path, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise OcrTimeoutError(f"page {page}: pdftotext took more than {timeout:g} s",
                              path=path, fix="Check the file; rerun with a larger --timeout "
                              "and --retry-failed if it is sound.") from exc
    if proc.returncode != 0:
        raise unreadable(path, proc.stderr.decode(errors="replace"))
    page_el = ET.fromstring(proc.stdout).find(f".//{_XHTML}page")
    if page_el is None:
        return None
    words = [Word(text=(el.text or "").strip(), start=0, bbox=BBox(
        *(round(float(el.get(k, 0))) for k in ("xMin", "yMin", "xMax", "yMax"))))
        for el in page_el.iter(f"{_XHTML}word") if (el.text or "").strip()]
    text = "".join(w.text for w in words)
    bad = sum(ch == "\ufffd" or ord(ch) < 32 for ch in text)
    if not any(ch.isalnum() for ch in text) or bad > _MAX_BAD_CHARS * len(text):
        return None
    return _lines(words), float(page_el.get("width", 0)), float(page_el.get("height", 0))


def _lines(words: list[Word]) -> list[Line]:
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.bbox.y0 + w.bbox.y1) / 2):
        middle = (word.bbox.y0 + word.bbox.y1) / 2
        if rows and rows[-1][0].bbox.y0 <= middle <= rows[-1][0].bbox.y1:
            rows[-1].append(word)
        else:
            rows.append([word])
    heights = sorted(row[0].bbox.y1 - row[0].bbox.y0 for row in rows)
    gap = 1.8 * heights[len(heights) // 2]  # more than this between lines: a new paragraph
    lines: list[Line] = []
    for i, row in enumerate(rows):
        if i and row[0].bbox.y0 - rows[i - 1][0].bbox.y0 > gap:
            lines.append(Line(text=""))
        lines.append(Line.of_words(sorted(row, key=lambda w: w.bbox.x0)))
    return lines
