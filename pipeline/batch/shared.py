"""Readings shared between the local workers of a run.

Each worker makes a word's readings (the candidate search and its hypotheses, most of
restoration's work) the first time it meets the word, and keeps them for the run. Without
sharing, every worker makes the readings of every word it meets, so an archive's
vocabulary is searched once per worker: with two workers, about half again as many
searches as the archive has words. Here a worker appends the readings it makes to a file
of its own in a folder of the run (`processes.start` makes the folder, `stop` removes it),
and before it searches a document's words it reads what the other workers have appended
since it last looked, taking their readings instead of making them again. A word's
readings depend on nothing but the word, the lexicon and the confusion table (the files
are named by those data's checksums), so a reading taken is the one the worker would have
made: corrections are the same either way.

A record is the word and its readings pickled, behind their lengths. A worker writes a
document's records in one piece; a record another worker has only half written is read
the next time. It is a cache: a file that cannot be read or written is passed over, and
the worker makes the readings itself.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import struct
from pathlib import Path

from pipeline.batch.processes import SHARED_READINGS
from pipeline.restore import candidates

log = logging.getLogger(__name__)

_HEAD = struct.Struct("<II")  # the word's length and its readings' length, in bytes
MAX_WAITING = 50_000  # readings read from others and not yet taken; then the older half go
# A worker's file grows no larger than this (about 180,000 words' readings): an archive's
# common words come early, and the words met after are mostly met once, so a long run
# keeps its temporary folder small at little loss
MAX_BYTES = 64 << 20


class SharedReadings:
    """The run's readings as one worker sees them: its own file, and the others'."""

    def __init__(self, folder: Path, name: str = "") -> None:
        self.folder = folder
        self.name = name or str(os.getpid())  # of this worker's file
        self._tag = ""  # the lexicon's and the table's checksums, in short: `tag`
        self._read: dict[Path, int] = {}  # another worker's file -> bytes read of it
        self._written = 0  # bytes of this worker's file
        self._waiting: dict[str, bytes] = {}  # word -> its readings, pickled

    @property
    def tag(self) -> str:
        if not self._tag:
            from pipeline.restore import channel, lexicon

            data = repr((sorted(lexicon.load().checksums.items()), channel.load().checksum))
            self._tag = hashlib.sha256(data.encode()).hexdigest()[:16]
        return self._tag

    @property
    def mine(self) -> Path:
        return self.folder / f"{self.tag}-{self.name}.readings"

    def take(self, words: list[str]) -> list[tuple[str, object]]:
        """The readings of these words that other workers have made."""
        self._refresh()
        out = []
        for word in words:
            data = self._waiting.pop(word, None)
            if data is not None:
                try:
                    out.append((word, pickle.loads(data)))
                except (pickle.UnpicklingError, EOFError, ValueError, TypeError,
                        AttributeError, ImportError) as exc:  # made here, then
                    log.debug("readings of %r in %s unreadable: %s", word, self.folder, exc)
        return out

    def give(self, made: list[tuple[str, object]]) -> None:
        """Append the readings this worker made, for the others."""
        if self._written >= MAX_BYTES:
            return
        parts = []
        for word, readings in made:
            key, value = word.encode(), pickle.dumps(readings, protocol=pickle.HIGHEST_PROTOCOL)
            parts += (_HEAD.pack(len(key), len(value)), key, value)
        data = b"".join(parts)
        self._written += len(data)
        try:
            with self.mine.open("ab") as file:  # one write: the others read whole records
                file.write(data)
        except OSError as exc:  # the others make them themselves; nothing is appended
            # after a record that may be written in part
            self._written = MAX_BYTES
            log.debug("cannot share readings in %s: %s", self.mine, exc)

    def _refresh(self) -> None:
        try:
            others = [p for p in self.folder.glob(f"{self.tag}-*.readings") if p != self.mine]
        except OSError:
            return
        for path in others:
            start = self._read.get(path, 0)
            try:
                with path.open("rb") as file:
                    file.seek(start)
                    data = file.read()
            except OSError:
                continue
            self._read[path] = start + self._index(data)
        if len(self._waiting) > MAX_WAITING:
            candidates.forget_older_half(self._waiting)

    def _index(self, data: bytes) -> int:
        """Index the whole records of `data`; returns the bytes they take."""
        pos, size = 0, len(data)
        while pos + _HEAD.size <= size:
            key, value = _HEAD.unpack_from(data, pos)
            start = pos + _HEAD.size
            end = start + key + value
            if end > size:
                break  # written in part: read the next time
            word = data[start:start + key].decode(errors="replace")
            self._waiting.setdefault(word, data[start + key:end])
            pos = end
        return pos


def from_environment() -> SharedReadings | None:
    """The run's shared readings, where the process is one of a run's local workers."""
    folder = os.environ.get(SHARED_READINGS)
    return SharedReadings(Path(folder)) if folder else None
