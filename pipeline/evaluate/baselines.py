"""Two baselines the restore stage is measured against, on the same OCR text:

- symspell: symspellpy's lookup of each unknown word (edit distance up to 2) in the
  same lexicon the restore stage uses, frequencies included;
- hunspell: the first suggestion of hunspell with Debian's Swedish dictionary.

Both correct word by word, with the same tokenization and protected tokens as the
restore stage, and keep the casing of the word.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.exceptions import MissingDependencyError
from pipeline.programs import run_tool
from pipeline.restore import lexicon as lexicon_module
from pipeline.restore import tokens
from pipeline.restore.candidates import apply_case, case_pattern

_WORD = re.compile(r"\S+")


def correct_text(text: str, fix: Callable[[list[str]], dict[str, str]]) -> str:
    """Apply a word-by-word corrector to a text, keeping all whitespace."""
    lex = lexicon_module.load()
    cores = {}
    for match in _WORD.finditer(text):
        token = tokens.split(match.group())
        if (token.core and tokens.correctable(token.core, lex)
                and not lex.is_word(token.core.lower())):
            cores[match.group()] = token
    fixes = fix(sorted({t.core for t in cores.values()}))

    def replace(match: re.Match[str]) -> str:
        token = cores.get(match.group())
        if token is None or token.core not in fixes:
            return match.group()
        return token.lead + apply_case(fixes[token.core], case_pattern(token.core)) + token.trail

    return _WORD.sub(replace, text)


def symspell(words: list[str]) -> dict[str, str]:
    from symspellpy import SymSpell, Verbosity

    sym = _symspell_index(SymSpell)
    out = {}
    for word in words:
        found = sym.lookup(word.lower(), Verbosity.TOP, max_edit_distance=2)
        if found:
            out[word] = found[0].term
    return out


_INDEX: list = []


def _symspell_index(cls):
    if not _INDEX:
        lex = lexicon_module.load()
        sym = cls(max_dictionary_edit_distance=2, prefix_length=7)
        for key in lex.keys:
            if lex.roles(key) & lexicon_module.WORD:
                sym.create_dictionary_entry(key, max(1, round(10 ** lex.zipf(key))))
        _INDEX.append(sym)
    return _INDEX[0]


def hunspell(words: list[str]) -> dict[str, str]:
    if not words:
        return {}
    stdin = "".join(f"^{w}\n" for w in words).encode()  # ^: a word to check, never a command
    out = run_tool(["hunspell", "-d", "sv_SE", "-a", "-i", "utf-8"], stdin=stdin)
    if out.returncode != 0 or not out.stdout:
        raise MissingDependencyError("hunspell's Swedish dictionary is not installed",
                                     fix="Run `make install` (or apt-get install hunspell-sv).")
    results = [r for r in out.stdout.decode().split("\n\n") if r.strip()]
    results[0] = "\n".join(results[0].splitlines()[1:])  # the banner line
    fixes = {}
    for word, result in zip(words, results, strict=False):
        line = result.strip()
        if line.startswith("&"):
            fixes[word] = line.split(": ", 1)[1].split(", ")[0].lower()
    return fixes
