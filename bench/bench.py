"""Benchmark: pages per second of `protokoll run` and of bare `tesseract`, in the same run.

Both work on the multi-page sample PDF, rasterized at 300 dpi: first the sample as it is
(2 pages: start-up costs show), then a longer PDF of its pages repeated (--pages, made
with pdfunite: the steady state of a batch). Bare Tesseract gets the already rasterized
pages (one Tesseract thread per process, as protokoll runs it), once one page at a time
and once with as many pages at a time as protokoll has workers; the difference to
protokoll is its overhead (rasterizing, loading the lexicon, restoring, writing).

    python bench/bench.py [--pdf samples/minutes_2024_scanned.pdf] [--pages 12]
                          [--repeat 3] [--jobs N]
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
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        longer = repeat_pages(args.pdf, args.pages, work / f"{args.pdf.stem}_x{args.pages}.pdf")
        for pdf, repeat in ((args.pdf, args.repeat), (longer, 1)):
            measure(pdf, work, args.jobs, repeat)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of one child process (protokoll or tesseract): {rss:.0f} MiB")


def measure(pdf: Path, work: Path, jobs: int, repeat: int) -> None:
    pages = rasterize(pdf, work / f"pages-{pdf.stem}")
    print(f"\n{pdf.name}: {len(pages)} pages, best of {repeat} run(s), jobs={jobs}")
    seconds = best_of(repeat, lambda: protokoll(pdf, work / "out", jobs))
    report("protokoll run (whole pipeline)", len(pages), seconds)
    seconds = best_of(repeat, lambda: bare_tesseract(pages, 1))
    report("bare tesseract, 1 page at a time", len(pages), seconds)
    seconds = best_of(repeat, lambda: bare_tesseract(pages, jobs))
    report(f"bare tesseract, {jobs} pages at a time", len(pages), seconds)


def repeat_pages(pdf: Path, pages: int, out: Path) -> Path:
    count = int(subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                               check=True).stdout.split("Pages:")[1].split()[0])
    copies = -(-pages // count)
    subprocess.run(["pdfunite", *[str(pdf)] * copies, str(out)], check=True)
    return out


def rasterize(pdf: Path, folder: Path) -> list[Path]:
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "300", "-gray", str(pdf), str(folder / "p")], check=True)
    return sorted(folder.iterdir())


def protokoll(pdf: Path, out: Path, jobs: int) -> None:
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pipeline", "run", str(pdf), "--out", str(out),
                    "--jobs", str(jobs)], check=True, env=ENV, cwd=ROOT, capture_output=True)


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
