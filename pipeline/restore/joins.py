"""Words OCR split with a space ("Budgetut fall", "Köpopt ionsavtal"): joined again.

Two neighbouring tokens on a line are one word when together they are a listed word or
a compound of listed parts and apart at least one of them is no word at all: neither
listed, nor a compound, nor a word OCR could have misread (the lexicon search finds no
reading of it within a few likely confusions). Two tokens that are each a word ("Kommun
fullmäktige", "fler trygghetsboenden") stay apart: printed so, they are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from pipeline.model import Correction, Document
from pipeline.restore import calibration, candidates, tokens
from pipeline.restore.channel import Channel
from pipeline.restore.lexicon import Lexicon

MIN_PART: Final = 3  # a shorter part is too often a word of its own or an abbreviation
RIVAL_COST: Final = 3.0  # -log10 P(ocr | word): a reading this likely makes a part a word
JOINED: Final = 0.9  # the score before calibration: a join rests on the lexicon alone


def corrections(doc: Document, lexicon: Lexicon, channel: Channel, *,
                done: Iterable[tuple[int, int, int]], threshold: float,
                english: float) -> list[Correction]:
    taken = set(done)
    table = calibration.load()
    out = []
    for page in doc.pages:
        for li, line in enumerate(page.lines):
            words = [w.text for w in line.words]
            ends = [_ends(w) for w in words]
            wi = 0
            while wi + 1 < len(words):
                joined = (ends[wi] & FIRST and ends[wi + 1] & SECOND
                          and _join_remembered(words[wi], words[wi + 1], lexicon, channel))
                if joined and not {(page.number, li, wi), (page.number, li, wi + 1)} & taken:
                    score = table.score(calibration.family("join", english), JOINED)
                    out.append(Correction(
                        page=page.number, line=li, word=wi, before=f"{words[wi]} {words[wi + 1]}",
                        after=joined, kind="join", score=round(score, 4), origin="lexicon",
                        words=2, applied=score >= threshold))
                    wi += 2
                    continue
                wi += 1
    return out


# a printed word may be the first part of a join (FIRST), the second (SECOND)
FIRST: Final = 1
SECOND: Final = 2
_ENDS: Final[dict[str, int]] = {}  # `_ends`, per process


def _ends(word: str) -> int:
    """Which part of a join (FIRST, SECOND) the word as printed may be, by what `_join`
    asks of each before it looks anything up: most pairs are ruled out so."""
    found = _ENDS.get(word)
    if found is None:
        token = tokens.split_remembered(word)
        letters = token.core.isalpha() and len(token.core) >= MIN_PART
        found = ((FIRST if letters and not token.trail else 0)
                 | (SECOND if letters and not token.lead and token.core.islower() else 0))
        if len(_ENDS) >= 200_000:
            _ENDS.clear()
        _ENDS[word] = found
    return found


_JOINS: Final[dict[tuple[str, str, int, int], str | None]] = {}  # `_join`, per process


def _join_remembered(first: str, second: str, lexicon: Lexicon,
                     channel: Channel) -> str | None:
    """`_join`, remembered: the same pairs of words come back in every document."""
    key = (first, second, id(lexicon), id(channel))
    if key in _JOINS:
        return _JOINS[key]
    if len(_JOINS) >= 100_000:
        _JOINS.clear()
    found = _JOINS[key] = _join(first, second, lexicon, channel)
    return found


def _join(first: str, second: str, lexicon: Lexicon, channel: Channel) -> str | None:
    a, b = tokens.split_remembered(first), tokens.split_remembered(second)
    if a.trail or b.lead or not (a.core.isalpha() and b.core.isalpha()):
        return None
    if min(len(a.core), len(b.core)) < MIN_PART or not b.core.islower():
        return None
    if _word(a.core, lexicon, channel) and _word(b.core, lexicon, channel):
        return None
    whole = a.core + b.core
    if not (lexicon.is_word(whole.lower()) or _reads_as(whole, lexicon, channel)):
        return None
    return a.lead + whole + b.trail


_WORDS: Final[dict[tuple[str, int, int], bool]] = {}  # `_word`, per process


def _word(core: str, lexicon: Lexicon, channel: Channel) -> bool:
    """A word, a compound or an abbreviation, or one OCR could have misread."""
    key = (core, id(lexicon), id(channel))
    found = _WORDS.get(key)
    if found is None:
        lower = core.lower()
        if len(_WORDS) >= 200_000:
            _WORDS.clear()
        found = _WORDS[key] = (lexicon.is_word(lower) or lower in lexicon.abbreviations
                               or any(min(c.cost) <= RIVAL_COST
                                      for c in candidates.search(core, lexicon, channel)))
    return found


def _reads_as(whole: str, lexicon: Lexicon, channel: Channel) -> bool:
    """The joined letters are a compound of listed parts, as they stand. The search's
    readings are asked only where the letters can be cut into listed forms at all (most
    joined letters cannot: a search of them is dear, and that test cheap)."""
    lower = whole.lower()
    return _in_forms(lower, lexicon) and any(
        c.text == lower for c in candidates.search(whole, lexicon, channel))


def _in_forms(word: str, lexicon: Lexicon) -> bool:
    """Whether the word can be cut into listed forms of two letters or more
    (`candidates.MIN_PART`), a linking s allowed after each but the last: what the search
    asks of a compound it reads as printed, and less (no form's roles), so that where this
    is False the search finds no such reading either."""
    index, n = lexicon.index, len(word)
    reached = [True] + [False] * n  # where a form may start
    for i in range(n):
        if not reached[i]:
            continue
        for j in range(i + 1, n + 1):
            if j - i < candidates.MIN_PART:
                continue
            if not index.has_prefix(word[i:j]):
                break
            if index.entry(word[i:j]) >= 0:
                reached[j] = True
                if j < n and word[j] == "s":
                    reached[j + 1] = True
    return reached[n]
