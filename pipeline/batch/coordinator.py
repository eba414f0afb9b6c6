"""Batch runs: find the inputs, name their outputs, skip what is done, keep the manifest.

This process coordinates: it walks the folders, hashes each file, decides what needs
doing, opens the documents, writes every output folder (atomically) and every manifest
row. The work itself runs in workers (`pipeline/batch/schedule.py`). An input whose content
(sha256) was already processed with the same settings, under another name, is recorded
as a duplicate of it and not processed twice. One bad file is recorded and the run goes
on (`--on-error skip`); a stop (Ctrl-C) lets the documents in flight finish first.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline import profile
from pipeline.batch import versions
from pipeline.batch.inputs import Input, collect, file_sha256
from pipeline.batch.manifest import Entry, Manifest
from pipeline.batch.schedule import Job, Pool, Scheduler
from pipeline.batch.worker import Finished
from pipeline.exceptions import OutputError, ProtokollError, UsageError
from pipeline.export import remove_leftovers, write_files
from pipeline.model import Document
from pipeline.ocr import TIMEOUT_WARNING
from pipeline.ocr.sources import open_document
from pipeline.options import Options
from pipeline.restore import learned

log = logging.getLogger(__name__)

MANIFEST = "manifest.sqlite"
LOCK = ".lock"


@dataclass
class Outcome:
    input: Input
    state: str  # done, failed, skipped (done before), held (failed before, not retried)
    error: ProtokollError | None = None
    seconds: float = 0.0
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    duplicate_of: str | None = None


@dataclass
class Progress:
    """How far a run is; `documents` counts those to process in this run."""

    documents: int
    done: int = 0
    failed: int = 0
    opened: int = 0
    pages_known: int = 0  # pages of the documents opened so far
    pages_done: int = 0
    start: float = field(default_factory=time.perf_counter)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    @property
    def pages_per_minute(self) -> float:
        return 60 * self.pages_done / self.elapsed if self.elapsed > 0 else 0.0

    def pages_expected(self) -> float:
        """Pages of the opened documents, and as many per document for the others."""
        per_document = self.pages_known / self.opened if self.opened else 1.0
        return self.pages_known + (self.documents - self.opened) * per_document

    def seconds_left(self) -> float | None:
        if not self.pages_done:
            return None
        return max(self.pages_expected() - self.pages_done, 0) * self.elapsed / self.pages_done


@dataclass
class RunSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)  # files of other types in folders
    interrupted: bool = False  # stopped before every document was processed
    left: int = 0  # documents not processed because the run stopped
    pages: int = 0  # pages processed in this run
    seconds: float = 0.0
    profile: profile.Profile = field(default_factory=profile.Profile)  # where the time went

    def count(self, state: str) -> int:
        return sum(o.state == state for o in self.outcomes)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state == "failed"]


def run(paths: list[Path], out: Path, options: Options, *,
        on_outcome: Callable[[Outcome], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        stop: threading.Event | None = None) -> RunSummary:
    """Process the inputs into OUT/<name>/, keeping OUT/manifest.sqlite. Setting `stop`
    ends the run once the documents in flight are done."""
    clock = time.perf_counter()
    if options.restore.enabled and options.restore.learned:  # a damaged file: said once, now
        learned.check(Path(options.restore.learned))  # (the workers load it, each once)
    out.mkdir(parents=True, exist_ok=True)
    with _only_run(out), Manifest(out / MANIFEST) as manifest, _started(options) as pool:
        remove_leftovers(out)
        manifest.end_killed_runs()
        cut = manifest.interrupted()
        if cut:
            log.warning("%d document(s) were cut off by an earlier run: processing them", cut)
        inputs, ignored = collect(paths, out=out, names=manifest.names())
        environment = versions.environment(options.ocr.lang, options.ocr.engine)
        batch = _Batch(manifest, out, options, environment, stop or threading.Event(),
                       on_outcome, on_progress)
        batch.summary.ignored = ignored
        todo = batch.plan(inputs)
        batch.run(todo, pool)
        batch.summary.seconds = time.perf_counter() - clock
        return batch.summary


class _Batch:
    """One run's bookkeeping: what to do, and what became of each document."""

    def __init__(self, manifest: Manifest, out: Path, options: Options,
                 environment: dict[str, str], stop: threading.Event,
                 on_outcome: Callable[[Outcome], None] | None,
                 on_progress: Callable[[Progress], None] | None) -> None:
        self.manifest, self.out, self.options = manifest, out, options
        self.environment = environment
        self.fingerprint = options.fingerprint(environment)
        self.stop, self.on_outcome, self.on_progress = stop, on_outcome, on_progress
        self.summary = RunSummary()
        self.progress = Progress(0)
        self.clock = time.perf_counter()
        self.aborted = False
        self.run_id: int | None = None
        self.queue: Iterator[Input] = iter(())
        self.current: dict[str, str | None] = {}  # path -> sha256 of every input now

    # -- deciding what to do

    def plan(self, inputs: list[Input]) -> list[Input]:
        """The inputs to process; the others become outcomes now (skipped, held, copies)."""
        for item in inputs:
            item.sha256 = file_sha256(item.path)  # read once: to compare now, to record later
        self.current = {item.key: item.sha256 for item in inputs}
        todo: dict[str, Input] = {}
        for item in inputs:
            entry = self.manifest.get(item.key)
            if entry and entry.sha256 == item.sha256 and entry.fingerprint == self.fingerprint:
                state = self._unchanged(entry)
                if state:
                    self.summary.outcomes.append(Outcome(item, state))
                    continue
            if item.sha256 is None:
                todo[item.key] = item  # cannot be read: opening it says why
            elif item.sha256 in todo:
                todo[item.sha256].copies.append(item)
            elif not self._copy_of_done(item):
                todo[item.sha256] = item
        return list(todo.values())

    def _unchanged(self, entry: Entry) -> str | None:
        """skipped or held for an unchanged input, None if it is to be processed."""
        retry = self.options.batch.retry_failed
        if entry.duplicate_of:  # a copy is done while its original is, with this content
            original = self.manifest.get(entry.duplicate_of)
            if not (original and self._still_done(original)
                    and original.sha256 == entry.sha256):
                return None
        if entry.state == "done" and all((self.out / n).is_dir() for n in entry.outputs or []):
            cut_short = any(TIMEOUT_WARNING in w for w in entry.warnings)
            return None if retry and cut_short else "skipped"
        if entry.state == "failed" and not retry:
            return "held"
        return None

    def _still_done(self, entry: Entry) -> bool:
        """Done with these settings, and its source (if still an input) as it was then."""
        return (entry.state == "done" and entry.fingerprint == self.fingerprint
                and self.current.get(entry.path, entry.sha256) == entry.sha256)

    def _copy_of_done(self, item: Input) -> bool:
        """Record an input whose content was done before under another name as its copy."""
        earlier = self.manifest.done_with(item.sha256, self.fingerprint)
        if (earlier is None or earlier.path == item.key or not self._still_done(earlier)
                or not (self.out / earlier.name).is_dir()):
            return False
        self.manifest.record(Entry(
            item.key, item.name, item.sha256, self.fingerprint, "done", outputs=[earlier.name],
            pages=earlier.pages, duplicate_of=earlier.path, started=_now()))
        self.summary.outcomes.append(Outcome(item, "done", duplicate_of=earlier.path))
        return True

    # -- running

    def run(self, todo: list[Input], pool: Pool) -> None:
        self.progress = Progress(len(todo))
        self.summary.left = len(todo)
        if not todo:
            return
        batch = self.options.batch
        self.manifest.plan(Entry(i.key, i.name, i.sha256, self.fingerprint, "pending")
                           for item in todo for i in (item, *item.copies))
        self.run_id = self.manifest.begin_run(_now(), jobs=batch.jobs, scheduler=batch.scheduler)
        self.queue = iter(todo)
        self._report()
        state = "stopped"
        profile.take()  # what this process added up before the run (earlier work) is not its
        scheduler = Scheduler(pool, self.options, self._admit, on_page=self._page_done,
                              on_done=self._done,
                              stop=lambda: self.stop.is_set() or self.aborted)
        try:
            scheduler.run()
            state = "finished" if not self.summary.left else "stopped"
        finally:
            own = profile.take()  # this process's steps (writing), not its memory
            own.memory.clear()
            self.summary.profile.add(scheduler.profile)
            self.summary.profile.add(own)
            pool.close(cancel=state != "finished")
            self.manifest.interrupted()  # documents cut off go back to pending
            self.summary.interrupted = self.summary.left > 0 and not self.aborted
            self.manifest.end_run(self.run_id, state=state, seconds=self.progress.elapsed,
                                  documents=len(todo) - self.summary.left,
                                  pages=self.summary.pages)

    def _admit(self) -> tuple[Input, Document] | None:
        """Open the next document to process (recording it as failed if it cannot be)."""
        for item in self.queue:
            clock = time.perf_counter()
            self.manifest.set_state([i.key for i in (item, *item.copies)], "running",
                                    started=_now(), run=self.run_id)
            try:
                doc = open_document(item.path, item.name,
                                    timeout=self.options.ocr.timeout)
            except ProtokollError as exc:
                self._record(item, "failed", error=exc, seconds=time.perf_counter() - clock)
                continue
            self.progress.opened += 1
            self.progress.pages_known += doc.source.pages
            return item, doc
        return None

    def _page_done(self, job: Job) -> None:
        self.progress.pages_done += 1
        self.summary.pages += 1
        self._report()

    def _done(self, job: Job, finished: Finished | None, error: ProtokollError | None) -> None:
        item: Input = job.key
        if finished and finished.environment != self.environment:
            error, finished = _other_versions(item, finished.environment, self.environment), None
        if finished is None:
            self._record(item, "failed", error=error, job=job)
            return
        clock = time.perf_counter()
        try:
            with profile.step("write/files"):
                write_files(finished.files, self.out / item.name)
        except OutputError as exc:  # a full disk stops the run; the next one goes on
            raise OutputError(exc.message, path=exc.path, fix=f"{exc.fix} Then run the same "
                              "command again to continue.") from exc
        job.timings["export"] = job.timings.get("export", 0.0) + time.perf_counter() - clock
        if not job.pages:  # legacy text: its pages were read in the worker
            self.progress.pages_done += finished.pages
            self.summary.pages += finished.pages
        self._record(item, "done", job=job, pages=finished.pages, warnings=finished.warnings)

    def _record(self, item: Input, state: str, *, error: ProtokollError | None = None,
                job: Job | None = None, seconds: float | None = None, pages: int | None = None,
                warnings: list[str] | None = None) -> None:
        seconds = seconds if job is None else time.perf_counter() - job.clock
        timings = {k: round(v, 3) for k, v in job.timings.items()} if job else {}
        self.summary.left -= 1
        if state == "failed":
            self.progress.failed += 1
            self.aborted = self.aborted or self.options.batch.on_error == "abort"
        else:
            self.progress.done += 1
            if self.summary.profile.first_document is None:
                self.summary.profile.first_document = time.perf_counter() - self.clock
        for i in (item, *item.copies):
            copy = i is not item
            with profile.step("write/manifest"):
                self.manifest.record(Entry(
                    i.key, i.name, i.sha256, self.fingerprint, state,
                    error=str(error) if error else None, started=job.started if job else _now(),
                    seconds=None if copy else round(seconds, 3),
                    outputs=[item.name] if state == "done" else None, pages=pages,
                    timings={} if copy else timings, warnings=warnings or [],
                    duplicate_of=item.key if copy else None, run=self.run_id))
            outcome = Outcome(i, state, error, 0.0 if copy else seconds, pages or 0,
                              warnings or [], item.key if copy else None)
            self.summary.outcomes.append(outcome)
            if self.on_outcome:
                self.on_outcome(outcome)
        self._report()

    def _report(self) -> None:
        if self.on_progress:
            self.on_progress(self.progress)


def _other_versions(item: Input, theirs: dict[str, str], ours: dict[str, str]
                    ) -> ProtokollError:
    differ = sorted(k for k in theirs.keys() | ours.keys() if theirs.get(k) != ours.get(k))
    return ProtokollError(
        f"the worker that processed it has other versions than this computer "
        f"({', '.join(differ)})", path=item.path,
        fix="Install the same protokoll, dictionaries and Tesseract language data on every "
            "worker, then rerun with --retry-failed.")


@contextmanager
def _started(options: Options) -> Iterator[Pool]:
    """The workers, started before the inputs are listed and hashed (their start takes as
    long as a small run's listing; see `processes`), and closed however the run ends."""
    pool = Pool(options.batch)
    try:
        yield pool
    finally:
        if not pool.used:  # nothing to do after all: no need to wait for them to start
            pool.stop_workers()
        pool.close(cancel=True)


@contextmanager
def _only_run(out: Path) -> Iterator[None]:
    """Hold OUT/.lock for the run: two runs into one folder would undo each other's work.
    The lock goes with the process, however it ends."""
    with (out / LOCK).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UsageError("another protokoll run is writing into this folder", path=out,
                             fix="Wait for it to end, or choose another --out.") from exc
        yield


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
