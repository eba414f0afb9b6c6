"""The cyclic garbage collector paused while restoration makes what it keeps.

Restoration makes hundreds of thousands of small objects a document (readings, their
paths, the choices of its words), and keeps many for the process (the readings serve every
later document). None of them holds a reference cycle: what dies is freed by reference
counting at once, and the collector's passes over the young objects find nothing, while
they take about a tenth of the stage's time (measured over bench/text_archive.py's
archive: 0 unreachable objects found after 60 documents restored with it paused). So it
is paused for the work and runs again after it: its next pass, or a batch worker's
collection between tasks (`worker._settle`), finds anything there is to find.

Paused once for every thread that asks at the same time: it runs again when the last one
is done, and only if it ran when the first one asked.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_paused = 0  # the threads inside `paused` now
_was_enabled = False  # whether the collector ran when the first of them came in


@contextmanager
def paused() -> Iterator[None]:
    global _paused, _was_enabled
    with _LOCK:
        if not _paused:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _LOCK:
            _paused -= 1
            if not _paused and _was_enabled:
                gc.enable()
