"""Candidate words for one OCR token: a search through the lexicon guided by the channel.

The OCR token is read left to right; at each position the channel says which truth
strings could have produced the next one or two OCR characters. A partial candidate is
kept only while it is the prefix of some lexicon form, so the search stays small. A
candidate may be a compound: when the part read so far is a form that can begin a
compound, a new part may start (hunspell's compound flags say which forms can).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from pipeline.restore.channel import Channel
from pipeline.restore.lexicon import BEGIN, END, PROPER, WORD, Lexicon

BEAM = 60  # partial candidates kept per OCR position
MAX_COST = 6.0  # -log10 P(ocr | candidate) beyond which a candidate is not worth it
MIN_PART = 2  # shortest compound part


@dataclass(frozen=True)
class Candidate:
    text: str  # lower case
    cost: tuple[float, float]  # -log10 P(ocr | candidate) per OCR model (eng, swe)
    parts: tuple[str, ...]  # one part, or the parts of a compound
    path: tuple[tuple[str, str], ...]  # (truth, ocr) segments that make up the reading


@dataclass(frozen=True)
class _State:
    pos: int  # OCR characters consumed
    text: str
    part_start: int
    cost: tuple[float, float]
    deleted: int
    bounds: tuple[int, ...]
    path: tuple[tuple[str, str], ...]


def search(token: str, lexicon: Lexicon, channel: Channel) -> list[Candidate]:
    """Lexicon words and compounds the token may be an OCR reading of, best first."""
    pattern = case_pattern(token)
    buckets: list[dict[tuple[str, int], _State]] = [{} for _ in range(len(token) + 1)]
    buckets[0][("", 0)] = _State(0, "", 0, (0.0, 0.0), 0, (), ())
    found: dict[str, Candidate] = {}
    for pos in range(len(token) + 1):
        bucket = buckets[pos]
        states = heapq.nsmallest(BEAM, bucket.values(), key=lambda s: min(s.cost))
        queue = list(states)
        while queue:
            state = queue.pop()
            if pos == len(token):
                _finish(state, lexicon, pattern, found)
                continue
            for nxt in _expand(state, token, pattern, lexicon, channel):
                key = (nxt.text, nxt.part_start)
                target = buckets[nxt.pos]
                old = target.get(key)
                if old is None or min(nxt.cost) < min(old.cost):
                    target[key] = nxt
                    if nxt.pos == pos:  # a deletion: expand it in this round too
                        queue.append(nxt)
    return sorted(found.values(), key=lambda c: min(c.cost))


def _expand(state: _State, token: str, pattern: str, lexicon: Lexicon, channel: Channel):
    part = state.text[state.part_start:]
    if (state.part_start < len(state.text) and len(part) >= MIN_PART
            and _roles(lexicon, part) & BEGIN):
        yield _State(state.pos, state.text, len(state.text), state.cost, state.deleted,
                     state.bounds + (len(state.text),), state.path)
    for width in (1, 2):
        if state.pos + width > len(token):
            break
        for source in channel.sources_of(token[state.pos:state.pos + width]):
            ocr = token[state.pos:state.pos + width]
            nxt = _extend(state, source.truth, ocr, source.logp, pattern, lexicon)
            if nxt:
                yield nxt
    if state.deleted == 0:
        for source in channel.deletions:
            nxt = _extend(state, source.truth, "", source.logp, pattern, lexicon)
            if nxt:
                yield _State(nxt.pos, nxt.text, nxt.part_start, nxt.cost, 1, nxt.bounds,
                             nxt.path)


def _extend(state: _State, truth: str, ocr: str, logp: tuple[float, float], pattern: str,
            lexicon: Lexicon) -> _State | None:
    if truth != _cased(truth.lower(), len(state.text), pattern):
        return None
    text = state.text + truth.lower()
    cost = (state.cost[0] - logp[0], state.cost[1] - logp[1])
    if min(cost) > MAX_COST or not lexicon.has_prefix(text[state.part_start:]):
        return None
    return _State(state.pos + len(ocr), text, state.part_start, cost, state.deleted,
                  state.bounds, (*state.path, (truth, ocr)))


def _finish(state: _State, lexicon: Lexicon, pattern: str, found: dict[str, Candidate]) -> None:
    part = state.text[state.part_start:]
    roles = _roles(lexicon, part)
    if state.part_start == 0:
        if not roles & WORD or (roles & PROPER and pattern == "lower"):
            return
    elif len(part) < MIN_PART or not roles & END:
        return
    starts = (0, *state.bounds)
    parts = tuple(state.text[a:b] for a, b in zip(starts, (*state.bounds, len(state.text)),
                                                    strict=True))
    old = found.get(state.text)
    if old is None or min(state.cost) < min(old.cost) or len(parts) < len(old.parts):
        found[state.text] = Candidate(state.text, state.cost, parts, state.path)


def _roles(lexicon: Lexicon, key: str) -> int:
    entry = lexicon.get(key)
    return entry.roles if entry else 0


def case_pattern(token: str) -> str:
    letters = [ch for ch in token if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return "upper"
    if letters and token[0].isupper():
        return "title"
    return "lower"


def _cased(text: str, position: int, pattern: str) -> str:
    if pattern == "upper":
        return text.upper()
    if pattern == "title" and position == 0:
        return text[:1].upper() + text[1:]
    return text


def apply_case(word: str, pattern: str) -> str:
    return _cased(word, 0, pattern)
