"""The segmenter and protokoll.xml: patterns, a full header, golden structures, the
schema, and that no printed line is lost or moved."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator

import pytest
from conftest import ROOT, SAMPLES
from lxml import etree

from pipeline.export import protokoll_xml
from pipeline.model import Block, Document, Protocol, Section
from pipeline.options import BatchOptions, Options, RestoreOptions
from pipeline.segment import patterns
from pipeline.stages import process

GOLDEN = json.loads((ROOT / "tests" / "golden" / "structure_samples.json").read_text())
NS = {"p": protokoll_xml.NAMESPACE}

# An invented meeting with everything a full protocol prints: attendance, justering,
# anslag, § read as 8§ and $, a § range, bullets read as "e" and "«", an unknown
# heading, page numbers, running headers and the justering footer.
FULL = """Ekby kommun
PROTOKOLL
Kommunstyrelsens arbetsutskott
Sammanträdesdatum 2025-02-11

Plats och tid   Kommunhuset, Ekby, kl. 13.00–15.30
Beslutande   Anna Lund (S), ordförande
             Per Holm (M)
Tjänstgörande ersättare   Eva Ström (C)
Övriga närvarande   Lars Berg, kommunsekreterare
Utses att justera   Per Holm
Justeringens plats och tid   Kommunhuset 2025-02-14
Paragrafer
§ 12-14

Sida 1 av 3
\fKommunstyrelsens arbetsutskott   Sammanträdesdatum 2025-02-11
8§12 Dnr KS 2024/311
Remissvar om
regional avfallsplan

Kommunstyrelsens arbetsutskotts beslut
Arbetsutskottet föreslår kommunstyrelsen att
e tillstyrka planen,
« uppdra åt förvaltningen att återkomma med en tidplan.

Yrkanden
Anna Lund (S) yrkar bifall till förslaget.

Propositionsordning
Ordföranden ställer proposition på förslaget och finner att det bifalls.

Reservation
Eva Ström (C) reserverar sig mot beslutet.

Justerandes sign   Utdragsbestyrkande
Sida 2 av 3
\fKommunstyrelsens arbetsutskott   Sammanträdesdatum 2025-02-11
$ 13-14 Dnr KS 2025/007
Information om vinterväghållning

Ärendebeskrivning
Tekniska förvaltningen informerar om vinterns väghållning och kostnaderna för den.

Synpunkter från remissinstanserna
Flera remissinstanser har lämnat synpunkter på tidplanen, som förvaltningen har beaktat.

Beslutet skickas till
Tekniska förvaltningen

Vid protokollet

Lars Berg
Sekreterare

Anna Lund   Per Holm
Ordförande   Justerare

ANSLAG/BEVIS
Protokollet är justerat. Justeringen har tillkännagivits genom anslag.
Organ   Kommunstyrelsens arbetsutskott
Datum då anslaget sätts upp   2025-02-15
Datum då anslaget tas ned   2025-03-10
Förvaringsplats för protokollet   Kommunkansliet
Sida 3 av 3
"""

PLAIN = Options(restore=RestoreOptions(enabled=False), batch=BatchOptions(jobs=1, in_process=True))


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Document:
    path = tmp_path_factory.mktemp("full") / "ks_au_2025-02-11.txt"
    path.write_text(FULL, encoding="utf-8")
    return process(path, PLAIN)


@pytest.fixture(scope="module")
def samples() -> dict[str, Document]:
    options = Options(batch=BatchOptions(jobs=1, in_process=True))
    return {name: process(SAMPLES / name, options) for name in GOLDEN}


@pytest.mark.parametrize("line, number, last, dnr", [
    ("§ 39 Dnr FN 2021-00019 1.2.3.3", 39, None, "FN 2021-00019"),
    ("8§39 Dnr FN 2021-00019", 39, None, "FN 2021-00019"),
    ("$ 39", 39, None, None),
    ("S 39 Dnr KS 2019/123", 39, None, "KS 2019/123"),
    ("§39   Diarienr 2012-KS", 39, None, "2012-KS"),
    ("§ 39-40 Dnr: KS 2019.123", 39, 40, "KS 2019.123"),
    ("§§ 7–9", 7, 9, None),
])
def test_item_lines_as_ocr_reads_them(line, number, last, dnr):
    match = patterns.ITEM.match(line)
    assert match and int(match["nr"]) == number
    assert (int(match["last"]) if match["last"] else None) == last
    found = patterns.dnr_value(match["rest"])
    assert (found[0] if found else None) == dnr


@pytest.mark.parametrize("line", ["§ 71, upphör att gälla", "Sida 2", "enligt § 5 kommunallagen"])
def test_citations_are_not_items(line):
    match = patterns.ITEM.match(line)
    assert match is None or match["rest"].strip()[:1].islower()


def test_dates_in_the_forms_minutes_print():
    assert patterns.find_date("Sammanträdesdatum 2021-03-25") == "2021-03-25"
    assert patterns.find_date("Stadshuset, den 4 mars 2021 kl. 17.00") == "2021-03-04"
    assert patterns.find_date("Protokoll 2021-13-45 Sida 1") is None


def test_full_header(full):
    p = full.structure
    assert (p.doc_type, p.body, p.meeting_date) == (
        "sammanträdesprotokoll", "Kommunstyrelsens arbetsutskott", "2025-02-11")
    assert (p.place, p.time) == ("Kommunhuset", "13.00–15.30")
    people = {(x.name, x.role, x.group) for x in p.participants}
    assert people == {("Anna Lund (S)", "ordförande", "beslutande"),
                      ("Per Holm (M)", "", "beslutande"),
                      ("Eva Ström (C)", "", "tjänstgörande ersättare"),
                      ("Lars Berg", "kommunsekreterare", "övriga närvarande")}
    assert p.justering["utses att justera"] == "Per Holm"
    assert p.justering["paragrafer"] == "§ 12-14"
    assert p.anslag["datum då anslaget sätts upp"] == "2025-02-15"
    assert p.anslag["förvaringsplats för protokollet"] == "Kommunkansliet"


def test_full_items_sections_lists(full):
    p = full.structure
    assert [(i.number, i.last_number, i.dnr, i.title) for i in p.items] == [
        (12, None, "KS 2024/311", "Remissvar om regional avfallsplan"),
        (13, 14, "KS 2025/007", "Information om vinterväghållning")]
    first, second = p.items
    assert [s.kind for s in first.sections] == ["beslut", "yrkanden", "propositionsordning",
                                                 "reservation"]
    listed = [b for b in first.sections[0].blocks if b.kind == "list-item"]
    assert [b.label for b in listed] == ["e", "«"]
    assert [(s.kind, s.heading.text) for s in second.sections] == [
        ("arende", "Ärendebeskrivning"), ("other", "Synpunkter från remissinstanserna"),
        ("expediering", "Beslutet skickas till")]


def test_full_furniture_and_closing(full):
    p = full.structure
    furniture = [b.label for b in _blocks(p) if b.kind == "furniture"]
    assert sorted(furniture) == ["sidfot", "sidhuvud", "sidhuvud", "sidnummer", "sidnummer",
                                 "sidnummer"]
    assert all(b.kind == "furniture" for b in _blocks(p) if "Sida " in b.text)
    signatures = [b.label for b in _blocks(p) if b.kind == "signature"]
    assert signatures == ["sekreterare", "ordförande, justerare"]
    assert [s.kind for s in p.closing] == ["underskrifter", "anslag"]


def test_every_line_is_placed_once_in_order(full, samples):
    for doc in [full, *samples.values()]:
        placed = [(r.page, r.line) for b in _blocks(doc.structure) for r in b.lines]
        printed = [(page.number, i) for page in doc.pages for i, line in enumerate(page.lines)
                   if line.text.strip()]
        assert placed == printed, doc.id


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_structure(samples, name):
    want, p = GOLDEN[name], samples[name].structure
    assert (p.doc_type, p.body, p.meeting_date) == (
        want["doc_type"], want["body"], want["meeting_date"])
    assert len(p.items) == len(want["items"])
    for item, expected in zip(p.items, want["items"], strict=True):
        assert (item.number, item.dnr) == (expected["paragraph"], expected["dnr"])
        assert _same_title(item.title, expected["title"])
        assert _headings(item.sections) == expected["sections"]
        assert len(item.attachments) == len(expected["attachments"])
        for annex, wanted in zip(item.attachments, expected["attachments"], strict=True):
            assert _same_title(annex.title, wanted["title"])
            assert _headings(annex.sections) == wanted["sections"]
    assert [b.label for b in _blocks(p) if b.kind == "signature"] == want["signatures"]


def test_xml_validates_and_keeps_every_line(full, samples):
    for doc in [full, *samples.values()]:
        text = protokoll_xml.render(doc)
        assert protokoll_xml.validate(text) == [], doc.id
        root = etree.fromstring(text.encode())
        ids = root.xpath("//@id")
        assert len(ids) == len(set(ids))
        printed = [el for el in root.iter() if el.get("rader") and
                   el.tag != f"{{{protokoll_xml.NAMESPACE}}}korrigering"]
        assert _words(" ".join(el.text or "" for el in printed)) == _words(doc.text()), doc.id
        item = root.find("p:paragraf", NS)
        assert [c.tag.split("}")[1] for c in item][:3] == ["dnr", "rubrik", "tryckt"]
        assert item.find("p:del", NS).get("typ") and item.find("p:del/p:rubrik", NS) is not None


def test_xml_provenance_lists_every_correction(samples):
    doc = samples["boras_forskolenamnden_2021-03_p39.ocr.txt"]
    root = etree.fromstring(protokoll_xml.render(doc).encode())
    corrections = root.findall("p:proveniens/p:korrigering", NS)
    assert len(corrections) == len(doc.corrections) > 50
    assert {c.get("fore") for c in corrections} >= {"Boris", "6versinda"}
    source = root.find("p:proveniens/p:kalla", NS)
    assert source.get("sha256") == doc.source.sha256
    steps = [s.get("namn") for s in root.findall("p:proveniens/p:steg", NS)]
    assert steps[:3] == ["ocr", "restore", "segment"]


def test_schema_rejects_what_is_wrong(full):
    root = protokoll_xml.build(full)
    items = root.findall("p:paragraf", NS)
    items[1].set("id", items[0].get("id"))  # ids must be unique
    errors = protokoll_xml.validate(etree.tostring(root))
    assert errors and "id" in errors[0].lower()
    root = protokoll_xml.build(full)
    root.find("p:paragraf", NS).set("nr", "tolv")
    assert protokoll_xml.validate(etree.tostring(root))


def test_ids_are_stable(full):
    assert protokoll_xml.render(full) == protokoll_xml.render(
        Document.from_json(full.to_json()))


def test_unsegmentable_text_is_kept(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Minnesanteckningar från träffen.\n\nVi pratade om vädret.\n")
    doc = process(path, PLAIN)
    assert doc.structure.items == [] and doc.structure.doc_type == "okänd"
    assert protokoll_xml.validate(protokoll_xml.render(doc)) == []
    assert "vädret" in protokoll_xml.render(doc)


def _blocks(p: Protocol) -> Iterator[Block]:
    """Every block of a protocol in reading order."""
    def sections(parts: list[Section]) -> Iterator[Block]:
        for s in parts:
            if s.heading:
                yield s.heading
            yield from s.blocks
    yield from sections(p.header)
    for item in p.items:
        yield from item.head
        yield from sections(item.sections)
        for annex in item.attachments:
            yield from annex.head
            yield from sections(annex.sections)
    yield from sections(p.closing)


def _headings(parts: list[Section]) -> list[str]:
    return [" ".join(s.heading.text.split()) for s in parts if s.heading]


def _same_title(got: str | None, want: str) -> bool:
    """Titles compared with spaces and diacritics folded: the segmenter's job is where a
    title begins and ends; its words are the restoration's (a lost space in
    "parevisionsrapport" is a restoration miss, measured by the restoration tests)."""
    def fold(text: str) -> str:
        decomposed = unicodedata.normalize("NFD", text or "")
        return "".join(c for c in decomposed if c.isalnum()).lower()
    return fold(got) == fold(want)


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def test_dev_structure_targets(shared, tmp_path):
    """Issue targets on the development corpus's English-model OCR, full pipeline."""
    from pipeline.evaluate import structure as evaluate_structure
    from pipeline.export import write_outputs

    options = Options(batch=BatchOptions(jobs=1, in_process=True))
    dev = shared / "dev"
    for path in sorted(dev.glob("*.ocr_eng.txt")):
        write_outputs(process(path, options, doc_id=path.stem), tmp_path / path.stem)
    tally = evaluate_structure.evaluate(dev, tmp_path)[".ocr_eng"]
    rates = tally.rates()
    assert rates["items F1"] >= 0.98 and rates["Dnr exact"] >= 0.98
    assert rates["headings recall"] >= 0.95
    assert rates["body exact"] >= 0.95 and rates["date exact"] >= 0.95
    # Titles on English-model OCR hold what restoration leaves for review: an unlisted place
    # name ("Bjérka"), a pair it cannot decide ("vard-": vård or värd) and an en dash the
    # OCR read as a hyphen, which is kept as printed; 7 of the 10 come out exact.
    assert rates["titles exact"] >= 0.70, tally.misses
