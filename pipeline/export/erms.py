"""CITS ERMS 2.1 (FGS Ärendehantering 2.0): each § of the minutes as a case.

Every numbered item becomes an aggregation of type caseFile: objectId and an
identification of type diarienummer hold its Dnr, title its heading, and its decision
(the sections of kind beslut) an action of type beslut dated with the meeting date.
An item printed without a Dnr gets `<package id>/§ <n>` as objectId (ERMS requires one)
and no diarienummer. Identifiers that ERMS wants as UUIDs are derived from the
document and the § number, so exporting twice gives the same file.
"""

from __future__ import annotations

import logging
import uuid

from lxml import etree

from pipeline import __version__
from pipeline.exceptions import UsageError
from pipeline.export.archive_config import PackageOptions
from pipeline.export.xsd import serialize
from pipeline.model import Document, Item, Protocol

log = logging.getLogger(__name__)

NS = {"erms": "https://DILCIS.eu/XML/ERMS"}
_UUIDS = uuid.UUID("8a6d6d1e-5c39-4d4e-9a53-70726f746f6b")  # namespace for uuid5


def render(doc: Document, package_id: str, options: PackageOptions) -> str:
    """erms.xml for a segmented document."""
    protocol = _protocol(doc)
    root = etree.Element(_q("erms"), nsmap={None: NS["erms"]})
    root.append(_control(package_id, options))
    aggregations = etree.SubElement(root, _q("aggregations"))
    for item in protocol.items:
        if item.number is not None:
            aggregations.append(_case(doc, protocol, item, package_id))
    if not len(aggregations):
        raise UsageError("--erms: no numbered item (§) to describe as a case", path=doc.id,
                         fix="Leave out --erms for this document.")
    return serialize(root)


def _protocol(doc: Document) -> Protocol:
    if doc.structure is None:
        raise UsageError("--erms: the document has not been segmented into items", path=doc.id,
                         fix="Process it again with `protokoll run`, or leave out --erms.")
    return doc.structure


def _control(package_id: str, options: PackageOptions) -> etree._Element:
    config = options.config
    control = etree.Element(_q("control"))
    _text(control, "identification", package_id, identificationType="package")
    _text(control, "identification", config.creator.identifier,
          identificationType="archival_creator")
    maintenance = etree.SubElement(control, _q("maintenanceInformation"))
    etree.SubElement(maintenance, _q("maintenanceStatus"), value="new")
    agency = etree.SubElement(maintenance, _q("maintenanceAgency"))
    _text(agency, "agencyName", config.submitter.name)
    history = etree.SubElement(maintenance, _q("maintenanceHistory"))
    event = etree.SubElement(history, _q("maintenanceEvent"))
    etree.SubElement(event, _q("eventType"), value="created")
    _text(event, "eventDateTime", options.created)
    agent = etree.SubElement(event, _q("agent"), agentType="other", otherAgentType="software")
    _text(agent, "name", f"protokoll {__version__}")
    return control


def _case(doc: Document, protocol: Protocol, item: Item, package_id: str) -> etree._Element:
    number = _number(item)
    case = etree.Element(_q("aggregation"), aggregationType="caseFile", systemIdentifier=str(
        uuid.uuid5(_UUIDS, f"{doc.source.sha256}/{doc.id}/{number}")))
    _text(case, "objectId", item.dnr or f"{package_id}/{number}")
    _text(case, "extraId", number, extraIdType="paragraf")
    if item.dnr:
        _text(case, "identification", item.dnr, identificationType="diarienummer")
    else:
        log.warning("%s: %s has no Dnr; its case is identified by the § number", doc.id, number)
    if item.title:
        _text(case, "title", item.title)
    else:
        _text(case, "description", f"{number} (printed without a title)")
    decision = _decision_text(item)
    if decision:
        case.append(_decision(decision, protocol))
    return case


def _decision(text: str, protocol: Protocol) -> etree._Element:
    action = etree.Element(_q("action"))
    _text(action, "actionText", text)
    _text(action, "actionType", "beslut")
    if protocol.meeting_date:
        dates = etree.SubElement(action, _q("dates"))
        _text(dates, "actionDate", f"{protocol.meeting_date}T00:00:00", dateType="decision")
    if protocol.body:
        agents = etree.SubElement(action, _q("agents"))
        agent = etree.SubElement(agents, _q("agent"), agentType="other",
                                 otherAgentType="decision_body")
        _text(agent, "name", protocol.body)
    return action


def _decision_text(item: Item) -> str:
    """The text of the item's beslut sections, paragraphs separated by blank lines."""
    paragraphs = [block.text for section in item.sections if section.kind == "beslut"
                  for block in section.blocks if block.kind != "furniture" and block.text.strip()]
    return "\n\n".join(paragraphs)


def _number(item: Item) -> str:
    if item.last_number and item.last_number != item.number:
        return f"§ {item.number}-{item.last_number}"
    return f"§ {item.number}"


def _text(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), attrs)
    element.text = text
    return element


def _q(tag: str) -> str:
    return f"{{{NS['erms']}}}{tag}"
