"""What the review shows of a document: its text with every correction marked, and the
corrections with their state, as the machine made them and as the archivists decided.

Shared by the web app and the static report, so both show the same thing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.model import Correction, Document, Page
from pipeline.review import images
from pipeline.review.store import Decision, current_decisions

_LOW_CONFIDENCE = 0.6  # OCR words below this count as doubtful in the quality estimate

STATUS_LABELS = {"applied": "ändrad av maskinen", "suggestion": "förslag",
                 "accepted": "godkänd", "rejected": "avvisad", "edited": "redigerad",
                 "learned": "inlärt beslut"}


@dataclass
class Item:
    """One correction or suggestion and its state."""

    key: str  # "page-line-word": stable across reloads and reruns of the same text
    page: int
    line: int
    word: int
    words: int
    before: str
    proposed: str  # what the machine proposed
    kind: str
    score: float
    origin: str
    machine_applied: bool
    status: str  # applied, suggestion, accepted, rejected, edited, learned
    shown: str  # the text the word reads now
    action: str | None = None
    text: str | None = None
    who: str = ""
    at: str = ""
    has_image: bool = False

    @property
    def open(self) -> bool:
        """Not decided yet, by an archivist now or by the learned lexicon."""
        return self.action is None and self.status != "learned"

    def to_json(self) -> dict:
        return {**dataclasses.asdict(self), "open": self.open,
                "label": STATUS_LABELS[self.status]}


@dataclass
class Segment:
    text: str
    item: str | None = None  # key of the item this text is, if any


@dataclass
class PageView:
    number: int
    lines: list[list[Segment]]
    image_note: str | None  # why there is no page image, if there is none


@dataclass
class DocumentView:
    name: str
    source: str
    items: list[Item]  # lowest score first: the doubtful ones are looked at first
    pages: list[PageView] = field(default_factory=list)
    words: int = 0
    doubtful: int = 0

    @property
    def quality(self) -> float:
        """Estimated share of words that are right: not corrected, suggested or unsure."""
        return 1.0 - self.doubtful / self.words if self.words else 1.0

    @property
    def by_key(self) -> dict[str, Item]:
        return {item.key: item for item in self.items}

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.items)

    @property
    def corrections(self) -> int:
        return sum(item.machine_applied for item in self.items)

    @property
    def open_suggestions(self) -> int:
        return sum(item.open and not item.machine_applied for item in self.items)

    @property
    def open_items(self) -> int:
        return sum(item.open for item in self.items)


def item_key(page: int, line: int, word: int) -> str:
    return f"{page}-{line}-{word}"


def build(doc: Document, name: str, decisions: dict[tuple[int, int, int], Decision],
          *, with_text: bool = True, near: Path | None = None) -> DocumentView:
    """The view of a document; `near` is its output folder (where its source is looked
    for when the path was recorded relative)."""
    notes = {p.number: images.missing_reason(doc, p, near=near, check=with_text)
             for p in doc.pages}
    items = [_item(c, decisions.get((c.page, c.line, c.word)), notes.get(c.page) is None)
             for c in doc.corrections]
    view = DocumentView(name=name, source=doc.source.path,
                        items=sorted(items, key=lambda i: (i.score, i.page, i.line, i.word)))
    view.words, view.doubtful = _doubt(doc)
    if with_text:
        by_key = {i.key: i for i in items}
        view.pages = [PageView(p.number, _lines(p, doc.corrections, by_key), notes[p.number])
                      for p in doc.pages]
    return view


def load(folder: Path, *, with_text: bool = True) -> DocumentView:
    """The view of OUT/<name>/: the machine's document and the decisions stored for it."""
    doc = Document.load(folder / "document.json")
    return build(doc, folder.name, current_decisions(folder.parent, folder.name),
                 with_text=with_text, near=folder)


def _item(c: Correction, decision: Decision | None, has_image: bool) -> Item:
    proposed = decision.proposed if decision else c.after
    item = Item(key=item_key(c.page, c.line, c.word), page=c.page, line=c.line, word=c.word,
                words=c.words, before=c.before, proposed=proposed, kind=c.kind, score=c.score,
                origin=c.origin, machine_applied=c.applied and c.origin != "review",
                status="applied" if c.applied else "suggestion",
                shown=c.after if c.applied else c.before, has_image=has_image)
    if c.origin == "review":  # decided by the learned lexicon when the document was run
        item.status = "learned"
    if decision is not None and decision.before == c.before:
        item.action, item.text, item.who, item.at = (decision.action, decision.text,
                                                     decision.who, decision.at)
        item.status = {"accept": "accepted", "reject": "rejected", "edit": "edited"}[
            decision.action]
        item.shown = decision.result
    return item


def _doubt(doc: Document) -> tuple[int, int]:
    """Words in all, and words the machine changed, suggested or read unsure."""
    touched = {(c.page, c.line, c.word + k) for c in doc.corrections for k in range(c.words)}
    words = doubtful = 0
    for page in doc.pages:
        for li, line in enumerate(page.lines):
            for wi, word in enumerate(line.words):
                words += 1
                unsure = word.confidence is not None and word.confidence < _LOW_CONFIDENCE
                doubtful += (page.number, li, wi) in touched or unsure
    return words, doubtful


def _lines(page: Page, corrections: list[Correction], items: dict[str, Item]
           ) -> list[list[Segment]]:
    by_line: dict[int, list[Correction]] = {}
    for c in corrections:
        if c.page == page.number:
            by_line.setdefault(c.line, []).append(c)
    out = []
    for index, line in enumerate(page.lines):
        segments, at = [], 0
        for c in sorted(by_line.get(index, []), key=lambda c: c.word):
            start, end = line.words[c.word].start, line.words[c.word + c.words - 1].end
            if start < at:
                continue  # overlapping corrections do not occur; never show text twice
            segments.append(Segment(line.text[at:start]))
            item = items[item_key(c.page, c.line, c.word)]
            segments.append(Segment(item.shown, item.key))
            at = end
        segments.append(Segment(line.text[at:]))
        out.append([s for s in segments if s.text or s.item])
    return out
