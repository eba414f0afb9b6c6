"""Measuring the segmentation against expected structures (NAME.structure.json).

Items are matched by § number (items without one, as in a tjänsteskrivelse, in order).
Item boundaries: F1 of the matched items. Dnr and titles: exact after whitespace
normalisation, over the expected items. Section headings: recall of the expected
headings among the matched item's, compared without marks OCR adds around them (" —",
"_", "•", " ,", "'").
Body and date: exact per document (the meeting date, or the document date where the
truth has no meeting).
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.model import Document, Item, Protocol


@dataclass
class Tally:
    documents: int = 0
    expected_items: int = 0
    found_items: int = 0
    matched: int = 0
    dnr: int = 0
    titles: int = 0
    headings: int = 0
    headings_found: int = 0
    body: int = 0
    date: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("documents", "expected_items", "found_items", "matched", "dnr", "titles",
                     "headings", "headings_found", "body", "date"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses

    def rates(self) -> dict[str, float]:
        precision = self.matched / max(self.found_items, 1)
        recall = self.matched / max(self.expected_items, 1)
        return {
            "items F1": 2 * precision * recall / max(precision + recall, 1e-9),
            "Dnr exact": self.dnr / max(self.expected_items, 1),
            "titles exact": self.titles / max(self.expected_items, 1),
            "headings recall": self.headings_found / max(self.headings, 1),
            "body exact": self.body / max(self.documents, 1),
            "date exact": self.date / max(self.documents, 1),
        }


def norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def heading_norm(text: str) -> str:
    return norm(text).strip(" .,;:—–-_|•·*«»'‘’\"“”").lower()


def compare(expected: dict, protocol: Protocol, name: str) -> Tally:
    tally = Tally(documents=1, expected_items=len(expected["items"]),
                  found_items=len(protocol.items))
    tally.body = int(norm(expected.get("body")) == norm(protocol.body))
    want_date = expected.get("meeting_date") or expected.get("document_date")
    got_date = protocol.meeting_date if expected.get("meeting_date") else protocol.document_date
    tally.date = int(want_date == got_date)
    if not tally.body:
        tally.misses.append(f"{name}: body {protocol.body!r}, expected {expected.get('body')!r}")
    if not tally.date:
        tally.misses.append(f"{name}: date {got_date!r}, expected {want_date!r}")
    unnumbered = iter([i for i in protocol.items if i.number is None])
    numbered = {i.number: i for i in protocol.items if i.number is not None}
    for want in expected["items"]:
        got = numbered.get(want["paragraph"]) if want["paragraph"] is not None \
            else next(unnumbered, None)
        tally.headings += len(want["sections"])
        if got is None:
            tally.misses.append(f"{name}: § {want['paragraph']} not found")
            continue
        tally.matched += 1
        _compare_item(want, got, tally, f"{name} § {want['paragraph']}")
    return tally


def _compare_item(want: dict, got: Item, tally: Tally, where: str) -> None:
    if norm(want["dnr"]) == norm(got.dnr):
        tally.dnr += 1
    else:
        tally.misses.append(f"{where}: Dnr {got.dnr!r}, expected {want['dnr']!r}")
    if norm(want["title"]) == norm(got.title):
        tally.titles += 1
    else:
        tally.misses.append(f"{where}: title {got.title!r}, expected {want['title']!r}")
    found = Counter(heading_norm(s.heading.text) for s in got.sections if s.heading)
    for heading in want["sections"]:
        if found[heading_norm(heading)] > 0:
            found[heading_norm(heading)] -= 1
            tally.headings_found += 1
        else:
            tally.misses.append(f"{where}: heading {heading!r} not found")


def evaluate(gold_dir: Path, out_dir: Path) -> dict[str, Tally]:
    """Tallies per input group (".ocr_eng", ...) over every output with a structure file."""
    from pipeline.evaluate.text import gold_for

    groups: dict[str, Tally] = {}
    for folder in sorted(p for p in out_dir.iterdir() if (p / "document.json").is_file()):
        gold = gold_for(folder.name, gold_dir)
        if gold is None:
            continue
        structure = gold.with_name(gold.name.replace(".gold.txt", ".structure.json"))
        if not structure.is_file():
            continue
        expected = json.loads(structure.read_text(encoding="utf-8"))
        protocol = Document.load(folder / "document.json").structure or Protocol()
        group = folder.name[len(gold.name) - len(".gold.txt"):] or "(same name)"
        groups.setdefault(group, Tally()).add(compare(expected, protocol, folder.name))
    return groups


def table(groups: dict[str, Tally]) -> str:
    names = list(Tally().rates())
    lines = [f"{'structure':20} {'docs':>5} {'items':>6} " + " ".join(f"{n:>15}" for n in names)]
    for group, tally in sorted(groups.items()):
        rates = tally.rates()
        lines.append(f"{'all ' + group:20} {tally.documents:5} {tally.expected_items:6} "
                     + " ".join(f"{rates[n]:15.3f}" for n in names))
    misses = [m for t in groups.values() for m in t.misses]
    if misses:
        lines += ["", "misses:", *(f"  {m}" for m in misses)]
    return "\n".join(lines)
