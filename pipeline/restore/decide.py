"""Choosing among candidates: prior × channel, with the channel mixture fitted per document.

A document's OCR was made by some engine with some model; whether it lost the Swedish
letters (an English model) or kept them (a Swedish one) shows in the document itself.
The share of the English-like channel is estimated by expectation-maximization over the
document's words, so "for" becomes "för" in a document that lost its diacritics
everywhere and stays "for" in one that kept them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.restore.candidates import Candidate
from pipeline.restore.lexicon import UNKNOWN_ZIPF, Lexicon

KEEP_ZIPF = 0.5  # prior of a token that is in no list (a name, a rare word, damage)
COMPOUND_DISCOUNT = 2.0  # an unlisted compound is much rarer than its last part
COMPOUND_CAP = 2.5  # ... and never as likely as a common listed word
EM_ROUNDS = 12


@dataclass(frozen=True)
class Hypothesis:
    text: str  # lower case; for the kept token, the token itself lower-cased
    prior: float  # Zipf frequency, log10 per billion words
    cost: tuple[float, float]  # -log10 P(ocr | text) per channel
    keep: bool  # the OCR token itself


def hypotheses(token: str, found: list[Candidate], lexicon: Lexicon,
               identity_cost: tuple[float, float]) -> list[Hypothesis]:
    out = [Hypothesis(c.text, prior(c, lexicon), c.cost, c.text == token.lower())
           for c in found]
    if not any(h.keep for h in out):
        out.append(Hypothesis(token.lower(), KEEP_ZIPF, identity_cost, True))
    return out


def prior(candidate: Candidate, lexicon: Lexicon) -> float:
    whole = lexicon.zipf(candidate.text)
    if len(candidate.parts) == 1:
        return whole or UNKNOWN_ZIPF
    head = lexicon.zipf(candidate.parts[-1]) or UNKNOWN_ZIPF
    short = sum(len(p) <= 3 for p in candidate.parts)  # short parts split too easily
    proper = sum(bool(lexicon.is_proper(p)) for p in candidate.parts)
    guess = (head - COMPOUND_DISCOUNT - 0.5 * (len(candidate.parts) - 2) - 0.5 * short
             - proper)
    return max(whole, min(max(guess, 0.0), COMPOUND_CAP))


def channel_logp(h: Hypothesis, english: float) -> float:
    """log10 P(ocr | h) under the mixture with this share of the English-like channel."""
    a = math.log10(max(english, 1e-9)) - h.cost[0]
    b = math.log10(max(1 - english, 1e-9)) - h.cost[1]
    top = max(a, b)
    return top + math.log10(10 ** (a - top) + 10 ** (b - top))


def posteriors(hyps: list[Hypothesis], english: float,
               bonus: dict[str, float] | None = None) -> list[float]:
    scores = [h.prior + channel_logp(h, english) + (bonus or {}).get(h.text, 0.0)
              for h in hyps]
    top = max(scores)
    weights = [10 ** (s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


def fit_mixture(groups: list[list[Hypothesis]]) -> float:
    """The share of English-like OCR in a document (0-1), by EM over its tokens."""
    informative = [g for g in groups if any(abs(h.cost[0] - h.cost[1]) > 1.0 for h in g)]
    if not informative:
        return 0.5
    english = 0.5
    for _ in range(EM_ROUNDS):
        total = 0.0
        for hyps in informative:
            post = posteriors(hyps, english)
            for h, p in zip(hyps, post, strict=True):
                a = english * 10 ** -h.cost[0]
                b = (1 - english) * 10 ** -h.cost[1]
                total += p * (a / (a + b) if a + b else 0.5)
        english = min(max(total / len(informative), 0.001), 0.999)
    return english
