"""Each input kind end to end with real Tesseract and poppler, on the samples."""

from __future__ import annotations

import shutil

import pytest
import tesserocr
from conftest import SAMPLES, TRUTH, word_errors, words

from pipeline import api
from pipeline.options import BatchOptions, OcrOptions, Options, RestoreOptions

TRUTH_PAGES = TRUTH.read_text(encoding="utf-8").split("\f")


def test_clean_png_reads_nearly_perfectly(options):
    doc = api.process_file(SAMPLES / "minutes_2024_p1_clean.png", options)
    assert [p.method for p in doc.pages] == ["ocr"]
    page = doc.pages[0]
    assert (page.width, page.height, page.dpi) == (2480, 3508, 300)
    assert word_errors(TRUTH_PAGES[0], doc.raw_text()) <= 0.06 * len(words(TRUTH_PAGES[0]))
    word = page.lines[0].words[0]
    assert word.bbox is not None and 0 < word.confidence <= 1
    assert "Sammanträdesdatum" in doc.raw_text()  # swe model keeps the diacritics


@pytest.mark.parametrize("name", ["minutes_2024_p1_degraded.png", "minutes_2024_p1_degraded.jpg"])
def test_degraded_scan_is_readable(options, name):
    doc = api.process_file(SAMPLES / name, options)
    assert doc.source.media_type == ("image/png" if name.endswith("png") else "image/jpeg")
    assert word_errors(TRUTH_PAGES[0], doc.raw_text()) <= 0.2 * len(words(TRUTH_PAGES[0]))


def test_multipage_tiff_gives_every_page(options):
    doc = api.process_file(SAMPLES / "minutes_2024.tif", options)
    assert doc.source.pages == 2 and [p.number for p in doc.pages] == [1, 2]
    assert "§ 58" in doc.pages[1].text or "58" in doc.pages[1].text
    assert word_errors(TRUTH.read_text(), doc.raw_text()) <= 0.2 * len(words(TRUTH.read_text()))


def test_scanned_pdf_is_rasterized_and_ocrd_in_parallel():
    opts = Options(restore=RestoreOptions(enabled=False), batch=BatchOptions(jobs=2))
    doc = api.process_file(SAMPLES / "minutes_2024_scanned.pdf", opts)
    assert [p.method for p in doc.pages] == ["ocr", "ocr"]
    assert doc.pages[0].dpi == 300 and doc.pages[0].width == 2480
    assert doc.raw_text().count("\f") == 1
    step = next(s for s in doc.steps if s.stage == "ocr")
    assert step.tool == "tesseract" and step.settings["lang"] == "swe"
    assert len(step.data["swe.traineddata"]) == 64  # its sha256
    # the engine that read the pages, with its own version (the library's build)
    assert step.settings["engine"] == "library"
    assert step.version == tesserocr.tesseract_version().split()[1]


def test_pdf_text_layer_is_used_unless_forced(options):
    doc = api.process_file(SAMPLES / "minutes_2024_textlayer.pdf", options)
    assert [p.method for p in doc.pages] == ["text-layer", "text-layer"]
    assert words(doc.raw_text()) == words(TRUTH.read_text())
    assert next(s for s in doc.steps if s.stage == "ocr").tool == "pdftotext"
    forced = Options(ocr=OcrOptions(force_ocr=True), restore=options.restore,
                     batch=options.batch)
    doc = api.process_file(SAMPLES / "minutes_2024_textlayer.pdf", forced)
    assert [p.method for p in doc.pages] == ["ocr", "ocr"]


def test_legacy_text_is_taken_as_is(options, tmp_path):
    source = tmp_path / "old.txt"
    source.write_bytes("Sida ett\n  indragen rad\n\fSida tv\u00e5\n".encode())
    doc = api.process_file(source, options)
    assert [p.method for p in doc.pages] == ["legacy-text", "legacy-text"]
    assert doc.raw_text() == "Sida ett\n  indragen rad\n\fSida två\n"
    assert doc.pages[0].lines[1].words[0].start == 2


def test_legacy_text_in_windows_1252(options, tmp_path):
    source = tmp_path / "old.txt"
    source.write_bytes("Förskolenämnden § 39".encode("cp1252"))
    assert api.process_file(source, options).raw_text() == "Förskolenämnden § 39"


def test_run_writes_the_outputs_for_a_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("minutes_2024_textlayer.pdf", "boras_forskolenamnden_2021-03_p39.ocr.txt"):
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "notes.md").write_text("not a document")
    opts = Options(restore=RestoreOptions(enabled=False), batch=BatchOptions(jobs=2))
    summary = api.run([folder], tmp_path / "out", opts)
    assert summary.count("done") == 2 and not summary.failures
    assert summary.ignored == [folder / "notes.md"]
    out = tmp_path / "out" / "boras_forskolenamnden_2021-03_p39.ocr"
    assert sorted(p.name for p in out.iterdir()) == [
        "corrections.jsonl", "document.json", "protokoll.xml", "raw.txt", "text.txt"]
    legacy = (SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt").read_text()
    assert (out / "raw.txt").read_text() == legacy
    assert (out / "text.txt").read_text() == legacy  # no restoration asked for


def test_blank_page_is_flagged_not_fatal(options, tmp_path):
    from PIL import Image

    Image.new("L", (1240, 1754), 255).save(tmp_path / "blank.png", dpi=(150, 150))
    doc = api.process_file(tmp_path / "blank.png", options)
    assert doc.pages[0].lines == [] and doc.pages[0].dpi == 150
    assert "no text found" in doc.pages[0].warnings[0]
