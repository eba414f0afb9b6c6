"""Every error the project raises: a base class with an exit code, families by cause.

Each error names the file it is about and says what to do, so the command line can
print it as one line: ``path: what went wrong. What to do.``
"""

from __future__ import annotations

from pathlib import Path


class ProtokollError(Exception):
    """Base class. `exit_code` is what the command exits with when this was the only input."""

    exit_code = 1

    def __init__(self, message: str, *, path: Path | str | None = None, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.fix = fix

    def __reduce__(self):  # keep path and fix when sent from a worker process
        return _rebuild, (type(self), self.message, self.path, self.fix)

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        fix = f" {self.fix}" if self.fix else ""
        return printable(f"{where}{self.message}.{fix}")


class UsageError(ProtokollError):
    """The command was called wrongly (bad option values, no inputs)."""

    exit_code = 2


class MissingDependencyError(ProtokollError):
    """A program or data file the pipeline needs is not installed."""

    exit_code = 3


class UnreadableSourceError(ProtokollError):
    """The input cannot be read: missing, no permission, empty, corrupt, encrypted."""

    exit_code = 4


class UnsupportedSourceError(UnreadableSourceError):
    """The input is of a kind the pipeline does not take."""

    exit_code = 5


class OcrError(ProtokollError):
    """Tesseract failed on a page (crash, timeout)."""

    exit_code = 6


class OcrTimeoutError(OcrError):
    """Tesseract took longer than the page timeout."""


class OutputError(ProtokollError):
    """An output file could not be written."""

    exit_code = 7


def printable(text: str) -> str:
    """The text on one line: a character that is not printable (a newline or tab in a file
    name, a NUL) is written as its escape, as Python writes it."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _rebuild(cls: type[ProtokollError], message: str, path: str | None,
             fix: str) -> ProtokollError:
    return cls(message, path=path, fix=fix)
