"""E-ARK SIP packages: METS against the schema, every checksum, verify, tampering, ERMS."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import CONFIG, CREATED, LEGACY, ROOT, SCANNED, SHARED, PackageRun
from lxml import etree

from pipeline import api, cli
from pipeline.exceptions import UnreadableSourceError, UsageError
from pipeline.export import erms
from pipeline.export.archive_config import Overrides, load_config
from pipeline.model import Item, Protocol
from pipeline.review.apply import load_document

M = "http://www.loc.gov/METS/"
PREMIS = "http://www.loc.gov/premis/v3"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
XLINK = "{http://www.w3.org/1999/xlink}href"
E = "{https://DILCIS.eu/XML/ERMS}"


@pytest.fixture(scope="module")
def run(package_run) -> PackageRun:
    """The samples' packages, made with ../shared/schemas (METS 1.12.1, ALTO 4.4, ...)."""
    if package_run.schemas is None:
        pytest.skip("../shared/schemas (ALTO and METS schemas to validate against) is absent")
    assert load_document(package_run.out / SCANNED.stem).structure is not None
    return package_run


def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def _mets_files(package: Path) -> list[Path]:
    return sorted(package.rglob("METS.xml"))


def _references(mets: Path) -> list[tuple[etree._Element, Path]]:
    tree = etree.parse(str(mets))
    refs = [(f, loc) for f in tree.iter(f"{{{M}}}file") for loc in f.iter(f"{{{M}}}FLocat")]
    refs += [(r, r) for r in tree.iter(f"{{{M}}}mdRef")]
    return [(el, mets.parent / unquote(loc.get(XLINK))) for el, loc in refs]


def test_package_layout(run):
    package = run.packages / "minutes_2024_scanned"
    files = sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file())
    assert {"METS.xml", "representations/source/METS.xml",
            "representations/source/data/minutes_2024_scanned.pdf",
            "representations/ocr/METS.xml", "representations/ocr/data/alto/page-0001.xml",
            "representations/ocr/data/alto/page-0002.xml", "representations/ocr/data/text.txt",
            "schemas/mets-1.12.1.xsd", "schemas/xlink.xsd", "schemas/alto-4-4.xsd",
            "documentation/README.txt", "metadata/preservation/premis.xml",
            "representations/source/metadata/preservation/premis.xml",
            "representations/ocr/metadata/preservation/premis.xml"} <= set(files)
    assert load_document(run.out / "minutes_2024_scanned").structure is not None
    assert "metadata/descriptive/protokoll.xml" in files
    assert (package / "representations/source/data/minutes_2024_scanned.pdf").read_bytes() \
        == SCANNED.read_bytes()
    legacy = run.packages / LEGACY.stem
    assert not list(legacy.rglob("alto/*"))  # legacy text has no geometry
    assert (legacy / "representations/source/data" / LEGACY.name).is_file()


def test_every_xml_validates_against_its_schema(run):
    mets = _schema(run.schemas / "mets-1.12.1.xsd")
    alto = _schema(run.schemas / "alto-4-4.xsd")
    own = [_schema(p) for p in sorted((ROOT / "pipeline/export/schemas").glob("*.xsd"))]
    checked = 0
    for path in run.packages.rglob("*.xml"):
        tree = etree.parse(str(path))
        namespace = etree.QName(tree.getroot()).namespace
        if namespace == M:
            assert mets.validate(tree), (path, mets.error_log)
        elif namespace.startswith("http://www.loc.gov/standards/alto/"):
            assert alto.validate(tree), (path, alto.error_log)
        elif path.name == "protokoll.xml":
            assert any(s.validate(tree) for s in own), path
        elif namespace == PREMIS:
            continue  # no PREMIS schema in ../shared/schemas; see test_package_provenance
        else:
            pytest.fail(f"unexpected XML file {path}")
        checked += 1
    assert checked >= 9  # 3 + 3 METS, 2 ALTO, protokoll.xml (and one more for the text's)


def test_every_checksum_matches_and_every_file_is_referenced(run):
    for package in (run.packages / "minutes_2024_scanned", run.packages / LEGACY.stem):
        referenced = {package / "METS.xml"}
        for mets in _mets_files(package):
            for element, target in _references(mets):
                data = target.read_bytes()
                assert element.get("CHECKSUMTYPE") == "SHA-256"
                assert element.get("CHECKSUM") == hashlib.sha256(data).hexdigest(), target
                assert element.get("SIZE") == str(len(data))
                assert element.get("MIMETYPE") and element.get("CREATED") == CREATED
                referenced.add(target.resolve() if target.is_absolute() else target)
        present = {p for p in package.rglob("*") if p.is_file()}
        assert {p.resolve() for p in present} == {p.resolve() for p in referenced}


def test_package_mets_header_agents_and_structure(run):
    root = etree.parse(str(run.packages / "minutes_2024_scanned" / "METS.xml")).getroot()
    assert root.get("OBJID") == "minutes_2024_scanned"
    assert root.get("PROFILE") == "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
    header = root.find(f"{{{M}}}metsHdr")
    assert header.get("CREATEDATE") == CREATED
    assert header.get(f"{{{CSIP}}}OAISPACKAGETYPE") == "SIP"
    agents = {(a.get("ROLE"), a.get("TYPE")): a for a in header.iter(f"{{{M}}}agent")}
    software = agents["CREATOR", "OTHER"]
    assert software.get("OTHERTYPE") == "SOFTWARE"
    assert software.findtext(f"{{{M}}}name") == "protokoll"
    assert software.find(f"{{{M}}}note").get(f"{{{CSIP}}}NOTETYPE") == "SOFTWARE VERSION"
    assert software.findtext(f"{{{M}}}note")
    submitter, creator = agents["CREATOR", "ORGANIZATION"], agents["ARCHIVIST", "ORGANIZATION"]
    assert submitter.findtext(f"{{{M}}}name") == "Lövsjö kommun, kommunarkivet"
    assert creator.findtext(f"{{{M}}}name") == "Miljö- och byggnadsnämnden, Lövsjö kommun"
    assert creator.findtext(f"{{{M}}}note") == "212000-0000"
    maps = root.findall(f"{{{M}}}structMap")
    assert [(m.get("TYPE"), m.get("LABEL")) for m in maps] == [("PHYSICAL", "CSIP")]
    uses = [g.get("USE") for g in root.iter(f"{{{M}}}fileGrp")]
    assert uses == ["Documentation", "Schemas", "Representations/source", "Representations/ocr"]
    (top,) = maps[0].findall(f"{{{M}}}div")
    labels = [d.get("LABEL") for d in top.findall(f"{{{M}}}div")]
    assert labels == ["Metadata", "Documentation", "Schemas", "Representations/source",
                      "Representations/ocr"]
    (digiprov,) = root.iter(f"{{{M}}}digiprovMD")
    assert top.find(f"{{{M}}}div").get("ADMID") == digiprov.get("ID")
    assert digiprov.find(f"{{{M}}}mdRef").get("MDTYPE") == "PREMIS"
    assert header.get("LASTMODDATE") == CREATED
    ids = [e.get("ID") for e in root.iter() if e.get("ID")]
    assert len(ids) == len(set(ids))


def test_representation_mets_lists_documentation_schemas_and_premis(run):
    package = run.packages / "minutes_2024_scanned"
    for name in ("source", "ocr"):
        mets = package / "representations" / name / "METS.xml"
        root = etree.parse(str(mets)).getroot()
        groups = {g.get("USE"): g for g in root.iter(f"{{{M}}}fileGrp")}
        assert list(groups) == ["Documentation", "Schemas", "Data"]
        hrefs = {use: [loc.get(XLINK) for loc in g.iter(f"{{{M}}}FLocat")]
                 for use, g in groups.items()}
        assert hrefs["Documentation"] == ["../../documentation/README.txt"]
        assert "../../schemas/mets-1.12.1.xsd" in hrefs["Schemas"]
        assert ("../../schemas/alto-4-4.xsd" in hrefs["Schemas"]) == (name == "ocr")
        (top,) = root.find(f"{{{M}}}structMap").findall(f"{{{M}}}div")
        assert [d.get("LABEL") for d in top] == ["Metadata", "Documentation", "Schemas", "Data"]
        (ref,) = root.iter(f"{{{M}}}mdRef")
        assert ref.get("MDTYPE") == "PREMIS"
        assert ref.get(XLINK) == "metadata/preservation/premis.xml"
        assert top[0].get("ADMID") == ref.getparent().get("ID")


def test_schemas_folder_holds_a_schema_for_every_xml_namespace(run):
    package = run.packages / "minutes_2024_scanned"
    targets = {etree.parse(str(p)).getroot().get("targetNamespace")
               for p in (package / "schemas").glob("*.xsd")}
    used = {etree.QName(etree.parse(str(p)).getroot()).namespace for p in package.rglob("*.xml")}
    assert used - {PREMIS} <= targets  # no PREMIS schema in ../shared/schemas: noted
    assert "http://www.w3.org/1999/xlink" in targets  # imported by METS and ALTO
    assert "no schema for PREMIS 3" in (package / "documentation/README.txt").read_text()


def test_verify_passes_and_catches_tampering(run, tmp_path):
    package = run.packages / "minutes_2024_scanned"
    report = api.verify(package)
    assert report.ok and report.files == len([p for p in package.rglob("*") if p.is_file()])
    references = sum(len(_references(m)) for m in _mets_files(package))
    assert report.valid_xml >= 5 and report.checksums == references

    def tampered(name: str) -> Path:
        copy = tmp_path / name
        shutil.copytree(package, copy)
        return copy

    changed = tampered("changed")
    page = changed / "representations/ocr/data/alto/page-0001.xml"
    page.write_bytes(page.read_bytes().replace(b"CONTENT=\"", b"CONTENT=\"x", 1))
    problems = [str(p) for p in api.verify(changed).problems]
    assert any("representations/ocr/data/alto/page-0001.xml: SHA-256 checksum differs" in p
               for p in problems), problems

    missing = tampered("missing")
    (missing / "representations/source/data/minutes_2024_scanned.pdf").unlink()
    problems = _errors(missing)
    assert problems[0] == ("error: representations/source/data/minutes_2024_scanned.pdf: "
                           "missing (referenced by representations/source/METS.xml)")
    assert all("minutes_2024_scanned.pdf" in p for p in problems)  # and the PREMIS objects

    extra = tampered("extra")
    (extra / "representations/ocr/data/notes.txt").write_text("added later")
    assert _errors(extra) == ["error: representations/ocr/data/notes.txt: not referenced by "
                              "any METS file"]

    invalid = tampered("invalid")
    text = (invalid / "representations/ocr/data/text.txt")
    text.write_text(text.read_text() + "\n")
    problems = [str(p) for p in api.verify(invalid).problems]
    assert any("size differs" in p for p in problems) and not api.verify(invalid).ok


def _errors(package: Path) -> list[str]:
    return [str(p) for p in api.verify(package).problems if p.severity == "error"]


def test_verify_command_reports_exactly_what_is_wrong(run, tmp_path):
    package = tmp_path / "pkg"
    shutil.copytree(run.packages / "minutes_2024_scanned", package)
    ok = subprocess.run([sys.executable, "-m", "pipeline", "verify", str(package)],
                        capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and f"{package}: ok: 1" in ok.stdout
    mets = package / "representations/ocr/METS.xml"
    mets.write_text(mets.read_text().replace('LABEL="Data"', 'LABEL="Data" BOGUS="1"'))
    bad = subprocess.run([sys.executable, "-m", "pipeline", "verify", str(package)],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1
    assert "representations/ocr/METS.xml: SHA-256 checksum differs" in bad.stdout
    assert "representations/ocr/METS.xml: invalid: line" in bad.stdout
    assert "BOGUS" in bad.stdout


def test_same_input_and_time_give_byte_identical_packages(run, tmp_path):
    first = api.export(run.out, tmp_path / "a", run.options())
    second = api.export(run.out, tmp_path / "b", run.options())
    assert [r.path.name for r in first] == [r.path.name for r in second]
    for a, b in zip(first, second, strict=True):
        files_a = sorted(p.relative_to(a.path) for p in a.path.rglob("*") if p.is_file())
        assert files_a == sorted(p.relative_to(b.path) for p in b.path.rglob("*") if p.is_file())
        for rel in files_a:
            assert (a.path / rel).read_bytes() == (b.path / rel).read_bytes(), rel
    assert (tmp_path / "a" / "minutes_2024_scanned" / "METS.xml").read_bytes() == \
        (run.packages / "minutes_2024_scanned" / "METS.xml").read_bytes()
    later = dataclasses.replace(run.options(), created="2025-01-01T00:00:00+00:00")
    api.export(run.out / "minutes_2024_scanned", tmp_path / "c", later)
    assert (tmp_path / "c/minutes_2024_scanned/METS.xml").read_bytes() != \
        (tmp_path / "a/minutes_2024_scanned/METS.xml").read_bytes()
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.startswith(".")]


def test_failed_export_keeps_the_previous_package(run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(run.out / LEGACY.stem, out / LEGACY.stem)
    api.export(out, tmp_path / "packages", run.options())
    before = (tmp_path / "packages" / LEGACY.stem / "METS.xml").read_bytes()
    document = out / LEGACY.stem / "document.json"
    data = json.loads(document.read_text(encoding="utf-8"))
    data["source"]["path"] = str(tmp_path / "gone.txt")
    document.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UnreadableSourceError, match="cannot be read"):
        api.export(out, tmp_path / "packages", run.options())
    assert (tmp_path / "packages" / LEGACY.stem / "METS.xml").read_bytes() == before
    assert api.verify(tmp_path / "packages" / LEGACY.stem).ok


def test_missing_organisation_is_a_clear_error(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./protokoll.toml here
    with pytest.raises(UsageError, match="creator, creator_id") as info:
        load_config(None, Overrides(submitter="Lövsjö kommun", submitter_id="212000-0000"))
    assert "--creator" in str(info.value) and "samples/arkiv.toml" in str(info.value)
    assert cli.main(["export", str(run.out), "--to", str(tmp_path / "q")]) == 2
    assert not (tmp_path / "q").exists()


def test_erms_record_per_item(run):
    doc = load_document(run.out / "minutes_2024_scanned")
    assert doc.structure is not None and [i.dnr for i in doc.structure.items if i.dnr]
    text = erms.render(doc, doc.id, run.options(erms=True))
    root = etree.fromstring(text.encode())
    cases = root.findall(f"{E}aggregations/{E}aggregation")
    items = [i for i in doc.structure.items if i.number is not None]
    assert len(cases) == len(items)
    for case, item in zip(cases, items, strict=True):
        assert case.get("aggregationType") == "caseFile"
        assert case.findtext(f"{E}extraId") == f"§ {item.number}"
        if item.dnr:
            assert case.findtext(f"{E}objectId") == item.dnr
            assert case.find(f"{E}identification").get("identificationType") == "diarienummer"
        if item.title:
            assert case.findtext(f"{E}title") == item.title
        if any(s.kind == "beslut" for s in item.sections):
            action = case.find(f"{E}action")
            assert action.findtext(f"{E}actionType") == "beslut"
            assert action.findtext(f"{E}dates/{E}actionDate") == \
                f"{doc.structure.meeting_date}T00:00:00"
            assert action.find(f"{E}dates/{E}actionDate").get("dateType") == "decision"
            assert action.findtext(f"{E}actionText")
    assert erms.render(doc, doc.id, run.options(erms=True)) == text  # stable identifiers
    schema = SHARED / "schemas" / "ERMS.xsd"
    if schema.is_file():
        assert _schema(schema).validate(root)


def test_package_with_erms_verifies(run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(run.out / "minutes_2024_scanned", out / "minutes_2024_scanned")
    (result,) = api.export(out, tmp_path / "packages", run.options(erms=True))
    assert (result.path / "metadata/descriptive/erms.xml").is_file()
    root = etree.parse(str(result.path / "METS.xml")).getroot()
    assert root.get(f"{{{CSIP}}}CONTENTINFORMATIONTYPE") == "citserms_v2_1"
    refs = [r.get(XLINK) for r in root.iter(f"{{{M}}}mdRef") if r.get("OTHERMDTYPE") == "ERMS"]
    assert refs == ["metadata/descriptive/erms.xml"]
    assert api.verify(result.path).ok


def test_erms_item_without_dnr_or_decision(run):
    """An item printed without a Dnr is still a case, named by its § number."""
    doc = load_document(run.out / "minutes_2024_scanned")
    doc.structure = Protocol(body="Miljö- och byggnadsnämnden", meeting_date="2024-05-14",
                             items=[Item(58, last_number=59, title="Informationsärenden"),
                                    Item(None, title="Tjänsteskrivelse")])
    root = etree.fromstring(erms.render(doc, "pkg", run.options(erms=True)).encode())
    (case,) = root.findall(f"{E}aggregations/{E}aggregation")
    assert case.findtext(f"{E}objectId") == "pkg/§ 58-59"
    assert case.find(f"{E}identification") is None and case.find(f"{E}action") is None
    doc.structure = Protocol(items=[Item(None, title="Tjänsteskrivelse")])
    with pytest.raises(UsageError, match="no numbered item"):
        erms.render(doc, "pkg", run.options(erms=True))


def test_packages_and_verify_with_relative_paths_from_any_folder(package_run, tmp_path,
                                                                  monkeypatch):
    """The README's own examples use relative paths: run, export and verify with them,
    from the folder of the run and from another one."""
    work = tmp_path / "arbete"
    (work / "in").mkdir(parents=True)
    shutil.copy(LEGACY, work / "in" / "möte.txt")
    schemas = ["--schemas", str(package_run.schemas)] if package_run.schemas else []
    common = ["--config", str(CONFIG), *schemas, "--created", CREATED]
    monkeypatch.chdir(work)
    assert cli.main(["run", "in/möte.txt", "--out", "out", "--jobs", "1", "--package",
                     "pk", *common]) == 0
    assert cli.main(["verify", "pk/möte"]) == 0 and cli.main(["verify", "pk"]) == 0
    monkeypatch.chdir(work / "pk" / "möte")
    assert api.verify(Path()).ok

    elsewhere = tmp_path / "annan"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert cli.main(["export", "../arbete/out", "--to", "pk", *common]) == 0
    assert cli.main(["verify", "pk/möte", "../arbete/pk/möte"]) == 0
    for name in ("METS.xml", "representations/source/data/möte.txt"):
        assert (elsewhere / "pk/möte" / name).read_bytes() == \
            (work / "pk/möte" / name).read_bytes()


def test_a_source_recorded_relative_is_found_by_its_content(package_run, tmp_path,
                                                             monkeypatch):
    """An older run recorded the path as given; exported from elsewhere, the source is
    looked for near the output folder, and a file of the same name with other content (here
    in the working directory) is not taken for it."""
    work = tmp_path / "arbete"
    (work / "in").mkdir(parents=True)
    shutil.copy(LEGACY, work / "in" / "möte.txt")
    shutil.copytree(package_run.out / LEGACY.stem, work / "out" / "möte")
    document = work / "out" / "möte" / "document.json"
    data = json.loads(document.read_text(encoding="utf-8"))
    data["id"], data["source"]["path"] = "möte", "in/möte.txt"
    document.write_text(json.dumps(data), encoding="utf-8")
    elsewhere = tmp_path / "annan"
    (elsewhere / "in").mkdir(parents=True)
    (elsewhere / "in" / "möte.txt").write_text("Ett annat dokument.\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    (result,) = api.export(Path("../arbete/out"), Path("pk"), package_run.options())
    assert (result.path / "representations/source/data/möte.txt").read_bytes() == \
        LEGACY.read_bytes()
    assert api.verify(result.path).ok


def _rechecksum(package: Path, rel: str) -> None:
    """Make the package METS say the size and checksum `rel` has now."""
    mets = package / "METS.xml"
    tree = etree.parse(str(mets))
    data = (package / rel).read_bytes()
    for file in tree.iter(f"{{{M}}}file"):
        if any(loc.get(XLINK) == rel for loc in file.iter(f"{{{M}}}FLocat")):
            file.set("SIZE", str(len(data)))
            file.set("CHECKSUM", hashlib.sha256(data).hexdigest())
    tree.write(str(mets), xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_verify_does_not_follow_a_schema_import_out_of_the_package(package_run, tmp_path,
                                                                   where):
    package = tmp_path / "paket"
    shutil.copytree(package_run.packages / LEGACY.stem, package)
    outside = tmp_path / "utanfor.xsd"
    outside.write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                       'targetNamespace="urn:utanfor"><xs:element name="x"/></xs:schema>',
                       encoding="utf-8")
    location = str(outside) if where == "absolute" else "../../utanfor.xsd"
    schema = package / "schemas" / "protokoll-1.0.xsd"
    text = schema.read_text(encoding="utf-8")
    opening = re.search(r"<xs:schema\b[^>]*>", text).end()
    schema.write_text(f'{text[:opening]}<xs:import namespace="urn:utanfor" '
                      f'schemaLocation="{location}"/>{text[opening:]}', encoding="utf-8")
    _rechecksum(package, "schemas/protokoll-1.0.xsd")
    report = api.verify(package)
    problems = [str(p) for p in report.problems]
    assert not report.ok
    assert any("schemas/protokoll-1.0.xsd: cannot be loaded (it imports" in p
               and "utanf" in p and "outside the package; not followed" in p
               for p in problems), problems
    assert not any("checksum differs" in p or "size differs" in p for p in problems)


def test_a_pipe_in_place_of_the_source_is_refused_not_waited_on(package_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(package_run.out / LEGACY.stem, out / LEGACY.stem)
    document = out / LEGACY.stem / "document.json"
    data = json.loads(document.read_text(encoding="utf-8"))
    data["source"]["path"] = str(tmp_path / "rör.txt")
    document.write_text(json.dumps(data), encoding="utf-8")
    os.mkfifo(tmp_path / "rör.txt")
    result: list[BaseException] = []

    def export() -> None:
        try:
            api.export(out, tmp_path / "packages", package_run.options())
        except UnreadableSourceError as exc:
            result.append(exc)

    worker = threading.Thread(target=export, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the export waits for a writer on the pipe"
    assert result and "named pipe (FIFO)" in str(result[0])
