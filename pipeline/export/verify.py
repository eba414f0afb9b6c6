"""Re-check a package: every METS reference, checksum and size, no stray file, schemas.

Starting from the package METS.xml it follows every file, metadata and METS pointer
(representation METS files are followed in turn), so a missing, changed or extra file is
named with what is wrong. Every XML file is validated against the schema for its root
namespace found in the package's own `schemas/` folder (a file without one is a
warning: a package may go without a schema that could not be had). Every PREMIS file is
checked against the package (`premis_check`); a package without one gets a warning.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from pipeline.export import premis_check, xsd
from pipeline.export.mets import NS
from pipeline.export.premis import NS as PREMIS_NS

_ALGORITHMS = {"SHA-256": "sha256", "SHA-512": "sha512", "SHA-384": "sha384",
               "SHA-1": "sha1", "MD5": "md5"}
_REQUIRED = ("CHECKSUM", "CHECKSUMTYPE", "SIZE", "MIMETYPE", "CREATED")


@dataclass
class Problem:
    path: str  # relative to the package
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message}"


@dataclass
class Report:
    package: Path
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # files in the package
    checksums: int = 0  # checksums that matched
    valid_xml: int = 0  # XML files valid against their schema

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def summary(self) -> str:
        if self.ok:
            return (f"{self.package}: ok: {self.files} files, {self.checksums} checksums match, "
                    f"{self.valid_xml} XML files valid against their schemas"
                    + (f", {len(self.problems)} warning(s)" if self.problems else ""))
        errors = sum(p.severity == "error" for p in self.problems)
        return f"{self.package}: {errors} problem(s)"


def verify(package: Path) -> Report:
    report = Report(package)
    package = package.resolve()  # files found by walking are compared with resolved references
    if not (package / "METS.xml").is_file():
        report.problems.append(Problem("METS.xml", "missing: this is not an E-ARK package"))
        return report
    referenced = _follow(package, report)
    present = {p for p in package.rglob("*") if p.is_file()}
    report.files = len(present)
    for path in sorted(present - referenced):
        report.problems.append(Problem(_rel(package, path), "not referenced by any METS file"))
    _validate(package, sorted(present & referenced), report)
    return report


def _follow(package: Path, report: Report) -> set[Path]:
    """Check every reference of every METS file; the files referenced (and the METS)."""
    root = (package / "METS.xml").resolve()
    seen: set[Path] = {root}
    queue = [root]
    while queue:
        mets = queue.pop(0)
        try:
            tree = etree.parse(str(mets))
        except etree.XMLSyntaxError as exc:
            report.problems.append(Problem(_rel(package, mets), f"not well-formed XML ({exc})"))
            continue
        for element, href in _references(tree):
            target = _resolve(package, mets, href, report)
            if target is None:
                continue
            new = target not in seen
            seen.add(target)
            if not target.is_file():
                report.problems.append(Problem(
                    _rel(package, target), f"missing (referenced by {_rel(package, mets)})"))
                continue
            if element is not None:
                _check_file(package, element, target, report)
            if target.name == "METS.xml" and new:
                queue.append(target)
    return seen


def _references(tree: etree._ElementTree) -> list[tuple[etree._Element | None, str]]:
    """(element carrying SIZE/CHECKSUM or None, href) for every reference of a METS file."""
    out: list[tuple[etree._Element | None, str]] = []
    href = f"{{{NS['xlink']}}}href"
    for file in tree.iter(f"{{{NS['mets']}}}file"):
        for locator in file.iter(f"{{{NS['mets']}}}FLocat"):
            out.append((file, locator.get(href, "")))
    for ref in tree.iter(f"{{{NS['mets']}}}mdRef"):
        out.append((ref, ref.get(href, "")))
    for pointer in tree.iter(f"{{{NS['mets']}}}mptr"):
        out.append((None, pointer.get(href, "")))
    return out


def _resolve(package: Path, mets: Path, href: str, report: Report) -> Path | None:
    where = _rel(package, mets)
    if not href:
        report.problems.append(Problem(where, "a reference has no xlink:href"))
        return None
    path = unquote(href.removeprefix("file:"))
    target = (mets.parent / path).resolve()
    if path.startswith("/") or "://" in href or not target.is_relative_to(package.resolve()):
        report.problems.append(Problem(where, f"reference {href!r} points outside the package"))
        return None
    return target


def _check_file(package: Path, element: etree._Element, target: Path, report: Report) -> None:
    where = _rel(package, target)
    missing = [name for name in _REQUIRED if not element.get(name)]
    if missing:
        report.problems.append(Problem(where, f"METS gives no {', '.join(missing)}"))
    size = element.get("SIZE")
    actual_size = target.stat().st_size
    if size and size != str(actual_size):
        report.problems.append(Problem(
            where, f"size differs: METS says {size} bytes, the file has {actual_size}"))
    checksum, kind = element.get("CHECKSUM"), element.get("CHECKSUMTYPE")
    if not checksum or not kind:
        return
    if kind not in _ALGORITHMS:
        report.problems.append(Problem(where, f"unknown CHECKSUMTYPE {kind!r}"))
        return
    with target.open("rb") as f:
        actual = hashlib.file_digest(f, _ALGORITHMS[kind]).hexdigest()
    if actual != checksum.lower():
        report.problems.append(Problem(
            where, f"{kind} checksum differs: METS says {checksum}, the file has {actual}"))
    else:
        report.checksums += 1


def _validate(package: Path, files: list[Path], report: Report) -> None:
    schemas = xsd.SchemaFolder.scan([package / "schemas"])
    compiled: dict[str, object] = {}
    preservation = 0
    for path in files:
        if path.suffix.lower() != ".xml":
            continue
        where = _rel(package, path)
        try:
            namespace = xsd.root_namespace(path)
        except etree.XMLSyntaxError as exc:
            report.problems.append(Problem(where, f"not well-formed XML ({exc})"))
            continue
        if namespace == PREMIS_NS["premis"]:
            preservation += 1
            report.problems.extend(Problem(where, p) for p in premis_check.problems(package, path))
        schema = _schema(schemas, namespace, compiled, package, report)
        if schema is None:
            report.problems.append(Problem(
                where, f"no schema in schemas/ for namespace {namespace!r}; not validated",
                "warning"))
            continue
        errors = xsd.schema_errors(schema, path)
        if errors:
            report.problems.extend(Problem(where, f"invalid: {e}") for e in errors)
        else:
            report.valid_xml += 1
    if not preservation:
        report.problems.append(Problem("METS.xml", "no PREMIS preservation metadata", "warning"))


def _schema(schemas: xsd.SchemaFolder, namespace: str | None, compiled: dict,
            package: Path, report: Report):
    if namespace is None or namespace not in schemas.by_namespace:
        return None
    if namespace not in compiled:
        path = schemas.by_namespace[namespace]
        try:
            compiled[namespace] = xsd.load_schema(path, within=package)
        except ValueError as exc:
            report.problems.append(Problem(_rel(package, path), f"cannot be loaded ({exc})"))
            compiled[namespace] = None
    return compiled[namespace]


def _rel(package: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(package.resolve()).as_posix()
    except ValueError:
        return str(path)
