"""The document model: lossless JSON round trip, corrected text derived from corrections."""

from __future__ import annotations

import dataclasses
import json

from conftest import SAMPLES

from pipeline import api
from pipeline.model import BBox, Correction, Document, Line, Page, Source, Word


def _doc() -> Document:
    words = [Word("Boris", 0, BBox(10, 20, 60, 40), 0.91, ["Borås"]),
             Word("Stad", 6, BBox(70, 20, 110, 40), 0.97)]
    page = Page(1, "ocr", [Line("Boris Stad", words, BBox(10, 20, 110, 40)), Line("")],
                width=2480, height=3508, dpi=300, warnings=["w"])
    doc = Document("d", Source("x.png", "ab" * 32, "image/png", 10, 1), [page])
    doc.corrections.append(Correction(1, 0, 0, "Boris", "Borås", "diacritic", 0.93, "lexicon"))
    doc.corrections.append(Correction(1, 0, 1, "Stad", "Städ", "diacritic", 0.2, "lexicon",
                                      applied=False))
    return doc


def test_json_round_trip_is_lossless():
    doc = _doc()
    again = Document.from_json(doc.to_json())
    assert again == doc
    assert isinstance(again.pages[0].lines[0].words[0].bbox, BBox)
    assert again.to_json() == doc.to_json()


def test_round_trip_of_a_real_document(options, tmp_path):
    doc = api.process_file(SAMPLES / "minutes_2024_textlayer.pdf", options)
    doc.save(tmp_path / "d.json")
    assert Document.load(tmp_path / "d.json") == doc
    assert doc.structure is not None and doc.steps
    doc.corrections = _doc().corrections  # every kind of record is there
    as_asdict = json.dumps(dataclasses.asdict(doc), ensure_ascii=False, separators=(",", ":"))
    assert doc.to_json() == as_asdict  # the fast walk gives what dataclasses.asdict gives


def test_corrected_text_applies_only_applied_corrections():
    doc = _doc()
    assert doc.raw_text() == "Boris Stad\n"
    assert doc.text() == "Borås Stad\n"
