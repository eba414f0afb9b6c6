"""Item signs and section headings OCR garbled, read back by their place and wording.

An item line whose § OCR read as a letter or digit ("8 45-46", "823 Dnr UN 2023/0198",
"s821") is one when a Dnr stands on it or just below and its number carries on the
document's numbering: the sign is corrected. Minutes use a small, fixed set of headings
("Sammanfattning av ärendet", "Prövning av barns bästa"); a short line standing alone
where a heading stands, that matches one of them but for one damaged word, is that
heading: the word is corrected. Both corrections have origin `structure`, as an archivist
reading the page would make them; their scores are the share of such repairs that were
right on the development corpora (`restore.calibration`), and like restoration's
changes they are applied only at the threshold or above. Nothing else is touched.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from pipeline.model import Correction, Document, Protocol
from pipeline.options import RestoreOptions
from pipeline.restore import calibration, lexicon
from pipeline.segment import patterns, specks
from pipeline.segment.lines import Entry

# The fixed headings of Swedish minutes and tjänsteskrivelser (SKR's and the
# municipalities' templates); headings naming a body ("Socialnämndens beslut") vary
# and are not here.
HEADINGS = [
    "Sammanfattning av ärendet", "Sammanfattning", "Ärendet i sin helhet", "Ärendebeskrivning",
    "Beskrivning av ärendet", "Prövning av barns bästa", "Prövning av barnets bästa",
    "Beslutsunderlag", "Beslutet expedieras till", "Beslutet skickas till", "Expedieras till",
    "Förslag till beslut", "Bakgrund", "Bedömning", "Förvaltningens bedömning", "Samverkan",
    "Yrkanden", "Propositionsordning", "Reservation", "Protokollsanteckning",
    "Ekonomiska konsekvenser", "Barnperspektiv", "Omröstning",
]
_SPLIT = [h.split() for h in HEADINGS]


def repair_item_signs(doc: Document, lines: list[Entry]) -> int:
    """Correct the § of item lines that OCR misread; returns how many."""
    last, count = 0, 0
    for i, entry in enumerate(lines):
        if entry.furniture or entry.blank:
            continue
        strong = patterns.ITEM.match(entry.text)
        if strong:
            if int(strong["nr"]) > last and not strong["rest"].strip()[:1].islower():
                last = int(strong["last"] or strong["nr"])
            continue
        weak = patterns.WEAK_ITEM.match(entry.text)
        if not weak or int(weak["nr"]) <= last or weak["rest"].strip()[:1].isdigit():
            continue
        if not (patterns.DNR_LABEL.search(weak["rest"]) or _dnr_below(lines, i)):
            continue
        first = entry.text.split()[0]
        after = "§" if weak["gap"] else "§ " + first[len(weak["sign"]):]
        if _correct(doc, entry, 0, after, "symbol" if weak["gap"] else "split", 0.85):
            last = int(weak["last"] or weak["nr"])
            count += 1
    return count


def _dnr_below(lines: list[Entry], i: int) -> bool:
    """A Dnr line among the next three printed lines (under a title that may wrap)."""
    below = [e for e in lines[i + 1:i + 8] if not e.blank and not e.furniture][:3]
    return any(patterns.starts_with_dnr(e.clean) for e in below)


def _correct(doc: Document, entry: Entry, position: int, after: str, kind: str,
             score: float) -> bool:
    """Record a correction of one word of the line; False when the line's words no longer
    match the OCR words one to one (a split or join there)."""
    line = next(p for p in doc.pages if p.number == entry.ref.page).lines[entry.ref.line]
    on_line = [c for c in doc.corrections if c.applied and c.page == entry.ref.page
               and c.line == entry.ref.line]
    raw = _raw_index(len(line.words), on_line, position)
    if raw is None or any(c.word == raw and c.origin == "review" for c in doc.corrections
                          if c.page == entry.ref.page and c.line == entry.ref.line):
        return False  # an archivist's decision stands
    doc.corrections = [c for c in doc.corrections if not (
        c.page == entry.ref.page and c.line == entry.ref.line and c.word == raw)]
    threshold = float(_restore_setting(doc, "threshold", RestoreOptions.threshold))
    measured = (calibration.load().score(calibration.STRUCTURE, score)
                if _restore_setting(doc, "calibrated", True) else score)
    doc.corrections.append(Correction(
        page=entry.ref.page, line=entry.ref.line, word=raw,
        before=line.words[raw].text, after=after, kind=kind,  # type: ignore[arg-type]
        score=round(measured, 4), origin="structure", applied=measured >= threshold))
    return measured >= threshold


def _restore_setting(doc: Document, name: str, default: object) -> object:
    """A setting restoration ran with (its threshold: the repairs keep to it too)."""
    return next((s.settings[name] for s in reversed(doc.steps)
                 if s.stage == "restore" and name in s.settings), default)


def _raw_index(words: int, corrections: list[Correction], position: int) -> int | None:
    """The OCR word that is word `position` of the corrected line, when that word came
    from exactly one OCR word (corrections may have deleted, split or joined others)."""
    by_start = {c.word: c for c in corrections}
    seen, i = 0, 0
    while i < words:
        c = by_start.get(i)
        count, span = (len(c.after.split()), c.words) if c else (1, 1)
        if seen <= position < seen + count:
            return i if count == 1 and span == 1 else None
        seen, i = seen + count, i + span
    return None


def repair_headings(doc: Document, lines: list[Entry]) -> int:
    """Correct the damaged word of lines that are headings but for it; returns how many."""
    pages = {p.number: p for p in doc.pages}
    count = 0
    for i, entry in enumerate(lines):
        if not _stands_alone(lines, i) or patterns.heading_kind(entry.clean):
            continue
        words = entry.clean.rstrip(" .:—–-_|").split()
        line = pages[entry.ref.page].lines[entry.ref.line]
        if len(line.words) != len(entry.text.split()):
            continue  # a split or join changed the words of this line
        found = _match(words, [w.text for w in line.words], lost=_lost_diacritics(doc))
        if found is not None and _correct(doc, entry, found[0], found[1], "ocr-confusion",
                                          found[2]):
            count += 1
    return count


def repair_body_names(doc: Document, lines: list[Entry]) -> int:
    """Put back the å, ä, ö of a body's name OCR lost ("Vard- och omsorgsnamnden") where
    the line names, letter for letter but for them, a body on the list of Swedish
    municipal bodies; returns how many words were corrected."""
    count = 0
    for entry in lines:
        name = patterns.body_name(entry.clean)
        listed = _LISTED_BODIES.get(_fold(name)) if name else None
        if listed is None or listed == name:
            continue
        words = entry.text.split()
        start = next((k for k in range(len(words))
                      if " ".join(words[k:]).startswith(name.split()[0])), None)
        if start is None:
            continue
        for k, (printed, right) in enumerate(zip(name.split(), listed.split(), strict=True)):
            if printed != right and words[start + k] == printed:
                count += _correct(doc, entry, start + k, right, "diacritic", 0.9)
    return count


def _twins(printed: str, word: str) -> bool:
    return printed.lower() != word.lower() and _fold(printed) == _fold(word)


def _fold(text: str) -> str:
    return text.lower().translate(_FOLD_TABLE)


_FOLD_TABLE = str.maketrans("åäöé", "aaoe")
_LISTED_BODIES = {_fold(name): name for name in lexicon.curated_names("sv_municipal_bodies.txt")
                  if len(name.split()) > 1}


def repair_heading_specks(doc: Document, lines: list[Entry]) -> int:
    """Take out the specks OCR put around known headings ("Bakgrund ae" → "Bakgrund",
    "\"Ärendet" → "Ärendet"); returns how many."""
    count = 0
    for entry in lines:
        if entry.furniture or len(entry.clean) > 80:
            continue
        found = patterns.heading_span(entry.text)
        if found is None:
            continue
        _, first, end = found
        words = entry.text.split()
        for k in reversed([*range(first), *range(end, len(words))]):
            count += _correct(doc, entry, k, "", "symbol", 0.7)
        lead = specks.strip(" ".join(words[first:end])).split()[0]
        if lead != words[first] and words[first].endswith(lead) and lead[:1].isalpha():
            count += _correct(doc, entry, first, lead, "symbol", 0.7)
    return count


# Prepositions a space OCR read as a hyphen joins onto ("avveckling-av"): no compound ends
# in them ("och", "eller" may follow a hyphen: "Barn- och" with its space lost).
_JOINED = {"av", "i", "om", "på", "för", "till", "med", "vid", "från", "under", "efter",
           "mot", "inom"}


def repair_titles(doc: Document, lines: list[Entry], protocol: Protocol) -> int:
    """Take out what OCR put inside an item's title: a period after a word that goes on in
    lower case ("växelvis. boende"; a title holds no sentence end, abbreviations aside),
    a hyphen for the space before a preposition ("avveckling-av"); returns how many."""
    title_lines = {(r.page, r.line) for item in protocol.items for b in item.head
                   if b.kind == "heading" for r in b.lines}
    count = 0
    for entry in lines:
        if (entry.ref.page, entry.ref.line) not in title_lines:
            continue
        words = entry.text.split()
        for k in reversed(range(len(words))):
            fixed = _title_word(words[k], words[k + 1] if k + 1 < len(words) else "")
            if fixed is not None:
                count += _correct(doc, entry, k, fixed[0], fixed[1], 0.7)
    return count


def _title_word(word: str, after: str) -> tuple[str, str] | None:
    lex = lexicon.load()
    core = word[:-1]
    if word.endswith(".") and core.isalpha() and len(core) >= 5 and after[:1].islower() \
            and lex.is_word(core.lower()) and f"{core.lower()}." not in lex.abbreviations:
        return core, "symbol"
    first, _, last = word.partition("-")
    if last in _JOINED and first.isalpha() and len(first) >= 3 \
            and lex.is_word(first.lower()) and not lex.is_word(word.lower()):
        return f"{first} {last}", "split"
    return None


def _lost_diacritics(doc: Document) -> bool:
    """The document's OCR lost å, ä, ö (restoration fitted it as English-model OCR)."""
    return any(s.stage == "restore" and s.settings.get("english_share", 0.0) >= 0.5
               for s in doc.steps)


def _match(words: list[str], raw: list[str], *, lost: bool = False
           ) -> tuple[int, str, float] | None:
    """(index, heading word, score) when `words` are a known heading but for one word;
    that word is judged as corrected and as OCR'd (`raw`), whichever is closer. A word as
    printed stays, unless it differs from the heading's only by the dots and rings a
    document OCR'd without them lost ("Provning av barns bästa")."""
    for heading in _SPLIT:
        if len(heading) != len(words) or not 1 <= len(words) <= 5:
            continue
        wrong = [k for k, (a, b) in enumerate(zip(words, heading, strict=True))
                 if a.lower() != b.lower()]
        if len(wrong) != 1:
            continue
        k = wrong[0]
        if _is_word(raw[k]) and not (lost and _twins(raw[k], heading[k])):
            continue  # a word as printed stays: "Underlag" is not a damaged "Förslag"
        readings = [words[k], raw[k]]
        similarity = max(fuzz.ratio(r.lower(), heading[k].lower()) for r in readings)
        needed = 80 if len(words) == 1 else 70 if len(words) == 2 else 50
        dropped = len(words) > 2 and any(_dropped(r, heading[k]) for r in readings)
        if similarity >= needed or dropped:
            after = heading[k] if k or not words[k][:1].isupper() else heading[k].capitalize()
            return k, after, 0.5 + similarity / 200
    return None


def _is_word(text: str) -> bool:
    word = text.strip(".,:;'’\"”")
    return len(word) > 2 and lexicon.load().is_word(word.lower())


def _dropped(damaged: str, word: str) -> bool:
    """What is left of `word` when degraded print lost letters: its letters, in order."""
    rest = iter(word.lower())
    return len(damaged) >= 2 and damaged.isalpha() and all(c in rest for c in damaged.lower())


def _stands_alone(lines: list[Entry], i: int) -> bool:
    """A short line after a blank line or a finished sentence, with text below it."""
    entry = lines[i]
    if entry.blank or entry.furniture or len(entry.clean) > 60:
        return False
    before = next((e for e in reversed(lines[:i]) if not e.furniture), None)
    after = next((e for e in lines[i + 1:] if not e.blank and not e.furniture), None)
    ended = before is None or before.blank or before.clean.endswith((".", ":", "!", "?"))
    return ended and after is not None
