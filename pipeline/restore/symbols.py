"""Symbols OCR gets wrong, by their place on the line: §, bullets, dashes, stray marks.

These are typographic conventions of Swedish minutes, not word spellings: an item line
starts with "§ 39", list items with "•", ranges take an en dash (2022–2031, kl. 13–19),
and specks on a scan come out as lone marks (; : ‘ |) that are not text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.model import Line

PARAGRAPH = "§"
BULLET = "•"
# What OCR writes for § and for a bullet at the start of a line.
_SECTION_LOOKALIKES = {"8", "$", "S", "&", "§§", "88", "§8", "8§"}
_BULLET_LOOKALIKES = {"*", "«", "»«", "»", "¢", "+", "e", "°", "©", "®", "«»", "=", "¢»"}
_JUNK = set(";:'‘’\"“”_|¢,.…~`^°©®«»*+=")
_NUMBER = re.compile(r"^\d{1,3}[,.;:]?$")
_JOINED_SECTION = re.compile(r"^[8$S&]?§?(\d{1,3})$")
_RANGE = re.compile(r"^([1-9]\d{0,3})[-—–]([1-9]\d{0,3}|0)([.,:;)]?)$")
_LIST_NUMBER = re.compile(r"^(\d{1,2}):$")
# Nouns that take a number after them, so "punkt 1 och" keeps its 1.
_NUMBERED = {"bilaga", "bilagor", "punkt", "punkterna", "sida", "sidan", "kapitel", "kap",
             "paragraf", "steg", "nummer", "nr", "etapp", "fas", "alternativ", "avsnitt",
             "grupp", "klass", "årskurs", "version", "del", "rad", "tabell", "figur", "vecka",
             "plan", "zon", "område", "hus", "våning", "lägenhet", "rum", "sal", "kvartal",
             "mål", "tertial", "ärende", "ärendena", "kl", "ca", "cirka", "och", "eller",
             "till", "om", "med", "på", "av", "än", "under", "över", "per", "från", "den",
             "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
             "september", "oktober", "november", "december"}


@dataclass(frozen=True)
class Fix:
    word: int  # index in the line
    after: str
    kind: str  # symbol or split
    score: float


def fixes(line: Line, *, english: float, before: str = "", after: str = "") -> Iterator[Fix]:
    """The symbol corrections of one line; `before` and `after` are the words that end the
    previous line and start the next one within the paragraph."""
    texts = [w.text for w in line.words]
    around = [before, *texts, after]
    for i, text in enumerate(texts):
        fix = (_section(texts, i) or _bullet(texts, i) or _list_number(texts, i)
               or _lone_i(around, i + 1, english) or _junk(texts, i) or _dash(around, i + 1)
               or _range(text) or _double_period(text) or _stray_lead(text, line.text))
        if fix and fix[0] != text:
            yield Fix(i, *fix)


def _section(texts: list[str], i: int) -> tuple[str, str, float] | None:
    text, nxt = texts[i], texts[i + 1] if i + 1 < len(texts) else ""
    if text in _SECTION_LOOKALIKES and _NUMBER.match(nxt):
        if text == "$" or i == 0 or "§" in text:
            return PARAGRAPH, "symbol", 0.9
        prev = texts[i - 1]
        if prev.isalpha() and len(nxt.rstrip(",.;:")) <= 2:  # "enligt 8 28," is "§ 28"
            return PARAGRAPH, "symbol", 0.7
    joined = _JOINED_SECTION.match(text)
    if joined and i == 0 and text != joined.group(1) and nxt == "Dnr":
        return f"{PARAGRAPH} {joined.group(1)}", "split", 0.85
    return None


def _bullet(texts: list[str], i: int) -> tuple[str, str, float] | None:
    if i == 0 and texts[0] in _BULLET_LOOKALIKES and len(texts) > 1 and texts[1][:1].isalpha():
        return BULLET, "symbol", 0.8
    return None


def _list_number(texts: list[str], i: int) -> tuple[str, str, float] | None:
    match = _LIST_NUMBER.match(texts[i])
    if i == 0 and match and len(texts) > 1 and texts[1][:1].isalpha():
        return f"{match.group(1)}.", "symbol", 0.7
    return None


def _lone_i(texts: list[str], i: int, english: float) -> tuple[str, str, float] | None:
    """The preposition i read as | or (by an English model) as 1, between two words."""
    if texts[i] not in ("|", "1"):
        return None
    prev, nxt = texts[i - 1].rstrip(",;:"), texts[i + 1].rstrip(".,;:!?")
    if texts[i] == "|":  # never a word, so between two words it is the preposition
        # After a word, before a word; a | between a number and a capitalised label or at
        # the end of a line before a capitalised word separates columns or is a speck.
        line_end = i == len(texts) - 2  # the next word is on the next line
        capital = nxt[:1].isupper() and (line_end or not prev.islower())
        if prev[-1:].isalpha() and nxt[:1].isalpha() and not capital:
            return "i", "ocr-confusion", 0.8
        return None
    between_words = (prev.isalpha() and prev.islower() and nxt.isalpha() and nxt.islower()
                     and prev not in _NUMBERED and nxt not in _NUMBERED)
    if between_words and english > 0.5:
        return "i", "ocr-confusion", 0.75
    return None


def _junk(texts: list[str], i: int) -> tuple[str, str, float] | None:
    if all(ch in _JUNK for ch in texts[i]):
        return "", "symbol", 0.7
    return None


def _dash(texts: list[str], i: int) -> tuple[str, str, float] | None:
    """A dash standing between words is a tankstreck, an en dash: OCR reads it as —."""
    if texts[i] == "—" and texts[i - 1][-1:].isalnum() and texts[i + 1][:1].isalnum():
        return "–", "symbol", 0.7
    return None


def _stray_lead(text: str, line: str) -> tuple[str, str, float] | None:
    """A speck before a word (‘kraven, _efter, |2025) when nothing on the line pairs it."""
    lead = text[:1]
    unpaired = line.count(lead) == 1 and (lead != "‘" or "’" not in line)
    if len(text) > 2 and lead in "‘_|¢" and text[1:].isalnum() and unpaired:
        return text[1:], "symbol", 0.6
    return None


def _range(text: str) -> tuple[str, str, float] | None:
    match = _RANGE.match(text)
    if match and (int(match.group(1)) < int(match.group(2)) or "—" in text):
        return f"{match.group(1)}–{match.group(2)}{match.group(3)}", "symbol", 0.7
    return None


def _double_period(text: str) -> tuple[str, str, float] | None:
    if text.endswith("..") and not text.endswith("...") and text[:-2][-1:].isalpha():
        return text[:-1], "symbol", 0.7
    return None
