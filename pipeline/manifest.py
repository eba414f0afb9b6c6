"""The batch manifest (OUT/manifest.sqlite): one row per input file, what became of it.

A rerun skips a file that is done with the same content (sha256) and the same settings
(fingerprint) and whose output folder is still there; everything else is processed again.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    path TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('done', 'failed')),
    error TEXT,
    started TEXT,
    seconds REAL,
    outputs TEXT
)
"""


@dataclass
class Entry:
    path: str
    name: str
    sha256: str | None
    fingerprint: str
    state: str
    error: str | None = None
    started: str | None = None
    seconds: float | None = None
    outputs: list[str] | None = None


class Manifest:
    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self._db.close()

    def get(self, path: str) -> Entry | None:
        row = self._db.execute(
            "SELECT path, name, sha256, fingerprint, state, error, started, seconds, outputs "
            "FROM documents WHERE path = ?", (path,)).fetchone()
        if row is None:
            return None
        entry = Entry(*row)
        entry.outputs = json.loads(row[8]) if row[8] else None
        return entry

    def record(self, entry: Entry) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.path, entry.name, entry.sha256, entry.fingerprint, entry.state, entry.error,
             entry.started, entry.seconds,
             json.dumps(entry.outputs) if entry.outputs is not None else None))
        self._db.commit()

    def entries(self) -> list[Entry]:
        return [e for (p,) in self._db.execute("SELECT path FROM documents ORDER BY path")
                if (e := self.get(p)) is not None]
