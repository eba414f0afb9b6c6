"""The command line of batch runs: options of `protokoll run`, its progress and summary,
stopping on Ctrl-C, and `protokoll status`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.exceptions import UsageError, printable

if TYPE_CHECKING:  # what a command needs is imported when it runs (see pipeline.cli)
    from pipeline.batch.coordinator import Outcome, Progress, RunSummary


def add_run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument("--retry-failed", action="store_true",
                     help="process again the documents that failed before (and pages a "
                          "timeout left empty); otherwise a rerun leaves them as they are")
    run.add_argument("--timeout", type=float, default=600.0,
                     help="seconds Tesseract may take for one page (default 600); a page "
                          "that takes longer is left empty and flagged")
    run.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                     help="run on a Dask cluster (workers need protokoll installed and "
                          "the inputs at the same paths); the manifest stays here")


def add_commands(sub: argparse._SubParsersAction) -> None:
    status = sub.add_parser("status", help="what a run's output folder holds: counts, "
                                           "failures, slowest documents, pages per minute")
    status.add_argument("out", type=Path, metavar="OUT", help="the --out folder of a run")
    status.add_argument("--all", action="store_true", help="list every failure (default 20)")
    status.set_defaults(command=_status)


class Display:
    """Progress on stderr: a bar on a terminal, else one plain line per document."""

    def __init__(self, *, terminal: bool | None = None) -> None:
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.stop = threading.Event()
        self.signal: int | None = None
        self._bar = None
        self._task = None
        self._progress: Progress | None = None

    @contextmanager
    def running(self) -> Iterator[Display]:
        handlers = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            if self.terminal:
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
                from rich.progress import Progress as Bar

                self._bar = Bar(TextColumn("documents"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[detail]}"),
                                console=Console(stderr=True), transient=False)
                self._bar.start()
            yield self
        finally:
            if self._bar is not None:
                self._bar.stop()
            for sig, handler in handlers.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        if self.stop.is_set():  # the second time: at once
            raise KeyboardInterrupt
        self.stop.set()
        self.signal = signum
        self._say("stopping after the documents in flight (Ctrl-C again stops at once)")

    def _say(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(f"protokoll: {text}", markup=False, highlight=False)
        else:
            print(f"protokoll: {text}", file=sys.stderr, flush=True)

    def outcome(self, outcome: Outcome) -> None:
        if outcome.state == "failed":
            self._say(str(outcome.error))
        elif not self.terminal and self._progress is not None:
            p = self._progress
            copy = f" (same content as {outcome.duplicate_of})" if outcome.duplicate_of else ""
            self._say(f"[{p.done + p.failed}/{p.documents}] {printable(str(outcome.input.path))}: "
                      f"{outcome.state}{copy}, {outcome.pages} page(s) in "
                      f"{outcome.seconds:.1f} s; {_rate(p)}")

    def progress(self, progress: Progress) -> None:
        self._progress = progress
        if self._bar is None:
            return
        if self._task is None:
            self._task = self._bar.add_task("run", total=progress.documents, detail="")
        self._bar.update(self._task, completed=progress.done + progress.failed,
                         detail=f"{progress.pages_done} pages  {_rate(progress)}")


def _rate(p: Progress) -> str:
    left = p.seconds_left()
    when = f", about {_duration(left)} left" if left is not None else ""
    return f"{p.pages_per_minute:.1f} pages/min{when}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def report(summary: RunSummary, out: Path, display: Display) -> int:
    """The summary at the end of a run; returns the exit code."""
    done, skipped, failed = (summary.count(s) for s in ("done", "skipped", "failed"))
    held = summary.count("held")
    rate = 60 * summary.pages / summary.seconds if summary.seconds else 0.0
    print(f"protokoll: {done} done, {skipped} unchanged and skipped, {failed} failed"
          f" -> {out} ({summary.pages} pages in {_duration(summary.seconds)}, "
          f"{rate:.1f} pages/min)", file=sys.stderr)
    if held:
        print(f"protokoll: {held} failed before and left as they are (--retry-failed "
              f"processes them again; `protokoll status {out}` says why they failed)",
              file=sys.stderr)
    if summary.ignored:
        print(f"protokoll: ignored {len(summary.ignored)} file(s) of other types, e.g. "
              f"{printable(str(summary.ignored[0]))}", file=sys.stderr)
    if failed:
        print("protokoll: failed:", file=sys.stderr)
        for outcome in summary.failures:
            print(f"  {outcome.error}", file=sys.stderr)
    if summary.interrupted:
        print(f"protokoll: stopped with {summary.left} document(s) not processed; run the "
              "same command again to continue", file=sys.stderr)
        return 128 + (display.signal or signal.SIGINT)
    if not failed:
        return 1 if held else 0  # what failed before still has no output
    if len(summary.outcomes) == 1 and summary.outcomes[0].input.explicit:
        return summary.failures[0].error.exit_code
    return 1


def _status(args: argparse.Namespace) -> int:
    from pipeline import api
    from pipeline.batch.coordinator import MANIFEST

    if not (args.out / MANIFEST).is_file():
        raise UsageError(f"no {MANIFEST} here", path=args.out,
                         fix="Name the --out folder of a `protokoll run`.")
    with api.manifest(args.out) as manifest:
        counts, runs = manifest.counts(), manifest.runs()
        failed, slowest = manifest.entries("failed"), manifest.slowest()
        entries = manifest.entries()
    total = sum(counts.values())
    print(f"{args.out}: {total} documents: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    copies = sum(e.duplicate_of is not None for e in entries)
    pages = sum(e.pages or 0 for e in entries if e.state == "done" and not e.duplicate_of)
    print(f"  {pages} pages done; {copies} input(s) recorded as copies of another with the "
          "same content")
    seconds = sum(r["seconds"] or 0 for r in runs)
    rate = 60 * sum(r["pages"] for r in runs) / seconds if seconds else 0.0
    if runs:
        last = runs[-1]
        print(f"  {len(runs)} run(s), {rate:.1f} pages per minute over all; the last "
              f"began {last['started']}, {last['state']}: {last['documents']} documents, "
              f"{last['pages']} pages in {_duration(last['seconds'] or 0)}")
    if failed:
        print(f"failed ({len(failed)}):")
        for entry in failed if args.all else failed[:20]:
            print(f"  {entry.error or printable(entry.path)}")
        if len(failed) > 20 and not args.all:
            print(f"  … and {len(failed) - 20} more (--all lists them)")
    warned = [e for e in entries if e.warnings and e.state == "done"]
    if warned:
        print(f"with page warnings ({len(warned)}):")
        for entry in warned[:20]:
            print(f"  {printable(entry.path)}: {'; '.join(entry.warnings)}")
    if slowest:
        print("slowest:")
        for entry in slowest:
            stages = ", ".join(f"{k} {v:.1f} s" for k, v in entry.timings.items())
            print(f"  {entry.seconds:7.1f} s  {entry.pages or 0:4d} pages  {printable(entry.path)}"
                  f"  ({stages})")
    return 0
