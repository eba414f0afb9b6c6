"""Text-only benchmark: restoration of a legacy-text archive, where it is the whole cost.

The archive is made by bench/text_archive.py (240 documents, over 100,000 words of OCR
text with one municipality's repetition, seeded). protokoll runs over it three times
(`protokoll run --jobs N --profile`, `--runs`); the archive's raw word error rate per
model is printed first (as `bench/accuracy.py` counts the corpora's, whose OCR it
matches), and the table reports, of the run whose restore stage took the median CPU time,

- words per CPU second of the restore stage, summed over the workers, over the whole run
  (each worker's lexicon load, candidate search, each document's fitting and decisions),
  from the run's profile, and the same figure of every run beside it;
- words per CPU second of the whole run: every process of it (start, coordinator,
  workers; OCR of the text, restoration, segmentation, rendering, writing);
- the time from the start of the command to the first document done (wall);
- a one-page document's restoration in a warm worker (lexicon loaded, the documents before
  it restored), CPU milliseconds, in a process of its own that restores the documents one
  after another and between them collects its garbage as a worker does (`worker._settle`);
- the restore stage once more over the whole archive in that process, its words met (as
  a worker has met most words of a large archive: what a run tends to there), words per
  CPU second;
- the load of restoration's data (lexicon, channel, letter models, calibration) in a
  fresh process, its modules imported (CPU and wall seconds, best of three), and the same
  once before the run: where the machine has no disk cache of the lexicon and the letter
  models yet (`make install` makes them), that load makes them, so the run's figures are
  those of every run after the first;
- the peak resident memory of a worker process;
- the machine's speed on one core: CPU seconds of a fixed Python workload (string keys
  looked up in dicts, strings lowered and sliced, tuples made, as restoration does), best
  of three, so that figures from machines of different speed can be compared;
- with --scale N (1,000 by default; 0 for none), the restore stage's words per CPU second
  over a second archive of N documents made the same way: each worker makes a word's
  readings the first time it meets it, so a larger archive, as an archive is, repeats
  more of what its workers have met (the first archive has the 200 documents and 100,000
  words the figures are asked of at least).

CPU time is used throughout because the machine may be shared: other work adds wall time
but not CPU time. Reproduce with

    python bench/text_bench.py [--jobs N] [--documents 240] [--runs 3] [--scale 1000]
                               [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
WARM_AFTER = 20  # documents restored before one-page documents are timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--documents", type=int, default=240)
    parser.add_argument("--scale", type=int, default=1000, metavar="N",
                        help="documents of the larger archive (0: none)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs over the archive; the figures of the median one")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="make the archive and the output here, and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="protokoll-text-bench-") as tmp:
        work = args.keep or Path(tmp)
        import text_archive  # beside this script

        words = text_archive.make(work / "archive", documents=args.documents)
        docs = sorted((work / "archive" / "docs").glob("*.txt"))
        print(f"machine: {os.cpu_count()} cores, load average before: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; jobs={args.jobs}")
        print(f"archive: {len(docs)} documents, {words} words, "
              f"{sum(d.read_text(encoding='utf-8').count(chr(12)) + 1 for d in docs)} pages; "
              "raw word error rate " + ", ".join(
                  f"{m} {100 * r:.1f}%" for m, r in text_archive.raw_wer(work / "archive").items())
              + "\n", flush=True)
        machine = _machine()
        first_load = _load(times=1)  # makes the lexicon's disk cache where it is missing
        runs = []
        for n in range(max(args.runs, 1)):
            shutil.rmtree(work / "out", ignore_errors=True)  # a run before would be resumed
            runs.append(_run(docs, work / "out", args.jobs, show=n == 0))
        run = _median(runs)
        latency, again = _latency(docs)
        load = _load()
        larger = _larger(work, args.scale, args.jobs) if args.scale else None
        _table(len(docs), words, run, latency, again, (first_load, load), larger, machine)
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _larger(work: Path, documents: int, jobs: int) -> dict:
    """The run over a larger archive made the same way (`--scale`)."""
    import text_archive  # beside this script

    words = text_archive.make(work / "archive-larger", documents=documents)
    docs = sorted((work / "archive-larger" / "docs").glob("*.txt"))
    shutil.rmtree(work / "out-larger", ignore_errors=True)
    print(f"larger archive: {len(docs)} documents, {words} words", flush=True)
    return {**_run(docs, work / "out-larger", jobs), "documents": len(docs)}


def _median(runs: list[dict]) -> dict:
    """The run whose restore stage took the median CPU time, with every run's restore
    figure (words per CPU second) beside it: the machine may be shared, and other work
    slows a run's CPU seconds too (caches, memory), by a fifth and more at times."""
    ordered = sorted(runs, key=lambda r: r["restore"])
    return {**ordered[(len(ordered) - 1) // 2],
            "figures": [r["words"] / r["restore"] for r in runs]}


def _run(docs: list[Path], out: Path, jobs: int, show: bool = True) -> dict:
    """One run of the command: its profile, its processes' CPU, the first document
    (the profile printed if `show`)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "protokoll"), "run", *map(str, docs), "--out", str(out),
                             "--jobs", str(jobs), "--profile"], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    first, lines = None, []
    for line in proc.stderr:
        lines.append(line.rstrip("\n"))
        if first is None and re.match(r"protokoll: \[\d+/\d+\] .*: done", line):
            first = time.perf_counter() - clock
    proc.wait()
    wall = time.perf_counter() - clock
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        sys.exit("text_bench: protokoll run failed:\n" + "\n".join(lines[-20:]))
    profile = [line.removeprefix("protokoll: profile: ") for line in lines
               if line.startswith("protokoll: profile: ")]
    if show:
        print("profile of the run:\n" + "\n".join(f"    {line}" for line in profile) + "\n")
    return {"cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "wall": wall, "first": first, "profile": profile,
            "restore": _figure(profile, r"^restore\s+([\d.]+)"),
            "words": _figure(profile, r"^restore: (\d+) words"),
            "memory": _figure(profile, r"peak memory per worker: (\d+) MiB")}


def _figure(lines: list[str], pattern: str) -> float:
    for line in lines:
        found = re.search(pattern, line)
        if found:
            return float(found.group(1))
    sys.exit(f"text_bench: the run's profile has no line matching {pattern!r}")


def _latency(docs: list[Path]) -> tuple[list[float], tuple[float, int]]:
    """CPU milliseconds to restore each one-page document once WARM_AFTER are done; and
    the CPU seconds and words of restoring the archive again in the same process."""
    done = subprocess.run([sys.executable, __file__, "--latency", *map(str, docs)], env=ENV,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"text_bench: the latency run failed:\n{done.stderr[-2000:]}")
    *each, again = done.stdout.splitlines()
    cpu, words = again.split()
    return [float(x) for x in each], (float(cpu), int(words))


def _latency_run(paths: list[str]) -> None:
    """In a process of its own: restore the documents in order, as one worker would
    (with its garbage collection between tasks)."""
    from pipeline import profile
    from pipeline.batch.worker import _settle
    from pipeline.ocr import OcrOptions, ocr
    from pipeline.ocr.sources import open_document
    from pipeline.options import RestoreOptions
    from pipeline.restore import restore

    for n, path in enumerate(paths):
        doc = ocr(open_document(Path(path), Path(path).stem), OcrOptions())
        clock = time.thread_time()
        restore(doc, RestoreOptions())
        spent = time.thread_time() - clock
        if n >= WARM_AFTER and len(doc.pages) == 1:
            print(f"{1000 * spent:.2f}")
        _settle()
    profile.take()
    spent = 0.0
    for path in paths:  # the archive again: every word met before
        doc = ocr(open_document(Path(path), Path(path).stem), OcrOptions())
        clock = time.thread_time()
        restore(doc, RestoreOptions())
        spent += time.thread_time() - clock
        _settle()
    print(f"{spent:.3f} {profile.take().counts['restore/words']}")


def _load(times: int = 3) -> tuple[float, float]:
    """Best of `times`: CPU and wall seconds to load restoration's data (the lexicon, the
    channel, the letter models and the calibration), fresh process."""
    code = ("import time; from pipeline.restore import calibration, channel, lexicon, shape; "
            "c, w = time.process_time(), time.perf_counter(); lexicon.load(); channel.load(); "
            "shape.load(); calibration.load(); "
            "print(time.process_time() - c, time.perf_counter() - w)")
    found = []
    for _ in range(times):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, cwd=ROOT)
        found.append(tuple(float(x) for x in done.stdout.split()))
    return min(c for c, _ in found), min(w for _, w in found)


def _table(documents: int, words: int, run: dict, latency: list[float],
           again: tuple[float, int], loads: tuple[tuple[float, float], ...],
           larger: dict | None, machine: float) -> None:
    first, load = loads
    print("| figure | measured | target |")
    print("|---|---|---|")
    print(f"| archive | {documents} documents, {words} words | ≥ 200, ≥ 100,000 |")
    print(f"| restore stage, words per CPU second (workers, whole run) | "
          f"{run['words'] / run['restore']:,.0f} ({run['words']:.0f} words in "
          f"{run['restore']:.1f} CPU s; the median of {len(run['figures'])} runs: "
          f"{', '.join(f'{x:,.0f}' for x in run['figures'])}) | ≥ 50,000 |")
    if larger:
        print(f"| the same, an archive of {larger['documents']:,} documents | "
              f"{larger['words'] / larger['restore']:,.0f} ({larger['words']:.0f} words in "
              f"{larger['restore']:.1f} CPU s; peak memory per worker "
              f"{larger['memory']:.0f} MiB) | |")
    print(f"| restore stage, words per CPU second, the archive again in a worker that has "
          f"met its words | {again[1] / again[0]:,.0f} ({again[1]} words in {again[0]:.1f} "
          f"CPU s) | |")
    print(f"| whole run, words per CPU second (all processes) | "
          f"{words / run['cpu']:,.0f} ({run['cpu']:.1f} CPU s; wall {run['wall']:.1f} s) | |")
    print(f"| time to the first document (wall, from the command's start) | "
          f"{run['first']:.2f} s | |")
    if latency:
        print(f"| one-page document restored in a warm worker (CPU ms: median, 90th "
              f"percentile, max of {len(latency)}) | {statistics.median(latency):.1f}, "
              f"{_percentile(latency, 0.9):.1f}, {max(latency):.1f} | ≤ 50 |")
    print(f"| lexicon, channel, letter models and calibration load, fresh process (CPU s, "
          f"wall s) | {load[0]:.3f}, "
          f"{load[1]:.3f} | ≤ 0.3 |")
    print(f"| the same before the run: the disk caches made if this machine had none "
          f"(`make install` makes them) | {first[0]:.3f}, {first[1]:.3f} | |")
    print(f"| peak memory per worker | {run['memory']:.0f} MiB | ≤ 300 MB |")
    print(f"| this machine: a fixed Python workload on one core (CPU s; lower is faster) | "
          f"{machine:.2f} | |")


def _machine(times: int = 3) -> float:
    """Best of `times`: CPU seconds of a fixed Python workload, the machine's speed."""
    words = [f"Ord{i:05d}" for i in range(20_000)]
    index = {w.lower(): i for i, w in enumerate(words)}
    best = float("inf")
    for _ in range(times):
        clock, total = time.process_time(), 0
        for _ in range(100):
            for w in words:
                key = w.lower()
                total += index[key] + len((key[:3], key[3:]))
        best = min(best, time.process_time() - clock)
    return best


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--latency"]:
        _latency_run(sys.argv[2:])
    else:
        main()
