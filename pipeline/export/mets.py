"""METS 1.12 for E-ARK CSIP/SIP packages (FGS Paketstruktur 2.0).

The package METS (`METS.xml`) names the package, its creating software and the
submitting and archival-creator organisations, points at the descriptive metadata
(dmdSec), the preservation metadata (amdSec/digiprovMD, PREMIS), the documentation, the
schemas and each representation's own METS. A representation's METS lists its
documentation and schemas (those of the package root, by relative path), its PREMIS
file and its data files. Every file carries SHA-256 CHECKSUM, SIZE, MIMETYPE and
CREATED. The CSIP extension attributes (csip:…) are in their own namespace, which plain
METS accepts, so every METS file also validates against the plain METS schema.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from lxml import etree

from pipeline import __version__
from pipeline.export.archive_config import Agent, PackageOptions
from pipeline.export.xsd import XSI, serialize

NS = {
    "mets": "http://www.loc.gov/METS/",
    "xlink": "http://www.w3.org/1999/xlink",
    "csip": "https://DILCIS.eu/XML/METS/CSIPExtensionMETS",
    "xsi": XSI,
}
PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
SOFTWARE = "protokoll"
_MDTYPES = {"PREMIS", "PREMIS:OBJECT", "PREMIS:EVENT", "PREMIS:AGENT", "PREMIS:RIGHTS"}


@dataclass(frozen=True)
class PackageFile:
    """A file of the package: path from the package root (POSIX), its bytes, its type."""

    path: str
    data: bytes
    mimetype: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Metadata:
    """A metadata file for a dmdSec or digiprovMD: MDTYPE `kind` when METS knows it
    (PREMIS), else MDTYPE OTHER with OTHERMDTYPE `kind`."""

    id: str
    file: PackageFile
    kind: str


@dataclass(frozen=True)
class Listed:
    """A file as a METS lists it: the file and its href from that METS file."""

    file: PackageFile
    href: str


@dataclass(frozen=True)
class Contents:
    """What a METS file lists besides its data: metadata, documentation, schemas."""

    descriptive: list[Metadata]
    preservation: list[Metadata]
    documentation: list[Listed]
    schemas: list[Listed]


@dataclass(frozen=True)
class Representation:
    name: str
    mets: PackageFile  # representations/<name>/METS.xml


@dataclass(frozen=True)
class Kind:
    """What the package holds: CSIP content category and content information type."""

    category: str  # mets/@TYPE, e.g. "Textual works – Print"
    information_type: str  # csip:CONTENTINFORMATIONTYPE, e.g. OTHER or citserms_v2_1
    other_information_type: str | None = None


def package_mets(*, package_id: str, label: str, kind: Kind, options: PackageOptions,
                 contents: Contents, representations: list[Representation],
                 schema_paths: dict[str, str]) -> str:
    """The package METS.xml. `schema_paths`: namespace -> schema path from the root."""
    root = _root(package_id, label, kind, schema_paths)
    root.append(_header(options, organisations=True))
    _metadata_sections(root, contents, options.created)
    file_sec = etree.SubElement(root, _q("fileSec"), ID="filesec")
    _listed_groups(file_sec, "", contents, options.created)
    for rep in representations:
        grp = _group(file_sec, f"grp-rep-{rep.name}", f"Representations/{rep.name}")
        _set_kind(grp, kind)
        _file(grp, f"file-rep-{rep.name}-mets", rep.mets, rep.mets.path, options.created)
    top = _struct_top(root, "", package_id, contents)
    for rep in representations:
        div = etree.SubElement(top, _q("div"), ID=f"div-rep-{rep.name}",
                               LABEL=f"Representations/{rep.name}")
        pointer = etree.SubElement(div, _q("mptr"), LOCTYPE="URL")
        _link(pointer, rep.mets.path, title=f"grp-rep-{rep.name}")
    return serialize(root)


def representation_mets(*, name: str, kind: Kind, options: PackageOptions,
                        contents: Contents, files: list[PackageFile],
                        schema_paths: dict[str, str]) -> str:
    """representations/<name>/METS.xml; file paths are relative to the representation."""
    root = _root(name, name, kind, schema_paths)
    root.append(_header(options, organisations=False))
    _metadata_sections(root, contents, options.created, prefix=f"{name}-")
    file_sec = etree.SubElement(root, _q("fileSec"), ID=f"filesec-{name}")
    _listed_groups(file_sec, f"{name}-", contents, options.created)
    grp = _group(file_sec, f"grp-{name}-data", "Data")
    ids = []
    for n, file in enumerate(files, 1):
        ids.append(f"file-{name}-{n}")
        _file(grp, ids[-1], file, file.path, options.created)
    top = _struct_top(root, f"{name}-", name, contents)
    data = etree.SubElement(top, _q("div"), ID=f"div-{name}-data", LABEL="Data")
    for file_id in ids:
        etree.SubElement(data, _q("fptr"), FILEID=file_id)
    return serialize(root)


def _metadata_sections(root: etree._Element, contents: Contents, created: str, *,
                       prefix: str = "") -> None:
    """A dmdSec per descriptive file, and one amdSec with a digiprovMD per PREMIS file."""
    for md in contents.descriptive:
        dmd = etree.SubElement(root, _q("dmdSec"), ID=md.id, CREATED=created, STATUS="CURRENT")
        _md_ref(dmd, md, created)
    if contents.preservation:
        amd = etree.SubElement(root, _q("amdSec"), ID=f"{prefix}amdsec")
        for md in contents.preservation:
            digiprov = etree.SubElement(amd, _q("digiprovMD"), ID=md.id, CREATED=created,
                                        STATUS="CURRENT")
            _md_ref(digiprov, md, created)


def _md_ref(section: etree._Element, md: Metadata, created: str) -> None:
    ref = etree.SubElement(section, _q("mdRef"), LOCTYPE="URL")
    if md.kind in _MDTYPES:
        ref.set("MDTYPE", md.kind)
    else:
        ref.set("MDTYPE", "OTHER")
        ref.set("OTHERMDTYPE", md.kind)
    _link(ref, md.file.path)
    _describe_file(ref, md.file, created)


def _listed_groups(file_sec: etree._Element, prefix: str, contents: Contents,
                   created: str) -> None:
    for use, listed in (("Documentation", contents.documentation),
                        ("Schemas", contents.schemas)):
        if not listed:
            continue
        key = use.lower()
        grp = _group(file_sec, f"grp-{prefix}{key}", use)
        for n, item in enumerate(listed, 1):
            _file(grp, f"file-{prefix}{key}-{n}", item.file, item.href, created)


def _struct_top(root: etree._Element, prefix: str, label: str,
                contents: Contents) -> etree._Element:
    """The CSIP structMap's division with its Metadata, Documentation and Schemas."""
    name = prefix.rstrip("-")  # "" for the package, the representation's name otherwise
    struct = etree.SubElement(root, _q("structMap"), ID=f"structmap-{name}" if name
                              else "structmap", TYPE="PHYSICAL", LABEL="CSIP")
    top = etree.SubElement(struct, _q("div"), ID=f"div-{name or 'package'}", LABEL=label)
    meta = etree.SubElement(top, _q("div"), ID=f"div-{prefix}metadata", LABEL="Metadata")
    if contents.descriptive:
        meta.set("DMDID", " ".join(md.id for md in contents.descriptive))
    if contents.preservation:
        meta.set("ADMID", " ".join(md.id for md in contents.preservation))
    for use, listed in (("Documentation", contents.documentation),
                        ("Schemas", contents.schemas)):
        if listed:
            key = use.lower()
            div = etree.SubElement(top, _q("div"), ID=f"div-{prefix}{key}", LABEL=use)
            etree.SubElement(div, _q("fptr"), FILEID=f"grp-{prefix}{key}")
    return top


def _root(objid: str, label: str, kind: Kind, schema_paths: dict[str, str]) -> etree._Element:
    root = etree.Element(_q("mets"), nsmap={"mets": NS["mets"], "xlink": NS["xlink"],
                                            "csip": NS["csip"], "xsi": NS["xsi"]})
    root.set("OBJID", objid)
    root.set("LABEL", label)
    root.set("TYPE", kind.category)
    _set_kind(root, kind)
    root.set("PROFILE", PROFILE)
    location = " ".join(f"{ns} {path}" for ns, path in schema_paths.items())
    if location:
        root.set(f"{{{XSI}}}schemaLocation", location)
    return root


def _set_kind(element: etree._Element, kind: Kind) -> None:
    element.set(f"{{{NS['csip']}}}CONTENTINFORMATIONTYPE", kind.information_type)
    if kind.other_information_type:
        element.set(f"{{{NS['csip']}}}OTHERCONTENTINFORMATIONTYPE", kind.other_information_type)


def _header(options: PackageOptions, *, organisations: bool) -> etree._Element:
    header = etree.Element(_q("metsHdr"), CREATEDATE=options.created,
                           LASTMODDATE=options.created, RECORDSTATUS="NEW")
    header.set(f"{{{NS['csip']}}}OAISPACKAGETYPE", "SIP")
    software = etree.SubElement(header, _q("agent"), ROLE="CREATOR", TYPE="OTHER",
                                OTHERTYPE="SOFTWARE")
    etree.SubElement(software, _q("name")).text = SOFTWARE
    _note(software, __version__, "SOFTWARE VERSION")
    if organisations:
        _organisation(header, "CREATOR", options.config.submitter)
        _organisation(header, "ARCHIVIST", options.config.creator)
        if options.config.submission_agreement:
            etree.SubElement(header, _q("altRecordID"), TYPE="SUBMISSIONAGREEMENT").text = \
                options.config.submission_agreement
    return header


def _organisation(header: etree._Element, role: str, agent: Agent) -> None:
    element = etree.SubElement(header, _q("agent"), ROLE=role, TYPE="ORGANIZATION")
    etree.SubElement(element, _q("name")).text = agent.name
    _note(element, agent.identifier, "IDENTIFICATIONCODE")


def _note(agent: etree._Element, text: str, note_type: str) -> None:
    note = etree.SubElement(agent, _q("note"))
    note.set(f"{{{NS['csip']}}}NOTETYPE", note_type)
    note.text = text


def _group(file_sec: etree._Element, group_id: str, use: str) -> etree._Element:
    return etree.SubElement(file_sec, _q("fileGrp"), ID=group_id, USE=use)


def _file(group: etree._Element, file_id: str, file: PackageFile, href: str,
          created: str) -> None:
    element = etree.SubElement(group, _q("file"), ID=file_id)
    _describe_file(element, file, created)
    locator = etree.SubElement(element, _q("FLocat"), LOCTYPE="URL")
    _link(locator, href)


def _describe_file(element: etree._Element, file: PackageFile, created: str) -> None:
    element.set("MIMETYPE", file.mimetype)
    element.set("SIZE", str(len(file.data)))
    element.set("CREATED", created)
    element.set("CHECKSUM", file.sha256)
    element.set("CHECKSUMTYPE", "SHA-256")


def _link(element: etree._Element, path: str, *, title: str | None = None) -> None:
    element.set(f"{{{NS['xlink']}}}type", "simple")
    element.set(f"{{{NS['xlink']}}}href", quote(path, safe="/"))
    if title:
        element.set(f"{{{NS['xlink']}}}title", title)


def _q(tag: str) -> str:
    return f"{{{NS['mets']}}}{tag}"
