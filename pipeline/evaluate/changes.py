"""Each change the machine proposed, judged against the truth: right or wrong, and harm.

A change (applied or only suggested) is put beside the truth words that the alignment
with the truth gives it. The text aligned is the raw words with every change made in them
(a change that deletes its words keeps them), so that where the raw words could go two ways
("följande: ; «" for "följande: •"), the change's own text decides. It is *right* when its
text is the truth there, and *harmful* when it was applied to words that were already the
truth.

From these: a calibration table (score bins → share of changes that were right, with
counts), which is what the default threshold is chosen from, and the harm by class
(diacritic, real-word, name, abbreviation, typography, split/merge, other) with examples.
"""

from __future__ import annotations

import bisect
import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from pipeline.model import Correction, Document
from pipeline.restore import lexicon as lexicon_module
from pipeline.restore import tokens
from pipeline.restore.candidates import case_pattern

BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0001)
CLASSES = ("typography", "split/merge", "abbreviation", "name", "real-word", "diacritic",
           "other")
_FOLD = str.maketrans("åäöÅÄÖéÉüÜ", "aaoAAOeEuU")


@dataclass(frozen=True)
class Judged:
    document: str
    correction: Correction
    truth: str  # the truth words where the change stands
    right: bool  # the change's text is the truth
    was_right: bool  # the raw words were already the truth
    english: float = 0.0  # the document's share of English-model OCR, as restoration fitted it

    @property
    def harmful(self) -> bool:
        return self.correction.applied and self.was_right and not self.right


def judge(doc: Document, truth: str, name: str) -> list[Judged]:
    """Every correction of `doc` beside the truth words aligned with it."""
    keys, raw = [], []
    for page in doc.pages:
        for li, line in enumerate(page.lines):
            for wi, word in enumerate(line.words):
                keys.append((page.number, li, wi))
                raw.append(_norm(word.text))
    index = {k: i for i, k in enumerate(keys)}
    english = next((float(step.settings.get("english_share", 0.0)) for step in doc.steps
                    if step.stage == "restore"), 0.0)
    truth_words = _norm(truth).split()
    units, unit_of = _with_changes(raw, index, doc.corrections)
    spans = _aligned_spans(units, truth_words)
    out = []
    for c in doc.corrections:
        first = index.get((c.page, c.line, c.word))
        if first is None:
            continue
        start, end = spans[unit_of[first]][0], spans[unit_of[first + c.words - 1]][1]
        said = " ".join(truth_words[start:end])
        before = " ".join(raw[first:first + c.words])
        out.append(Judged(name, c, said, _right(before, _norm(c.after), said), before == said,
                          english))
    return out


def _with_changes(raw: list[str], index: dict[tuple[int, int, int], int],
                  corrections: list[Correction]) -> tuple[list[str], list[int]]:
    """The raw words with each change made in them (one unit for the words it covers) and,
    for each raw word, its unit. A change that deletes its words, or that covers a word
    another change covers, leaves them as read."""
    replaced: dict[int, Correction] = {}
    covered: set[int] = set()
    for c in corrections:
        first = index.get((c.page, c.line, c.word))
        words = range(first, first + c.words) if first is not None else range(0)
        if not _norm(c.after) or not words or words[-1] >= len(raw) or covered & set(words):
            continue
        replaced[first] = c
        covered.update(words)
    units: list[str] = []
    unit_of: list[int] = []
    i = 0
    while i < len(raw):
        c = replaced.get(i)
        units.append(_norm(c.after) if c else raw[i])
        n = c.words if c else 1
        unit_of += [len(units) - 1] * n
        i += n
    return units, unit_of


def _right(before: str, after: str, truth: str) -> bool:
    """The change's text is the truth; or it is but for a capital that OCR got wrong and the
    change kept as read ("Overskott" → "Överskott" where "överskott" was printed): a change
    claims letters, and keeps the case as read."""
    return after == truth or (after.lower() == truth.lower()
                              and case_pattern(before) == case_pattern(after))


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _aligned_spans(raw: list[str], truth: list[str]) -> list[tuple[int, int]]:
    """For each raw word, the range of truth words it stands for (empty when it stands
    for none), by aligning the two texts letter by letter."""
    raw_text, truth_text = " ".join(raw), " ".join(truth)
    where: list[int | None] = [None] * len(raw_text)  # raw position -> truth position
    # truth letters inserted at a raw position inside or at the start of a word belong to
    # that word ("8142" for "§ 142": the alignment may insert the § and read 8 as a space)
    inserted: dict[int, list[int]] = {}
    for op in Levenshtein.opcodes(raw_text, truth_text):
        n, m = op.src_end - op.src_start, op.dest_end - op.dest_start
        if op.tag in ("equal", "replace"):
            for k in range(n):
                where[op.src_start + k] = op.dest_start + (k * m) // n
        elif op.tag == "insert" and raw_text[op.src_start:op.src_start + 1].strip():
            inserted[op.src_start] = [d for d in range(op.dest_start, op.dest_end)
                                      if truth_text[d] != " "]
    starts, pos = [], 0
    for word in truth:
        starts.append(pos)
        pos += len(word) + 1
    spans, pos = [], 0
    for word in raw:
        mapped = [t for t in where[pos:pos + len(word)] if t is not None]
        mapped += [t for k in range(pos, pos + len(word)) for t in inserted.get(k, ())]
        pos += len(word) + 1
        if not mapped:
            spans.append((0, 0))  # letters the truth does not have
            continue
        first, last = min(mapped), max(mapped) + 1
        lo = max(bisect.bisect_right(starts, first) - 1, 0)
        if starts[lo] + len(truth[lo]) <= first:
            lo += 1  # `first` falls on the space after a word
        hi = bisect.bisect_left(starts, last)
        spans.append((lo, hi) if lo < hi else (0, 0))
    return spans


def judge_outputs(gold_dir: Path, out_dir: Path) -> dict[str, list[Judged]]:
    """The judged changes of every output folder with a truth file, by input kind."""
    from pipeline.evaluate.text import gold_for

    groups: dict[str, list[Judged]] = defaultdict(list)
    for folder in sorted(p for p in out_dir.iterdir() if (p / "document.json").is_file()):
        gold = gold_for(folder.name, gold_dir)
        if gold is None:
            continue
        doc = Document.load(folder / "document.json")
        group = folder.name[len(gold.name) - len(".gold.txt"):] or "(same name)"
        groups[group] += judge(doc, gold.read_text(encoding="utf-8"), folder.name)
    return dict(groups)


def calibration(judged: list[Judged]) -> list[tuple[float, float, int, int, int]]:
    """Score bins: (low, high, changes, right, applied)."""
    rows = []
    for low, high in zip(BINS, BINS[1:], strict=False):
        inside = [j for j in judged if low <= j.correction.score < high]
        rows.append((low, min(high, 1.0), len(inside), sum(j.right for j in inside),
                     sum(j.correction.applied for j in inside)))
    return rows


def calibration_table(judged: list[Judged]) -> str:
    lines = [f"{'score':>13} {'changes':>8} {'right':>7} {'share right':>12} {'applied':>8}"]
    for low, high, n, right, applied in calibration(judged):
        share = f"{right / n:12.1%}" if n else f"{'':12}"
        lines.append(f"{low:5.3f}–{high:5.3f}  {n:8} {right:7} {share} {applied:8}")
    applied = [j for j in judged if j.correction.applied]
    if applied:
        right = sum(j.right for j in applied)
        lines.append(f"{'applied':>13} {len(applied):8} {right:7} {right / len(applied):12.1%}")
    return "\n".join(lines)


def threshold_table(judged: list[Judged],
                    thresholds: tuple[float, ...] = (0.5, 0.8, 0.9, 0.93, 0.95, 0.97, 0.99)
                    ) -> str:
    """What each threshold would apply: changes, share right, correct words damaged."""
    lines = [f"{'threshold':>9} {'applied':>8} {'right':>7} {'share right':>12} {'damaged':>8}"]
    for t in thresholds:
        kept = [j for j in judged if j.correction.score >= t]
        right = sum(j.right for j in kept)
        harm = sum(j.was_right and not j.right for j in kept)
        share = f"{right / len(kept):12.2%}" if kept else f"{'':12}"
        lines.append(f"{t:9.2f} {len(kept):8} {right:7} {share} {harm:8}")
    return "\n".join(lines)


def harm_class(j: Judged, lexicon: lexicon_module.Lexicon) -> str:
    """What kind of correct text a harmful change damaged."""
    before, after = j.correction.before, j.correction.after
    if _letters(before) == _letters(after):
        return "typography"
    if len(before.split()) != len(after.split()) or j.correction.kind in ("split", "join"):
        return "split/merge"
    core = tokens.split(before).core
    if _abbreviation_like(core, lexicon):
        return "abbreviation"
    if core[:1].isupper() and (lexicon.is_proper(core.lower())
                               or not lexicon.is_word(core.lower(), capitalized=False)):
        return "name"
    if lexicon.is_word(core.lower()):
        return "real-word"
    if core.translate(_FOLD).lower() == tokens.split(after).core.translate(_FOLD).lower():
        return "diacritic"
    return "other"


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _abbreviation_like(core: str, lexicon: lexicon_module.Lexicon) -> bool:
    return (tokens.abbreviation(core, lexicon) or tokens.vowelless(core)
            or (core.isupper() and len(core) <= 5))


def harm_table(judged: list[Judged], *, examples: int = 5) -> str:
    lexicon = lexicon_module.load()
    by_class: dict[str, list[Judged]] = defaultdict(list)
    for j in judged:
        if j.harmful:
            by_class[harm_class(j, lexicon)].append(j)
    lines = [f"{'class':13} {'harmed':>6}  examples (before → after)"]
    for name in CLASSES:
        found = by_class.get(name, [])
        shown = "; ".join(f"{j.correction.before} → {j.correction.after or '∅'}"
                          f" ({j.correction.score:.3f})" for j in found[:examples])
        lines.append(f"{name:13} {len(found):6}  {shown}")
    return "\n".join(lines)


def dump(judged: list[Judged], path: Path) -> None:
    """Every judged change as a JSON line, for a closer look."""
    with path.open("w", encoding="utf-8") as f:
        for j in judged:
            c = j.correction
            f.write(json.dumps({"document": j.document, "before": c.before, "after": c.after,
                                "truth": j.truth, "kind": c.kind, "origin": c.origin,
                                "score": c.score, "applied": c.applied, "right": j.right,
                                "was_right": j.was_right}, ensure_ascii=False) + "\n")
