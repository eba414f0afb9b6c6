"""Review decisions applied to a document: each becomes a correction with origin `review`.

accept: the machine's proposal is applied; reject: it stays in the record, not applied;
edit: the archivist's text is applied. A decision whose raw word no longer matches the
document (the source changed and was run again) is left out and logged. The decisions
also make the document's review sessions, which packages record as provenance.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from pipeline.exceptions import UsageError
from pipeline.export.premis import ReviewSession
from pipeline.model import Correction, Document
from pipeline.review.store import Decision, Store, current_decisions, store_path, validate
from pipeline.segment import segment

log = logging.getLogger(__name__)
SESSION_PAUSE = timedelta(minutes=30)  # a longer pause between decisions starts a session


def apply_decisions(doc: Document, decisions: dict[tuple[int, int, int], Decision]) -> int:
    """Put the decisions into `doc.corrections`; returns how many applied."""
    by_key = {(c.page, c.line, c.word): c for c in doc.corrections}
    count = 0
    for key, decision in decisions.items():
        if not _valid(decision, doc.id):  # stored before edits were checked: never exported
            continue
        correction = by_key.get(key)
        if correction is None or correction.before != decision.before:
            log.warning("%s: review decision on %r at page %d, line %d no longer matches the "
                        "document; left out", doc.id, decision.before, key[0], key[1] + 1)
            continue
        _decide(correction, decision)
        count += 1
    return count


def _valid(decision: Decision, doc_id: str | None = None) -> bool:
    try:
        validate(decision)
    except UsageError as exc:
        if doc_id is not None:
            log.warning("%s: review decision at page %d, line %d left out: %s", doc_id,
                        decision.page, decision.line + 1, exc.message)
        return False
    return True


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


def review_sessions(folder: Path, *, pause: timedelta = SESSION_PAUSE) -> list[ReviewSession]:
    """The review sessions on the document in `folder` (OUT/<name>/), for its provenance:
    each archivist's decisions, split where they paused longer than `pause`, in time
    order. Every decision counts, also those later changed."""
    path = store_path(folder.parent)
    if not path.is_file():
        return []
    with Store(path) as store:
        history = [d for d in store.history(folder.name) if _valid(d)]
    out = []
    for who in sorted({d.who for d in history}):
        run: list[Decision] = []
        for decision in sorted((d for d in history if d.who == who), key=lambda d: d.at):
            if run and _time(decision.at) - _time(run[-1].at) > pause:
                out.append(_session(run))
                run = []
            run.append(decision)
        if run:
            out.append(_session(run))
    return sorted(out, key=lambda s: (s.started, s.who))


def _session(decisions: list[Decision]) -> ReviewSession:
    actions = Counter(d.action for d in decisions)
    return ReviewSession(decisions[0].who, decisions[0].at, decisions[-1].at,
                         accepted=actions["accept"], rejected=actions["reject"],
                         edited=actions["edit"])


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)
