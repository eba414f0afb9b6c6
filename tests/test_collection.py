"""The garbage collector paused while restoration makes what it keeps
(pipeline/restore/collection.py)."""

from __future__ import annotations

import gc
import threading

from pipeline.model import Document, Page, Source
from pipeline.ocr.legacy import text_line
from pipeline.options import RestoreOptions
from pipeline.restore import collection, hypotheses, restore

OTHER = ["Socialnamnden foreslar att anslaget hojs med tva miljoner kronor i ar."]
TEXT = ["Kommunstyrelsen beslutar att godkanna forslaget till budget for ar 2024.",
        "Namnden har tagit del av rapporten och overlamnar den till fullmaktige."]


def _document(text: list[str] = TEXT) -> Document:
    page = Page(number=1, method="legacy-text", lines=[text_line(t) for t in text])
    return Document("t", Source("t.txt", "0" * 64, "text/plain", 1, 1), [page])


def _collections(work) -> int:
    """How many collections the collector ran during `work`, one due every allocation."""
    ran = []
    def count(phase: str, info: dict) -> None:
        if phase == "start":
            ran.append(info["generation"])
    threshold = gc.get_threshold()
    gc.callbacks.append(count)
    gc.set_threshold(1)
    try:
        work()
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(count)
    return len(ran)


def test_restoration_runs_no_collection_and_the_collector_runs_after():
    assert gc.isenabled()
    doc, options, pages = _document(), RestoreOptions(), _document(OTHER).pages
    # a few as the pause is entered and left (every allocation is due one here); the
    # work between them, thousands of allocations, runs none
    assert _collections(lambda: restore(doc, options)) < 20
    assert _collections(lambda: hypotheses(pages)) < 20
    assert gc.isenabled()
    assert _collections(lambda: [[] for _ in range(10)]) > 0  # it does run outside


def test_a_collector_the_caller_disabled_stays_disabled():
    gc.disable()
    try:
        restore(_document(), RestoreOptions())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_runs_again_when_the_last_thread_is_done():
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with collection.paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(10)
    with collection.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread is still inside
    leave.set()
    thread.join(10)
    assert gc.isenabled()


def test_an_error_inside_leaves_the_collector_running():
    try:
        with collection.paused():
            raise ValueError("inside")
    except ValueError:
        pass
    assert gc.isenabled()
