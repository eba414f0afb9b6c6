"""Scores that are measured probabilities: the model's posterior mapped to how often a
change with that posterior was right.

The noisy-channel posterior ranks changes well but is overconfident, and more so where
the OCR kept its diacritics (a change there is rarer, and a name or a slip is likelier
the cause of an odd token) than where it lost them. `dictionaries/
restore_calibration.tsv` (made by `bench/calibrate.py` from the development corpora:
every change proposed on their texts and page images, judged against the truth) maps,
per family of change (its kind, and whether the document's OCR lost or kept its
diacritics), the posterior to the share right: an isotonic regression whose pools each
count one right and one wrong change more than they saw (so a pool of few is not trusted
far), given as knots at each pool's lowest and highest posterior, read between knots by
straight lines and beyond the last knot as the last. Below the first knot nothing was
measured, so a posterior there keeps its value where it is lower than the first knot's
(a family whose changes were all right at 0.8 and above says nothing of one at 0.5). A
family the table lacks keeps its posterior; but a name-position change read as a common
word or a given name is scored as a name's change where its own family was never
measured.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
from pathlib import Path
from typing import Final

from pipeline.restore import context, lexicon
from pipeline.restore.channel import RINGS
from pipeline.restore.lexicon import DICTIONARIES

CALIBRATION: Final = "restore_calibration.tsv"
LOST: Final = 0.5  # a document whose OCR is at least this English-like lost its diacritics
STRUCTURE: Final = "structure"  # the segmenter's repairs (origin structure), one family


STRIP: Final = "strip"  # a change that only takes dots and rings off (Hölm → Holm, äv → av)
RESPELLED: Final = "name-respelled"  # a name changed in more than its å, ä, ö, ü (Nilsen → Nilson)
NAME_WORD: Final = "name-word"  # where a name may stand, an unlisted token read as a listed word
NAME_GIVEN: Final = "name-given"  # ... or as a listed given name ("Hakan" → Håkan, "Mans" → Måns)
_SWEDISH: Final = frozenset("åäöüÅÄÖÜ")  # the letters an English model cannot write


def family(kind: str, english: float, before: str = "", after: str = "") -> str:
    """The calibration family of a change: its kind (or `STRIP` for a change that only
    takes the dots and rings off letters, whatever its kind: where OCR keeps diacritics
    it also invents them on specks, another error than a letter lost or misread;
    `RESPELLED` for a name changed otherwise than by putting back å, ä, ö or ü, whatever
    OCR wrote for them: "Sandstrém" is Sandström, but "Francesca" is no Francesco;
    `NAME_WORD` and `NAME_GIVEN` for a token where a name may stand read, by putting back
    dots and rings only, as a common word or a given name), and whether the OCR lost
    diacritics."""
    # (a word with no dotted or ringed letter is its own copy: no copy made)
    if before != after and any(ch in _SWEDISH for ch in before) \
            and before.translate(RINGS) == after:
        kind = STRIP
    elif kind == "name" and not _letters_put_back(before, after):
        kind = RESPELLED
    elif kind == "name" and (read := _read_back(before, after)) is not None:
        kind = read
    return f"{kind}/{'lost' if english >= LOST else 'kept'}"


_MARKS: Final = "\"'“”‘’«»()[].,:;!?"
# The last elements of most Swedish surnames made of common words (Bäckström, Sandberg,
# Ekdahl): such a word where a name stands is likelier a surname (the word lists have some
# surnames in lower case, too).
_SURNAME_ENDINGS: Final = ("ström", "berg", "lund", "qvist", "kvist", "gren", "dahl", "dal",
                           "holm", "bäck", "borg", "fors", "stedt", "sten", "blad", "man", "son")


@functools.lru_cache(maxsize=20_000)  # per process: the same names come back in documents
def _read_back(before: str, after: str) -> str | None:
    """`NAME_WORD` where a token no list has, where a name may stand, is read by putting
    back only dots and rings as a word the lexicon has as a common word and no name
    ("Trafikingenjor" after a person's name is Trafikingenjör); `NAME_GIVEN` where it is
    so read as a listed given name ("Mans" → Måns); None for the other changes of names:
    a name given its letters back ("Stahl" → Ståhl), a listed name read as another word
    ("Sara" → "Såra", "Marta" → "Märta"), a change of more than dots and rings ("Brask" →
    "Bråk")."""
    read, printed = after.strip(_MARKS).lower(), before.strip(_MARKS).lower()
    if len(read) != len(printed) or read.translate(RINGS) != printed.translate(RINGS):
        return None
    lex = lexicon.load()
    if lex.is_proper(printed) or context.is_given(printed):
        return None
    if (not lex.is_proper(read) and not read.endswith(_SURNAME_ENDINGS)
            and (lex.is_word(read, capitalized=False) or _common_compound(read, lex))):
        return None if lex.is_word(printed) else NAME_WORD
    return NAME_GIVEN if context.is_given(read) else None


def _common_compound(word: str, lex: lexicon.Lexicon, parts: int = 3) -> bool:
    """True for a compound of common words, no name among them ("rådhus" + "salen",
    "verksamhets" + "områdes" + "chef"): each part a listed word (before the last, one
    that may begin a compound, or such a word and the linking -s-), the last one that may
    end one."""
    for i in range(2, len(word) - 1):
        first, rest = word[:i], word[i:]
        begins = (lex.roles(first) & lexicon.BEGIN and lex.is_word(first, capitalized=False)) \
            or (first.endswith("s") and lex.roles(first[:-1]) & lexicon.BEGIN
                and lex.is_word(first[:-1], capitalized=False))
        if not begins:
            continue
        if (lex.roles(rest) & lexicon.END and lex.is_word(rest, capitalized=False)) \
                or (parts > 2 and _common_compound(rest, lex, parts - 1)):
            return True
    return False


@functools.lru_cache(maxsize=20_000)  # per process: the same names come back in documents
def _letters_put_back(before: str, after: str) -> bool:
    """True when every difference is one or two OCR characters read as å, ä, ö or ü, or a
    letter inside the word read in the other case ("TjansteskrivelSe" → Tjänsteskrivelse:
    no name is respelled so)."""
    if before[:1] == after[:1]:
        before, after = before[:1] + before[1:].lower(), after[:1] + after[1:].lower()
    # letter for letter, each letter the same or read back as å, ä, ö or ü (most names
    # given their letters back): so without aligning the two
    if len(before) == len(after) and all(a == b or b in _SWEDISH
                                         for a, b in zip(before, after, strict=True)):
        return True
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return all(op == "equal" or (op == "replace" and a2 - a1 <= 2
                                 and set(after[b1:b2]) <= _SWEDISH)
               for op, a1, a2, b1, b2 in matcher.get_opcodes())


class Calibration:
    def __init__(self, steps: dict[str, tuple[list[float], list[float]]], checksum: str):
        self.steps = steps  # family -> (the knots' posteriors, their probabilities)
        self.checksum = checksum

    def score(self, family: str, posterior: float) -> float:
        found = self.steps.get(family)
        if found is None and family.split("/")[0] in (NAME_WORD, NAME_GIVEN):
            found = self.steps.get("name/" + family.split("/")[1])  # none measured: a name's
        if found is None:
            return posterior
        xs, ys = found
        at = bisect.bisect_right(xs, posterior)
        if at == 0:  # below every posterior measured: no likelier than the model says
            return min(ys[0], posterior)
        if at == len(xs):
            return ys[-1]
        share = (posterior - xs[at - 1]) / (xs[at] - xs[at - 1])
        return ys[at - 1] + share * (ys[at] - ys[at - 1])


@functools.cache
def load(folder: Path = DICTIONARIES) -> Calibration:
    path = folder / CALIBRATION
    if not path.exists():
        return Calibration({}, "")
    data = path.read_bytes()
    steps: dict[str, tuple[list[float], list[float]]] = {}
    for line in data.decode("utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("family\t"):
            continue
        name, start, probability, _count = line.split("\t")
        starts, probabilities = steps.setdefault(name, ([], []))
        starts.append(float(start))
        probabilities.append(float(probability))
    return Calibration(steps, hashlib.sha256(data).hexdigest())
