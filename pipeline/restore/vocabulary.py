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

from typing import Final

from pipeline.restore import candidates, decide
from pipeline.restore.choose import Decisions
from pipeline.restore.lexicon import Lexicon

MIN_LETTERS: Final = 5  # a shorter word matches too much by chance
SURE: Final = 0.9  # posterior at which a reading is a word the document has
# log10 prior below which a token's letters look like damage, not like a word no list has
# (a name, "Keskinen", about 0.7; "tjanstgérande" about -3; "sambaille" -2.4)
DAMAGED: Final = -1.5


def look_again(decisions: Decisions, segments: list[str], best: list[tuple[int, float]],
               lexicon: Lexicon) -> int:
    """Add to `decisions` the readings of damaged words among the document's sure words;
    the number of words given a new reading. `best` holds each segment's best reading
    and its posterior under the table's mixture (`decide.best_readings`, worked out for
    the document's channel)."""
    found = decisions.found
    damaged = [seg for seg, (b, _) in zip(segments, best, strict=True)
               if _damaged(seg, found[seg], b)]
    words = sure_words(found, segments, best) if damaged else frozenset()
    if not words:
        return 0
    index, table, added = candidates.small_index(words), decisions.channel.table, 0
    for seg in damaged:
        known = {h.text for h in found[seg]}
        more = [decide.Hypothesis(c.text, decide.prior(c, lexicon), c.cost, False, c.path)
                for c in candidates.among(seg, index, lexicon, table) if c.text not in known]
        if more:
            decisions.add_readings(seg, more)
            added += 1
    return added


def _damaged(seg: str, hyps: list[decide.Hypothesis], best: int) -> bool:
    """A token no list has, whose letters look like damage, best left as printed."""
    keep = hyps[best]
    return (keep.keep and keep.unknown and keep.prior <= DAMAGED
            and len(seg) >= MIN_LETTERS and seg.isalpha())


def sure_words(found: dict[str, list[decide.Hypothesis]], segments: list[str],
               best: list[tuple[int, float]]) -> frozenset[str]:
    """The words of at least MIN_LETTERS letters the document surely has: listed words
    printed as they are, and what damaged tokens surely read as."""
    out = set()
    for seg, (b, sure) in zip(segments, best, strict=True):
        h = found[seg][b]
        if (len(h.text) >= MIN_LETTERS and (not h.unknown if h.keep else sure >= SURE)
                and " " not in h.text):
            out.add(h.text)
    return frozenset(out)
