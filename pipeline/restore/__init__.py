"""The restore stage: Swedish diacritics put back and OCR errors corrected.

Every change is a `Correction` on the document (the raw text stays as it was read);
changes scored below the threshold are kept as suggestions, not applied.

    words ─► tokens (protected ones left alone) ─► candidates (lexicon × channel)
          ─► the document's channel (EM, then re-estimated) ─► context ─► corrections
"""

from __future__ import annotations

import dataclasses
import importlib.machinery
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__, profile
from pipeline.exceptions import MissingDependencyError
from pipeline.model import Correction, Document, Page, ProcessingStep
from pipeline.options import RestoreOptions


def _check_compiled(here: Path) -> None:
    """In a working copy (a git checkout): the stage's modules compiled at installation
    (setup.py) stand in for their sources, so one edited since would run as it was
    compiled. Said at once instead."""
    if not (here.parents[1] / ".git").exists():
        return  # installed: sources and compiled modules come together
    for source in sorted(here.glob("*.py")):
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            built = source.with_name(source.stem + suffix)
            if built.is_file() and built.stat().st_mtime < source.stat().st_mtime:
                raise MissingDependencyError(
                    f"{source.name} changed after it was compiled", path=source,
                    fix="Run `make install` to compile it again.")


_check_compiled(Path(__file__).parent)

from pipeline.restore import (  # noqa: E402  (after the check: these may be compiled)
    calibration,
    candidates,
    channel,
    choose,
    dashes,
    decide,
    joins,
    learned,
    lexicon,
    shape,
    symbols,
    tokens,
    vocabulary,
)
from pipeline.restore.choose import Found  # noqa: E402
from pipeline.restore.decide import Hypothesis  # noqa: E402

SHORT = 3  # letters: a token no longer than this and no word is taken as printed ...
SHORT_COST = 2.0  # ... unless read so with at least this likelihood (-log10) by a model
SHORT_PENALTY = 4.0  # log10 odds against another reading of it (on dev and dev-real no
# applied change comes or goes with it, two wrong suggestions come: "omr" as "om")
_DOTTED = frozenset("åäöÅÄÖ")

# A word's readings depend on nothing but the word (and the lexicon and channel), so a
# process keeps them for every document it restores: an archive repeats its words. About
# 5 KiB each with their search: the older half goes when there are this many.
_READINGS: dict[tuple[str, int, int], list[Hypothesis] | None] = {}
_READINGS_SIZE = 20_000


def hypotheses(pages: list[Page], found: Found | None = None) -> Found:
    """The readings of every correctable word on the pages, adding to `found`.

    This is most of restoration's work and depends on nothing but the word, so a batch
    does it page by page in the workers, as the pages come out of OCR."""
    segments = (seg for page in pages for line in page.lines for word in line.words
                for seg in tokens.read_remembered(word.text)[1])
    return _find(segments, {} if found is None else found)


def _find(segments: Iterable[str], found: Found) -> Found:
    with profile.step("restore/load"):
        lex, table = lexicon.load(), channel.load()
    with profile.step("restore/search"):
        for seg in dict.fromkeys(segments):  # each word once (most come back many times)
            if seg not in found and (hyps := readings(seg, lex, table)) is not None:
                found[seg] = hyps
    return found


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
    if len(_READINGS) >= _READINGS_SIZE:
        candidates.forget_older_half(_READINGS)
    _READINGS[key] = hyps
    return hyps


def _short(seg: str, hyps: list[Hypothesis]) -> list[Hypothesis]:
    """The readings of so short a token no list has: it is likelier an abbreviation ("åa"
    for årsarbetare) than a damaged word, unless only its diacritics differ, a likely OCR
    confusion explains it ("f6r", "dr" for "är") or it is read as printed but for a digit
    where the reading has å, ä or ö ("4n" for "än"). Other readings of letters count for
    SHORT_PENALTY less, and stay in case the document shows their confusion often ("Nir"
    for "När" where ä is read as i: `_short_as_read_here` gives the penalty back there);
    those of a token with a digit go ("4e" is no "är")."""
    out = []
    for h in hyps:
        if _short_explained(seg, h):
            out.append(h)
        elif seg.isalpha():
            out.append(dataclasses.replace(h, penalty=h.penalty + SHORT_PENALTY))
    return out


def _short_explained(seg: str, h: Hypothesis) -> bool:
    """Whether `_short` takes a reading of a short unlisted token as it is: the token as
    printed, one the confusion table reads cheaply, a digit for å, ä or ö, or only dots
    and rings put back."""
    return (h.keep or min(h.cost) <= SHORT_COST or _dotted_digit(h)
            or decide.diacritic_twins(seg.lower(), h.text))


def _short_as_read_here(found: Found, doc_channel: decide.DocumentChannel) -> Found:
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
            out[seg] = [dataclasses.replace(h, penalty=h.penalty - SHORT_PENALTY)
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


_PENALISED: dict[int, tuple[list[Hypothesis], tuple[int, ...]]] = {}


def _dotted_digit(h: Hypothesis) -> bool:
    """True for a reading that differs from the token only where a digit stands for å, ä
    or ö ("4n" read as "än", "4r" as "är"): a digit among letters is no abbreviation."""
    return (any(o.isdigit() for _, o in h.path)
            and all(t == o or (o.isdigit() and t in _DOTTED) for t, o in h.path))


def _own(found: Found) -> Found:
    """The readings made elsewhere (by `hypotheses` in another worker of a batch), each
    word's replaced by this process's own list where it has one: the same readings, since
    they depend on nothing but the word, in the list whose compiled forms the process
    keeps (`decide._with_terms`, `decide.compiled_readings`, `choose.movable`)."""
    if not found:
        return {}
    lex, table = lexicon.load(), channel.load()
    lex_id, table_id, get = id(lex), id(table), _READINGS.get
    return {seg: get((seg, lex_id, table_id)) or hyps for seg, hyps in found.items()}


def restore(doc: Document, options: RestoreOptions, *, found: Found | None = None) -> Document:
    """Correct the document; `found` may hold readings already made by `hypotheses`."""
    started, clock = datetime.now(UTC).isoformat(timespec="seconds"), time.perf_counter()
    with profile.step("restore/load"):
        lex, table = lexicon.load(), channel.load()
    with profile.step("restore/tokens"):
        occurrences = list(choose.occurrences(doc.pages))
    profile.count("restore/words", len(occurrences))
    found = _find((s for o in occurrences for s in o.segments), _own(found or {}))
    with profile.step("restore/fitting"):
        occurs = Counter(s for o in occurrences for s in o.segments if s in found)
        groups = [(found[s], n) for s, n in occurs.items()]
        english = decide.fit_mixture(groups)
        doc_channel = decide.DocumentChannel(table, english, groups, lex)
        found = _short_as_read_here(found, doc_channel)
    with profile.step("restore/decisions"):
        decisions = choose.Decisions(found, doc_channel, occurs, options)
        vocabulary.look_again(decisions, list(occurs), doc_channel.best, lex)
        fixed = _symbol_corrections(doc, english, options, lex, lambda: {
            seg: found[seg][b].text for seg, (b, _) in zip(occurs, doc_channel.best,
                                                           strict=True)})
        fixed += joins.corrections(doc, lex, table,
                                   done={(c.page, c.line, c.word) for c in fixed},
                                   threshold=options.threshold, english=english)
        done = {(c.page, c.line, c.word + k) for c in fixed for k in range(c.words)}
        fixed += decisions.corrections(occurrences, done)
        fixed += _commas(doc, {(c.page, c.line, c.word + k) for c in fixed
                               for k in range(c.words)}, options)
        doc.corrections = sorted(fixed, key=lambda c: (c.page, c.line, c.word))
    data = {**lex.checksums, channel.CONFUSIONS: table.checksum, **shape.checksums(),
            calibration.CALIBRATION: calibration.load().checksum}
    if options.learned:  # the archivists' earlier calls, after the machine's
        with profile.step("restore/learned"):
            lesson = learned.load(Path(options.learned))  # read once per process
            learned.apply(doc, lesson.entries)
        data[Path(options.learned).name] = lesson.checksum
    doc.steps.append(ProcessingStep(
        stage="restore", tool="protokoll", version=__version__,
        settings={"threshold": options.threshold, "english_share": round(english, 4),
                  "calibrated": options.calibrated},
        data=data, started=started, seconds=round(time.perf_counter() - clock, 3)))
    return doc


def _commas(doc: Document, done: set[tuple[int, int, int]],
            options: RestoreOptions) -> list[Correction]:
    """A comma read as a semicolon at the end of a word no other correction changed (one
    whose letters are corrected keeps its semicolon: one change a word)."""
    out = []
    for page in doc.pages:
        for li, line in enumerate(page.lines):
            for wi, word in enumerate(line.words):
                if (after := symbols.comma(word.text)) and (page.number, li, wi) not in done:
                    out.append(Correction(
                        page=page.number, line=li, word=wi, before=word.text, after=after,
                        kind="symbol", score=symbols.SEMICOLON, origin="context",
                        applied=options.threshold <= symbols.SEMICOLON))
    return out


def _symbol_corrections(doc: Document, english: float, options: RestoreOptions,
                        lex: lexicon.Lexicon,
                        best: Callable[[], dict[str, str]]) -> list[Correction]:
    """The corrections of symbols (`symbols`, `dashes`); `best` makes each word's likeliest
    reading in this document (asked for only where a lone 1 stands)."""
    out = []
    parties = symbols.party_labels([line.text for page in doc.pages for line in page.lines])
    words = [[w.text for w in line.words] for page in doc.pages for line in page.lines]
    ones: set[tuple[int, int]] = set()
    if any("1" in line for line in words):
        read = best()
        ones = symbols.ones_read_for_i(words, lambda word: _read(word, read), lex)
    k = -1
    for page in doc.pages:
        lines = page.lines
        in_list = symbols.list_lines([[w.text for w in line.words[:2]] for line in lines]) >= 2
        for li, line in enumerate(lines):
            k += 1
            before = lines[li - 1].words[-1].text if li and lines[li - 1].words else ""
            after = (lines[li + 1].words[0].text
                     if li + 1 < len(lines) and lines[li + 1].words else "")
            found = {fix.word: fix for fix in symbols.fixes(
                line, english=english, parties=parties, before=before, after=after,
                in_list=in_list)}
            for i, text, score in dashes.fixes(line.words):
                # the width measured on the page outweighs a dash's place on the line
                found[i] = symbols.Fix(i, text, "symbol", score, "image")
            for at, i in ones:  # a lone 1 where no numeral stands
                if at == k:
                    found[i] = symbols.Fix(i, "i", "ocr-confusion", symbols.LONE_I_PLACED)
            for fix in found.values():
                out.append(Correction(
                    page=page.number, line=li, word=fix.word, before=line.words[fix.word].text,
                    after=fix.after, kind=fix.kind, score=fix.score, origin=fix.origin,
                    applied=fix.score >= options.threshold))
    return out


def _read(word: str, best: dict[str, str]) -> str:
    """A word as the document's restoration reads it, lower case: its one part's likeliest
    reading, or the word itself."""
    segments = tokens.read_remembered(word)[1]
    if len(segments) == 1 and segments[0] in best:
        return best[segments[0]]
    return word.lower()
