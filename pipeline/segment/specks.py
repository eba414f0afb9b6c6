"""Specks: what dust and dirt beside a printed line come out as in OCR.

A speck at either end of a line is read as a mark standing alone (". , ' | —"), a lone
accented letter ("é"), two letters that make no word ("ae"), or a mark stuck to the first
word ("‘Bakgrund"). The segmenter reads a line's role through them: "Bakgrund ae" is the
heading Bakgrund, "§ 12 Dnr KS 2021/0456 ." has no title on it. The printed line keeps
them; what the text says is for restoration and review to decide.
"""

from __future__ import annotations

import functools

MARKS = frozenset(".,;:'‘’‚„\"“”|¦_—–-~^`´¸°˙¨·•*«»‹›¢©®=+\\/")
_ACCENTED = frozenset("éèêëáàâãüûúùîïíìôõóòçñ")  # alone, none of them is Swedish
GLUED = "'‘’\"“”|¦_·*.,:;"  # marks a speck leaves stuck to the first word
_TRAILING = ",|¦_'’\"”"  # and stuck to the last word ("synpunkter:,")
_PAIRS = {"‘": "’", "“": "”", '"': '"', "'": "'"}


def is_speck(token: str, beside: str = "") -> bool:
    """Whether `token`, standing alone next to the word `beside`, is a speck. Two letters
    count only beside a longer word that is not an abbreviation's part ("m fl" is text)."""
    if all(c in MARKS for c in token):
        return True
    if len(token) == 1:
        return token.lower() in _ACCENTED
    return (len(token) == 2 and token.isalpha() and token.islower() and len(beside) > 2
            and not _is_word(token))


def strip(text: str) -> str:
    """`text` without the specks at its ends (whole tokens, unpaired marks stuck to the
    first word, and commas, bars or unpaired quotes stuck to the last), its other spacing
    normalised."""
    tokens = text.split()
    while tokens and is_speck(tokens[-1], tokens[-2] if len(tokens) > 1 else ""):
        tokens.pop()
    while tokens and is_speck(tokens[0], tokens[1] if len(tokens) > 1 else ""):
        tokens.pop(0)
    while tokens and len(tokens[0]) > 1 and tokens[0][0] in GLUED \
            and _PAIRS.get(tokens[0][0], "\0") not in " ".join(tokens)[1:]:
        tokens[0] = tokens[0][1:]  # ':"Yrkanden'
    while tokens and len(tokens[-1]) > 1 and tokens[-1][-1] in _TRAILING \
            and _unpaired(tokens[-1][-1], " ".join(tokens)):
        tokens[-1] = tokens[-1][:-1]
    return " ".join(tokens)


def _unpaired(mark: str, text: str) -> bool:
    opening = {"’": "‘", "”": "“"}.get(mark, mark)
    return mark in ",|¦_" or text.count(opening) == (1 if opening == mark else 0)


def is_void(text: str) -> bool:
    """Nothing on the line but specks (or nothing at all)."""
    return not strip(text)


@functools.cache
def _is_word(token: str) -> bool:
    from pipeline.restore import lexicon

    return lexicon.load().is_word(token)
