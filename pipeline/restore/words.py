"""Each word's readings, made once per process: the candidate search and the hypotheses
of `decide` for a word (or hyphen-separated part), kept for every document the process
restores, since they depend on nothing but the word, the lexicon and the channel. Also
what a short token's readings are worth (`_short`), here and, where a document's own
channel reads them otherwise, in that document (`short_as_read_here`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from pipeline import profile
from pipeline.model import Page
from pipeline.restore import candidates, channel, decide, lexicon, tokens
from pipeline.restore.choose import Found, Occurrence
from pipeline.restore.decide import Hypothesis

SHORT: Final = 3  # letters: a token no longer than this and no word is taken as printed ...
SHORT_COST: Final = 2.0  # ... unless read so with at least this likelihood (-log10) by a model
SHORT_PENALTY: Final = 4.0  # log10 odds against another reading of it (on dev and dev-real no
# applied change comes or goes with it, two wrong suggestions come: "omr" as "om")
_DOTTED: Final = frozenset("åäöÅÄÖ")

# A word's readings depend on nothing but the word (and the lexicon and channel), so a
# process keeps them for every document it restores: an archive repeats its words. About
# 5 KiB each with their search: the older half goes when there are this many.
_READINGS: Final[dict[tuple[str, int, int], list[Hypothesis] | None]] = {}
_READINGS_SIZE: Final = 20_000
# The readings the run's other workers make (`pipeline.batch.shared`), where `share` set
# them: a SharedReadings, with `take` and `give`.
_SHARED: Any = None


def share(shared: Any) -> None:
    """Take readings from, and give them to, the run's other workers through `shared`."""
    global _SHARED
    _SHARED = shared


def hypotheses(pages: list[Page], found: Found | None = None) -> Found:
    """The readings of every correctable word on the pages, adding to `found`.

    This is most of restoration's work and depends on nothing but the word, so a batch
    does it page by page in the workers, as the pages come out of OCR."""
    segments = [seg for page in pages for line in page.lines for word in line.words
                for seg in tokens.read_remembered(word.text)[1]]
    return find(segments, {} if found is None else found)


def find_at(occurrences: list[Occurrence], found: Found) -> Found:
    """`find` for the words of a document, as `choose.occurrences` gives them."""
    return find([seg for occ in occurrences for seg in occ.segments], found)


def find(segments: list[str], found: Found) -> Found:
    """The readings of these words, added to `found` (each word once: most come back many
    times). Where the run's other workers share theirs (`share`), the readings they have
    made are taken, and the ones made here given to them."""
    with profile.step("restore/load"):
        lex, table = lexicon.load(), channel.load()
    with profile.step("restore/search"):
        todo = [seg for seg in dict.fromkeys(segments) if seg not in found]
        if _SHARED is not None:
            _find_shared(todo, lex, table)
        for seg in todo:
            if (hyps := readings(seg, lex, table)) is not None:
                found[seg] = hyps
    return found


def _find_shared(todo: list[str], lex: lexicon.Lexicon,
                 table: channel.Channel) -> None:
    """`find`'s readings where the run's workers share theirs: those another worker has
    made are taken, and the others made here and given."""
    wanted = [seg for seg in todo if (seg, id(lex), id(table)) not in _READINGS]
    for seg, taken in _SHARED.take(wanted):
        _keep((seg, id(lex), id(table)), taken)
    made = []
    for seg in wanted:
        if (seg, id(lex), id(table)) not in _READINGS:
            made.append((seg, readings(seg, lex, table)))
    if made:
        _SHARED.give(made)


def counted(occurrences: list[Occurrence], found: Found) -> Counter[str]:
    """How often each word with readings occurs in the document."""
    return Counter([seg for occ in occurrences for seg in occ.segments if seg in found])


def readings(seg: str, lex: lexicon.Lexicon, table: channel.Channel) -> list[Hypothesis] | None:
    """The readings of a word (or hyphen-separated part); None for one left as it is."""
    key = (seg, id(lex), id(table))
    if key in _READINGS:
        return _READINGS[key]
    hyps = None
    if tokens.correctable(seg, lex) and not (
            tokens.vowelless(seg) and not any(map(table.hides_vowel, seg.lower()))):
        hyps = decide.hypotheses(seg, candidates.search(seg, lex, table), lex, table)
        if any(h.unknown for h in hyps) and len(seg) <= SHORT:
            hyps = _short(seg, hyps)
        elif any(h.unknown for h in hyps) and seg.isalpha():
            hyps += decide.split_hypotheses(seg, lex, table)
    _keep(key, hyps)
    return hyps


def _keep(key: tuple[str, int, int], hyps: list[Hypothesis] | None) -> None:
    if len(_READINGS) >= _READINGS_SIZE:
        candidates.forget_older_half(_READINGS)
    _READINGS[key] = hyps


def _short(seg: str, hyps: list[Hypothesis]) -> list[Hypothesis]:
    """The readings of so short a token no list has: it is likelier an abbreviation ("åa"
    for årsarbetare) than a damaged word, unless only its diacritics differ, a likely OCR
    confusion explains it ("f6r", "dr" for "är") or it is read as printed but for a digit
    where the reading has å, ä or ö ("4n" for "än"). Other readings of letters count for
    SHORT_PENALTY less, and stay in case the document shows their confusion often ("Nir"
    for "När" where ä is read as i: `short_as_read_here` gives the penalty back there);
    those of a token with a digit go ("4e" is no "är")."""
    out = []
    for h in hyps:
        if _short_explained(seg, h):
            out.append(h)
        elif seg.isalpha():
            out.append(h.with_penalty(h.penalty + SHORT_PENALTY))
    return out


def _short_explained(seg: str, h: Hypothesis) -> bool:
    """Whether `_short` takes a reading of a short unlisted token as it is: the token as
    printed, one the confusion table reads cheaply, a digit for å, ä or ö, or only dots
    and rings put back."""
    return (h.keep or min(h.cost) <= SHORT_COST or _dotted_digit(h)
            or decide.diacritic_twins(seg.lower(), h.text))


def short_as_read_here(found: Found, doc_channel: decide.DocumentChannel) -> Found:
    """`found`, with the short tokens' readings that the confusion table reads too dearly
    for `_short` but this document's own channel reads cheaply (at most SHORT_COST) given
    back their SHORT_PENALTY: the document shows that confusion often ("dd" is "då" where
    d is read for å in "pd", "sd", "bdda"), in words it read surely. A new list for such a
    word, this document's."""
    out, seen = found, doc_channel.counts  # the confusions of the document's sure words
    for seg in [s for s in found if len(s) <= SHORT]:
        hyps = found[seg]
        if not (penalised := _penalised(seg, hyps)):
            continue
        back = [k for k in penalised
                if any(pair in seen for pair in hyps[k].path if pair[0] != pair[1])
                and -sum(doc_channel.logp(t, o) for t, o in hyps[k].path) <= SHORT_COST]
        if back:
            out = dict(found) if out is found else out
            out[seg] = [h.with_penalty(h.penalty - SHORT_PENALTY)
                        if k in back else h for k, h in enumerate(hyps)]
    return out


def _penalised(seg: str, hyps: list[Hypothesis]) -> tuple[int, ...]:
    """The readings `_short` took SHORT_PENALTY off: worked out once per list of readings
    (held beside it, as `first_look.movable` is)."""
    known = _PENALISED.get(id(hyps))
    if known is not None and known[0] is hyps:
        return known[1]
    found: tuple[int, ...] = ()
    if seg.isalpha() and any(h.unknown for h in hyps):
        found = tuple(k for k, h in enumerate(hyps) if not _short_explained(seg, h))
    if len(_PENALISED) >= _READINGS_SIZE:
        candidates.forget_older_half(_PENALISED)
    _PENALISED[id(hyps)] = (hyps, found)
    return found


_PENALISED: Final[dict[int, tuple[list[Hypothesis], tuple[int, ...]]]] = {}


def _dotted_digit(h: Hypothesis) -> bool:
    """True for a reading that differs from the token only where a digit stands for å, ä
    or ö ("4n" read as "än", "4r" as "är"): a digit among letters is no abbreviation."""
    return (any(o.isdigit() for _, o in h.path)
            and all(t == o or (o.isdigit() and t in _DOTTED) for t, o in h.path))


def own(found: Found) -> Found:
    """The readings made elsewhere (by `hypotheses` in another worker of a batch), each
    word's replaced by this process's own list where it has one: the same readings, since
    they depend on nothing but the word, in the list whose compiled forms the process
    keeps (`decide._with_terms`, `decide.compiled_readings`, `choose.movable`)."""
    if not found:
        return {}
    lex, table = lexicon.load(), channel.load()
    lex_id, table_id, get = id(lex), id(table), _READINGS.get
    return {seg: get((seg, lex_id, table_id)) or hyps for seg, hyps in found.items()}
