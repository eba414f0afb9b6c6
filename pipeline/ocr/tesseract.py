"""Tesseract, through pytesseract's word-level data. Only this module imports pytesseract."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pytesseract

from pipeline.exceptions import MissingDependencyError, OcrError, OcrTimeoutError
from pipeline.model import BBox, Line, Word
from pipeline.runner import INSTALL_HINT, run_tool

log = logging.getLogger(__name__)


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
def probe() -> Probe:
    """Ask Tesseract for its version and languages (once per process)."""
    version_out = run_tool(["tesseract", "--version"]).stdout.decode(errors="replace")
    langs_proc = run_tool(["tesseract", "--list-langs"])
    listing = (langs_proc.stdout + langs_proc.stderr).decode(errors="replace")
    match = re.search(r'"(.+?)"', listing)
    version = version_out.split()[1] if version_out.split() else "unknown"
    langs = frozenset(line.strip() for line in listing.splitlines()[1:] if line.strip())
    return Probe(version=version, tessdata=Path(match.group(1)) if match else Path(),
                 langs=langs)


def check_languages(lang: str, *, path: Path | str) -> Probe:
    """Fail early, naming the file, when Tesseract or one of the languages is missing."""
    try:
        found = probe()
    except MissingDependencyError as exc:
        raise MissingDependencyError("Tesseract is not installed", path=path,
                                     fix=INSTALL_HINT) from exc
    missing = [code for code in lang.split("+") if code not in found.langs]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code}" for code in missing)
        raise MissingDependencyError(
            f"Tesseract has no language data for {'+'.join(missing)}", path=path,
            fix=f"Install it: apt-get install {packages} (or run `make install`).")
    return found


def recognize(image: Path, *, lang: str, dpi: int, timeout: float,
              path: Path | str) -> list[Line]:
    """OCR one page image file; lines in reading order, a blank line between paragraphs.

    The file goes to Tesseract as it is (pytesseract re-encodes an in-memory image as PNG,
    which costs as much as a fifth of the OCR time)."""
    target = str(image)
    try:
        data = pytesseract.image_to_data(
            target, lang=lang, config=f"--dpi {dpi}", timeout=timeout,
            output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractNotFoundError as exc:
        raise MissingDependencyError("Tesseract is not installed", path=path,
                                     fix=INSTALL_HINT) from exc
    except pytesseract.TesseractError as exc:
        raise OcrError(f"Tesseract failed: {exc.message.strip() or exc.status}", path=path,
                       fix="Check that the image opens in a viewer; rerun with -v.") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise OcrTimeoutError(f"Tesseract took more than {timeout:g} s on a page", path=path,
                              fix="Raise --timeout or check the page image.") from exc
    return _lines(data)


def _lines(data: dict[str, list]) -> list[Line]:
    lines: list[Line] = []
    previous_par = None
    current: dict[tuple[int, int, int], list[Word]] = {}
    order: list[tuple[int, int, int]] = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        if data["level"][i] != 5 or not text:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key not in current:
            current[key] = []
            order.append(key)
        left, top = data["left"][i], data["top"][i]
        box = BBox(left, top, left + data["width"][i], top + data["height"][i])
        conf = float(data["conf"][i])
        current[key].append(Word(text=text, start=0, bbox=box,
                                 confidence=max(conf, 0.0) / 100 if conf >= 0 else None))
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
