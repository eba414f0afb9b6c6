"""XML schemas: serialise a tree, find schemas by namespace, validate a file.

Schemas are known by their target namespace, not by file name, so a folder of schemas
can hold `mets.xsd` or `mets-1.12.1.xsd` alike; `schema_files` gathers those a package
carries, with their imports (`xsd:import`, such as METS → XLink).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def serialize(root: etree._Element) -> str:
    """UTF-8 XML text, pretty printed, with a declaration."""
    etree.indent(root, space="  ")
    text = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return text.decode("utf-8")


def target_namespace(path: Path) -> str | None:
    """The targetNamespace of a schema file (None when it is not a readable schema)."""
    try:
        for _, element in etree.iterparse(str(path), events=("start",)):
            if element.tag != f"{{{XSD}}}schema":
                return None
            return element.get("targetNamespace")
    except (etree.XMLSyntaxError, OSError):
        return None
    return None


@dataclass(frozen=True)
class Reference:
    """An `xsd:import` (with the namespace it imports) or `xsd:include` of a schema."""

    namespace: str | None  # None for an include
    location: str  # the schemaLocation as written ("" when there is none)


def references(path: Path) -> list[Reference]:
    """The imports and includes of a schema file, in document order."""
    try:
        tree = etree.parse(str(path))
    except (etree.XMLSyntaxError, OSError):
        return []
    return [Reference(e.get("namespace") if e.tag == f"{{{XSD}}}import" else None,
                      e.get("schemaLocation", ""))
            for e in tree.iter(f"{{{XSD}}}import", f"{{{XSD}}}include")]


@dataclass
class SchemaFolder:
    """The schemas found in some folders, by target namespace (first folder wins)."""

    by_namespace: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def scan(cls, folders: list[Path]) -> SchemaFolder:
        found = cls()
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.xsd")):
                namespace = target_namespace(path)
                if namespace and namespace not in found.by_namespace:
                    found.by_namespace[namespace] = path
        return found


class _Within(etree.Resolver):
    """Lets the parser read only files inside `root`: a schema's imports and includes
    that lead elsewhere (an absolute path, `..` out of the folder, a URL) are refused."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root.resolve()
        self.refused: list[str] = []

    def resolve(self, url: str, public_id: str | None, context: object) -> None:
        local = unquote(url.removeprefix("file://"))
        if "://" in local or not Path(local).resolve().is_relative_to(self.root):
            self.refused.append(url)
            raise ValueError(f"{url} is outside {self.root}")
        return None  # inside: read as usual


def load_schema(path: Path, *, within: Path | None = None) -> etree.XMLSchema:
    """Compile a schema; raises ValueError with the parser's reason when it cannot. With
    `within`, no file outside that folder is read, whatever the schema imports."""
    parser = etree.XMLParser()
    guard = _Within(within) if within is not None else None
    if guard is not None:
        parser.resolvers.add(guard)
    try:
        return etree.XMLSchema(etree.parse(str(path), parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
        if guard is not None and guard.refused:
            raise ValueError(f"it imports {guard.refused[0]}, outside the package; not "
                             "followed") from exc
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc


def root_namespace(path: Path) -> str | None:
    """The namespace of a document's root element (raises etree.XMLSyntaxError)."""
    for _, element in etree.iterparse(str(path), events=("start",)):
        return etree.QName(element).namespace
    return None


def schema_errors(schema: etree.XMLSchema, path: Path, *, limit: int = 3) -> list[str]:
    """Validation errors of one file (empty when valid), at most `limit` of them."""
    try:
        document = etree.parse(str(path))
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML ({exc})"]
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:limit]]
