"""The project's own archival XML (protokoll.xml), namespace urn:protokoll:1, version 1.0.

Swedish element names, as archivists say them: huvud (header), paragraf (item), del
(section), stycke (paragraph), lista/punkt, underskrift, sidelement (page furniture),
bilaga, proveniens. The schema ships in the package (`schemas/protokoll-1.0.xsd`).
Every printed line is in the file once, in reading order, with its place (`rader`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from lxml import etree

from pipeline.model import Block, Correction, Document, Item, LineRef, Protocol, Section

NAMESPACE = "urn:protokoll:1"
VERSION = "1.0"
SCHEMA = "protokoll-1.0.xsd"
_NS = f"{{{NAMESPACE}}}"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLOCK_ELEMENT = {"text": "stycke", "heading": "rad", "field": "uppgift",
                  "signature": "underskrift", "furniture": "sidelement"}


def render(doc: Document) -> str:
    root = build(doc)
    return etree.tostring(root, pretty_print=True, xml_declaration=True,
                          encoding="UTF-8").decode("utf-8")


def build(doc: Document) -> etree._Element:
    protocol = doc.structure or Protocol()
    root = etree.Element(_NS + "protokoll", nsmap={None: NAMESPACE})
    root.set("version", VERSION)
    root.set("dokument", doc.id)
    root.set("sprak", "sv")
    _header(root, protocol)
    for index, item in enumerate(protocol.items, 1):
        _item(root, item, index)
    if protocol.closing:
        closing = _sub(root, "avslutning")
        for k, section in enumerate(protocol.closing, 1):
            _section(closing, section, f"avslutning-{k}")
    _provenance(root, doc)
    return root


@cache
def schema() -> etree.XMLSchema:
    path = resources.files("pipeline.export") / "schemas" / SCHEMA
    with resources.as_file(path) as file:
        return etree.XMLSchema(etree.parse(str(file)))


def validate(text: str | bytes) -> list[str]:
    """The schema's complaints about a protokoll.xml, or [] when it is valid."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    xsd = schema()
    if xsd.validate(etree.fromstring(data)):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log]


def _sub(parent: etree._Element, name: str, text: str | None = None,
         **attributes: str | None) -> etree._Element:
    element = etree.SubElement(parent, _NS + name)
    for key, value in attributes.items():
        if value is not None and value != "":
            element.set(key, _xml_chars(value))
    if text is not None:
        element.text = _xml_chars(text)
    return element


def _xml_chars(text: str) -> str:
    """Control characters OCR may emit are not allowed in XML 1.0; they carry no text."""
    return _CONTROL.sub("", text)


def _header(root: etree._Element, protocol: Protocol) -> None:
    head = _sub(root, "huvud", typ=protocol.doc_type)
    if protocol.body:
        _sub(head, "organ", protocol.body)
    if protocol.meeting_date or protocol.place or protocol.time:
        _sub(head, "sammantrade", datum=protocol.meeting_date, plats=protocol.place,
             tid=protocol.time)
    if protocol.document_date:
        _sub(head, "datum", protocol.document_date)
    if protocol.participants:
        attendance = _sub(head, "narvaro")
        for person in protocol.participants:
            _sub(attendance, "person", person.name, grupp=person.group, roll=person.role)
    for name, values in (("justering", protocol.justering), ("anslag", protocol.anslag)):
        if values:
            part = _sub(head, name)
            for label, value in values.items():
                _sub(part, "uppgift", value, etikett=label)
    for k, section in enumerate(protocol.header, 1):
        _section(head, section, f"huvud-{k}")


def _item(root: etree._Element, item: Item, index: int) -> None:
    ident = f"p{item.number}" if item.number is not None else f"arende-{index}"
    element = _sub(root, "paragraf", id=ident,
                   nr=str(item.number) if item.number is not None else None,
                   till=str(item.last_number) if item.last_number else None)
    if item.dnr:
        _sub(element, "dnr", item.dnr)
    if item.title:
        _sub(element, "rubrik", item.title)
    _blocks(_sub(element, "tryckt"), item.head)
    for k, section in enumerate(item.sections, 1):
        _section(element, section, f"{ident}-{k}")
    for b, attachment in enumerate(item.attachments, 1):
        annex = _sub(element, "bilaga", id=f"{ident}-bilaga-{b}")
        if attachment.title:
            _sub(annex, "rubrik", attachment.title)
        _blocks(_sub(annex, "tryckt"), attachment.head)
        for k, section in enumerate(attachment.sections, 1):
            _section(annex, section, f"{ident}-bilaga-{b}-{k}")


def _section(parent: etree._Element, section: Section, ident: str) -> None:
    element = _sub(parent, "del", id=ident, typ=section.kind)
    if section.heading is not None:
        _line(element, "rubrik", section.heading)
    _blocks(element, section.blocks)


def _blocks(parent: etree._Element, blocks: Iterable[Block]) -> None:
    listing: etree._Element | None = None
    for block in blocks:
        if block.kind == "list-item":
            if listing is None:
                listing = _sub(parent, "lista")
            _line(listing, "punkt", block)
            continue
        listing = None
        _line(parent, _BLOCK_ELEMENT[block.kind], block)


def _line(parent: etree._Element, name: str, block: Block) -> None:
    _sub(parent, name, block.text, rader=_refs(block.lines), etikett=block.label or None,
         fortsatter="true" if block.continued else None)


def _refs(refs: Iterable[LineRef]) -> str:
    return " ".join(f"{r.page}:{r.line}" for r in refs)


def _provenance(root: etree._Element, doc: Document) -> None:
    part = _sub(root, "proveniens")
    source = doc.source
    _sub(part, "kalla", fil=source.path.rsplit("/", 1)[-1], sha256=source.sha256,
         mediatyp=source.media_type, storlek=str(source.size), sidor=str(source.pages))
    for step in doc.steps:
        element = _sub(part, "steg", namn=step.stage, verktyg=step.tool,
                       start=step.started, sekunder=f"{step.seconds:.3f}")
        element.set("version", step.version or "okänd")
        for key, value in sorted(step.settings.items()):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            _sub(element, "installning", namn=key, varde=text)
        for name, digest in sorted(step.data.items()):
            _sub(element, "data", fil=name, sha256=digest)
    for c in sorted(doc.corrections, key=lambda c: (c.page, c.line, c.word)):
        _correction(part, c)


def _correction(parent: etree._Element, c: Correction) -> None:
    element = _sub(parent, "korrigering", rader=f"{c.page}:{c.line}", ord=str(c.word),
                   antal=str(c.words), typ=c.kind, ursprung=c.origin, poang=f"{c.score:.3f}",
                   tillampad="true" if c.applied else "false")
    element.set("fore", _xml_chars(c.before))  # set even when empty: a word added or removed
    element.set("efter", _xml_chars(c.after))
