"""The document's own header: type, body, dates, place, attendance, justering and anslag.

Printed as labelled fields ("Sammanträdesdatum 2021-03-25", "Beslutande  Anna Berg (S),
ordförande", "Utses att justera  Per Ek") before the first item, and for justering and
anslag sometimes after the last. Every line stays in a block of the header section it
belongs to; the values are also set on the `Protocol`.
"""

from __future__ import annotations

import re

from pipeline.model import Participant, Protocol, Section
from pipeline.segment import patterns, specks
from pipeline.segment.blocks import block
from pipeline.segment.lines import Entry

_ORG = re.compile(r"(?:förvaltningen|kontoret|kansliet|enheten|avdelningen|sektorn|"
                  r"kommun|stad|region|kommunledningskontoret)$", re.IGNORECASE)


def header_type(text: str) -> str | None:
    """The type a letterhead line names: at its start in any case, or as a word in capitals."""
    found = next((kind for kind, pattern in patterns.DOC_TYPES if pattern.match(text)), None)
    return found or next((kind for kind, pattern in patterns.DOC_TYPE_WORDS
                          if pattern.search(text)), None)


def doc_type(lines: list[Entry]) -> str | None:
    """The document type from a title word near the top ("PROTOKOLL", "Utdrag ur
    protokoll", "TJÄNSTESKRIVELSE")."""
    for entry in [e for e in lines if not e.blank][:8]:
        if (kind := header_type(entry.clean)) is not None:
            return kind
    return None


def read(lines: list[Entry], protocol: Protocol) -> list[Section]:
    """Sections of header lines, setting the header fields of `protocol`."""
    out: list[Section] = [Section("huvud")]
    group = ""
    for i, entry in enumerate(lines):
        text = entry.clean
        if entry.blank:
            continue
        if entry.furniture:
            out[-1].blocks.append(block("furniture", [entry], entry.furniture))
            continue
        section, field = _field(text, lines, i, protocol)
        if section and section != out[-1].kind:
            out.append(Section(section))
            group = ""
        if section == "narvaro" or (not section and out[-1].kind == "narvaro"):
            group = _attendance(text, group, protocol)
        out[-1].blocks.append(block("field" if field else "text", [entry], field))
    for entry in lines:
        if entry.furniture:
            _fallbacks(entry.clean, protocol)
    if protocol.body is None:  # "Kommunfullmäktige  Sammanträdesdatum 2023-06-19"
        protocol.body = next((b for e in lines if not e.blank and (b := find_body(e.clean))),
                             None)
    return [s for s in out if s.blocks]


def _field(text: str, lines: list[Entry], i: int, protocol: Protocol) -> tuple[str, str]:
    """(header section, field label) of one line, recording its value."""
    if (match := patterns.MEETING_DATE.search(text)) is not None:
        protocol.meeting_date = protocol.meeting_date or patterns.find_date(
            text[match.end():] or _next(lines, i))
        return "huvud", "sammanträdesdatum"
    if (match := patterns.PLACE_TIME.match(text)) is not None:
        value = text[match.end():] or _next(lines, i)
        protocol.place = protocol.place or value.split(",")[0].strip() or None
        protocol.time = protocol.time or _time(value)
        if protocol.meeting_date is None:
            protocol.meeting_date = patterns.find_date(value)
        return "huvud", "plats och tid"
    if patterns.GROUPS.match(text):
        return "narvaro", patterns.GROUPS.match(text)["label"].lower()  # type: ignore[index]
    if patterns.ANSLAG_START.match(text):
        return "anslag", ""
    if (match := patterns.JUSTERING.match(text)) is not None:
        label = match["label"].lower()
        protocol.justering.setdefault(label, match["rest"].strip() or _next(lines, i))
        return "justering", label
    if patterns.DOCUMENT_DATE.search(text) and patterns.find_date(text):
        protocol.document_date = protocol.document_date or patterns.find_date(text)
        return "huvud", "datum"
    if patterns.DNR_LABEL.search(text) and patterns.dnr_value(text):
        return "huvud", "dnr"
    if (name := patterns.body_name(text)) is not None:
        protocol.body = protocol.body or name
        return "huvud", "organ"
    if header_type(text):
        return "huvud", "typ"
    return "", ""


def _attendance(text: str, group: str, protocol: Protocol) -> str:
    """Names after a group label ("Beslutande", "Tjänstgörande ersättare") or under it."""
    match = patterns.GROUPS.match(text)
    if match:
        group, text = match["label"].lower(), match["rest"]
    for part in re.split(r"\s{2,}|;", text):
        name, _, role = part.strip().partition(",")
        if name and name[0].isupper():
            protocol.participants.append(Participant(name.strip(), role.strip(), group))
    return group


def anslag(lines: list[Entry], protocol: Protocol) -> Section:
    """The anslag (notice of justering) block, with its labelled values."""
    section = Section("anslag")
    for i, entry in enumerate(lines):
        if entry.blank:
            continue
        match = patterns.ANSLAG.match(entry.clean)
        if match:
            protocol.anslag.setdefault(match["label"].lower(),
                                       match["rest"].strip() or _next(lines, i))
        section.blocks.append(block("furniture" if entry.furniture else
                                    "field" if match else "text", [entry],
                                    entry.furniture or (match["label"].lower() if match else "")))
    return section


def _fallbacks(text: str, protocol: Protocol) -> None:
    """A running header often names the body and the date ("Socialnämnden  Protokoll
    2021-11-18  Sida 1 (2)"); used only when the header proper does not."""
    if protocol.body is None:
        protocol.body = find_body(text)
    if protocol.meeting_date is None and protocol.doc_type != "tjänsteskrivelse":
        protocol.meeting_date = patterns.find_date(text)


def find_body(text: str) -> str | None:
    """The longest run of words in `text` that names a body ("Miljö- och
    byggnadsnämnden" in "Lövsjö kommun  Miljö- och byggnadsnämnden  Protokoll")."""
    words = specks.strip(text).split()
    for j in range(len(words)):
        for i in range(max(0, j - 4), j + 1):
            if (name := patterns.body_name(" ".join(words[i:j + 1]))) is not None:
                return name
    return None


def is_org(text: str) -> bool:
    """A sender line of a tjänsteskrivelse (a förvaltning, kontor or kommun)."""
    return bool(_ORG.search(text)) and len(text.split()) <= 6


def _next(lines: list[Entry], i: int) -> str:
    for entry in lines[i + 1:i + 3]:
        if not entry.blank:
            return entry.clean
    return ""


def _time(text: str) -> str | None:
    match = re.search(r"(?:kl\.?\s*)?(\d{1,2}[.:]\d{2}(?:\s*[-–]\s*\d{1,2}[.:]\d{2})?)", text)
    return match[1] if match else None

