"""Benchmark: wall time of protokoll, OCRmyPDF and bare Tesseract on the same inputs, in one run.

Two inputs, made from the scanned pages of the development corpus (../shared/dev) and of
the samples, so no page repeats within a document:

- a 12-page scanned PDF (one JPEG per page, 300 dpi, like a scanner's);
- a folder of 20 mixed documents (scanned PDFs, multi-page TIFFs, PNG and JPEG pages; 29
  pages), every one in need of OCR.

Each is processed by
- protokoll: `protokoll run --jobs N` (OCR, restoration, segmentation, protokoll XML),
- OCRmyPDF: `ocrmypdf -l swe --jobs N --output-type pdf --optimize 0 --sidecar`, one
  file after another,
- bare Tesseract: `tesseract PAGE - -l swe --dpi 300`, N pages at a time, over the same
  pages already rasterized at 300 dpi (rasterizing is not timed for it),
- bare Tesseract library: the Tesseract library protokoll reads pages with (tesserocr,
  which brings its own build of Tesseract) in N processes, each loading the model once and
  reading the same rasterized pages, nothing else done with them: the OCR part of
  protokoll's time, so the last two columns show what the rest of protokoll costs,
protokoll and bare Tesseract with one Tesseract thread per process (OMP_THREAD_LIMIT=1);
OCRmyPDF sets Tesseract's threads itself, as its users run it. Each time is the best of
--repeat runs (other work on the machine only ever adds time). Peak memory is the
largest sum of the resident memory of protokoll's processes, sampled every 50 ms in a
run of its own (sampling takes time too).

    python bench/bench.py [--jobs N] [--repeat N] [--long-pdf PAGES]

protokoll's modules are compiled to bytecode first, as installing the package does (an
editable install under PYTHONDONTWRITEBYTECODE would compile them again in every process of
every run, the coordinator's and each worker's).

--long-pdf also runs protokoll alone on a scanned PDF of that many pages (the 12 pages
repeated) and reports its peak memory: pages are rasterized one at a time, in the workers.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import math
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import psutil
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "dev"
SAMPLES = ROOT / "samples"
BIN = Path(sys.executable).parent
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
OCRMYPDF_ENV = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--long-pdf", type=int, default=0, metavar="PAGES")
    args = parser.parse_args()
    if not DEV.is_dir():
        sys.exit(f"bench: {DEV} (the development corpus) is needed for the inputs")
    compileall.compile_dir(ROOT / "pipeline", quiet=1)
    with tempfile.TemporaryDirectory(prefix="protokoll-bench-") as tmp:
        work = Path(tmp)
        pages = _pages(work / "pages")
        pdf = work / "scanned_12p.pdf"
        _pdf(pages[:12], pdf)
        folder = _mixed(pages, work / "mixed")
        print(f"machine: {os.cpu_count()} cores, load average before: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; jobs={args.jobs}\n")
        rows = [_measure("12-page scanned PDF", [pdf], work, args.jobs, args.repeat),
                _measure("20 mixed documents", sorted(folder.iterdir()), work, args.jobs,
                         args.repeat)]
        _table(rows)
        if args.long_pdf:
            _long(pages[:12], args.long_pdf, work, args.jobs)
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


# -- inputs

def _pages(folder: Path) -> list[Image.Image]:
    """Every distinct scanned page at hand: the corpus's, then the samples'."""
    folder.mkdir()
    found = [Image.open(p) for p in sorted(DEV.glob("*/pages/page-*.png"))]
    subprocess.run(["pdftoppm", "-r", "300", "-gray", str(SAMPLES / "minutes_2024_scanned.pdf"),
                    str(folder / "minutes")], check=True)
    found += [Image.open(p) for p in sorted(folder.glob("minutes*"))]
    found.append(Image.open(SAMPLES / "minutes_2024_p1_degraded.png"))
    return [page.convert("L") for page in found]


def _pdf(pages: list[Image.Image], path: Path) -> None:
    first, *rest = [page.copy() for page in pages]  # Pillow keeps save settings on images
    first.save(path, save_all=True, append_images=rest, resolution=300, quality=80)


def _tiff(pages: list[Image.Image], path: Path) -> None:
    first, *rest = [page.copy() for page in pages]
    first.save(path, save_all=True, append_images=rest, dpi=(300, 300),
               compression="tiff_lzw")


def _mixed(pages: list[Image.Image], folder: Path) -> Path:
    """20 documents of 1 to 2 pages in four formats."""
    folder.mkdir()
    p = pages
    pdfs = [p[1:3], p[3:5], p[5:7], p[7:9], p[9:11], p[0:1]]
    tiffs = [p[1:3], p[3:5], p[5:7], p[9:11]]
    pngs = [p[0], p[3], p[6], p[7], p[9], p[11]]
    jpegs = [p[11], p[1], p[4], p[8]]
    for i, group in enumerate(pdfs):
        _pdf(group, folder / f"pdf{i}.pdf")
    for i, group in enumerate(tiffs):
        _tiff(group, folder / f"tiff{i}.tif")
    for i, page in enumerate(pngs):
        page.copy().save(folder / f"png{i}.png", dpi=(300, 300))
    for i, page in enumerate(jpegs):
        page.copy().save(folder / f"jpeg{i}.jpg", dpi=(300, 300), quality=80)
    return folder


def _rasterized(inputs: list[Path], folder: Path) -> list[Path]:
    """Every page of the inputs as an image file, as Tesseract gets them bare."""
    folder.mkdir()
    out = []
    for n, path in enumerate(inputs):
        if path.suffix == ".pdf":
            subprocess.run(["pdftoppm", "-r", "300", "-gray", str(path), str(folder / f"{n}")],
                           check=True)
            out += sorted(folder.glob(f"{n}-*.pgm"))
        elif path.suffix == ".tif":
            with Image.open(path) as image:
                for frame in range(image.n_frames):
                    image.seek(frame)
                    out.append(folder / f"{n}-{frame}.png")
                    image.save(out[-1], dpi=(300, 300))
        else:
            out.append(path)
    return out


# -- measuring

def _measure(label: str, inputs: list[Path], work: Path, jobs: int, repeat: int) -> dict:
    pages = _rasterized(inputs, work / f"raster-{len(inputs)}")
    row = {"label": label, "documents": len(inputs), "pages": len(pages),
           "protokoll": math.inf, "ocrmypdf": math.inf, "tesseract": math.inf,
           "library": math.inf, "memory": 0.0}
    command = [str(BIN / "protokoll"), "run", *map(str, inputs), "--out", str(work / "out"),
               "--jobs", str(jobs)]
    for _ in range(repeat):
        seconds, _ = _timed(command)
        shutil.rmtree(work / "out")
        row["protokoll"] = min(row["protokoll"], seconds)
        row["ocrmypdf"] = min(row["ocrmypdf"], _timed_each(inputs, work, jobs))
        clock = time.perf_counter()
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(_tesseract, pages))
        row["tesseract"] = min(row["tesseract"], time.perf_counter() - clock)
        seconds, _ = _timed([sys.executable, __file__, "--library-pages", str(jobs),
                             *map(str, pages)])
        row["library"] = min(row["library"], seconds)
    _, row["memory"] = _timed(command, watch=True)  # apart: watching costs time
    shutil.rmtree(work / "out")
    print(f"{label}: protokoll {row['protokoll']:.1f} s, OCRmyPDF {row['ocrmypdf']:.1f} s, "
          f"bare Tesseract {row['tesseract']:.1f} s, bare Tesseract library "
          f"{row['library']:.1f} s", flush=True)
    return row


def _timed(command: list[str], *, watch: bool = False, env: dict | None = None
           ) -> tuple[float, float]:
    """Wall seconds of a command and the peak of its processes' summed memory (MiB)."""
    clock = time.perf_counter()
    proc = subprocess.Popen(command, env=env or ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    peak = [0]
    if watch:
        threading.Thread(target=_watch, args=(proc.pid, peak), daemon=True).start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - clock
    if proc.returncode:
        sys.exit(f"bench: {command[0]} failed:\n{err.decode()[-2000:]}")
    return seconds, peak[0] / 2**20


def _watch(pid: int, peak: list[int]) -> None:
    try:
        root = psutil.Process(pid)
        while root.is_running() and root.status() != psutil.STATUS_ZOMBIE:
            total = 0
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # it may have ended meanwhile
                    total += proc.memory_info().rss
            peak[0] = max(peak[0], total)
            time.sleep(0.05)
    except psutil.Error:
        return


def _timed_each(inputs: list[Path], work: Path, jobs: int) -> float:
    total = 0.0
    for path in inputs:
        out = work / "ocrmypdf.pdf"
        seconds, _ = _timed([str(BIN / "ocrmypdf"), "-l", "swe", "--jobs", str(jobs),
                             "--output-type", "pdf", "--optimize", "0", "--sidecar",
                             str(work / "sidecar.txt"), str(path), str(out)], env=OCRMYPDF_ENV)
        total += seconds
    return total


def _tesseract(page: Path) -> None:
    subprocess.run(["tesseract", str(page), "-", "-l", "swe", "--dpi", "300"], check=True,
                   env=ENV, capture_output=True)


def _library_pages(jobs: int, pages: list[str]) -> None:
    """Run as its own process (--library-pages): the pages through the library, N at a
    time, each process loading the model once."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        list(pool.map(_library_page, pages))


def _library_page(page: str) -> None:
    from pipeline.ocr import tesseract  # in the worker: the same call protokoll makes

    with Image.open(page) as image:
        tesseract.recognize(image.convert("L"), lang="swe", dpi=300, timeout=600,
                            path=page)


def _table(rows: list[dict]) -> None:
    print("\n| input | documents | pages | protokoll | OCRmyPDF | bare Tesseract | "
          "bare Tesseract library | protokoll / OCRmyPDF | protokoll / Tesseract | "
          "protokoll / Tesseract library | protokoll peak memory |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['label']} | {r['documents']} | {r['pages']} | {r['protokoll']:.1f} s | "
              f"{r['ocrmypdf']:.1f} s | {r['tesseract']:.1f} s | {r['library']:.1f} s | "
              f"{r['protokoll'] / r['ocrmypdf']:.2f} (target ≤ 0.9) | "
              f"{r['protokoll'] / r['tesseract']:.2f} (target ≤ 1.1) | "
              f"{r['protokoll'] / r['library']:.2f} | {r['memory']:.0f} MiB |")


def _long(pages: list[Image.Image], count: int, work: Path, jobs: int) -> None:
    pdf = work / f"scanned_{count}p.pdf"
    _pdf([pages[i % len(pages)] for i in range(count)], pdf)
    seconds, memory = _timed([str(BIN / "protokoll"), "run", str(pdf), "--out",
                              str(work / "long"), "--jobs", str(jobs)], watch=True)
    print(f"\n{count}-page scanned PDF, protokoll alone: {seconds:.0f} s "
          f"({60 * count / seconds:.1f} pages/min), peak memory of all its processes "
          f"{memory:.0f} MiB")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--library-pages"]:
        _library_pages(int(sys.argv[2]), sys.argv[3:])
    else:
        main()
