"""The OCR channel: how likely an OCR engine reads a truth string as an OCR string.

Estimated from aligned OCR output (dictionaries/ocr_confusions_tesseract5.tsv, made by
dictionaries/build_confusions.py) for two kinds of OCR: Tesseract's English model
(which cannot write å, ä, ö) and its Swedish one. A document's own OCR is a mixture of
the two in a proportion estimated per document (see `restore.decide`).
"""

from __future__ import annotations

import functools
import hashlib
import math
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from pipeline.restore.lexicon import DICTIONARIES

CONFUSIONS: Final = "ocr_confusions_tesseract5.tsv"
MODELS: Final = ("eng", "swe")
FLOOR: Final = 1e-6  # probability of a confusion never seen in the estimate
IDENTITY: Final = 0.995  # P(c read as c) for a character the estimate has no data on
MIN_SOURCE: Final = 1e-4  # confusions rarer than this under both models are not searched
MIN_PAIR_COUNT: Final = 50  # two-letter truths seen unmerged fewer times than this are not used
_VOWELS: Final = set("aeiouyåäöé")
_DOTTED: Final = set("åäöüÅÄÖÜ")
# what OCR writes for the dots or ring of a letter split off
_ACCENT_PIECES: Final = set("éè'`´¨")
# each letter to the one under its dots or ring
RINGS: Final = str.maketrans("åäöüÅÄÖÜ", "aaouAAOU")
MAX_DELETIONS: Final = 8  # the most likely letters OCR drops, tried when a letter may be missing


@dataclass(frozen=True)
class Source:
    """A truth string that an OCR segment may come from, with log10 P(ocr | truth)."""

    truth: str
    logp: tuple[float, float]  # per model, in MODELS order

    def __reduce__(self) -> tuple[type[Source], tuple[str, tuple[float, float]]]:
        """Pickled as a call to make it: compiled by mypyc (setup.py), a frozen instance
        cannot be given its fields after it is made."""
        return Source, (self.truth, self.logp)

    @property
    def lower(self) -> str:
        return self.truth.lower()

    @property
    def cases(self) -> frozenset[str]:
        """The case patterns this truth can stand in: lower, upper, title (first letter)."""
        lower, truth = self.truth.lower(), self.truth
        return frozenset(name for name, form in (
            ("lower", lower), ("upper", truth.upper()), ("title", lower[:1].upper() + lower[1:]))
            if form == truth)


@dataclass
class Channel:
    probs: dict[tuple[str, str], tuple[float, float]]  # (truth, ocr) -> P per model
    totals: dict[str, tuple[int, int]]  # truth -> observations per model
    sources: dict[str, list[Source]] = field(default_factory=dict)  # ocr segment -> truths
    deletions: list[Source] = field(default_factory=list)  # truth chars read as nothing
    checksum: str = ""
    _logps: dict[tuple[str, str], tuple[float, float]] = field(  # `logp`, as asked
        default_factory=dict, repr=False, compare=False)

    def logp(self, truth: str, ocr: str) -> tuple[float, float]:
        """log10 P(ocr | truth) per model."""
        found = self._logps.get((truth, ocr))
        if found is None:
            if len(self._logps) >= 100_000:
                self._logps.clear()
            found = self._logps[truth, ocr] = self._estimate(truth, ocr)
        return found

    def _estimate(self, truth: str, ocr: str) -> tuple[float, float]:
        return _pair(math.log10(p) for p in self.prob(truth, ocr))

    def prob(self, truth: str, ocr: str) -> tuple[float, float]:
        """P(ocr | truth) per model, what `logp` is the log10 of: the table's, or for a
        pair it never saw the floor (or, for a character it never saw, the identity)."""
        found = self.probs.get((truth, ocr))
        if found is None:
            if truth == ocr and truth not in self.totals:
                found = (IDENTITY, IDENTITY)
            else:
                found = _pair(FLOOR if self.totals.get(truth, (0, 0))[m] else
                              (IDENTITY if truth == ocr else FLOOR) for m in range(2))
        return found

    def hides_vowel(self, ocr: str) -> bool:
        """True when some model reads a vowel as this character at least 1% of the time
        (the English model reads ä as "d")."""
        return any(s.truth in _VOWELS and s.truth != ocr and max(s.logp) >= -2.0
                   for s in self.sources_of(ocr))

    def sources_of(self, ocr: str) -> list[Source]:
        """The truth strings worth trying for an OCR segment; itself first."""
        found = self.sources.get(ocr)
        if found is None:
            found = [Source(ocr, self.logp(ocr, ocr))] if len(ocr) == 1 else []
        return found


def _pair(values: Iterable[float]) -> tuple[float, float]:
    """A value per model (MODELS), from the two that `values` gives."""
    first, second = values
    return first, second


_LOCK: Final = threading.Lock()


def load(path: Path = DICTIONARIES / CONFUSIONS) -> Channel:
    """The confusion estimate, read once per process."""
    with _LOCK:
        return _load(path)


@functools.cache
def _load(path: Path) -> Channel:
    data = path.read_bytes()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for line in data.decode("utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("model\t"):
            continue
        model, truth, ocr, count = line.split("\t")
        if model in MODELS:
            counts[truth, ocr][MODELS.index(model)] += int(count)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (truth, _), pair in counts.items():
        for m in range(2):
            totals[truth][m] += pair[m]
    for truth in [t for t in totals if len(t) == 2]:
        # A two-letter truth is counted when merged into one letter or not merged. Both
        # models read the same pages, so the larger count stands for both; a pair seen
        # too rarely to give a rate is left out.
        if max(counts.get((truth, truth), [0, 0])) < MIN_PAIR_COUNT:
            for key in [k for k in counts if k[0] == truth]:
                del counts[key]
            del totals[truth]
        else:
            totals[truth] = [max(totals[truth])] * 2
    for (truth, ocr), pair in list(counts.items()):
        # the dots of a letter read as a piece of their own beside it ("ä" as "aé", "ai",
        # "ad"; "ö" as "o6") come first or last as the pieces' boxes fall on the page,
        # which the typeface decides: the other order is as likely ("ia", "da", "6o")
        if truth in _DOTTED and len(ocr) == 2 and (
                _ACCENT_PIECES & set(ocr) or truth.translate(RINGS) in ocr):
            counts.setdefault((truth, ocr[::-1]), list(pair))
    probs = {}
    for (truth, ocr), pair in counts.items():
        probs[truth, ocr] = _pair(
            max(pair[m] / totals[truth][m], FLOOR) if totals[truth][m] else
            (IDENTITY if truth == ocr else FLOOR) for m in range(2))
    channel = Channel(probs=probs, totals={t: (v[0], v[1]) for t, v in totals.items()},
                      checksum=hashlib.sha256(data).hexdigest())
    _index(channel)
    return channel


def _index(channel: Channel) -> None:
    by_ocr: dict[str, list[Source]] = defaultdict(list)
    for (truth, ocr), pair in channel.probs.items():
        if max(pair) < MIN_SOURCE or not truth.strip() or not _letters(truth):
            continue
        if len(truth) > 1 and truth == ocr:
            continue  # the same as reading its letters one by one
        source = Source(truth, _pair(math.log10(p) for p in pair))
        if ocr == "":
            channel.deletions.append(source)
        elif ocr.strip() == ocr:
            by_ocr[ocr].append(source)
    channel.deletions.sort(key=lambda s: -max(s.logp))
    del channel.deletions[MAX_DELETIONS:]
    for ocr, found in by_ocr.items():
        if len(ocr) == 1 and all(s.truth != ocr for s in found):
            found.append(Source(ocr, channel.logp(ocr, ocr)))
        found.sort(key=lambda s: (s.truth != ocr, -max(s.logp)))
        channel.sources[ocr] = found


def _letters(text: str) -> bool:
    return all(ch.isalpha() for ch in text)
