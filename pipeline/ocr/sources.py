"""Open an input file: check it can be read, tell its kind by content, count its pages."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.exceptions import UnreadableSourceError, UnsupportedSourceError
from pipeline.model import Document, Source
from pipeline.ocr import files, images, legacy, poppler

SUFFIXES = {".pdf": "application/pdf", ".tif": "image/tiff", ".tiff": "image/tiff",
            ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".txt": "text/plain"}
_MAGIC = [(b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"),
          (b"\xff\xd8\xff", "image/jpeg"), (b"II*\x00", "image/tiff"),
          (b"MM\x00*", "image/tiff")]
_SUPPORTED = "PDF, TIFF, PNG, JPEG or .txt"


def open_document(path: Path, doc_id: str | None = None, *, timeout: float | None = None
                  ) -> Document:
    """A Document with its Source filled in and no pages yet; `timeout` bounds the
    programs that count the pages."""
    data = _read_bytes(path)
    media_type = media_type_of(path, data[:16])
    source = Source(path=str(path.absolute()),  # found again from any working directory
                    sha256=hashlib.sha256(data).hexdigest(), media_type=media_type,
                    size=len(data), pages=_count_pages(path, media_type, data, timeout))
    return Document(id=doc_id or path.stem, source=source)


def media_type_of(path: Path, head: bytes) -> str:
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if path.suffix.lower() == ".txt":
        return "text/plain"
    if path.suffix.lower() in SUFFIXES:
        raise UnreadableSourceError(
            f"the file is not a valid {path.suffix.lower()[1:].upper()} file (damaged or "
            "misnamed)", path=path, fix="Check the file; re-export or re-scan it.")
    raise UnsupportedSourceError(f"unsupported file type {path.suffix or '(no suffix)'!r}",
                                 path=path, fix=f"Convert it to {_SUPPORTED}.")


def _read_bytes(path: Path) -> bytes:
    data = files.read_regular(path)
    if not data:
        raise UnreadableSourceError("the file is empty (0 bytes)", path=path,
                                    fix="Copy it again from its source or re-scan it.")
    return data


def locate(source: Source, *, near: Path | None = None, check: bool = True) -> Path | None:
    """The file a document was made from, found by its recorded path and its content.

    A path recorded as absolute is taken as it is; a relative one (as the path was given
    to an older run) is tried against the working directory and each folder above `near`
    (the document's output folder). A candidate counts only with the recorded sha256 (with
    `check=False`, the recorded size: cheap, for a listing), so another document's file of
    the same name is never taken for it. None when no file fits."""
    recorded = Path(source.path)
    bases = [] if recorded.is_absolute() else [Path.cwd(), *(near.absolute().parents
                                                             if near is not None else [])]
    for candidate in dict.fromkeys([recorded] if not bases else [b / recorded for b in bases]):
        if check and files.sha256_if_regular(candidate) == source.sha256:
            return candidate
        if not check and _size(candidate) == source.size:
            return candidate
    return None


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size if path.is_file() else None
    except (OSError, ValueError):
        return None


def _count_pages(path: Path, media_type: str, data: bytes, timeout: float | None) -> int:
    if media_type == "application/pdf":
        return poppler.page_count(path, timeout=timeout)
    if media_type == "text/plain":
        return len(legacy.split_pages(legacy.decode(data, path=path)))
    return images.frame_count(path)
