"""The restore stage: Swedish diacritics put back and OCR errors corrected.

Every change is a `Correction` on the document (the raw text stays as it was read);
changes scored below the threshold are kept as suggestions, not applied.

    words ─► tokens (protected ones left alone) ─► candidates (lexicon × channel)
          ─► the document's channel (EM, then re-estimated) ─► context ─► corrections
"""

from __future__ import annotations

import importlib.machinery
import time
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__, profile
from pipeline.exceptions import MissingDependencyError
from pipeline.model import Document, Page, ProcessingStep
from pipeline.options import RestoreOptions


def _check_compiled(here: Path) -> None:
    """In a working copy (a git checkout): the stage's modules compiled at installation
    (setup.py) stand in for their sources, so one edited since would run as it was
    compiled. Said at once instead."""
    if not (here.parents[1] / ".git").exists():
        return  # installed: sources and compiled modules come together
    for source in sorted(here.glob("*.py")):
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            built = source.with_name(source.stem + suffix)
            if built.is_file() and built.stat().st_mtime < source.stat().st_mtime:
                raise MissingDependencyError(
                    f"{source.name} changed after it was compiled", path=source,
                    fix="Run `make install` to compile it again.")


_check_compiled(Path(__file__).parent)

from pipeline.restore import (  # noqa: E402  (after the check: these may be compiled)
    calibration,
    channel,
    choose,
    collection,
    decide,
    joins,
    learned,
    lexicon,
    shape,
    symbols,
    vocabulary,
    words,
)
from pipeline.restore.choose import Found  # noqa: E402
from pipeline.restore.decide import Hypothesis  # noqa: E402
from pipeline.restore.words import readings  # noqa: E402

__all__ = ["Found", "Hypothesis", "hypotheses", "readings", "restore"]


def hypotheses(pages: list[Page], found: Found | None = None) -> Found:
    """`words.hypotheses`: the readings of the pages' words (a batch makes them page by
    page), with the garbage collector paused (`collection`)."""
    with collection.paused():
        return words.hypotheses(pages, found)


def restore(doc: Document, options: RestoreOptions, *, found: Found | None = None) -> Document:
    """Correct the document; `found` may hold readings already made by `hypotheses`.
    The garbage collector is paused meanwhile (`collection`)."""
    with collection.paused():
        return _restore(doc, options, found)


def _restore(doc: Document, options: RestoreOptions, found: Found | None) -> Document:
    started, clock = datetime.now(UTC).isoformat(timespec="seconds"), time.perf_counter()
    with profile.step("restore/load"):  # (all of the stage's data: read once per process)
        lex, table = lexicon.load(), channel.load()
        shape.load()
        calibration.load()
    with profile.step("restore/tokens"):
        occurrences = list(choose.occurrences(doc.pages))
    profile.count("restore/words", len(occurrences))
    found = words.find_at(occurrences, words.own(found or {}))
    with profile.step("restore/fitting"):
        occurs = words.counted(occurrences, found)
        groups = [(found[s], n) for s, n in occurs.items()]
        english = decide.fit_mixture(groups)
        doc_channel = decide.DocumentChannel(table, english, groups, lex)
        found = words.short_as_read_here(found, doc_channel)
    with profile.step("restore/decisions"):
        decisions = choose.Decisions(found, doc_channel, occurs, options)
        vocabulary.look_again(decisions, list(occurs), doc_channel.best, lex)
        fixed = symbols.corrections(doc, english, options.threshold, lex, decisions.resolve)
        fixed += joins.corrections(doc, lex, table,
                                   done={(c.page, c.line, c.word) for c in fixed},
                                   threshold=options.threshold, english=english)
        done = {(c.page, c.line, c.word + k) for c in fixed for k in range(c.words)}
        fixed += decisions.corrections(occurrences, done)
        fixed += symbols.commas(doc, {(c.page, c.line, c.word + k) for c in fixed
                                      for k in range(c.words)}, options.threshold)
        doc.corrections = sorted(fixed, key=lambda c: (c.page, c.line, c.word))
    data = {**lex.checksums, channel.CONFUSIONS: table.checksum, **shape.checksums(),
            calibration.CALIBRATION: calibration.load().checksum}
    if options.learned:  # the archivists' earlier calls, after the machine's
        with profile.step("restore/learned"):
            lesson = learned.load(Path(options.learned))  # read once per process
            learned.apply(doc, lesson.entries)
        data[Path(options.learned).name] = lesson.checksum
    doc.steps.append(ProcessingStep(
        stage="restore", tool="protokoll", version=__version__,
        settings={"threshold": options.threshold, "english_share": round(english, 4),
                  "calibrated": options.calibrated},
        data=data, started=started, seconds=round(time.perf_counter() - clock, 3)))
    return doc
