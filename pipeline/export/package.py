"""E-ARK SIP (FGS Paketstruktur 2.0) per document, built aside and renamed into place.

    <id>/METS.xml                                   package METS
    <id>/metadata/descriptive/protokoll.xml         the project's own XML (dmdSec)
    <id>/metadata/descriptive/erms.xml              CITS ERMS, with --erms (dmdSec)
    <id>/representations/source/METS.xml, data/…    the scan or text as received
    <id>/representations/ocr/METS.xml, data/…       ALTO per page and the corrected text
    <id>/schemas/…                                  every schema the XML files use

The caller passes the document as reviewed (`pipeline.review.apply.load_document`), so
decisions made in review are in, and its files are rendered again from it. The package is
verified (schemas, checksums, references) before it is renamed into place; with the same
`created` time the same document gives a byte-identical package.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from pipeline.exceptions import (
    MissingDependencyError,
    OutputError,
    UnreadableSourceError,
    UsageError,
)
from pipeline.export import erms, render, verify, xsd
from pipeline.export.alto import NS as ALTO_NS
from pipeline.export.archive_config import PackageOptions
from pipeline.export.mets import NS as METS_NS
from pipeline.export.mets import (
    Kind,
    Metadata,
    PackageFile,
    Representation,
    package_mets,
    representation_mets,
)
from pipeline.model import Document

log = logging.getLogger(__name__)

PROJECT_SCHEMAS = Path(__file__).parent / "schemas"  # the project's own XSD
SCHEMA_HELP = ("Put the schemas in one folder (METS 1.12.1 mets.xsd with xlink.xsd from "
               "the Library of Congress, ALTO 4.4 alto-4-4.xsd from github.com/altoxml/schema; "
               "optionally the E-ARK DILCISExtensionMETS.xsd and the CITS ERMS.xsd) and pass "
               "--schemas DIR or set schemas in [package] of the config file.")
_TYPES = {".xml": "text/xml", ".xsd": "text/xml", ".txt": "text/plain", ".pdf": "application/pdf",
          ".tif": "image/tiff", ".tiff": "image/tiff", ".png": "image/png", ".jpg": "image/jpeg",
          ".jpeg": "image/jpeg"}
_OPTIONAL = {METS_NS["csip"]: "E-ARK CSIP extension", erms.NS["erms"]: "CITS ERMS"}


@dataclass
class PackageResult:
    path: Path
    files: int
    size: int  # bytes, all files
    seconds: float
    warnings: list[str] = field(default_factory=list)


def build(doc: Document, packages: Path, options: PackageOptions) -> PackageResult:
    """The package of `doc` (as reviewed), as packages/<id>/."""
    clock = time.perf_counter()
    files, warnings = package_files(doc, options)
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


def package_files(doc: Document, options: PackageOptions) -> tuple[list[PackageFile], list[str]]:
    """Every file of the package (paths from its root) and warnings about missing schemas."""
    rendered = render(doc)
    kind = _kind(doc, options)
    metadata = _metadata(doc, rendered, options)
    reps = {"source": [_source(doc)], "ocr": _ocr(rendered)}
    xml = [m.file for m in metadata] + [f for f in reps["ocr"] if f.path.endswith(".xml")]
    schemas, by_ns, warnings = _schemas(xml, options)
    by_ns = {ns: path for ns, path in by_ns.items() if ns in METS_NS.values()}
    out: list[PackageFile] = [*schemas, *(m.file for m in metadata)]
    representations = []
    for name, data in reps.items():
        rel = {ns: f"../../{path}" for ns, path in by_ns.items()}
        text = representation_mets(name=name, kind=kind, options=options, files=data,
                                   schema_paths=rel)
        mets = PackageFile(f"representations/{name}/METS.xml", text.encode(), "text/xml")
        representations.append(Representation(name, mets))
        out += [mets, *(PackageFile(f"representations/{name}/{f.path}", f.data, f.mimetype)
                        for f in data)]
    root = package_mets(package_id=doc.id, label=_label(doc), kind=kind, options=options,
                        metadata=metadata, schemas=schemas, representations=representations,
                        schema_paths=by_ns)
    out.append(PackageFile("METS.xml", root.encode(), "text/xml"))
    return sorted(out, key=lambda f: f.path), warnings


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


def _schemas(xml: list[PackageFile], options: PackageOptions
             ) -> tuple[list[PackageFile], dict[str, str], list[str]]:
    """The schema files for the package; namespace -> path for METS schemaLocation."""
    folders = [f for f in (options.config.schemas, PROJECT_SCHEMAS) if f is not None]
    found = xsd.SchemaFolder.scan(folders)
    used = [METS_NS["mets"], *dict.fromkeys(_root_namespace(f) for f in xml)]
    required = [ns for ns in used if ns not in _OPTIONAL]
    missing = [ns for ns in required if ns not in found.by_namespace]
    if missing or METS_NS["xlink"] not in found.by_namespace:
        where = options.config.schemas or "no schemas folder given"
        names = ", ".join(_schema_name(ns) for ns in missing) or "XLink"
        raise MissingDependencyError(f"no schema found for {names}", path=where,
                                     fix=SCHEMA_HELP)
    wanted = [*used, METS_NS["csip"]]
    warnings = [f"no {_OPTIONAL[ns]} schema in the schemas folder; the package goes without it"
                for ns in wanted if ns in _OPTIONAL and ns not in found.by_namespace]
    for warning in warnings:
        log.info(warning)
    files = found.with_imports([ns for ns in wanted if ns in found.by_namespace])
    names = [p.name for p in files]
    if len(set(names)) != len(names):
        raise MissingDependencyError("two schema files have the same name", path=", ".join(
            str(p) for p in files), fix="Keep one schema per name in the schemas folder.")
    out = [PackageFile(f"schemas/{p.name}", p.read_bytes(), "text/xml") for p in files]
    by_ns = {ns: f"schemas/{p.name}" for ns, p in found.by_namespace.items()
             if p.resolve() in files}
    return out, by_ns, warnings


def _root_namespace(file: PackageFile) -> str | None:
    return etree.QName(etree.fromstring(file.data)).namespace


def _schema_name(namespace: str) -> str:
    names = {METS_NS["mets"]: "METS", ALTO_NS["alto"]: "ALTO 4.4"}
    return names.get(namespace, namespace)


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
