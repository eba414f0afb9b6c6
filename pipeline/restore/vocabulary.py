"""A second look at damaged words, among the words the document itself has.

The candidate search keeps its best few readings at each OCR position, so a word damaged
early and deeply ("sambaille": h read as b, ä as ai) can fall out of the beam before the
letters that would bring it back are read, and the token is left as printed. The
document often has the word elsewhere, read surely ("sambille" is samhälle three lines
up). A token that is no listed word and whose letters look like damage, not like a name
or a rare word, is therefore searched again among the document's sure words, with no
beam (as `candidates.may_read_as` does): a few hundred words, so the search is small.
What it finds is one more reading, weighed like any other.
"""

from __future__ import annotations

from pipeline.restore import candidates, decide
from pipeline.restore.choose import Decisions
from pipeline.restore.lexicon import Lexicon

MIN_LETTERS = 5  # a shorter word matches too much by chance
SURE = 0.9  # posterior at which a reading is a word the document has
# log10 prior below which a token's letters look like damage, not like a word no list has
# (a name, "Keskinen", about 0.7; "tjanstgérande" about -3; "sambaille" -2.4)
DAMAGED = -1.5


def look_again(decisions: Decisions, segments: list[str], lexicon: Lexicon) -> int:
    """Add to `decisions` the readings of damaged words among the document's sure words;
    the number of words given a new reading."""
    damaged = [seg for seg in segments if _damaged(decisions, seg)]
    words = sure_words(decisions, segments) if damaged else frozenset()
    if not words:
        return 0
    index, table, added = candidates.small_index(words), decisions.channel.table, 0
    for seg in damaged:
        known = {h.text for h in decisions.found[seg]}
        more = [decide.Hypothesis(c.text, decide.prior(c, lexicon), c.cost, False, c.path)
                for c in candidates.among(seg, index, lexicon, table) if c.text not in known]
        if more:
            decisions.add_readings(seg, more)
            added += 1
    return added


def _damaged(decisions: Decisions, seg: str) -> bool:
    """A token no list has, whose letters look like damage, left as printed."""
    hyps = decisions.found.get(seg)
    if not hyps or len(seg) < MIN_LETTERS or not seg.isalpha():
        return False
    keep = next((h for h in hyps if h.keep), None)
    if keep is None or not keep.unknown or keep.prior > DAMAGED:
        return False
    post = decisions.posteriors(seg)
    return hyps[max(range(len(hyps)), key=post.__getitem__)].keep


def sure_words(decisions: Decisions, segments: list[str]) -> frozenset[str]:
    """The words of at least MIN_LETTERS letters the document surely has: listed words
    printed as they are, and what damaged tokens surely read as."""
    out = set()
    for seg in segments:
        hyps = decisions.found.get(seg)
        if not hyps or len(seg) < MIN_LETTERS:
            continue
        post = decisions.posteriors(seg)
        h = hyps[best := max(range(len(hyps)), key=post.__getitem__)]
        if (not h.unknown if h.keep else post[best] >= SURE) and " " not in h.text:
            out.add(h.text)
    return frozenset(out)
