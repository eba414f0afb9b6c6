"""Words as printed: what may be corrected, and what must be left exactly as it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.restore.lexicon import Lexicon

_EDGE = "\"'“”‘’«»()[]{}<>.,:;!?*…/|"
_URL = re.compile(r"(?i)^(https?://|www\.)|@|\.(se|nu|com|org|net|eu)(/|$)")
_NUMBERLIKE = re.compile(r"^[\d\s.,:/–—\-+%§]+(kr|st|t|m|km|kvm|mkr|tkr)?$", re.I)
_DIGIT_IN_WORD = re.compile(r"[0-9]")
# Digits that OCR writes for letters (6 for ö, 1 for i or l, 4 for ä, 0 for o ...).
_LETTERLIKE_DIGITS = set("014568")
_ABBREVIATION = re.compile(r"^(\w{1,4}\.)+\w{1,4}$")  # t.ex, bl.a, m.m (final period cut)


@dataclass(frozen=True)
class Token:
    lead: str
    core: str
    trail: str


def split(word: str) -> Token:
    start, end = 0, len(word)
    while start < end and word[start] in _EDGE:
        start += 1
    while end > start and word[end - 1] in _EDGE + "-–":
        end -= 1
    return Token(word[:start], word[start:end], word[end:])


def correctable(core: str, lexicon: Lexicon) -> bool:
    """False for what must never change: numbers, dates, Dnr, §, amounts, acronyms,
    addresses, abbreviations, and tokens too short or too odd to judge."""
    letters = sum(ch.isalpha() for ch in core)
    if letters == 0 or _URL.search(core) or _NUMBERLIKE.match(core):
        return False
    if (core in lexicon.abbreviations or core.lower() in lexicon.abbreviations
            or f"{core}." in lexicon.abbreviations or _ABBREVIATION.match(core)):
        return False
    digits = [ch for ch in core if ch.isdigit()]
    if digits and (len(core) < 2 or any(d not in _LETTERLIKE_DIGITS for d in digits)
                   or len(digits) > 2):
        return False
    if core.isupper() and len(core) <= 3:
        return False  # an acronym: KS, FSG
    inner_caps = sum(ch.isupper() for ch in core[1:])
    return not (inner_caps and len(core) <= 4)  # PwC, IoT
