"""The document folders of an output folder, and rewriting one with its decisions applied."""

from __future__ import annotations

from pathlib import Path

from pipeline.export import write_outputs
from pipeline.review.apply import load_document
from pipeline.review.store import current_decisions


def document_folders(out: Path) -> list[Path]:
    """OUT/<name>/ for every document directly inside OUT (links leading out are left out)."""
    out = out.resolve()
    return [f for f in sorted(out.iterdir())
            if not f.name.startswith(".") and f.resolve().parent == out
            and (f / "document.json").is_file()]


def rewrite(folder: Path) -> list[str]:
    """Write OUT/<name>/ again with the review decisions applied; returns the files."""
    return write_outputs(load_document(folder), folder)


def rewrite_decided(out: Path) -> list[Path]:
    """Rewrite every document of OUT that has decisions; returns their folders."""
    done = []
    for folder in document_folders(out):
        if current_decisions(folder.parent, folder.name):
            rewrite(folder)
            done.append(folder)
    return done
