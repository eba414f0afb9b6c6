"""What `verify` checks in a PREMIS file beyond its schema: that what it names is there.

Every agent and object an event links to is described in the file; an object with a
local identifier (its path from the package root) exists in the package, and a file
object's fixity and size match the file; a related object is described in the file or
exists in the package. Each problem is a sentence naming the identifier.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree

from pipeline.export.premis import LOCAL, NS, VERSION

_P = NS["premis"]
_TYPE = f"{{{NS['xsi']}}}type"


def problems(package: Path, path: Path) -> list[str]:
    """What is wrong with the PREMIS file `path` of `package` (empty when nothing)."""
    try:
        root = etree.parse(str(path)).getroot()
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML ({exc})"]
    if root.tag != _q("premis"):
        return ["not a PREMIS document (its root is not premis)"]
    out = [] if root.get("version") == VERSION else \
        [f"PREMIS version {root.get('version')!r}; {VERSION} expected"]
    objects = {_id(o, "object"): o for o in root.iter(_q("object"))}
    agents = {_text(i, "agentIdentifierValue") for i in root.iter(_q("agentIdentifier"))}
    for event in root.iter(_q("event")):
        out += _event_links(package, event, objects, agents)
    for (kind, value), obj in objects.items():
        if kind == LOCAL:
            out += _object(package, value, obj, objects)
    return out


def _event_links(package: Path, event: etree._Element, objects: dict, agents: set[str]
                 ) -> list[str]:
    name = _id(event, "event")[1]
    out = []
    for link in event.iter(_q("linkingAgentIdentifier")):
        value = _text(link, "linkingAgentIdentifierValue")
        if value not in agents:
            out.append(f"event {name!r} names agent {value!r}, which the file does not describe")
    for key in _unknown(package, event, "linkingObjectIdentifier", objects):
        out.append(f"event {name!r} names object {key[1]!r}, which is neither described "
                   "nor in the package")
    return out


def _object(package: Path, value: str, obj: etree._Element, objects: dict) -> list[str]:
    target = _path(package, value)
    if target is None or not target.exists():
        return [f"object {value!r}: no such file or folder in the package"]
    out = []
    for key in _unknown(package, obj, "relatedObjectIdentifier", objects):
        out.append(f"object {value!r} is related to {key[1]!r}, which is neither "
                   "described nor in the package")
    if obj.get(_TYPE, "").endswith("file"):
        out += _fixity(value, target, obj)
    return out


def _fixity(value: str, target: Path, obj: etree._Element) -> list[str]:
    if not target.is_file():
        return [f"object {value!r}: a file object, but the package has a folder there"]
    out = []
    size = obj.findtext(f"{_q('objectCharacteristics')}/{_q('size')}")
    if size is not None and size.strip() != str(target.stat().st_size):
        out.append(f"object {value!r}: size differs: PREMIS says {size.strip()} bytes, the "
                   f"file has {target.stat().st_size}")
    for fixity in obj.iter(_q("fixity")):
        algorithm = _text(fixity, "messageDigestAlgorithm")
        expected = _text(fixity, "messageDigest").lower()
        try:
            digest = hashlib.new(algorithm.replace("-", "").lower())
        except ValueError:
            out.append(f"object {value!r}: unknown digest algorithm {algorithm!r}")
            continue
        with target.open("rb") as f:
            actual = hashlib.file_digest(f, digest.name).hexdigest()
        if actual != expected:
            out.append(f"object {value!r}: {algorithm} differs: PREMIS says {expected}, the "
                       f"file has {actual}")
    return out


def _unknown(package: Path, element: etree._Element, tag: str, objects: dict
             ) -> list[tuple[str, str]]:
    """The object identifiers (`tag`: linking or related) under `element` that the file
    does not describe and the package does not hold."""
    keys = [(_text(link, f"{tag}Type"), _text(link, f"{tag}Value"))
            for link in element.iter(_q(tag))]
    return [key for key in keys if key not in objects and not _in_package(package, key)]


def _in_package(package: Path, key: tuple[str, str]) -> bool:
    target = _path(package, key[1]) if key[0] == LOCAL else None
    return target is not None and target.exists()


def _path(package: Path, value: str) -> Path | None:
    """The package path a local identifier names; None when it points outside."""
    root = package.resolve()
    target = (root / value).resolve()
    return target if value and target.is_relative_to(root) else None


def _id(element: etree._Element, kind: str) -> tuple[str, str]:
    identifier = element.find(_q(f"{kind}Identifier"))
    if identifier is None:
        return "", ""
    return (_text(identifier, f"{kind}IdentifierType"),
            _text(identifier, f"{kind}IdentifierValue"))


def _text(element: etree._Element, tag: str) -> str:
    return (element.findtext(_q(tag)) or "").strip()


def _q(tag: str) -> str:
    return f"{{{_P}}}{tag}"
