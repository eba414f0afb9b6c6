"""The inputs of a batch run: files named and found in folders, and their output names.

A folder is walked without following links to folders; hidden files are skipped, and so is
the output folder when it lies inside. Whatever a folder holds is an input if its suffix is
one protokoll reads, a FIFO or a link in a loop as well: opening it says what is wrong, and
the run records that. Output names come from the file's stem, cut to fit the file system,
and are kept from run to run.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.exceptions import UnreadableSourceError, UsageError, printable
from pipeline.ocr import files
from pipeline.ocr.sources import SUFFIXES

log = logging.getLogger(__name__)

NAME_BYTES = 200  # an output name at most, in UTF-8: file systems allow 255 for a name,
# and the hidden folder it is written in first and a package's carry marks beside it


@dataclass
class Input:
    path: Path
    name: str  # output folder name, unique within the output folder and kept across runs
    explicit: bool  # named on the command line rather than found in a folder
    sha256: str | None = None  # of the file as found when the run began
    copies: list[Input] = field(default_factory=list)  # other inputs with the same content

    @property
    def key(self) -> str:
        return path_key(self.path)


def path_key(path: Path) -> str:
    """The path as text that can always be stored (a name in a legacy encoding included)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def collect(paths: list[Path], *, out: Path, names: dict[str, str] | None = None
            ) -> tuple[list[Input], list[Path]]:
    """The input files (folders walked recursively, hidden files skipped) and ignored ones.

    `names` are the output names the manifest has for paths: a path keeps its name, and no
    new path gets a name already taken, so outputs stay put as an archive grows."""
    if not paths:
        raise UsageError("no input given", fix="Name files or folders to process.")
    found: list[tuple[Path, bool]] = []
    ignored: list[Path] = []
    out = _resolved(out)
    for path in paths:
        if not _is_dir(path):
            found.append((path, True))
            continue
        for file in _walk(path):
            where = _resolved(file)
            if out == where or out in where.parents:
                continue
            if file.suffix.lower() in SUFFIXES:
                found.append((file, False))
            else:
                ignored.append(file)
    unique: dict[Path, bool] = {}  # a file named twice counts once
    for path, explicit in found:
        unique[path] = unique.get(path, False) or explicit
    # A name recorded by a run that could not write it (too long) is given up.
    known = {k: n for k, n in (names or {}).items()
             if len(n.encode()) <= NAME_BYTES or _is_dir(out / n)}
    fresh = output_names([p for p in unique if path_key(p) not in known],
                         taken=set(known.values()))
    return [Input(p, known.get(path_key(p)) or fresh[p], explicit)
            for p, explicit in unique.items()], ignored


def _walk(folder: Path) -> Iterator[Path]:
    def unreadable(exc: OSError) -> None:
        log.warning("%s: cannot be read (%s); the files in it are left out",
                    printable(str(exc.filename)), exc.strerror or exc)

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(root) / name


def _resolved(path: Path) -> Path:
    """The path with links resolved; as it stands for a link that leads round in a loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long, …: opening it says why
        return False


def output_names(paths: list[Path], *, taken: set[str] = frozenset()) -> dict[Path, str]:
    """The file stem; on a clash the suffix is added, then a short hash of the path."""
    stems = {p: _stem(p) for p in paths}
    counts = Counter(stems.values())
    names = {p: stems[p] if counts[stems[p]] == 1
             else _cut(f"{stems[p]}-{p.suffix.lstrip('.').lower()}") for p in paths}
    clashes = Counter(names.values())
    for p in paths:
        if clashes[names[p]] > 1 or names[p] in taken:
            digest = hashlib.sha1(path_key(_resolved(p)).encode()).hexdigest()[:8]
            names[p] = f"{names[p]}-{digest}"
    return names


def _stem(path: Path) -> str:
    """The file's stem as a folder name: control characters (a newline) as `_`, no leading
    dot (a hidden folder), and short enough for the file system with a hash added."""
    stem = "".join(c if c.isprintable() else "_" for c in Path(path_key(path)).stem)
    return _cut(stem.lstrip(".") or "dokument")


def _cut(name: str) -> str:
    """At most NAME_BYTES bytes less room for `-` and a hash, cut between characters."""
    return name.encode()[:NAME_BYTES - 9].decode("utf-8", "ignore")


def file_sha256(path: Path) -> str | None:
    """None for a file that cannot be read or is no regular file: opening it says why."""
    try:
        return files.sha256(path)
    except UnreadableSourceError:
        return None
