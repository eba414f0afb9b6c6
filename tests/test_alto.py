"""ALTO 4.4 per page: corrected CONTENT, raw reading as ALTERNATIVE, boxes, WC, processing."""

from __future__ import annotations

import pytest
from conftest import SAMPLES, SHARED
from lxml import etree

from pipeline import api
from pipeline.export import alto, render, write_outputs
from pipeline.model import (
    BBox,
    Correction,
    Document,
    Line,
    Page,
    ProcessingStep,
    Source,
    Word,
    corrected_lines,
)
from pipeline.options import BatchOptions, Options

A = "{http://www.loc.gov/standards/alto/ns-v4#}"
ALTO_XSD = SHARED / "schemas" / "alto-4-4.xsd"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    if not ALTO_XSD.is_file():
        pytest.skip("../shared/schemas/alto-4-4.xsd (the ALTO 4.4 schema) is not present")
    return etree.XMLSchema(etree.parse(str(ALTO_XSD)))


@pytest.fixture(scope="module")
def clean_page() -> Document:
    """The clean sample page, OCR'd and restored once for the module."""
    return api.process_file(SAMPLES / "minutes_2024_p1_clean.png",
                            Options(batch=BatchOptions(jobs=1, in_process=True)))


def _word(text: str, x: int, conf: float = 0.9) -> Word:
    return Word(text, 0, BBox(x, 100, x + 20 * len(text), 130), conf)


def _synthetic() -> Document:
    """A page whose corrections cover each kind of change ALTO has to show."""
    lines = [Line.of_words([_word("Boris", 100), _word("Stad", 220), _word(":", 330, 0.1)]),
             Line.of_words([_word("kommunstyrelsenoch", 100), _word("nämnd", 500)]),
             Line(""),
             Line.of_words([_word("kom", 100), _word("mun", 180), _word("pa", 260, 0.4)])]
    steps = [ProcessingStep("ocr", "tesseract", "5.3.0", {"lang": "swe"},
                            {"swe.traineddata": "ab" * 32}, "2024-05-16T07:30:00+00:00"),
             ProcessingStep("restore", "protokoll", "0.1.0", {"threshold": 0.5},
                            {"sv_wordforms_832k.tsv.gz": "cd" * 32})]
    fixes = [Correction(1, 0, 0, "Boris", "Borås", "diacritic", 0.9, "lexicon"),
             Correction(1, 0, 2, ":", "", "symbol", 0.7, "context"),
             Correction(1, 1, 0, "kommunstyrelsenoch", "kommunstyrelsen och", "split", 0.8,
                        "lexicon"),
             Correction(1, 3, 0, "kom mun", "kommun", "join", 0.8, "lexicon", words=2),
             Correction(1, 3, 2, "pa", "på", "diacritic", 0.3, "lexicon", applied=False)]
    return Document("synthetic", Source("in/scan.tif", "ef" * 32, "image/tiff", 10, 1),
                    pages=[Page(1, "ocr", lines, width=2480, height=3508, dpi=300)],
                    corrections=fixes, steps=steps)


def _strings(text: str) -> list[etree._Element]:
    return list(etree.fromstring(text.encode()).iter(f"{A}String"))


def _line_texts(text: str) -> list[str]:
    root = etree.fromstring(text.encode())
    return [" ".join(s.get("CONTENT") for s in line.iter(f"{A}String"))
            for line in root.iter(f"{A}TextLine")]


def test_corrections_show_as_content_with_the_raw_reading_as_alternative(schema):
    text = alto.render(_synthetic())["alto/page-0001.xml"]
    assert schema.validate(etree.fromstring(text.encode())), schema.error_log
    strings = {s.get("CONTENT"): s for s in _strings(text)}
    assert _line_texts(text) == ["Borås Stad", "kommunstyrelsen och nämnd", "kommun pa"]
    alternative = strings["Borås"].find(f"{A}ALTERNATIVE")
    assert (alternative.text, alternative.get("PURPOSE")) == ("Boris", "OCR")
    assert strings["Stad"].find(f"{A}ALTERNATIVE") is None  # unchanged: no alternative
    assert strings["kommun"].find(f"{A}ALTERNATIVE").text == "kom mun"  # a join
    assert strings["pa"].find(f"{A}ALTERNATIVE") is None  # a suggestion is not applied
    # a split cuts the box in proportion; the parts stay inside the original word
    left, right = strings["kommunstyrelsen"], strings["och"]
    assert left.get("HPOS") == "100" and float(left.get("WIDTH")) < 360
    assert float(right.get("HPOS")) + float(right.get("WIDTH")) == 100 + 20 * 18
    assert strings["Borås"].get("WC") == "0.90" and strings["pa"].get("WC") == "0.40"


def test_processing_steps_are_referenced(schema):
    root = etree.fromstring(alto.render(_synthetic())["alto/page-0001.xml"].encode())
    steps = {p.get("ID"): p for p in root.iter(f"{A}Processing")}
    assert set(steps) == {"proc1-ocr", "proc2-restore"}
    ocr = steps["proc1-ocr"]
    assert ocr.findtext(f"{A}processingSoftware/{A}softwareName") == "tesseract"
    assert ocr.findtext(f"{A}processingSoftware/{A}softwareVersion") == "5.3.0"
    assert "swe.traineddata sha256=" + "ab" * 32 in ocr.findtext(f"{A}processingStepSettings")
    restore = steps["proc2-restore"].findtext(f"{A}processingStepSettings")
    assert "sv_wordforms_832k.tsv.gz sha256=" + "cd" * 32 in restore
    page = root.find(f".//{A}Page")
    assert page.get("PROCESSINGREFS").split() == ["proc1-ocr", "proc2-restore"]
    corrected = [s for s in root.iter(f"{A}String") if s.find(f"{A}ALTERNATIVE") is not None]
    assert corrected and all(s.get("PROCESSINGREFS") == "proc2-restore" for s in corrected)
    ids = [e.get("ID") for e in root.iter() if e.get("ID")]
    assert len(ids) == len(set(ids))


def test_ocr_page_matches_the_corrected_text(clean_page, schema):
    files = alto.render(clean_page)
    assert list(files) == ["alto/page-0001.xml"]
    text = files["alto/page-0001.xml"]
    assert schema.validate(etree.fromstring(text.encode())), schema.error_log
    expected = [" ".join(t.split()) for t in corrected_lines(clean_page, clean_page.pages[0])]
    assert _line_texts(text) == [t for t in expected if t]
    root = etree.fromstring(text.encode())
    assert root.findtext(f".//{A}MeasurementUnit") == "pixel"
    page = root.find(f".//{A}Page")
    assert (page.get("WIDTH"), page.get("HEIGHT")) == ("2480", "3508")
    strings = _strings(text)
    assert all(0 <= float(s.get("WC")) <= 1 for s in strings)
    changed = [s for s in strings if s.find(f"{A}ALTERNATIVE") is not None]
    applied = [c for c in clean_page.corrections if c.applied and c.after.strip()]
    assert changed and len(changed) >= len(applied)
    assert all(s.find(f"{A}ALTERNATIVE").text != s.get("CONTENT") for s in changed)


def test_text_layer_pages_are_measured_in_inch1200(schema):
    doc = api.process_file(SAMPLES / "minutes_2024_textlayer.pdf",
                           Options(batch=BatchOptions(jobs=1, in_process=True)))
    files = alto.render(doc)
    assert sorted(files) == ["alto/page-0001.xml", "alto/page-0002.xml"]
    root = etree.fromstring(files["alto/page-0001.xml"].encode())
    assert schema.validate(root), schema.error_log
    assert root.findtext(f".//{A}MeasurementUnit") == "inch1200"
    page = root.find(f".//{A}Page")
    assert abs(float(page.get("WIDTH")) - 8.27 * 1200) < 20  # A4 is 8.27 inches wide
    assert all(s.get("WC") is None for s in root.iter(f"{A}String"))


def test_legacy_text_has_no_alto_and_outputs_carry_alto(tmp_path, clean_page):
    legacy = api.process_file(SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt",
                              Options(batch=BatchOptions(jobs=1, in_process=True)))
    assert alto.render(legacy) == {}
    assert not any(name.startswith("alto/") for name in render(legacy))
    written = write_outputs(clean_page, tmp_path / "doc")
    assert "alto/page-0001.xml" in written
    assert (tmp_path / "doc" / "alto" / "page-0001.xml").read_text(encoding="utf-8") == \
        alto.render(clean_page)["alto/page-0001.xml"]
