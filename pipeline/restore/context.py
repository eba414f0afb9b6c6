"""Neighbouring words: grammar patterns of Swedish that tell real words apart.

A word that is itself correct Swedish can still be an OCR error ("ar" for "år" or "är",
"sitt" for "sätt"). The channel and word frequencies cannot tell which was printed;
the words around it often can. Each pattern gives a bonus (log10) to readings that fit
it. They are facts of Swedish grammar, not of any document:

- a numeral or a quantifier is followed by a noun, not a finite verb ("fem år", "varje
  år", "per år"), "år" ends a sentence far more often than "är" does, and a year
  follows "år" ("år 2025");
- after an indefinite article or a determiner comes a noun ("på ett sätt", "detta
  sätt"), not a possessive pronoun or a past tense ("sitt", "satt");
- an authority, a body or "det"/"man" before a verb form that may be "bör" takes the
  modal ("Kommunstyrelsen bör"), since bodies do not live anywhere ("bor"); so does a
  form followed by an infinitive ("bör ta", "bör förtydligas");
- after a modal verb (ska, kan, bör, måste …) comes an infinitive ("ska ändras", not
  "ska andras"; "ska ingå", not "ska inga"); after a preposition none does ("i första
  hand", not "i förstå"), nor after "alla", "samtliga" or "övriga" unless a modal comes
  before them ("alla våra förskolor", but "det kan alla vara överens om");
- a negation or a subject pronoun is followed by a verb, not a noun ("som inte är",
  "det är", not "år");
- a preposition that takes what a noun names follows the noun, not the adverb ("Val av
  justerare", "val till nämnden", not "väl av");
- a name before "Stad", "kommun" or "län" is the name of a municipality ("Borås Stad");
- after the name of a county, "län" ("Kronobergs län", not "lån": the 21 counties of
  `sv_regions_21.txt`);
- a sentence goes on in lower case: a word inside a sentence is capitalized only if it
  is a name; so is a capitalised word after another (a given name and a surname), before
  a party label ("Brask (S)") or in parentheses (a system's name, "(Procapita)").
"""

from __future__ import annotations

import functools
import re
from typing import Final, NamedTuple

from pipeline.restore.lexicon import DICTIONARIES, END, Lexicon, curated_names

NUMBER_WORDS: Final = {
    "ett", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva",
    "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton",
    "tjugo", "trettio", "fyrtio", "femtio", "sextio", "sjuttio", "åttio", "nittio",
    "hundra", "tusen", "några", "flera", "många", "fler", "färre", "varje", "per",
    "förra", "nästa", "samma", "detta", "hela", "halvt", "innevarande", "kommande",
    "föregående", "senaste", "första", "andra", "tredje", "sista", "vart", "varannat",
}
DETERMINERS: Final = {"ett", "detta", "samma", "vilket", "annat", "något", "varje", "sådant",
                      "det"}
MODALS: Final = {"ska", "skall", "kan", "bör", "får", "måste", "vill", "skulle", "kunde", "borde",
                 "behöver", "kommer", "brukar", "tänker", "torde", "lär", "måtte"}
PLACE_WORDS: Final = {"stad", "stads", "kommun", "kommuns", "län", "läns", "kommunkoncern"}
COUNTY: Final = "län"  # after a county's name (`_county_names`)
BODY_ENDINGS: Final = ("nämnden", "styrelsen", "förvaltningen", "fullmäktige", "revisionen",
                       "kontoret", "utskottet", "kommunen", "regionen", "staden", "myndigheten",
                       "bolaget", "rådet", "förbundet")
_NUMERAL: Final = re.compile(r"^\d[\d\s.,–—-]*$")
_YEAR: Final = re.compile(r"^(1[89]|20)\d\d$")  # "år 2025"
# Pairs a pattern decides between: (reading the pattern supports, readings it argues against)
_NOUN_AFTER_NUMERAL: Final = ("år", {"är", "ar"})
_NOUN_AFTER_DETERMINER: Final = ("sätt", {"sitt", "satt", "sått"})
_MODAL_AFTER_BODY: Final = ("bör", {"bor"})
_VERB_AFTER_NEGATION: Final = ("är", {"år", "ar"})
_NOUN_BEFORE_OF: Final = ("val", {"väl"})
# Prepositions no infinitive follows ("i första hand", not "i förstå"):
# not "till" ("ta till vara"), "om" (also "if") or "utan" (also "but").
PREPOSITIONS: Final = {"i", "på", "av", "för", "med", "från", "vid", "efter", "inom", "mellan",
                       "genom", "mot", "hos", "enligt", "under", "inför", "kring", "åt", "ur",
                       "bland", "utifrån", "angående", "gällande", "beträffande"}
# Quantifiers that stand before a noun or as a clause's subject: an infinitive follows them
# only after a modal ("det kan alla vara överens om"); after them in the truth texts of dev
# and dev-real stand 40 nouns, adjectives and names, no verb
QUANTIFIERS: Final = {"alla", "samtliga", "övriga"}
OF: Final = {"av", "till"}  # prepositions that follow a noun ("val av"), seldom the adverb
# Words a finite verb follows and a noun does not: a negation ("som inte är"), and the
# pronouns that stand as a clause's subject ("det är", "vilket är")
VERB_BEFORE: Final = {"inte", "ej", "icke", "aldrig", "det", "vilket", "detta"}
BONUS: Final = 2.0
# Where a name stands, every name is a candidate on the same footing: a listed one has
# the names lists' Zipf frequency (whatever its frequency in general text, Francesco is
# no commoner in Swedish minutes than Francesca), one no list has is taken to be ten
# times rarer; the OCR channel then decides.
NAME_ZIPF: Final = 2.5
NAME_GAP: Final = 1.0
COMMON_AS_NAME: Final = 2.0  # log10 odds against a common word where a person's name stands
_PARTY: Final = re.compile(r"^\([A-ZÅÄÖa-zåäö]{1,4}\)")


class Neighbours:
    """The words around a word, as printed or as read. Made for tens of thousands of words
    a document: a plain class, whose `__init__` is compiled (a NamedTuple is made by the
    interpreted `__new__` that `collections.namedtuple` writes)."""

    prev: str  # the previous word as printed ("" at the start of a paragraph)
    next: str
    trail: str  # punctuation right after the word
    line_start: bool  # first word on its line (a heading may start there)
    prev2: str  # the word before the previous one
    next2: str  # the word after the next one
    line_end: bool  # last word on its line (a table's heading may end there)

    def __init__(self, prev: str, next: str, trail: str, line_start: bool, prev2: str = "",
                 next2: str = "", line_end: bool = False) -> None:
        self.prev, self.next, self.trail, self.line_start = prev, next, trail, line_start
        self.prev2, self.next2, self.line_end = prev2, next2, line_end

    def _fields(self) -> tuple[str, str, str, bool, str, str, bool]:
        return (self.prev, self.next, self.trail, self.line_start, self.prev2, self.next2,
                self.line_end)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Neighbours) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return "Neighbours" + repr(self._fields())


_PATTERNS: Final = (_NOUN_AFTER_NUMERAL, _NOUN_AFTER_DETERMINER, _MODAL_AFTER_BODY,
                    _VERB_AFTER_NEGATION, _NOUN_BEFORE_OF)


class Fits(NamedTuple):
    """Which patterns the neighbours make: what `bonus` reads of them."""

    numeral: bool  # a numeral or a quantifier before, a year after, or a sentence's end
    determiner: bool  # an indefinite article or a determiner before
    body: bool  # an authority, a body, "det" or "man" around, or an infinitive after
    verb: bool  # a negation or a subject pronoun before
    noun: bool  # a preposition after that follows a noun ("av", "till")
    modal: bool  # a modal verb before, on the same line
    place: bool  # "Stad", "kommun" or "län" after
    preposition: bool  # a preposition (or a quantifier, no modal before it) before, on the
    # same line
    county: bool  # a county's name before ("Kronobergs", "Västra Götalands")


def bonus(reading: str, around: Neighbours, lexicon: Lexicon) -> float:
    """log10 bonus for reading the word as `reading` (lower case) here."""
    return bonus_where(reading, fits(around, lexicon), lexicon)


def fits(around: Neighbours, lexicon: Lexicon) -> Fits:
    prev, prev2 = _bare(around.prev).lower(), _bare(around.prev2).lower()
    nxt = _bare(around.next).lower()
    # made as tuple.__new__ makes it, without namedtuple's interpreted __new__
    return tuple.__new__(Fits, (
        _numeral(around.prev) or prev in NUMBER_WORDS or around.trail.startswith(".")
        or (len(nxt) == 4 and _YEAR.match(nxt) is not None),
        prev in DETERMINERS or (prev2 in DETERMINERS and prev.endswith("t")
                                and not around.line_start),
        prev.endswith(BODY_ENDINGS) or prev in {"det", "man"} or nxt in {"det", "man"}
        or infinitive(nxt, lexicon),
        prev in VERB_BEFORE and not around.line_start,
        nxt in OF,
        prev in MODALS and not around.line_start,
        nxt in PLACE_WORDS,
        (prev in PREPOSITIONS or (prev in QUANTIFIERS and prev2 not in MODALS))
        and not around.line_start,
        not _county_names().isdisjoint((prev, f"{prev2} {prev}"))))


def bonus_where(reading: str, fit: Fits, lexicon: Lexicon) -> float:
    """`bonus` for neighbours that make these patterns."""
    total = 0.0
    for (wanted, against), made in zip(_PATTERNS, fit[:5], strict=True):
        if made and reading == wanted:
            total += BONUS
        elif made and reading in against:
            total -= BONUS
    if fit.modal:
        total += BONUS if infinitive(reading, lexicon) else 0.0
    if fit.preposition and infinitive(reading, lexicon) and not lexicon.is_proper(reading):
        total -= BONUS  # a name ("Björka") is no verb, whatever its plural makes it look
    if fit.place and reading in lexicon.municipalities:
        total += BONUS
    if fit.county and reading == COUNTY:
        total += BONUS
    return total


_PAIRS: Final = {w for wanted, against in _PATTERNS for w in (wanted, *against)}
_MAY_BONUS: Final[dict[int, dict[str, bool]]] = {}  # lexicon -> reading -> may_bonus, per process


def may_bonus(reading: str, lexicon: Lexicon) -> bool:
    """Whether `bonus` can be anything but 0.0 for the reading, whatever the neighbours:
    a word of the patterns' pairs, an infinitive (after a modal), a municipality (before
    "kommun") or "län" (after a county). For every other reading the neighbours change
    nothing."""
    known = _MAY_BONUS.get(id(lexicon))
    if known is None or len(known) >= 200_000:
        _MAY_BONUS.clear()
        known = _MAY_BONUS[id(lexicon)] = {}
    found = known.get(reading)
    if found is None:
        found = known[reading] = (reading in _PAIRS or reading == COUNTY
                                  or reading in lexicon.municipalities
                                  or infinitive(reading, lexicon))
    return found


def infinitive(word: str, lexicon: Lexicon) -> bool:
    """True for a form that is a verb's infinitive, active or passive: its present tense
    is the form plus -r (ta: tar, ändra: ändrar, se: ser) or, for the second conjugation,
    -a turned into -er (höja: höjer); a passive adds -s (höjas, ses, ändras). A pronoun is
    none, whatever form of a noun or verb it looks like ("våra": vårar, "sina": sinar)."""
    if len(word) < 2 or word in NO_NUMERAL_AFTER or not lexicon.is_word(word):
        return False
    if word.endswith("s"):
        return _active_infinitive(word[:-1], lexicon)
    return _active_infinitive(word, lexicon)


def _active_infinitive(word: str, lexicon: Lexicon) -> bool:
    if len(word) < 2 or word[-1] not in "aeåoiuy" or word.endswith("are"):
        return False
    if lexicon.is_word(word + "r"):
        return True
    stem = word[:-1]  # second conjugation: höja, höjer, höjde
    return (word.endswith("a") and lexicon.is_word(stem + "er")
            and any(lexicon.is_word(stem + end) for end in ("de", "te", "dde")))


# Pronouns no numeral is printed before ("i sig", "i detta", not "1 sig"): reflexive,
# demonstrative and possessive
NO_NUMERAL_AFTER: Final = {"sig", "detta", "denna", "dessa", "sin", "sitt", "sina", "dess", "vår",
                           "vårt", "våra", "min", "mitt", "mina", "hans", "hennes", "deras", "er",
                           "ert", "era", "dig", "mig", "oss", "dem"}
_DEFINITE: Final = (("en", ""), ("et", ""), ("na", ""), ("n", "e"), ("t", "e"))  # ending, stem's
MIN_STEM: Final = 4  # letters: "liten" is no "lit" + en, "egen" no "eg" + en


def takes_no_numeral(word: str, lexicon: Lexicon) -> bool:
    """True for a word no numeral is printed before: one of NO_NUMERAL_AFTER, or a noun's
    definite form ("nuläget", "uppföljningen", "kommunen": a listed word that is a listed
    stem with -en, -et, -na, or one ending in e with -n, -t). "1 år" is printed, "1
    nuläget" is not: such a 1 is the preposition i."""
    if word in NO_NUMERAL_AFTER:
        return True
    if not (word.isalpha() and word.islower() and lexicon.is_word(word)):
        return False
    for ending, stem_end in _DEFINITE:
        stem = word[:-len(ending)]
        if (word.endswith(ending) and len(stem) >= MIN_STEM and stem.endswith(stem_end)
                and lexicon.is_word(stem)):
            return True
    return False


def mid_sentence(around: Neighbours) -> bool:
    """True when the word continues a sentence (so it should not be capitalized): the
    word before it ends no sentence and, across a line break, is itself a lower-case word
    (a line after a heading or a case number starts afresh). A capitalized next word
    makes it part of a name ("Östra Hällby")."""
    prev = around.prev.rstrip("\"”’)")
    if not prev or prev.endswith((".", "!", "?", ":")) or around.next[:1].isupper():
        return False
    if not prev[:1].isalpha():
        return False  # after a number or a mark ("§ 45-46 Ärende 6") a capital may stand
    return not around.line_start or (prev.isalpha() and prev.islower())


# Words after which a clause goes on: prepositions, conjunctions, articles, auxiliaries.
# After one of them even a line break does not start a heading or a table's column.
GOES_ON: Final = PREPOSITIONS | MODALS | {
    "till", "om", "utan", "över", "och", "eller", "samt", "men", "att", "som", "när", "då",
    "där", "än", "ett", "en", "den", "det", "de", "denna", "detta", "dessa", "har", "hade",
    "är", "var", "blir", "inte", "ej", "sitt", "sin", "sina",
}


def lowered_capital(around: Neighbours) -> bool:
    """True where a capitalised word surely goes on a sentence, so that a capital read
    for a lower-case letter (OCR without Swedish reads "ö" and "å" as "O" and "A": "har
    ett Overskott av") is no name's: the word before is a lower-case word that ends no
    sentence, the word after a lower-case word or a number (or this word ends the
    sentence), and either the word before is one after which a clause goes on
    (`GOES_ON`), or the word stands inside its line with no mark after it: at a line's
    end, or before a comma, a word may end a table's heading or a list's item
    ("sekreterare Övriga, se § 12")."""
    prev = around.prev
    if not prev.isalpha() or not prev.islower():
        return False
    nxt = around.next
    if not (nxt[:1].islower() or nxt[:1].isdigit() or around.trail in (".", "!", "?")):
        return False
    return prev in GOES_ON or not (around.line_start or around.line_end or around.trail)


def _numeral(word: str) -> bool:
    # (a digit first, or no match: a cheap test before the pattern, asked at most words)
    return word[:1].isdigit() and _NUMERAL.match(word.rstrip(".,;:")) is not None


def _party(word: str) -> bool:
    """A party label ("(S)", "(KD),") starts the word."""
    return word[:1] == "(" and _PARTY.match(word) is not None


def _bare(word: str) -> str:
    return word.strip("\"'“”‘’«»()[].,:;!?")


def name_position(word: str, lead: str, around: Neighbours, lexicon: Lexicon) -> bool:
    """True for a capitalised word where a name stands: inside a sentence, beside another
    capitalised word ("Francesca Moretti", "för Pirjo Mäkelä"), before a party label, or
    in parentheses."""
    if not may_be_name(word):
        return False
    prev = around.prev.rstrip("\"”’")
    after_name = (prev[:1].isupper() and not prev.isupper()
                  and prev.rstrip(",").replace("-", "").isalpha()
                  and not prev.endswith((".", "!", "?", ":")))
    nxt = around.next.rstrip(",")
    before_name = (nxt[:1].isupper() and not nxt.isupper() and nxt.replace("-", "").isalpha()
                   and (_party(around.next2)  # "Francesca Moretti (KD)"
                        or lexicon.is_proper(nxt.lower())))  # "Hakan Berg"
    return ("(" in lead or _party(around.next) or after_name
            or before_name or mid_sentence(around))


SUSPENDED_JOINS: Final = {"och", "eller", "&"}  # "vård- och omsorgsboende", "kultur- eller"
MIN_HEAD: Final = 3  # letters: the shortest last word of a compound taken as a partner's


def compound_head(word: str, lexicon: Lexicon) -> str:
    """The last word of a compound ("boende" of "omsorgsboende"): its longest ending,
    shorter than itself, that is a listed word that may end a compound; "" if none."""
    lower = _bare(word).lower()
    for k in range(1, len(lower) - MIN_HEAD + 1):
        end = lower[k:]
        if lexicon.roles(end) & END and lexicon.is_word(end, capitalized=False):
            return end
    return ""


def joined_name(first: str, join: str, partner: str) -> bool:
    """True when a listed name of a body or a listed term begins with the suspended part,
    the joining word and the partner ("vård", "och", "omsorgsnämnden": Vård- och
    omsorgsnämnden in `sv_municipal_bodies.txt`)."""
    return f"{first}- {join} {_bare(partner).lower()}" in _joined_names()


BODIES: Final = "sv_municipal_bodies.txt"
VOCABULARY: Final = "sv_municipal_vocabulary.txt"
REGIONS: Final = "sv_regions_21.txt"


@functools.cache
def _county_names() -> frozenset[str]:
    """What stands before "län" in the names of the counties, lower case ("kronobergs",
    "västra götalands")."""
    return frozenset(line.lower().removesuffix(f" {COUNTY}") for line in curated_names(REGIONS)
                     if line.endswith(f" {COUNTY}"))


@functools.cache
def _joined_names() -> frozenset[str]:
    """The first three words, lower case, of the listed names and terms that begin with a
    suspended part ("barn- och utbildningsnämnden", "hälso- och sjukvårdsnämnden")."""
    return frozenset(" ".join(words[:3]) for name in (BODIES, VOCABULARY)
                     for line in curated_names(name) if len(words := line.lower().split()) >= 3
                     and words[0].endswith("-"))


def may_be_name(word: str) -> bool:
    """A capitalised word (not all capitals): `name_position` can be true only for one."""
    return word[:1].isupper() and not word.isupper()


def person_position(around: Neighbours, lexicon: Lexicon) -> bool:
    """True where a person's name surely stands: before a party label ("Brask (S)"), after
    a known given name on the same line ("Maria Törnén", "för Pirjo Mäkelä"), or where a
    given name stands (`given_name_position`). A common word is printed with a capital
    there only by mistake. After a surname or before a given name a role may stand
    ("Joakim Lundin Trafikingenjör", "Sekreterare Anna Berg")."""
    prev = around.prev.rstrip(",")
    return (_party(around.next) or given_name_position(around, lexicon)
            or (not around.line_start and _known_name(prev, lexicon) and is_given(prev)))


def given_name_position(around: Neighbours, lexicon: Lexicon) -> bool:
    """True where a given name stands: before a known surname ("Hakan Ivarsson") or before
    a capitalised word and a party label ("Mans Ekstam (M)")."""
    nxt = around.next.rstrip(",.;:")
    return ((_known_name(nxt, lexicon) and not is_given(nxt))
            or (_party(around.next2) and nxt[:1].isupper()
                and not nxt.isupper() and nxt.replace("-", "").isalpha()))


def is_given(word: str) -> bool:
    """A listed given name (dictionaries/sv_first_names.txt), in any case."""
    return word.lower() in _given_names()


@functools.cache
def _given_names() -> frozenset[str]:
    text = (DICTIONARIES / "sv_first_names.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _known_name(word: str, lexicon: Lexicon) -> bool:
    return (word[:1].isupper() and not word.isupper() and word.isalpha()
            and lexicon.is_proper(word.lower()))
