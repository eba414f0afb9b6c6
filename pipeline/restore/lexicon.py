"""The Swedish lexicon: word forms with frequencies and compound roles, plus curated lists.

Keys are lower case; a form known only with a capital (a place or a person's name) is
marked `proper`. The keys are sorted and searched by bisection (also for prefixes, which
prune the candidate search); each entry is packed in one int (Zipf frequency × 100, then
five role bits) in an array beside them, and the forms looked up are remembered in a dict.
Reading the files takes seconds, so the result is cached per process and on disk, under a
name made from the checksums of the data files (a changed file makes a new cache); the
disk cache is two blobs (the keys as UTF-8 text, one per line, and the array). The
compiled index (`_search.Keys`, pipeline/restore/compiled/keys.c) searches the first blob as it
is read, so loading is reading two blobs; without it the keys become a list of strings.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import functools
import gzip
import hashlib
import logging
import mmap
import os
import pickle
import struct
import sys
import threading
from pathlib import Path
from typing import Final

try:  # the compiled key index and candidate search (pipeline/restore/_search.c)
    from pipeline.restore import _search  # type: ignore[attr-defined]
except ImportError:  # not built: the same in Python, slower
    _search = None

log = logging.getLogger(__name__)

DICTIONARIES: Final[Path] = Path(os.environ.get("PROTOKOLL_DICTIONARIES",
                                          Path(__file__).resolve().parents[2] / "dictionaries"))
CACHE: Path = Path(os.environ.get("PROTOKOLL_CACHE",
                            Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                            / "protokoll"))
CACHE_FORMAT: Final = 7  # made anew when what is read from the files changes, not only the files
# Role bits. PLACE marks a place name's last element (-by, -åsa, -å): unlike END it ends a
# compound only in a capitalised token, since "Lönnå" is a place but "lönnå" no word.
WORD: Final = 1
BEGIN: Final = 2
END: Final = 4
PROPER: Final = 8
PLACE: Final = 16
ROLES: Final = 31  # all the role bits
# Derivational suffixes whose nouns always take the linking -s- in a compound (-ing, -het,
# -else, -skap, -dom, -tion, -sion, -nad, -tet: "föreningsliv", "kvalitetsarbete")
_LINKED_SUFFIXES: Final = ("ing", "het", "else", "skap", "dom", "tion", "sion", "nad", "tet")
_SHIFT: Final = 5  # the Zipf frequency sits above the role bits
_ROLE_BITS: Final = {"w": WORD, "b": BEGIN, "e": END}
# Curated lists: file, roles, Zipf frequency used when wordfreq does not know the entry.
CURATED: Final = [
    ("sv_municipal_vocabulary.txt", WORD | END, 3.0),
    ("sv_municipalities_290.txt", WORD | PROPER, 3.0),
    ("sv_municipal_bodies.txt", WORD | END, 3.0),
    ("sv_first_names.txt", WORD | PROPER, 2.5),
    ("sv_surnames.txt", WORD | PROPER, 2.5),
    ("sv_place_name_elements.txt", PLACE, 0.0),  # not words by themselves: no frequency
    ("sv_place_name_first_elements.txt", BEGIN, 0.0),  # words already: their own frequency
]
ABBREVIATIONS: Final = "sv_abbreviations.txt"
MUNICIPALITIES: Final = "sv_municipalities_290.txt"
UNKNOWN_ZIPF: Final = 1.0  # a form hunspell knows but wordfreq has not seen


class _Keys:
    """The sorted keys and their entries searched in Python: what the compiled
    `_search.Keys` does, for when it is not built."""

    def __init__(self, blob: bytes | memoryview, packed: bytes | memoryview) -> None:
        self.keys = bytes(blob).decode("utf-8").split("\n") if len(blob) else []
        self.packed = array.array("i")
        self.packed.frombytes(packed)

    def __len__(self) -> int:
        return len(self.keys)

    def entry(self, key: str) -> int:
        i = bisect.bisect_left(self.keys, key)
        return self.packed[i] if i < len(self.keys) and self.keys[i] == key else -1

    def has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self.keys, prefix)
        return i < len(self.keys) and self.keys[i].startswith(prefix)

    def next_letters(self, prefix: str) -> frozenset[str]:
        """The letters that follow `prefix` in some form: one bisection per letter."""
        letters, keys, at, n = [], self.keys, len(prefix), len(self.keys)
        i = bisect.bisect_left(keys, prefix)
        while i < n and keys[i].startswith(prefix):
            if len(keys[i]) > at:
                letters.append(keys[i][at])
                i = bisect.bisect_left(keys, prefix + keys[i][at] + "\U0010ffff", i)
            else:
                i += 1
        return frozenset(letters)


class Lexicon:
    def __init__(self, blob: bytes | memoryview, packed: bytes | memoryview,
                 abbreviations: frozenset[str], municipalities: frozenset[str],
                 checksums: dict[str, str], *, compiled: bool = True,
                 layout: tuple[memoryview, ...] = ()) -> None:
        """`layout`: what the compiled index works out of the forms (`Keys.layout`), as
        the disk cache keeps it, so that a process need not work it out again."""
        self._blob, self._packed = blob, packed  # forms, sorted, one per line (UTF-8); entries
        use = compiled and _search is not None
        self.index = _search.Keys(blob, packed, *layout) if use else _Keys(blob, packed)
        self._looked_up: dict[str, int] = {}  # form -> packed, or -1 if not listed
        self._roles: dict[str, int] = {}  # form -> its role bits (0 if not listed)
        self.abbreviations = abbreviations
        self.municipalities = municipalities  # lower case
        self.checksums = checksums  # data file name -> sha256, for provenance
        self._prefixes: dict[str, bool] = {}
        self._next: dict[str, frozenset[str]] = {}
        # The letters of the abbreviations printed in parts ("fr.o.m." is "from", "t.o.m."
        # "tom", "o.s.v." "osv"): what OCR makes of them when it loses or moves their
        # periods and spaces ("fro mtom"); and their first letters (all but the last).
        # Made here, not on first use: compiled, a cached property is made on every use.
        letters = (form.replace(".", "").lower() for form in abbreviations
                   if form.count(".") >= 2)
        self.spelled_abbreviations = frozenset(
            s for s in letters if s.isalpha() and len(s) >= 2)
        self.spelled_starts = frozenset(
            s[:k] for s in self.spelled_abbreviations for k in range(1, len(s)))

    @property
    def keys(self) -> list[str]:
        """Every form, sorted, made anew when asked for (the search does not need it)."""
        return bytes(self._blob).decode("utf-8").split("\n") if len(self._blob) else []

    @property
    def packed(self) -> list[int]:
        """Every form's entry, in the order of `keys`, made anew when asked for."""
        entries = array.array("i")
        entries.frombytes(self._packed)
        return entries.tolist()

    @property
    def compiled(self) -> bool:
        return not isinstance(self.index, _Keys)

    def _entry(self, key: str) -> int:
        found = self._looked_up.get(key)
        if found is None:
            found = self.index.entry(key)
            if len(self._looked_up) > 2_000_000:
                self._looked_up.clear()
            self._looked_up[key] = found
        return found

    def roles(self, key: str) -> int:
        found = self._roles.get(key)
        if found is None:
            if len(self._roles) > 2_000_000:
                self._roles.clear()
            found = self._roles[key] = max(self._entry(key), 0) & ROLES
        return found

    def zipf(self, key: str) -> float:
        """The form's Zipf frequency; UNKNOWN_ZIPF for a listed form wordfreq lacks, else 0."""
        packed = self._entry(key)
        if packed < 0:
            return 0.0
        return (packed >> _SHIFT) / 100 or UNKNOWN_ZIPF

    def has_prefix(self, prefix: str) -> bool:
        known = self._prefixes.get(prefix)
        if known is None:
            known = self.index.has_prefix(prefix)
            if len(self._prefixes) > 2_000_000:
                self._prefixes.clear()
            self._prefixes[prefix] = known
        return known

    def next_letters(self, prefix: str) -> frozenset[str]:
        """The letters that follow `prefix` in some form."""
        found = self._next.get(prefix)
        if found is None:
            found = self.index.next_letters(prefix)
            if len(self._next) > 1_000_000:
                self._next.clear()
            self._next[prefix] = found
        return found

    def is_proper(self, key: str) -> bool:
        roles = self._roles.get(key)
        return bool((self.roles(key) if roles is None else roles) & PROPER)

    def is_word(self, key: str, *, capitalized: bool = True) -> bool:
        roles = self._roles.get(key)
        if roles is None:
            roles = self.roles(key)
        return bool(roles & WORD and (capitalized or not roles & PROPER))


_LOCK: Final = threading.Lock()


def load(folder: Path = DICTIONARIES) -> Lexicon:
    """The lexicon, read once per process (from the disk cache when it is there)."""
    with _LOCK:  # documents restored in parallel threads wait for one reading
        return _load(folder)


@functools.cache
def checksums(folder: Path = DICTIONARIES) -> dict[str, str]:
    """sha256 of each data file the lexicon is read from (once per process)."""
    files = sorted(folder.glob("sv_wordforms_*.tsv.gz"))
    if not files:
        raise FileNotFoundError(f"no sv_wordforms_*.tsv.gz in {folder}")
    files += [folder / name for name, _, _ in CURATED if (folder / name).exists()]
    files += [folder / ABBREVIATIONS]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.exists()}


@functools.cache
def _load(folder: Path) -> Lexicon:
    checksums_ = checksums(folder)
    key = hashlib.sha256(repr((CACHE_FORMAT, sorted(checksums_.items()))).encode()).hexdigest()
    cached = CACHE / f"lexicon-{key[:16]}.bin"
    try:
        lex = _mapped(cached, checksums_)
        _used(cached)
        return lex
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        pass  # none yet, or not one this machine can read: made again
    entries, abbreviations, municipalities = _read(folder)
    keys = sorted(entries)
    lex = Lexicon("\n".join(keys).encode("utf-8"),
                  array.array("i", (entries[k] for k in keys)).tobytes(), abbreviations,
                  municipalities, checksums_)
    _store(cached, lex)
    return lex


# The disk cache: this header, the length of what follows it (8 bytes, little-endian),
# a pickle of (each part's offset and length after the header, abbreviations,
# municipalities, the machine's byte order and word size), then the parts (the forms,
# their entries, and the compiled index's layout), each at a multiple of 16 bytes. The
# parts are read in place from the mapped file: the page cache holds them once for every
# process, and nothing is copied or worked out at start.
_MAGIC: Final = b"protokoll lexicon cache\n"
_NATIVE: Final = (sys.byteorder, struct.calcsize("n"))


def _mapped(path: Path, checksums_: dict[str, str]) -> Lexicon:
    with path.open("rb") as file:
        try:
            data: mmap.mmap | bytes = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError:  # a file system that cannot map files: read into memory instead
            data = file.read()
    view = memoryview(data)
    head = len(_MAGIC) + 8
    if view[:len(_MAGIC)] != _MAGIC:
        raise ValueError(f"{path} is no lexicon cache")
    size = int.from_bytes(view[len(_MAGIC):head], "little")
    spans, abbreviations, municipalities, native = pickle.loads(view[head:head + size])
    if tuple(native) != _NATIVE:
        raise ValueError(f"{path} was made on another kind of machine")
    start = _aligned(head + size)
    parts = [view[start + at:start + at + n] for at, n in spans]
    if len(parts) < 2 or any(len(part) != n for part, (_, n) in zip(parts, spans, strict=True)):
        raise ValueError(f"{path} is cut short")
    return Lexicon(parts[0], parts[1], abbreviations, municipalities, checksums_,
                   layout=tuple(parts[2:]))


def _aligned(n: int) -> int:
    return (n + 15) // 16 * 16


def _read(folder: Path) -> tuple[dict[str, int], frozenset[str], frozenset[str]]:
    entries: dict[str, int] = {}
    (forms,) = sorted(folder.glob("sv_wordforms_*.tsv.gz"))[-1:]
    for line in gzip.decompress(forms.read_bytes()).decode("utf-8").splitlines():
        form, zipf, roles = line.split("\t")
        bits = sum(_ROLE_BITS[r] for r in roles)
        _add(entries, form, float(zipf), bits | (PROPER if form[:1].isupper() else 0))
    for name, bits, default in CURATED:
        if (folder / name).exists():
            for form in _lines(folder / name):
                _add(entries, form, default, bits if form[:1].isupper() else bits & ~PROPER)
                if bits == PLACE and form[-1:] not in "sxz":  # a name's genitive ends one
                    _add(entries, form + "s", default, PLACE)  # too: "Norrskärs skola"
    # A noun whose linked form begins compounds may begin one unlinked too: Swedish writes
    # "bygglovhandläggare" beside "bygglovshandläggare", but hunspell's flags list only the
    # linked form for thousands of nouns. Without this, "bygglovhandlaggare" (an English
    # model's) had no reading but bygg + löv + handläggare, applied at 0.96. Not a noun of
    # a suffix that always takes the -s- (ledningsgrupp, not "ledninggrupp").
    for key, packed in list(entries.items()):
        if (packed & WORD and packed & END and not packed & BEGIN and len(key) >= 5
                and not key.endswith(_LINKED_SUFFIXES)):
            linked = entries.get(key + "s")
            if linked is not None and linked & BEGIN:
                entries[key] = packed | BEGIN
    abbreviations = frozenset(_lines(folder / ABBREVIATIONS))
    municipalities = frozenset(name.lower() for name in _lines(folder / MUNICIPALITIES))
    return entries, abbreviations, municipalities


def _add(entries: dict[str, int], form: str, zipf: float, bits: int) -> None:
    for part in form.split():  # multiword names: each word counts
        key = part.lower()
        old = entries.get(key)
        if old is None:
            entries[key] = round(zipf * 100) << _SHIFT | bits
            continue
        old_zipf, old_bits = (old >> _SHIFT) / 100, old & ROLES
        proper = old_bits & bits & PROPER  # proper only if every source says so
        if not bits & WORD:  # a source that lists no word (a place-name element) has no say
            proper = old_bits & PROPER
        roles = ((old_bits | bits) & ~PROPER) | proper
        new_zipf = old_zipf if old_zipf else zipf  # wordfreq's figure over a default
        entries[key] = round(new_zipf * 100) << _SHIFT | roles


def _store(path: Path, lex: Lexicon) -> None:
    """Write the lexicon's disk cache (as `_mapped` reads it)."""
    parts = [bytes(lex._blob), bytes(lex._packed)]
    if not isinstance(lex.index, _Keys):  # the compiled index: its layout too
        parts += list(lex.index.layout())
    spans, at = [], 0
    for part in parts:
        spans.append((at, len(part)))
        at = _aligned(at + len(part))
    meta = pickle.dumps((spans, lex.abbreviations, lex.municipalities, _NATIVE),
                        protocol=pickle.HIGHEST_PROTOCOL)
    tmp = path.with_suffix(f".tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as out:
            out.write(_MAGIC + len(meta).to_bytes(8, "little") + meta)
            out.write(bytes(_aligned(out.tell()) - out.tell()))
            start = out.tell()
            for (offset, _), part in zip(spans, parts, strict=True):
                out.write(bytes(start + offset - out.tell()))
                out.write(part)
        tmp.replace(path)
    except OSError as exc:  # no cache is slower, not wrong
        log.debug("cannot write the lexicon cache %s: %s", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)  # a disk full: nothing half-written is left
        return
    _prune(path)


KEEP_CACHES: Final = 3  # lexicon caches kept: one per version in use (each about 24 MB)


def _used(path: Path) -> None:
    """Mark a cache as used now (its modification time), so that pruning keeps it."""
    with contextlib.suppress(OSError):  # a folder read-only to this user: kept as it is
        os.utime(path)


def _prune(made: Path, patterns: tuple[str, ...] = ("lexicon-*.bin", "lexicon-*.pickle"),
           ) -> None:
    """Delete the caches of a kind (the lexicon's, by default) beyond the KEEP_CACHES used
    last: each version of the data (an upgrade, a changed list) makes its own, and the
    old ones are never read again."""
    others = sorted((p for pattern in patterns
                     for p in made.parent.glob(pattern) if p != made),
                    key=_last_used, reverse=True)
    for old in others[KEEP_CACHES - 1:]:
        try:
            old.unlink()
        except OSError as exc:
            log.debug("cannot delete the old cache %s: %s", old, exc)


def _last_used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # deleted meanwhile by another process's pruning
        return 0.0


def curated_names(name: str, folder: Path = DICTIONARIES) -> list[str]:
    """The entries of one curated list, as written (multiword names whole)."""
    return _lines(folder / name)


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [s for s in path.read_text(encoding="utf-8").splitlines()
            if s and not s.startswith("#")]
