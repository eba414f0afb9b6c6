"""The batch manifest (OUT/manifest.sqlite): one row per input file, what became of it.

A document is `pending` when planned, `running` while its pages are being read, then
`done` or `failed`. Its output folder is renamed into place before the row says `done`,
so a run killed at any moment leaves rows that are `done` with their output complete, and
rows still `pending` or `running` that the next run processes again. Every change is one
SQLite transaction (WAL journal), so the file stays consistent through SIGKILL.

A rerun skips a row that is done with the same content (sha256) and the same fingerprint
(settings and data versions) and whose output folder is still there.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.exceptions import OutputError

STATES = ("pending", "running", "done", "failed")
_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    path TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
    error TEXT,
    started TEXT,
    seconds REAL,
    outputs TEXT,
    pages INTEGER,
    timings TEXT,
    warnings TEXT,
    duplicate_of TEXT,
    run INTEGER
);
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents (sha256);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    seconds REAL,
    state TEXT NOT NULL,
    documents INTEGER DEFAULT 0,
    pages INTEGER DEFAULT 0,
    jobs INTEGER,
    scheduler TEXT
);
"""
_COLUMNS = ("path, name, sha256, fingerprint, state, error, started, seconds, outputs, pages, "
            "timings, warnings, duplicate_of, run")


@dataclass
class Entry:
    path: str
    name: str
    sha256: str | None
    fingerprint: str
    state: str
    error: str | None = None
    started: str | None = None  # ISO 8601, UTC: when the document was taken up
    seconds: float | None = None  # wall time from being taken up to being recorded
    outputs: list[str] | None = None  # output folders (a duplicate names its original's)
    pages: int | None = None
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    warnings: list[str] = field(default_factory=list)  # page warnings (e.g. a timeout)
    duplicate_of: str | None = None  # the path of an input with the same content
    run: int | None = None

    @classmethod
    def _of_row(cls, row: tuple) -> Entry:
        values = list(row)
        values[8] = json.loads(values[8]) if values[8] else None
        values[10] = json.loads(values[10]) if values[10] else {}
        values[11] = json.loads(values[11]) if values[11] else []
        return cls(*values)

    def _row(self) -> tuple:
        return tuple(_text(v) for v in (
            self.path, self.name, self.sha256, self.fingerprint, self.state, self.error,
            self.started, self.seconds,
            json.dumps(self.outputs) if self.outputs is not None else None, self.pages,
            json.dumps(self.timings) if self.timings else None,
            json.dumps(self.warnings, ensure_ascii=False) if self.warnings else None,
            self.duplicate_of, self.run))


def _text(value: object) -> object:
    """Text SQLite can store: a file name's undecodable bytes are written as escapes."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


class Manifest:
    """The manifest database. Only the process that coordinates a run opens it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._guard():
            self._db = sqlite3.connect(path, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # durable through a killed process
            self._migrate()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self._db.close()

    def _guard(self):
        return _guard(self.path)

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version >= _VERSION:
            return
        old = self._db.execute(
            "SELECT name FROM sqlite_master WHERE name = 'documents'").fetchone()
        with self._db:
            if old:  # version 1: states done/failed only, no pages or timings
                self._db.execute("ALTER TABLE documents RENAME TO documents_v1")
            self._db.executescript(_SCHEMA)
            if old:
                self._db.execute(
                    "INSERT INTO documents (path, name, sha256, fingerprint, state, error, "
                    "started, seconds, outputs) SELECT path, name, sha256, fingerprint, state, "
                    "error, started, seconds, outputs FROM documents_v1")
                self._db.execute("DROP TABLE documents_v1")
            self._db.execute(f"PRAGMA user_version = {_VERSION}")

    # -- reading

    def get(self, path: str) -> Entry | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM documents WHERE path = ?",
                               (path,)).fetchone()
        return Entry._of_row(row) if row else None

    def entries(self, state: str | None = None) -> list[Entry]:
        query = f"SELECT {_COLUMNS} FROM documents"
        rows = (self._db.execute(query + " WHERE state = ? ORDER BY path", (state,))
                if state else self._db.execute(query + " ORDER BY path"))
        return [Entry._of_row(row) for row in rows]

    def done_with(self, sha256: str, fingerprint: str) -> Entry | None:
        """A document done from the same content with the same settings, if any."""
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM documents WHERE sha256 = ? AND fingerprint = ? AND "
            "state = 'done' AND duplicate_of IS NULL ORDER BY path LIMIT 1",
            (sha256, fingerprint)).fetchone()
        return Entry._of_row(row) if row else None

    def names(self) -> dict[str, str]:
        """Output folder name of every path recorded: a path keeps its name across runs."""
        return dict(self._db.execute("SELECT path, name FROM documents"))

    def counts(self) -> dict[str, int]:
        found = dict(self._db.execute("SELECT state, count(*) FROM documents GROUP BY state"))
        return {state: found.get(state, 0) for state in STATES}

    def slowest(self, limit: int = 5) -> list[Entry]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM documents WHERE state = 'done' AND duplicate_of IS NULL "
            "AND seconds IS NOT NULL ORDER BY seconds DESC LIMIT ?", (limit,))
        return [Entry._of_row(row) for row in rows]

    def runs(self) -> list[dict]:
        cursor = self._db.execute("SELECT * FROM runs ORDER BY id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    # -- writing: each call is one transaction

    def plan(self, entries: Iterable[Entry]) -> None:
        """Record documents about to be processed as pending (keeping nothing of before)."""
        with self._guard(), self._db:
            self._db.executemany(
                f"INSERT OR REPLACE INTO documents ({_COLUMNS}) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [e._row() for e in entries])

    def record(self, entry: Entry) -> None:
        self.plan([entry])

    def set_state(self, paths: Iterable[str], state: str, *, started: str | None = None,
                  run: int | None = None) -> None:
        with self._guard(), self._db:
            self._db.executemany(
                "UPDATE documents SET state = ?, started = coalesce(?, started), "
                "run = coalesce(?, run) WHERE path = ?",
                [(state, started, run, p) for p in paths])

    def interrupted(self) -> int:
        """Rows a killed run left `running`, put back to `pending`; returns how many."""
        with self._guard(), self._db:
            return self._db.execute(
                "UPDATE documents SET state = 'pending' WHERE state = 'running'").rowcount

    def end_killed_runs(self) -> int:
        """Runs recorded as running when none is (a run holds the lock): killed ones."""
        with self._guard(), self._db:
            return self._db.execute(
                "UPDATE runs SET state = 'killed' WHERE state = 'running'").rowcount

    def begin_run(self, started: str, *, jobs: int, scheduler: str | None) -> int:
        with self._guard(), self._db:
            return self._db.execute(
                "INSERT INTO runs (started, state, jobs, scheduler) VALUES (?, 'running', ?, ?)",
                (started, jobs, scheduler)).lastrowid

    def end_run(self, run: int, *, state: str, seconds: float, documents: int,
                pages: int) -> None:
        with self._guard(), self._db:
            self._db.execute(
                "UPDATE runs SET state = ?, seconds = ?, documents = ?, pages = ? WHERE id = ?",
                (state, round(seconds, 3), documents, pages, run))


@contextmanager
def _guard(path: Path) -> Iterator[None]:
    """SQLite errors (a full disk, a locked or damaged file) become OutputError."""
    try:
        yield
    except sqlite3.Error as exc:
        raise OutputError(f"cannot write the manifest ({exc})", path=path,
                          fix="Check free space and permissions of the output folder, "
                              "then rerun the same command to continue.") from exc
