from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from pipeline.options import BatchOptions, Options, RestoreOptions

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
TRUTH = SAMPLES / "minutes_2024_truth.txt"


def words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def word_errors(truth: str, hypothesis: str) -> int:
    """Word-level edit distance."""
    a, b = words(truth), words(hypothesis)
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


@pytest.fixture
def options() -> Options:
    """One process, no restoration: what the ocr stage alone produces."""
    return Options(restore=RestoreOptions(enabled=False),
                   batch=BatchOptions(jobs=1, in_process=True))


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "dev").is_dir():
        pytest.skip("../shared/dev (the development corpus) is not present in this checkout")
    return SHARED
