"""How much a string looks like a Swedish word or name: letter trigram models.

A token the lexicon does not know is either a real word it lacks (a name, a rare
compound) or a known word that OCR damaged. The lexicon cannot say which; the letters
can: "Keskinen" and "Brask" look like names, "tjanstgérande" and "6versinda" look like
nothing Swedish. Two models, one trained on the lexicon's word forms and one on names
(given names, surnames and the lexicon's proper nouns, places among them), give
log10 P(string) with an end mark, so strings of every length share one scale.

The counts are built by `dictionaries/build_shapes.py` from the lexicon and the name
lists into `dictionaries/sv_letter_trigrams.tsv` (Witten-Bell smoothing at load). Reading
the file and counting its contexts took a worker 47 ms, twice the rest of its
restoration data; so the counts are kept on disk beside the lexicon's cache (a pickle
named by the file's checksum, `make install` makes it), and read from there in 7 ms.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import math
import os
import pickle
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from pipeline.restore import lexicon
from pipeline.restore.lexicon import DICTIONARIES

log = logging.getLogger(__name__)

TRIGRAMS: Final = "sv_letter_trigrams.tsv"
MODELS: Final = ("word", "name")
BOUND: Final = "^"  # before the first letter (twice) and, as the last symbol, after the last
ALPHABET: Final = 60  # letters a model may meet, for the floor of an unseen one
# log10 P of a letter (or the end) given the two before, averaged over the forms of
# either model (word: -0.957, name: -0.925, on 3,000 forms each drawn at random).
MEAN_LETTER: Final = -0.95
UNSEEN: Final = 1e-3  # the unigram share kept for letters no model has seen (a digit, a mark)
CACHE_FORMAT: Final = 1  # made anew when what the cache holds changes, not only the file


class Shape:
    """Letter trigrams of one kind of string, with Witten-Bell interpolation."""

    def __init__(self, counts: Counter[str],
                 contexts: tuple[Counter[str], Counter[str]] | None = None) -> None:
        """`contexts`: the counts of each context and of the letters seen after it, as
        made here from `counts` before (kept in the disk cache)."""
        self.counts = counts  # "abc": c after "ab"; "bc": c after "b"; "c": c; keys by length
        if contexts is None:
            contexts = Counter(), Counter()
            for gram, n in counts.items():
                contexts[0][gram[:-1] + "\0"] += n
                contexts[1][gram[:-1] + "\0"] += 1
        self._context: Counter[str] = contexts[0]
        self._kinds: Counter[str] = contexts[1]
        self._unigrams = sum(n for g, n in counts.items() if len(g) == 1)
        self._cache: dict[str, float] = {}
        self._grams: dict[str, float] = {}  # "abc" -> log10 P(c after "ab"), as asked

    def logp(self, word: str) -> float:
        """log10 P(word) under the model (lower case, end mark included)."""
        found = self._cache.get(word)
        if found is None:
            padded, grams = BOUND * 2 + word + BOUND, self._grams
            found = 0.0  # added from the left
            for i in range(2, len(padded)):
                gram = padded[i - 2:i + 1]
                p = grams.get(gram)
                found += p if p is not None else self._gram(gram)
            if len(self._cache) < 200_000:
                self._cache[word] = found
        return found

    def _gram(self, gram: str) -> float:
        """log10 P(the third letter after the first two), worked out the first time."""
        found = math.log10(self._p(gram[:2], gram[2]))
        if len(self._grams) < 500_000:
            self._grams[gram] = found
        return found

    def _p(self, context: str, letter: str) -> float:
        p = ((1 - UNSEEN) * self.counts.get(letter, 0) / self._unigrams
             + UNSEEN / ALPHABET)
        for k in (1, 2):  # bigram, then trigram, each interpolated with the one below
            ctx = context[-k:]
            seen = self._context.get(ctx + "\0", 0)
            if seen:
                kinds = self._kinds[ctx + "\0"]
                p = (self.counts.get(ctx + letter, 0) + kinds * p) / (seen + kinds)
        return p


def count(words: Iterable[str]) -> Counter[str]:
    """Trigram, bigram and unigram counts of lower-case words, with the bounds."""
    counts: Counter[str] = Counter()
    for word in words:
        padded = BOUND * 2 + word.lower() + BOUND
        for i in range(2, len(padded)):
            counts[padded[i - 2:i + 1]] += 1
            counts[padded[i - 1:i + 1]] += 1
            counts[padded[i]] += 1
    return counts


@functools.cache
def checksums(folder: Path = DICTIONARIES) -> dict[str, str]:
    return {TRIGRAMS: hashlib.sha256((folder / TRIGRAMS).read_bytes()).hexdigest()}


@functools.cache
def load(folder: Path = DICTIONARIES) -> dict[str, Shape]:
    """The models, from the disk cache where it holds them (else read, and kept there)."""
    cached = lexicon.CACHE / f"shapes-{checksums(folder)[TRIGRAMS][:16]}-{CACHE_FORMAT}.pickle"
    try:
        with cached.open("rb") as file:
            kept = pickle.load(file)
        models = {m: Shape(kept[m][0], (kept[m][1], kept[m][2])) for m in MODELS}
        with contextlib.suppress(OSError):  # used now: pruning keeps it
            os.utime(cached)
        return models
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError,
            IndexError, AttributeError):
        pass  # none yet, or not one this Python can read: made again
    counts: dict[str, Counter[str]] = {m: Counter() for m in MODELS}
    for line in (folder / TRIGRAMS).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            model, gram, n = line.split("\t")
            counts[model][gram] = int(n)
    models = {m: Shape(counts[m]) for m in MODELS}
    _store(cached, models)
    return models


def _store(path: Path, models: dict[str, Shape]) -> None:
    """Keep the models' counts on disk (written whole, then renamed into place)."""
    tmp = path.with_suffix(f".tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as out:
            pickle.dump({m: (s.counts, s._context, s._kinds) for m, s in models.items()},
                        out, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError as exc:  # no cache is slower, not wrong
        log.debug("cannot write the letter models' cache %s: %s", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return
    lexicon._prune(path, ("shapes-*.pickle",))
