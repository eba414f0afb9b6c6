"""The page image around a corrected word, cut from the source by the word boxes.

The source is the file the document was made from, checked by its sha256 (a path recorded
relative is looked for from the working directory and near the output folder): another
document's file of the same name never gives the image, and without the right file there
is none. Pages are rendered from the source on demand (PDF pages one at a time, as OCR saw
them) and the last few are kept in memory. Legacy text has no image.
"""

from __future__ import annotations

import functools
import io
import logging
from pathlib import Path

from PIL import Image, ImageDraw

from pipeline.exceptions import ProtokollError
from pipeline.model import BBox, Document, Page
from pipeline.ocr import images, pdfium
from pipeline.ocr.sources import locate

log = logging.getLogger(__name__)

_TEXT_LAYER_DPI = 150  # text-layer boxes are in PDF points (72 dpi); render sharper
_CROP_HEIGHTS = (1.5, 12.0)  # margin around the word in word heights: vertical, horizontal


def missing_reason(doc: Document, page: Page, *, near: Path | None = None,
                   check: bool = False) -> str | None:
    """Why this page has no image to show, or None when it has one. `near` is the
    document's output folder; `check` compares the source's sha256, not only its size."""
    if page.method == "legacy-text" or doc.source.media_type == "text/plain":
        return "Ingen sidbild: källan är OCR-text utan bild."
    if locate(doc.source, near=near, check=check) is None:
        return (f"Ingen sidbild: källfilen {Path(doc.source.path).name} finns inte här "
                "(eller har ändrats sedan körningen).")
    return None


def word_box(page: Page, line: int, word: int, words: int = 1) -> BBox | None:
    boxes = [w.bbox for w in page.lines[line].words[word:word + words] if w.bbox]
    if not boxes:
        return None
    return BBox(min(b.x0 for b in boxes), min(b.y0 for b in boxes),
                max(b.x1 for b in boxes), max(b.y1 for b in boxes))


def crop_png(doc: Document, page_number: int, line: int, word: int, words: int = 1, *,
             near: Path | None = None) -> bytes | None:
    """A PNG of the page around the word(s), the word framed; None when there is no image
    (no boxes, or no source file with the recorded content)."""
    page = next((p for p in doc.pages if p.number == page_number), None)
    if page is None or page.method == "legacy-text" or not 0 <= line < len(page.lines):
        return None
    box = word_box(page, line, word, words)
    source = locate(doc.source, near=near) if box is not None else None
    if source is None:
        return None
    try:
        image, scale = _page(doc, page, source)
    except ProtokollError as exc:
        log.warning("no page image for %s page %d: %s", doc.id, page_number, exc)
        return None
    return _png(_cut(image, _scaled(box, scale)))


def _page(doc: Document, page: Page, source: Path) -> tuple[Image.Image, float]:
    """The page image and the factor from box coordinates to its pixels."""
    if doc.source.media_type == "application/pdf":
        box_dpi = page.dpi or 72
        dpi = max(box_dpi, _TEXT_LAYER_DPI)
        image, image_dpi = _rendered(str(source.resolve()), page.number, dpi)
        return image, image_dpi / box_dpi
    return _frame(str(source.resolve()), page.number), 1.0


@functools.lru_cache(maxsize=4)
def _rendered(path: str, number: int, dpi: int) -> tuple[Image.Image, int]:
    """The page as OCR saw it (the same image at the same resolution), in colour mode."""
    image, image_dpi = pdfium.page_image(Path(path), number, dpi=dpi)
    return image.convert("RGB"), image_dpi


@functools.lru_cache(maxsize=4)
def _frame(path: str, number: int) -> Image.Image:
    return images.load_frame(Path(path), number)[0].convert("RGB")


def _scaled(box: BBox, scale: float) -> BBox:
    return BBox(*(round(v * scale) for v in (box.x0, box.y0, box.x1, box.y1)))


def _cut(image: Image.Image, box: BBox) -> Image.Image:
    height = max(box.y1 - box.y0, 8)
    dy, dx = (round(height * k) for k in _CROP_HEIGHTS)
    left, top = max(box.x0 - dx, 0), max(box.y0 - dy, 0)
    right, bottom = min(box.x1 + dx, image.width), min(box.y1 + dy, image.height)
    crop = image.crop((left, top, right, bottom))
    ImageDraw.Draw(crop).rectangle(
        (box.x0 - left - 3, box.y0 - top - 3, box.x1 - left + 3, box.y1 - top + 3),
        outline=(200, 30, 30), width=max(2, height // 12))
    if crop.width > 1200:  # a crop is for reading one word in its line, not for archiving
        crop = crop.resize((1200, round(crop.height * 1200 / crop.width)))
    return crop


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
