"""The width of a dash on the page image: an en dash or a hyphen, which OCR cannot tell.

Tesseract reads an en dash (about half an em wide, as wide as a digit) as a hyphen (a
third of an em or less) or the other way round; the text alone cannot say which was
printed, the image can. For each dash OCR read between digits (`2023-2024`, `09.00-15.10`)
or alone between two words (`Sundsvall – den`), the dash's ink is found on the page
among the glyphs beside it (connected components of the dark pixels in the word's box)
and its width is recorded on the word (`Word.dashes`) as a share of the height of those
glyphs: digits and capitals are about 0.7 em high, so an en dash measures about 0.6–0.8
and a hyphen about 0.35–0.45. Restoration decides from it (`pipeline/restore/dashes.py`).

On a monospaced page (a typewriter) every character has the same advance and a hyphen
may be drawn as wide as a dash: nothing is measured there, nor on a page with too few
words to tell its font.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from PIL import Image

from pipeline.model import DASHES, BBox, Line, Word, dash_offsets

# At most this spread of the width per letter: a typewriter. Measured (`bench/dashes.py`):
# typewriter pages 0.008–0.017, pages in proportional fonts 0.063–0.120.
MONOSPACE_SPREAD = 0.035
_MIN_WORDS = 12  # words of letters needed to say a page is monospaced or not


@dataclass(frozen=True)
class _Blob:
    """A connected run of dark pixels: its box in page pixels and its size."""

    x0: int
    y0: int
    x1: int  # exclusive
    y1: int
    pixels: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


def measure(image: Image.Image, lines: list[Line]) -> None:
    """Record on each word with a dash to judge the width of its dashes (`Word.dashes`)."""
    if not proportional(lines):
        return
    gray = image if image.mode == "L" else image.convert("L")
    for line in lines:
        for i, word in enumerate(line.words):
            if word.bbox is None:
                continue
            if len(word.text) == 1 and word.text in DASHES:
                if _between_words(line.words, i):
                    word.dashes = _lone(gray, line.words, i)
            elif dash_offsets(word.text):
                word.dashes = _inner(gray, word)


def proportional(lines: list[Line]) -> bool:
    """Whether the page is printed in a proportional font: the width of a word of n letters
    is n advances on a typewriter, but depends on the letters in a proportional font ("ill"
    and "mmm"). False also when too few words say."""
    spread = letter_spread(lines)
    return spread is not None and spread > MONOSPACE_SPREAD


def letter_spread(lines: list[Line]) -> float | None:
    """The spread (median absolute deviation over the median) of the width per letter of
    the page's words of three or more letters; None for too few words to say."""
    per_letter = [(w.bbox.x1 - w.bbox.x0) / len(w.text) for line in lines for w in line.words
                  if w.bbox and len(w.text) >= 3 and w.text.isalpha()]
    if len(per_letter) < _MIN_WORDS:
        return None
    middle = statistics.median(per_letter)
    return round(statistics.median(abs(p - middle) for p in per_letter) / middle, 4)


def _between_words(words: list[Word], i: int) -> bool:
    return (0 < i < len(words) - 1 and words[i - 1].text[-1:].isalnum()
            and words[i + 1].text[:1].isalnum())


def _inner(gray: Image.Image, word: Word) -> list[float]:
    """The width of each dash of the word over the height of its other glyphs; empty when
    the dashes are not found one for one (touching a digit, broken, a speck beside)."""
    blobs = _blobs(gray, word.bbox)
    glyphs, dashes = _split(blobs)
    if not glyphs or len(dashes) != len(dash_offsets(word.text)) \
            or len(dashes) != sum(c in DASHES for c in word.text):
        return []
    height = _glyph_height(glyphs)
    return [round(d.width / height, 3) for d in dashes]


def _lone(gray: Image.Image, words: list[Word], i: int) -> list[float]:
    """A dash standing alone, against the glyphs of the words on either side."""
    neighbours = [b for w in (words[i - 1], words[i + 1]) if w.bbox
                  for b in _blobs(gray, w.bbox)]
    glyphs, _ = _split(neighbours)
    own = _blobs(gray, words[i].bbox)
    if not glyphs or not own:
        return []
    height = _glyph_height(glyphs)
    dash = max(own, key=lambda b: b.pixels)
    flat = dash.height <= 0.35 * height and dash.width >= 1.5 * dash.height
    return [round(dash.width / height, 3)] if flat else []


def _split(blobs: list[_Blob]) -> tuple[list[_Blob], list[_Blob]]:
    """The glyphs (tall blobs) and the dashes (flat blobs at mid height between them),
    left to right; dots, commas and specks are neither."""
    if not blobs:
        return [], []
    tallest = sorted(b.height for b in blobs)[int(0.9 * (len(blobs) - 1))]
    glyphs = [b for b in blobs if b.height >= 0.6 * tallest]
    if not glyphs:
        return [], []
    height = _glyph_height(glyphs)
    base = statistics.median(b.y1 for b in glyphs)
    dashes = [b for b in blobs if b.height <= 0.35 * height and b.width >= 1.5 * b.height
              and base - 0.75 * height < (b.y0 + b.y1) / 2 < base - 0.15 * height]
    return glyphs, sorted(dashes, key=lambda b: b.x0)


def _glyph_height(glyphs: list[_Blob]) -> float:
    return statistics.median(b.height for b in glyphs)


def _blobs(gray: Image.Image, box: BBox, pad: int = 2) -> list[_Blob]:
    """The connected components (8-neighbours) of the dark pixels in a box, the page's
    background and ink told apart by Otsu's threshold on the box."""
    x0, y0 = max(box.x0 - pad, 0), max(box.y0 - pad, 0)
    x1, y1 = min(box.x1 + pad, gray.width), min(box.y1 + pad, gray.height)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return []
    crop = gray.crop((x0, y0, x1, y1))
    cut = _otsu(crop.histogram())
    dark = crop.tobytes().translate(bytes(1 if v <= cut else 0 for v in range(256)))
    smallest = max(2, (y1 - y0) // 25) ** 2  # specks and noise are no glyph
    return [_Blob(x0 + b.x0, y0 + b.y0, x0 + b.x1, y0 + b.y1, b.pixels)
            for b in _components(dark, x1 - x0) if b.pixels >= smallest]


_RUN = re.compile(b"\x01+")


def _components(dark: bytes, width: int) -> list[_Blob]:
    """The 8-connected components of the 1s of a bitmap (rows of `width` bytes), in the
    order of their first pixel row by row. Built from the runs of 1s in each row: a run
    joins those of the row above that it touches, edge or corner."""
    runs: list[tuple[int, int, int]] = []  # (row, start, end), end exclusive
    parent: list[int] = []
    above: list[int] = []  # the runs of the row above, left to right
    for y, row in enumerate(range(0, len(dark), width)):
        here = []
        for match in _RUN.finditer(dark, row, row + width):
            start, end = match.start() - row, match.end() - row
            i = len(runs)
            runs.append((y, start, end))
            parent.append(i)
            for j in above:
                if runs[j][1] <= end and start <= runs[j][2]:
                    _join(parent, i, j)
            here.append(i)
        above = here
    blobs: dict[int, list[int]] = {}  # root -> [left, top, right, bottom, pixels]
    for i, (y, start, end) in enumerate(runs):  # a component's first run comes first
        root = _root(parent, i)
        box = blobs.get(root)
        if box is None:
            blobs[root] = [start, y, end, y + 1, end - start]
        else:
            box[0], box[2], box[3] = min(box[0], start), max(box[2], end), y + 1
            box[4] += end - start
    return [_Blob(*box) for box in blobs.values()]


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _join(parent: list[int], i: int, j: int) -> None:
    a, b = _root(parent, i), _root(parent, j)
    if a != b:
        parent[max(a, b)] = min(a, b)


def _otsu(histogram: list[int]) -> int:
    """The grey level that best separates ink from paper (Otsu's method)."""
    hist = histogram[:256]
    total = sum(hist)
    weighted = sum(i * h for i, h in enumerate(hist))
    below = below_weighted = 0
    best, cut = -1.0, 127
    for level, count in enumerate(hist):
        below += count
        if below == 0:
            continue
        above = total - below
        if above == 0:
            break
        below_weighted += level * count
        mean_below = below_weighted / below
        mean_above = (weighted - below_weighted) / above
        between = below * above * (mean_below - mean_above) ** 2
        if between > best:
            best, cut = between, level
    return cut
