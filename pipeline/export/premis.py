"""PREMIS 3 preservation metadata: what a package's content came from and what was done.

`metadata/preservation/premis.xml` (the package's, referenced from the package METS
amdSec/digiprovMD):

- objects: the source file as received (SHA-256 fixity, size, format, original name) in
  the source representation, and the ocr representation derived from it;
- events: one per processing step (reading the text: OCR with its engine, version and
  model checksum, or a PDF text layer, or legacy OCR text; restoration with the checksums
  of its data and the counts of changes applied and suggested; segmentation), one per
  review session with the archivist as agent, and the creation of the package;
- agents: the programs with their versions, the submitting organisation, the archival
  creator and the archivists.

`representations/<name>/metadata/preservation/premis.xml` (from the representation's
METS): the representation and each of its files with fixity, size and format.

Identifiers are local: an object's is its path from the package root, so `verify` can
check every fixity against the file it names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pipeline import __version__
from pipeline.export.archive_config import Agent, PackageOptions
from pipeline.export.mets import SOFTWARE, PackageFile
from pipeline.export.xsd import XSI, serialize
from pipeline.model import Document, ProcessingStep

NS = {"premis": "http://www.loc.gov/premis/v3", "xsi": XSI}
VERSION = "3.0"
LOCAL = "local"  # identifier type: a path from the package root, or an id in this file
SOURCE_REP, OCR_REP = "representations/source", "representations/ocr"
# correction origins of the machine's own changes
_MACHINE = ("lexicon", "context", "structure", "image")


@dataclass(frozen=True)
class ReviewSession:
    """An archivist's decisions on one document without a long pause."""

    who: str
    started: str  # ISO 8601, the first decision
    ended: str  # the last decision
    accepted: int = 0
    rejected: int = 0
    edited: int = 0

    @property
    def decisions(self) -> int:
        return self.accepted + self.rejected + self.edited


@dataclass(frozen=True)
class _Link:
    identifier: str
    role: str


def package_premis(doc: Document, source: PackageFile, options: PackageOptions,
                   reviews: list[ReviewSession]) -> str:
    """The package's premis.xml; `source` is the source file with its package path."""
    root = _root()
    _file_object(root, source, original=Path(doc.source.path).name, within=SOURCE_REP)
    _representation(root, SOURCE_REP)
    _representation(root, OCR_REP, derived_from=source.path)
    agents = _Agents()
    seen: Counter[str] = Counter()
    for step in doc.steps:
        seen[step.stage] += 1
        identifier = f"event-{step.stage}" + (f"-{seen[step.stage]}" if seen[step.stage] > 1
                                              else "")
        _step_event(root, doc, step, identifier, source=source.path, created=options.created,
                    agents=agents)
    for n, review in enumerate(reviews, 1):
        _review_event(root, f"event-review-{n}", review, agents)
    _package_event(root, options, agents)
    agents.organisation("creator", options.config.creator,
                        "archival creator (arkivbildare) of the records")
    agents.write(root)
    return serialize(root)


def _review_event(root: etree._Element, identifier: str, review: ReviewSession,
                  agents: _Agents) -> None:
    _event(root, identifier, "modification", review.started,
           details=[f"review in {SOFTWARE}: {review.decisions} decisions from "
                    f"{review.started} to {review.ended}"],
           notes=[f"{review.accepted} accepted, {review.rejected} rejected, "
                  f"{review.edited} edited"],
           agents=[_Link(agents.person(review.who), "implementer")],
           objects=[_Link(OCR_REP, "outcome")])


def _package_event(root: etree._Element, options: PackageOptions, agents: _Agents) -> None:
    program = agents.software(SOFTWARE, __version__)
    submitter = agents.organisation("submitter", options.config.submitter,
                                    "submitting organisation")
    _event(root, "event-package", "information package creation", options.created,
           details=[f"E-ARK SIP (CSIP 2.1, FGS Paketstruktur 2.0) made by {SOFTWARE} "
                    f"{__version__}"], notes=[],
           agents=[_Link(program, "executing program"), _Link(submitter, "authorizer")],
           objects=[_Link(SOURCE_REP, "source"), _Link(OCR_REP, "source")])


def representation_premis(name: str, files: list[PackageFile], *,
                          derived_from: str | None = None) -> str:
    """representations/<name>/metadata/preservation/premis.xml; `files` have paths from
    the representation's folder."""
    root = _root()
    rep = f"representations/{name}"
    for file in files:
        _file_object(root, PackageFile(f"{rep}/{file.path}", file.data, file.mimetype),
                     within=rep)
    _representation(root, rep, derived_from=derived_from)
    return serialize(root)


def _root() -> etree._Element:
    root = etree.Element(_q("premis"), nsmap=NS)
    root.set("version", VERSION)
    return root


def _file_object(root: etree._Element, file: PackageFile, *, within: str,
                 original: str | None = None) -> None:
    obj = _sub(root, "object")
    obj.set(f"{{{XSI}}}type", "premis:file")
    _identifier(obj, "object", file.path)
    characteristics = _sub(obj, "objectCharacteristics")
    _sub(characteristics, "compositionLevel", "0")
    fixity = _sub(characteristics, "fixity")
    _sub(fixity, "messageDigestAlgorithm", "SHA-256")
    _sub(fixity, "messageDigest", file.sha256)
    _sub(fixity, "messageDigestOriginator", SOFTWARE)
    _sub(characteristics, "size", str(len(file.data)))
    designation = _sub(_sub(characteristics, "format"), "formatDesignation")
    _sub(designation, "formatName", file.mimetype)
    if original:
        _sub(obj, "originalName", original)
    _relationship(obj, "structural", "is included in", within)


def _representation(root: etree._Element, identifier: str, *,
                    derived_from: str | None = None) -> None:
    obj = _sub(root, "object")
    obj.set(f"{{{XSI}}}type", "premis:representation")
    _identifier(obj, "object", identifier)
    if derived_from:
        _relationship(obj, "derivation", "has source", derived_from)


def _relationship(obj: etree._Element, kind: str, sub_kind: str, related: str) -> None:
    relationship = _sub(obj, "relationship")
    _sub(relationship, "relationshipType", kind)
    _sub(relationship, "relationshipSubType", sub_kind)
    _identifier(relationship, "relatedObject", related)


def _step_event(root: etree._Element, doc: Document, step: ProcessingStep, identifier: str,
                *, source: str, created: str, agents: _Agents) -> None:
    software = [_Link(agents.software(step.tool, step.version), "executing program")] \
        if step.version else []
    details = [_describe(step), *(f"{name} sha256 {digest}"
                                  for name, digest in sorted(step.data.items()))]
    if not step.started:
        details.append("the time of this step was not recorded; the package's is given")
    when = step.started or created
    if step.stage == "ocr":
        _event(root, identifier, "creation", when, details=details, notes=[_pages(doc)],
               agents=software, objects=[_Link(source, "source"), _Link(OCR_REP, "outcome")])
    elif step.stage == "restore":
        _event(root, identifier, "modification", when, details=details,
               notes=[_changes(doc)], agents=software, objects=[_Link(OCR_REP, "outcome")])
    elif step.stage == "segment":
        items = doc.structure.items if doc.structure else []
        kind = doc.structure.doc_type if doc.structure else "not segmented"
        _event(root, identifier, "metadata extraction", when, details=details,
               notes=[f"{kind}: {len(items)} items, in metadata/descriptive/protokoll.xml"],
               agents=software, objects=[_Link(OCR_REP, "source")])


def _describe(step: ProcessingStep) -> str:
    what = {"ocr": "text read from the source", "restore": "restoration of diacritics and "
            "OCR errors", "segment": "segmentation into items (§)"}.get(step.stage, step.stage)
    settings = "; ".join(f"{key} {_value(value)}" for key, value in step.settings.items())
    tool = f"{step.tool} {step.version}".strip()
    return f"{what}: {tool}" + (f"; {settings}" if settings else "")


def _value(value: object) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k}:{v}" for k, v in value.items())
    return str(value)


def _pages(doc: Document) -> str:
    warned = sum(bool(p.warnings) for p in doc.pages)
    methods = sorted({p.method for p in doc.pages})
    return f"{len(doc.pages)} pages ({', '.join(methods) or 'none'}), {warned} with warnings"


def change_counts(doc: Document) -> tuple[int, int, int]:
    """The machine's changes applied and only suggested, and those archivists decided."""
    machine = [c for c in doc.corrections if c.origin in _MACHINE]
    applied = sum(c.applied for c in machine)
    reviewed = sum(c.origin == "review" for c in doc.corrections)
    return applied, len(machine) - applied, reviewed


def _changes(doc: Document) -> str:
    applied, suggested, reviewed = change_counts(doc)
    return (f"{applied} changes applied, {suggested} suggested and not applied "
            f"(scored below the threshold); {reviewed} decided by archivists")


def _event(root: etree._Element, identifier: str, kind: str, when: str, *,
           details: list[str], notes: list[str], agents: list[_Link],
           objects: list[_Link]) -> None:
    event = _sub(root, "event")
    _identifier(event, "event", identifier)
    _sub(event, "eventType", kind)
    _sub(event, "eventDateTime", when)
    for detail in details:
        _sub(_sub(event, "eventDetailInformation"), "eventDetail", detail)
    outcome = _sub(event, "eventOutcomeInformation")
    _sub(outcome, "eventOutcome", "success")
    for note in notes:
        _sub(_sub(outcome, "eventOutcomeDetail"), "eventOutcomeDetailNote", note)
    for link in agents:
        _linking(event, "linkingAgent", link)
    for link in objects:
        _linking(event, "linkingObject", link)


def _linking(event: etree._Element, kind: str, link: _Link) -> None:
    element = _sub(event, f"{kind}Identifier")
    _sub(element, f"{kind}IdentifierType", LOCAL)
    _sub(element, f"{kind}IdentifierValue", link.identifier)
    _sub(element, f"{kind}Role", link.role)


@dataclass
class _Agent:
    name: str
    kind: str  # software, organization, person
    version: str = ""
    codes: tuple[tuple[str, str], ...] = ()  # further (identifier type, value)
    note: str = ""


class _Agents:
    """The agents named by events, in the order first named; written after the events."""

    def __init__(self) -> None:
        self._agents: dict[str, _Agent] = {}

    def software(self, name: str, version: str) -> str:
        identifier = f"agent-{name}-{version}"
        self._agents.setdefault(identifier, _Agent(name, "software", version))
        return identifier

    def organisation(self, role: str, agent: Agent, note: str) -> str:
        identifier = f"agent-{role}"
        self._agents.setdefault(identifier, _Agent(
            agent.name, "organization", codes=(("identification code", agent.identifier),),
            note=note))
        return identifier

    def person(self, name: str) -> str:
        people = [i for i, a in self._agents.items() if a.kind == "person"]
        for identifier in people:
            if self._agents[identifier].name == name:
                return identifier
        identifier = f"agent-archivist-{len(people) + 1}"
        self._agents[identifier] = _Agent(name, "person", note="archivist who decided on "
                                          "the machine's changes in review")
        return identifier

    def write(self, root: etree._Element) -> None:
        for identifier, agent in self._agents.items():
            element = _sub(root, "agent")
            for code_type, value in [(LOCAL, identifier), *agent.codes]:
                code = _sub(element, "agentIdentifier")
                _sub(code, "agentIdentifierType", code_type)
                _sub(code, "agentIdentifierValue", value)
            _sub(element, "agentName", agent.name)
            _sub(element, "agentType", agent.kind)
            if agent.version:
                _sub(element, "agentVersion", agent.version)
            if agent.note:
                _sub(element, "agentNote", agent.note)


def _identifier(parent: etree._Element, kind: str, value: str) -> None:
    element = _sub(parent, f"{kind}Identifier")
    _sub(element, f"{kind}IdentifierType", LOCAL)
    _sub(element, f"{kind}IdentifierValue", value)


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(tag))
    if text is not None:
        element.text = text
    return element


def _q(tag: str) -> str:
    return f"{{{NS['premis']}}}{tag}"
