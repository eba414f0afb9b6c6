"""The local worker processes of a run, started as early as the command line allows.

Starting a worker (a new interpreter that then imports OCR and restoration) takes about
as long as the command line's own imports and the listing and hashing of a small run's
inputs, so `protokoll run` starts them first (`start_early`) and the run's pool takes them
(`take`). This module imports nothing of the pipeline, so that starting them costs the
command nothing; the tasks import what they run, in the workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)

_EARLY: dict[int, ProcessPoolExecutor] = {}  # started by `start_early`, not yet taken


def start(jobs: int) -> ProcessPoolExecutor:
    """A pool of `jobs` worker processes, started now (a pool starts its processes at its
    first tasks otherwise)."""
    context = multiprocessing.get_context("spawn")  # safe beside this process's threads
    executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=init,
                                   initargs=(os.getpid(),))
    for _ in range(jobs):
        executor.submit(ready)
    return executor


def start_early(jobs: int) -> None:
    if jobs not in _EARLY:
        _EARLY[jobs] = start(jobs)


def take(jobs: int) -> ProcessPoolExecutor:
    """The pool started early for `jobs` workers, or a new one."""
    return _EARLY.pop(jobs, None) or start(jobs)


def stop_early() -> None:
    """Stop the pools started early that no run took (the command failed before it ran)."""
    while _EARLY:
        _, executor = _EARLY.popitem()
        stop(executor)


def kill(executor: ProcessPoolExecutor) -> bool:
    """Kill the pool's processes (their tasks end as if they had died); False if none."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.kill()
    return bool(processes)


def stop(executor: ProcessPoolExecutor) -> None:
    """Kill the pool's processes and wait until the pool has seen them end. A pool left to
    see it on its own can still be closing its wake-up pipe when the interpreter exits and
    wakes it, and the exit then prints a traceback ("Bad file descriptor")."""
    kill(executor)
    executor.shutdown(wait=True, cancel_futures=True)


def ready() -> None:
    """A task that does nothing: the pool starts a worker process for it."""


def init(coordinator: int) -> None:
    """Start of a local worker process: one Tesseract thread; Ctrl-C is the coordinator's
    (it lets the pages in flight finish), so the worker and its Tesseract are kept out of
    the terminal's process group; and the worker ends when the coordinator is gone."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.setpgrp()
    threading.Thread(target=_watch, args=(coordinator,), daemon=True).start()


def _watch(coordinator: int) -> None:
    while os.getppid() == coordinator:
        time.sleep(1.0)
    log.debug("the coordinator %d is gone; worker %d stops", coordinator, os.getpid())
    os._exit(1)
