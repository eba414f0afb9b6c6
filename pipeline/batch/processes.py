"""The local worker processes of a run, started as early as the command line allows.

Starting a worker (a new interpreter that then imports OCR and restoration) takes about
as long as the command line's own imports and the listing and hashing of a small run's
inputs, so `protokoll run` starts them first (`start_early`) and the run's pool takes them
(`take`). This module imports nothing of the pipeline, so that starting them costs the
command nothing; the tasks import what they run, in the workers.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)

_EARLY: dict[int, ProcessPoolExecutor] = {}  # started by `start_early`, not yet taken
# The environment variable that names, in a worker, the folder where the pool's workers
# share the readings they make (`pipeline.batch.shared`); the folder of each pool:
SHARED_READINGS = "PROTOKOLL_SHARED_READINGS"
_FOLDERS: dict[int, str] = {}  # id of the pool -> its folder


def start(jobs: int) -> ProcessPoolExecutor:
    """A pool of `jobs` worker processes, started now (a pool starts its processes at its
    first tasks otherwise)."""
    context = multiprocessing.get_context("spawn")  # safe beside this process's threads
    folder = tempfile.mkdtemp(prefix="protokoll-readings-") if jobs > 1 else ""
    executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=init,
                                   initargs=(os.getpid(), folder))
    if folder:
        _FOLDERS[id(executor)] = folder
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
    _remove_folder(executor)


def close(executor: ProcessPoolExecutor, *, cancel: bool = False) -> None:
    """Shut the pool down at the end of a run (its tasks cancelled, or waited for)."""
    executor.shutdown(wait=not cancel, cancel_futures=cancel)
    _remove_folder(executor)


def _remove_folder(executor: ProcessPoolExecutor) -> None:
    if folder := _FOLDERS.pop(id(executor), ""):
        shutil.rmtree(folder, ignore_errors=True)


@atexit.register
def _remove_folders() -> None:
    """The folders of pools still running when this process exits (an error ended it)."""
    while _FOLDERS:
        shutil.rmtree(_FOLDERS.popitem()[1], ignore_errors=True)


def ready() -> None:
    """A task that does nothing: the pool starts a worker process for it."""


def init(coordinator: int, folder: str = "") -> None:
    """Start of a local worker process: one Tesseract thread; Ctrl-C is the coordinator's
    (it lets the pages in flight finish), so the worker and its Tesseract are kept out of
    the terminal's process group; the worker ends when the coordinator is gone; and it
    shares readings with the pool's other workers in `folder` (if any)."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if folder:
        os.environ[SHARED_READINGS] = folder
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.setpgrp()
    threading.Thread(target=_watch, args=(coordinator, folder), daemon=True).start()


def _watch(coordinator: int, folder: str = "") -> None:
    """End the worker once its coordinator is gone; a coordinator killed outright
    (SIGKILL, the system out of memory) removed no folder of shared readings, so the
    worker removes it (another worker of the pool may have already)."""
    while os.getppid() == coordinator:
        time.sleep(1.0)
    log.debug("the coordinator %d is gone; worker %d stops", coordinator, os.getpid())
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(1)
