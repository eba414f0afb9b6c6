"""The schemas a package carries: found by target namespace, their imports made local.

Where a schema comes from, first found wins: the folder the user names (`--schemas`),
the project's own schemas (`schemas/protokoll-1.0.xsd`), then the schemas that the
`eark-validator` distribution installs as data files (METS, XLink, the E-ARK CSIP and
SIP extensions). Those are read as files through the distribution's list of files; its
modules are never imported (they fetch vocabularies from the web when imported).

The package holds one schema per namespace, side by side in `schemas/`, so an import's
`schemaLocation` is pointed at the file chosen for its namespace; a schema whose imports
already name those files is copied byte for byte. A schema that cannot be had, or whose
imports cannot, is left out and reported, and the package goes on without it.
"""

from __future__ import annotations

import importlib.metadata
import logging
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.exceptions import MissingDependencyError
from pipeline.export import xsd

log = logging.getLogger(__name__)

PROJECT_SCHEMAS = Path(__file__).parent / "schemas"  # the project's own XSD
DISTRIBUTION = "eark-validator"  # installed with protokoll; carries METS, XLink, CSIP


@dataclass
class Schemas:
    """The schema files for a package and what could not be had."""

    files: dict[str, bytes] = field(default_factory=dict)  # name in schemas/ -> content
    by_namespace: dict[str, str] = field(default_factory=dict)  # namespace -> name
    imports: dict[str, list[str]] = field(default_factory=dict)  # name -> names it needs
    missing: list[str] = field(default_factory=list)  # namespaces wanted, no usable schema

    def closure(self, namespaces: list[str]) -> list[str]:
        """The file names for these namespaces and everything they import, sorted."""
        todo = [self.by_namespace[ns] for ns in namespaces if ns in self.by_namespace]
        out: set[str] = set()
        while todo:
            name = todo.pop()
            if name not in out:
                out.add(name)
                todo.extend(self.imports.get(name, []))
        return sorted(out)


def folders(user: Path | None) -> list[Path]:
    """Where to look, in order: the user's folder, the project's, the distribution's."""
    return [f for f in (user, PROJECT_SCHEMAS) if f is not None] + bundled_folders(DISTRIBUTION)


def bundled_folders(distribution: str) -> list[Path]:
    """The folders holding the .xsd files an installed distribution ships (none when it
    is not installed)."""
    try:
        files = importlib.metadata.files(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        log.info("%s is not installed; its schemas are not available", distribution)
        return []
    found = {Path(str(f.locate())).parent for f in files if f.name.endswith(".xsd")}
    return sorted(p for p in found if p.is_dir())


def collect(namespaces: list[str], found: xsd.SchemaFolder) -> Schemas:
    """The schemas for `namespaces` (and their imports) from what `found` holds."""
    usable: dict[str, Path | None] = {}
    for namespace in namespaces:
        _usable(namespace, found, usable)
    out = Schemas(missing=[ns for ns in namespaces if usable.get(ns) is None])
    paths = _reachable([ns for ns in namespaces if usable.get(ns)], usable)
    out.by_namespace = {ns: path.name for ns, path in paths.items()}
    for namespace, path in paths.items():
        name = out.by_namespace[namespace]
        data, needs = _localised(path, out.by_namespace)
        _add(out, name, data, path)
        out.imports[name] = needs
        for include in _includes(path):
            _add(out, include.name, include.read_bytes(), include)
            out.imports[name].append(include.name)
    return out


def _usable(namespace: str, found: xsd.SchemaFolder, usable: dict[str, Path | None]) -> bool:
    """Whether a schema for `namespace` is there with everything it imports."""
    if namespace in usable:
        return usable[namespace] is not None
    path = found.by_namespace.get(namespace)
    usable[namespace] = path  # provisionally, so that imports in a cycle end here
    if path is None:
        return False
    for ref in xsd.references(path):
        if ref.namespace and ref.namespace != namespace and \
                not _usable(ref.namespace, found, usable):
            log.info("the schema %s imports %s, which is not available", path, ref.namespace)
            usable[namespace] = None
            return False
    return True


def _reachable(namespaces: list[str], usable: dict[str, Path | None]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    todo = list(namespaces)
    while todo:
        namespace = todo.pop(0)
        path = usable.get(namespace)
        if path is None or namespace in out:
            continue
        out[namespace] = path
        todo.extend(r.namespace for r in xsd.references(path) if r.namespace)
    return out


def _localised(path: Path, names: dict[str, str]) -> tuple[bytes, list[str]]:
    """The schema's bytes with each import pointing at the file for its namespace, and
    the names of those files."""
    data = path.read_bytes()
    needs = []
    for ref in xsd.references(path):
        name = names.get(ref.namespace or "")
        if ref.namespace is None or name is None:
            continue
        needs.append(name)
        if ref.location != name:
            data = _relocate(data, ref.location, name, path)
    return data, needs


def _relocate(data: bytes, old: str, new: str, path: Path) -> bytes:
    for quote in (b'"', b"'"):
        written = b"schemaLocation=" + quote + old.encode() + quote
        if written in data:
            return data.replace(written, b"schemaLocation=" + quote + new.encode() + quote)
    log.warning("%s: could not point its import %r at %s", path, old, new)
    return data


def _includes(path: Path) -> list[Path]:
    """Files the schema includes by a relative location (same namespace)."""
    out = []
    for ref in xsd.references(path):
        if ref.namespace is None and ref.location and "://" not in ref.location:
            target = (path.parent / ref.location).resolve()
            if target.is_file():
                out.append(target)
    return out


def _add(out: Schemas, name: str, data: bytes, path: Path) -> None:
    if name in out.files and out.files[name] != data:
        raise MissingDependencyError(
            f"two different schemas are named {name}", path=path,
            fix="Keep one schema per file name in the --schemas folder.")
    out.files[name] = data
