"""The public API: what the command line calls, and what tests call in process."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.batch import coordinator as batch
from pipeline.batch.coordinator import Outcome, Progress, RunSummary
from pipeline.batch.manifest import Manifest
from pipeline.batch.schedule import Pool
from pipeline.model import Document
from pipeline.ocr import files
from pipeline.ocr.sources import locate
from pipeline.options import Options

if TYPE_CHECKING:
    from pipeline.export.archive_config import PackageOptions
    from pipeline.export.package import PackageResult
    from pipeline.export.verify import Report


def process_file(path: Path, options: Options | None = None) -> Document:
    """One document through every stage, pages in parallel; nothing written."""
    from pipeline.stages import process  # the stages themselves: not for a batch run's own

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


def export(out: Path, packages: Path, options: PackageOptions, *,
           names: list[str] | None = None,
           on_package: Callable[[PackageResult], None] | None = None) -> list[PackageResult]:
    """One E-ARK SIP per document of OUT (a run's --out folder, or one document's folder)
    into PACKAGES/<name>/, each read with its review decisions and sessions
    (OUT/review.sqlite); `names` limits it to those document folders."""
    from pipeline.export import package, remove_leftovers
    from pipeline.review.apply import load_document, review_sessions

    folders = package.document_folders(out, names)
    packages.mkdir(parents=True, exist_ok=True)
    remove_leftovers(packages)
    results = []
    for folder in folders:
        doc = load_document(folder)
        found = locate(doc.source, near=folder)  # a path recorded relative, from here
        if found is not None:
            doc.source = dataclasses.replace(doc.source, path=str(found))
        elif Path(doc.source.path).exists():  # a pipe or device in its place is not read
            files.check_regular(Path(doc.source.path))
        results.append(package.build(doc, packages, options,
                                     reviews=review_sessions(folder)))
        if on_package:
            on_package(results[-1])
    return results


def verify(package: Path) -> Report:
    """Re-check a package: schemas, checksums, every referenced file present, none extra."""
    from pipeline.export import verify as check

    return check.verify(package)
