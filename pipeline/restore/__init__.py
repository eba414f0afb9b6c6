"""The restore stage: Swedish diacritics put back and OCR errors corrected.

Every change is a `Correction` on the document (the raw text stays as it was read);
changes scored below the threshold are kept as suggestions, not applied.

    words ─► tokens (protected ones left alone) ─► candidates (lexicon × channel)
          ─► the document's channel (EM, then re-estimated) ─► context ─► corrections
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__
from pipeline.model import Correction, Document, Page, ProcessingStep
from pipeline.options import RestoreOptions
from pipeline.restore import candidates, channel, context, decide, learned, lexicon, symbols, tokens
from pipeline.restore.decide import Hypothesis

_FOLD = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")


@dataclass
class _Occurrence:
    page: int
    line: int
    word: int
    token: tokens.Token
    segments: list[str]  # the core split at hyphens
    around: context.Neighbours


Found = dict[str, list[Hypothesis]]  # word (or hyphen-separated part) -> its readings


def hypotheses(pages: list[Page], found: Found | None = None) -> Found:
    """The readings of every correctable word on the pages, adding to `found`.

    This is most of restoration's work and depends on nothing but the word, so a batch
    does it page by page in the workers, as the pages come out of OCR."""
    lex, table = lexicon.load(), channel.load()
    found = {} if found is None else found
    for occ in _occurrences(pages):
        for seg in occ.segments:
            if seg not in found and tokens.correctable(seg, lex):
                hyps = decide.hypotheses(seg, candidates.search(seg, lex, table), lex, table)
                if any(h.unknown for h in hyps) and seg.isalpha() and len(seg) >= 3:
                    hyps += decide.split_hypotheses(seg, lex, table)
                found[seg] = hyps
    return found


def restore(doc: Document, options: RestoreOptions, *, found: Found | None = None) -> Document:
    """Correct the document; `found` may hold readings already made by `hypotheses`."""
    started, clock = datetime.now(UTC).isoformat(timespec="seconds"), time.perf_counter()
    lex, table = lexicon.load(), channel.load()
    occurrences = list(_occurrences(doc.pages))
    found = hypotheses(doc.pages, dict(found or {}))
    occurs = Counter(s for o in occurrences for s in o.segments if s in found)
    groups = [(found[s], n) for s, n in occurs.items()]
    english = decide.fit_mixture(groups)
    doc_channel = decide.DocumentChannel(table, english, groups, lex)
    _resolve_neighbours(occurrences, found, doc_channel)
    fixed = _symbol_corrections(doc, english, options)
    done = {(c.page, c.line, c.word) for c in fixed}
    doc.corrections = sorted(fixed + [
        c for o in occurrences if (o.page, o.line, o.word) not in done
        and (c := _correct(o, found, doc_channel, lex, options)) is not None],
        key=lambda c: (c.page, c.line, c.word))
    data = {**lex.checksums, channel.CONFUSIONS: table.checksum}
    if options.learned:  # the archivists' earlier calls, after the machine's
        lesson = learned.load(Path(options.learned))  # read once per process
        learned.apply(doc, lesson.entries)
        data[Path(options.learned).name] = lesson.checksum
    doc.steps.append(ProcessingStep(
        stage="restore", tool="protokoll", version=__version__,
        settings={"threshold": options.threshold, "english_share": round(english, 4)},
        data=data, started=started, seconds=round(time.perf_counter() - clock, 3)))
    return doc


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
            prev2 = flat[k - 2][2] if same_paragraph and k > 1 else ""
            token = tokens.split(text)
            yield _Occurrence(page.number, li, wi, token, token.core.split("-"),
                              context.Neighbours(prev[2] if same_paragraph else "", nxt,
                                                 token.trail, wi == 0, prev2))


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

    def resolve(word: str) -> str:
        token = tokens.split(word)
        return token.lead + best.get(token.core, token.core) + token.trail

    for occ in occurrences:
        a = occ.around
        occ.around = context.Neighbours(resolve(a.prev), resolve(a.next), a.trail, a.line_start,
                                        resolve(a.prev2))


def _symbol_corrections(doc: Document, english: float,
                        options: RestoreOptions) -> list[Correction]:
    out = []
    for page in doc.pages:
        lines = page.lines
        for li, line in enumerate(lines):
            before = lines[li - 1].words[-1].text if li and lines[li - 1].words else ""
            after = (lines[li + 1].words[0].text
                     if li + 1 < len(lines) and lines[li + 1].words else "")
            for fix in symbols.fixes(line, english=english, before=before, after=after):
                out.append(Correction(
                    page=page.number, line=li, word=fix.word, before=line.words[fix.word].text,
                    after=fix.after, kind=fix.kind, score=fix.score, origin="context",
                    applied=fix.score >= options.threshold))
    return out


def _correct(occ: _Occurrence, found: dict[str, list[Hypothesis]],
             doc_channel: decide.DocumentChannel, lex: lexicon.Lexicon,
             options: RestoreOptions) -> Correction | None:
    new_segments, scores, kinds, origins = [], [], set(), set()
    for seg in occ.segments:
        hyps = found.get(seg)
        choice = _choose(hyps, doc_channel, occ.around) if hyps else None
        word = _cased(seg, choice[0], lex, occ.around) if choice else seg
        if word == seg:
            new_segments.append(seg)
            continue
        _, score, by_context = choice
        new_segments.append(word)
        scores.append(score)
        origins.add("context" if by_context else "lexicon")
        kinds.add(_kind(seg, word, lex))
    if not scores:
        return None
    score = min(scores)
    before = occ.token.lead + occ.token.core + occ.token.trail
    after = occ.token.lead + "-".join(new_segments) + occ.token.trail
    kind = next(k for k in ("split", "real-word", "ocr-confusion", "diacritic") if k in kinds)
    return Correction(page=occ.page, line=occ.line, word=occ.word, before=before, after=after,
                      kind=kind, score=round(score, 4),
                      origin="context" if "context" in origins else "lexicon",
                      applied=score >= options.threshold)


def _choose(hyps: list[Hypothesis], doc_channel: decide.DocumentChannel,
            around: context.Neighbours) -> tuple[str, float, bool] | None:
    """The best reading, how sure, and whether the neighbours decided it; None when the
    best reading is the token as it stands."""
    plain = [doc_channel.score(h) for h in hyps]
    scores = [s + context.bonus(h.text, around, doc_channel.lexicon)
              for s, h in zip(plain, hyps, strict=True)]
    post = decide.posteriors(scores)
    best = max(range(len(hyps)), key=post.__getitem__)
    if hyps[best].keep:
        return None
    by_context = best != max(range(len(hyps)), key=plain.__getitem__)
    return hyps[best].text, post[best], by_context


def _cased(seg: str, text: str, lex: lexicon.Lexicon, around: context.Neighbours) -> str:
    pattern = candidates.case_pattern(seg)
    if (pattern == "title" and seg[0] in "OA" and text[0] in "öåä"
            and context.mid_sentence(around) and not lex.is_proper(text)
            and not candidates.is_place_name(text, lex)):
        pattern = "lower"  # a lower-case ö, å or ä that OCR read as a capital O or A
    return candidates.apply_case(text, pattern)


def _kind(before: str, after: str, lex: lexicon.Lexicon) -> str:
    if " " in after:
        return "split"
    if lex.is_word(before.lower()):
        return "real-word"
    if before.translate(_FOLD).lower() == after.translate(_FOLD).lower():
        return "diacritic"
    return "ocr-confusion"
