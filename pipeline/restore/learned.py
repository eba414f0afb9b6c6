"""The learned lexicon: archivists' review decisions that later runs follow by themselves.

A plain UTF-8 file, one decision per line, tab-separated:

    raw form <TAB> decision <TAB> replacement <TAB> who <TAB> when (ISO 8601, UTC)

`reject`: the raw form is kept as read; `edit`: it becomes the replacement; `accept`:
the machine decides again (an earlier reject or edit is withdrawn). Lines starting with
`#` are comments. For a raw form the line with the latest time wins (on equal times the
later line), so files of several archivists merge by concatenation (`cat a b > c`) and
the order of the lines does not matter. The raw form is the word without the punctuation
around it when the decision kept that punctuation ("Boras," is learned as "Boras").
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from pipeline.exceptions import OutputError, UsageError
from pipeline.model import Correction, Document
from pipeline.restore import collection, tokens

log = logging.getLogger(__name__)

LearnedDecision = Literal["reject", "edit", "accept"]
HEADER = "# protokoll learned lexicon: raw\tdecision\treplacement\twho\twhen\n"
_FOLD = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")
_DECISIONS = frozenset(("reject", "edit", "accept"))


class Entry(NamedTuple):  # a tuple: a file of a million lines is read in seconds
    raw: str
    decision: LearnedDecision
    replacement: str  # the archivist's form for an edit; empty otherwise
    who: str
    when: str


def entry_for(before: str, action: str, text: str | None, *, who: str, when: str) -> Entry:
    """The learned form of a review decision on the word `before`."""
    token = tokens.split(before)
    core = token.core if token.core else before
    if action == "edit":
        text = text or ""
        if (token.core and text.startswith(token.lead) and text.endswith(token.trail)
                and len(text) >= len(token.lead) + len(token.trail)):
            return Entry(core, "edit", text[len(token.lead):len(text) - len(token.trail)],
                         who, when)
        return Entry(before, "edit", text, who, when)
    return Entry(core, "reject" if action == "reject" else "accept", "", who, when)


@dataclass(frozen=True)
class Learned:
    entries: dict[str, Entry]  # the decision in force for each raw form
    checksum: str  # sha256 of the file as read


def load(path: Path) -> Learned:
    """The lexicon at `path`, read and checked once for as long as the file stays as it is
    (a run reads it up front, and each worker process once, not once per document)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    return _load(str(path.absolute()), info.st_dev, info.st_ino, info.st_size,
                 info.st_mtime_ns)


def check(path: Path) -> None:
    """Raise UsageError, naming the line, unless the whole file can be read: for a run to
    say so before any document (cheaper than `load`, and nothing is kept)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    for _ in _lines(_decode(data, path), path):
        pass


def read(path: Path) -> dict[str, Entry]:
    """The decision in force for each raw form."""
    return load(path).entries


@functools.lru_cache(maxsize=2)
def _load(path: str, device: int, inode: int, size: int, mtime: int) -> Learned:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _unreadable(Path(path), exc) from exc
    with collection.paused():  # a million small tuples, no cycles among them
        entries = _entries(_decode(data, Path(path)), Path(path))
    return Learned(entries, hashlib.sha256(data).hexdigest())


def _decode(data: bytes, path: Path) -> str:
    """UTF-8; a byte-order mark at the start (as some editors write one) is dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UsageError(f"line {line} of the learned lexicon is not UTF-8 text", path=path,
                         fix="Save the file as UTF-8 (or correct that line).") from exc


def _entries(text: str, path: Path) -> dict[str, Entry]:
    found: dict[str, tuple[str, int, list[str]]] = {}
    for number, parts in _lines(text, path):
        known = found.get(parts[0])  # the latest time wins, on equal times the later line
        if known is None or (parts[4], number) >= known[:2]:
            found[parts[0]] = (parts[4], number, parts)
    return {raw: Entry(*parts) for raw, (_, _, parts) in found.items()}


def _lines(text: str, path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, its five fields) for each entry; a malformed line raises UsageError."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("#"):
            continue
        parts = line.removesuffix("\r").split("\t")
        if len(parts) != 5 or parts[1] not in _DECISIONS or not parts[0]:
            if not line.strip():
                continue
            raise UsageError(f"line {number} of the learned lexicon is not "
                             "raw<TAB>reject|edit|accept<TAB>replacement<TAB>who<TAB>when",
                             path=path, fix="Correct or remove that line.")
        yield number, parts


def _unreadable(path: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot read the learned lexicon ({exc.strerror or exc})", path=path,
                      fix="Check the --learned path.")


def record(path: Path, entry: Entry) -> None:
    """Append one decision (a single write under a file lock: safe beside other writers)."""
    for field in (entry.raw, entry.replacement, entry.who, entry.when):
        if "\t" in field or "\n" in field:
            raise UsageError("a learned form cannot contain tabs or line breaks", path=path,
                             fix="Edit the word without them.")
    line = "\t".join((entry.raw, entry.decision, entry.replacement, entry.who, entry.when))
    try:
        with path.open("a", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            if f.tell() == 0:
                f.write(HEADER)
            f.write(line + "\n")
    except OSError as exc:
        raise OutputError(f"cannot write the learned lexicon ({exc.strerror or exc})",
                          path=path, fix="Check the --learned path and its permissions.") from exc


def checksum(path: Path) -> str:
    return load(path).checksum


def lookup(entries: dict[str, Entry], word: str) -> tuple[Entry, str] | None:
    """The learned decision for a word as read, and the word it then becomes."""
    if word in entries:
        entry = entries[word]
        return entry, entry.replacement if entry.decision == "edit" else word
    token = tokens.split(word)
    entry = entries.get(token.core) if token.core else None
    if entry is None:
        return None
    core = entry.replacement if entry.decision == "edit" else token.core
    return entry, token.lead + core + token.trail


def apply(doc: Document, entries: dict[str, Entry]) -> int:
    """Make the archivists' calls on `doc` (after the machine's): a rejected word is kept
    (its correction stays on record, not applied), an edited one gets the archivist's form.
    Returns how many corrections came from the learned lexicon."""
    by_key = {(c.page, c.line, c.word): c for c in doc.corrections}
    inside = {(c.page, c.line, c.word + k) for c in doc.corrections for k in range(1, c.words)}
    count = 0
    for page in doc.pages:
        for li, line in enumerate(page.lines):
            for wi, word in enumerate(line.words):
                found = lookup(entries, word.text)
                if (found is None or found[0].decision == "accept"
                        or (page.number, li, wi) in inside):  # part of a joined correction
                    continue
                correction = by_key.get((page.number, li, wi))
                if _follow(doc, correction, (page.number, li, wi), word.text, *found):
                    count += 1
    doc.corrections.sort(key=lambda c: (c.page, c.line, c.word))
    return count


def _follow(doc: Document, correction: Correction | None, where: tuple[int, int, int],
            raw: str, entry: Entry, after: str) -> bool:
    if correction is not None:
        correction.origin = "review"
        if entry.decision == "edit":
            correction.after, correction.applied = after, True
        else:
            correction.applied = False
        return True
    if entry.decision == "reject" or after == raw:
        return False  # the machine left the word alone this time: nothing to undo
    page, line, word = where
    kind = ("split" if " " in after
            else "diacritic" if raw.translate(_FOLD).lower() == after.translate(_FOLD).lower()
            else "ocr-confusion")
    doc.corrections.append(Correction(page=page, line=line, word=word, before=raw, after=after,
                                      kind=kind, score=1.0, origin="review"))
    return True
