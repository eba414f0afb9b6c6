"""Image files (PNG, JPEG, TIFF with several pages): frames and resolution."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from pipeline.exceptions import UnreadableSourceError

Image.MAX_IMAGE_PIXELS = 20_000 * 20_000  # an A0 scan at 600 dpi fits; a decompression bomb not


def frame_count(path: Path) -> int:
    with _open(path) as image:
        return getattr(image, "n_frames", 1)


def load_frame(path: Path, number: int) -> tuple[Image.Image, int | None]:
    """Page `number` (1-based) as a grayscale or RGB image, with its dpi if the file says."""
    with _open(path) as image:
        try:
            image.seek(number - 1)
            dpi = image.info.get("dpi")
            frame = image.convert("RGB" if image.mode in ("RGB", "RGBA", "P", "CMYK") else "L")
        except (OSError, ValueError, EOFError) as exc:
            raise _damaged(path) from exc
    return frame, _dpi(dpi)


def page_file(path: Path, number: int, folder: Path) -> tuple[Path, int | None, int, int]:
    """Page `number` as a file Tesseract reads: the file itself when it is a one-page PNG or
    JPEG in a plain mode, else the frame written to `folder` as PNM (no compression to pay
    for). Returns the file, its dpi if the source says, width and height."""
    try:
        header = Image.open(path)  # the header only: open_document has decoded the data
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _damaged(path) from exc
    with header as image:
        plain = (image.format in ("PNG", "JPEG") and getattr(image, "n_frames", 1) == 1
                 and image.mode in ("1", "L", "RGB"))
        if plain:
            dpi = image.info.get("dpi")
            return path, _dpi(dpi), image.width, image.height
    frame, dpi = load_frame(path, number)
    target = folder / f"page-{number}.{'ppm' if frame.mode == 'RGB' else 'pgm'}"
    frame.save(target, format="PPM")
    return target, dpi, frame.width, frame.height


def _dpi(dpi: tuple[float, float] | None) -> int | None:
    return round(dpi[0]) if dpi and dpi[0] and dpi[0] > 1 else None


def _open(path: Path) -> Image.Image:
    try:
        image = Image.open(path)
        image.load()  # decodes the first page: a truncated file fails here, not later
        return image
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError) as exc:
        raise _damaged(path) from exc


def _damaged(path: Path) -> UnreadableSourceError:
    return UnreadableSourceError("the image is damaged or truncated and cannot be read",
                                 path=path, fix="Re-scan it or export it again.")


def size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:  # reads the header only
        return image.size
