"""Symbols OCR gets wrong, by their place on the line: §, bullets, party labels, the lone i.

Only known OCR confusions with evidence from their place are corrected: an item line
starts with "§ 39" (OCR: "8 39", "$ 39", "SS 39", "$& 39"), an item of a list with "•" (OCR: "«",
"e"; a list: two lines of the page or more start so),
a party label after a name is "(S)" (OCR: "(5)", "($S)"), and "|" between two words is
the preposition i. Typography as printed is never "normalised": a hyphen in a range, an
em dash, a double period or a lone comma may all be what the page says. Marks that are
probably specks are only suggested for removal, unless measured as surely specks (a lone
colon); so is a comma for a semicolon that ends a word (`comma`).

Each rule's score is the share of its changes that were right on the development
corpora (dev and dev-real, every input kind and the page images; `bench/accuracy.py
--images`) and on their text printed in the three typefaces the calibration is fitted on
too (bench/fonts.py: DejaVu Sans Mono, Sans and Serif; `bench/accuracy.py --shared`),
counting one right and one wrong change more than were seen, so that a rule
seen seldom is not trusted far: (right + 1) / (seen + 2), rounded down. Only § before an
item number, § where a law or a decision is cited ("38 § förvaltningslagen", "10 kap.
32 § skollagen", "socialnämnden 2018-06-14 § 71"), the party label, a bullet in a list, a
lone colon or a lone mark first on its line or after a mark (specks), and a lone 1 where
no numeral is printed (the preposition i, `ones_read_for_i`) clear the threshold; the
rest are suggestions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Final

from pipeline.model import Correction, CorrectionKind, CorrectionOrigin, Document, Line
from pipeline.restore import channel, context, dashes
from pipeline.restore.lexicon import Lexicon

PARAGRAPH: Final = "§"
Rule = tuple[str, CorrectionKind, float]  # a rule's change: the word after, its kind, score
BULLET: Final = "•"
# What OCR writes for § (and §§) before an item number: marks that are never a word or a
# number stand for it anywhere; a lone 8, S or s only where an item line starts.
# ("$&": the Swedish model, sans typefaces)
_SECTION_MARKS: Final = {"$", "§§", "§8", "8§", "$$", "$8", "8$", "SS", "sS", "Ss", "S$", "$S",
                         "s$", "$s", "$&", "&$", "8&", "&8", "§&", "&§"}
_SECTION_LOOKALIKES: Final = _SECTION_MARKS | {"8", "S", "s", "&", "88"}
# Two marks before a range of items are §§; so is a § beside a lookalike of one ("8§ 81-91":
# Liberation Mono, English model, 2 / 2). A § split in two ("$&", "8&") is one (2 / 2).
_DOUBLE_SECTION: Final = {"§§", "88", "$$", "$8", "8$", "SS", "S$", "$S",
                          "8§", "§8", "$§", "§$", "S§", "§S"}
# What OCR writes for a bullet at the start of a line; not "*", "+", "=" or "-", which
# are printed as list marks themselves.
_BULLET_LOOKALIKES: Final = {"«", "»«", "»", "¢", "e", "°", "©", "®", "«»", "¢»"}
# What OCR writes for the S of the party label (S): the letter doubled or read as 5, $, 9.
_PARTY_S: Final = re.compile(r"^\(([S5$9]{1,3}|sS|Ss)\)([,.;:]?)$")
_PARTY_LABEL: Final = re.compile(r"^\((S|M|C|V|L|KD|Kd|kd|SD|Sd|sd|MP|Mp|mp|FP|Fp|fp|m|c|v|l|s)\)")
_PARTIES: Final = ("S", "M", "C", "V", "L", "KD", "SD", "MP", "FP")  # as labels print them
_LABEL: Final = re.compile(r"^\(([A-Z0-9$]{1,2})\)([,.;:]?)$")
MISREAD: Final = -3.0  # log10: a letter of a label read as another at least this likely
# Lone marks that are probably specks, with the share of them that were (a lone comma,
# asterisk or equals sign is as often printed, so never suggested). A single quotation
# mark or apostrophe stands against a word in print, never alone between spaces (a
# ditto mark is the double one), so the three are one family: QUOTE_SPECK.
QUOTE_SPECK: Final = 0.90  # 9 / 9
_SPECKS: Final = {":": 0.95, ".": 0.87, "'": QUOTE_SPECK, "‘": QUOTE_SPECK, "’": QUOTE_SPECK,
                  "¢": 0.66, "..": 0.57, "|": 0.5, "_": 0.66, "~": 0.5, "`": 0.5, "^": 0.5,
                  "°": 0.5, ";": 0.48}
# seen, on the corpora and the three prints (2026-12-01): ":" 20 of 20 right, "." 6/6
# (a period that ends a line and a sentence is kept), "'" 5/5, "‘" 2/2, "’" 2/2 (9 / 9),
# "¢" 1/1, ".." 3/5, "|" 5/10, ";" 26/54 (a semicolon set off by spaces is printed
# too: "kl ; Valter"); "_" 1/1 on the corpora before; the others not seen
# Where it stands says more than which mark it is. First on its line, or after a word that
# ends in a mark, a lone mark follows no word it could belong to: 25 of 26 such were
# specks (the other a list number "2." read as "; é"), against 48 of 70 between words or
# at a line's end (every lone mark printed in the corpora is one of those: "kl ; Valter").
# Not "|" (read for I and i) nor ".." (after "Justerare." the rest of a leader) nor "."
# after "..", nor a mark that may be a bullet, nor a period first on its line: Tesseract
# reads a bullet so (the Swedish model 18 times of 374 in the confusion table), though the
# corpora have none.
SPECK_PLACED: Final = 0.92  # 26 / 25 on the corpora, scans and the three prints (2026-12-01)
_NUMBER: Final = re.compile(r"^\d{1,3}([-–]\d{1,3})?(/\d{2})?[,.;:]?$")
# a decision's date, as cited before its paragraph ("2018-06-14 § 71", "14 mars 2023, § 28")
_DATE: Final = re.compile(r"^(\d{4}-\d{2}-\d{2},?|(19|20)\d\d,)$")
# What OCR writes for a § after a paragraph's number, where a law is cited
_SECTION_AFTER: Final = _SECTION_MARKS | {"8", "&"}
# Swedish laws as minutes cite them: their names end so ("förvaltningslagen",
# "miljöbalken", "offentlighets- och sekretessförordningen"), or the usual abbreviation
# (Socialtjänstlagen SoL, LSS, kommunallagen KL, plan- och bygglagen PBL, OSL, FL, LVU,
# LVM, hälso- och sjukvårdslagen HSL, socialförsäkringsbalken SFB, brottsbalken BrB,
# föräldrabalken FB, miljöbalken MB, skollagen SkolL); not förslagen, anslagen, underlagen
_LAW_ENDINGS: Final = ("lagen", "balken", "förordningen")
_NO_LAW: Final = ("förslagen", "anslagen", "underlagen")
LAW_ABBREVIATIONS: Final = {"SoL", "LSS", "KL", "PBL", "OSL", "FL", "LVU", "LVM", "HSL", "SFB",
                            "BrB", "FB", "MB", "SkolL"}
_JOINED_SECTION: Final = re.compile(r"^[8$S&]?§?(\d{1,3})$")
_BODY: Final = re.compile(r"^([A-ZÅÄÖ]{2,4}|[A-ZÅÄÖ][a-zåäö])$")  # KS, Kf, BUN: a body, as cited
_LIST_NUMBER: Final = re.compile(r"^(\d{1,2}):$")
# Nouns that take a number after them, so "punkt 1 och" keeps its 1.
_NUMBERED: Final = {
    "bilaga", "bilagor", "punkt", "punkterna", "sida", "sidan", "kapitel", "kap", "paragraf",
    "steg", "nummer", "nr", "etapp", "fas", "alternativ", "avsnitt", "grupp", "klass",
    "årskurs", "version", "del", "rad", "tabell", "figur", "vecka", "plan", "zon", "område",
    "hus", "våning", "lägenhet", "rum", "sal", "kvartal", "mål", "tertial", "ärende",
    "ärendena", "kl", "ca", "cirka", "och", "eller", "till", "om", "med", "på", "av", "än",
    "under", "över", "per", "från", "den", "januari", "februari", "mars", "april", "maj",
    "juni", "juli", "augusti", "september", "oktober", "november", "december"}
# Measured precision of each rule (see the module's docstring); seen / right in brackets.
SECTION_AT_START: Final = 0.99  # 223 / 223 with the prints
SECTION_IN_LINE: Final = 0.5  # 0 / 0
SECTION_JOINED: Final = 0.33  # 1 / 0: a lookalike glued to the number ("839 Dnr" may be 839)
# A mark that stands for § wherever it stands (a § doubled by a lookalike, "$") glued to
# the item number ("8§39 Dnr"): the mark is the § as at the start of a line (0.99), and
# the space is put back as the truth texts of dev and dev-real print it, 46 times of 47
# ("§ 39"; (46 + 1) / (47 + 2) = 0.96). 0.99 × 0.96, rounded down:
SECTION_GLUED: Final = 0.95
SECTION_CITED: Final = 0.95  # 22 / 22 with the prints: a law or a decision cited
SECTION_PRESENT: Final = 0.97  # 43 / 43 with the prints: in an attendance list, after a title
BULLET_SCORE: Final = 0.97  # 35 / 35 with the prints («, »«, ¢ in lists of 2 to 4 items)
LONE_BULLET: Final = 0.88  # 7 / 7 with the prints: the only line of its page that starts so
QUOTE_OR_BULLET: Final = 0.87  # 6 / 6 with the prints, all bullets: "»", which may be a quotation
PARTY_SCORE: Final = 0.99  # 104 / 104 with the prints (S read as 5, $, SS; other labels misread)
LONE_I_BAR: Final = 0.4  # 3 / 1
LONE_I_ONE: Final = 0.5  # 0 / 0
# A lone 1 where no numeral is printed (`ones_read_for_i`). Tesseract 5 never reads i as 1
# on the corpora, so no such change was seen; older engines do. Measured on the truth
# texts of dev and dev-real instead: of the lone i and 1 between a lower-case word and
# one no numeral goes before (`context.takes_no_numeral`), 14 were i and none 1 (the 16
# lone 1s printed there stand before a month, a number, a capital, "Plats").
LONE_I_PLACED: Final = 0.93  # 14 / 14
ONES_FOR_I: Final = 2  # ... in a document that has at least this many such 1s
DASH_SCORE: Final = 0.84  # 11 / 10 with the prints: an en dash read as an em dash, or an em dash
# An em dash between digits ("13—19") is most often an en dash OCR read long: the truths
# print none (of 162 dashes between digits), and the 20 such in ranges of two numbers
# written alike ("7—25", "08:30—12:15") were all en dashes. But minutes nobody here has
# seen print em dashes, and had them "normalised" to en dashes (issue 12's damage), which
# these corpora cannot measure: so a suggestion, scored with the lone dash between words
# as one family, an em dash read for an en dash: 30 right of 33 with the prints (10 of 11
# alone, 20 of 22 in ranges; the other two odd tokens, "11,35—12.05", "11.:15—11.30.").
RANGE_DASH: Final = 0.88
_EM_IN_RANGE: Final = re.compile(r"(?<=\d)—(?=\d)")
LIST_NUMBER_SCORE: Final = 0.8  # 3 / 3 with the prints
STRAY_LEAD: Final = 0.5  # 0 / 0: a speck stuck before a word
# A comma read as a semicolon at a word's end: 19 seen, 11 right as judged (the word as
# corrected is the word printed); of the other 8 the comma was right in 7 but the word had
# another error ("1092;" for "1992,", "kl;" for "kl ,"), and one was a speck ("i;"). No
# word of the truth of either corpus ends in a semicolon, but minutes print them, so
# suggested only. With the three prints: 24 seen, 14 right, the same share.
SEMICOLON: Final = 0.57
# What a word the rules may change is: one of these marks, or begins with one of these
# characters, or (first on its line) is not all letters. Other words are passed over.
_MAY_FIX: Final = frozenset(_SECTION_LOOKALIKES | _BULLET_LOOKALIKES | _SPECKS.keys()
                            | {"|", "1", "—"})
_MAY_FIX_LEAD: Final = "(‘_|¢"


class Fix:
    """A mark's correction on a line; a plain class, as `decide.Hypothesis` is."""

    word: int  # index in the line
    after: str
    kind: CorrectionKind  # symbol, split or ocr-confusion
    score: float
    origin: CorrectionOrigin  # the mark's place ("context"); "image" for a measured width

    def __init__(self, word: int, after: str, kind: CorrectionKind, score: float,
                 origin: CorrectionOrigin = "context") -> None:
        self.word, self.after, self.kind, self.score, self.origin = (
            word, after, kind, score, origin)

    def _fields(self) -> tuple[int, str, CorrectionKind, float, CorrectionOrigin]:
        return self.word, self.after, self.kind, self.score, self.origin

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fix) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return "Fix" + repr(self._fields())

    def __reduce__(self) -> tuple[type[Fix], tuple[int, str, CorrectionKind, float,
                                                   CorrectionOrigin]]:
        return Fix, self._fields()


def corrections(doc: Document, english: float, threshold: float, lexicon: Lexicon,
                reading: Callable[[str], str]) -> list[Correction]:
    """The document's symbol corrections (`fixes`, a dash's measured width: `dashes`, a
    lone 1 read for i: `ones_read_for_i`); `reading`: a word as the document reads it
    (`choose.Decisions.resolve`), asked for only where a lone 1 stands."""
    out = []
    parties = party_labels([line.text for page in doc.pages for line in page.lines])
    words = [[w.text for w in line.words] for page in doc.pages for line in page.lines]
    ones: set[tuple[int, int]] = set()
    if any("1" in line for line in words):
        ones = ones_read_for_i(words, lambda word: reading(word).lower(), lexicon)
    k = -1
    for page in doc.pages:
        lines, first = page.lines, k + 1  # (`words` of the page's first line)
        in_list = list_lines([words[first + li][:2] for li in range(len(lines))]) >= 2
        for li, line in enumerate(lines):
            k += 1
            before = words[k - 1][-1] if li and words[k - 1] else ""
            after = words[k + 1][0] if li + 1 < len(lines) and words[k + 1] else ""
            found = {fix.word: fix for fix in _fixes(
                words[k], line.text, english=english, parties=parties, before=before,
                after=after, in_list=in_list)}
            # the width measured on the page outweighs a dash's place on the line (asked
            # only of a line with a width measured: `dashes` is not compiled)
            measured = any(w.dashes for w in line.words)
            for i, text, score in dashes.fixes(line.words) if measured else ():
                found[i] = Fix(i, text, "symbol", score, "image")
            for at, i in ones:  # a lone 1 where no numeral stands
                if at == k:
                    found[i] = Fix(i, "i", "ocr-confusion", LONE_I_PLACED)
            for fix in found.values():
                out.append(Correction(
                    page=page.number, line=li, word=fix.word, before=line.words[fix.word].text,
                    after=fix.after, kind=fix.kind, score=fix.score, origin=fix.origin,
                    applied=fix.score >= threshold))
    return out


def commas(doc: Document, done: set[tuple[int, int, int]],
           threshold: float) -> list[Correction]:
    """A comma read as a semicolon at the end of a word no other correction changed (one
    whose letters are corrected keeps its semicolon: one change a word): `comma`."""
    out = []
    for page in doc.pages:
        for li, line in enumerate(page.lines):
            for wi, word in enumerate(line.words):
                if (after := comma(word.text)) and (page.number, li, wi) not in done:
                    out.append(Correction(
                        page=page.number, line=li, word=wi, before=word.text, after=after,
                        kind="symbol", score=SEMICOLON, origin="context",
                        applied=threshold <= SEMICOLON))
    return out


def party_labels(lines: list[str]) -> str:
    """How the document labels people with their party: "(S)" in capitals, "(s)" in lower
    case, or "" when it does not (fewer than two labels such as "(M)", "(kd)")."""
    found = [m.group(1) for line in lines if "(" in line
             for w in line.split() if (m := _PARTY_LABEL.match(w))]
    if len(found) < 2:
        return ""
    return "(s)" if sum(f.islower() for f in found) > len(found) / 2 else "(S)"


def fixes(line: Line, *, english: float, parties: str = "", before: str = "",
          after: str = "", in_list: bool = False) -> Iterator[Fix]:
    """The symbol corrections of one line; `before` and `after` are the words that end the
    previous line and start the next one within the paragraph; `parties`: how the document
    writes the label of the party S, if it labels people by party (`party_labels`);
    `in_list`: whether the line's page has a list (`list_lines`)."""
    return _fixes([w.text for w in line.words], line.text, english=english, parties=parties,
                  before=before, after=after, in_list=in_list)


def _fixes(texts: list[str], line: str, *, english: float, parties: str, before: str,
           after: str, in_list: bool) -> Iterator[Fix]:
    """`fixes` of a line's words as printed (`texts`) and its text (`line`)."""
    around = [before, *texts, after]
    for i, text in enumerate(texts):
        if not may_change(text, i):
            continue
        fix = _rules(texts, around, i, english=english, parties=parties, line=line,
                     in_list=in_list)
        if fix and fix[0] != text:
            yield Fix(i, *fix)


def may_change(text: str, i: int) -> bool:
    """False for a word (the i-th on its line) no rule of `fixes` changes: a quick test
    before the rules, since most words are such."""
    return (text in _MAY_FIX or text[:1] in _MAY_FIX_LEAD or (i == 0 and not text.isalpha())
            or "—" in text)


def _rules(texts: list[str], around: list[str], i: int, *, english: float, parties: str,
           line: str, in_list: bool) -> Rule | None:
    return (_section(texts, around, i) or _bullet(texts, i, in_list) or _list_number(texts, i)
            or (_party(around, i + 1, parties) if parties else None)
            or _lone_i(around, i + 1, english) or _junk(texts, i, around[i + 2])
            or _dash(around, i + 1) or _range_dash(texts[i])
            or _stray_lead(texts[i], line))


def _section(texts: list[str], around: list[str], i: int) -> Rule | None:
    """§ misread before an item number: at the start of a line, before "Dnr", after a body
    ("KS § 12"); a mark that is never a word ("$", "SS") anywhere, also at the end of a
    line whose next line starts with the number; and where an attendance list says which
    items a person was present at ("Projektledare 8 131 Stefan", "förskolechef, 8 103,
    kl 09.20"); where a decision or a law is cited, before the number after its date
    ("2018-06-14 8 71,") or after the number before the law (`_cites_law`)."""
    text, nxt = texts[i], texts[i + 1] if i + 1 < len(texts) else ""
    if not nxt and text in _SECTION_MARKS:
        nxt = around[i + 2]  # the first word of the next line
    if text in _SECTION_LOOKALIKES and _NUMBER.match(nxt):
        sign = PARAGRAPH * 2 if text in _DOUBLE_SECTION and re.search(r"\d[-–]", nxt) \
            else PARAGRAPH
        prev = texts[i - 1] if i else ""
        if text in _SECTION_MARKS or i == 0 or texts[i + 2:i + 3] == ["Dnr"] \
                or _BODY.match(prev):  # "§ 12 Dnr", "KS § 12", "BUN § 98"
            return sign, "symbol", SECTION_AT_START
        if _present_at(prev, nxt, around[i + 3] if i + 3 < len(around) else ""):
            return sign, "symbol", SECTION_PRESENT
        then = texts[i + 2] if i + 2 < len(texts) else \
            around[i + 3] if i + 3 < len(around) else ""
        if _DATE.match(prev) and not then[:1].isdigit():  # not a table's row of numbers
            return sign, "symbol", SECTION_CITED
        if (prev.isalpha() and len(nxt.rstrip(",.;:")) <= 2 and text not in ("s", "S")
                and prev.lower() not in _NUMBERED):  # "enligt 8 28," is "§ 28"
            return sign, "symbol", SECTION_IN_LINE
    if text in _SECTION_AFTER and _cites_law(texts, around, i):
        return PARAGRAPH, "symbol", SECTION_CITED
    joined = _JOINED_SECTION.match(text)
    if joined and i == 0 and text != joined.group(1) and nxt == "Dnr":
        mark = text[:-len(joined.group(1))]
        sure = mark in _SECTION_MARKS or (len(mark) == 2 and PARAGRAPH in mark)
        return (f"{PARAGRAPH} {joined.group(1)}", "split",
                SECTION_GLUED if sure else SECTION_JOINED)
    return None


def _cites_law(texts: list[str], around: list[str], i: int) -> bool:
    """Whether the word stands where a law's paragraph is cited, after its number: "38 §
    förvaltningslagen", "10 kap. 32 § skollagen", "16 kap. 6 f § SoL" (the number, with
    a letter after it or not, then the law's name or "kap." before the number)."""
    prev = around[i]  # the word before, or the last word of the line before
    back = texts[i - 2] if i >= 2 else ""
    if len(prev) == 1 and prev.islower() and _NUMBER.match(back):  # "6 f §"
        prev, back = back, texts[i - 3] if i >= 3 else ""
    if not prev.isdigit() or len(prev) > 3:
        return False
    law = (texts[i + 1] if i + 1 < len(texts) else around[i + 2]).rstrip(",.;:)")
    return (back.rstrip(".") == "kap" or law in LAW_ABBREVIATIONS
            or (law.islower() and law.endswith(_LAW_ENDINGS) and not law.endswith(_NO_LAW)))


def list_lines(lines: list[list[str]]) -> int:
    """How many of the lines (each its words) are a list's items: they start with a bullet,
    or with a mark OCR writes for one, and a word."""
    return sum(1 for texts in lines if len(texts) > 1 and texts[1][:1].isalpha()
               and (texts[0] == BULLET or texts[0] in _BULLET_LOOKALIKES))


def _present_at(prev: str, number: str, then: str) -> bool:
    """Whether a number after a person's title is the item a person was present at, in an
    attendance list ("Projektledare 8 131 Stefan", "förskolechef, 8 103, kl 09.20"): the
    title a word (no noun or preposition a number follows, "sidan 8", "med 8 131 kr"),
    the number no sentence's end, and after it the next person (a given name or a party
    letter), the time or the end of the line."""
    word, then = prev.rstrip(","), then.rstrip(",")
    return (word.isalpha() and word.lower() not in _NUMBERED and not number.endswith(".")
            and (not then or then.lower().rstrip(".") == "kl" or then in _PARTIES
                 or (then[:1].isupper() and context.is_given(then))))


def _bullet(texts: list[str], i: int, in_list: bool) -> Rule | None:
    """A list's bullet that OCR misread. A lone "»" may be the Swedish quotation mark, which
    older typography repeats at the start of each line of a quotation: a suggestion."""
    if i == 0 and texts[0] in _BULLET_LOOKALIKES and len(texts) > 1 and texts[1][:1].isalpha():
        if texts[0] == "»":
            return BULLET, "symbol", QUOTE_OR_BULLET
        return BULLET, "symbol", BULLET_SCORE if in_list else LONE_BULLET
    return None


def _list_number(texts: list[str], i: int) -> Rule | None:
    match = _LIST_NUMBER.match(texts[i])
    if i == 0 and match and len(texts) > 1 and texts[1][:1].isalpha():
        return f"{match.group(1)}.", "symbol", LIST_NUMBER_SCORE
    return None


def _party(texts: list[str], i: int, label: str) -> Rule | None:
    """(5), ($S), (SS) after a name, in a document that labels people by party: (S). The
    name may end the line before ("Elisabeth Sjöstrand" / "(5)"): `texts` is the line's
    words with the words around it."""
    prev = texts[i - 1].rstrip(",") if i else ""
    if not (prev[:1].isupper() and prev.replace("-", "").isalpha()):
        return None
    match = _PARTY_S.match(texts[i])
    if match:
        return f"{label}{match.group(2)}", "ocr-confusion", PARTY_SCORE
    match = _LABEL.match(texts[i])
    if not match:
        return None
    party = _misread_party(match.group(1))
    return (f"({party}){match.group(2)}", "ocr-confusion", PARTY_SCORE) if party else None


def _misread_party(label: str) -> str | None:
    """The one party label that a label no party has ("EP") is, read with one letter
    misread as the channel knows OCR to misread it (F as E: "FP")."""
    if label in _PARTIES:
        return None
    table = channel.load()
    found = [party for party in _PARTIES if len(party) == len(label)
             and sum(a != b for a, b in zip(party, label, strict=True)) == 1
             and all(a == b or max(table.logp(a, b)) >= MISREAD
                     for a, b in zip(party, label, strict=True))]
    return found[0] if len(found) == 1 else None


def _lone_i(texts: list[str], i: int, english: float) -> Rule | None:
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
            return "i", "ocr-confusion", LONE_I_BAR
        return None
    between_words = (prev.isalpha() and prev.islower() and nxt.isalpha() and nxt.islower()
                     and prev not in _NUMBERED and nxt not in _NUMBERED)
    if between_words and english > 0.5:
        return "i", "ocr-confusion", LONE_I_ONE
    return None


def ones_read_for_i(lines: list[list[str]], reading: Callable[[str], str],
                    lexicon: Lexicon) -> set[tuple[int, int]]:
    """Where (line, word) a lone "1" is the preposition i that an OCR engine read as 1:
    after a lower-case word (no noun a number follows, "punkt 1"), before a word no
    numeral is printed before (a pronoun, a noun's definite form: "1 sig", "1 nuläget").
    None unless the document has ONES_FOR_I of them or more: it reads i so. `lines`: the
    words of each line of the document, in order; `reading`: a word as restoration reads
    it, lower case ("nuldget" is nuläget)."""
    found = set()
    for k, words in enumerate(lines):
        for w, text in enumerate(words):
            if text != "1":
                continue
            prev = words[w - 1] if w else (lines[k - 1][-1] if k and lines[k - 1] else "")
            nxt = (words[w + 1] if w + 1 < len(words)
                   else lines[k + 1][0] if k + 1 < len(lines) and lines[k + 1] else "")
            prev, nxt = prev.rstrip(",;:"), nxt.rstrip(".,;:!?")
            if (prev.isalpha() and prev.islower() and prev not in _NUMBERED
                    and nxt[:1].islower() and context.takes_no_numeral(reading(nxt), lexicon)):
                found.add((k, w))
    return found if len(found) >= ONES_FOR_I else set()


def _junk(texts: list[str], i: int, nxt: str) -> Rule | None:
    """A lone mark that is no word: probably a speck, but marks are printed alone too
    ("kl ,"), so suggested, applied only where its measured share right (by the mark, or
    by its place: `_no_word_before`) clears the threshold. A period that ends a line
    after a word, where a sentence or a paragraph ends ("senast i maj ."), may be the
    sentence's own, set off by a space: kept."""
    if (texts[i] == "." and i == len(texts) - 1 and i and texts[i - 1][-1:].isalnum()
            and not nxt[:1].islower()):
        return None
    score = _SPECKS.get(texts[i])
    if score and _no_word_before(texts, i):
        score = max(score, SPECK_PLACED)
    return ("", "symbol", score) if score else None


def _no_word_before(texts: list[str], i: int) -> bool:
    """Whether the lone mark at i follows no word it could belong to: it is first on its
    line or the word before it ends in a mark ("datum. ;", "önskemål, ;"). See
    SPECK_PLACED."""
    mark = texts[i]
    if mark in ("|", "..") or mark in _BULLET_LOOKALIKES:
        return False
    if i == 0:
        return mark != "."  # may be a bullet
    if mark == "." and texts[i - 1].endswith(".."):
        return False  # a leader's last dot: "Sekreterare.. ."
    return texts[i - 1][-1:] in ".,;:!?"


def _dash(texts: list[str], i: int) -> Rule | None:
    """A dash between words is most often an en dash OCR read as an em dash; but em dashes
    are printed too, so only suggested."""
    if texts[i] == "—" and texts[i - 1][-1:].isalnum() and texts[i + 1][:1].isalnum():
        return "–", "symbol", DASH_SCORE
    return None


def _range_dash(text: str) -> Rule | None:
    """A range's en dash that OCR read as an em dash ("2022—2031"): see RANGE_DASH."""
    if "—" in text and _EM_IN_RANGE.search(text):
        return _EM_IN_RANGE.sub("–", text), "symbol", RANGE_DASH
    return None


def comma(text: str) -> str | None:
    """The word with the comma OCR read as a semicolon at its end ("2014;", "(SD);",
    "Ekonom;"): a speck above a comma makes one, and the typefaces of typewriters and
    their scans more often. None for a word that does not end so, or ends in more marks
    than one ("..;", ";;"): a list of them, or a speck."""
    if len(text) >= 2 and text[-1] == ";" and (text[-2].isalnum() or text[-2] == ")"):
        return text[:-1] + ","
    return None


def _stray_lead(text: str, line: str) -> Rule | None:
    """A speck before a word (‘kraven, _efter, |2025) when nothing on the line pairs it."""
    lead = text[:1]
    unpaired = line.count(lead) == 1 and (lead != "‘" or "’" not in line)
    if len(text) > 2 and lead in "‘_|¢" and text[1:].isalnum() and unpaired:
        return text[1:], "symbol", STRAY_LEAD
    return None
