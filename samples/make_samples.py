"""Make the sample inputs for protokoll from a fictional Swedish minutes text.

The truth text ``minutes_2024_truth.txt`` (one line per printed line, a blank line between
paragraphs, a form feed between pages) is typeset with Pillow onto A4 pages at 300 dpi in
Liberation Serif, and then written out as the kinds of input the pipeline meets:

* ``minutes_2024_p1_clean.png``     page 1, clean grayscale render
* ``minutes_2024_p1_degraded.png``  page 1 made to look like an old scan
* ``minutes_2024_p1_degraded.jpg``  the same degraded page as a JPEG (quality 75)
* ``minutes_2024.tif``              all pages, lightly degraded, 1-bit, CCITT group 4
* ``minutes_2024_scanned.pdf``      all pages, lightly degraded, image-only PDF (JPEG pages)
* ``minutes_2024_textlayer.pdf``    all pages as a born-digital PDF with a real text layer

Layout conventions of the truth text, read by this script:

* a run of two or more spaces inside a line separates columns: the first column starts at
  the left margin, the second at a tab stop, a third is set flush right;
* a line that starts with ``1.``-style numbering or a bullet gets a hanging indent, and the
  following lines of the same paragraph are indented to match;
* headings, ``§`` lines and the title line after a ``§`` line are set in bold;
* the last line of a page, if it is the "Justerandes signatur" line, is set as a footer.

Everything is deterministic: the noise comes from ``random.Random`` with fixed seeds and no
file carries a timestamp, so re-running gives byte-identical files (with the same Pillow,
FreeType, libjpeg, zlib and libtiff versions).

Run from the repository root with ``python samples/make_samples.py``; it needs Pillow and the
Debian package fonts-liberation.
"""

from __future__ import annotations

import io
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
TRUTH_PATH = HERE / "minutes_2024_truth.txt"
STEM = "minutes_2024"

FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
FONT_REGULAR = FONT_DIR / "LiberationSerif-Regular.ttf"
FONT_BOLD = FONT_DIR / "LiberationSerif-Bold.ttf"

DPI = 300
PAGE_W, PAGE_H = 2480, 3508  # A4 at 300 dpi
PX_PER_MM = DPI / 25.4
PT_PER_PX = 72 / DPI
FONT_PT = 12
FONT_PX = round(FONT_PT * DPI / 72)
LINE_PITCH = 1.2 * FONT_PX

LEFT = 25 * PX_PER_MM
RIGHT = PAGE_W - 20 * PX_PER_MM
TAB = 105 * PX_PER_MM
HANGING_INDENT = 6 * PX_PER_MM
FIRST_BASELINE = 20 * PX_PER_MM + FONT_PX
BODY_BOTTOM = PAGE_H - 30 * PX_PER_MM
FOOTER_BASELINE = PAGE_H - 15 * PX_PER_MM
RULE_WIDTH_PX = 3

HEADINGS = frozenset(
    {
        "Lövsjö kommun",
        "Miljö- och byggnadsnämndens beslut",
        "Sammanfattning av ärendet",
        "Ärendet i sin helhet",
        "Prövning av barns bästa",
        "Beslutsunderlag",
        "Samverkan",
        "Beslutet expedieras till",
    }
)
FOOTER_PREFIX = "Justerandes signatur"
COLUMN_GAP = re.compile(r"(?<=\S) {2,}(?=\S)")
ITEM_LINE = re.compile(r"^(Forts\. )?§ \d+")
LIST_MARK = re.compile(r"^(\d+\.|•) ")

SEED = 20240514
PDF_DATE = time.strptime("2024-05-16 07:30:00", "%Y-%m-%d %H:%M:%S")  # UTC
PDF_DATE_STRING = time.strftime("D:%Y%m%d%H%M%SZ", PDF_DATE)
PDF_TITLE = "Miljö- och byggnadsnämnden, protokoll 2024-05-14"
PDF_PRODUCER = "protokoll samples/make_samples.py"
SIZE_BUDGET = 4 * 1024 * 1024


@dataclass(frozen=True)
class Fonts:
    regular: ImageFont.FreeTypeFont
    bold: ImageFont.FreeTypeFont

    def pick(self, bold: bool) -> ImageFont.FreeTypeFont:
        return self.bold if bold else self.regular


@dataclass(frozen=True)
class Run:
    """One piece of text on a page: left end of its baseline in pixels from the top left."""

    x: float
    y: float
    text: str
    bold: bool


@dataclass(frozen=True)
class Rule:
    """A horizontal line across the page, y in pixels from the top."""

    x0: float
    x1: float
    y: float


@dataclass(frozen=True)
class PageLayout:
    runs: tuple[Run, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Degradation:
    """How hard to age a page; see :func:`degrade`."""

    angle_deg: float
    speckles: int
    blur_radius: float
    shading: float
    noise_sigma: float
    jpeg_quality: int | None


HEAVY = Degradation(
    angle_deg=0.7, speckles=900, blur_radius=1.3, shading=1.0, noise_sigma=12, jpeg_quality=30
)
LIGHT = Degradation(
    angle_deg=-0.3, speckles=150, blur_radius=0.7, shading=0.4, noise_sigma=5, jpeg_quality=None
)


# --- text and layout -------------------------------------------------------------------


def load_fonts() -> Fonts:
    missing = [path for path in (FONT_REGULAR, FONT_BOLD) if not path.is_file()]
    if missing:
        names = ", ".join(str(path) for path in missing)
        sys.exit(
            f"make_samples: font not found: {names}\n"
            "Install it with: apt-get install fonts-liberation"
        )
    engine = ImageFont.Layout.BASIC  # same result with or without libraqm
    return Fonts(
        regular=ImageFont.truetype(str(FONT_REGULAR), FONT_PX, layout_engine=engine),
        bold=ImageFont.truetype(str(FONT_BOLD), FONT_PX, layout_engine=engine),
    )


def read_pages(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8")
    return [page.rstrip("\n").split("\n") for page in text.split("\f")]


def is_bold(line: str, previous: str) -> bool:
    return line in HEADINGS or bool(ITEM_LINE.match(line)) or bool(ITEM_LINE.match(previous))


def column_runs(columns: list[str], y: float, bold: bool, fonts: Fonts) -> list[Run]:
    if len(columns) > 3:
        raise ValueError(f"more than three columns: {columns!r}")
    runs = [Run(LEFT, y, columns[0], bold), Run(TAB, y, columns[1], bold)]
    if len(columns) == 3:
        width = fonts.pick(bold).getlength(columns[2])
        runs.append(Run(RIGHT - width, y, columns[2], bold))
    return runs


def line_runs(line: str, y: float, bold: bool, indented: bool, fonts: Fonts) -> list[Run]:
    columns = COLUMN_GAP.split(line)
    if len(columns) > 1:
        return column_runs(columns, y, bold, fonts)
    mark = LIST_MARK.match(line)
    if mark:
        return [
            Run(LEFT, y, mark.group(1), bold),
            Run(LEFT + HANGING_INDENT, y, line[mark.end() :], bold),
        ]
    return [Run(LEFT + HANGING_INDENT if indented else LEFT, y, line, bold)]


def check_fits(runs: Sequence[Run], fonts: Fonts, page_no: int) -> None:
    for run in runs:
        if run.x + fonts.pick(run.bold).getlength(run.text) > RIGHT + 0.5:
            raise ValueError(f"page {page_no}: line too long for the text column: {run.text!r}")


def layout_page(lines: list[str], fonts: Fonts, page_no: int) -> PageLayout:
    footer = lines[-1] if lines and lines[-1].startswith(FOOTER_PREFIX) else None
    body = lines[:-1] if footer else lines
    runs: list[Run] = []
    y = FIRST_BASELINE
    previous = ""
    indented = False
    for line in body:
        if line:
            runs += line_runs(line, y, is_bold(line, previous), indented, fonts)
            indented = indented or bool(LIST_MARK.match(line))
        else:
            indented = False
        previous = line
        y += LINE_PITCH
    if y - LINE_PITCH > BODY_BOTTOM:
        raise ValueError(f"page {page_no}: text runs past the bottom margin")
    rules: list[Rule] = []
    if footer:
        runs += line_runs(footer, FOOTER_BASELINE, False, False, fonts)
        rules.append(Rule(LEFT, RIGHT, FOOTER_BASELINE - LINE_PITCH))
    check_fits(runs, fonts, page_no)
    return PageLayout(tuple(runs), tuple(rules))


# --- raster pages ----------------------------------------------------------------------


def render_page(layout: PageLayout, fonts: Fonts) -> Image.Image:
    page = Image.new("L", (PAGE_W, PAGE_H), 255)
    draw = ImageDraw.Draw(page)
    for run in layout.runs:
        draw.text((run.x, run.y), run.text, font=fonts.pick(run.bold), fill=0, anchor="ls")
    for rule in layout.rules:
        draw.line((rule.x0, rule.y, rule.x1, rule.y), fill=0, width=RULE_WIDTH_PX)
    return page


def make_rng(variant: str, page_no: int) -> random.Random:
    return random.Random(f"{SEED}:{variant}:{page_no}")


def smooth_field(func: Callable[[float, float], float], size: tuple[int, int]) -> Image.Image:
    """A smooth grayscale field: func(u, v) on a coarse grid, u and v in 0..1, scaled up."""
    grid = 48
    values = bytes(
        max(0, min(255, round(func(col / (grid - 1), row / (grid - 1)))))
        for row in range(grid)
        for col in range(grid)
    )
    coarse = Image.frombytes("L", (grid, grid), values)
    return coarse.resize(size, Image.Resampling.BILINEAR)


def uneven_contrast(page: Image.Image, strength: float) -> Image.Image:
    """Map each pixel's 0..255 to floor..ceiling: a shadow at the binding, greyer ink top right."""

    def ceiling(u: float, v: float) -> float:
        return 255 - strength * (38 * max(0.0, 1 - u / 0.1) ** 2 + 14 * v)

    def floor(u: float, v: float) -> float:
        return strength * 75 * u * (1 - v)

    floor_img = smooth_field(floor, page.size)
    span = ImageChops.subtract(smooth_field(ceiling, page.size), floor_img)
    return ImageChops.add(ImageChops.multiply(page, span), floor_img)


def gaussian_noise(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    """Gaussian noise centred on 128: uniform random bytes mapped through the inverse CDF."""
    normal = NormalDist(mu=128, sigma=sigma)
    table = [max(0, min(255, round(normal.inv_cdf((v + 0.5) / 256)))) for v in range(256)]
    uniform = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    return uniform.point(table)


def add_noise(page: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    return ImageChops.add(page, gaussian_noise(page.size, sigma, rng), scale=1.0, offset=-128)


def add_speckles(page: Image.Image, count: int, rng: random.Random) -> Image.Image:
    """Dust: mostly small dark dots, and a few white dropouts that break strokes."""
    out = page.copy()
    draw = ImageDraw.Draw(out)
    for _ in range(count):
        x, y = rng.uniform(0, PAGE_W), rng.uniform(0, PAGE_H)
        radius = rng.choice((0.8, 1.0, 1.3, 1.6, 2.2, 3.0))
        shade = 255 if rng.random() < 0.2 else rng.randint(0, 120)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=shade)
    return out


def levels(page: Image.Image, black: int, white: int) -> Image.Image:
    """Scanner auto-levels: stretch black..white to 0..255, so paper near white clips white."""
    span = white - black
    return page.point(lambda v: max(0, min(255, round((v - black) * 255 / span))))


def jpeg_round_trip(page: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("L")


def degrade(page: Image.Image, spec: Degradation, rng: random.Random) -> Image.Image:
    """Age a clean page: skew, dust, blur, uneven contrast, noise, auto-levels, JPEG."""
    out = page.rotate(spec.angle_deg, resample=Image.Resampling.BICUBIC, fillcolor=255)
    out = add_speckles(out, spec.speckles, rng)
    out = out.filter(ImageFilter.GaussianBlur(spec.blur_radius))
    out = uneven_contrast(out, spec.shading)
    out = add_noise(out, spec.noise_sigma, rng)
    out = levels(out, black=20, white=235)
    if spec.jpeg_quality is not None:
        out = jpeg_round_trip(out, spec.jpeg_quality)
    return out


def to_bilevel(page: Image.Image, threshold: int = 150) -> Image.Image:
    return page.point(lambda v: 255 if v >= threshold else 0).convert("1", dither=Image.Dither.NONE)


# --- writers ---------------------------------------------------------------------------


def write_png(page: Image.Image, path: Path) -> None:
    page.save(path, "PNG", optimize=True, dpi=(DPI, DPI))


def write_jpeg(page: Image.Image, path: Path, quality: int = 75) -> None:
    page.save(path, "JPEG", quality=quality, optimize=True, dpi=(DPI, DPI))


def write_tiff(pages: Sequence[Image.Image], path: Path) -> None:
    bilevel = [to_bilevel(page) for page in pages]
    bilevel[0].save(
        path,
        "TIFF",
        save_all=True,
        append_images=bilevel[1:],
        compression="group4",
        dpi=(DPI, DPI),
    )


def write_scanned_pdf(pages: Sequence[Image.Image], path: Path, quality: int = 40) -> None:
    pages[0].save(
        path,
        "PDF",
        save_all=True,
        append_images=list(pages[1:]),
        resolution=DPI,
        quality=quality,
        title=PDF_TITLE,
        producer=PDF_PRODUCER,
        creationDate=PDF_DATE,
        modDate=PDF_DATE,
    )


def pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (cp1252), non-ASCII bytes as octal escapes."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    return bytes(out + b")")


def pdf_info_string(text: str) -> bytes:
    """A PDF text string for the document info; PDFDocEncoding equals Latin-1 for these."""
    return b"(" + text.encode("latin-1") + b")"


def page_content(layout: PageLayout) -> bytes:
    page_h_pt = PAGE_H * PT_PER_PX
    ops = [b"0 g 0 G"]
    for run in layout.runs:
        font = b"/F2" if run.bold else b"/F1"
        x, y = run.x * PT_PER_PX, page_h_pt - run.y * PT_PER_PX
        ops.append(
            b"BT %s %d Tf %.2f %.2f Td %s Tj ET" % (font, FONT_PT, x, y, pdf_string(run.text))
        )
    for rule in layout.rules:
        x0, x1 = rule.x0 * PT_PER_PX, rule.x1 * PT_PER_PX
        y = page_h_pt - rule.y * PT_PER_PX
        ops.append(b"%.2f w %.2f %.2f m %.2f %.2f l S" % (RULE_WIDTH_PX * PT_PER_PX, x0, y, x1, y))
    return b"\n".join(ops) + b"\n"


def pdf_stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


def assemble_pdf(objects: Sequence[bytes]) -> bytes:
    """Number the objects 1..n in order; object 1 is the catalog and object 2 the info."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 2 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n" % xref_at
    return bytes(out + b"%%EOF\n")


def text_pdf(layouts: Sequence[PageLayout]) -> bytes:
    """A born-digital PDF: Times-Roman and Times-Bold (standard fonts), one Tj per run."""
    first_page = 6
    page_refs = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(len(layouts)))
    media_box = b"[0 0 %.2f %.2f]" % (PAGE_W * PT_PER_PX, PAGE_H * PT_PER_PX)
    objects = [
        b"<< /Type /Catalog /Pages 3 0 R >>",
        b"<< /Title %s /Producer %s /CreationDate %s /ModDate %s >>"
        % (
            pdf_info_string(PDF_TITLE),
            pdf_info_string(PDF_PRODUCER),
            pdf_info_string(PDF_DATE_STRING),
            pdf_info_string(PDF_DATE_STRING),
        ),
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (page_refs, len(layouts)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Bold /Encoding /WinAnsiEncoding >>",
    ]
    for index, layout in enumerate(layouts):
        content_ref = first_page + 2 * index + 1
        objects.append(
            b"<< /Type /Page /Parent 3 0 R /MediaBox %s /Resources << /Font << /F1 4 0 R "
            b"/F2 5 0 R >> >> /Contents %d 0 R >>" % (media_box, content_ref)
        )
        objects.append(pdf_stream(page_content(layout)))
    return assemble_pdf(objects)


def report_sizes(folder: Path) -> int:
    files = sorted(path for path in folder.iterdir() if path.is_file())
    total = sum(path.stat().st_size for path in files)
    for path in files:
        print(f"{path.stat().st_size:>10,}  {path.name}")
    print(f"{total:>10,}  total ({total / 1024 / 1024:.2f} MB, budget 4 MB)")
    if total > SIZE_BUDGET:
        print("make_samples: samples/ is over the 4 MB budget", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    fonts = load_fonts()
    layouts = [
        layout_page(lines, fonts, page_no)
        for page_no, lines in enumerate(read_pages(TRUTH_PATH), start=1)
    ]
    clean = [render_page(layout, fonts) for layout in layouts]
    degraded = degrade(clean[0], HEAVY, make_rng("heavy", 1))
    light = [
        degrade(page, LIGHT, make_rng("light", page_no))
        for page_no, page in enumerate(clean, start=1)
    ]

    write_png(clean[0], HERE / f"{STEM}_p1_clean.png")
    write_png(degraded, HERE / f"{STEM}_p1_degraded.png")
    write_jpeg(degraded, HERE / f"{STEM}_p1_degraded.jpg")
    write_tiff(light, HERE / f"{STEM}.tif")
    write_scanned_pdf(light, HERE / f"{STEM}_scanned.pdf")
    (HERE / f"{STEM}_textlayer.pdf").write_bytes(text_pdf(layouts))
    return report_sizes(HERE)


if __name__ == "__main__":
    sys.exit(main())
