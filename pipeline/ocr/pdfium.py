"""PDF pages as images, through PDFium (pypdfium2), in this process; and whether a page
may have a text layer at all. Only this module imports pypdfium2.

A scanned page is most often one image covering the page. That image is taken as the
scanner stored it (no resampling, no file in between) when its resolution is within a
tenth of the one asked for; any other page is rendered at the resolution asked for. A
small rendering of the page checks that the image taken looks like the page (a mask
or a clipping path could hide parts of it); where it does not,
the page is rendered.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageStat

from pipeline.ocr import files, images
from pipeline.ocr.poppler import unreadable

log = logging.getLogger(__name__)

_LOCK = threading.Lock()  # PDFium is not thread-safe; a Dask worker may run threads
_NEAR = 0.1  # an image's resolution this close to the one asked for is taken as it is
_CHECK_DPI = 24  # the small rendering that the taken image is checked against
_MAX_DIFFERENCE = 8  # mean grey-level difference (0-255) allowed in that check; about 1
# between a scanner's page and its rendering, about 200 for an inverted image
_FORM_DEPTH = 64  # form XObjects nested deeper than this are taken to hold text
_GLANCE = 8  # a scan is glanced at this many times smaller to guess its OCR work ...
_INK = [255 if v < 160 else 0 for v in range(256)]  # ... with grey levels below 160 ink


def page_image(path: Path, number: int, *, dpi: int) -> tuple[Image.Image, int]:
    """Page `number` (1-based) as a greyscale image, and its resolution in dpi."""
    with _page(path, number) as page:
        taken = _scanned_image(page, dpi)
        if taken is not None:
            return taken
        return page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"), dpi


def may_have_text(path: Path, number: int) -> bool:
    """Whether page `number` (1-based) may have a text layer: False only when it draws no
    text (no text object, in form XObjects neither) and has no annotations (whose
    appearance may show text), so that pdftotext need not be asked."""
    with _page(path, number) as page:
        if pdfium.raw.FPDFPage_GetAnnotCount(page):
            return True
        return any(obj.type == pdfium.raw.FPDF_PAGEOBJ_TEXT
                   or (obj.type == pdfium.raw.FPDF_PAGEOBJ_FORM
                       and obj.level >= _FORM_DEPTH - 1)  # not looked into
                   for obj in page.get_objects(max_depth=_FORM_DEPTH))


def ocr_work(path: Path, numbers: list[int]) -> dict[int, int]:
    """A guess of OCR work for these pages (1-based) of a PDF whose pages are each one
    scanned image: the changes between ink and paper along the rows of a small copy of the
    image, the outlines of the letters. Tesseract's time on a page goes with them
    (correlation 0.97 on a 12-page scanned document whose pages took 0.3 to 4.1 s, where
    the size of the image's data gives 0.29). Empty for any other PDF, or where an image
    cannot be read (its page's own task says why)."""
    work = {}
    with _LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except (pdfium.PdfiumError, OSError):
            return {}
        try:
            for number in numbers:
                objects = list(itertools.islice(pdf[number - 1].get_objects(max_depth=1), 2))
                if len(objects) != 1 or objects[0].type != pdfium.raw.FPDF_PAGEOBJ_IMAGE:
                    return {}
                wide, high = objects[0].get_px_size()
                if wide * high > images.MAX_PIXELS:
                    return {}
                work[number] = _outlines(objects[0])
        except Exception as exc:  # only a guess: the page's own task reports what is wrong
            log.debug("%s: no guess of its pages' OCR work (%s)", path, exc)
            return {}
        finally:
            pdf.close()
    return work


def _outlines(image: pdfium.PdfImage) -> int:
    """Ink-paper changes along the rows of the image made _GLANCE times smaller; a JPEG is
    decoded at that size (about 15 ms for an A4 page at 300 dpi, against 40 in full)."""
    if image.get_filters() == ["DCTDecode"]:
        small = Image.open(io.BytesIO(bytes(image.get_data(decode_simple=False))))
        small.draft("L", (small.width // _GLANCE, small.height // _GLANCE))
        small = small.convert("L")
    else:
        small = image.get_bitmap(render=False).to_pil().convert("L").reduce(_GLANCE)
    ink = small.point(_INK)
    return ImageChops.difference(ink, ImageChops.offset(ink, 1, 0)).histogram()[255]


@contextlib.contextmanager
def _page(path: Path, number: int) -> Iterator[pdfium.PdfPage]:
    """Page `number` (1-based) of the PDF, open while the block runs (PDFium locked), its
    errors reported as the file being unreadable."""
    files.check_regular(path)
    with _LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise unreadable(path, str(exc)) from exc
        try:
            yield pdf[number - 1]
        except pdfium.PdfiumError as exc:
            raise unreadable(path, str(exc)) from exc
        finally:
            pdf.close()


def _scanned_image(page: pdfium.PdfPage, dpi: int) -> tuple[Image.Image, int] | None:
    """The page's one image, upright and filling the page at about `dpi`, else None."""
    if page.get_rotation() % 360:
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium.raw.FPDF_PAGEOBJ_IMAGE:
        return None
    image = objects[0]
    width, height = page.get_size()
    a, b, c, d, e, f = image.get_matrix().get()
    if b or c or a <= 0 or d <= 0 or abs(a - width) > 1 or abs(d - height) > 1 or abs(e) > 1 \
            or abs(f) > 1:  # not placed upright over the whole page
        return None
    pixels_wide, pixels_high = image.get_px_size()
    native = round(pixels_wide / (width / 72))
    if abs(native - dpi) > _NEAR * dpi or abs(pixels_high / (height / 72) - native) > 1:
        return None
    taken = image.get_bitmap(render=False).to_pil().convert("L")
    # Rendered into a grey bitmap: the same pixels as with PDFium's grayscale flag for a
    # grey scan, in half the time (the flag costs a pass of its own over the image).
    check = page.render(scale=_CHECK_DPI / 72,
                        force_bitmap_format=pdfium.raw.FPDFBitmap_Gray).to_pil().convert("L")
    small = taken.resize(check.size, Image.Resampling.BOX)
    if ImageStat.Stat(ImageChops.difference(small, check)).mean[0] > _MAX_DIFFERENCE:
        return None
    return taken, native
