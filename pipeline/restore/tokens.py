"""Words as printed: what may be corrected, and what must be left exactly as it is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from pipeline.restore.lexicon import Lexicon

_EDGE: Final = "\"'“”‘’«»()[]{}<>.,:;!?*…/|"
_URL: Final = re.compile(r"(?i)^(https?://|www\.)|@|\.(se|nu|com|org|net|eu)(/|$)")
_NUMBERLIKE: Final = re.compile(r"^[\d\s.,:/–—\-+%§]+(kr|st|t|m|km|kvm|mkr|tkr)?$", re.I)
# Digits that OCR writes for letters (6 for ö, 1 for i or l, 4 for ä, 0 for o ...).
_LETTERLIKE_DIGITS: Final = set("014568")
_ABBREVIATION: Final = re.compile(r"^(\w{1,4}\.)+\w{1,4}$")  # t.ex, bl.a, m.m (final period cut)
_ORDINAL: Final = re.compile(r"^\d+:[a-zåäö]{1,2}$")  # 1:a, 4:e, 2:dra
_VOWELS: Final = set("aeiouyåäöéAEIOUYÅÄÖÉ")
SHORT_ABBREVIATION: Final = 3  # a token this short without a vowel is an abbreviation: fl, fr, st
_SLASHED: Final = re.compile(r"^[^\W\d_]{2,}(/[^\W\d_]{2,})+$")  # och/eller, Styrelse/Nämnd


class Token:
    """A word as printed: the marks before its core, the core, the marks after. Made once
    and never changed; a plain class, as `decide.Hypothesis` is and for the same reason."""

    lead: str
    core: str
    trail: str

    def __init__(self, lead: str, core: str, trail: str) -> None:
        self.lead, self.core, self.trail = lead, core, trail

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and (self.lead, self.core, self.trail) == (
            other.lead, other.core, other.trail)

    def __hash__(self) -> int:
        return hash((self.lead, self.core, self.trail))

    def __repr__(self) -> str:
        return f"Token({self.lead!r}, {self.core!r}, {self.trail!r})"

    def __reduce__(self) -> tuple[type[Token], tuple[str, str, str]]:
        return Token, (self.lead, self.core, self.trail)


def split(word: str) -> Token:
    start, end = 0, len(word)
    while start < end and word[start] in _EDGE:
        start += 1
    while end > start and word[end - 1] in _EDGE + "-–":
        end -= 1
    return Token(word[:start], word[start:end], word[end:])


def parts(core: str) -> tuple[list[str], list[str]]:
    """The core's words, each read on its own, and the marks between them: split at
    hyphens ("vård-", "Karl-Erik") and at slashes between words ("nämndsekreterare/jurist",
    not "2021/0456" or an address)."""
    words, marks = [], []
    for k, piece in enumerate(core.split("-")):
        if k:
            marks.append("-")
        if "/" in piece and _SLASHED.match(piece) and not _URL.search(core):
            subs = piece.split("/")
            words += subs
            marks += ["/"] * (len(subs) - 1)
        else:
            words.append(piece)
    return words, marks


def join(words: Sequence[str], marks: Sequence[str]) -> str:
    """The core again from its words and the marks between them (`parts`)."""
    if len(words) == 1 and not marks:  # most words: no hyphen or slash
        return words[0]
    return "".join(w + m for w, m in zip(words, [*marks, ""], strict=True))


_SPLIT: Final[dict[str, Token]] = {}  # words as split, per process


def split_remembered(word: str) -> Token:
    """`split`, remembered: the same words come back on every page."""
    found = _SPLIT.get(word)
    if found is None:
        if len(_SPLIT) >= 200_000:
            _SPLIT.clear()
        found = _SPLIT[word] = split(word)
    return found


Read = tuple[Token, tuple[str, ...], tuple[str, ...]]  # the token, its words, the marks
_READ: Final[dict[str, Read]] = {}  # words as read, per process


def read_remembered(word: str) -> Read:
    """A word as printed split (`split`) and its core into words (`parts`), remembered:
    the same words come back on every page. The words and marks are tuples, shared."""
    found = _READ.get(word)
    if found is None:
        token = split_remembered(word)
        words, marks = parts(token.core)
        if len(_READ) >= 200_000:
            _READ.clear()
        found = _READ[word] = (token, tuple(words), tuple(marks))
    return found


def correctable(core: str, lexicon: Lexicon) -> bool:
    """False for what must never change: numbers, dates, Dnr, §, amounts, acronyms,
    addresses, abbreviations, and tokens too short or too odd to judge."""
    # (each pattern asked only where a character it needs is there: a URL has one of
    # ".@:", a number-like token begins with no letter, an ordinal has its colon)
    if not any(ch.isalpha() for ch in core) or (
            ("." in core or "@" in core or ":" in core) and _URL.search(core)):
        return False
    if (not core[0].isalpha() and _NUMBERLIKE.match(core)) or abbreviation(core, lexicon) \
            or (":" in core and _ORDINAL.match(core)):
        return False
    digits = [ch for ch in core if ch.isdigit()]
    if digits and (len(core) < 2 or any(d not in _LETTERLIKE_DIGITS for d in digits)
                   or len(digits) > 2):
        return False
    if core.isupper() and len(core) <= 3:
        return False  # an acronym: KS, FSG
    inner_caps = sum(ch.isupper() for ch in core[1:])
    return not (inner_caps and len(core) <= 4) or dots_read_as_capital(core)  # PwC, IoT


def dots_read_as_capital(core: str) -> bool:
    """A short lower-case word with one capital O or A inside ("fOr", "nAr"): how an
    English model reads ö, ä or å at times (2.4% of its ö are "O" in `dictionaries/
    ocr_confusions_tesseract5.tsv`; a typewriter's typeface makes it more), not an
    abbreviation's shape, which begins with its capital (PwC, IoT, SoL, KsU); a unit is
    shorter (mA) or has neither letter so (kWh)."""
    return (len(core) >= 3 and core.isalpha() and core[0].islower()
            and sum(ch.isupper() for ch in core) == 1 and any(ch in "OA" for ch in core))


def abbreviation(core: str, lexicon: Lexicon) -> bool:
    """An abbreviation as printed: listed (with or without its period, in any case) or
    dotted (t.ex)."""
    lower = core.lower()
    return (core in lexicon.abbreviations or lower in lexicon.abbreviations
            or f"{core}." in lexicon.abbreviations or f"{lower}." in lexicon.abbreviations
            or ("." in core and _ABBREVIATION.match(core) is not None))


def in_spelled_abbreviation(core: str, following: Sequence[str], lexicon: Lexicon) -> bool:
    """True where the word and the one or two after it spell abbreviations printed in
    parts whose periods and spaces OCR lost or moved, the word holding the first letters of
    the first of them ("fro mtom" and "fro mt om" are "fr o m t o m", från och med till och
    med): part of an abbreviation, not a word to correct ("frö"). The words after it must
    be letters only, and together with it spell nothing but such abbreviations ("fro med"
    is no abbreviation)."""
    spelled, letters = lexicon.spelled_abbreviations, core.lower()
    if letters not in lexicon.spelled_starts:
        return False
    for word in following[:2]:
        part = split_remembered(word).core.lower()
        if not part.isalpha():
            return False
        letters += part
        if _spelled_by(letters, spelled):
            return True
    return False


def _spelled_by(letters: str, spelled: frozenset[str]) -> bool:
    """True where the letters are one or more of the spelled abbreviations, end to end."""
    return letters == "" or any(letters.startswith(s) and _spelled_by(letters[len(s):], spelled)
                                for s in spelled)


def vowelless(core: str) -> bool:
    """So short and without a vowel that it is no Swedish word: an abbreviation (fl, fr,
    st) unless OCR hid a vowel in it ("dr" for "är")."""
    return (len(core) <= SHORT_ABBREVIATION and core.isalpha()
            and not any(ch in _VOWELS for ch in core))


def party_or_label(token: Token) -> bool:
    """A short token in parentheses ("(sd)", "(kd)", "(Vv)"): a party label or an
    abbreviation, printed so on purpose."""
    return (token.lead.endswith("(") and token.trail.startswith(")")
            and len(token.core) <= 4)
