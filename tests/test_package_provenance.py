"""Packages: PREMIS provenance, review sessions, documentation, schemas without --schemas."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import CONFIG, CREATED, LEGACY, SCANNED
from lxml import etree

from pipeline import api, cli
from pipeline.exceptions import OutputError
from pipeline.export import premis, schema_files, xsd
from pipeline.export.archive_config import PackageOptions, load_config
from pipeline.review import store as review_store
from pipeline.review.apply import load_document, review_sessions
from pipeline.review.store import Decision, Store, store_path

P = "{http://www.loc.gov/premis/v3}"
M = "{http://www.loc.gov/METS/}"


def _premis(package: Path, where: str = "") -> etree._Element:
    return etree.parse(str(package / where / "metadata/preservation/premis.xml")).getroot()


def _events(root: etree._Element) -> dict[str, etree._Element]:
    return {e.findtext(f"{P}eventIdentifier/{P}eventIdentifierValue"): e
            for e in root.iter(f"{P}event")}


def _texts(element: etree._Element, tag: str) -> list[str]:
    return [e.text for e in element.iter(f"{P}{tag}")]


def _agents(root: etree._Element) -> dict[str, etree._Element]:
    return {a.findtext(f"{P}agentIdentifier/{P}agentIdentifierValue"): a
            for a in root.iter(f"{P}agent")}


def test_premis_has_the_source_every_step_and_the_agents(package_run):
    package = package_run.packages / SCANNED.stem
    doc = load_document(package_run.out / SCANNED.stem)
    root = _premis(package)
    assert root.get("version") == "3.0"
    (source,) = [o for o in root.iter(f"{P}object") if o.findtext(
        f"{P}objectIdentifier/{P}objectIdentifierValue").endswith(SCANNED.name)]
    assert source.findtext(f".//{P}messageDigest") == doc.source.sha256 == \
        hashlib.sha256(SCANNED.read_bytes()).hexdigest()
    assert source.findtext(f".//{P}size") == str(SCANNED.stat().st_size)
    assert source.findtext(f"{P}originalName") == SCANNED.name
    events = _events(root)
    assert list(events) == ["event-ocr", "event-restore", "event-segment", "event-package"]
    ocr, restore = doc.steps[0], doc.steps[1]
    details = _texts(events["event-ocr"], "eventDetail")
    assert f"tesseract {ocr.version}" in details[0] and "engine library" in details[0]
    model, digest = next(iter(ocr.data.items()))
    assert f"{model} sha256 {digest}" in details
    lexicon = [f"{name} sha256 {digest}" for name, digest in restore.data.items()]
    assert set(lexicon) <= set(_texts(events["event-restore"], "eventDetail"))
    applied = sum(c.applied for c in doc.corrections)
    suggested = len(doc.corrections) - applied
    assert _texts(events["event-restore"], "eventOutcomeDetailNote") == [
        f"{applied} changes applied, {suggested} suggested and not applied (scored below the "
        "threshold); 0 decided by archivists"]
    assert events["event-package"].findtext(f"{P}eventDateTime") == CREATED
    agents = _agents(root)
    linked = set(_texts(root, "linkingAgentIdentifierValue"))
    assert linked <= agents.keys()
    assert agents[f"agent-tesseract-{ocr.version}"].findtext(f"{P}agentType") == "software"
    names = {a.findtext(f"{P}agentName"): a.findtext(f"{P}agentType") for a in agents.values()}
    assert names["Lövsjö kommun, kommunarkivet"] == "organization"
    assert names["Miljö- och byggnadsnämnden, Lövsjö kommun"] == "organization"
    assert names["protokoll"] == "software"


def test_each_representation_lists_its_files_with_fixity(package_run):
    package = package_run.packages / SCANNED.stem
    for name in ("source", "ocr"):
        root = _premis(package, f"representations/{name}")
        files = {o.findtext(f"{P}objectIdentifier/{P}objectIdentifierValue"):
                 o.findtext(f".//{P}messageDigest") for o in root.iter(f"{P}object")
                 if o.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "premis:file"}
        data = sorted(p for p in (package / "representations" / name / "data").rglob("*")
                      if p.is_file())
        assert sorted(files) == [p.relative_to(package).as_posix() for p in data]
        for path in data:
            assert files[path.relative_to(package).as_posix()] == \
                hashlib.sha256(path.read_bytes()).hexdigest()


def _decide(out: Path, name: str, monkeypatch) -> None:
    """Anna decides twice, pauses two hours and edits; Bertil rejects in between."""
    doc = load_document(out / name)
    first, second, third, fourth = doc.corrections[:4]
    start = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
    plan = [(first, "accept", None, "anna", 0), (second, "accept", None, "anna", 5),
            (third, "reject", None, "bertil", 10), (fourth, "edit", "Ändrat", "anna", 125)]
    with Store(store_path(out)) as store:
        for c, action, text, who, minutes in plan:
            at = (start + timedelta(minutes=minutes)).isoformat(timespec="milliseconds")
            monkeypatch.setattr(review_store, "_now", lambda at=at: at)
            store.add([Decision(name, c.page, c.line, c.word, c.before, c.after, action,
                                text, who)])


def test_review_sessions_are_events_with_the_archivist(package_run, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(package_run.out / LEGACY.stem, out / LEGACY.stem)
    _decide(out, LEGACY.stem, monkeypatch)
    sessions = review_sessions(out / LEGACY.stem)
    assert [(s.who, s.accepted, s.rejected, s.edited) for s in sessions] == [
        ("anna", 2, 0, 0), ("bertil", 0, 1, 0), ("anna", 0, 0, 1)]
    (result,) = api.export(out, tmp_path / "packages", package_run.options())
    root = _premis(result.path)
    events = _events(root)
    reviews = [events[f"event-review-{n}"] for n in (1, 2, 3)]
    assert [e.findtext(f"{P}eventDateTime") for e in reviews] == [s.started for s in sessions]
    assert _texts(reviews[0], "eventOutcomeDetailNote") == ["2 accepted, 0 rejected, 0 edited"]
    agents = _agents(root)
    people = [agents[_texts(e, "linkingAgentIdentifierValue")[0]] for e in reviews]
    assert [a.findtext(f"{P}agentName") for a in people] == ["anna", "bertil", "anna"]
    assert {a.findtext(f"{P}agentType") for a in people} == {"person"}
    assert "4 decided by archivists" in _texts(events["event-restore"],
                                                "eventOutcomeDetailNote")[0]
    readme = " ".join((result.path / "documentation/README.txt").read_text("utf-8").split())
    assert "4 beslutade av arkivarier vid 3 granskningstillfällen" in readme
    assert "4 decided by archivists in 3 review sessions" in readme
    assert api.verify(result.path).ok


def test_export_needs_no_schemas_folder(package_run, tmp_path, capsys):
    options = PackageOptions(load_config(CONFIG), CREATED)  # arkiv.toml names no schemas
    (result,) = api.export(package_run.out / SCANNED.stem, tmp_path / "p", options)
    schemas = result.path / "schemas"
    assert sorted(p.name for p in schemas.iterdir()) == [
        "DILCISExtensionMETS.xsd", "mets.xsd", "protokoll-1.0.xsd", "xlink.xsd"]
    imports = xsd.references(schemas / "mets.xsd")
    assert [(r.namespace, r.location) for r in imports] == [
        ("http://www.w3.org/1999/xlink", "xlink.xsd")]  # the wheel's points at the web
    assert any("ALTO 4.4" in w for w in result.warnings)
    assert any("PREMIS 3" in w for w in result.warnings)
    readme = " ".join((result.path / "documentation/README.txt").read_text("utf-8").split())
    assert "inget schema för PREMIS 3, ALTO 4.4" in readme
    report = api.verify(result.path)
    assert report.ok and report.valid_xml == 4  # 3 METS and protokoll.xml
    code = cli.main(["export", str(package_run.out / SCANNED.stem), "--to",
                     str(tmp_path / "q"), "--config", str(CONFIG), "--created", CREATED])
    assert code == 0
    assert "note: no ALTO 4.4 schema (give one with --schemas DIR)" in capsys.readouterr().err
    assert (tmp_path / "q" / SCANNED.stem / "METS.xml").read_bytes() == \
        (result.path / "METS.xml").read_bytes()


def test_export_goes_on_without_any_standard_schema(package_run, tmp_path, monkeypatch):
    monkeypatch.setattr(schema_files, "DISTRIBUTION", "no-such-distribution")
    options = PackageOptions(load_config(CONFIG), CREATED)
    (result,) = api.export(package_run.out / LEGACY.stem, tmp_path, options)
    assert [p.name for p in (result.path / "schemas").iterdir()] == ["protokoll-1.0.xsd"]
    assert any(w.startswith("no METS schema") for w in result.warnings)
    readme = (result.path / "documentation/README.txt").read_text(encoding="utf-8")
    assert "METS" in readme.split("Scheman som saknas")[1]
    report = api.verify(result.path)
    assert report.ok and any("no schema in schemas/" in str(p) for p in report.problems)


def test_verify_checks_the_premis_against_the_package(package_run, tmp_path):
    package = tmp_path / "pkg"
    shutil.copytree(package_run.packages / SCANNED.stem, package)
    source = package / "representations/source/data" / SCANNED.name
    source.write_bytes(source.read_bytes() + b"\n")
    problems = [str(p) for p in api.verify(package).problems]
    assert (f"error: metadata/preservation/premis.xml: object 'representations/source/data/"
            f"{SCANNED.name}': SHA-256 differs") in "\n".join(problems)
    premis_file = package / "metadata/preservation/premis.xml"
    premis_file.write_text(premis_file.read_text(encoding="utf-8").replace(
        ">agent-submitter<", ">agent-nobody<", 1), encoding="utf-8")
    problems = [str(p) for p in api.verify(package).problems]
    assert any("event 'event-package' names agent 'agent-nobody', which the file does not "
               "describe" in p for p in problems), problems


def test_a_package_whose_premis_is_wrong_is_not_put_in_place(package_run, tmp_path,
                                                             monkeypatch):
    real = premis.package_premis

    def wrong(doc, source, options, reviews):
        return real(doc, source, options, reviews).replace(doc.source.sha256, "0" * 64)

    monkeypatch.setattr(premis, "package_premis", wrong)
    with pytest.raises(OutputError, match="does not verify"):
        api.export(package_run.out / LEGACY.stem, tmp_path, package_run.options())
    assert list(tmp_path.iterdir()) == []


def test_schemas_are_taken_by_namespace_with_their_imports_made_local(tmp_path):
    def schema(name: str, namespace: str, imports: str = "") -> None:
        (tmp_path / name).write_text(
            f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            f'targetNamespace="{namespace}">{imports}</xs:schema>', encoding="utf-8")

    schema("a.xsd", "urn:a", '<xs:import namespace="urn:b" schemaLocation="https://x/b.xsd"/>')
    schema("b-1.0.xsd", "urn:b")
    schema("c.xsd", "urn:c", '<xs:import namespace="urn:d" schemaLocation="d.xsd"/>')
    found = xsd.SchemaFolder.scan([tmp_path])
    collected = schema_files.collect(["urn:a", "urn:c", "urn:e"], found)
    assert sorted(collected.files) == ["a.xsd", "b-1.0.xsd"]
    assert b'schemaLocation="b-1.0.xsd"' in collected.files["a.xsd"]
    assert collected.files["b-1.0.xsd"] == (tmp_path / "b-1.0.xsd").read_bytes()
    assert collected.missing == ["urn:c", "urn:e"]  # c imports d, which is not there
    assert collected.closure(["urn:a"]) == ["a.xsd", "b-1.0.xsd"]
