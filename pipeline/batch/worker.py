"""What runs in the worker processes, local or on a Dask cluster: one page, or the rest
of one document once its pages are back. Results go back to the coordinator, which alone
writes outputs and the manifest, so a worker needs the inputs but not the output folder.

A worker process lives for the whole run and keeps what it loads (the lexicon, the
candidate cache) for every document it is given; the readings of words it makes it shares
with the run's other local workers (`pipeline.batch.shared`).
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field

from pipeline import profile
from pipeline.batch import shared
from pipeline.batch.versions import environment
from pipeline.model import Document, Page
from pipeline.ocr import PageTask, gather, ocr_work, read_page
from pipeline.options import Options
from pipeline.restore import Found, hypotheses, words

# a local worker of a pool of several shares the readings it makes with the others
words.share(shared.from_environment())


@dataclass
class PageDone:
    page: Page
    found: Found | None  # readings of the page's words, when the run restores
    ocr_seconds: float
    restore_seconds: float
    profile: profile.Profile = field(default_factory=profile.Profile)
    work: dict[int, int] = field(default_factory=dict)  # other pages' OCR work, if asked


@dataclass
class FinishJob:
    doc: Document  # the source filled in, no pages
    pages: list[Page]
    found: Found
    options: Options
    ocr_started: str
    ocr_seconds: float


@dataclass
class Finished:
    files: dict[str, str]  # relative path -> text, as `export.render` gives them
    pages: int
    warnings: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)  # what this worker ran with
    profile: profile.Profile = field(default_factory=profile.Profile)


def page(task: PageTask, restore: bool, glance: tuple[int, ...] = ()) -> PageDone:
    """One page read (and its words' readings made); with `glance`, the OCR work of those
    other pages of the document guessed too, so that the longest go out first."""
    _settle()
    clock = time.perf_counter()
    work = {}
    if glance:
        with profile.step("ocr/glance"):
            work = ocr_work(task, list(glance))
    done = read_page(task)  # its steps profiled there
    middle = time.perf_counter()
    found = hypotheses([done]) if restore else None
    return PageDone(done, found, middle - clock, time.perf_counter() - middle, profile.take(),
                    work)


def finish(job: FinishJob) -> Finished:
    from pipeline import export, stages  # segmentation and export: not for a page's worker

    _settle()
    options = job.options
    clock = time.perf_counter()
    with profile.step("ocr/gather"):
        doc = gather(job.doc, options.ocr, job.pages, started=job.ocr_started,
                     seconds=job.ocr_seconds)
    middle = time.perf_counter()
    doc = stages.finish(doc, options, found=job.found)
    restored = time.perf_counter()
    with profile.step("export/render"):
        files = export.render(doc)
    warnings = [f"page {p.number}: {w}" for p in doc.pages for w in p.warnings]
    return Finished(files, len(doc.pages), warnings, timings={
        "ocr": middle - clock, "restore": restored - middle,
        "export": time.perf_counter() - restored},
        environment=environment(options.ocr.lang, options.ocr.engine), profile=profile.take())


def _settle() -> None:
    """Between tasks: what the process keeps (the lexicon, the readings of the words seen
    so far) is put out of the garbage collector's sight once it is collected, so that the
    collector's passes no longer go over it again and again (they took a sixth of
    restoration's time); the garbage of the tasks before, cycles too, is collected first,
    so nothing dead is kept. Profiled as a stage of its own (`collect`): restoration
    pauses the collector (`pipeline.restore.collection`), so its garbage is collected here."""
    with profile.step("collect/between-tasks"):
        gc.collect()
        gc.freeze()
