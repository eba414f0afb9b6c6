"""Batch runs: find the inputs, name their outputs, process them in parallel, keep a manifest.

Documents are driven by threads in this process; their pages go to a pool of worker
processes (one Tesseract thread each), so one long PDF and a thousand one-page scans both
keep every core busy. One bad file is recorded and the run goes on (`--on-error skip`).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.exceptions import ProtokollError, UsageError
from pipeline.export import remove_leftovers, write_outputs
from pipeline.manifest import Entry, Manifest
from pipeline.ocr import Mapper
from pipeline.options import Options
from pipeline.restore import preload
from pipeline.run import process
from pipeline.sources import SUFFIXES

log = logging.getLogger(__name__)


@dataclass
class Input:
    path: Path
    name: str  # output folder name, unique within the run
    explicit: bool  # named on the command line rather than found in a folder
    sha256: str | None = None  # of the file as found when the run began


@dataclass
class Outcome:
    input: Input
    state: str  # done, failed, skipped
    error: ProtokollError | None = None
    seconds: float = 0.0


@dataclass
class RunSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)  # files of other types in folders

    def count(self, state: str) -> int:
        return sum(o.state == state for o in self.outcomes)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state == "failed"]


def collect(paths: list[Path], *, out: Path) -> tuple[list[Input], list[Path]]:
    """The input files (folders walked recursively, hidden files skipped) and ignored ones."""
    if not paths:
        raise UsageError("no input given", fix="Name files or folders to process.")
    found: list[tuple[Path, bool]] = []
    ignored: list[Path] = []
    out = out.resolve()
    for path in paths:
        if not path.is_dir():
            found.append((path, True))
            continue
        for file in _walk(path):
            if out == file.resolve() or out in file.resolve().parents:
                continue
            if file.suffix.lower() in SUFFIXES:
                found.append((file, False))
            else:
                ignored.append(file)
    unique: dict[Path, bool] = {}  # a file named twice counts once
    for path, explicit in found:
        unique[path] = unique.get(path, False) or explicit
    names = output_names(list(unique))
    return [Input(p, names[p], explicit) for p, explicit in unique.items()], ignored


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def output_names(paths: list[Path]) -> dict[Path, str]:
    """The file stem; on a clash the suffix is added, then a short hash of the path."""
    stems = Counter(p.stem for p in paths)
    names = {p: p.stem if stems[p.stem] == 1 else f"{p.stem}-{p.suffix.lstrip('.').lower()}"
             for p in paths}
    clashes = Counter(names.values())
    for p in paths:
        if clashes[names[p]] > 1:
            digest = hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:8]
            names[p] = f"{names[p]}-{digest}"
    return names


def run(paths: list[Path], out: Path, options: Options, *,
        on_outcome: Callable[[Outcome], None] | None = None) -> RunSummary:
    inputs, ignored = collect(paths, out=out)
    summary = RunSummary(ignored=ignored)
    out.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    fingerprint = options.fingerprint()
    with Manifest(out / "manifest.sqlite") as manifest, page_mapper(options.batch.jobs) as pages:
        todo = []
        for item in inputs:
            item.sha256 = _sha256(item.path)  # read once: to compare now, to record later
            if _is_done(manifest, item, out, fingerprint):
                summary.outcomes.append(Outcome(item, "skipped"))
            else:
                todo.append(item)
        with ThreadPoolExecutor(max_workers=options.batch.jobs + 1) as threads:
            if options.restore.enabled and todo:
                threads.submit(preload)
            pending: dict[Future, Input] = {}
            queue = iter(todo)
            stop = False
            while True:
                while not stop and len(pending) < 2 * options.batch.jobs + 1:
                    item = next(queue, None)
                    if item is None:
                        break
                    pending[threads.submit(_one, item, out, options, pages)] = item
                if not pending:
                    break
                done, _ = wait_futures(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    outcome = future.result()
                    del pending[future]
                    _record(manifest, outcome, fingerprint)
                    summary.outcomes.append(outcome)
                    if on_outcome:
                        on_outcome(outcome)
                    if outcome.state == "failed" and options.batch.on_error == "abort":
                        stop = True
    return summary


def _one(item: Input, out: Path, options: Options, pages: Mapper) -> Outcome:
    clock = time.perf_counter()
    try:
        doc = process(item.path, options, doc_id=item.name, pages=pages)
        write_outputs(doc, out / item.name)
    except ProtokollError as exc:
        log.debug("failed: %s", item.path, exc_info=True)
        return Outcome(item, "failed", exc, time.perf_counter() - clock)
    except Exception as exc:  # a bug must not stop the batch; it is recorded with its cause
        log.exception("internal error on %s", item.path)
        error = ProtokollError(f"internal error ({type(exc).__name__}: {exc})", path=item.path,
                               fix="Please report this with the file; rerun with -v.")
        return Outcome(item, "failed", error, time.perf_counter() - clock)
    return Outcome(item, "done", None, time.perf_counter() - clock)


def _is_done(manifest: Manifest, item: Input, out: Path, fingerprint: str) -> bool:
    entry = manifest.get(str(item.path))
    return bool(entry and entry.state == "done" and entry.fingerprint == fingerprint
                and entry.name == item.name and (out / item.name).is_dir()
                and entry.sha256 == item.sha256)


def _record(manifest: Manifest, outcome: Outcome, fingerprint: str) -> None:
    item = outcome.input
    manifest.record(Entry(
        path=str(item.path), name=item.name, sha256=item.sha256,
        fingerprint=fingerprint, state=outcome.state,
        error=str(outcome.error) if outcome.error else None,
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=round(outcome.seconds, 3),
        outputs=None if outcome.error else [item.name]))


def _sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


@contextmanager
def page_mapper(jobs: int) -> Iterator[Mapper]:
    """Map pages in `jobs` worker processes (or in this process when jobs is 1)."""
    if jobs == 1:
        yield map
        return
    context = multiprocessing.get_context("spawn")  # safe beside this process's threads
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield pool.map
