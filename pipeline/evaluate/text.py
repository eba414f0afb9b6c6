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


@dataclass
class Row:
    name: str  # the output folder
    group: str  # what distinguishes the input from its truth's name, e.g. ".ocr_eng"
    scores: dict[str, Score]  # "input", "protokoll", and one per baseline


def evaluate(gold_dir: Path, out_dir: Path, *, baselines: bool = True) -> list[Row]:
    """Score every output folder of OUT_DIR that has a truth file in GOLD_DIR."""
    from pipeline.evaluate import baselines as base

    rows = []
    for folder in sorted(p for p in out_dir.iterdir() if (p / "text.txt").is_file()):
        gold = gold_for(folder.name, gold_dir)
        if gold is None:
            continue
        truth = gold.read_text(encoding="utf-8")
        raw = (folder / "raw.txt").read_text(encoding="utf-8")
        texts = {"input": raw, "protokoll": (folder / "text.txt").read_text(encoding="utf-8")}
        if baselines:
            texts["symspell"] = base.correct_text(raw, base.symspell)
            texts["hunspell"] = base.correct_text(raw, base.hunspell)
        scores = {k: score(truth, t, before=None if k == "input" else raw)
                  for k, t in texts.items()}
        group = folder.name[len(gold.name) - len(".gold.txt"):] or "(same name)"
        rows.append(Row(folder.name, group, scores))
    return rows


def table(rows: list[Row]) -> str:
    """Per document and per group: CER, WER, damage; and WER reduction against the input."""
    lines = [f"{'document':34} {'text':10} {'CER':>7} {'WER':>7} {'WER red.':>9} {'damage':>7}"]
    groups: dict[str, dict[str, Score]] = {}
    for row in rows:
        for kind, s in row.scores.items():
            total = groups.setdefault(row.group, {})
            total[kind] = total[kind] + s if kind in total else s
            lines.append(_line(row.name, kind, s, row.scores["input"]))
    for group, totals in sorted(groups.items()):
        lines.append("")
        for kind, s in totals.items():
            lines.append(_line(f"all {group}", kind, s, totals["input"]))
    return "\n".join(lines)


def _line(name: str, kind: str, s: Score, base: Score) -> str:
    reduction = 1 - s.wer / base.wer if base.wer else 0.0
    damage = f"{s.damage:7.2%}" if kind != "input" else f"{'':7}"
    red = f"{reduction:9.1%}" if kind != "input" else f"{'':9}"
    return f"{name:34} {kind:10} {s.cer:7.4f} {s.wer:7.4f} {red} {damage}"
