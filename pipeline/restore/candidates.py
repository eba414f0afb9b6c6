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

BEAM = 40  # partial candidates kept per OCR position
MAX_COST = 6.0  # -log10 P(ocr | candidate) beyond which a candidate is not worth it
MIN_PART = 2  # shortest compound part


@dataclass(frozen=True)
class Candidate:
    text: str  # lower case
    cost: tuple[float, float]  # -log10 P(ocr | candidate) per OCR model (eng, swe)
    parts: tuple[str, ...]  # one part, or the parts of a compound
    path: tuple[tuple[str, str], ...]  # (truth, ocr) segments that make up the reading
    proper: bool = False  # a name: known only with a capital letter


@dataclass(frozen=True)
class _State:
    pos: int  # OCR characters consumed
    text: str
    part_start: int
    cost: tuple[float, float]
    deleted: int
    bounds: tuple[int, ...]
    path: tuple[tuple[str, str], ...]


_CACHE: dict[tuple[str, int, int], list[Candidate]] = {}
_CACHE_SIZE = 100_000


def search(token: str, lexicon: Lexicon, channel: Channel) -> list[Candidate]:
    """Lexicon words and compounds the token may be an OCR reading of, best first.

    Results are kept for the life of the process: the same words come back in every
    document of a batch."""
    key = (token, id(lexicon), id(channel))
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        found = _CACHE[key] = _search(token, lexicon, channel)
    return found


def _search(token: str, lexicon: Lexicon, channel: Channel) -> list[Candidate]:
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
                if old is None or nxt.cost[0] < old.cost[0] or nxt.cost[1] < old.cost[1]:
                    target[key] = _merge(old, nxt)
                    if nxt.pos == pos:  # a deletion: expand it in this round too
                        queue.append(target[key])
    return sorted(found.values(), key=lambda c: min(c.cost))


def _merge(old: _State | None, new: _State) -> _State:
    """Two ways to the same reading: keep the cheaper cost under each OCR model."""
    if old is None:
        return new
    cost = (min(old.cost[0], new.cost[0]), min(old.cost[1], new.cost[1]))
    best = new if sum(new.cost) < sum(old.cost) else old
    return _State(best.pos, best.text, best.part_start, cost, best.deleted, best.bounds,
                  best.path)


def _expand(state: _State, token: str, pattern: str, lexicon: Lexicon, channel: Channel):
    text, start, pos = state.text, state.part_start, state.pos
    if start < len(text) and len(text) - start >= MIN_PART and (
            lexicon.roles(text[start:]) & BEGIN):
        yield _State(pos, text, len(text), state.cost, state.deleted,
                     (*state.bounds, len(text)), state.path)
    options = [(source, token[pos:pos + width]) for width in (1, 2) if pos + width <= len(token)
               for source in channel.sources_of(token[pos:pos + width])]
    if state.deleted == 0:
        options += [(source, "") for source in channel.deletions]
    case = pattern if pattern == "upper" or (pattern == "title" and not text) else "lower"
    c0, c1 = state.cost
    for source, ocr in options:
        n0, n1 = c0 - source.logp[0], c1 - source.logp[1]
        if (n0 > MAX_COST and n1 > MAX_COST) or case not in source.cases:
            continue
        new = text + source.lower
        if lexicon.has_prefix(new[start:]):
            yield _State(pos + len(ocr), new, start, (n0, n1), state.deleted + (not ocr),
                         state.bounds, (*state.path, (source.truth, ocr)))


def _finish(state: _State, lexicon: Lexicon, pattern: str, found: dict[str, Candidate]) -> None:
    part = state.text[state.part_start:]
    roles = lexicon.roles(part)
    if state.part_start == 0:
        if not roles & WORD:
            return
    elif len(part) < MIN_PART or not roles & END:
        return
    starts = (0, *state.bounds)
    parts = tuple(state.text[a:b] for a, b in zip(starts, (*state.bounds, len(state.text)),
                                                    strict=True))
    old = found.get(state.text)
    if old is None or min(state.cost) < min(old.cost) or len(parts) < len(old.parts):
        proper = bool(lexicon.roles(parts[0]) & PROPER)
        found[state.text] = Candidate(state.text, state.cost, parts, state.path, proper)


def case_pattern(token: str) -> str:
    letters = [ch for ch in token if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return "upper"
    if letters and token[0].isupper():
        return "title"
    return "lower"


def apply_case(word: str, pattern: str) -> str:
    if pattern == "upper":
        return word.upper()
    if pattern == "title":
        return word[:1].upper() + word[1:]
    return word
