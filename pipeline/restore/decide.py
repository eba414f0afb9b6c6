"""Choosing among candidates: prior × channel, with the channel fitted to each document.

A document's OCR was made by some engine with some model; whether it lost the Swedish
letters (an English model) or kept them (a Swedish one), and how it mangled them, shows
in the document itself. Two steps use that evidence:

1. the share of the English-like channel is estimated by expectation-maximization over
   the document's words, so "for" becomes "för" in a document that lost its diacritics
   everywhere and stays "for" in one that kept them;
2. the confusion probabilities are then re-estimated from the words the document itself
   corrects with confidence (the estimate from the confusion table is the prior), so a
   scan where this engine read "ä" as "d" lets "ndmnd" teach "6versdnder";
3. how likely an unknown token is a real unknown word (a name) rather than a damaged
   known one follows from how many of the document's unknown tokens are plainly damage.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Final

from pipeline.restore import candidates as search_module
from pipeline.restore import shape
from pipeline.restore.candidates import Candidate
from pipeline.restore.channel import Channel
from pipeline.restore.lexicon import END, UNKNOWN_ZIPF, Lexicon
from pipeline.restore.lexicon import _search as _compiled

COMPILED = _compiled is not None  # the compiled module is built (else Python does it all)

# Prior (Zipf) of a token no list has, whose letters look as much like a word as a
# listed word's do on average: lower case, and capitalised, which is five times likelier
# (of the words printed in minutes, 2.7% of the lower-case and 9.3% of the capitalised
# ones are in no list, on the truth texts of the development corpora).
UNLISTED: Final = {"lower": 0.0, "title": 0.7}
# log10: how much less (LETTERS_LEAST) or more (LETTERS_MOST) word-like the letters may count
LETTERS_LEAST: Final = -4.0
LETTERS_MOST: Final = 1.0
LETTERS_PER_SYMBOL: Final = -0.5  # ... and how much less at most per letter (and the end)
# An unlisted word that differs from a listed common word (or a compound of listed parts)
# only by its å, ä, ö is rare in Swedish: such a token is far likelier that word with its
# letters lost (log10 odds). So is a capitalised one beside a listed name: in the truth
# texts of the development corpora, 118 capitalised names are listed with å, ä or ö and
# unlisted without, and one name ("Stahl") is unlisted beside a listed twin ("Ståhl").
TWIN: Final = 1.5
# A capital O or A inside a word, before a small letter ("KOpoptionsavtal", "nyansOkningar",
# "TOrnén"), is what an English model writes for ö, å or ä at times, not a shape words are
# printed in: of the tokens so shaped on every input of dev and dev-real and of their
# five prints (bench/fonts.py), 52 of 52 were misread. The token as printed is that much
# less likely (log10: one in 54, counting one printed so more than was seen).
INNER_CAPITAL: Final = 1.7
# A character other than a-z, å, ä, ö, ü in an unlisted token may be read as one of these
# letters where the channel gives it at least this probability (log10): "é" and "6" for ö
RESTORABLE: Final = "åäöü"
RESTORE_FLOOR: Final = -1.5
# An a or o of an unlisted name is read as å, ä or ö where that makes the name's letters
# this much likelier (log10): "Ekegard" 1.6, "Sjofelt" 1.4, "Jaderlund" 0.6; names
# printed without them gain nothing (Stahl, Ottander, Karlsson). On the truth of dev and
# dev-real with their dots taken off, the capitalised tokens no list has (names, places,
# rooms) were read back right 15 times, missed 22 times (Törnén, Råberg: no gain) and
# wrongly dotted 6 times: five foreign names (Krasniqi 2.0, Horvath, Moretti, Tallis,
# Tauno 0.6-0.7) and a compound ("Kopoptionsävtal"). They are readings that the channel
# and the calibration weigh, not changes.
DOTTED_GAIN: Final = 0.5
_DOTTED: Final = {"a": "åä", "o": "ö"}
_SWEDISH_LETTERS: Final = set("åäöü")
_FOLD: Final = str.maketrans("åäöüéÅÄÖÜÉ", "aaoueAAOUE")
COMPOUND_DISCOUNT: Final = 2.0  # an unlisted compound is much rarer than its last part
COMPOUND_CAP: Final = 1.0  # ... and below any listed word
# the weight and gap of compound twins' rarer parts (see _rarer_parts)
TWIN_WEIGHT: Final = 0.5
TWIN_GAP: Final = 1.0
MIN_PRINTED_PART: Final = 3  # letters: the shortest word of a compound as printed
LOWER_CASE_NAME: Final = 2.0  # a name is rarely printed in lower case
EM_ROUNDS: Final = 12
SPLIT_LEFT: Final = frozenset({"i", "på", "av", "om", "för", "att", "och", "som", "med", "till",
                               "vid", "från", "en", "ett", "den", "det", "de", "mot", "under",
                               "över", "efter", "utan", "hos"})
MAX_SPLIT_LEFT: Final = 5
SPLIT_CONTEXT: Final = 1.0  # log10: the second word is likelier after the first than on its own
ADAPT_STRENGTH: Final = 30.0  # weight of the confusion table against the document's own evidence
ADAPT_CONFIDENCE: Final = 0.9  # words decided at least this surely teach the document channel

Path = tuple[tuple[str, str], ...]


class Hypothesis:
    """A reading of a word: made once and never changed (`with_penalty` makes another).

    A plain class, not a frozen dataclass: compiled by mypyc (setup.py), a dataclass is
    made by the interpreted `__init__` that `dataclasses` writes, which gives each field
    through `object.__setattr__` (about 11,000 instructions a reading, 3% of the stage's
    work on the text benchmark's archive); this `__init__` is compiled."""

    text: str  # lower case; for the kept token, the token itself lower-cased
    prior: float  # Zipf frequency, log10 per billion words
    cost: tuple[float, float]  # -log10 P(ocr | text) per table channel (eng, swe)
    keep: bool  # the OCR token itself
    path: Path
    unknown: bool  # the token itself, in no list
    penalty: float  # log10 odds against, beyond prior and channel

    def __init__(self, text: str, prior: float, cost: tuple[float, float], keep: bool,
                 path: Path = (), unknown: bool = False, penalty: float = 0.0) -> None:
        self.text, self.prior, self.cost, self.keep = text, prior, cost, keep
        self.path, self.unknown, self.penalty = path, unknown, penalty

    def with_penalty(self, penalty: float) -> Hypothesis:
        return Hypothesis(self.text, self.prior, self.cost, self.keep, self.path,
                          self.unknown, penalty)

    def _fields(self) -> tuple:
        return (self.text, self.prior, self.cost, self.keep, self.path, self.unknown,
                self.penalty)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hypothesis) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return "Hypothesis" + repr(self._fields())

    def __reduce__(self) -> tuple[type[Hypothesis], tuple]:
        """Pickled as a call to make it (the batch sends readings between processes)."""
        return Hypothesis, self._fields()


def hypotheses(token: str, found: list[Candidate], lexicon: Lexicon,
               channel: Channel) -> list[Hypothesis]:
    lower_case, lower = token[:1].islower(), token.lower()
    odd = INNER_CAPITAL if capital_inside(token) else 0.0  # against the token as printed
    rarer = _rarer_parts(found, lexicon)
    out = [Hypothesis(c.text, prior(c, lexicon) - (LOWER_CASE_NAME if c.proper and lower_case
                                                   else 0.0) - rarer.get(k, 0.0),
                      c.cost, c.text == lower, c.path, penalty=odd if c.text == lower else 0.0)
           for k, c in enumerate(found)]
    if not any(h.keep for h in out):
        title = token[:1].isupper()
        path = tuple((ch, ch) for ch in token)
        eng, swe = zip(*map(channel.logp, token, token), strict=True)  # as printed
        cost = (-sum(eng), -sum(swe))
        parts = printed_compound(lower, lexicon)
        if parts:  # two listed words as printed: as likely a compound as the readings
            kept = prior(Candidate(lower, cost, parts, path), lexicon)
        else:
            twin = any(_twin(lower, c.text) for c in found if title or not c.proper)
            kept = unlisted_prior(token) - (TWIN if twin else 0.0)
        out.append(Hypothesis(lower, kept, cost, True, path, True, odd))
        restored = _restored(token, channel) if title else None
        if restored is not None and restored[0] not in {h.text for h in out}:
            text, path, cost = restored
            twin = any(diacritic_twins(text, c.text) for c in found)
            out.append(Hypothesis(text, unlisted_prior(text, name=True)
                                  - (TWIN if twin else 0.0), cost, False, path, True))
    return out


def _rarer_parts(found: list[Candidate], lexicon: Lexicon) -> dict[int, float]:
    """For unlisted compounds among the readings that differ from another only in dots
    and rings ("närvaroratt", "närvarorätt"; "folk-hälsö-plan", "folk-hälso-plan"), how
    much less likely each is than the one whose parts are likeliest as a run of words:
    the sum of their log10 frequencies, a part that only the lists of names and
    place-name elements have counted at UNKNOWN_ZIPF, as `prior` counts it. COMPOUND_CAP
    puts every unlisted compound below any listed word, and so on one footing, but of two
    such twins the one made of common words ("rätt", not "ratt") is the likelier, as
    listed words are by their frequency. TWIN_WEIGHT of the difference, at most
    TWIN_GAP. And a listed word is likelier than an unlisted compound that differs from
    it only so, by TWIN_GAP ("pensionärsråd", listed, and "pensionärs" + "rad", not:
    else both stand at the cap, the listed word at UNKNOWN_ZIPF, and the channel's
    hundredths decide)."""
    compounds = [k for k, c in enumerate(found) if len(c.parts) > 1]
    if not compounds:  # most words: no compound to weigh
        return {}
    groups: dict[str, list[tuple[int, float]]] = {}
    for k in compounds:
        c = found[k]
        if not lexicon.zipf(c.text):
            groups.setdefault(c.text.translate(_FOLD), []).append(
                (k, sum((lexicon.zipf(part) or UNKNOWN_ZIPF) - 9.0 for part in c.parts)))
    out: dict[int, float] = {}
    if not groups:
        return out
    listed = {c.text.translate(_FOLD) for c in found if lexicon.zipf(c.text)}
    for fold, members in groups.items():
        if fold in listed:
            out.update((k, TWIN_GAP) for k, _ in members)
        elif len(members) > 1:
            top = max(logp for _, logp in members)
            out.update((k, min(TWIN_WEIGHT * (top - logp), TWIN_GAP)) for k, logp in members)
    return out


def capital_inside(token: str) -> bool:
    """True for a capital O or A after a word's first letter and before a small one
    ("KOpoptionsavtal", "nyansOkningar"): see INNER_CAPITAL."""
    if "O" not in token[1:] and "A" not in token[1:]:  # most words: a quick test
        return False
    return any(ch in "OA" and token[k + 1:k + 2].islower() for k, ch in enumerate(token)
               if k)


def _restored(token: str, channel: Channel) -> tuple[str, Path, tuple[float, float]] | None:
    """An unlisted token read as another unlisted word: each character in it other than
    a-z, å, ä, ö, ü that OCR writes for one of å, ä, ö, ü ("é" or "6" for ö: "Sjéfelt",
    "R6nnbo") read as the likeliest of them, the rest as printed; then each a or o that
    the letters of names ask for as å, ä or ö (`_dotted_by_letters`: "Jaderlund" is
    Jäderlund, "Ekegard" Ekegård, but "Ottander" and "Stahl" stay). Which of the two is
    the word ("Ahlén" is printed so), the letters (`unlisted_prior`) and the channel
    decide: where OCR keeps its diacritics, an a read for ä costs what such a slip costs.
    Made for capitalised tokens only, and read as a name: names and places are
    what the lists lack (9.3% of capitalised words in minutes, 2.7% of lower-case ones);
    an unlisted word more often stands in for a listed one with more slips
    ("förvalningen" for förvaltningen, "Förskolendimndens" for Förskolenämndens)."""
    path = []
    for ch in token:
        truth = ch
        if not ("a" <= ch.lower() <= "z" or ch.lower() in _SWEDISH_LETTERS):
            p, letter = max((max(channel.logp(s, ch)), s) for s in RESTORABLE)
            if p >= RESTORE_FLOOR:
                truth = letter.upper() if ch.isupper() else letter
        path.append((truth, ch))
    _printed_letters_kept(path, channel)
    dotted = _dotted_by_letters("".join(t for t, _ in path))
    for k, letter in dotted:
        path[k] = (letter, path[k][1])
    if all(t == o for t, o in path):
        return None
    logps = [channel.logp(t, o) for t, o in path]
    return ("".join(t for t, _ in path).lower(), tuple(path),
            (-sum(p[0] for p in logps), -sum(p[1] for p in logps)))


def _printed_letters_kept(path: list[tuple[str, str]], channel: Channel) -> None:
    """Put back, in `path`, a letter names are printed with ("é": Ahlén, Törnén) where
    reading it as å, ä or ö makes the name no likelier, letters and channel together:
    "Térnén" is Törnén, not "Törnön", though OCR writes é for ö too."""
    names = shape.load()["name"]
    for k, (truth, ocr) in enumerate(path):
        if truth == ocr or not ocr.isalpha():
            continue
        read = "".join(t for t, _ in path).lower()
        kept = read[:k] + ocr.lower() + read[k + 1:]
        if (names.logp(kept) + max(channel.logp(ocr, ocr))
                >= names.logp(read) + max(channel.logp(truth, ocr))):
            path[k] = (ocr, ocr)


def _dotted_by_letters(word: str) -> list[tuple[int, str]]:
    """Where a name's letters ask for å, ä or ö instead of the a or o printed: each in
    turn, from the left, the dotted letter that makes the name's letters likeliest, kept
    where it makes them at least DOTTED_GAIN (log10) likelier. An English model reads
    every å, ä, ö so; the letters of names ("-ström", "-gård", "Jäder-") say where they
    were. Positions and letters, in the word's case."""
    names = shape.load()["name"]
    lower = word.lower()
    best = names.logp(lower)
    out = []
    for k, ch in enumerate(lower):
        if ch not in _DOTTED:
            continue
        score, letter = max((names.logp(lower[:k] + d + lower[k + 1:]), d)
                            for d in _DOTTED[ch])
        if score - best >= DOTTED_GAIN:
            lower, best = lower[:k] + letter + lower[k + 1:], score
            out.append((k, letter.upper() if word[k].isupper() else letter))
    return out


def printed_compound(token: str, lexicon: Lexicon) -> tuple[str, str] | None:
    """The token as printed read as two listed words, a compound hunspell's flags do not
    make ("lov" + "processen": "lov" may begin no compound there, "löv" may): a first word
    of three letters or more that is no short word a lost space follows, and a last word
    that may end a compound."""
    for k in range(MIN_PRINTED_PART, len(token) - MIN_PRINTED_PART + 1):
        first, last = token[:k], token[k:]
        if (first not in SPLIT_LEFT and lexicon.is_word(first, capitalized=False)
                and lexicon.roles(last) & END and lexicon.is_word(last, capitalized=False)):
            return first, last
    return None


def _twin(token: str, word: str) -> bool:
    """True when the listed word differs from the token only where it has a Swedish
    letter (å, ä, ö, ü): "forvaringsplats" and "förvaringsplats"."""
    return (len(token) == len(word) and token != word
            and all(a == b or b in _SWEDISH_LETTERS for a, b in zip(token, word, strict=True)))


def diacritic_twins(token: str, word: str) -> bool:
    """True when the two differ only in the dots and rings of their letters ("pa" and
    "på", "äv" and "av"). Of the same length first: the table maps a letter to a letter
    (a cheap test before two copies)."""
    return (len(token) == len(word) and token != word
            and token.translate(_FOLD) == word.translate(_FOLD))


def unlisted_prior(token: str, *, name: bool = False) -> float:
    """Zipf frequency of the token as a word no list has: the prior of such words of its
    case, up or down by how much more or less its letters look like a Swedish word's
    (capitalised: a word's or a name's) than a listed word's do on average. A damaged word
    ("tjanstgérande", "6versinda") has letters no Swedish word has; a name ("Keskinen",
    "Brask") has not. With `name`, the letters are a name's, whatever the case."""
    models = shape.load()
    lower = token.lower()
    letters = models["word"].logp(lower)
    case = "lower"
    if name:
        letters, case = models["name"].logp(lower), "title"
    elif token[:1].isupper() and not token.isupper():
        letters, case = max(letters, models["name"].logp(lower)), "title"
    # A short token has too few letters to look much unlike a word: a floor by length.
    low = max(LETTERS_LEAST, LETTERS_PER_SYMBOL * (len(token) + 1))
    deviation = letters - shape.MEAN_LETTER * (len(token) + 1)
    return UNLISTED[case] + min(max(deviation, low), LETTERS_MOST)


def split_hypotheses(token: str, lexicon: Lexicon, channel: Channel) -> list[Hypothesis]:
    """Readings of a token as two words that OCR ran together ("isin" → "i sin",
    "ochbeslutar" → "och beslutar"): a preposition, conjunction or article
    on the left (the short words a lost space follows), a word of three letters or more
    on the right."""
    out = []
    space = channel.logp(" ", "")
    for k in range(1, min(len(token) - 3, MAX_SPLIT_LEFT) + 1):
        left = search_module.search_among(token[:k], SPLIT_LEFT, lexicon, channel)
        if not left:
            continue
        right = [c for c in search_module.search_words(token[k:], lexicon, channel)
                 if not c.proper][:3]
        for a in left[:2]:
            for b in right:
                zipf = lexicon.zipf(a.text) + max(lexicon.zipf(b.text), UNKNOWN_ZIPF) - 9
                cost = (a.cost[0] + b.cost[0] - space[0], a.cost[1] + b.cost[1] - space[1])
                out.append(Hypothesis(f"{a.text} {b.text}", zipf + SPLIT_CONTEXT, cost, False,
                                      (*a.path, (" ", ""), *b.path)))
    return out


def prior(candidate: Candidate, lexicon: Lexicon) -> float:
    whole = lexicon.zipf(candidate.text)
    if len(candidate.parts) == 1:
        return max(whole, UNKNOWN_ZIPF)
    head = lexicon.zipf(candidate.parts[-1]) or UNKNOWN_ZIPF
    short = sum(len(p) <= 3 for p in candidate.parts)  # short parts split too easily
    proper = sum(lexicon.is_proper(p) for p in candidate.parts)
    guess = (head - COMPOUND_DISCOUNT - 0.5 * (len(candidate.parts) - 2) - 0.5 * short
             - proper)
    return max(whole, min(max(guess, 0.0), COMPOUND_CAP))


def posteriors(scores: list[float]) -> list[float]:
    if _compiled is not None and (found := _compiled.posteriors(scores)) is not None:
        return found  # the same in C for a list of floats (pipeline/restore/compiled/scores.c)
    return posteriors_in_python(scores)


def posteriors_in_python(scores: list[float]) -> list[float]:
    """`posteriors` in Python: the reference the compiled one follows."""
    top = max(scores)
    weights = [10 ** (s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


def word_weights(hyps: list[Hypothesis]) -> list[tuple[float, float]]:
    """Each reading's weight under either channel alone, 10 ** (prior - penalty - cost),
    over the largest of the word's (so that none is lost below the smallest double)."""
    logs = [(h.prior - h.penalty - h.cost[0], h.prior - h.penalty - h.cost[1]) for h in hyps]
    top = max(max(e, s) for e, s in logs)
    return [(10 ** (e - top), 10 ** (s - top)) for e, s in logs]


def mixture_posteriors(hyps: list[Hypothesis], english: float) -> list[float]:
    """The posteriors of a word's readings under the mixture with this share of the
    English-like channel: 10 ** (prior - penalty) * P(ocr | reading), normalised, P the
    mixture of the two channels' by their shares; from `word_weights`, which the compiled
    form keeps for every document."""
    e, r = max(english, 1e-9), max(1 - english, 1e-9)
    weights = [e * a + r * b for a, b in word_weights(hyps)]
    total = sum(weights)
    return [w / total for w in weights]


Groups = list[tuple[list[Hypothesis], int]]  # a word's readings, and how often it occurs


def best_readings(groups: Groups, english: float) -> list[tuple[int, float]]:
    """For each word, the reading `mixture_posteriors` puts first (the first of equals) and
    its posterior."""
    if _compiled is not None:  # the same in C (pipeline/restore/compiled/scores.c)
        return _compiled.best_readings(_with_terms(groups), english)
    out = []
    for hyps, _ in groups:
        post = mixture_posteriors(hyps, english)
        best = max(range(len(hyps)), key=post.__getitem__)
        out.append((best, post[best]))
    return out


def fit_mixture(groups: Groups) -> float:
    """The share of English-like OCR in a document (0-1), by EM over its tokens."""
    if _compiled is not None:  # the same in C (pipeline/restore/compiled/scores.c)
        return _compiled.fit_mixture(_with_terms(groups), EM_ROUNDS)
    return fit_in_python(groups)


def _with_terms(groups: Groups) -> list[tuple[bytes, int]]:
    """The groups with each word's readings given by their terms for the compiled fit
    (prior less penalty, costs, `word_weights`), made once per list of readings: a
    word's readings are one list for the life of a process (`restore.readings`), the
    same in every document. The list is held beside its terms, so that it is the same
    list, not one made later in its place."""
    out = []
    for hyps, n in groups:
        known = _TERMS.get(id(hyps))
        if known is None or known[0] is not hyps:
            if len(_TERMS) >= _TERMS_SIZE:
                search_module.forget_older_half(_TERMS)
            known = _TERMS[id(hyps)] = (hyps, _compiled.terms(hyps))
        out.append((known[1], n))
    return out


_TERMS: Final[dict[int, tuple[list[Hypothesis], bytes]]] = {}
_TERMS_SIZE: Final = 20_000  # lists: the older half goes beyond this


def compiled_readings(hyps: list[Hypothesis]):
    """The fields of a word's readings that their scores read, in the compiled form, read
    once per list of readings (held beside them, as for `_with_terms`)."""
    known = _READINGS.get(id(hyps))
    if known is None or known[0] is not hyps:
        if len(_READINGS) >= _TERMS_SIZE:
            search_module.forget_older_half(_READINGS)
        known = _READINGS[id(hyps)] = (hyps, _compiled.Readings(hyps))
    return known[1]


_READINGS: Final[dict[int, tuple[list[Hypothesis], object]]] = {}


def fit_in_python(groups: Groups) -> float:
    """`fit_mixture` in Python: the reference the compiled one follows, operation for
    operation. A round of EM gives each word the share of its readings' posterior mass
    (`mixture_posteriors`) that the English-like channel explains: a reading's weight is
    10 ** base * (english * 10 ** -cost_en + rest * 10 ** -cost_sv), and the English part
    of it english * 10 ** (base - cost_en), so the word's share is english * E /
    (english * E + rest * S), where E and S sum its readings' 10 ** (base - cost) under
    either channel alone (`word_weights`). The two sums do not change from round to round:
    a round is one division a word."""
    informative = [(g, n) for g, n in groups
                   if any(abs(h.cost[0] - h.cost[1]) > 1.0 for h in g)]
    if not informative:
        return 0.5
    tokens = sum(n for _, n in informative)
    words = []
    for hyps, n in informative:
        weights = word_weights(hyps)
        words.append((sum(e for e, _ in weights), sum(s for _, s in weights), n))
    english = 0.5
    for _ in range(EM_ROUNDS):
        total = 0.0
        rest = 1 - english
        for e, s, n in words:
            a = english * e
            total += n * (a / (a + rest * s))
        english = min(max(total / tokens, 0.001), 0.999)
    return english


class DocumentChannel:
    """The confusion table's mixture, re-estimated on one document's confident words."""

    def __init__(self, table: Channel, english: float, groups: Groups, lexicon: Lexicon):
        self.table, self.english, self.lexicon = table, english, lexicon
        self._mix = (max(english, 1e-9), max(1 - english, 1e-9))  # each channel's share
        unknown = damaged = 0
        # each word's best reading under the table's mixture, and its posterior
        self.best = best_readings(groups, english)
        taught: list[tuple[list[Hypothesis], int, int]] = []  # the surely read, as read
        for (hyps, n), (best, sure) in zip(groups, self.best, strict=True):
            has_unknown, paths = _evidence(hyps, lexicon)
            if has_unknown:
                unknown += n
                damaged += n * (not hyps[best].keep)
            if sure >= ADAPT_CONFIDENCE and paths[best] is not None:
                taught.append((hyps, best, n))
            # else unsure, an unknown word or a name: no evidence of how it was read
        # how often the document read each truth string (the pairs of those readings'
        # paths, each as often as its word is printed), and each truth string in all
        self.counts, self.totals = _tally(taught)
        self._logps = _LogP(self)  # (truth, ocr) -> logp, filled as asked
        # ... and the same by the pair's number in the compiled form (read from _logps)
        self._by_number = _compiled.Logps(self._logps) if _compiled is not None else None
        rate = (damaged + 1) / (unknown + 2)  # share of unknown tokens that are damage
        self.keep_adjust = max(min(math.log10((1 - rate) / rate), 1.0), -1.5)

    def logp(self, truth: str, ocr: str) -> float:
        return self._logps[truth, ocr]

    def estimate(self, truth: str, ocr: str) -> float:
        """log10 P(ocr | truth): the table's mixture, moved toward the document's counts."""
        key = (truth, ocr)
        p0, p1 = self.table.prob(truth, ocr)
        base = self._mix[0] * p0 + self._mix[1] * p1  # the mixture's P(ocr | truth)
        p = ((self.counts.get(key, 0.0) + ADAPT_STRENGTH * base)
             / (self.totals.get(truth, 0.0) + ADAPT_STRENGTH))
        return math.log10(p)

    def score(self, h: Hypothesis) -> float:
        prior = h.prior + self.keep_adjust if h.unknown else h.prior
        return prior - h.penalty + sum(map(self._logps.__getitem__, h.path))

    def scores(self, hyps: list[Hypothesis]) -> list[float]:
        """`score` of each reading of a word."""
        if _compiled is not None:  # the same in C (pipeline/restore/compiled/scores.c)
            return _compiled.scores(compiled_readings(hyps), self._by_number, self.keep_adjust)
        return [self.score(h) for h in hyps]

    def settle(self, segs: list[str], words: list[tuple], weights: tuple[float, ...],
               attested: dict[str, str]) -> tuple[list[list[float]], bytes, dict]:
        """`choose.Decisions`' first look at the document's words in one piece, compiled
        (`_search.settle`, only where `COMPILED`): each word's `scores`, the names the
        document attests (added to `attested`, each with the word that attests it), which
        words stay as printed wherever they stand, and the others' choices."""
        return _compiled.settle(segs, words, self._by_number, self.keep_adjust, weights,
                                attested)


def _tally(taught: list[tuple[list[Hypothesis], int, int]],
           ) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
    """The (truth, ocr) pairs of the chosen readings' paths counted, each reading as
    often as its word is printed (n), and the counts' totals by truth: in C where built
    (the same sums: whole numbers, exact in any order)."""
    if _compiled is not None:
        return _compiled.tally([compiled_readings(hyps) for hyps, _, _ in taught],
                               [k for _, k, _ in taught], [float(n) for _, _, n in taught])
    counts: dict[tuple[str, str], float] = defaultdict(float)
    totals: dict[str, float] = defaultdict(float)
    for hyps, k, n in taught:
        for pair in hyps[k].path:
            counts[pair] += n
            totals[pair[0]] += n
    return dict(counts), dict(totals)


def _evidence(hyps: list[Hypothesis], lexicon: Lexicon) -> tuple[bool, tuple[Path | None, ...]]:
    """Whether one of a word's readings is the token no list has, and each reading's path
    where it is evidence of how the document was read (None for the token no list has and
    for a name): read once per list of readings (held beside it, as for `_with_terms`)."""
    known = _EVIDENCE.get(id(hyps))
    if known is not None and known[0] is hyps and known[1] is lexicon:
        return known[2]
    found = (any(h.unknown for h in hyps),
             tuple(None if h.unknown or lexicon.is_proper(h.text) else h.path for h in hyps))
    if len(_EVIDENCE) >= _TERMS_SIZE:
        search_module.forget_older_half(_EVIDENCE)
    _EVIDENCE[id(hyps)] = (hyps, lexicon, found)
    return found


_EVIDENCE: Final[dict[int, tuple[list[Hypothesis], Lexicon, tuple]]] = {}


class _LogP(dict):
    """A document channel's estimates, each worked out the first time it is asked for."""

    def __init__(self, doc_channel: DocumentChannel) -> None:
        super().__init__()
        self._channel = doc_channel

    def __missing__(self, key: tuple[str, str]) -> float:
        truth, ocr = key  # (unpacked here: compiled, the call is then a direct one)
        found = self[key] = self._channel.estimate(truth, ocr)
        return found
