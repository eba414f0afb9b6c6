"""The scanned pages of a development document as one input protokoll OCRs itself.

`../shared/dev` has its pages as `NAME/pages/*.png` (and two documents as `NAME.pdf`),
`../shared/dev-real` its typewriter pages as `NAME/pages/page-NN.jpg`. The input is made
under a name that says its kind, `NAME.scan.pdf` or `NAME.scan.tif`, so that its output
folder is named after the document and found by its truth (`NAME.gold.txt`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image


def scan(gold: Path, inputs: Path) -> Path | None:
    """The scan of the document whose truth is `gold`, made in `inputs`; None if none."""
    name = gold.name[:-len(".gold.txt")]
    inputs.mkdir(parents=True, exist_ok=True)
    if (pdf := gold.with_name(f"{name}.pdf")).is_file():
        return shutil.copyfile(pdf, inputs / f"{name}.scan.pdf")
    folder = gold.parent / name / "pages"
    pages = sorted(folder.glob("*.png")) or sorted(folder.glob("*.jpg"))
    if not pages:
        return None
    images = [Image.open(p) for p in pages]
    tiff = inputs / f"{name}.scan.tif"  # lossless: the pages as they are
    images[0].save(tiff, save_all=True, append_images=images[1:], compression="tiff_lzw",
                   dpi=images[0].info.get("dpi", (300, 300)))
    return tiff


def scans(corpus: Path, inputs: Path) -> list[Path]:
    """The scans of every document of the corpus that has its pages."""
    return [p for gold in sorted(corpus.glob("*.gold.txt"))
            if (p := scan(gold, inputs)) is not None]
