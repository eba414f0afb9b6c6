"""The public API: what the command line calls, and what tests call in process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from pipeline import batch
from pipeline.batch import Outcome, Progress, RunSummary
from pipeline.manifest import Manifest
from pipeline.model import Document
from pipeline.options import Options
from pipeline.run import process
from pipeline.schedule import Pool


def process_file(path: Path, options: Options | None = None) -> Document:
    """One document through every stage, pages in parallel; nothing written."""
    options = options or Options()
    pool = Pool(options.batch)
    try:
        return process(path, options, pages=pool.executor.map)
    finally:
        pool.close()


def run(paths: list[Path], out: Path, options: Options | None = None, *,
        on_outcome: Callable[[Outcome], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        stop: threading.Event | None = None) -> RunSummary:
    """Process files and folders into OUT/<name>/, keeping OUT/manifest.sqlite. Setting
    `stop` ends the run once the documents in flight are done."""
    return batch.run(paths, out, options or Options(), on_outcome=on_outcome,
                     on_progress=on_progress, stop=stop)


def manifest(out: Path) -> Manifest:
    """The manifest of an output folder, to read (`protokoll status`)."""
    return Manifest(out / batch.MANIFEST)
