"""The development corpora printed in typefaces the OCR channel was not estimated on.

The channel (`dictionaries/build_confusions.py`) learned Tesseract's misreadings from pages
set in Liberation Serif, Liberation Sans and DejaVu Serif, and the corpora's own OCR comes
from a few more. To see how the restoration stage does on OCR it has not met, this prints
the truth of every document of ../shared/dev and ../shared/dev-real in another typeface
(DejaVu Sans, or DejaVu Sans Mono as from a typewriter; DejaVu Serif, one of the channel's
own, for comparison under this script's print; Carlito, with Calibri's metrics, and
Liberation Mono, with Courier's: the calibration of scores is fitted on the three DejaVu
prints too, `bench/calibrate.py --prints`, and on neither of these), line by line as in the truth
(lines too wide for the page wrapped), on A4 at 300 dpi with a little rotation, grain and
blur, reads the pages with Tesseract's English and Swedish models, and writes a folder laid
out like ../shared, for `bench/accuracy.py --shared`:

    python bench/fonts.py OUT [--font sans|mono|serif|carlito|courier] [--shared ../shared]
    python bench/accuracy.py --shared OUT --out out/accuracy-fonts

OUT/dev/NAME.gold.txt is the truth, OUT/dev/NAME.ocr_eng.txt and .ocr_swe.txt its OCR
(pages separated by form feeds). Seeded: the same OUT twice over. About two minutes per
typeface on two cores.
"""

from __future__ import annotations

import argparse
import random
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytesseract
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
FONTS = {"sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # fonts-dejavu-core
         "mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
         "serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
         # typefaces no fit has seen (the calibration is fitted on the three above):
         # Calibri's metrics (fonts-crosextra-carlito), Courier's (fonts-liberation)
         "carlito": "/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf",
         "courier": "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf"}
CORPORA = ("dev", "dev-real")
DPI, POINTS, PITCH = 300, 10.5, 1.45
PAGE, MARGIN = (2480, 3508), 200
GRAIN, BLUR, TILT = 40, 0.7, 0.4  # noise (± grey levels), blur radius (px), degrees


def _lines(text: str, font: ImageFont.FreeTypeFont) -> list[str]:
    """The truth's lines, each wrapped where it is wider than the page's text."""
    width = PAGE[0] - 2 * MARGIN
    out = []
    for line in text.split("\n"):
        words, current = line.split(" "), ""
        for word in words:
            longer = f"{current} {word}" if current else word
            if current and font.getlength(longer) > width:
                out.append(current)
                current = word
            else:
                current = longer
        out.append(current)
    return out


def pages(text: str, font_path: str, seed: int) -> list[Image.Image]:
    """The text printed on as many pages as it takes, each a little tilted and worn."""
    rng = random.Random(seed)
    size = round(POINTS / 72 * DPI)
    font = ImageFont.truetype(font_path, size)
    pitch = round(size * PITCH)
    printed: list[Image.Image] = []
    y = PAGE[1]
    for line in _lines(text, font):
        if y + pitch > PAGE[1] - MARGIN:
            printed.append(Image.new("L", PAGE, 255))
            y = MARGIN
        ImageDraw.Draw(printed[-1]).text((MARGIN, y), line, font=font, fill=0)
        y += pitch
    worn = []
    for page in printed:
        page = page.rotate(rng.uniform(-TILT, TILT), resample=Image.Resampling.BICUBIC,
                           fillcolor=255)
        grain = Image.frombytes("L", PAGE, rng.randbytes(PAGE[0] * PAGE[1]))  # uniform
        grain = grain.point(lambda v: 128 + round((v - 128) * GRAIN / 128))  # ±GRAIN
        page = ImageChops.add(page, grain, offset=-128).filter(ImageFilter.GaussianBlur(BLUR))
        worn.append(page)
    return worn


def _document(job: tuple[Path, Path, str, int]) -> str:
    gold, folder, font, seed = job
    name = gold.name[:-len(".gold.txt")]
    printed = pages(gold.read_text(encoding="utf-8"), FONTS[font], seed)
    for model in ("eng", "swe"):
        text = "\f".join(pytesseract.image_to_string(page, lang=model, config=f"--dpi {DPI}")
                         for page in printed)
        (folder / f"{name}.ocr_{model}.txt").write_text(text, encoding="utf-8")
    shutil.copyfile(gold, folder / gold.name)
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--font", choices=sorted(FONTS), default="sans")
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    jobs = []
    for corpus in CORPORA:
        folder = args.out / corpus
        folder.mkdir(parents=True, exist_ok=True)
        for k, gold in enumerate(sorted((args.shared / corpus).glob("*.gold.txt"))):
            jobs.append((gold, folder, args.font, k))
    if not jobs:
        raise SystemExit(f"fonts: no *.gold.txt in {args.shared}/dev or dev-real")
    with ProcessPoolExecutor(args.jobs, initializer=_one_thread) as pool:
        for name in pool.map(_document, jobs):
            print(name, flush=True)


def _one_thread() -> None:
    import os
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one Tesseract thread per process


if __name__ == "__main__":
    main()
