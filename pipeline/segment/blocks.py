"""Lines into sections and blocks: headings, paragraphs, list items, signatures, furniture.

A heading the patterns know starts a section of its kind; a line that only looks like a
heading (short, capitalised, alone, followed by running text) starts one of kind "other".
Within a section, blank lines and list markers separate blocks; a name over a role
("Anna Berg" / "Ordförande") is a signature; page furniture is its own block, so a
paragraph broken by a page turn goes on in a block marked `continued`.
"""

from __future__ import annotations

import re

from pipeline.model import Block, Section
from pipeline.segment import patterns, specks
from pipeline.segment.lines import Entry

LIST_MARK = re.compile(r"^\s*(?P<mark>\d{1,2}[.)]|[a-h][.)]|[•·▪◦‣∙●–*«»]|-(?=\s)|e(?=\s+\w))\s+")
_END = re.compile(r"[.!?:;]\s*[\"”’)]*$")
_GOES_ON = {"att", "och", "som", "för", "till", "av", "i", "på", "med", "om", "den", "det",
            "de", "en", "ett", "samt", "eller", "från", "under", "vid", "är", "har", "ska"}
_NAME = re.compile(r"^(?:[A-ZÅÄÖÉ][\w'’.-]+\s+){1,4}[A-ZÅÄÖÉ][\w'’.-]+(?:\s+\([A-ZÅÄÖ]{1,4}\))?$")


def block(kind: str, lines: list[Entry], label: str = "") -> Block:
    return Block(kind, "\n".join(e.text.strip() for e in lines), [e.ref for e in lines],
                 label=label)  # type: ignore[arg-type]


def is_heading(lines: list[Entry], i: int, *, in_list_section: bool) -> str | None:
    """The kind of section line `i` opens, or None."""
    text = lines[i].clean
    if len(text) > 80 or lines[i].furniture:
        return None
    if (kind := patterns.heading_kind(text)) is not None:
        return kind
    return "other" if not in_list_section and _looks_like_heading(lines, i) else None


def _looks_like_heading(lines: list[Entry], i: int) -> bool:
    text = specks.strip(lines[i].clean)  # "Avgift ," is the heading Avgift
    words = text.split()
    if not (1 <= len(words) <= 6 and text[0].isupper() and not _END.search(text)):
        return False
    if any(c.isdigit() for c in text) or LIST_MARK.match(lines[i].text) \
            or patterns.ROLES.match(text):
        return False
    if words[-1].lower() in _GOES_ON:
        return False  # "Nämnden beslutar att" leads into what follows
    if _NAME.match(text) and len(words) <= 4 and all(w[0].isupper() for w in words):
        return False  # a name (signatures, lists of people)
    before = _neighbour(lines, i, -1)
    after = _neighbour(lines, i, 1)
    if before is not None and not lines[before].void and (
            not ended(lines[before].text) or patterns.heading_kind(lines[before].clean)):
        return False  # inside a paragraph, or the first line under a heading
    if after is None or lines[after].void:
        after = _neighbour(lines, i, 2) if after is not None else None
    return (after is not None and not lines[after].void
            and (len(lines[after].clean) > len(text) + 20 or ended(lines[after].text)))


def ended(text: str) -> bool:
    """The line ends a sentence, also with a speck after it ("beslutet. ae")."""
    return bool(_END.search(text) or _END.search(specks.strip(text)))


def _neighbour(lines: list[Entry], i: int, step: int) -> int | None:
    """The index of the next line in that direction that is not furniture."""
    j = i + (1 if step > 0 else -1)
    skipped = 0
    while 0 <= j < len(lines):
        if not lines[j].furniture:
            skipped += 1
            if skipped == abs(step):
                return j
        j += 1 if step > 0 else -1
    return None


def sections(lines: list[Entry], *, first_kind: str = "text") -> list[Section]:
    """Split lines into sections at headings; lines before the first heading make a
    section without heading (kind `first_kind`) when there are any."""
    out: list[Section] = [Section(first_kind)]
    start = 0
    for i, _ in enumerate(lines):
        kind = is_heading(lines, i, in_list_section=out[-1].kind in patterns.LIST_SECTIONS)
        if kind is None:
            continue
        out[-1].blocks = blocks(lines[start:i], listing=out[-1].kind in patterns.LIST_SECTIONS)
        out.append(Section(kind, heading=block("heading", [lines[i]])))
        start = i + 1
    out[-1].blocks = blocks(lines[start:], listing=out[-1].kind in patterns.LIST_SECTIONS)
    return [s for s in out if s.heading is not None or s.blocks]


def blocks(lines: list[Entry], *, listing: bool = False) -> list[Block]:
    """Paragraphs, list items, signatures and furniture, in order. In a `listing` section
    (Beslutsunderlag, Expedieras till) every line is an entry of its own."""
    out: list[Block] = []
    current: list[Entry] = []
    kind, label, continued = "text", "", False
    carry: tuple[str, str] | None = None  # a block broken by furniture, to go on after it
    width = max((len(e.clean) for e in lines), default=0)

    def close() -> None:
        nonlocal current
        if current:
            out.append(block(kind, current, label))
            out[-1].continued = continued
        current = []

    i = 0
    while i < len(lines):
        entry = lines[i]
        if entry.blank:
            if not _goes_on_after_blank(lines, i, current):
                close()
                carry = None
        elif entry.furniture:
            if current and not _END.search(current[-1].text):
                carry = (kind, label)
            close()
            out.append(block("furniture", [entry], entry.furniture))
        elif (signed := _signature(lines, i)) is not None:
            close()
            role, j = signed
            out.append(block("signature", [lines[i], lines[j]], role))
            out.extend(block("furniture", [e], e.furniture) for e in lines[i + 1:j]
                       if e.furniture)
            i = j + 1
            continue
        elif (mark := LIST_MARK.match(entry.text)) is not None:
            close()
            current, kind, label, continued = [entry], "list-item", mark["mark"], False
        elif listing and not _continues_entry(current, entry):
            close()
            current, kind, label, continued = [entry], "list-item", "", False
        elif current and _starts_paragraph(current, entry, width, listed=kind == "list-item"):
            close()
            current, kind, label, continued = [entry], "text", "", False
        else:
            if not current:
                (kind, label), continued = carry or ("text", ""), carry is not None
            current.append(entry)
            carry = None
        i += 1
    close()
    return out


def _starts_paragraph(current: list[Entry], entry: Entry, width: int, *, listed: bool) -> bool:
    """A new paragraph without a blank line: the line before ended a sentence (a list
    item, or a line well short of the full width), and this one starts with a capital."""
    last = current[-1].clean
    text = entry.clean
    return (bool(_END.search(last)) and text[:1].isupper()
            and (listed or (width > 0 and len(last) < 0.75 * width)))


def _continues_entry(current: list[Entry], entry: Entry) -> bool:
    """A list entry wraps onto a line starting in lower case (or after a hyphen)."""
    return bool(current) and (entry.clean[:1].islower() or current[-1].clean.endswith("-"))


def _goes_on_after_blank(lines: list[Entry], i: int, current: list[Entry]) -> bool:
    """OCR puts blank lines inside paragraphs: a sentence left open above and a line
    starting in lower case below are one paragraph."""
    if not current or _END.search(current[-1].text):
        return False
    nxt = next((e for e in lines[i + 1:i + 3] if not e.blank), None)
    return nxt is not None and not nxt.furniture and nxt.clean[:1].islower()


def _signature(lines: list[Entry], i: int) -> tuple[str, int] | None:
    """The role(s) under a name line ("Ordförande") and the index of that line, or None
    if line `i` is no signature. A blank line or a page turn may come between."""
    j = i + 1
    while j < len(lines) and j <= i + 3 and (lines[j].blank or lines[j].furniture):
        j += 1
    if j >= len(lines) or lines[j].blank or lines[j].furniture:
        return None
    name, role = lines[i].clean, lines[j].clean
    roles = [r for r in re.split(r"\s{2,}", lines[j].text.strip()) if r]
    if not all(patterns.ROLES.match(r) for r in roles):
        roles = role.split()  # columns whose spacing OCR lost: "Ordförande Justerare"
        if len(roles) < 2 or not all(patterns.ROLES.match(w) for w in roles):
            return None
    if not name[:1].isupper() or _END.search(name) or any(c.isdigit() for c in name):
        return None
    if len(name.split()) > 4 * len(roles):
        return None
    return ", ".join(r.lower() for r in roles), j
