"""The stages in order, for one document: open → ocr → restore → segment. Export is the
caller's.

A batch runs the same stages split at the page: `ocr.read_page` for each page in the
workers, then `finish` for the document (see `pipeline/batch/worker.py`).
"""

from __future__ import annotations

from pathlib import Path

from pipeline import profile
from pipeline.model import Document
from pipeline.ocr import Mapper, ocr
from pipeline.ocr.sources import open_document
from pipeline.options import Options
from pipeline.restore import Found, restore
from pipeline.segment import segment


def process(path: Path, options: Options, *, doc_id: str | None = None,
            pages: Mapper = map) -> Document:
    doc = open_document(path, doc_id, timeout=options.ocr.timeout)
    doc = ocr(doc, options.ocr, pages=pages)
    return finish(doc, options)


def finish(doc: Document, options: Options, *, found: Found | None = None) -> Document:
    """The stages after OCR; `found` may hold readings the workers made page by page."""
    if options.restore.enabled:
        doc = restore(doc, options.restore, found=found)
    with profile.step("segment/segment"):
        return segment(doc, repair=options.restore.enabled)
