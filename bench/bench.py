"""Benchmark: pages per second of `protokoll run` and of bare `tesseract`, in the same run.

Both work on the multi-page sample PDF, rasterized at 300 dpi. Bare Tesseract gets the
already rasterized pages (one Tesseract thread per process, as protokoll runs it), once
one page at a time and once with as many pages at a time as protokoll has workers; the
difference to protokoll is its overhead (rasterizing, the restoration stage, writing).

    python bench/bench.py [--pdf samples/minutes_2024_scanned.pdf] [--repeat 3] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=Path, default=ROOT / "samples/minutes_2024_scanned.pdf")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pages = rasterize(args.pdf, work / "pages")
        n = len(pages) * args.repeat
        print(f"{args.pdf.name}: {len(pages)} pages x {args.repeat} runs, jobs={args.jobs}")
        seconds = best_of(args.repeat, lambda: protokoll(args.pdf, work / "out", args.jobs))
        report("protokoll run (whole pipeline)", len(pages), seconds)
        seconds = best_of(args.repeat, lambda: bare_tesseract(pages, 1))
        report("bare tesseract, 1 page at a time", len(pages), seconds)
        seconds = best_of(args.repeat, lambda: bare_tesseract(pages, args.jobs))
        report(f"bare tesseract, {args.jobs} pages at a time", len(pages), seconds)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of one child process: {rss:.0f} MiB ({n} pages processed)")


def rasterize(pdf: Path, folder: Path) -> list[Path]:
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "300", "-gray", str(pdf), str(folder / "p")], check=True)
    return sorted(folder.iterdir())


def protokoll(pdf: Path, out: Path, jobs: int) -> None:
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pipeline", "run", str(pdf), "--out", str(out),
                    "--jobs", str(jobs)], check=True, env=ENV, cwd=ROOT)


def bare_tesseract(pages: list[Path], jobs: int) -> None:
    def one(page: Path) -> None:
        subprocess.run(["tesseract", str(page), "-", "-l", "swe", "--dpi", "300"], check=True,
                       env=ENV, capture_output=True)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, pages))


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def report(label: str, pages: int, seconds: float) -> None:
    print(f"{label:40s} {pages / seconds:6.3f} pages/s  ({seconds:.2f} s for {pages} pages)")


if __name__ == "__main__":
    main()
