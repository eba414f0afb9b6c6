"""Estimate Tesseract 5 OCR confusion counts for Swedish text from synthetic pages.

The restoration stage of protokoll scores correction candidates with OCR-confusion
weighted edit costs.  This script estimates those weights instead of guessing them:

1. sample Swedish running text (fixed seed) from wordfreq's Swedish word list, weighted
   by a flattened frequency (freq ** 0.5) so that mid-frequency words with å/ä/ö are well
   represented, with sentence capitalisation, punctuation, numbers, dates, "§ 12",
   bullets, hyphens, en dashes and extra capitalised Å/Ä/Ö words;
2. render the text onto A4 pages at 300 dpi (Liberation Serif, Liberation Sans,
   DejaVu Serif at 10-12 pt) and degrade them at four levels (clean, light, medium,
   heavy), keeping the truth text and position of every line;
3. OCR every page with the `tesseract` CLI, once with `-l eng` and once with `-l swe`
   (`--psm 4`, TSV output, so every recognised word has a bounding box);
4. assign OCR words to truth lines by position, align each line pair character by
   character (Levenshtein opcodes as anchors, then a small dynamic programme over each
   differing stretch allowing 1->0, 1->1, 1->2, 2->1 and insertions) and count, for every
   truth character, what the OCR produced (0-2 characters), plus 2->1 merges such as
   "rn" -> "m" and how often those bigrams were not merged;
5. write `dictionaries/ocr_confusions_tesseract5.tsv` (columns model, truth, ocr, count).

P(ocr | truth) for one model is count / (sum of counts over that model and truth).

Usage (from the repository root, about 20 minutes on 2 cores with the default 180 pages):

    python dictionaries/build_confusions.py [--pages N] [--out PATH]

Other options: --seed, --jobs, --workdir (intermediate pages/OCR, default
/tmp/protokoll_confusions), --reuse (reuse OCR output already in the workdir),
--keep-images.  Requires pillow, wordfreq, rapidfuzz, numpy and the tesseract CLI with
the eng and swe traineddata.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import random
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from itertools import accumulate
from pathlib import Path

import numpy as np
import wordfreq
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from rapidfuzz.distance import Levenshtein

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "dictionaries" / "ocr_confusions_tesseract5.tsv"
DEFAULT_WORKDIR = Path("/tmp/protokoll_confusions")
GENERATOR = "dictionaries/build_confusions.py"

SEED = 20240611
DEFAULT_PAGES = 180
MODELS = ("eng", "swe")
TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")

# Page geometry: A4 at 300 dpi.
DPI = 300
PAGE_W, PAGE_H = 2480, 3508
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 240, 260, 280
LINE_PITCH = 1.45  # line distance as a multiple of the font size in pixels

FONTS = {
    "Liberation Serif": Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"),
    "Liberation Sans": Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    "DejaVu Serif": Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
}
POINT_SIZES = (10, 11, 12)

# Text sampling.
VOCAB_SIZE = 50000
FREQ_EXPONENT = 0.5
DIACRITIC_INITIALS = "åäö"
EN_DASH = "\u2013"
BIGRAMS_ALWAYS = ("rn", "li", "in", "ni", "ri", "cl", "vv", "ii", "fi", "fl", "rr", "rt", "ll")

# Alignment.
MIN_LINE_SIMILARITY = 0.5
MAX_GAP = 6  # differing stretches longer than this (either side) count as unaligned
CONTEXT = 4  # so do stretches whose +-4 character window has similarity < 0.5 (garbled text)
COST_INDEL = 1.0
COST_SUB = 1.0
COST_SUB_SIMILAR = 0.4  # same letter up to case/diacritics, e.g. ä/a, Ö/O
COST_SPLIT_MERGE = 1.5  # 1->2 and 2->1, cheaper than substitution + indel
MIN_COUNT = 2


@dataclass(frozen=True)
class Degradation:
    """Parameters of one degradation level."""

    scale: float = 1.0  # resample to this fraction of 300 dpi and back (resolution loss)
    blur: float = 0.0  # Gaussian blur radius in pixels
    noise: float = 0.0  # standard deviation of additive Gaussian noise (grey levels)
    jpeg: int | None = None  # JPEG round-trip quality
    max_rotation: float = 0.0  # degrees, uniform in [-max, max]
    speckle: float = 0.0  # density of dark 3x3 specks
    dropout: float = 0.0  # density of white 3x3 holes (broken strokes)
    ink: int = 0  # grey level of the ink
    paper: int = 255  # grey level of the paper


LEVELS = {
    "clean": Degradation(),
    "light": Degradation(blur=0.6, noise=8.0),
    "medium": Degradation(
        scale=0.67, blur=1.0, noise=14.0, jpeg=25, max_rotation=0.7, speckle=0.0002
    ),
    "heavy": Degradation(
        blur=1.5,
        noise=18.0,
        jpeg=30,
        max_rotation=0.7,
        speckle=0.0008,
        dropout=0.004,
        ink=80,
        paper=200,
    ),
}


# --------------------------------------------------------------------------- text


@dataclass
class Vocab:
    """Sampling tables for words, with cumulative weights for random.choices."""

    words: list[str]
    cum: list[float]
    initial: dict[str, tuple[list[str], list[float]]]


def is_latin_word(word: str) -> bool:
    return word.isalpha() and all("LATIN" in unicodedata.name(ch, "") for ch in word)


def load_vocab(size: int = VOCAB_SIZE, exponent: float = FREQ_EXPONENT) -> Vocab:
    words = [w for w in wordfreq.top_n_list("sv", size) if is_latin_word(w)]
    weights = [wordfreq.word_frequency(w, "sv") ** exponent for w in words]
    initial = {}
    for letter in DIACRITIC_INITIALS:
        pairs = [
            (w, wt) for w, wt in zip(words, weights, strict=True) if w[0] == letter and len(w) > 1
        ]
        initial[letter] = ([w for w, _ in pairs], list(accumulate(wt for _, wt in pairs)))
    return Vocab(words, list(accumulate(weights)), initial)


class TextSampler:
    """Generates minute-like Swedish lines from the vocabulary with its own RNG."""

    def __init__(self, vocab: Vocab, rng: random.Random) -> None:
        self.vocab = vocab
        self.rng = rng
        self.cap_next = True
        self.pending: tuple[str, bool] | None = None  # token and capitalisation after it

    def word(self) -> str:
        return self.rng.choices(self.vocab.words, cum_weights=self.vocab.cum)[0]

    def diacritic_capital(self) -> str:
        words, cum = self.vocab.initial[self.rng.choice(DIACRITIC_INITIALS)]
        return self.rng.choices(words, cum_weights=cum)[0].capitalize()

    def number(self) -> str:
        rng = self.rng
        kind = rng.randrange(6)
        if kind == 0:
            return f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if kind == 1:
            return f"{rng.randint(1, 999)} {rng.randint(0, 999):03d}"
        if kind == 2:
            return f"§ {rng.randint(1, 250)}"
        if kind == 3:
            low = rng.randint(1, 90)
            return f"{low}{EN_DASH}{low + rng.randint(1, 20)}"
        if kind == 4:
            return str(rng.randint(2015, 2025))
        return str(rng.randint(1, 400))

    def token(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.025:
            tok = self.number()
        elif r < 0.032:
            tok = EN_DASH
        elif r < 0.037:
            tok = f"{self.word()}-{self.word()}"
        elif r < 0.053:
            tok = self.diacritic_capital()
        elif r < 0.057:
            tok = self.word().upper()
        else:
            tok = self.word()
            if self.cap_next:
                tok = tok.capitalize()
        self.cap_next = False
        if tok == EN_DASH:
            return tok
        p = rng.random()
        if p < 0.09:
            tok += "."
            self.cap_next = True
        elif p < 0.15:
            tok += ","
        elif p < 0.158:
            tok += ":"
        return tok

    def line_prefix(self) -> list[str]:
        """A bullet or a paragraph sign at some line starts; the line then starts a sentence."""
        r = self.rng.random()
        if r < 0.06:
            return ["•"]
        if r < 0.09:
            return [f"§ {self.rng.randint(1, 250)}"]
        return []

    def line(self, font: ImageFont.FreeTypeFont, width: float) -> str:
        tokens = self.line_prefix()
        starts_sentence = bool(tokens)
        while True:
            if self.pending is not None:
                tok, self.cap_next = self.pending
                self.pending = None
                if starts_sentence:
                    tok = tok[:1].upper() + tok[1:]
            else:
                if starts_sentence:
                    self.cap_next = True
                tok = self.token()
            starts_sentence = False
            if tokens and font.getlength(" ".join([*tokens, tok])) > width:
                self.pending = (tok, self.cap_next)
                return " ".join(tokens)
            tokens.append(tok)


# ------------------------------------------------------------------------ rendering


@dataclass
class PageSpec:
    index: int
    font: str
    points: int
    level: str


@dataclass
class TruthLine:
    text: str
    left: int
    right: int
    top: int
    bottom: int


@dataclass
class RenderedPage:
    spec: PageSpec
    lines: list[TruthLine]
    angle: float = 0.0
    centre: tuple[float, float] = (PAGE_W / 2, PAGE_H / 2)


def page_specs(pages: int) -> list[PageSpec]:
    """Full factorial font x level x size every 36 pages."""
    fonts = list(FONTS)
    levels = list(LEVELS)
    specs = []
    for i in range(pages):
        font = fonts[i % len(fonts)]
        level = levels[(i // len(fonts)) % len(levels)]
        points = POINT_SIZES[(i // (len(fonts) * len(levels))) % len(POINT_SIZES)]
        specs.append(PageSpec(i, font, points, level))
    return specs


def render_page(spec: PageSpec, vocab: Vocab, seed: int) -> tuple[Image.Image, RenderedPage]:
    size_px = round(spec.points * DPI / 72)
    font = ImageFont.truetype(str(FONTS[spec.font]), size_px)
    sampler = TextSampler(vocab, random.Random(seed * 1_000_003 + spec.index))
    image = Image.new("L", (PAGE_W, PAGE_H), 255)
    draw = ImageDraw.Draw(image)
    pitch = round(size_px * LINE_PITCH)
    _, band_top, _, band_bottom = draw.textbbox((0, 0), "ÅÄÖgjpq", font=font)
    width = PAGE_W - 2 * MARGIN_X
    lines = []
    y = MARGIN_TOP
    while y + pitch <= PAGE_H - MARGIN_BOTTOM:
        text = sampler.line(font, width)
        draw.text((MARGIN_X, y), text, font=font, fill=0)
        left, _, right, _ = draw.textbbox((MARGIN_X, y), text, font=font)
        lines.append(TruthLine(text, left, right, y + band_top, y + band_bottom))
        y += pitch
    page = RenderedPage(spec, lines)
    return degrade(image, page, seed), page


def degrade(image: Image.Image, page: RenderedPage, seed: int) -> Image.Image:
    params = LEVELS[page.spec.level]
    rng = np.random.default_rng([seed, page.spec.index])
    if params.max_rotation:
        page.angle = float(rng.uniform(-params.max_rotation, params.max_rotation))
        image = image.rotate(
            page.angle, resample=Image.Resampling.BICUBIC, center=page.centre, fillcolor=255
        )
    if (params.ink, params.paper) != (0, 255):
        image = image.point(lambda v: params.ink + v * (params.paper - params.ink) // 255)
    if params.scale != 1.0:
        small = (round(PAGE_W * params.scale), round(PAGE_H * params.scale))
        image = image.resize(small, Image.Resampling.BOX).resize(
            (PAGE_W, PAGE_H), Image.Resampling.BICUBIC
        )
    if params.blur:
        image = image.filter(ImageFilter.GaussianBlur(params.blur))
    arr = np.asarray(image, dtype=np.float32).copy()
    if params.speckle:
        specks = Image.fromarray(
            np.where(rng.random(arr.shape) < params.speckle, 0, 255).astype(np.uint8)
        ).filter(ImageFilter.MinFilter(3))
        arr = np.minimum(arr, np.asarray(specks, dtype=np.float32) + params.ink)
    if params.dropout:
        holes = Image.fromarray(
            np.where(rng.random(arr.shape) < params.dropout, 255, 0).astype(np.uint8)
        ).filter(ImageFilter.MaxFilter(3))
        arr = np.where(np.asarray(holes) > 0, float(params.paper), arr)
    if params.noise:
        arr += rng.normal(0.0, params.noise, arr.shape).astype(np.float32)
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if params.jpeg:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=params.jpeg)
        buffer.seek(0)
        image = Image.open(buffer).convert("L")
    return image


# ------------------------------------------------------------------------------ OCR


@dataclass
class OcrWord:
    text: str
    x: float  # centre, in unrotated page coordinates
    y: float


def tesseract_version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=True)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def traineddata_digest(model: str) -> str:
    path = TESSDATA / f"{model}.traineddata"
    if not path.exists():
        return "unknown"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return f"{path.stat().st_size} bytes, sha256 {digest}"


def run_tesseract(image_path: Path, out_base: Path, model: str) -> Path:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = ["tesseract", str(image_path), str(out_base), "-l", model, "--psm", "4", "tsv"]
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return out_base.with_suffix(".tsv")


def unrotate(x: float, y: float, page: RenderedPage) -> tuple[float, float]:
    """Map a point of the rotated image back to the coordinates the text was drawn in."""
    if not page.angle:
        return x, y
    theta = math.radians(page.angle)
    cx, cy = page.centre
    dx, dy = x - cx, y - cy
    return (
        cx + dx * math.cos(theta) - dy * math.sin(theta),
        cy + dx * math.sin(theta) + dy * math.cos(theta),
    )


def read_ocr_words(tsv_path: Path, page: RenderedPage) -> list[OcrWord]:
    words = []
    with tsv_path.open(encoding="utf-8") as handle:
        next(handle, None)
        for row in handle:
            parts = row.rstrip("\n").split("\t")
            if len(parts) < 12 or parts[0] != "5":
                continue
            text = parts[11].strip()
            if not text:
                continue
            left, top, width, height = (int(v) for v in parts[6:10])
            x, y = unrotate(left + width / 2, top + height / 2, page)
            words.append(OcrWord(text, x, y))
    return words


def ocr_lines(words: list[OcrWord], page: RenderedPage) -> list[str]:
    """Group OCR words by the truth line whose band contains them, in reading order."""
    centres = [(ln.top + ln.bottom) / 2 for ln in page.lines]
    pitch = centres[1] - centres[0] if len(centres) > 1 else 50.0
    slack = pitch * 0.5
    groups: list[list[OcrWord]] = [[] for _ in page.lines]
    for word in words:
        i = min(range(len(centres)), key=lambda k: abs(centres[k] - word.y))
        line = page.lines[i]
        if abs(centres[i] - word.y) > pitch * 0.6:
            continue
        if not line.left - slack <= word.x <= line.right + slack:
            continue
        groups[i].append(word)
    return [" ".join(w.text for w in sorted(g, key=lambda w: w.x)) for g in groups]


# ------------------------------------------------------------------------ alignment


def fold(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)
    return "".join(c for c in base if not unicodedata.combining(c)).casefold()


def sub_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if fold(a) == fold(b):
        return COST_SUB_SIMILAR
    return COST_SUB


MOVES = ((1, 1), (1, 0), (0, 1), (1, 2), (2, 1))


def align_gap(truth: str, ocr: str) -> list[tuple[str, str]]:
    """Minimum-cost segmentation of a differing stretch into 1->0/1/2, 2->1 and 0->1."""
    n, m = len(truth), len(ocr)
    cost = [[math.inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if here == math.inf:
                continue
            for di, dj in MOVES:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                if (di, dj) == (1, 1):
                    step = sub_cost(truth[i], ocr[j])
                elif di == 0 or dj == 0:
                    step = COST_INDEL
                elif " " in truth[i:ni] + ocr[j:nj]:
                    continue  # spaces are never part of a split or merge
                else:
                    step = COST_SPLIT_MERGE
                if here + step < cost[ni][nj] - 1e-9:
                    cost[ni][nj] = here + step
                    back[ni][nj] = (di, dj)
    segments = []
    i, j = n, m
    while i or j:
        di, dj = back[i][j]
        segments.append((truth[i - di : i], ocr[j - dj : j]))
        i, j = i - di, j - dj
    segments.reverse()
    return segments


@dataclass
class Segment:
    start: int  # index of the first truth character (insertions: the next one)
    truth: str  # "" for an insertion
    ocr: str | None  # None for a truth stretch that could not be aligned


def raw_segments(truth: str, ocr: str) -> tuple[list[Segment], int]:
    """Segments covering the line; returns them and the number of unaligned truth chars.

    Equal runs of the Levenshtein alignment are identities; each maximal differing stretch
    between them is segmented by align_gap, unless it is long or lies in garbled text.
    """
    segments: list[Segment] = []
    unaligned = 0
    pending: list[int] = [0, 0, 0, 0]  # t0, t1, o0, o1 of the current differing stretch

    def flush() -> None:
        nonlocal unaligned
        t0, t1, o0, o1 = pending
        window = Levenshtein.normalized_similarity(
            truth[max(t0 - CONTEXT, 0) : t1 + CONTEXT], ocr[max(o0 - CONTEXT, 0) : o1 + CONTEXT]
        )
        if t1 - t0 > MAX_GAP or o1 - o0 > MAX_GAP or window < MIN_LINE_SIMILARITY:
            if t1 > t0:  # (OCR text inserted in garbled context is dropped silently)
                segments.append(Segment(t0, truth[t0:t1], None))
                unaligned += t1 - t0
        else:
            pos = t0
            for t, o in align_gap(truth[t0:t1], ocr[o0:o1]):
                segments.append(Segment(pos, t, o))
                pos += len(t)

    in_gap = False
    for op in Levenshtein.opcodes(truth, ocr):
        if op.tag == "equal":
            if in_gap:
                flush()
                in_gap = False
            for k in range(op.src_end - op.src_start):
                ch = truth[op.src_start + k]
                segments.append(Segment(op.src_start + k, ch, ch))
        else:
            if not in_gap:
                pending[:] = [op.src_start, op.src_start, op.dest_start, op.dest_start]
                in_gap = True
            pending[1], pending[3] = op.src_end, op.dest_end
    if in_gap:
        flush()
    return segments, unaligned


def attach_insertions(segments: list[Segment]) -> tuple[list[Segment], int]:
    """Attach inserted OCR text to the previous (else next) one-character truth segment."""
    out: list[Segment] = []
    carry = ""
    lost = 0
    for seg in segments:
        if seg.truth == "":
            prev = out[-1] if out else None
            if (
                prev is not None
                and not carry
                and prev.ocr is not None
                and len(prev.truth) == 1
                and len(prev.ocr) + len(seg.ocr) <= 2
            ):
                prev.ocr += seg.ocr
            else:
                carry += seg.ocr
            continue
        if carry:
            if seg.ocr is not None and len(seg.truth) == 1 and len(seg.ocr) + len(carry) <= 2:
                seg.ocr = carry + seg.ocr
            else:
                lost += len(carry)
            carry = ""
        out.append(seg)
    lost += len(carry)
    return out, lost


@dataclass
class ModelStats:
    pages: int = 0
    lines: int = 0
    lines_aligned: int = 0
    lines_empty: int = 0
    lines_mismatched: int = 0
    chars: int = 0  # truth characters of aligned lines
    chars_counted: int = 0
    chars_unaligned: int = 0
    insertions_lost: int = 0
    errors_by_level: Counter = field(default_factory=Counter)
    chars_by_level: Counter = field(default_factory=Counter)
    skipped_by_level: Counter = field(default_factory=Counter)
    lines_by_level: Counter = field(default_factory=Counter)


@dataclass
class Tally:
    singles: Counter = field(default_factory=Counter)  # (truth char, ocr) -> n
    merges: Counter = field(default_factory=Counter)  # (truth bigram, ocr char) -> n
    bigram_kept: Counter = field(default_factory=Counter)  # truth bigram not merged
    stats: ModelStats = field(default_factory=ModelStats)


def count_line(truth: str, ocr: str, tally: Tally) -> None:
    segments, unaligned = raw_segments(truth, ocr)
    segments, lost = attach_insertions(segments)
    aligned = [False] * len(truth)
    merged = [False] * len(truth)  # a 2->1 merge starts here
    for seg in segments:
        if seg.ocr is None:
            continue
        if len(seg.truth) == 1:
            tally.singles[(seg.truth, seg.ocr)] += 1
        else:
            tally.merges[(seg.truth, seg.ocr)] += 1
            merged[seg.start] = True
        aligned[seg.start : seg.start + len(seg.truth)] = [True] * len(seg.truth)
        tally.stats.chars_counted += len(seg.truth)
    for k in range(len(truth) - 1):
        if aligned[k] and aligned[k + 1] and not merged[k]:
            tally.bigram_kept[truth[k : k + 2]] += 1
    tally.stats.chars_unaligned += unaligned
    tally.stats.insertions_lost += lost


def tally_page(page: RenderedPage, lines: list[str], tally: Tally) -> None:
    stats = tally.stats
    level = page.spec.level
    stats.pages += 1
    for truth_line, ocr in zip(page.lines, lines, strict=True):
        truth = truth_line.text
        stats.lines += 1
        stats.lines_by_level[level] += 1
        if not ocr:
            stats.lines_empty += 1
            stats.skipped_by_level[level] += 1
            continue
        if Levenshtein.normalized_similarity(truth, ocr) < MIN_LINE_SIMILARITY:
            stats.lines_mismatched += 1
            stats.skipped_by_level[level] += 1
            continue
        stats.lines_aligned += 1
        stats.chars += len(truth)
        stats.chars_by_level[level] += len(truth)
        stats.errors_by_level[level] += Levenshtein.distance(truth, ocr)
        count_line(truth, ocr, tally)


# --------------------------------------------------------------------------- driver


def page_json(page: RenderedPage) -> dict:
    return {
        "spec": page.spec.__dict__,
        "angle": page.angle,
        "centre": list(page.centre),
        "lines": [line.__dict__ for line in page.lines],
    }


def page_from_json(data: dict) -> RenderedPage:
    return RenderedPage(
        PageSpec(**data["spec"]),
        [TruthLine(**line) for line in data["lines"]],
        data["angle"],
        tuple(data["centre"]),
    )


def process_page(
    spec: PageSpec, vocab: Vocab, seed: int, workdir: Path, reuse: bool, keep_images: bool
) -> tuple[RenderedPage, dict[str, Path]]:
    stem = workdir / f"page_{spec.index:04d}"
    meta_path = stem.with_suffix(".json")
    tsv_paths = {model: workdir / f"{stem.name}.{model}.tsv" for model in MODELS}
    if reuse and meta_path.exists() and all(p.exists() for p in tsv_paths.values()):
        return page_from_json(json.loads(meta_path.read_text(encoding="utf-8"))), tsv_paths
    image, page = render_page(spec, vocab, seed)
    image_path = stem.with_suffix(".png")
    image.save(image_path, dpi=(DPI, DPI))
    for model in MODELS:
        run_tesseract(image_path, workdir / f"{stem.name}.{model}", model)
    meta_path.write_text(json.dumps(page_json(page), ensure_ascii=False), encoding="utf-8")
    if not keep_images:
        image_path.unlink()
    return page, tsv_paths


def confusion_rows(tallies: dict[str, Tally]) -> list[tuple[str, str, str, int]]:
    rows = []
    for model, tally in tallies.items():
        seen = {t for t, _ in tally.singles}
        for (t, o), n in tally.singles.items():
            if n >= MIN_COUNT or t == o:
                rows.append((model, t, o, n))
        for t in seen:
            if (t, t) not in tally.singles:
                rows.append((model, t, t, 0))
        bigrams = {t for (t, _), n in tally.merges.items() if n >= MIN_COUNT}
        bigrams |= {b for b in BIGRAMS_ALWAYS if tally.bigram_kept[b]}
        for (t, o), n in tally.merges.items():
            if n >= MIN_COUNT:
                rows.append((model, t, o, n))
        for b in bigrams:
            rows.append((model, b, b, tally.bigram_kept[b]))
    rows.sort(key=lambda r: (r[0], r[1], -r[3], r[2]))
    return rows


def describe_level(name: str, p: Degradation) -> str:
    return (
        f"# level {name}: resample {p.scale:g} x {DPI} dpi and back, blur {p.blur},"
        f" noise sd {p.noise}, jpeg q {p.jpeg}, rotation <= {p.max_rotation} deg,"
        f" speckle {p.speckle}, dropout {p.dropout}, ink/paper {p.ink}/{p.paper}"
    )


def describe_model(model: str, s: ModelStats) -> list[str]:
    per_level = ", ".join(
        f"{lv} {s.errors_by_level[lv] / max(s.chars_by_level[lv], 1):.2%}"
        f" ({s.skipped_by_level[lv]}/{s.lines_by_level[lv]} lines skipped)"
        for lv in LEVELS
    )
    return [
        (
            f"# {model}: pages {s.pages}, lines {s.lines} (aligned {s.lines_aligned}, no OCR"
            f" {s.lines_empty}, similarity < {MIN_LINE_SIMILARITY} {s.lines_mismatched}),"
            f" truth chars {s.chars} (counted {s.chars_counted}, in unaligned stretches"
            f" (> {MAX_GAP} chars or garbled) {s.chars_unaligned}),"
            f" unattached inserted chars {s.insertions_lost}"
        ),
        f"# {model} character error rate of aligned lines: {per_level}",
    ]


def header_lines(
    tallies: dict[str, Tally], args: argparse.Namespace, version: str, rows: list
) -> list[str]:
    wordfreq_version = metadata.version("wordfreq")
    lines = [
        f"# generated by {GENERATOR} (synthetic Swedish text, rendered and OCR'd)",
        f"# command: python {GENERATOR} --pages {args.pages} --seed {args.seed}",
        f"# {version}; --psm 4, TSV output, OMP_THREAD_LIMIT=1",
    ]
    lines += [f"# traineddata {m}: {traineddata_digest(m)}" for m in MODELS]
    lines += [
        (
            f"# seed {args.seed}; text: wordfreq {wordfreq_version} top_n_list('sv',"
            f" {VOCAB_SIZE}), alphabetic Latin tokens, weight freq**{FREQ_EXPONENT};"
            " sentence capitals, , . :, numbers, dates, §, bullets, hyphen, en dash,"
            " extra Å/Ä/Ö-initial capitalised words, a few all-caps words"
        ),
        (
            f"# fonts: {', '.join(FONTS)} at {'/'.join(map(str, POINT_SIZES))} pt, A4 {DPI}"
            " dpi; pages cycle font x level x size"
        ),
    ]
    lines += [describe_level(name, p) for name, p in LEVELS.items()]
    for model, tally in tallies.items():
        lines += describe_model(model, tally.stats)
    dropped = {m: t.stats.chars_counted for m, t in tallies.items()}
    for model, t, _, n in rows:
        if len(t) == 1:
            dropped[model] -= n
    dropped_text = ", ".join(f"{m} {n}" for m, n in dropped.items())
    lines += [
        "# columns: model, truth (1-2 chars), ocr (0-2 chars; empty = deletion), count.",
        (
            "# P(ocr | truth) = count / sum(count for same model and truth). One-character"
            " truths: every aligned truth character; inserted OCR characters are attached to"
            " the preceding (else following) character; characters involved in a 2->1 merge"
            " are counted only under the bigram."
        ),
        (
            "# Two-character truths: 2->1 merges plus the identity row = aligned occurrences of"
            " the bigram that were not merged (their characters are counted one by one), so"
            " P(merge | bigram) = count / sum."
        ),
        (
            f"# Rows with count < {MIN_COUNT} are dropped except identities (dropped"
            f" one-character mass: {dropped_text}). A space is written as a literal U+0020."
        ),
    ]
    return lines


def write_tsv(path: Path, header: list[str], rows: list[tuple[str, str, str, int]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for line in header:
            handle.write(line + "\n")
        handle.write("model\ttruth\tocr\tcount\n")
        for model, truth, ocr, count in rows:
            handle.write(f"{model}\t{truth}\t{ocr}\t{count}\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES, help="pages to render")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output TSV path")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    parser.add_argument("--jobs", type=int, default=2, help="parallel tesseract processes")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="scratch dir")
    parser.add_argument("--reuse", action="store_true", help="reuse OCR output in workdir")
    parser.add_argument("--keep-images", action="store_true", help="keep rendered PNGs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    args.workdir.mkdir(parents=True, exist_ok=True)
    version = tesseract_version()
    vocab = load_vocab()
    specs = page_specs(args.pages)
    tallies = {model: Tally() for model in MODELS}
    done = 0

    def job(spec: PageSpec) -> tuple[RenderedPage, dict[str, Path]]:
        return process_page(spec, vocab, args.seed, args.workdir, args.reuse, args.keep_images)

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for page, tsv_paths in pool.map(job, specs):
            for model, tsv_path in tsv_paths.items():
                lines = ocr_lines(read_ocr_words(tsv_path, page), page)
                tally_page(page, lines, tallies[model])
            done += 1
            elapsed = time.monotonic() - started
            print(f"page {done}/{args.pages} done, {elapsed:.0f} s", file=sys.stderr, flush=True)

    rows = confusion_rows(tallies)
    write_tsv(args.out, header_lines(tallies, args, version, rows), rows)
    elapsed = time.monotonic() - started
    print(f"wrote {len(rows)} rows to {args.out} in {elapsed:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
