"""Neighbouring words: grammar patterns of Swedish that tell real words apart.

A word that is itself correct Swedish can still be an OCR error ("ar" for "år" or "är",
"sitt" for "sätt"). The channel and word frequencies cannot tell which was printed;
the words around it often can. Each pattern gives a bonus (log10) to readings that fit
it. They are facts of Swedish grammar, not of any document:

- a numeral or a quantifier is followed by a noun, not a finite verb ("fem år", "varje
  år", "per år"), and "år" ends a sentence far more often than "är" does;
- after an indefinite article or a determiner comes a noun ("på ett sätt", "detta
  sätt"), not a possessive pronoun or a past tense ("sitt", "satt");
- an authority, a body or "det"/"man" before a verb form that may be "bör" takes the
  modal ("Kommunstyrelsen bör"), since bodies do not live anywhere ("bor");
- a sentence goes on in lower case: a word inside a sentence is capitalized only if it
  is a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER_WORDS = {
    "ett", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva",
    "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton",
    "tjugo", "trettio", "fyrtio", "femtio", "sextio", "sjuttio", "åttio", "nittio",
    "hundra", "tusen", "några", "flera", "många", "fler", "färre", "varje", "per",
    "förra", "nästa", "samma", "detta", "hela", "halvt", "innevarande", "kommande",
    "föregående", "senaste", "första", "andra", "tredje", "sista", "vart", "varannat",
}
DETERMINERS = {"ett", "detta", "samma", "vilket", "annat", "något", "varje", "sådant",
               "det"}
BODY_ENDINGS = ("nämnden", "styrelsen", "förvaltningen", "fullmäktige", "revisionen",
                "kontoret", "utskottet", "kommunen", "regionen", "staden", "myndigheten",
                "bolaget", "rådet", "förbundet")
_NUMERAL = re.compile(r"^\d[\d\s.,–—-]*$")
# Pairs a pattern decides between: (reading the pattern supports, readings it argues against)
_NOUN_AFTER_NUMERAL = ("år", {"är", "ar"})
_NOUN_AFTER_DETERMINER = ("sätt", {"sitt", "satt", "sått"})
_MODAL_AFTER_BODY = ("bör", {"bor"})
BONUS = 2.0


@dataclass(frozen=True)
class Neighbours:
    prev: str  # the previous word as printed ("" at the start of a paragraph)
    next: str
    trail: str  # punctuation right after the word
    line_start: bool  # first word on its line (a heading may start there)


def bonus(reading: str, around: Neighbours) -> float:
    """log10 bonus for reading the word as `reading` (lower case) here."""
    prev = _bare(around.prev).lower()
    nxt = _bare(around.next).lower()
    total = 0.0
    for wanted, against, fits in (
        (*_NOUN_AFTER_NUMERAL, _numeral(around.prev) or prev in NUMBER_WORDS
         or around.trail.startswith(".")),
        (*_NOUN_AFTER_DETERMINER, prev in DETERMINERS),
        (*_MODAL_AFTER_BODY, prev.endswith(BODY_ENDINGS) or prev in {"det", "man"}
         or nxt in {"det", "man"}),
    ):
        if fits and reading == wanted:
            total += BONUS
        elif fits and reading in against:
            total -= BONUS
    return total


def mid_sentence(around: Neighbours) -> bool:
    """True when the word continues a sentence (so it should not be capitalized)."""
    return (bool(around.prev) and not around.line_start
            and not around.prev.rstrip("\"”’)").endswith((".", "!", "?", ":")))


def _numeral(word: str) -> bool:
    return bool(_NUMERAL.match(word.rstrip(".,;:")))


def _bare(word: str) -> str:
    return word.strip("\"'“”‘’«»()[].,:;!?")
