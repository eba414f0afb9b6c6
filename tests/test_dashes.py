"""En dash or hyphen, told apart by the dash's width on the page image: lines rendered
here with the DejaVu fonts, measured as OCR measures them, and judged as restoration
judges them; a typewriter (monospaced) page is not measured and keeps what was read."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline import api
from pipeline.export import protokoll_xml
from pipeline.model import BBox, Document, Line, Word
from pipeline.ocr import dashes as measuring
from pipeline.options import BatchOptions, Options
from pipeline.restore import dashes as judging

FONTS = Path("/usr/share/fonts/truetype/dejavu")
SERIF, SANS, MONO = "DejaVuSerif.ttf", "DejaVuSans.ttf", "DejaVuSansMono.ttf"
PX = 50  # 12 pt at 300 dpi
# Running text below the lines of each page: a font is told only from enough words.
BODY = ["Nämnden beslutar att godkänna förvaltningens förslag till yttrande",
        "och att överlämna ärendet till kommunstyrelsen för vidare handläggning."]


def _font(name: str) -> ImageFont.FreeTypeFont:
    if not (FONTS / name).is_file():
        pytest.skip(f"the font {FONTS / name} is not installed (apt-get install "
                    "fonts-dejavu-core, or `make install`)")
    return ImageFont.truetype(str(FONTS / name), PX)


def _page(rows: list[str], font: str) -> tuple[Image.Image, list[Line]]:
    """A white page with the rows printed on it and the running text below, and its lines
    of words boxed as OCR boxes them (each word's ink)."""
    face, rows = _font(font), rows + BODY
    image = Image.new("L", (2480, 200 + 90 * len(rows)), 255)
    draw = ImageDraw.Draw(image)
    lines = []
    for r, row in enumerate(rows):
        x, y, words = 150, 100 + 90 * r, []
        for text in row.split():
            draw.text((x, y), text, font=face, fill=0)
            words.append(Word(text, 0, BBox(*draw.textbbox((x, y), text, font=face))))
            x += round(face.getlength(text + " "))
        lines.append(Line.of_words(words))
    return image, lines


def _judged(line: Line) -> str:
    """The line's text as restoration makes it from the widths."""
    words = [w.text for w in line.words]
    for i, after, _ in judging.fixes(line.words):
        words[i] = after
    return " ".join(words)


@pytest.mark.parametrize("font", [SERIF, SANS])
def test_an_en_dash_read_as_a_hyphen_is_measured_wide_and_put_back(font):
    # what OCR reads: the en dashes of the range and the time as hyphens (and one as an
    # em dash), the date and the case number with their own hyphens
    printed = ["Taxor för uthyrning 2023–2024", "kl. 13–19 samt 7–21 den 2022-06-09",
               "Dnr KS 2021-00456 för åren 1998–2004"]
    image, lines = _page(printed, font)
    for line in lines:
        for word in line.words:
            word.text = word.text.replace("–", "-")
    lines[1].words[3].text = "7—21"
    measuring.measure(image, lines)
    widths = {w.text: w.dashes for line in lines for w in line.words if w.dashes}
    assert all(width > 0.55 for width in widths["2023-2024"] + widths["7—21"])
    assert all(width < 0.4 for width in widths["2022-06-09"] + widths["2021-00456"])
    assert [_judged(line) for line in lines[:len(printed)]] == printed


def test_a_hyphen_in_a_range_stays_a_hyphen():
    printed = ["sidorna 6-10 och åren 1998-2004 kl. 14:00-16:45"]
    image, lines = _page(printed, SERIF)
    measuring.measure(image, lines)
    assert [len(w.dashes) for w in lines[0].words] == [0, 1, 0, 0, 1, 0, 1]
    assert list(judging.fixes(lines[0].words)) == []


def test_an_en_dash_between_words_is_at_most_suggested():
    printed = ["Digitalisering av arkivet – begäran om medel", "Svar på remiss - Riktlinjer"]
    image, lines = _page(printed, SERIF)
    for line in lines:
        for word in line.words:
            word.text = word.text.replace("–", "-")
    measuring.measure(image, lines)
    assert list(judging.fixes(lines[1].words)) == []  # the printed hyphen
    ((i, after, score),) = judging.fixes(lines[0].words)
    assert (i, after) == (3, "–") and score < 0.9  # seen too seldom to apply


def test_on_a_typewriter_page_nothing_is_measured():
    """In a monospaced font a hyphen may be as wide as a dash: nothing can be said."""
    printed = ["Protokollet justerades den 2016-06-28 av ordföranden",
               "klockan 09.00–15.10 och paragraferna 102–103 behandlades",
               "Beslutande ledamöter enligt särskild förteckning",
               "Övriga närvarande tjänstemän och ersättare"]
    image, lines = _page(printed, MONO)
    lines[1].words[1].text = "09.00-15.10"
    assert not measuring.proportional(lines)
    measuring.measure(image, lines)
    assert all(not w.dashes for line in lines for w in line.words)
    serif_image, serif_lines = _page(printed, SERIF)
    assert measuring.proportional(serif_lines)


def test_a_page_of_a_few_words_is_not_measured():
    """Too few words to tell a typewriter from a proportional font: nothing is said."""
    image, lines = _page(["kl. 13–19"], SERIF)
    del lines[1:]
    measuring.measure(image, lines)
    assert lines[0].words[1].dashes == []


def test_a_dash_touching_a_digit_is_not_measured():
    """A blot that joins the dash to a digit: the dashes are not found one for one."""
    image, lines = _page(["åren 2023–2024"], SERIF)
    word = lines[0].words[1]
    box = word.bbox
    ImageDraw.Draw(image).rectangle((box.x0, (box.y0 + box.y1) // 2 - 3, box.x1,
                                     (box.y0 + box.y1) // 2 + 3), fill=0)
    measuring.measure(image, lines)
    assert word.dashes == []


def test_an_old_document_without_widths_still_loads():
    doc = Document.from_json('{"id": "d", "source": {"path": "x.png", "sha256": "", '
                             '"media_type": "image/png", "size": 1, "pages": 1}, "pages": ['
                             '{"number": 1, "method": "ocr", "lines": [{"text": "13-19", '
                             '"words": [{"text": "13-19", "start": 0, "bbox": null, '
                             '"confidence": 0.9, "alternatives": []}]}]}]}')
    word = doc.pages[0].lines[0].words[0]
    assert word.dashes == [] and list(judging.fixes([word])) == []


def test_the_width_travels_from_the_page_to_the_correction(tmp_path):
    """The whole pipeline on a rendered page: the en dash OCR read as a hyphen is put back
    (origin image), the hyphen of the date is kept."""
    printed = ["Kultur- och fritidsnämnden beslutar om taxor för uthyrning",
               "Taxor för uthyrning av idrottsanläggningar 2023–2024",
               "Beslutet gäller från och med den 2023-02-14 och ersätter",
               "tidigare beslut om avgifter för lokaler och anläggningar."]
    image, _ = _page(printed, SERIF)
    image.save(tmp_path / "page.png", dpi=(300, 300))
    doc = api.process_file(tmp_path / "page.png",
                           Options(batch=BatchOptions(jobs=1, in_process=True)))
    dashes = [c for c in doc.corrections if c.origin == "image"]
    assert [(c.before, c.after, c.applied) for c in dashes] == [("2023-2024", "2023–2024",
                                                                  True)]
    assert "2023–2024" in doc.text() and "2023-02-14" in doc.text()
    assert protokoll_xml.validate(protokoll_xml.render(doc)) == []  # ursprung="image"
    again = Document.from_json(doc.to_json())
    assert [w.dashes for line in again.pages[0].lines for w in line.words if w.dashes] \
        == [w.dashes for line in doc.pages[0].lines for w in line.words if w.dashes]


def _flood_fill(dark: bytearray, width: int) -> list[tuple[int, int, int, int, int]]:
    """The components pixel by pixel, as the runs must find them: (x0, y0, x1, y1, pixels)
    in the order of their first pixel."""
    height, found = len(dark) // width, []
    for start in range(len(dark)):
        if not dark[start]:
            continue
        dark[start], stack, pixels = 0, [start], []
        while stack:
            p = stack.pop()
            pixels.append(divmod(p, width))
            y, x = pixels[-1]
            for ny in (y - 1, y, y + 1):
                for nx in (x - 1, x, x + 1):
                    if 0 <= ny < height and 0 <= nx < width and dark[ny * width + nx]:
                        dark[ny * width + nx] = 0
                        stack.append(ny * width + nx)
        ys, xs = [p[0] for p in pixels], [p[1] for p in pixels]
        found.append((min(xs), min(ys), max(xs) + 1, max(ys) + 1, len(pixels)))
    return found


@pytest.mark.parametrize("seed", range(40))
def test_the_components_are_those_of_a_pixel_by_pixel_fill(seed):
    """Runs joined row by row give the same components, in the same order, as a fill of
    the 8-neighbours pixel by pixel: shapes with holes, diagonals and U-turns."""
    rng = random.Random(seed)
    width, height = rng.randint(1, 40), rng.randint(1, 30)
    density = rng.choice((0.2, 0.45, 0.6))
    dark = bytes(rng.random() < density for _ in range(width * height))
    found = [(b.x0, b.y0, b.x1, b.y1, b.pixels)
             for b in measuring._components(dark, width)]
    assert found == _flood_fill(bytearray(dark), width)
