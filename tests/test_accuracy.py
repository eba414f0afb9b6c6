"""Accuracy on the development corpus (../shared/dev), as the restoration issue sets it:
WER down by 90% on English-model OCR and by 30% on Swedish-model OCR, damage at most
0.1% of the words. Skipped where the corpus is not present."""

from __future__ import annotations

import pytest

from pipeline import api
from pipeline.evaluate.text import Score, score
from pipeline.options import BatchOptions, Options


def _totals(dev, kind: str) -> tuple[Score, Score]:
    raw_total = fixed_total = None
    for gold in sorted(dev.glob("*.gold.txt")):
        source = dev / gold.name.replace(".gold.txt", f".ocr_{kind}.txt")
        doc = api.process_file(source, Options(batch=BatchOptions(jobs=1, in_process=True)))
        truth = gold.read_text(encoding="utf-8")
        raw = score(truth, doc.raw_text())
        fixed = score(truth, doc.text(), before=doc.raw_text())
        raw_total = raw if raw_total is None else raw_total + raw
        fixed_total = fixed if fixed_total is None else fixed_total + fixed
    return raw_total, fixed_total


@pytest.mark.parametrize("kind, reduction", [("eng", 0.90), ("swe", 0.30)])
def test_restoration_on_the_development_corpus(shared, kind, reduction):
    raw, fixed = _totals(shared / "dev", kind)
    assert raw.words > 1500
    assert 1 - fixed.wer / raw.wer >= reduction
    assert fixed.damage <= 0.001
