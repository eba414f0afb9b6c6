"""Review decisions applied to a document: each becomes a correction with origin `review`.

accept: the machine's proposal is applied; reject: it stays in the record, not applied;
edit: the archivist's text is applied. A decision whose raw word no longer matches the
document (the source changed and was run again) is left out and logged.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.model import Correction, Document
from pipeline.review.store import Decision, current_decisions
from pipeline.segment import segment

log = logging.getLogger(__name__)


def apply_decisions(doc: Document, decisions: dict[tuple[int, int, int], Decision]) -> int:
    """Put the decisions into `doc.corrections`; returns how many applied."""
    by_key = {(c.page, c.line, c.word): c for c in doc.corrections}
    count = 0
    for key, decision in decisions.items():
        correction = by_key.get(key)
        if correction is None or correction.before != decision.before:
            log.warning("%s: review decision on %r at page %d, line %d no longer matches the "
                        "document; left out", doc.id, decision.before, key[0], key[1] + 1)
            continue
        _decide(correction, decision)
        count += 1
    return count


def _decide(correction: Correction, decision: Decision) -> None:
    correction.origin = "review"
    if decision.action == "edit":
        correction.after = decision.text or ""
        correction.applied = True
    else:
        correction.after = decision.proposed  # the proposal, also when it was rejected
        correction.applied = decision.action == "accept"


def apply_review(doc: Document, folder: Path) -> Document:
    """The decisions stored for the document in `folder` (OUT/<name>/) applied, and the
    document segmented again, so its structure (protokoll.xml) reads the decided text."""
    decisions = current_decisions(folder.parent, folder.name)
    if decisions and apply_decisions(doc, decisions):
        doc = segment(doc)
    return doc


def load_document(folder: Path) -> Document:
    """A document as last written to its output folder, with the archivists' review
    decisions (OUT/review.sqlite) applied as corrections of origin `review`."""
    return apply_review(Document.load(folder / "document.json"), folder)
