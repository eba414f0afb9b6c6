"""The stages in order, for one document: open → ocr → restore. Export is the caller's."""

from __future__ import annotations

from pathlib import Path

from pipeline.model import Document
from pipeline.ocr import Mapper, ocr
from pipeline.options import Options
from pipeline.restore import restore
from pipeline.sources import open_document


def process(path: Path, options: Options, *, doc_id: str | None = None,
            pages: Mapper = map) -> Document:
    doc = open_document(path, doc_id)
    doc = ocr(doc, options.ocr, pages=pages)
    if options.restore.enabled:
        doc = restore(doc, options.restore)
    return doc
