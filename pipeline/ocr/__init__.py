"""The ocr stage: every page of a source to lines of words, by the best means available.

PDF pages use their own text layer when it is usable (unless forced to OCR); otherwise
the page's image is taken or rendered in memory, one page at a time; images go to
Tesseract; `.txt` files are taken as legacy OCR text. Pages are independent tasks, so a
caller can run them in parallel worker processes by passing its own `pages` mapper.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from pipeline import profile
from pipeline.exceptions import OcrError, OcrTimeoutError
from pipeline.model import Document, Page, ProcessingStep
from pipeline.ocr import dashes, images, legacy, poppler, tesseract
from pipeline.options import OcrOptions

log = logging.getLogger(__name__)

TIMEOUT_WARNING = "the page is left empty: Tesseract took more than"

Mapper = Callable[[Callable[["PageTask"], Page], Iterable["PageTask"]], Iterator[Page]]


@dataclass(frozen=True)
class PageTask:
    path: Path
    media_type: str
    number: int
    options: OcrOptions


def ocr(doc: Document, options: OcrOptions, *, pages: Mapper = map) -> Document:
    started, clock = _now(), time.perf_counter()
    read = list(pages(read_page, page_tasks(doc, options)))
    return gather(doc, options, read, started=started, seconds=time.perf_counter() - clock)


def page_tasks(doc: Document, options: OcrOptions) -> list[PageTask]:
    """One task per page to OCR or extract; none for legacy text (read whole in `gather`)."""
    if doc.source.media_type == "text/plain":
        return []
    return [PageTask(Path(doc.source.path), doc.source.media_type, n, options)
            for n in range(1, doc.source.pages + 1)]


def ocr_work(task: PageTask, numbers: list[int]) -> dict[int, int]:
    """A guess of the OCR work of these pages of the task's document, to hand out the
    longest first (`pdfium.ocr_work`): for a PDF of scanned pages; empty for any other."""
    if task.media_type != "application/pdf" or not numbers:
        return {}
    from pipeline.ocr import pdfium  # PDFium: in the processes that read pages only

    return pdfium.ocr_work(task.path, numbers)


def gather(doc: Document, options: OcrOptions, pages: list[Page], *, started: str,
           seconds: float) -> Document:
    """The pages read by `read_page` (in order) put into the document, with the step."""
    if doc.source.media_type == "text/plain":
        doc.pages = legacy.read_pages(Path(doc.source.path))
    else:
        doc.pages = sorted(pages, key=lambda p: p.number)
    doc.steps.append(_step(doc, options, started, seconds))
    return doc


def read_page(task: PageTask) -> Page:
    """One page to lines. Runs in a worker process: one Tesseract thread per process.
    Its steps are profiled: ocr/text-layer, ocr/image, ocr/tesseract, ocr/dashes."""
    from pipeline.ocr import pdfium  # PDFium: in the processes that read pages only

    os.environ["OMP_THREAD_LIMIT"] = "1"
    opts = task.options
    if task.media_type == "application/pdf":
        if not opts.force_ocr:
            with profile.step("ocr/text-layer"):
                found = (poppler.text_layer(task.path, task.number, timeout=opts.timeout)
                         if pdfium.may_have_text(task.path, task.number) else None)
            if found:
                lines, width, height = found
                return Page(number=task.number, method="text-layer", lines=lines,
                            width=round(width), height=round(height), dpi=72)
        with profile.step("ocr/image"):
            image, dpi = pdfium.page_image(task.path, task.number, dpi=opts.dpi)
    else:
        with profile.step("ocr/image"):
            image, found_dpi = images.load_frame(task.path, task.number)
        dpi = found_dpi or opts.dpi
    return _recognize(task, image, dpi)


def _recognize(task: PageTask, image: Image.Image, dpi: int) -> Page:
    """Tesseract on one page image. A crash of the program is tried once more (it may have
    been the machine, not the page); a page that takes too long is kept empty and flagged."""
    opts = task.options
    page = Page(number=task.number, method="ocr", width=image.width, height=image.height,
                dpi=dpi)
    for attempt in (1, 2):
        try:
            with profile.step("ocr/tesseract"):
                page.lines = tesseract.recognize(image, lang=opts.lang, dpi=dpi,
                                                 timeout=opts.timeout, path=task.path,
                                                 engine=opts.engine)
            break
        except OcrTimeoutError:
            page.warnings.append(f"{TIMEOUT_WARNING} {opts.timeout:g} s (rerun with a larger "
                                 "--timeout and --retry-failed)")
            return page
        except OcrError as exc:
            if attempt == 2:
                raise OcrError(f"page {task.number}: {exc.message}", path=task.path,
                               fix=exc.fix) from exc
            log.warning("%s: page %d: %s; trying once more", task.path, task.number,
                        exc.message)
    with profile.step("ocr/dashes"):
        dashes.measure(image, page.lines)
    if not page.lines:
        page.warnings.append("no text found on this page (blank or unreadable)")
    return page


def _step(doc: Document, options: OcrOptions, started: str, seconds: float) -> ProcessingStep:
    methods = {page.method for page in doc.pages}
    settings = {"lang": options.lang, "dpi": options.dpi, "force_ocr": options.force_ocr,
                "page_methods": {str(p.number): p.method for p in doc.pages}}
    if "ocr" in methods:
        probe = tesseract.probe(options.engine)
        return ProcessingStep(stage="ocr", tool="tesseract", version=probe.version,
                              settings={**settings, "engine": options.engine, "psm": 3,
                                        "oem": 1},
                              data=probe.traineddata(options.lang), started=started,
                              seconds=round(seconds, 3))
    if "text-layer" in methods:
        return ProcessingStep(stage="ocr", tool="pdftotext", version=poppler.version(),
                              settings=settings, started=started, seconds=round(seconds, 3))
    return ProcessingStep(stage="ocr", tool="legacy-text", version="", settings=settings,
                          started=started, seconds=round(seconds, 3))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

