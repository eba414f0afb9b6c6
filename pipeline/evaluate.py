"""Measuring the text against the truth: CER, WER and damage.

Texts are compared after Unicode NFC normalisation with every run of whitespace
(newlines and form feeds included) collapsed to one space. Damage counts the truth words
that the OCR input had right and the corrected text has wrong: what correction broke.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein


@dataclass(frozen=True)
class Score:
    words: int  # in the truth
    chars: int
    char_errors: int
    word_errors: int
    damaged: int  # truth words right in the input and wrong here

    @property
    def cer(self) -> float:
        return self.char_errors / max(self.chars, 1)

    @property
    def wer(self) -> float:
        return self.word_errors / max(self.words, 1)

    @property
    def damage(self) -> float:
        return self.damaged / max(self.words, 1)

    def __add__(self, other: Score) -> Score:
        return Score(*(a + b for a, b in zip(self._tuple(), other._tuple(), strict=True)))

    def _tuple(self) -> tuple[int, ...]:
        return (self.words, self.chars, self.char_errors, self.word_errors, self.damaged)


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def score(truth: str, text: str, *, before: str | None = None) -> Score:
    """Errors of `text` against `truth`; damage relative to `before` (the uncorrected text)."""
    truth, text = normalize(truth), normalize(text)
    truth_words, words = truth.split(), text.split()
    damaged = 0
    if before is not None:
        damaged = len(_right(truth_words, normalize(before).split()) - _right(truth_words, words))
    return Score(words=len(truth_words), chars=len(truth),
                 char_errors=Levenshtein.distance(truth, text),
                 word_errors=Levenshtein.distance(truth_words, words), damaged=damaged)


def _right(truth_words: list[str], words: list[str]) -> set[int]:
    """Indices of the truth words that an alignment finds unchanged in `words`."""
    right: set[int] = set()
    for op in Levenshtein.opcodes(truth_words, words):
        if op.tag == "equal":
            right.update(range(op.src_start, op.src_end))
    return right


def gold_for(name: str, gold_dir: Path) -> Path | None:
    """The truth file of an output: the longest NAME.gold.txt whose NAME begins the name."""
    golds = sorted(gold_dir.glob("*.gold.txt"), key=lambda p: -len(p.name))
    for gold in golds:
        stem = gold.name[: -len(".gold.txt")]
        if name == stem or name.startswith(stem + ".") or name.startswith(stem + "-"):
            return gold
    return None
