"""Tesseract: the library in this process (tesserocr), or the installed program (pytesseract).

Only this module imports either. The library is the default: its model is loaded once per
process, not once per page, and the page's pixels go to it without a file in between. The
program (`--engine cli`) is the Tesseract of the operating system, for a site that must
run that build. Both give Tesseract's word table (TSV), read here into lines of words.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from pipeline.exceptions import MissingDependencyError, OcrError, OcrTimeoutError
from pipeline.model import BBox, Line, Word
from pipeline.programs import INSTALL_HINT, run_tool

try:
    import tesserocr
except ImportError:  # the program is still there
    tesserocr = None

log = logging.getLogger(__name__)

ENGINES = ("library", "cli")


@dataclass(frozen=True)
class Probe:
    """What the installed Tesseract is: version, data folder, languages."""

    version: str
    tessdata: Path
    langs: frozenset[str]

    def traineddata(self, lang: str) -> dict[str, str]:
        """sha256 of each traineddata file a language string like "swe+eng" uses."""
        return {f"{code}.traineddata": _sha256(self.tessdata / f"{code}.traineddata")
                for code in lang.split("+")}


@functools.cache
def probe(engine: str = "library") -> Probe:
    """Ask Tesseract for its version and languages (once per process). The language data
    is the operating system's (found by the program, or TESSDATA_PREFIX) for both engines;
    the version is that of the engine that reads the pages."""
    langs_proc = run_tool(["tesseract", "--list-langs"])  # raises if it is not installed
    listing = (langs_proc.stdout + langs_proc.stderr).decode(errors="replace")
    match = re.search(r'"(.+?)"', listing)
    if engine == "cli":
        version_out = run_tool(["tesseract", "--version"]).stdout.decode(errors="replace")
    elif tesserocr is None:
        raise MissingDependencyError(
            "the Tesseract library (tesserocr) is not installed",
            fix="Run `make install`, or use the installed program: --engine cli.")
    else:
        version_out = tesserocr.tesseract_version()
    version = version_out.split()[1] if len(version_out.split()) > 1 else "unknown"
    langs = frozenset(line.strip() for line in listing.splitlines()[1:] if line.strip())
    return Probe(version=version, tessdata=Path(match.group(1)) if match else Path(),
                 langs=langs)


def check_languages(lang: str, *, path: Path | str, engine: str = "library") -> Probe:
    """Fail early, naming the file, when Tesseract or one of the languages is missing."""
    try:
        found = probe(engine)
    except MissingDependencyError as exc:  # the same error, naming the file
        raise MissingDependencyError(exc.message, path=path, fix=exc.fix) from exc
    missing = [code for code in lang.split("+") if code not in found.langs]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code}" for code in missing)
        raise MissingDependencyError(
            f"Tesseract has no language data for {'+'.join(missing)}", path=path,
            fix=f"Install it: apt-get install {packages} (or run `make install`).")
    return found


def recognize(image: Image.Image, *, lang: str, dpi: int, timeout: float, path: Path | str,
              engine: str = "library") -> list[Line]:
    """OCR one page image (mode L or RGB); lines in reading order, a blank line between
    paragraphs."""
    tessdata = check_languages(lang, path=path, engine=engine).tessdata
    reader = _library if engine == "library" else _program
    return _lines(reader(image, lang=lang, dpi=dpi, timeout=timeout, path=path,
                         tessdata=tessdata))


def _library(image: Image.Image, *, lang: str, dpi: int, timeout: float, path: Path | str,
             tessdata: Path) -> str:
    api = _api(str(tessdata), lang, threading.get_ident())
    if image.mode not in ("L", "RGB"):
        image = image.convert("L")
    pixels = image.tobytes()  # kept alive here: Tesseract reads the buffer, not a copy
    api.SetImageBytes(pixels, image.width, image.height, len(image.getbands()),
                      image.width * len(image.getbands()))
    api.SetSourceResolution(dpi)
    clock = time.perf_counter()
    try:
        if not api.Recognize(timeout=max(1, round(timeout * 1000))):
            if time.perf_counter() - clock >= timeout:
                raise OcrTimeoutError(f"Tesseract took more than {timeout:g} s on a page",
                                      path=path, fix="Raise --timeout or check the page image.")
            raise OcrError("Tesseract could not read the page", path=path,
                           fix="Check that the image opens in a viewer; rerun with -v.")
        return api.GetTSVText(0)
    finally:
        api.Clear()


@functools.cache
def _api(tessdata: str, lang: str, thread: int):
    """One Tesseract instance per process, thread and language: its model is read once.
    (An instance is not safe to share between threads.)"""
    try:
        return tesserocr.PyTessBaseAPI(path=tessdata, lang=lang)
    except RuntimeError as exc:
        raise OcrError(f"Tesseract cannot load its {lang} model from {tessdata} ({exc})",
                       fix="Reinstall the language data: `make install`.") from exc


def _program(image: Image.Image, *, lang: str, dpi: int, timeout: float, path: Path | str,
             tessdata: Path) -> str:
    """The installed program, given the page as a PNM file (no compression to pay for).
    pytesseract is imported here, where it is used: it imports numpy where that is
    installed, which a worker restoring text (most of an archive's work) need not carry."""
    import pytesseract

    with tempfile.TemporaryDirectory(prefix="protokoll-") as folder:
        target = Path(folder) / f"page.{'ppm' if image.mode == 'RGB' else 'pgm'}"
        image.save(target, format="PPM")
        try:
            return pytesseract.image_to_data(str(target), lang=lang, config=f"--dpi {dpi}",
                                             timeout=timeout)
        except pytesseract.TesseractNotFoundError as exc:
            raise MissingDependencyError("Tesseract is not installed", path=path,
                                         fix=INSTALL_HINT) from exc
        except pytesseract.TesseractError as exc:
            raise OcrError(f"Tesseract failed: {exc.message.strip() or exc.status}",
                           path=path, fix="Check that the image opens in a viewer; rerun "
                           "with -v.") from exc
        except RuntimeError as exc:  # pytesseract's timeout
            raise OcrTimeoutError(f"Tesseract took more than {timeout:g} s on a page",
                                  path=path, fix="Raise --timeout or check the page image."
                                  ) from exc


def _lines(tsv: str) -> list[Line]:
    """Tesseract's word table (level 5 rows are words) to lines, a blank line between
    paragraphs."""
    lines: list[Line] = []
    previous_par = None
    current: dict[tuple[int, int, int], list[Word]] = {}
    order: list[tuple[int, int, int]] = []
    for row in tsv.splitlines():
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        key = (int(cols[2]), int(cols[3]), int(cols[4]))
        if key not in current:
            current[key] = []
            order.append(key)
        left, top, width, height = (int(c) for c in cols[6:10])
        conf = float(cols[10])
        current[key].append(Word(text=cols[11].strip(), start=0,
                                 bbox=BBox(left, top, left + width, top + height),
                                 confidence=conf / 100 if conf >= 0 else None))
    for key in order:
        if previous_par is not None and key[:2] != previous_par:
            lines.append(Line(text=""))
        previous_par = key[:2]
        lines.append(Line.of_words(current[key]))
    return lines


@functools.cache
def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unknown"
