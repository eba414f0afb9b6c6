"""Candidate words for one OCR token: a search through the lexicon guided by the channel.

The OCR token is read left to right; at each position the channel says which truth
strings could have produced the next one or two OCR characters. A partial candidate is
kept only while it is the prefix of some lexicon form, so the search stays small. A
candidate may be a compound: when the part read so far is a form that can begin a
compound, a new part may start (hunspell's compound flags say which forms can), also after
the linking -s- (fogemorfem: "ljung" + s + "åsa") that hunspell lists for few words. In a
capitalised token the last part may be a place name's last element ("Rosängen", "Lönnå").
"""

from __future__ import annotations

import array
import functools
import heapq
import itertools
from typing import Final, NamedTuple

from pipeline.restore.channel import Channel
from pipeline.restore.lexicon import BEGIN, END, PLACE, PROPER, WORD, Lexicon
from pipeline.restore.lexicon import _search as _compiled

BEAM: Final = 40  # partial candidates kept per OCR position
# A common word as read needs no wide search: its rivals (a real-word error, "ar" for
# "år") are a letter or two away, so they stay within a narrow beam and differ from the
# word in at most KNOWN_EDITS places (a place being one or two OCR characters).
KNOWN_BEAM: Final = 12
KNOWN_ZIPF: Final = 3.0
KNOWN_EDITS: Final = 2
MAX_COST: Final = 6.0  # -log10 P(ocr | candidate) beyond which a candidate is not worth it
MIN_PART: Final = 2  # shortest compound part
MIN_BEFORE_LETTER: Final = 3  # shortest first part before a one-letter place element (-å, -ö)
LINK: Final = "s"  # the linking morpheme between compound parts


class Candidate(NamedTuple):  # a tuple: the compiled search's results are made one each
    text: str  # lower case
    cost: tuple[float, float]  # -log10 P(ocr | candidate) per OCR model (eng, swe)
    parts: tuple[str, ...]  # one part, or the parts of a compound
    path: tuple[tuple[str, str], ...]  # (truth, ocr) segments that make up the reading
    proper: bool = False  # a name: known only with a capital letter


class _State(NamedTuple):  # a tuple, not a dataclass: hundreds of thousands per document
    pos: int  # OCR characters consumed
    text: str
    part_start: int
    cost: tuple[float, float]
    deleted: int
    bounds: tuple[int, ...]
    path: tuple[tuple[str, str], ...]
    linked: bool = False  # a part ends in a linking -s- that hunspell does not list
    edits: int = 0  # places where the reading differs from the OCR characters


# The searches kept, as plain tuples of strings and numbers (a Candidate's fields), which
# the garbage collector stops tracking once it has met them: held for the life of the
# process, they then cost its collections nothing.
_CACHE: Final[dict[tuple[str, int, int], list[tuple]]] = {}
_CACHE_SIZE: Final = 30_000  # searches kept (a few KiB each); then the older half goes


def search(token: str, lexicon: Lexicon, channel: Channel) -> list[Candidate]:
    """Lexicon words and compounds the token may be an OCR reading of, best first.

    Results are kept for the life of the process: the same words come back in every
    document of a batch."""
    return list(map(_make, _found(token, lexicon, channel)))


def _found(token: str, lexicon: Lexicon, channel: Channel, *,
           compounds: bool = True) -> list[tuple]:
    """`search`'s candidates (or `search_words`') as the plain tuples it keeps."""
    cache = _CACHE if compounds else _WORDS
    key = (token, id(lexicon), id(channel))
    found = cache.get(key)
    if found is None:
        if len(cache) >= _CACHE_SIZE:
            forget_older_half(cache)
        found = cache[key] = _plain(token, lexicon, channel, compounds=compounds)
    return found


def search_words(token: str, lexicon: Lexicon, channel: Channel) -> list[Candidate]:
    """The listed words the token may be an OCR reading of, no compound among them, best
    first: the second word of a split reading (`decide.split_hypotheses`). With no
    compound in its beam the search costs about half as much (on the text benchmark's
    split readings), and the words it finds are those `search` finds: every change
    proposed on dev, dev-real and bench/fonts.py's prints is the same. Kept for the life
    of the process, as `search`'s are."""
    return list(map(_make, _found(token, lexicon, channel, compounds=False)))


_WORDS: Final[dict[tuple[str, int, int], list[tuple]]] = {}  # `search_words`, as `_CACHE`


def forget_older_half(cache: dict) -> None:
    """Make room in a cache of the process: the entries made first go (a dict keeps the
    order they were made in), the recent ones, likelier to come back, stay."""
    for key in list(itertools.islice(cache, len(cache) // 2)):
        del cache[key]


def _search(token: str, lexicon: Lexicon, channel: Channel) -> list[Candidate]:
    """`search`, made afresh."""
    return list(map(_make, _plain(token, lexicon, channel)))


def _plain(token: str, lexicon: Lexicon, channel: Channel, *,
           compounds: bool = True) -> list[tuple]:
    if lexicon.compiled:
        return _compiled_found(token, lexicon, channel, compounds=compounds)
    return [tuple(c) for c in beam_search(token, lexicon, channel, compounds=compounds)]


def _setup(token: str, lexicon: Lexicon, channel: Channel) -> tuple:
    """What each OCR position may be read as (it does not depend on the reading so far:
    listed once per position), the deletions (one per reading at most), the beam and the
    most places a reading may differ from the OCR characters in."""
    options = [_options(token, pos, channel) for pos in range(len(token))]
    return (options, _segment_options("", channel), *_limits(token, lexicon))


def _limits(token: str, lexicon: Lexicon) -> tuple[int, int]:
    """The beam and the most places a reading may differ from the OCR characters in."""
    known = lexicon.zipf(token.lower()) >= KNOWN_ZIPF
    return (KNOWN_BEAM, KNOWN_EDITS) if known else (BEAM, len(token) + 1)


def _compiled_search(token: str, lexicon: Lexicon, channel: Channel) -> list[Candidate]:
    """`beam_search` in C (pipeline/restore/compiled/search.c): the same candidates, costs and
    paths."""
    return list(map(_make, _compiled_found(token, lexicon, channel)))


def _compiled_found(token: str, lexicon: Lexicon, channel: Channel, *,
                    compounds: bool = True) -> list[tuple]:
    """The compiled search's candidates as it gives them: (text, cost, parts, path,
    proper), a Candidate's fields; it marks a reading whose first part is a name in the
    lexicon it searched. Without `compounds`, no part is ever long enough to end."""
    beam, edits = _limits(token, lexicon)
    return _compiled.search(lexicon.index, _positions(token, channel, False),
                            _converted("", 0, channel, False), case_pattern(token), beam,
                            edits, MAX_COST, MIN_PART if compounds else _NO_BEAM,
                            MIN_BEFORE_LETTER)


def _make(fields: tuple) -> Candidate:
    """A Candidate of its fields, as `Candidate._make` makes it but with no interpreted
    frame: `_make` is Python code that `collections.namedtuple` writes, called for every
    candidate of every search."""
    return tuple.__new__(Candidate, fields)


def search_among(token: str, words: frozenset[str], lexicon: Lexicon,
                 channel: Channel) -> list[Candidate]:
    """The candidates `search` finds that are among these words, best first; the whole
    search is not made where `may_read_as` tells that it would find none of them."""
    key = (token, id(lexicon), id(channel))
    found = _CACHE.get(key)
    if found is None:
        if (*key, words) in _RULED_OUT:
            return []
        if not may_read_as(token, words, channel):
            if len(_RULED_OUT) >= _CACHE_SIZE:
                _RULED_OUT.clear()
            _RULED_OUT.add((*key, words))
            return []
    return [_make(c) for c in found or _found(token, lexicon, channel) if c[0] in words]


_RULED_OUT: Final[set[tuple]] = set()  # (token, lexicon, channel, words) `may_read_as` rules out


def may_read_as(token: str, words: frozenset[str], channel: Channel) -> bool:
    """False when `search` finds none of these words (a few, lower case) among the token's
    candidates; True when it may. A search over these words alone, with no beam and any
    number of deletions and edits, finds every reading of them the whole search finds (its
    states are the same or cheaper at each step, and none is left out), so where it finds
    nothing the whole search finds none of them either. It walks a trie of a few words:
    a small part of the whole search's cost."""
    if _compiled is None:
        return True
    return bool(_among(token, _small_index(words), channel))


def among(token: str, index, lexicon: Lexicon, channel: Channel) -> list[Candidate]:
    """The token's readings among the words of a `small_index`, found with no beam and
    any number of deletions and edits (`may_read_as`), best first; [] where the compiled
    search is not built."""
    if _compiled is None:
        return []
    return [Candidate(text, cost, parts, path, bool(lexicon.roles(parts[0]) & PROPER))
            for text, cost, parts, path, _ in _among(token, index, channel)]


def _among(token: str, index, channel: Channel) -> list[tuple]:
    options = _positions(token, channel, True)
    return _compiled.search(index, options, [], case_pattern(token), _NO_BEAM, _NO_BEAM,
                            MAX_COST, MIN_PART, MIN_BEFORE_LETTER)


_NO_BEAM: Final = 1 << 30  # a beam (and a count of edits) no search reaches


def small_index(words: frozenset[str]):
    """The compiled index of a few words, each a word by itself (no compound roles)."""
    keys = sorted(words)
    packed = array.array("i", [WORD] * len(keys))
    return _compiled.Keys("\n".join(keys).encode("utf-8"), packed.tobytes())


_small_index = functools.cache(small_index)  # the split words: the same few every time


def beam_search(token: str, lexicon: Lexicon, channel: Channel, *,
                compounds: bool = True) -> list[Candidate]:
    """The search in Python: the reference the compiled one follows step for step."""
    pattern = case_pattern(token)
    buckets: list[dict[tuple[str, int, bool], _State]] = [{} for _ in range(len(token) + 1)]
    buckets[0][("", 0, False)] = _State(0, "", 0, (0.0, 0.0), 0, (), ())
    found: dict[str, Candidate] = {}
    options, deletions, beam, edits = _setup(token, lexicon, channel)
    with_deletions = [here + deletions for here in options]
    for pos in range(len(token) + 1):
        bucket = buckets[pos]
        states = heapq.nsmallest(beam, bucket.values(), key=lambda s: min(s.cost))
        queue = list(states)
        while queue:
            state = queue.pop()
            if pos == len(token):
                _finish(state, lexicon, pattern, found)
                continue
            here = with_deletions[pos] if state.deleted == 0 else options[pos]
            for nxt in _expand(state, here, pattern, lexicon, edits, compounds):
                key = (nxt.text, nxt.part_start, nxt.linked)
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
    best = new if new.cost[0] + new.cost[1] < old.cost[0] + old.cost[1] else old
    return _State(best.pos, best.text, best.part_start, cost, best.deleted, best.bounds,
                  best.path, best.linked, best.edits)


def _options(token: str, pos: int, channel: Channel) -> list[tuple]:
    """The truth strings the next one or two OCR characters may have been read from
    (listed once per process for each pair of characters, shared, never changed)."""
    ahead = token[pos:pos + 2]
    key = (ahead, id(channel), True)
    found = _OPTIONS.get(key)
    if found is None:
        one = _segment_options(token[pos], channel)
        found = one + _segment_options(ahead, channel) if len(ahead) == 2 else one
        _OPTIONS[key] = found
    return found


# (OCR segment, channel, and whether the next character's options are added) -> options
_OPTIONS: Final[dict[tuple[str, int, bool], list[tuple]]] = {}


def _segment_options(ocr: str, channel: Channel) -> list[tuple]:
    """What an OCR segment may be read as (the deletions for ""), listed once per process;
    the lists are shared, never changed."""
    key = (ocr, id(channel), False)
    found = _OPTIONS.get(key)
    if found is None:
        sources = channel.deletions if not ocr else channel.sources_of(ocr)
        if len(_OPTIONS) >= 100_000:
            _OPTIONS.clear()
        found = _OPTIONS[key] = [_option(source, ocr) for source in sources]
    return found


def _positions(token: str, channel: Channel, deletions: bool) -> list:
    """`_converted` at each position of the token: looked up by the position's one or two
    OCR characters in one table, with no call per position but for those not met yet."""
    table = _CONVERTED.get((id(channel), deletions))
    if table is None or len(table) >= 100_000:
        table = _CONVERTED[id(channel), deletions] = {}
    found = list(map(table.get, [token[pos:pos + 2] for pos in range(len(token))]))
    if None in found:
        found = [_converted(token, pos, channel, deletions) if here is None else here
                 for pos, here in enumerate(found)]
    return found


def _converted(token: str, pos: int, channel: Channel, deletions: bool):
    """`_options` at a position (the deletions for a token of ""), with the deletions
    added if asked, in the compiled search's form: converted once per process."""
    table = _CONVERTED.get((id(channel), deletions))
    if table is None or len(table) >= 100_000:
        table = _CONVERTED[id(channel), deletions] = {}
    ahead = token[pos:pos + 2]
    found = table.get(ahead)
    if found is None:
        options = _options(token, pos, channel) if token else _segment_options("", channel)
        if deletions:
            options = options + _segment_options("", channel)
        found = table[ahead] = _compiled.Options(options)
    return found


# (channel, with the deletions) -> the next one or two OCR characters -> compiled options
_CONVERTED: Final[dict[tuple[int, bool], dict[str, object]]] = {}


def _option(source, ocr: str) -> tuple:
    return (len(ocr), source.logp[0], source.logp[1], source.cases, source.lower,
            (source.truth, ocr), source.lower != ocr.lower())


def _expand(state: _State, options: list[tuple], pattern: str, lexicon: Lexicon,
            max_edits: int, compounds: bool = True):
    text, start, pos = state.text, state.part_start, state.pos
    joins = (compounds and len(text) - start >= MIN_PART
             and bool(lexicon.roles(text[start:]) & BEGIN))
    if joins:
        yield _State(pos, text, len(text), state.cost, state.deleted,
                     (*state.bounds, len(text)), state.path, state.linked, state.edits)
    # the linking -s- is tried where a place name may follow: in a capitalised token
    link = joins and pattern != "lower" and not text.endswith(LINK)  # no "gräns-s-"
    case = pattern if pattern == "upper" or (pattern == "title" and not text) else "lower"
    c0, c1 = state.cost
    part = text[start:]
    follows = lexicon.next_letters(part)
    capped = state.edits >= max_edits
    for step, lp0, lp1, cases, lower, segment, edit in options:
        n0, n1 = c0 - lp0, c1 - lp1
        if (n0 > MAX_COST and n1 > MAX_COST) or case not in cases or (edit and capped):
            continue
        # the part read so far is a prefix of some form; is it with `lower` added?
        prefix = not lower or (lower[0] in follows and (
            len(lower) == 1 or lexicon.has_prefix(part + lower)))
        linking = link and lower == LINK
        if not (prefix or linking):
            continue
        new = text + lower
        path = (*state.path, segment)
        edits = state.edits + edit
        if prefix:
            yield _State(pos + step, new, start, (n0, n1), state.deleted + (not step),
                         state.bounds, path, state.linked, edits)
        if linking:  # the next part starts after the -s-
            yield _State(pos + step, new, len(new), (n0, n1), state.deleted + (not step),
                         (*state.bounds, len(new)), path, True, edits)


def _finish(state: _State, lexicon: Lexicon, pattern: str, found: dict[str, Candidate]) -> None:
    starts = (0, *state.bounds)
    parts = tuple(state.text[a:b] for a, b in zip(starts, (*state.bounds, len(state.text)),
                                                    strict=True))
    if not _complete(parts, state.linked, lexicon, pattern):
        return
    old = found.get(state.text)
    if old is None or min(state.cost) < min(old.cost) or len(parts) < len(old.parts):
        proper = bool(lexicon.roles(parts[0]) & PROPER)
        found[state.text] = Candidate(state.text, state.cost, parts, state.path, proper)


def _complete(parts: tuple[str, ...], linked: bool, lexicon: Lexicon, pattern: str) -> bool:
    """Whether the parts make a word: one listed word, or parts that may begin a compound
    and a last part that may end one. A place name (capitalised) may end on a one-letter
    element ("Lönnå") only after a single first part that is a common word long enough not
    to be split off by chance (not "grill-natt-å", "August-å"), and its first part may take
    the linking -s- before a longer element ("Ljung-s-åsa", not "Hasslö-s-å")."""
    last = parts[-1]
    roles = lexicon.roles(last)
    if len(parts) == 1:
        return bool(roles & WORD)
    if roles & PLACE and pattern != "lower" and (len(last) >= MIN_PART or (
            len(parts) == 2 and len(parts[0]) >= MIN_BEFORE_LETTER and not linked
            and not lexicon.roles(parts[0]) & PROPER)):
        return True
    return len(last) >= MIN_PART and bool(roles & END) and not linked


@functools.lru_cache(maxsize=1 << 17)  # asked for each word at each choice made of it
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


def is_place_name(word: str, lexicon: Lexicon) -> bool:
    """True for a word that reads only as a place name: no listed common word ("överfall"),
    but a part that may begin a compound (or it and the linking -s-) and a place name's last
    element. Such a reading holds only with a capital letter, so a capital "O" or "A" before
    it is "Ö" or "Å", not a lower-case letter."""
    if lexicon.is_word(word, capitalized=False):
        return False
    for i in range(MIN_PART, len(word)):
        first, last = word[:i], word[i:]
        if not lexicon.roles(last) & PLACE:
            continue
        if lexicon.roles(first) & BEGIN and (len(last) >= MIN_PART or i >= MIN_BEFORE_LETTER):
            return True
        if (len(last) >= MIN_PART and first.endswith(LINK)
                and lexicon.roles(first[:-1]) & BEGIN):
            return True
    return False
