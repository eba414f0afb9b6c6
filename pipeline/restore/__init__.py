"""The restore stage: Swedish diacritics put back and OCR errors corrected.

Every change is a `Correction` on the document (the raw text stays as it was read);
changes scored below the threshold are kept as suggestions, not applied.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from pipeline import __version__
from pipeline.model import Correction, Document, ProcessingStep
from pipeline.options import RestoreOptions
from pipeline.restore import candidates, channel, decide, lexicon, symbols, tokens


@dataclass
class _Occurrence:
    page: int
    line: int
    word: int
    token: tokens.Token
    segments: list[str]  # the core split at hyphens


def restore(doc: Document, options: RestoreOptions) -> Document:
    started, clock = datetime.now(UTC).isoformat(timespec="seconds"), time.perf_counter()
    lex, chan = lexicon.load(), channel.load()
    found: dict[str, list[decide.Hypothesis]] = {}
    occurrences = []
    for page in doc.pages:
        for li, line in enumerate(page.lines):
            for wi, word in enumerate(line.words):
                token = tokens.split(word.text)
                segments = token.core.split("-")
                for seg in segments:
                    if seg not in found and tokens.correctable(seg, lex):
                        found[seg] = _hypotheses(seg, lex, chan)
                occurrences.append(_Occurrence(page.number, li, wi, token, segments))
    english = decide.fit_mixture([found[s] for o in occurrences for s in o.segments
                                  if s in found])
    fixed = _symbol_corrections(doc, english, options)
    done = {(c.page, c.line, c.word) for c in fixed}
    doc.corrections = fixed + [
        c for o in occurrences if (o.page, o.line, o.word) not in done
        and (c := _correct(doc, o, found, english, options)) is not None]
    doc.corrections.sort(key=lambda c: (c.page, c.line, c.word))
    doc.steps.append(ProcessingStep(
        stage="restore", tool="protokoll", version=__version__,
        settings={"threshold": options.threshold, "english_share": round(english, 4)},
        data={**lex.checksums, channel.CONFUSIONS: chan.checksum}, started=started,
        seconds=round(time.perf_counter() - clock, 3)))
    return doc


def _symbol_corrections(doc: Document, english: float,
                        options: RestoreOptions) -> list[Correction]:
    out = []
    for page in doc.pages:
        for li, line in enumerate(page.lines):
            for fix in symbols.fixes(line, english=english):
                before = line.words[fix.word].text
                out.append(Correction(page=page.number, line=li, word=fix.word, before=before,
                                      after=fix.after, kind=fix.kind, score=fix.score,
                                      origin="context", applied=fix.score >= options.threshold))
    return out


def _hypotheses(seg: str, lex: lexicon.Lexicon, chan: channel.Channel):
    found = candidates.search(seg, lex, chan)
    identity = [chan.logp(ch, ch) for ch in seg]
    cost = (-sum(p[0] for p in identity), -sum(p[1] for p in identity))
    return decide.hypotheses(seg, found, lex, cost)


def _correct(doc: Document, occ: _Occurrence, found, english: float,
             options: RestoreOptions) -> Correction | None:
    new_segments, scores, changed = [], [], False
    for seg in occ.segments:
        hyps = found.get(seg)
        if not hyps:
            new_segments.append(seg)
            continue
        post = decide.posteriors(hyps, english)
        best = max(range(len(hyps)), key=post.__getitem__)
        if hyps[best].keep:
            new_segments.append(seg)
            continue
        changed = True
        scores.append(post[best])
        new_segments.append(candidates.apply_case(hyps[best].text,
                                                  candidates.case_pattern(seg)))
    if not changed:
        return None
    score = min(scores)
    before = occ.token.lead + occ.token.core + occ.token.trail
    after = occ.token.lead + "-".join(new_segments) + occ.token.trail
    kind = "diacritic" if _fold(before) == _fold(after) else "ocr-confusion"
    return Correction(page=occ.page, line=occ.line, word=occ.word, before=before, after=after,
                      kind=kind, score=round(score, 4), origin="lexicon",
                      applied=score >= options.threshold)


_FOLD = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")


def _fold(text: str) -> str:
    return text.translate(_FOLD)
