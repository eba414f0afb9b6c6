"""The Swedish lexicon: word forms with frequencies and compound roles, plus curated lists.

Keys are lower case; a form known only with a capital (a place or a person's name) is
marked `proper`. Prefix queries (for pruning the candidate search) use a sorted key list.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

DICTIONARIES = Path(os.environ.get("PROTOKOLL_DICTIONARIES",
                                   Path(__file__).resolve().parents[2] / "dictionaries"))
WORD, BEGIN, END, PROPER = 1, 2, 4, 8  # role bits
_ROLE_BITS = {"w": WORD, "b": BEGIN, "e": END}
# Curated lists: file, roles, Zipf frequency used when wordfreq does not know the entry.
CURATED = [
    ("sv_municipal_vocabulary.txt", WORD | END, 3.0),
    ("sv_municipalities_290.txt", WORD | PROPER, 3.0),
    ("sv_municipal_bodies.txt", WORD | END, 3.0),
    ("sv_first_names.txt", WORD | PROPER, 2.5),
    ("sv_surnames.txt", WORD | PROPER, 2.5),
]
ABBREVIATIONS = "sv_abbreviations.txt"
MUNICIPALITIES = "sv_municipalities_290.txt"
UNKNOWN_ZIPF = 1.0  # a form hunspell knows but wordfreq has not seen


@dataclass
class Entry:
    zipf: float
    roles: int


class Lexicon:
    def __init__(self, entries: dict[str, Entry], abbreviations: frozenset[str],
                 checksums: dict[str, str], municipalities: frozenset[str]) -> None:
        self.entries = entries
        self.keys = sorted(entries)
        self.abbreviations = abbreviations
        self.municipalities = municipalities  # lower case
        self.checksums = checksums  # data file name -> sha256, for provenance
        self._prefixes: dict[str, bool] = {}

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def has_prefix(self, prefix: str) -> bool:
        known = self._prefixes.get(prefix)
        if known is None:
            i = bisect.bisect_left(self.keys, prefix)
            known = i < len(self.keys) and self.keys[i].startswith(prefix)
            if len(self._prefixes) > 2_000_000:
                self._prefixes.clear()
            self._prefixes[prefix] = known
        return known

    def zipf(self, key: str) -> float:
        entry = self.entries.get(key)
        return (entry.zipf or UNKNOWN_ZIPF) if entry else 0.0

    def is_proper(self, key: str) -> bool:
        entry = self.entries.get(key)
        return bool(entry and entry.roles & PROPER)

    def is_word(self, key: str, *, capitalized: bool = True) -> bool:
        entry = self.entries.get(key)
        return bool(entry and entry.roles & WORD and (capitalized or not entry.roles & PROPER))


@functools.cache
def load(folder: Path = DICTIONARIES) -> Lexicon:
    """Read the lexicon once per process."""
    entries: dict[str, Entry] = {}
    checksums: dict[str, str] = {}
    forms = sorted(folder.glob("sv_wordforms_*.tsv.gz"))
    if not forms:
        raise FileNotFoundError(f"no sv_wordforms_*.tsv.gz in {folder}")
    data = forms[-1].read_bytes()
    checksums[forms[-1].name] = hashlib.sha256(data).hexdigest()
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        form, zipf, roles = line.split("\t")
        bits = sum(_ROLE_BITS[r] for r in roles)
        _add(entries, form, float(zipf), bits | (PROPER if form[:1].isupper() else 0))
    for name, bits, default in CURATED:
        path = folder / name
        if path.exists():
            checksums[name] = hashlib.sha256(path.read_bytes()).hexdigest()
            for form in _lines(path):
                _add(entries, form, default, bits if form[:1].isupper() else bits & ~PROPER)
    abbreviations = frozenset(_lines(folder / ABBREVIATIONS)) if (
        folder / ABBREVIATIONS).exists() else frozenset()
    municipalities = frozenset(name.lower() for name in _lines(folder / MUNICIPALITIES)) if (
        folder / MUNICIPALITIES).exists() else frozenset()
    return Lexicon(entries, abbreviations, checksums, municipalities)


def _add(entries: dict[str, Entry], form: str, zipf: float, bits: int) -> None:
    for part in form.split():  # multiword names: each word counts
        key = part.lower()
        old = entries.get(key)
        if old is None:
            entries[key] = Entry(zipf, bits)
        else:
            proper = old.roles & bits & PROPER  # proper only if every source says so
            old.roles = ((old.roles | bits) & ~PROPER) | proper
            old.zipf = max(old.zipf, zipf if old.zipf == 0 else min(zipf, old.zipf) or zipf)


def _lines(path: Path) -> list[str]:
    return [s for s in path.read_text(encoding="utf-8").splitlines() if s and not s.startswith("#")]
