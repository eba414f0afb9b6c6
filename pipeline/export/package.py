"""E-ARK SIP (FGS Paketstruktur 2.0) per document, built aside and renamed into place.

    <id>/METS.xml                                   package METS
    <id>/metadata/descriptive/protokoll.xml         the project's own XML (dmdSec)
    <id>/metadata/descriptive/erms.xml              CITS ERMS, with --erms (dmdSec)
    <id>/metadata/preservation/premis.xml           PREMIS 3 provenance (amdSec/digiprovMD)
    <id>/documentation/README.txt                   what the package holds (sv, en)
    <id>/representations/source/METS.xml, data/…    the scan or text as received
    <id>/representations/ocr/METS.xml, data/…       ALTO per page and the corrected text
    <id>/representations/*/metadata/preservation/premis.xml   the representation's files
    <id>/schemas/…                                  every schema the XML files use

The caller passes the document as reviewed (`pipeline.review.apply.load_document`) and
its review sessions, so decisions made in review are in, and its files are rendered
again from it. The package is verified (schemas, checksums, references, PREMIS) before
it is renamed into place; with the same `created` time the same document gives a
byte-identical package.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from pipeline.exceptions import OutputError, UnreadableSourceError, UsageError
from pipeline.export import documentation, erms, premis, render, schema_files, verify, xsd
from pipeline.export.alto import NS as ALTO_NS
from pipeline.export.archive_config import PackageOptions
from pipeline.export.mets import NS as METS_NS
from pipeline.export.mets import (
    Contents,
    Kind,
    Listed,
    Metadata,
    PackageFile,
    Representation,
    package_mets,
    representation_mets,
)
from pipeline.export.premis import ReviewSession
from pipeline.export.protokoll_xml import NAMESPACE as PROTOKOLL_NS
from pipeline.model import Document

log = logging.getLogger(__name__)

_TYPES = {".xml": "text/xml", ".xsd": "text/xml", ".txt": "text/plain", ".pdf": "application/pdf",
          ".tif": "image/tiff", ".tiff": "image/tiff", ".png": "image/png", ".jpg": "image/jpeg",
          ".jpeg": "image/jpeg"}
_SCHEMA_NAMES = {METS_NS["mets"]: "METS", METS_NS["xlink"]: "XLink",
                 METS_NS["csip"]: "the E-ARK CSIP extension", ALTO_NS["alto"]: "ALTO 4.4",
                 premis.NS["premis"]: "PREMIS 3", erms.NS["erms"]: "CITS ERMS",
                 PROTOKOLL_NS: "protokoll.xml"}
_PREMIS = "metadata/preservation/premis.xml"


@dataclass
class PackageResult:
    path: Path
    files: int
    size: int  # bytes, all files
    seconds: float
    warnings: list[str] = field(default_factory=list)


def build(doc: Document, packages: Path, options: PackageOptions, *,
          reviews: Sequence[ReviewSession] = ()) -> PackageResult:
    """The package of `doc` (as reviewed, with its review sessions) as packages/<id>/."""
    clock = time.perf_counter()
    files, warnings = package_files(doc, options, reviews=reviews)
    target = packages / doc.id
    _install(files, target)
    size = sum(len(f.data) for f in files)
    return PackageResult(target, len(files), size, round(time.perf_counter() - clock, 3),
                         warnings)


def document_folders(out: Path, names: list[str] | None = None) -> list[Path]:
    """The document folders of a run's output folder (or `out` itself when it is one)."""
    if (out / "document.json").is_file():
        return [out]
    folders = sorted(p.parent for p in out.glob("*/document.json"))
    if names is not None:
        folders = [f for f in folders if f.name in set(names)]
    if not folders and names is None:
        raise UsageError("no processed document here (no */document.json)", path=out,
                         fix="Name the --out folder of `protokoll run`.")
    return folders


def package_files(doc: Document, options: PackageOptions, *,
                  reviews: Sequence[ReviewSession] = ()) -> tuple[list[PackageFile], list[str]]:
    """Every file of the package (paths from its root) and notes about missing schemas."""
    rendered = render(doc)
    kind = _kind(doc, options)
    descriptive = _metadata(doc, rendered, options)
    source = _source(doc)
    reps = {"source": [source], "ocr": _ocr(rendered)}
    provenance = _preservation("digiprov-premis", premis.package_premis(
        doc, _in_rep("source", source), options, list(reviews)))
    rep_premis = {name: _preservation(f"digiprov-{name}-premis", text)
                  for name, text in _representation_premis(reps).items()}
    xml = [m.file for m in [*descriptive, provenance, *rep_premis.values()]] + \
        [f for files in reps.values() for f in files if f.path.endswith(".xml")]
    schemas = _schemas(xml, options)
    missing = [_SCHEMA_NAMES.get(ns, ns) for ns in schemas.missing]
    readme = _file(documentation.PATH, documentation.render(
        doc, options, label=_label(doc), paths=[f.path for f in xml], missing=missing,
        sessions=len(reviews)))
    out = [*_schema_files(schemas, schemas.files), readme, provenance.file,
           *(m.file for m in descriptive)]
    representations = []
    for name, data in reps.items():
        files = _representation(name, data, rep_premis[name], kind=kind, options=options,
                                readme=readme, schemas=schemas)
        representations.append(Representation(name, files[0]))
        out += files
    contents = Contents(descriptive, [provenance], [Listed(readme, readme.path)],
                        [Listed(f, f.path) for f in _schema_files(schemas, schemas.files)])
    root = package_mets(package_id=doc.id, label=_label(doc), kind=kind, options=options,
                        contents=contents, representations=representations,
                        schema_paths=_mets_schemas(schemas, ""))
    out.append(PackageFile("METS.xml", root.encode(), "text/xml"))
    notes = [f"no {name} schema (give one with --schemas DIR); the packages go without it"
             for name in missing]
    return sorted(out, key=lambda f: f.path), notes


def _representation(name: str, data: list[PackageFile], preservation: Metadata, *, kind: Kind,
                    options: PackageOptions, readme: PackageFile,
                    schemas: schema_files.Schemas) -> list[PackageFile]:
    """representations/<name>/: its METS (first), its PREMIS and its data files. The
    METS lists the package's documentation and the schemas its XML files need."""
    used = [METS_NS["mets"], METS_NS["csip"], premis.NS["premis"],
            *_namespaces(f for f in data if f.path.endswith(".xml"))]
    needed = _schema_files(schemas, schemas.closure(used))
    contents = Contents([], [preservation], [Listed(readme, f"../../{readme.path}")],
                        [Listed(f, f"../../{f.path}") for f in needed])
    text = representation_mets(name=name, kind=kind, options=options, contents=contents,
                               files=data, schema_paths=_mets_schemas(schemas, "../../"))
    mets = PackageFile(f"representations/{name}/METS.xml", text.encode(), "text/xml")
    return [mets, *(_in_rep(name, f) for f in [preservation.file, *data])]


def _kind(doc: Document, options: PackageOptions) -> Kind:
    digital = bool(doc.pages) and all(p.method == "text-layer" for p in doc.pages)
    category = "Textual works – Digital" if digital else "Textual works – Print"
    if options.erms:
        return Kind(category, "citserms_v2_1")
    return Kind(category, "OTHER", "protokoll")


def _label(doc: Document) -> str:
    protocol = doc.structure
    if protocol and protocol.body and protocol.meeting_date:
        return f"{protocol.body} {protocol.meeting_date}"
    return doc.id


def _metadata(doc: Document, rendered: dict[str, str], options: PackageOptions
              ) -> list[Metadata]:
    out = []
    if "protokoll.xml" in rendered:
        out.append(Metadata("dmd-protokoll", _file("metadata/descriptive/protokoll.xml",
                                                   rendered["protokoll.xml"]), "protokoll"))
    else:
        log.warning("%s: not segmented; the package has no protokoll.xml", doc.id)
    if options.erms:
        text = erms.render(doc, doc.id, options)
        out.append(Metadata("dmd-erms", _file("metadata/descriptive/erms.xml", text), "ERMS"))
    return out


def _source(doc: Document) -> PackageFile:
    path = Path(doc.source.path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableSourceError(
            f"the source file of {doc.id} cannot be read ({exc.strerror or exc})", path=path,
            fix="Export from the folder `protokoll run` ran in, with the sources in place."
        ) from exc
    if hashlib.sha256(data).hexdigest() != doc.source.sha256:
        raise UnreadableSourceError(
            f"the source file changed since {doc.id} was processed (sha256 differs)",
            path=path, fix="Process it again with `protokoll run`, then export.")
    return PackageFile(f"data/{path.name}", data, doc.source.media_type)


def _ocr(rendered: dict[str, str]) -> list[PackageFile]:
    names = sorted(n for n in rendered if n.startswith("alto/")) + ["text.txt"]
    return [_file(f"data/{name}", rendered[name]) for name in names]


def _file(path: str, text: str) -> PackageFile:
    return PackageFile(path, text.encode("utf-8"), _TYPES[PurePosixPath(path).suffix.lower()])


def _preservation(identifier: str, text: str) -> Metadata:
    return Metadata(identifier, _file(_PREMIS, text), "PREMIS")


def _representation_premis(reps: dict[str, list[PackageFile]]) -> dict[str, str]:
    source = _in_rep("source", reps["source"][0]).path
    return {name: premis.representation_premis(
        name, files, derived_from=source if name != "source" else None)
        for name, files in reps.items()}


def _in_rep(name: str, file: PackageFile) -> PackageFile:
    return PackageFile(f"representations/{name}/{file.path}", file.data, file.mimetype)


def _schemas(xml: list[PackageFile], options: PackageOptions) -> schema_files.Schemas:
    """The schemas for the METS files and every XML file; what cannot be had is noted."""
    found = xsd.SchemaFolder.scan(schema_files.folders(options.config.schemas))
    used = [METS_NS["mets"], METS_NS["csip"], *_namespaces(xml)]
    schemas = schema_files.collect(list(dict.fromkeys(used)), found)
    for namespace in schemas.missing:
        log.info("no schema for %s; the package goes without it", namespace)
    return schemas


def _schema_files(schemas: schema_files.Schemas, names: Iterable[str]) -> list[PackageFile]:
    return [PackageFile(f"schemas/{name}", schemas.files[name], "text/xml")
            for name in sorted(names)]


def _namespaces(files: Iterable[PackageFile]) -> list[str]:
    return list(dict.fromkeys(ns for f in files if (ns := _root_namespace(f))))


def _mets_schemas(schemas: schema_files.Schemas, prefix: str) -> dict[str, str]:
    """namespace -> schema path for a METS file's xsi:schemaLocation."""
    return {ns: f"{prefix}schemas/{name}" for ns, name in schemas.by_namespace.items()
            if ns in (METS_NS["mets"], METS_NS["xlink"], METS_NS["csip"])}


def _root_namespace(file: PackageFile) -> str | None:
    return etree.QName(etree.fromstring(file.data)).namespace


def _install(files: list[PackageFile], target: Path) -> None:
    """Write the package beside `target`, verify it, then rename it into place."""
    tag = f"{os.getpid()}-{threading.get_ident()}"
    tmp = target.parent / f".{target.name}.tmp-{tag}"
    old = target.parent / f".{target.name}.old-{tag}"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        for file in files:
            path = tmp / file.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(file.data)
        report = verify.verify(tmp)
        if not report.ok:
            problems = "; ".join(str(p) for p in report.problems[:3])
            raise OutputError(f"the package does not verify ({problems})", path=target,
                              fix="Please report this with the document; rerun with -v.")
        if target.exists():
            target.rename(old)
        tmp.rename(target)
    except OSError as exc:
        if old.exists() and not target.exists():
            old.rename(target)
        raise OutputError(f"cannot write the package ({exc.strerror or exc})", path=target,
                          fix="Check free space and permissions of the packages folder.") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
