"""The restore stage: Swedish diacritics put back and OCR errors corrected.

Every change is a `Correction` on the document (the raw text stays as it was read);
changes scored below the threshold are kept as suggestions, not applied.

    words ─► tokens (protected ones left alone) ─► candidates (lexicon × channel)
          ─► the document's channel (EM, then re-estimated) ─► context ─► corrections
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__, profile
from pipeline.model import Correction, Document, Page, ProcessingStep
from pipeline.options import RestoreOptions
from pipeline.restore import (
    calibration,
    candidates,
    channel,
    context,
    dashes,
    decide,
    joins,
    learned,
    lexicon,
    shape,
    symbols,
    tokens,
)
from pipeline.restore.decide import Hypothesis

_FOLD = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")
_ACUTE = str.maketrans("éáíóúÉÁÍÓÚ", "eaiouEAIOU")
# An acute accent put on or taken off is a spelling the letters cannot decide (Renée and
# Renee, André and Andre are both names; idé and ide both printed): at most a suggestion.
ACCENT_ONLY = 0.5


@dataclass
class _Occurrence:
    page: int
    line: int
    word: int
    token: tokens.Token
    segments: list[str]  # the core's words, split at hyphens and slashes (`tokens.parts`)
    around: context.Neighbours
    marks: list[str]  # what stands between the segments ("-", "/")


ATTESTED = 0.9  # posterior at which a capitalised token's reading attests a name ...
CONSISTENT = 1.0  # ... which is then likelier (log10) for other tokens that may read so
SHORT = 3  # letters: a token no longer than this and no word is taken as printed ...
SHORT_COST = 2.0  # ... unless read so with at least this likelihood (-log10) by a model
Found = dict[str, list[Hypothesis]]  # word (or hyphen-separated part) -> its readings

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
                for seg in tokens.parts(_split(word.text).core)[0])
    return _find(segments, {} if found is None else found)


def _find(segments: Iterable[str], found: Found) -> Found:
    with profile.step("restore/load"):
        lex, table = lexicon.load(), channel.load()
    with profile.step("restore/search"):
        for seg in segments:
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
            # so short a token no list has is likelier an abbreviation ("åa" for
            # årsarbetare) than a damaged word, unless only its diacritics differ or a
            # likely OCR confusion explains it ("f6r", "dr" for "är")
            hyps = [h for h in hyps if h.keep or min(h.cost) <= SHORT_COST
                    or decide.diacritic_twins(seg.lower(), h.text)]
        elif any(h.unknown for h in hyps) and seg.isalpha():
            hyps += decide.split_hypotheses(seg, lex, table)
    if len(_READINGS) >= _READINGS_SIZE:
        candidates.forget_older_half(_READINGS)
    _READINGS[key] = hyps
    return hyps


def restore(doc: Document, options: RestoreOptions, *, found: Found | None = None) -> Document:
    """Correct the document; `found` may hold readings already made by `hypotheses`."""
    started, clock = datetime.now(UTC).isoformat(timespec="seconds"), time.perf_counter()
    with profile.step("restore/load"):
        lex, table = lexicon.load(), channel.load()
    with profile.step("restore/tokens"):
        occurrences = list(_occurrences(doc.pages))
    profile.count("restore/words", len(occurrences))
    found = _find((s for o in occurrences for s in o.segments), dict(found or {}))
    with profile.step("restore/fitting"):
        occurs = Counter(s for o in occurrences for s in o.segments if s in found)
        groups = [(found[s], n) for s, n in occurs.items()]
        english = decide.fit_mixture(groups)
        doc_channel = _Scored(decide.DocumentChannel(table, english, groups, lex))
    with profile.step("restore/decisions"):
        _resolve_neighbours(occurrences, found, doc_channel)
        doc_channel.attested = _attested(occurs, found, doc_channel)
        fixed = _symbol_corrections(doc, english, options)
        fixed += joins.corrections(doc, lex, table,
                                   done={(c.page, c.line, c.word) for c in fixed},
                                   threshold=options.threshold, english=english)
        done = {(c.page, c.line, c.word + k) for c in fixed for k in range(c.words)}
        doc.corrections = sorted(fixed + [
            c for o in occurrences if (o.page, o.line, o.word) not in done
            and (c := _correct(o, found, doc_channel, options)) is not None],
            key=lambda c: (c.page, c.line, c.word))
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


class _Scored:
    """The document's channel, each reading's score remembered for the document: the
    neighbours and every occurrence of a word ask for the same readings' scores."""

    def __init__(self, doc_channel: decide.DocumentChannel) -> None:
        self._channel = doc_channel
        self._scores: dict[int, float] = {}  # id of a reading (alive in `found`) -> score

    def score(self, h: Hypothesis) -> float:
        found = self._scores.get(id(h))
        if found is None:
            found = self._scores[id(h)] = self._channel.score(h)
        return found

    def __getattr__(self, name: str):
        return getattr(self._channel, name)


def _occurrences(pages: list[Page]) -> Iterator[_Occurrence]:
    """Every word in reading order, with its neighbours within the paragraph."""
    for page in pages:
        flat = [(li, wi, w.text) for li, line in enumerate(page.lines)
                for wi, w in enumerate(line.words)]
        for k, (li, wi, text) in enumerate(flat):
            prev = flat[k - 1] if k else None
            same_paragraph = prev is not None and (prev[0] == li or (
                prev[0] == li - 1 and page.lines[li - 1].text.strip()))
            nxt = flat[k + 1][2] if k + 1 < len(flat) and flat[k + 1][0] <= li + 1 else ""
            nxt2 = flat[k + 2][2] if nxt and k + 2 < len(flat) and flat[k + 2][0] <= li + 1 \
                else ""
            prev2 = flat[k - 2][2] if same_paragraph and k > 1 else ""
            token = _split(text)
            words, marks = tokens.parts(token.core)
            yield _Occurrence(page.number, li, wi, token, words,
                              context.Neighbours(prev[2] if same_paragraph else "", nxt,
                                                 token.trail, wi == 0, prev2, nxt2), marks)


_SPLIT: dict[str, tokens.Token] = {}  # words as split, per process


def _split(word: str) -> tokens.Token:
    """`tokens.split`, remembered: the same words come back on every page."""
    found = _SPLIT.get(word)
    if found is None:
        if len(_SPLIT) >= 200_000:
            _SPLIT.clear()
        found = _SPLIT[word] = tokens.split(word)
    return found


def _resolve_neighbours(occurrences: list[_Occurrence], found: dict[str, list[Hypothesis]],
                        doc_channel: decide.DocumentChannel) -> None:
    """Let context see the neighbours as they read after correction ("bor hojas" is
    "bör höjas"): each neighbour is replaced by its best reading without context."""
    best: dict[str, str] = {}
    for seg, hyps in found.items():
        scores = [doc_channel.score(h) for h in hyps]
        text = hyps[max(range(len(hyps)), key=scores.__getitem__)].text
        best[seg] = seg if text == seg.lower() else candidates.apply_case(
            text, candidates.case_pattern(seg))

    resolved: dict[str, str] = {}  # a word comes back as a neighbour many times

    def resolve(word: str) -> str:
        found = resolved.get(word)
        if found is None:
            token = _split(word)
            found = resolved[word] = token.lead + best.get(token.core, token.core) + token.trail
        return found

    for occ in occurrences:
        a = occ.around
        occ.around = context.Neighbours(resolve(a.prev), resolve(a.next), a.trail, a.line_start,
                                        resolve(a.prev2), resolve(a.next2))


def _attested(occurs: Counter[str], found: Found,
              doc_channel: decide.DocumentChannel) -> frozenset[str]:
    """The names (capitalised words) the document itself attests: printed as listed words,
    or what other capitalised tokens surely read as ("Boras" three times is "Borås", so a
    "Boris" before "Stad" is likelier "Borås" too)."""
    seen = set()
    for seg in occurs:
        if not seg[:1].isupper():
            continue
        hyps = found[seg]
        post = decide.posteriors([doc_channel.score(h) for h in hyps])
        h = hyps[best := max(range(len(hyps)), key=post.__getitem__)]
        if (not h.unknown) if h.keep else post[best] >= ATTESTED:
            seen.add(h.text)
    return frozenset(seen)


def _symbol_corrections(doc: Document, english: float,
                        options: RestoreOptions) -> list[Correction]:
    out = []
    parties = symbols.party_labels([line.text for page in doc.pages for line in page.lines])
    for page in doc.pages:
        lines = page.lines
        for li, line in enumerate(lines):
            before = lines[li - 1].words[-1].text if li and lines[li - 1].words else ""
            after = (lines[li + 1].words[0].text
                     if li + 1 < len(lines) and lines[li + 1].words else "")
            found = {fix.word: fix for fix in symbols.fixes(
                line, english=english, parties=parties, before=before, after=after)}
            for i, text, score in dashes.fixes(line.words):
                # the width measured on the page outweighs a dash's place on the line
                found[i] = symbols.Fix(i, text, "symbol", score, "image")
            for fix in found.values():
                out.append(Correction(
                    page=page.number, line=li, word=fix.word, before=line.words[fix.word].text,
                    after=fix.after, kind=fix.kind, score=fix.score, origin=fix.origin,
                    applied=fix.score >= options.threshold))
    return out


def _correct(occ: _Occurrence, found: dict[str, list[Hypothesis]],
             doc_channel: decide.DocumentChannel, options: RestoreOptions) -> Correction | None:
    if tokens.party_or_label(occ.token):
        return None
    lex = doc_channel.lexicon
    new_segments, scores, kinds, origins = [], [], set(), set()
    for seg in occ.segments:
        hyps = found.get(seg)
        name_here = context.name_position(seg, occ.token.lead, occ.around, lex)
        person = name_here and context.person_position(occ.around, lex)
        choice = _choose(hyps, doc_channel, occ.around, name_here, person) if hyps else None
        word = (candidates.apply_case(choice[0], candidates.case_pattern(seg))
                if choice else seg)
        if word == seg:
            new_segments.append(seg)
            continue
        _, score, by_context = choice
        new_segments.append(word)
        scores.append(score)
        origins.add("context" if by_context else "lexicon")
        kinds.add("name" if name_here else _kind(seg, word, lex))
    if not scores:
        return None
    before = occ.token.lead + occ.token.core + occ.token.trail
    core = tokens.join(new_segments, occ.marks)
    after = occ.token.lead + core + occ.token.trail
    kind = next(k for k in ("split", "name", "real-word", "ocr-confusion", "diacritic")
                if k in kinds)
    score = min(scores)
    if options.calibrated:
        family = calibration.family(kind, doc_channel.english, occ.token.core, core)
        score = calibration.load().score(family, score)
    if _accent_only(occ.token.core, core):
        score = min(score, ACCENT_ONLY)
    return Correction(page=occ.page, line=occ.line, word=occ.word, before=before, after=after,
                      kind=kind, score=round(score, 4),
                      origin="context" if "context" in origins else "lexicon",
                      applied=score >= options.threshold)


def _choose(hyps: list[Hypothesis], doc_channel: decide.DocumentChannel,
            around: context.Neighbours, name_here: bool,
            person: bool) -> tuple[str, float, bool] | None:
    """The best reading, how sure, and whether the neighbours decided it; None when the
    best reading is the token as it stands. Where a name stands (`name_here`), the token
    as read is likelier if it is a name or no listed word; where a person's name stands,
    a common word is unlikely."""
    lex = doc_channel.lexicon
    plain = [doc_channel.score(h) for h in hyps]
    # where a person's name stands and a name may be read, a common word as printed is no
    # likelier than another ("Hakan Lindberg" is Håkan, not a chin)
    named = person and any(not h.keep and lex.is_proper(h.text) for h in hyps)
    scores = [s + context.bonus(h.text, around, lex)
              + _name_bonus(h, lex, name_here, person and (named or not h.keep))
              + (CONSISTENT if not h.keep and h.text in doc_channel.attested else 0.0)
              for s, h in zip(plain, hyps, strict=True)]
    post = decide.posteriors(scores)
    best = max(range(len(hyps)), key=post.__getitem__)
    if hyps[best].keep:
        return None
    by_context = best != max(range(len(hyps)), key=plain.__getitem__)
    return hyps[best].text, post[best], by_context


def _name_bonus(h: Hypothesis, lex: lexicon.Lexicon, name_here: bool, person: bool) -> float:
    """Where a name stands: names, listed or not, on the same footing (the letters of an
    unlisted one may still show damage), and a common word unlikely where a person's name
    stands (`person`)."""
    if not name_here:
        return 0.0
    if h.keep and h.unknown:
        damage = min(h.prior - decide.UNLISTED["title"], 0.0)
        return context.NAME_ZIPF - context.NAME_GAP + damage - h.prior
    if lex.is_proper(h.text):
        return context.NAME_ZIPF - h.prior
    if person:
        return -context.COMMON_AS_NAME
    return 0.0


def _accent_only(before: str, after: str) -> bool:
    return before != after and before.translate(_ACUTE) == after.translate(_ACUTE)


def _kind(before: str, after: str, lex: lexicon.Lexicon) -> str:
    if " " in after:
        return "split"
    if lex.is_word(before.lower()):
        return "real-word"
    if before.translate(_FOLD).lower() == after.translate(_FOLD).lower():
        return "diacritic"
    return "ocr-confusion"
