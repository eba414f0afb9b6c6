"""The public API: what the command line calls, and what tests call in process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline import batch
from pipeline.batch import Outcome, RunSummary
from pipeline.model import Document
from pipeline.options import Options
from pipeline.run import process


def process_file(path: Path, options: Options | None = None) -> Document:
    """One document through every stage, pages in parallel; nothing written."""
    options = options or Options()
    with batch.page_mapper(options.batch.jobs) as pages:
        return process(path, options, pages=pages)


def run(paths: list[Path], out: Path, options: Options | None = None, *,
        on_outcome: Callable[[Outcome], None] | None = None) -> RunSummary:
    """Process files and folders into OUT/<name>/, keeping OUT/manifest.sqlite."""
    return batch.run(paths, out, options or Options(), on_outcome=on_outcome)
