"""Documents through the workers: first their pages, then the rest of each document.

The coordinator (this process) keeps a few documents open and gives the workers one task
at a time: a page (OCR, then the page's share of restoration) or, once every page of a
document is back, the document's finish (restoration's decisions, rendering the output).
Earlier documents go first, so each is done as soon as it can be, and only the pages in
flight are ever rasterized: memory stays bounded however long a PDF is. A scanned PDF's
pages go out longest first (guessed by its first page's task), so that no worker is left
with a long page at the end while the others have nothing to do.

The workers are a pool of local processes, this process itself (`--jobs 1`), or a Dask
cluster (`--scheduler`); all three take the same tasks (`pipeline/batch/worker.py`).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipeline import profile
from pipeline.batch import processes, worker
from pipeline.batch.worker import Finished, FinishJob, PageDone
from pipeline.exceptions import (
    MissingDependencyError,
    OcrTimeoutError,
    ProtokollError,
    UsageError,
)
from pipeline.model import Document, Page
from pipeline.ocr import PageTask, page_tasks
from pipeline.options import BatchOptions, Options

log = logging.getLogger(__name__)

MAX_CRASHES = 2  # a document in flight when a worker process died this often fails
GRACE = 120.0  # seconds a page task may take beyond --timeout (rendering, restoration's
# share of the page) before its worker is taken to hang
MAX_GLANCE = 40  # pages waiting: a longer document's go in order until this few are left.
# The guess costs about 15 ms a page; it saves about half a page's time, whatever the length


@dataclass
class Job:
    """A document in flight."""

    key: object  # the caller's handle for it
    doc: Document  # as opened: the source filled in, no pages
    tasks: deque[PageTask]  # pages not yet handed out
    clock: float = field(default_factory=time.perf_counter)
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    pages: list[Page] = field(default_factory=list)
    found: dict = field(default_factory=dict)  # readings of its words, from the page tasks
    timings: dict[str, float] = field(default_factory=lambda: {"ocr": 0.0, "restore": 0.0})
    running: int = 0  # tasks in flight
    glanced: bool = False  # its pages' OCR work was asked for
    finishing: bool = False
    error: ProtokollError | None = None
    crashes: int = 0

    @property
    def ready(self) -> bool:
        """Every page is back (or it failed) and its finish has not been handed out."""
        return not self.tasks and not self.running and not self.finishing


# The caller opens the next document: (its handle, the document) or None when none is left.
Admit = Callable[[], tuple[object, Document] | None]
OnDone = Callable[[Job, Finished | None, ProtokollError | None], None]


class Pool:
    """Where the tasks run: local worker processes, this process, or a Dask cluster."""

    def __init__(self, batch: BatchOptions) -> None:
        self.batch = batch
        self.generation = 0  # a local pool is started anew after a worker process died
        self.client = None
        self.used = False  # a task was handed out
        self.killed = False  # `stop_workers` killed the local workers
        self.executor, self.slots = self._start()

    def _start(self) -> tuple[Executor, int]:
        if self.batch.scheduler:
            return self._dask(self.batch.scheduler)
        if self.batch.in_process:
            return _Inline(), 1
        # started now, or by the command line before it imported the pipeline
        return processes.take(self.batch.jobs), self.batch.jobs

    def _dask(self, address: str) -> tuple[Executor, int]:
        try:
            import dask
            from distributed import Client
        except ImportError as exc:
            raise MissingDependencyError(
                "Dask is not installed", fix="Install it: pip install 'protokoll[cluster]'."
            ) from exc
        try:
            # distributed.comm.timeouts.connect (30 s unless configured) for a slow network
            self.client = Client(address,
                                 timeout=dask.config.get("distributed.comm.timeouts.connect"))
            self.client.wait_for_workers(1, timeout=60)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot use the Dask cluster at {address} ({exc})", fix=(
                "Start a scheduler (dask scheduler) and workers with protokoll installed "
                "(dask worker ADDRESS --nthreads 1), or check the address.")) from exc
        slots = sum(self.client.nthreads().values())
        log.info("Dask cluster %s: %d worker threads", address, slots)
        return self.client.get_executor(pure=False), max(slots, 1)

    def submit(self, fn: Callable, *args: object) -> Future:
        """The task's future; where a worker died before it (between tasks, or while it
        started), one that fails as a task of a dying worker does, to be dealt with so."""
        self.used = True
        try:
            return self.executor.submit(fn, *args)
        except BrokenProcessPool as exc:
            future: Future = Future()
            future.set_exception(exc)
            return future

    def stop_workers(self) -> bool:
        """Kill the local worker processes (their tasks end as if they had died); False
        where there are none to kill (this process, a Dask cluster)."""
        if not isinstance(self.executor, ProcessPoolExecutor):
            return False
        processes.kill(self.executor)
        self.killed = True
        return True

    def restart(self) -> None:
        """Start the local worker processes again after one of them died (the pool then
        ends the others; `processes.stop` waits for that)."""
        processes.stop(self.executor)
        self.killed = False
        self.generation += 1
        self.executor, self.slots = self._start()

    def close(self, *, cancel: bool = False) -> None:
        if self.client is not None:
            self.client.close()
        elif self.killed:
            processes.stop(self.executor)
        elif isinstance(self.executor, ProcessPoolExecutor):
            processes.close(self.executor, cancel=cancel)


class _Inline(Executor):
    """Each task runs at once in this process: nothing to start for one job, and tests can
    put faults into the wrapped programs."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # delivered like a worker's error
            future.set_exception(exc)
        return future


class Scheduler:
    """One run's loop: hand out tasks while workers are free, take back their results."""

    def __init__(self, pool: Pool, options: Options, admit: Admit, *,
                 on_page: Callable[[Job], None], on_done: OnDone,
                 stop: Callable[[], bool]) -> None:
        self.pool, self.options, self.admit = pool, options, admit
        self.on_page, self.on_done, self.stop = on_page, on_done, stop
        self.jobs: list[Job] = []  # open documents, oldest first
        self.inflight: dict[Future, tuple[Job, PageTask | None, int]] = {}
        self.started: dict[Future, float] = {}  # when a task in flight was seen running
        self.stopped = -1  # the generation of local workers `_watch` stopped
        self.exhausted = False
        self.profile = profile.Profile()  # the workers' steps, summed

    def run(self) -> None:
        while True:
            # One task beyond the free workers, so none waits for this loop.
            while len(self.inflight) <= self.pool.slots and self._next():
                pass
            if not self.inflight and not self.jobs:
                return
            done, _ = wait(self.inflight, timeout=1.0, return_when=FIRST_COMPLETED)
            for future in done:
                self._take(future)
            self._watch()

    def _next(self) -> bool:
        """Hand out one task, close one failed document or open one more; False if none."""
        for job in self.jobs:
            if job.ready:
                if job.error:
                    self._close(job, None)
                else:
                    self._hand_out(job, None)
                return True
        for job in self.jobs:
            if job.tasks:
                self._hand_out(job, job.tasks.popleft())
                return True
        if len(self.jobs) > self.pool.slots or self.exhausted or self.stop():
            return False
        opened = self.admit()
        if opened is None:
            self.exhausted = True
            return False
        key, doc = opened
        self.jobs.append(Job(key, doc, deque(page_tasks(doc, self.options.ocr))))
        return True

    def _hand_out(self, job: Job, task: PageTask | None) -> None:
        if task is not None:
            future = self.pool.submit(worker.page, task, self.options.restore.enabled,
                                      self._glance(job))
        else:
            job.finishing = True
            future = self.pool.submit(worker.finish, FinishJob(
                job.doc, job.pages, job.found, self.options, job.started, job.timings["ocr"]))
        job.running += 1
        self.inflight[future] = (job, task, self.pool.generation)

    def _glance(self, job: Job) -> tuple[int, ...]:
        """With a document's first page task handed out when no more than MAX_GLANCE of
        its pages wait, the pages to guess the OCR work of: those still waiting once every
        worker has one of its pages. They are then handed out longest first (`_page_back`):
        a long page left for the end keeps one worker busy while the others have nothing
        to do (on the 12-page scanned PDF of `make bench`, whose pages take 0.3 to 4.1 s,
        about 0.9 s of 16 with two workers, by simulation on the pages' measured times)."""
        if (job.glanced or self.pool.slots < 2
                or not self.pool.slots < len(job.tasks) <= MAX_GLANCE):
            return ()
        job.glanced = True
        return tuple(t.number for t in list(job.tasks)[self.pool.slots:])

    def _watch(self) -> None:
        """A page still being read long after --timeout (rendering hung, or a library that
        does not stop) fails its document: its worker processes are stopped and started
        anew, and the tasks of other documents they had are handed out again."""
        now = time.perf_counter()
        limit = self.options.ocr.timeout + GRACE
        # The oldest tasks in flight, one per worker, are the ones running (at the latest
        # from now on: a task waiting for a worker is not yet timed).
        for future in [f for f in self.inflight if not f.done()][:self.pool.slots]:
            started = self.started.setdefault(future, now)
            job, task, _ = self.inflight[future]
            if task is not None and now - started > limit and job.error is None:
                log.warning("%s: page %d still not read after %.0f s; stopping its worker",
                            job.doc.source.path, task.number, now - started)
                self._fail(job, OcrTimeoutError(
                    f"page {task.number} was still not read after {limit:g} s (--timeout "
                    f"{self.options.ocr.timeout:g} s and {GRACE:g} s more); its worker "
                    "process was stopped", path=job.doc.source.path,
                    fix="Check that the file opens in a viewer; rerun with --retry-failed."))
                if self.pool.stop_workers():
                    self.stopped = self.pool.generation
                else:  # a cluster's worker cannot be stopped from here: stop waiting for it
                    self.inflight.pop(future)
                    self.started.pop(future)
                    job.running -= 1

    def _take(self, future: Future) -> None:
        job, task, generation = self.inflight.pop(future)
        self.started.pop(future, None)
        job.running -= 1
        try:
            result = future.result()
        except BrokenProcessPool:
            self._worker_died(job, task, generation)
            return
        except ProtokollError as exc:
            self._fail(job, exc)
            return
        except Exception as exc:  # a bug must not stop the batch; it is recorded with its cause
            log.error("internal error on %s", job.doc.source.path, exc_info=exc)
            self._fail(job, ProtokollError(
                f"internal error ({type(exc).__name__}: {exc})", path=job.doc.source.path,
                fix="Please report this with the file; rerun with -v."))
            return
        self.profile.add(result.profile)
        if task is not None:
            self._page_back(job, result)
        else:
            job.timings["ocr"] += result.timings.pop("ocr", 0.0)
            job.timings["restore"] += result.timings.pop("restore", 0.0)
            job.timings.update(result.timings)
            self._close(job, result)

    def _page_back(self, job: Job, done: PageDone) -> None:
        if done.work:  # the longest first; any page not guessed (handed back) before them
            job.tasks = deque(sorted(job.tasks, key=lambda t: (
                t.number in done.work, -done.work.get(t.number, 0))))
        job.pages.append(done.page)
        if done.found:
            job.found.update(done.found)
        job.timings["ocr"] += done.ocr_seconds
        job.timings["restore"] += done.restore_seconds
        self.on_page(job)

    def _worker_died(self, job: Job, task: PageTask | None, generation: int) -> None:
        """A worker process ended abruptly (killed, out of memory, a crash in a library):
        the local pool is started again and the tasks it had are handed out once more."""
        if generation == self.pool.generation:
            if generation != self.stopped:
                log.warning("a worker process died; starting the workers again")
            self.pool.restart()
        if job.error is not None:  # failed already (its page hung): nothing to hand out
            return
        if generation != self.stopped:  # stopped by `_watch`: no fault of this document
            job.crashes += 1
        if job.crashes >= MAX_CRASHES:
            self._fail(job, ProtokollError(
                "a worker process died each time this document was being processed",
                path=job.doc.source.path,
                fix="Check the file (it may need more memory than there is) and the system "
                    "log; rerun with --retry-failed."))
        elif task is not None:
            job.tasks.appendleft(task)
        else:
            job.finishing = False

    def _fail(self, job: Job, error: ProtokollError) -> None:
        job.error = job.error or error
        job.tasks.clear()
        job.finishing = False

    def _close(self, job: Job, finished: Finished | None) -> None:
        self.jobs.remove(job)
        self.on_done(job, finished, None if finished else job.error)
