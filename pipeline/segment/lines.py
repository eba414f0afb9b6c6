"""The document as one run of lines, with page furniture marked.

Furniture is what a page carries for the reader of paper, not for the text: running
headers repeated on every page, page numbers ("Sida 2 av 5", "3 (12)"), the footer
"Justerandes signatur  Utdragsbestyrkande", and "Forts. § 57" where an item goes on.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.model import Document, LineRef, corrected_lines
from pipeline.segment import patterns, specks

EDGE = 4  # running headers and footers sit within this many lines of a page's top or bottom


@dataclass
class Entry:
    ref: LineRef
    text: str  # the corrected line
    page_start: bool = False  # the first line of a page after the first
    furniture: str = ""  # sidhuvud, sidnummer, sidfot, fortsattning; "" for running text

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @functools.cached_property
    def void(self) -> bool:
        """Blank, or nothing on the line but specks: no text to read a role from."""
        return specks.is_void(self.text)

    @property
    def clean(self) -> str:
        return " ".join(self.text.split())


def entries(doc: Document) -> list[Entry]:
    out: list[Entry] = []
    for page in doc.pages:
        for index, text in enumerate(corrected_lines(doc, page)):
            out.append(Entry(LineRef(page.number, index), text,
                             page_start=index == 0 and page.number > doc.pages[0].number))
    _mark_furniture(out)
    return out


def _mark_furniture(lines: list[Entry]) -> None:
    by_page: dict[int, list[Entry]] = {}
    for entry in lines:
        if not entry.blank:
            by_page.setdefault(entry.ref.page, []).append(entry)
    tops = _repeated(page_lines[:EDGE] for page_lines in by_page.values())
    bottoms = _repeated(page_lines[-EDGE:] for page_lines in by_page.values())
    first = min(by_page, default=0)
    for number, page_lines in by_page.items():
        top, bottom = page_lines[:EDGE], page_lines[-EDGE:]
        edges = {id(e) for e in top} | {id(e) for e in bottom}
        for entry in page_lines:
            text = entry.clean
            edge = id(entry) in edges
            if patterns.CONTINUED.match(text):
                entry.furniture = "fortsattning"
            elif patterns.SIGN_FOOTER.search(text) and len(text) < 80:
                entry.furniture = "sidfot"
            elif patterns.BARE_PAGE_NUMBER.match(text):
                continue  # see _mark_bare_numbers
            elif edge and patterns.PAGE_NUMBER.search(text) and len(text) < 120:
                alone = not patterns.PAGE_NUMBER.sub("", text).strip(" -–|")
                entry.furniture = "sidnummer" if alone else "sidhuvud"
            elif number != first and _is_running(entry, text, top, bottom, tops, bottoms):
                entry.furniture = "sidhuvud"
        _mark_bare_numbers(top)
        _mark_bare_numbers(bottom[::-1])


def _mark_bare_numbers(edge: list[Entry]) -> None:
    """A number alone ("3", "- 3 -", "3 (12)") is the page number where nothing but
    furniture stands between it and the page's edge (`edge` runs from the edge inwards)."""
    for entry in edge:
        if patterns.BARE_PAGE_NUMBER.match(entry.clean):
            entry.furniture = "sidnummer"
        elif not entry.furniture:
            return


def _is_running(entry: Entry, text: str, top: list[Entry], bottom: list[Entry],
                tops: set[str], bottoms: set[str]) -> bool:
    """A line repeated at the same edge of other pages; on the first page it is the
    document's own header, and headings and item lines are never furniture."""
    shape = _shape(text)
    if not ((shape in tops and any(e is entry for e in top))
            or (shape in bottoms and any(e is entry for e in bottom))):
        return False
    return not (patterns.heading_kind(text) or patterns.item_line(text))


def _repeated(edges: Iterable[list[Entry]]) -> set[str]:
    """Shapes (digits aside) of lines found at this edge of more than one page."""
    seen: Counter[str] = Counter()
    for lines in edges:
        seen.update({_shape(e.clean) for e in lines})
    return {shape for shape, count in seen.items() if count > 1 and len(shape) > 3}


def _shape(text: str) -> str:
    return re.sub(r"\d+", "0", text.lower())
