"""The segment stage: the corrected text into the structure of Swedish minutes.

Header (type, body, meeting date, attendance, justering), then items: each § with its
number, Dnr, title and sections, and documents attached to it (a tjänsteskrivelse that
repeats the title). Page furniture is marked, kept in place and out of the running text.
Every line ends up in exactly one block, in reading order: nothing is dropped.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime

from rapidfuzz import fuzz

from pipeline import __version__
from pipeline.model import Attachment, Block, Document, Item, ProcessingStep, Protocol, Section
from pipeline.segment import header, items, patterns
from pipeline.segment.blocks import block, is_heading, sections
from pipeline.segment.lines import Entry, entries
from pipeline.segment.repair import (
    repair_body_names,
    repair_heading_specks,
    repair_headings,
    repair_item_signs,
    repair_titles,
)

log = logging.getLogger(__name__)


def segment(doc: Document, *, repair: bool | None = None) -> Document:
    """Fill `doc.structure`. With `repair`, § signs and headings OCR garbled are corrected
    first (corrections of origin structure); without, the text is read as it stands. When
    not given, a document segmented before (and now again, after review) keeps its
    earlier choice."""
    if repair is None:
        earlier = [s.settings.get("repair", True) for s in doc.steps if s.stage == "segment"]
        repair = bool(earlier[-1]) if earlier else True
    started, clock = datetime.now(UTC).isoformat(timespec="seconds"), time.perf_counter()
    lines = entries(doc)
    if repair and (repair_item_signs(doc, lines) + repair_headings(doc, lines)
                   + repair_body_names(doc, lines)):
        lines = entries(doc)
    if repair and repair_heading_specks(doc, lines):
        lines = entries(doc)
    doc.structure = read(lines)
    if repair and repair_titles(doc, lines, doc.structure):
        doc.structure = read(entries(doc))
    doc.steps = [s for s in doc.steps if s.stage != "segment"]
    doc.steps.append(ProcessingStep(
        stage="segment", tool="protokoll", version=__version__, started=started,
        seconds=round(time.perf_counter() - clock, 3),
        settings={"repair": repair, "items": len(doc.structure.items)}))
    return doc


def read(lines: list[Entry]) -> Protocol:
    protocol = Protocol()
    kind = header.doc_type(lines)
    starts = items.starts(lines)
    if not starts and kind == "tjänsteskrivelse":
        starts = [s for s in [_memo_title(lines)] if s is not None]
    # Unnamed: one § is an extract, several a protocol, none unknown.
    protocol.doc_type = kind or {0: "okänd", 1: "protokollsutdrag"}.get(  # type: ignore
        len(starts), "sammanträdesprotokoll")
    first = starts[0] if starts else len(lines)
    protocol.header = header.read(lines[:first], protocol)
    closing = _closing_start(lines, starts[-1] if starts else len(lines))
    for start, end in zip(starts, [*starts[1:], closing][:len(starts)], strict=True):
        protocol.items.append(_item(lines[start:end], protocol))
    if closing < len(lines):
        protocol.closing = _closing(lines[closing:], protocol)
    if protocol.doc_type == "tjänsteskrivelse":
        _memo_fields(protocol)
    return protocol


_LETTERHEAD = re.compile(r"^(?:datum|dnr|diarienr|diarienummer|handläggare|till|från|"
                        r"referens|vår referens|er referens|telefon|e-post|kopia)\b",
                        re.IGNORECASE)


def _memo_title(lines: list[Entry]) -> int | None:
    """A tjänsteskrivelse has no §: its title follows the letterhead (type, sender, date,
    Dnr, handläggare), right after the addressee (a body) where one is printed."""
    letterhead = []
    for i, entry in enumerate(lines):
        if entry.blank or entry.furniture:
            continue
        if is_heading(lines, i, in_list_section=False) not in (None, "other"):
            break
        letterhead.append(i)
    bodies = [k for k, i in enumerate(letterhead) if patterns.is_body(lines[i].clean)]
    candidates = letterhead[bodies[0] + 1:] if bodies else letterhead
    return next((i for i in candidates if not _is_letterhead(lines[i].clean)), None)


def _is_letterhead(text: str) -> bool:
    return bool(header.header_type(text) or header.is_org(text) or patterns.is_body(text)
                or _LETTERHEAD.match(text) or ":" in text[:20]
                or (patterns.DOCUMENT_DATE.search(text) and patterns.find_date(text))
                or patterns.DNR_LABEL.search(text))


def _item(lines: list[Entry], protocol: Protocol) -> Item:
    match = patterns.item_line(lines[0].text)
    item = Item(number=int(match["nr"]) if match else None,
                last_number=int(match["last"]) if match and match["last"] else None)
    head, title = items.head(lines, item, match["rest"] if match else lines[0].text)
    item.head = _head_blocks(lines[:head])
    item.title = title or None
    body = lines[head:]
    repeat = _repeated_title(body, item)
    item.sections = sections(body[:repeat], first_kind="text")
    if repeat < len(body):
        item.attachments.append(_attachment(body[repeat:]))
    return item


def _head_blocks(lines: list[Entry]) -> list[Block]:
    return [block("furniture", [e], e.furniture) if e.furniture else block("heading", [e])
            for e in lines if not e.blank]


def _repeated_title(body: list[Entry], item: Item) -> int:
    """Where a document attached to the item begins: its title printed again after the
    item's own sections, or a TJÄNSTESKRIVELSE line; len(body) when there is none."""
    seen_heading = False
    first_line = next((b.text for b in item.head[1:] if b.kind == "heading"), item.title or "")
    for i, entry in enumerate(body):
        text = entry.clean
        if entry.blank or entry.furniture:
            continue
        if patterns.heading_kind(text):
            seen_heading = True
            continue
        if not seen_heading:
            continue
        if first_line and _same_title(text, first_line) and _opens_document(body, i):
            return i
        if text.isupper() and header.doc_type([entry]) == "tjänsteskrivelse":
            return i
    return len(body)


def _opens_document(body: list[Entry], i: int) -> bool:
    """The lines after a repeated title go on to a decision or a summary, as a
    tjänsteskrivelse does; a title repeated in a list of documents does not."""
    for j in range(i + 1, min(i + 6, len(body))):
        kind = patterns.heading_kind(body[j].clean)
        if kind:
            return kind in ("beslut", "forslag", "sammanfattning", "arende", "bakgrund")
    return False


def _same_title(text: str, first_line: str) -> bool:
    """The first line of the title printed again (OCR may differ a little)."""
    return len(text) >= 15 and fuzz.ratio(text.lower(), " ".join(first_line.split()).lower()) >= 90


def _attachment(lines: list[Entry]) -> Attachment:
    attachment = Attachment()
    i = 0
    title: list[str] = []
    while i < len(lines) and (lines[i].blank or lines[i].furniture
                              or not title or items.continues_title(title, lines[i].clean)):
        if not lines[i].blank and not lines[i].furniture:
            if title and is_heading(lines, i, in_list_section=False):
                break
            title.append(lines[i].clean)
        i += 1
    attachment.title = items.title_text(title) or None
    attachment.head = _head_blocks(lines[:i])
    attachment.sections = sections(lines[i:], first_kind="text")
    return attachment


def _closing_start(lines: list[Entry], last_item: int) -> int:
    """Where the protocol's closing begins after the last item: "Vid protokollet",
    "Justerat", "Underskrifter" or the anslag; len(lines) when nothing closes it."""
    for i in range(last_item + 1, len(lines)):
        text = lines[i].clean
        if lines[i].furniture:
            continue
        if patterns.SIGNATURE_LEAD.match(text) or patterns.ANSLAG_START.match(text):
            return i
    return len(lines)


def _closing(lines: list[Entry], protocol: Protocol) -> list[Section]:
    at = next((i for i, e in enumerate(lines) if patterns.ANSLAG_START.match(e.clean)),
              len(lines))
    out = sections(lines[:at], first_kind="underskrifter")
    if at < len(lines):
        out.append(header.anslag(lines[at:], protocol))
    return out


def _memo_fields(protocol: Protocol) -> None:
    """A tjänsteskrivelse's Dnr is in its letterhead; it is the item's."""
    for section in protocol.header:
        for b in section.blocks:
            if b.label == "dnr" and protocol.items and protocol.items[0].dnr is None:
                found = patterns.dnr_value(b.text)
                protocol.items[0].dnr = found[0] if found else None
