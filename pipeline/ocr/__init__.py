"""The ocr stage: every page of a source to lines of words, by the best means available.

PDF pages use their own text layer when it is usable (unless forced to OCR) and are
otherwise rasterized one page at a time; images go to Tesseract; `.txt` files are taken
as legacy OCR text. Pages are independent tasks, so a caller can run them in parallel
worker processes by passing its own `pages` mapper.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from pipeline.model import Document, Page, ProcessingStep
from pipeline.ocr import images, legacy, poppler, tesseract
from pipeline.options import OcrOptions

Mapper = Callable[[Callable[["PageTask"], Page], Iterable["PageTask"]], Iterator[Page]]


@dataclass(frozen=True)
class PageTask:
    path: Path
    media_type: str
    number: int
    options: OcrOptions


def ocr(doc: Document, options: OcrOptions, *, pages: Mapper = map) -> Document:
    started, clock = _now(), time.perf_counter()
    path = Path(doc.source.path)
    if doc.source.media_type == "text/plain":
        doc.pages = legacy.read_pages(path)
    else:
        tasks = [PageTask(path, doc.source.media_type, n, options)
                 for n in range(1, doc.source.pages + 1)]
        doc.pages = list(pages(read_page, tasks))
    doc.steps.append(_step(doc, options, started, time.perf_counter() - clock))
    return doc


def read_page(task: PageTask) -> Page:
    """One page to lines. Runs in a worker process: one Tesseract thread per process."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if task.media_type == "application/pdf":
        return _pdf_page(task)
    image, dpi = images.load_frame(task.path, task.number)
    return _recognize(task, image, dpi or task.options.dpi, image.width, image.height)


def _pdf_page(task: PageTask) -> Page:
    if not task.options.force_ocr:
        found = poppler.text_layer(task.path, task.number)
        if found:
            lines, width, height = found
            return Page(number=task.number, method="text-layer", lines=lines,
                        width=round(width), height=round(height), dpi=72)
    with tempfile.TemporaryDirectory(prefix="protokoll-") as folder:
        image_path = poppler.rasterize(task.path, task.number, dpi=task.options.dpi,
                                       folder=Path(folder))
        width, height = images.size(image_path)
        return _recognize(task, image_path, task.options.dpi, width, height)


def _recognize(task: PageTask, image: Image.Image | Path, dpi: int, width: int,
               height: int) -> Page:
    opts = task.options
    tesseract.check_languages(opts.lang, path=task.path)
    lines = tesseract.recognize(image, lang=opts.lang, dpi=dpi, timeout=opts.timeout,
                                path=task.path)
    page = Page(number=task.number, method="ocr", lines=lines, width=width, height=height,
                dpi=dpi)
    if not lines:
        page.warnings.append("no text found on this page (blank or unreadable)")
    return page


def _step(doc: Document, options: OcrOptions, started: str, seconds: float) -> ProcessingStep:
    methods = {page.method for page in doc.pages}
    settings = {"lang": options.lang, "dpi": options.dpi, "force_ocr": options.force_ocr,
                "page_methods": {str(p.number): p.method for p in doc.pages}}
    if "ocr" in methods:
        probe = tesseract.probe()
        return ProcessingStep(stage="ocr", tool="tesseract", version=probe.version,
                              settings={**settings, "psm": 3, "oem": 1},
                              data=probe.traineddata(options.lang), started=started,
                              seconds=round(seconds, 3))
    if "text-layer" in methods:
        return ProcessingStep(stage="ocr", tool="pdftotext", version=poppler.version(),
                              settings=settings, started=started, seconds=round(seconds, 3))
    return ProcessingStep(stage="ocr", tool="legacy-text", version="", settings=settings,
                          started=started, seconds=round(seconds, 3))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

