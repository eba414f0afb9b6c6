"""The decision step of restoration: each word's reading chosen where it stands.

A word's readings and their scores under the document's channel are the same at each of
its occurrences; only the neighbours differ, and they can change the choice for few
readings (`context.may_bonus`: år and är, bör and bor, an infinitive after a modal, a
municipality before "kommun") and where a name may stand (a capitalised word). So the
plain scores of a word are worked out once per document, the neighbours are read (as
they read after correction) only where they can matter, and a choice is remembered for
the document per word and circumstance: what the neighbours add to each reading that
may take a bonus, and whether a name or a person's name stands there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from enum import Enum
from typing import Final

from pipeline.model import Correction, Page
from pipeline.options import RestoreOptions
from pipeline.restore import (
    calibration,
    candidates,
    context,
    decide,
    first_look,
    lexicon,
    tokens,
)
from pipeline.restore.decide import Hypothesis
from pipeline.restore.first_look import movable

_FOLD: Final = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")
_LOST_CAPITALS: Final = "OA"  # what OCR without Swedish reads for a lower-case "ö", "å" (or "ä")
_ACUTES: Final = frozenset("éáíóúÉÁÍÓÚ")
_ACUTE: Final = str.maketrans("éáíóúÉÁÍÓÚ", "eaiouEAIOU")
# An acute accent put on or taken off is a spelling the letters cannot decide (Renée and
# Renee, André and Andre are both names; idé and ide both printed): at most a suggestion.
ACCENT_ONLY: Final = 0.5
ATTESTED: Final = 0.9  # posterior at which a capitalised token's reading attests a name ...
CONSISTENT = 1.5  # ... which is then likelier (log10) for other tokens that may read so
GIVEN: Final = 1.0  # log10: a listed given name is likelier where a given name stands (88% of
# the words there on the corpora's truth are listed, 28% where any name may stand)
Found = dict[str, list[Hypothesis]]  # word (or hyphen-separated part) -> its readings
Choice = tuple[str, float, bool] | None  # reading, posterior, decided by the neighbours
Outcome = tuple[str, float, str, str] | None  # word as corrected, score, origin, kind


class _Unset(Enum):
    """Not worked out yet (a None outcome is a word kept as printed)."""

    UNSET = 0


_UNSET: Final = _Unset.UNSET


class _Words:
    """A page's words in reading order: (line, word, text)."""

    __slots__ = ("number", "lines", "flat")

    def __init__(self, page: Page) -> None:
        self.number, self.lines = page.number, page.lines
        self.flat = [(li, wi, w.text) for li, line in enumerate(page.lines)
                     for wi, w in enumerate(line.words)]


class Occurrence:
    """A word where it stands: its token, its core's words (split at hyphens and slashes,
    `tokens.parts`) and the marks between them ("-", "/"). Its neighbours within the
    paragraph, as printed, are read from the page when asked for (`around`): most words
    are decided without them."""

    __slots__ = ("page", "line", "word", "token", "segments", "marks", "resolved",
                 "_words", "_k")

    def __init__(self, words: _Words, k: int, read: tokens.Read) -> None:
        self.line, self.word, _ = words.flat[k]
        self.page, self._words, self._k = words.number, words, k
        self.token, self.segments, self.marks = read
        self.resolved: context.Neighbours | None = None  # as they read after correction

    @property
    def around(self) -> context.Neighbours:
        flat, k, li = self._words.flat, self._k, self.line
        prev = flat[k - 1] if k else None
        same_paragraph = prev is not None and (prev[0] == li or (
            prev[0] == li - 1 and self._words.lines[li - 1].text.strip()))
        nxt = flat[k + 1][2] if k + 1 < len(flat) and flat[k + 1][0] <= li + 1 else ""
        nxt2 = flat[k + 2][2] if nxt and k + 2 < len(flat) and flat[k + 2][0] <= li + 1 \
            else ""
        prev2 = flat[k - 2][2] if same_paragraph and k > 1 else ""
        line_end = k + 1 >= len(flat) or flat[k + 1][0] != li
        return context.Neighbours(prev[2] if same_paragraph and prev else "", nxt, self.token.trail,
                                  self.word == 0, prev2, nxt2, line_end)


def occurrences(pages: list[Page]) -> Iterator[Occurrence]:
    """Every word in reading order, with its neighbours within the paragraph."""
    for page in pages:
        words = _Words(page)
        for k, (_, _, text) in enumerate(words.flat):
            yield Occurrence(words, k, tokens.read_remembered(text))


class Decisions:
    """The choices of one document: its readings (`found`), scored by its channel."""

    def __init__(self, found: Found, doc_channel: decide.DocumentChannel,
                 occurs: Counter[str], options: RestoreOptions) -> None:
        self.found, self.channel, self.options = found, doc_channel, options
        self.lexicon: lexicon.Lexicon = doc_channel.lexicon
        self._plain: dict[str, list[float]] = {}  # word -> its readings' scores
        self._post: dict[str, list[float]] = {}  # word -> its readings' posteriors
        self._best: dict[str, str] = {}  # word -> its best reading without context
        self._resolved: dict[str, str] = {}  # neighbour as printed -> as read
        self._may_bonus: dict[str, tuple[int, ...]] = {}  # word -> readings context may move
        self._fixed: dict[str, Outcome] = {}  # word -> its outcome, wherever it stands
        self._outcomes: dict[tuple, Outcome] = {}  # (word, circumstance) -> outcome
        # word -> its choice with no neighbour's bonus per circumstance (`_settled`)
        self._choices: dict[str, tuple[Choice, ...]] = {}
        self.attested = self._settled(occurs) if decide.COMPILED else self._attested(occurs)

    def plain(self, seg: str) -> list[float]:
        """The scores of the word's readings under the document's channel."""
        found = self._plain.get(seg)
        if found is None:
            found = self._plain[seg] = self.channel.scores(self.found[seg])
        return found

    def add_readings(self, seg: str, more: list[Hypothesis]) -> None:
        """More readings of a word, found after the first look (`vocabulary.look_again`);
        what was worked out of its readings before is worked out afresh."""
        self.found[seg] = self.found[seg] + more  # a new list: the process's stays as it is
        for memo in (self._plain, self._post, self._best, self._fixed, self._may_bonus,
                     self._choices):
            memo.pop(seg, None)
        self._outcomes = {k: v for k, v in self._outcomes.items() if k[0] != seg}

    def corrections(self, occurrences: list[Occurrence],
                    done: set[tuple[int, int, int]]) -> list[Correction]:
        """The corrections of the words (but those at `done`: page, line, word), in
        order. A word kept wherever it stands (`_fixed`, None) is passed over without
        asking `correct`, unless it may be the first part of a suspended compound."""
        fixed, out = self._fixed, []
        for occ in occurrences:
            segs = occ.segments
            if (len(segs) == 1 and fixed.get(segs[0], _UNSET) is None
                    and occ.token.trail != "-"):
                continue
            if done and (occ.page, occ.line, occ.word) in done:
                continue
            if (found := self.correct(occ)) is not None:
                out.append(found)
        return out

    def correct(self, occ: Occurrence) -> Correction | None:
        token = occ.token
        if token.lead and tokens.party_or_label(token):
            return None
        if token.trail in ("", ".") and token.core.lower() in self.lexicon.spelled_starts:
            around = occ.around  # "fro mtom": från och med till och med
            if tokens.in_spelled_abbreviation(token.core, (around.next, around.next2),
                                              self.lexicon):
                return None
        # "vård- och omsorgsboende": the part read as its partner's compound
        if token.trail == "-" and (partner := self._partner(occ)):
            outcomes = [self._outcome(seg, occ) for seg in occ.segments[:-1]]
            found = self._with_partner(occ.segments[-1], *partner)
            outcomes.append(self._outcome(occ.segments[-1], occ) if found is _UNSET else found)
        elif len(occ.segments) == 1:  # most words: their outcome often known already
            seg = occ.segments[0]
            found = self._fixed.get(seg, _UNSET)
            if found is None or (found is _UNSET and (found := self._outcome(seg, occ)) is None):
                return None
            outcomes = [found]
        else:
            outcomes = [self._outcome(seg, occ) for seg in occ.segments]
        if not any(outcomes):
            return None
        new_segments = [o[0] if o else seg for seg, o in zip(occ.segments, outcomes,
                                                              strict=True)]
        changed = [o for o in outcomes if o]
        return self._correction(occ, new_segments, [o[1] for o in changed],
                                {o[3] for o in changed}, {o[2] for o in changed})

    def _outcome(self, seg: str, occ: Occurrence) -> Outcome:
        """How a word (or hyphen-separated part) reads here, if not as printed."""
        found = self._fixed.get(seg, _UNSET)
        if found is not _UNSET:
            return found
        hyps = self.found.get(seg)
        if not hyps or (len(hyps) == 1 and hyps[0].keep):  # no reading but as printed
            self._fixed[seg] = None
            return None
        movable = self._movable(seg, hyps)
        name_here = person = given = lower = False
        if context.may_be_name(seg):
            around = occ.resolved = occ.resolved or self._around(occ)
            name_here = context.name_position(seg, occ.token.lead, around, self.lexicon)
            person = name_here and context.person_position(around, self.lexicon)
            given = person and context.given_name_position(around, self.lexicon)
            lower = (seg[0] in _LOST_CAPITALS and self.channel.english >= calibration.LOST
                     and not occ.token.lead and context.lowered_capital(around))
        elif not movable:  # nothing around the word can change its reading
            found = self._fixed[seg] = self._judge(seg, hyps, {}, False, False, False)
            return found
        bonuses: tuple[float, ...] = ()
        if movable:
            around = occ.resolved = occ.resolved or self._around(occ)
            fit = context.fits(around, self.lexicon)
            if any(fit):
                bonuses = tuple(context.bonus_where(hyps[k].text, fit, self.lexicon)
                                for k in movable)
        key = (seg, name_here, person, given, bonuses, lower)
        found = self._outcomes.get(key, _UNSET)
        if found is _UNSET:
            bonus = dict(zip(movable, bonuses, strict=True)) if bonuses else {}
            found = (self._lowered(seg, hyps, bonus) if lower else None) or self._judge(
                seg, hyps, bonus, name_here, person, given)
            self._outcomes[key] = found
        return found

    def _lowered(self, seg: str, hyps: list[Hypothesis], bonuses: dict[int, float]) -> Outcome:
        """The word read as a common word in lower case, where a capital "O" or "A" inside
        a sentence stands for a lost "ö", "å" or "ä" ("har ett Overskott av" is
        "överskott"): when its best reading, as no name, is a listed common word, no name,
        that begins with that letter. None otherwise (the word is then judged as where a
        name may stand)."""
        choice = self._choose(seg, hyps, bonuses, False, False, False)
        if choice is None:
            return None
        word, score, by_context = choice
        lex = self.lexicon
        if (word[:1] not in "åäö" or not lex.is_word(word, capitalized=False)
                or lex.is_proper(word)):
            return None
        return (word, score, "context" if by_context else "lexicon", _kind(seg, word, lex))

    def _partner(self, occ: Occurrence) -> tuple[str, str] | None:
        """For the first part of a suspended compound ("vård-" before "och
        omsorgsboende"), the word that joins it to its partner and the partner as read
        ("och", "omsorgsboende"); None where the word is no such part."""
        if occ.token.trail != "-" or not occ.segments[-1].isalpha():
            return None
        around = occ.around
        if around.next.lower() not in context.SUSPENDED_JOINS or not around.next2:
            return None
        return around.next.lower(), self.resolve(around.next2)

    def _with_partner(self, seg: str, join: str, partner: str) -> Outcome | _Unset:
        """The part's outcome where what it makes with its partner is evidence: readings
        that make a listed word with the partner's last word ("vårdboende"), or a listed
        name with the partner ("Vård- och omsorgsnämnden"), are likelier than those that
        make neither ("värdboende"); `_UNSET` where that tells no reading from another
        (a None found here is the part kept as printed, on that evidence)."""
        hyps = self.found.get(seg)
        if not hyps:
            return _UNSET
        head = context.compound_head(partner, self.lexicon)
        bonuses = {k: context.BONUS for k, h in enumerate(hyps)
                   if (head and self.lexicon.is_word(h.text + head, capitalized=False))
                   or context.joined_name(h.text, join, partner)}
        if not bonuses or len(bonuses) == len(hyps):
            return _UNSET
        key = (seg, "partner", join, partner)
        found = self._outcomes.get(key, _UNSET)
        if found is _UNSET:
            found = self._outcomes[key] = self._judge(seg, hyps, bonuses, False, False, False)
        return found

    def _judge(self, seg: str, hyps: list[Hypothesis], bonuses: dict[int, float],
               name_here: bool, person: bool, given: bool) -> Outcome:
        choice = self._choose(seg, hyps, bonuses, name_here, person, given)
        if choice is None:
            return None
        word = candidates.apply_case(choice[0], candidates.case_pattern(seg))
        if word == seg:
            return None
        _, score, by_context = choice
        kind = "name" if name_here else _kind(seg, word, self.lexicon)
        return (_cased(seg, choice[0], self.lexicon), score,
                "context" if by_context else "lexicon", kind)

    def _correction(self, occ: Occurrence, new_segments: list[str], scores: list[float],
                    kinds: set[str], origins: set[str]) -> Correction:
        before = occ.token.lead + occ.token.core + occ.token.trail
        core = tokens.join(new_segments, occ.marks)
        after = occ.token.lead + core + occ.token.trail
        kind = next(k for k in ("split", "name", "real-word", "ocr-confusion", "diacritic")
                    if k in kinds)
        score = min(scores)
        if self.options.calibrated:
            family = calibration.family(kind, self.channel.english, occ.token.core, core)
            # the table was fitted on the scores as recorded, to four decimals
            score = calibration.load().score(family, round(score, 4))
        if _accent_only(occ.token.core, core):
            score = min(score, ACCENT_ONLY)
        return Correction(page=occ.page, line=occ.line, word=occ.word, before=before,
                          after=after, kind=kind, score=round(score, 4),
                          origin="context" if "context" in origins else "lexicon",
                          applied=score >= self.options.threshold)

    def _choose(self, seg: str, hyps: list[Hypothesis], bonuses: dict[int, float],
                name_here: bool, person: bool, given: bool) -> Choice:
        """The best reading, how sure, and whether the neighbours decided it; None when
        the best reading is the token as it stands. Where a name stands (`name_here`),
        the token as read is likelier if it is a name or no listed word; where a person's
        name stands, a common word is unlikely, and where a given name stands (`given`),
        a listed given name is likelier ("Osten Nilsson" is Östen, not a cheese)."""
        known = self._choices.get(seg)
        if known is not None and not any(bonuses.values()):  # worked out in `_settled`
            return known[0 if not name_here else 1 if not person else 2 if not given else 3]
        lex = self.lexicon
        plain = self.plain(seg)
        if bonuses or name_here or not self.attested.keys().isdisjoint(_readings_as(hyps)):
            # where a person's name stands and a name may be read, a common word as
            # printed is no likelier than another ("Hakan Lindberg" is Håkan, not a chin)
            named = person and any(not h.keep and lex.is_proper(h.text) for h in hyps)
            post = decide.posteriors([
                s + bonuses.get(k, 0.0)
                + _name_bonus(h, lex, name_here, person and (named or not h.keep))
                + (GIVEN if given and context.is_given(h.text) else 0.0)
                + (CONSISTENT if not h.keep and self.attested.get(h.text, seg) != seg else 0.0)
                for k, (s, h) in enumerate(zip(plain, hyps, strict=True))])
        else:  # nothing added to any reading: the scores are the plain ones
            post = self._posteriors(seg)
        best = post.index(max(post))  # the first of equals, as max(range(...)) gives
        if hyps[best].keep:
            return None
        by_context = best != plain.index(max(plain))
        return hyps[best].text, post[best], by_context

    def _posteriors(self, seg: str) -> list[float]:
        found = self._post.get(seg)
        if found is None:
            # a lone reading's posterior is 1.0 whatever its score (10 ** 0 / 10 ** 0)
            found = self._post[seg] = [1.0] if len(self.found[seg]) == 1 else \
                decide.posteriors(self.plain(seg))
        return found

    def _movable(self, seg: str, hyps: list[Hypothesis]) -> tuple[int, ...]:
        """The readings of the word whose score the neighbours may change."""
        found = self._may_bonus.get(seg)
        if found is None:
            found = self._may_bonus[seg] = movable(hyps, self.lexicon)
        return found

    def _around(self, occ: Occurrence) -> context.Neighbours:
        """The neighbours as they read after correction ("bor hojas" is "bör höjas"): each
        replaced by its best reading without context."""
        a = occ.around  # (the method called as such: compiled, a direct call)
        return context.Neighbours(self.resolve(a.prev), self.resolve(a.next), a.trail,
                                  a.line_start, self.resolve(a.prev2), self.resolve(a.next2),
                                  a.line_end)

    def resolve(self, word: str) -> str:
        """The word as printed (marks around it kept) with its core read as its best
        reading without context."""
        found = self._resolved.get(word)
        if found is None:
            token = tokens.split_remembered(word)
            found = self._resolved[word] = token.lead + self._best_of(token.core) + token.trail
        return found

    def _best_of(self, seg: str) -> str:
        found = self._best.get(seg)
        if found is None:
            hyps = self.found.get(seg)
            if hyps is None:
                return seg
            if len(hyps) == 1:  # a lone reading is the best whatever its score
                text = hyps[0].text
            else:
                scores = self.plain(seg)
                text = hyps[scores.index(max(scores))].text
            found = self._best[seg] = seg if text == seg.lower() else _cased(
                seg, text, self.lexicon)
        return found

    def _settled(self, occurs: Counter[str]) -> dict[str, str]:
        """The first look at the document's words, in one compiled call (`first_look`):
        each word's plain scores, the names the document attests (as `_attested`), the
        words that stay as printed wherever they stand (their outcome known: None), and
        the other words' choices in each circumstance where no neighbour adds to a
        reading (`_choices`)."""
        found = first_look.look(self.found, occurs, self.channel, (
            ATTESTED, CONSISTENT, GIVEN, context.NAME_ZIPF, context.NAME_GAP,
            decide.UNLISTED["title"], context.COMMON_AS_NAME))
        self._plain, self._choices = found.plain, found.choices
        self._fixed = dict.fromkeys(found.settled, None)
        return found.attested

    def _attested(self, occurs: Counter[str]) -> dict[str, str]:
        """The names (capitalised words) the document itself attests, each with the word
        that attests it ("" where more than one does): printed as listed words, or what
        other capitalised tokens surely read as ("Boras" three times is "Borås", so a
        "Boris" before "Stad" is likelier "Borås" too). A word is no evidence for its own
        reading: "Stahl" read as Ståhl attests Ståhl for other words only."""
        seen: dict[str, str] = {}
        for seg in occurs:
            if not seg[:1].isupper():
                continue
            hyps = self.found[seg]
            post = self._posteriors(seg)
            h = hyps[best := post.index(max(post))]
            if (not h.unknown) if h.keep else post[best] >= ATTESTED:
                seen[h.text] = seg if seen.get(h.text, seg) == seg else ""
        return seen


def _readings_as(hyps: list[Hypothesis]) -> frozenset[str]:
    """The words a word's readings read it as, other than as printed: made once per list
    of readings (held beside it, as for `movable`)."""
    known = _TEXTS.get(id(hyps))
    if known is not None and known[0] is hyps:
        return known[1]
    found = frozenset(h.text for h in hyps if not h.keep)
    if len(_TEXTS) >= first_look.SIZE:
        candidates.forget_older_half(_TEXTS)
    _TEXTS[id(hyps)] = (hyps, found)
    return found


_TEXTS: Final[dict[int, tuple[list[Hypothesis], frozenset[str]]]] = {}


def _name_bonus(h: Hypothesis, lex: lexicon.Lexicon, name_here: bool, person: bool) -> float:
    """Where a name stands: names, listed or not, on the same footing (the letters of an
    unlisted one may still show damage), and a common word unlikely where a person's name
    stands (`person`)."""
    if not name_here:
        return 0.0
    # the token as printed, or restored (decide._restored), that no list has; or, where a
    # person's name stands, as printed read as a compound no list has whole, as surnames
    # are made ("Norrbäck": norr + bäck, not the listed "Norrback")
    if h.unknown or (person and h.keep and not lex.roles(h.text) & lexicon.WORD):
        damage = min(h.prior - decide.UNLISTED["title"], 0.0)
        return context.NAME_ZIPF - context.NAME_GAP + damage - h.prior
    if lex.is_proper(h.text):
        return context.NAME_ZIPF - h.prior
    if person:
        return -context.COMMON_AS_NAME
    return 0.0


def _accent_only(before: str, after: str) -> bool:
    # of the same length first: the table maps one letter to one letter, and most changes
    # asked about here put back or take away a letter; then whether either has an accent
    # at all, for without one the copies are the words themselves (cheap tests before two
    # copies)
    return (len(before) == len(after) and before != after
            and (_has_acute(before) or _has_acute(after))
            and before.translate(_ACUTE) == after.translate(_ACUTE))


def _has_acute(word: str) -> bool:
    # (a loop the compiled code runs itself: `isdisjoint` is a method call on a str)
    return any(ch in _ACUTES for ch in word)


def _cased(seg: str, text: str, lex: lexicon.Lexicon) -> str:
    """A reading (lower case) in the token's case; with a capital where it is a name no
    list has in lower case and its first letter is not the one OCR wrote ("lvarsson" is
    Ivarsson: a sans-serif capital I read as l): the printed letter's case says nothing of
    the letter it was misread for."""
    word = candidates.apply_case(text, candidates.case_pattern(seg))
    if (seg[:1].islower() and word[:1] != seg[:1] and lex.is_proper(word)
            and not lex.is_word(word, capitalized=False)):
        return word[:1].upper() + word[1:]
    return word


def _kind(before: str, after: str, lex: lexicon.Lexicon) -> str:
    if " " in after:
        return "split"
    if lex.is_word(before.lower()):
        return "real-word"
    if before.translate(_FOLD).lower() == after.translate(_FOLD).lower():
        return "diacritic"
    read = after.lower()
    if after[:1].isupper() and lex.is_proper(read) and not lex.is_word(read, capitalized=False):
        return "name"  # however placed: "Nilsen" read as Nilson is a name respelled
    return "ocr-confusion"
