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
