"""bench/text_archive.py: the text-only benchmark's archive has the errors of real OCR, as
many as the corpora's own OCR by the same models, not the scoring channel's several times
more (which would make restoration's work on it larger than an archive's)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
text_archive = pytest.importorskip("text_archive")


def test_the_archive_has_the_word_error_rates_of_the_corpora_ocr(shared, tmp_path):
    text_archive.make(tmp_path, documents=40)
    rates = text_archive.raw_wer(tmp_path)
    # the corpora's raw OCR, counted so by bench/accuracy.py: English 21.3% to 31.7%,
    # Swedish 1.7% to 5.1%
    assert 0.20 <= rates["eng"] <= 0.33, rates
    assert 0.015 <= rates["swe"] <= 0.06, rates
    assert len(list((tmp_path / "docs").iterdir())) == 40


def test_an_archive_made_again_in_its_folder_replaces_the_one_before(shared, tmp_path):
    text_archive.make(tmp_path, documents=4)
    words = text_archive.make(tmp_path, documents=2)
    docs = sorted((tmp_path / "docs").iterdir())
    assert len(docs) == 2 and len(list((tmp_path / "truth").iterdir())) == 2
    assert words == sum(len(d.read_text(encoding="utf-8").split()) for d in docs)
