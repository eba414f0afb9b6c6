"""An en dash or a hyphen, by the width OCR measured on the page image (`Word.dashes`).

From the text alone a hyphen in a range (`6-10`, `1998-2004`) cannot be told from an en
dash OCR read as one (Tesseract's Swedish model reads every en dash so), and a printed
hyphen is kept. The page image can tell: a dash between digits as wide as a digit is an
en dash, one two thirds of that or less a hyphen. Where a width was measured (OCR'd pages
in a proportional font; never on legacy text or typewriter pages), a dash is changed to
what its width says, with the measured share of such changes that were right.

The widths are shares of the height of the glyphs beside the dash (digits, or the letters
of the words around a lone dash), measured on the page images of the development corpora
and the samples with `bench/dashes.py`, in proportional fonts:

| dash | hyphens | en dashes (OCR read `-` or `—`) |
|---|---|---|
| between digits | 69, width 0.34–0.42 | 11, width 0.71–0.78 |
| alone between words | 4, width 0.54 | 5, width 1.08–1.11 |

The cuts lie between the two: from 0.5 between digits an en dash (DejaVu's en dash, narrower
than most, measures 0.57, its hyphen 0.34–0.37), from 0.65 beside letters (DejaVu: 0.72 and
0.46–0.48). Each rule's score is the share of its changes that were right, counting one right and
one wrong change more than were seen, as in `symbols`: (right + 1) / (seen + 2), rounded
down. On the typewriter pages (monospaced) the two cannot be told apart (hyphens 0.64–0.75,
en dashes 0.70–0.73): OCR measures nothing there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.model import Word, dash_offsets

EN_DASH, HYPHEN = "–", "-"


@dataclass(frozen=True)
class Rule:
    """From what width a dash is an en dash (and below what an em dash), below what a
    hyphen, and how often each change was right."""

    en_from: float
    em_from: float
    hyphen_below: float
    en_score: float
    hyphen_score: float

    def judge(self, read: str, width: float) -> tuple[str, float] | None:
        if read in "-—" and self.en_from <= width < self.em_from:
            return EN_DASH, self.en_score
        if read == EN_DASH and width < self.hyphen_below:
            return HYPHEN, self.hyphen_score
        return None


# 11 seen, 11 right; an en dash read as a hyphen: none seen (Tesseract reads en dashes as
# hyphens, not the other way round)
BETWEEN_DIGITS = Rule(0.5, 1.1, 0.45, en_score=0.92, hyphen_score=0.5)
ALONE = Rule(0.65, 1.6, 0.6, en_score=0.85, hyphen_score=0.5)  # 5 seen, 5 right; none


def fixes(words: list[Word]) -> Iterator[tuple[int, str, float]]:
    """(index, the word as its measured widths say, score) for each word of a line whose
    dashes read otherwise than they were measured."""
    for i, word in enumerate(words):
        if not word.dashes:  # none measured: most words
            continue
        offsets = dash_offsets(word.text)
        if len(offsets) != len(word.dashes):
            continue
        rule = ALONE if offsets == [0] else BETWEEN_DIGITS
        chars, scores = list(word.text), []
        for k, width in zip(offsets, word.dashes, strict=True):
            if judged := rule.judge(chars[k], width):
                chars[k] = judged[0]
                scores.append(judged[1])
        if scores:
            yield i, "".join(chars), min(scores)
