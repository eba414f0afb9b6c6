"""PDF page images: the scanner's own image taken as stored where that is safe, the page
rendered otherwise; and the two Tesseract engines reading a page alike."""

from __future__ import annotations

import zlib
from pathlib import Path

import pypdfium2 as pdfium
from conftest import SAMPLES, word_errors, words
from PIL import Image, ImageStat
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText

from pipeline.ocr import images, tesseract
from pipeline.ocr import pdfium as pdf_pages

SCANNED = SAMPLES / "minutes_2024_scanned.pdf"


def _embedded_size(path: Path) -> tuple[int, int]:
    pdf = pdfium.PdfDocument(str(path))
    (image,) = list(pdf[0].get_objects())
    size = image.get_px_size()
    pdf.close()
    return size


def test_a_scanned_page_gives_the_scanners_image_as_stored():
    image, dpi = pdf_pages.page_image(SCANNED, 1, dpi=300)
    assert image.size == _embedded_size(SCANNED) and dpi == 300 and image.mode == "L"


def test_a_fax_compressed_scan_is_taken_as_stored(tmp_path):
    """1-bit pages (CCITT G4, as many archive scanners store them) come out as grey pixels
    equal to the scan's."""
    scan = Image.open(SAMPLES / "minutes_2024_p1_clean.png").convert("1")
    scan.save(tmp_path / "fax.pdf", resolution=300)
    image, dpi = pdf_pages.page_image(tmp_path / "fax.pdf", 1, dpi=300)
    assert (image.size, dpi, image.mode) == (scan.size, 300, "L")
    assert image.tobytes() == scan.convert("L").tobytes()


def test_another_resolution_renders_the_page():
    image, dpi = pdf_pages.page_image(SCANNED, 1, dpi=200)
    assert dpi == 200 and abs(image.width - 595 * 200 / 72) < 3


def test_a_rotated_page_is_rendered_upright(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(SCANNED))
    writer.pages[0].rotate(90)
    rotated = tmp_path / "rotated.pdf"
    writer.write(rotated)
    image, _ = pdf_pages.page_image(rotated, 1, dpi=300)
    assert image.width > image.height  # as the page is shown, not as the image is stored


def test_an_image_inverted_by_its_decode_array_is_rendered_as_shown(tmp_path):
    """A white page with a black bar, stored inverted and drawn with /Decode [1 0]."""
    width, height = 417, 589  # 100 x 141 points at 300 dpi
    stored = bytes(255 if 200 <= y < 260 else 0 for y in range(height) for _ in range(width))
    path = tmp_path / "decode.pdf"
    _write_pdf(path, width, height, zlib.compress(stored), "/Decode [1 0]")
    image, _ = pdf_pages.page_image(path, 1, dpi=300)
    assert ImageStat.Stat(image).mean[0] > 200  # mostly white, as printed


def test_an_image_partly_clipped_away_is_rendered_as_shown(tmp_path):
    """The black bar lies in the half of the image that a clipping path hides."""
    width, height = 417, 589
    stored = bytes(0 if 200 <= y < 260 else 255 for y in range(height) for _ in range(width))
    path = tmp_path / "clipped.pdf"
    _write_pdf(path, width, height, zlib.compress(stored), "",
               clip=b"0 0 100 70 re W n ")
    image, _ = pdf_pages.page_image(path, 1, dpi=300)
    assert image.getextrema()[0] > 200  # no black left: the bar is not shown


def test_a_plain_image_page_written_by_hand_is_taken(tmp_path):
    width, height = 417, 589
    stored = bytes(0 if 200 <= y < 260 else 255 for y in range(height) for _ in range(width))
    path = tmp_path / "plain.pdf"
    _write_pdf(path, width, height, zlib.compress(stored), "")
    image, dpi = pdf_pages.page_image(path, 1, dpi=300)
    assert image.size == (width, height) and image.tobytes() == stored


def _write_pdf(path: Path, width: int, height: int, data: bytes, extra: str, *,
               clip: bytes = b"") -> None:
    content = b"q " + clip + b"100 0 0 141.36 0 0 cm /Im0 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 141.36] "
        b"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
        (f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
         f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode {extra} "
         f"/Length {len(data)} >>\nstream\n").encode() + data + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    path.write_bytes(bytes(out))


def test_the_library_and_the_program_read_a_page_alike():
    image, dpi = images.load_frame(SAMPLES / "minutes_2024_p1_clean.png", 1)
    read = {engine: " ".join(line.text for line in tesseract.recognize(
        image, lang="swe", dpi=dpi or 300, timeout=60, path="page", engine=engine))
        for engine in ("library", "cli")}
    assert len(words(read["cli"])) > 150
    assert word_errors(read["cli"], read["library"]) <= 0.02 * len(words(read["cli"]))


def test_pdftotext_is_asked_only_where_a_page_may_have_text(tmp_path):
    """A page of nothing but its scan has no text layer to look for; a page with text
    objects, or with an annotation (its appearance may show text), may have one."""
    assert not pdf_pages.may_have_text(SCANNED, 1)
    assert pdf_pages.may_have_text(SAMPLES / "minutes_2024_textlayer.pdf", 1)
    writer = PdfWriter(clone_from=PdfReader(SCANNED))
    writer.add_annotation(0, FreeText(text="Justerat", rect=(50, 550, 200, 600)))
    annotated = tmp_path / "annotated.pdf"
    writer.write(annotated)
    assert pdf_pages.may_have_text(annotated, 1)
    assert not pdf_pages.may_have_text(annotated, 2)


def _pages_with_ink(shares: list[float], mode: str) -> list[Image.Image]:
    """Pages of the clean sample with only the top `share` of each printed (white below)."""
    page = Image.open(SAMPLES / "minutes_2024_p1_clean.png").convert("L")
    out = []
    for share in shares:
        blank = Image.new("L", page.size, 255)
        cut = round(page.height * share)
        if cut:
            blank.paste(page.crop((0, 0, page.width, cut)), (0, 0))
        out.append(blank.convert(mode))
    return out


def test_the_ocr_work_of_scanned_pages_goes_with_their_print(tmp_path):
    """The guess that orders a scanned PDF's pages (longest first) grows with the text on
    a page, for JPEG and for fax-compressed scans; other PDFs and unreadable files give
    no guess, and the pages are then read in order."""
    shares = [0.5, 0.0, 1.0, 0.25]
    for mode in ("L", "1"):  # Pillow stores them as DCTDecode and as CCITT G4
        pages = _pages_with_ink(shares, mode)
        path = tmp_path / f"scan-{mode}.pdf"
        pages[0].save(path, save_all=True, append_images=pages[1:], resolution=300)
        work = pdf_pages.ocr_work(path, [1, 2, 3, 4])
        assert sorted(work, key=work.get) == [2, 4, 1, 3], (mode, work)
        assert work[2] < 50 < work[4]  # a blank page: next to no outlines
    assert pdf_pages.ocr_work(SAMPLES / "minutes_2024_textlayer.pdf", [1, 2]) == {}
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nnot a pdf")
    assert pdf_pages.ocr_work(tmp_path / "broken.pdf", [1]) == {}
    assert pdf_pages.ocr_work(tmp_path / "scan-L.pdf", [9]) == {}  # no such page
