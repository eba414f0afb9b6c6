"""Open an input file: check it can be read, tell its kind by content, count its pages."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.exceptions import UnreadableSourceError, UnsupportedSourceError
from pipeline.model import Document, Source
from pipeline.ocr import images, legacy, poppler

SUFFIXES = {".pdf": "application/pdf", ".tif": "image/tiff", ".tiff": "image/tiff",
            ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".txt": "text/plain"}
_MAGIC = [(b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"),
          (b"\xff\xd8\xff", "image/jpeg"), (b"II*\x00", "image/tiff"),
          (b"MM\x00*", "image/tiff")]
_SUPPORTED = "PDF, TIFF, PNG, JPEG or .txt"


def open_document(path: Path, doc_id: str | None = None) -> Document:
    """A Document with its Source filled in and no pages yet."""
    data = _read_bytes(path)
    media_type = media_type_of(path, data[:16])
    return Document(id=doc_id or path.stem, source=Source(
        path=str(path), sha256=hashlib.sha256(data).hexdigest(), media_type=media_type,
        size=len(data), pages=_count_pages(path, media_type, data)))


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
    try:
        if path.is_dir():
            raise UnreadableSourceError("this is a folder, not a file", path=path,
                                        fix="Pass the folder itself to `protokoll run`.")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UnreadableSourceError("no such file", path=path,
                                    fix="Check the path.") from exc
    except PermissionError as exc:
        raise UnreadableSourceError("permission denied", path=path,
                                    fix="Make the file readable (chmod) or run as its owner."
                                    ) from exc
    except OSError as exc:
        raise UnreadableSourceError(f"cannot be read ({exc.strerror})", path=path,
                                    fix="Check the file and the disk.") from exc
    if not data:
        raise UnreadableSourceError("the file is empty (0 bytes)", path=path,
                                    fix="Copy it again from its source or re-scan it.")
    return data


def _count_pages(path: Path, media_type: str, data: bytes) -> int:
    if media_type == "application/pdf":
        return poppler.page_count(path)
    if media_type == "text/plain":
        return len(legacy.split_pages(legacy.decode(data, path=path)))
    return images.frame_count(path)
