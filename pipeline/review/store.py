"""Review decisions in SQLite (OUT/review.sqlite): who decided what about which correction, when.

One row per decision, never updated: the latest row for a correction is the one in force,
so two browser tabs deciding at once both land (SQLite serialises the writes) and the
history stays. A decision names the correction by its place (document, page, line, word)
and the raw word it was about, so a decision never lands on another word after a rerun.
"""

from __future__ import annotations

import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pipeline.exceptions import OutputError, UsageError

FILE_NAME = "review.sqlite"
MAX_TEXT = 200  # characters of an edit: a word or a few, never a page
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
Action = Literal["accept", "reject", "edit"]
ACTIONS: tuple[Action, ...] = ("accept", "reject", "edit")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document TEXT NOT NULL,
    page INTEGER NOT NULL,
    line INTEGER NOT NULL,
    word INTEGER NOT NULL,
    before TEXT NOT NULL,
    proposed TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'edit')),
    text TEXT,
    who TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_document ON decisions (document, page, line, word);
"""
_opening = threading.Lock()


@dataclass(frozen=True)
class Decision:
    document: str  # the output folder's name
    page: int
    line: int
    word: int
    before: str  # the raw word(s) the correction was about
    proposed: str  # what the machine proposed (kept: an export rewrites document.json)
    action: Action
    text: str | None  # the archivist's text for an edit
    who: str
    at: str = ""  # ISO 8601, UTC; filled in when stored

    @property
    def key(self) -> tuple[int, int, int]:
        return self.page, self.line, self.word

    @property
    def result(self) -> str:
        """The text the word reads after this decision."""
        if self.action == "edit":
            return self.text or ""
        return self.proposed if self.action == "accept" else self.before


def store_path(out: Path) -> Path:
    return out / FILE_NAME


def validate(decision: Decision) -> None:
    """Raise UsageError for a decision that must not be stored: whatever is stored is put
    into text.txt, the XML files and the learned lexicon (one line per decision)."""
    if decision.action not in ACTIONS:
        raise UsageError(f"unknown review action {decision.action!r}",
                         fix="Use accept, reject or edit.")
    if decision.action == "edit":
        if not isinstance(decision.text, str):
            raise UsageError("an edit needs the new text", fix="Send the text with the edit.")
        check_text(decision.text, what="an edit", fix="Type the word as printed, without tabs, "
                   "line breaks or other control characters.")
    if not isinstance(decision.who, str) or not decision.who.strip():
        raise UsageError("a decision needs the reviewer's name", fix="Pass --who NAME.")
    check_text(decision.who, what="the reviewer's name", fix="Pass --who NAME.")


def check_text(text: str, *, what: str, fix: str) -> None:
    """At most MAX_TEXT characters, none of them a control, format or line separator
    character (a tab, a newline, a NUL, a bidirectional override)."""
    if len(text) > MAX_TEXT:
        raise UsageError(f"{what} may be at most {MAX_TEXT} characters long (this one has "
                         f"{len(text)})", fix=fix)
    bad = next((c for c in text if unicodedata.category(c) in _UNPRINTABLE), None)
    if bad is not None:
        raise UsageError(f"{what} cannot contain the control character "
                         f"U+{ord(bad):04X} ({unicodedata.name(bad, 'unnamed')})", fix=fix)


class Store:
    """The decisions of one output folder. Open one per thread (or request)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
            with _opening:  # switching a new file to WAL is not retried by SQLite when busy
                if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self._db.execute("PRAGMA journal_mode=WAL")
                self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise OutputError(f"cannot open the review decisions ({exc})", path=path,
                              fix="Check permissions of the output folder.") from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction that holds the write lock from its start."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def add(self, decisions: Iterable[Decision]) -> list[Decision]:
        """Store decisions (one transaction); returns them with their time."""
        at = _now()
        stored = [_with_time(d, at) for d in decisions]
        for d in stored:
            validate(d)
        with self._write() as db:
            db.executemany(
                "INSERT INTO decisions (document, page, line, word, before, proposed, action,"
                " text, who, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_row(d) for d in stored])
        return stored

    def add_undecided(self, document: str, decisions: Iterable[Decision]) -> list[Decision]:
        """Store those of `decisions` whose correction has no decision yet, in one
        transaction, so a decision another tab made meanwhile is never overwritten."""
        at = _now()
        with self._write() as db:
            done = {(p, li, w) for p, li, w in db.execute(
                "SELECT DISTINCT page, line, word FROM decisions WHERE document = ?",
                (document,))}
            stored = [_with_time(d, at) for d in decisions if d.key not in done]
            for d in stored:
                validate(d)
            db.executemany(
                "INSERT INTO decisions (document, page, line, word, before, proposed, action,"
                " text, who, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_row(d) for d in stored])
        return stored

    def current(self, document: str) -> dict[tuple[int, int, int], Decision]:
        """The decision in force for each decided correction of a document."""
        return self.snapshot(document)[1]

    def snapshot(self, document: str) -> tuple[int, dict[tuple[int, int, int], Decision]]:
        """The decisions in force and the id of the latest (a version to order answers by)."""
        rows = self._db.execute(
            "SELECT id, document, page, line, word, before, proposed, action, text, who, at"
            " FROM decisions WHERE document = ? ORDER BY id", (document,)).fetchall()
        return (rows[-1][0] if rows else 0), {(d := Decision(*row[1:])).key: d for row in rows}

    def history(self, document: str) -> list[Decision]:
        rows = self._db.execute(
            "SELECT document, page, line, word, before, proposed, action, text, who, at"
            " FROM decisions WHERE document = ? ORDER BY id", (document,))
        return [Decision(*row) for row in rows]


def current_decisions(out: Path, document: str) -> dict[tuple[int, int, int], Decision]:
    """The decisions in force for a document of output folder `out`; none when nothing has
    been reviewed there (the store is not created by reading)."""
    path = store_path(out)
    if not path.is_file():
        return {}
    with Store(path) as store:
        return store.current(document)


def _with_time(d: Decision, at: str) -> Decision:
    return Decision(d.document, d.page, d.line, d.word, d.before, d.proposed, d.action,
                    d.text if d.action == "edit" else None, d.who, at)


def _row(d: Decision) -> tuple:
    return (d.document, d.page, d.line, d.word, d.before, d.proposed, d.action, d.text,
            d.who, d.at)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
