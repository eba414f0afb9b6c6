"""bench/fonts.py: the corpora printed in a typeface the OCR channel never saw. What it
prints must be the truth, every word once and in order, on pages it fits."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
fonts = pytest.importorskip("fonts")

MONO = Path(fonts.FONTS["mono"])
TEXT = ("Kommunstyrelsen § 12 Dnr KS 2021/118\n\n"
        + "Förvaltningen föreslår att nämnden godkänner årsredovisningen för 2020 " * 4
        + "\nJusterandes signatur")


@pytest.mark.skipif(not MONO.is_file(), reason=f"{MONO} is not installed (fonts-dejavu-core)")
def test_long_lines_are_wrapped_and_no_word_is_lost():
    font = ImageFont.truetype(str(MONO), round(fonts.POINTS / 72 * fonts.DPI))
    lines = fonts._lines(TEXT, font)
    assert " ".join(" ".join(lines).split()) == " ".join(TEXT.split())
    width = fonts.PAGE[0] - 2 * fonts.MARGIN
    assert all(font.getlength(line) <= width for line in lines)
    assert len(lines) > len(TEXT.split("\n"))  # the long line was broken
    assert lines[1] == ""  # an empty line of the truth stays one


@pytest.mark.skipif(not MONO.is_file(), reason=f"{MONO} is not installed (fonts-dejavu-core)")
def test_pages_are_seeded_and_a4():
    first = fonts.pages(TEXT, str(MONO), seed=3)
    assert [p.size for p in first] == [fonts.PAGE]
    assert first[0].getextrema()[0] < 60  # ink on the page
    assert fonts.pages(TEXT, str(MONO), seed=3)[0].tobytes() == first[0].tobytes()
    assert fonts.pages(TEXT, str(MONO), seed=4)[0].tobytes() != first[0].tobytes()
