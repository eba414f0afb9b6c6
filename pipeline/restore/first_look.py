"""The decisions' first look at a document's words, in one compiled call.

Most of a document's words are decided by their readings' scores alone: the neighbours
can move few readings (`context.may_bonus`) and matter otherwise only where a name may
stand, in one of four circumstances (none, a name, a person's name, a given name). So
one call (`_search.settle`, pipeline/restore/compiled/settle.c, operation for operation as
`choose.Decisions` does it in Python) gives each word's plain scores, the names the
document attests, and `_choose`'s choice in each circumstance where no neighbour adds to
a reading; a word no neighbour can move that stays as printed in each is settled for the
document. What the call reads of a word is made once per process (`_look`): a word's
readings are one list for the life of a process (`restore.readings`).
"""

from __future__ import annotations

from collections import Counter
from itertools import compress
from typing import Final, NamedTuple

from pipeline.restore import candidates, context, decide, lexicon
from pipeline.restore.decide import Hypothesis

# what is asked of a word (compiled/settle.c)
ATTESTS: Final = 1
PLAIN: Final = 2
NAME: Final = 4
MAY_MOVE: Final = 8
# a reading's traits (compiled/settle.c); UNLISTED_WHOLE: the token as printed read as a
# compound no list has whole, on a name's footing where a person's name stands
# (`choose._name_bonus`)
KEPT: Final = 1
LISTED_NAME: Final = 2
GIVEN_NAME: Final = 4
UNLISTED_WHOLE: Final = 8


class Look(NamedTuple):
    plain: dict[str, list[float]]  # word -> its readings' plain scores
    settled: list[str]  # the words that stay as printed wherever they stand
    choices: dict[str, tuple]  # word -> `_choose`'s choice per circumstance, no bonus
    attested: dict[str, str]  # name -> the word that attests it ("" where several do)


def look(found: dict[str, list[Hypothesis]], occurs: Counter[str],
         doc_channel: decide.DocumentChannel, weights: tuple[float, ...]) -> Look:
    """The first look at the document's words (`occurs`, each with readings in `found`);
    `weights` are choose's (ATTESTED, CONSISTENT, GIVEN, context.NAME_ZIPF,
    context.NAME_GAP, the unlisted title prior, context.COMMON_AS_NAME). A word with no
    reading but as printed is not scored: it is settled, and attests its text if it is a
    listed capitalised word."""
    lex, segs, words, lone = doc_channel.lexicon, [], [], []
    seen: dict[str, str] = {}
    for seg in occurs:
        hyps = found[seg]
        known = _LOOKS.get(seg)
        if known is None or known[0] is not hyps or known[1] is not lex:
            known = _look(seg, hyps, lex)
        if known[2] is None:
            lone.append(seg)
            if name := known[3]:
                seen[name] = seg if seen.get(name, seg) == seg else ""
        else:
            segs.append(seg)
            words.append(known[2])
    scores, kept, chosen = doc_channel.settle(segs, words, weights, seen)
    return Look(dict(zip(segs, scores, strict=True)), [*compress(segs, kept), *lone],
                {segs[i]: choices for i, choices in chosen.items()}, seen)


def _look(seg: str, hyps: list[Hypothesis], lex: lexicon.Lexicon) -> tuple:
    """What `look` reads of a word and its readings: (readings, lexicon, what the compiled
    call reads, the name it attests): for a word with no reading but as printed, None and
    its text if it is a listed capitalised word; for another, its readings' compiled form,
    their traits (the word as printed, a listed name, a listed given name, the word as
    printed read as a compound no list has whole: one byte each),
    their texts, and what is asked of it (ATTESTS for a capitalised word; its choices
    where a name may stand, NAME, or not, PLAIN; MAY_MOVE where its neighbours may move
    it, `movable`), and None. Made once per word and list of readings (held beside them,
    as for `movable`)."""
    found: tuple
    if len(hyps) == 1 and hyps[0].keep:
        name = hyps[0].text if seg[:1].isupper() and not hyps[0].unknown else None
        found = (hyps, lex, None, name)
    else:
        mode = ((ATTESTS if seg[:1].isupper() else 0)
                | (NAME if context.may_be_name(seg) else PLAIN)
                | (MAY_MOVE if movable(hyps, lex) else 0))
        found = (hyps, lex, (decide.compiled_readings(hyps),
                             bytes(KEPT * h.keep | LISTED_NAME * lex.is_proper(h.text)
                                   | GIVEN_NAME * context.is_given(h.text)
                                   | UNLISTED_WHOLE * (h.keep and not h.unknown and not
                                                       lex.roles(h.text) & lexicon.WORD)
                                   for h in hyps),
                             tuple(h.text for h in hyps), mode), None)
    if len(_LOOKS) >= SIZE:
        candidates.forget_older_half(_LOOKS)
    _LOOKS[seg] = found
    return found


_LOOKS: Final[dict[str, tuple]] = {}


def movable(hyps: list[Hypothesis], lex: lexicon.Lexicon) -> tuple[int, ...]:
    """The readings whose score the neighbours may change (`context.may_bonus`). A word's
    readings are one list for the life of a process (`restore.readings`), so this is
    worked out once per list, not once per document; the list is held beside its answer,
    so that it is the same list, not one made later in its place."""
    key = (id(hyps), id(lex))
    known = _MOVABLE.get(key)
    if known is not None and known[0] is hyps and known[1] is lex:
        return known[2]
    found = tuple(k for k, h in enumerate(hyps) if context.may_bonus(h.text, lex))
    if len(_MOVABLE) >= SIZE:
        candidates.forget_older_half(_MOVABLE)
    _MOVABLE[key] = (hyps, lex, found)
    return found


_MOVABLE: Final[dict[tuple[int, int],
                     tuple[list[Hypothesis], lexicon.Lexicon, tuple[int, ...]]]] = {}
SIZE: Final = 20_000  # lists (or words): the older half goes beyond this
