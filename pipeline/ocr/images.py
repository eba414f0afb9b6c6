"""Image files (PNG, JPEG, TIFF with several pages): frames and resolution."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from pipeline.exceptions import UnreadableSourceError
from pipeline.ocr import files

log = logging.getLogger(__name__)

MAX_PIXELS = 20_000 * 20_000  # an A0 scan at 600 dpi fits; a decompression bomb not
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses at twice this, before we look


def frame_count(path: Path) -> int:
    with _open(path) as image:
        return getattr(image, "n_frames", 1)


def load_frame(path: Path, number: int) -> tuple[Image.Image, int | None]:
    """Page `number` (1-based) as a grayscale or RGB image, with its dpi if the file says."""
    with _open(path) as image:
        try:
            image.seek(number - 1)
            _check_size(path, image)
            dpi = image.info.get("dpi")
            frame = image.convert("RGB" if image.mode in ("RGB", "RGBA", "P", "CMYK") else "L")
        except (OSError, ValueError, EOFError) as exc:
            raise _damaged(path) from exc
    return frame, _dpi(dpi)


def _dpi(dpi: tuple[float, float] | None) -> int | None:
    return round(dpi[0]) if dpi and dpi[0] and dpi[0] > 1 else None


@contextmanager
def _open(path: Path) -> Iterator[Image.Image]:
    """The image, its first page decoded (a truncated file fails here, not later), from a
    file opened as a regular file only."""
    with files.open_regular(path) as f, _quiet(path):
        try:
            image = Image.open(f)
        except Image.DecompressionBombError as exc:
            raise _too_large(path, None) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise _damaged(path) from exc
        with image:
            _check_size(path, image)
            try:
                image.load()
            except (OSError, ValueError, SyntaxError) as exc:
                raise _damaged(path) from exc
            yield image


@contextmanager
def _quiet(path: Path) -> Iterator[None]:
    """Pillow's warnings about a file ("Corrupt EXIF data", …) go to the debug log, not to
    the terminal: the image is read all the same."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        log.debug("%s: %s", path, warning.message)


def _check_size(path: Path, image: Image.Image) -> None:
    if image.width * image.height > MAX_PIXELS:
        raise _too_large(path, image.size)


def _too_large(path: Path, size: tuple[int, int] | None) -> UnreadableSourceError:
    found = f" ({size[0]} × {size[1]} pixels)" if size else ""
    return UnreadableSourceError(
        f"the image is too large{found}: the limit is {MAX_PIXELS // 1_000_000} million "
        "pixels (20000 × 20000, an A0 page at 600 dpi)", path=path,
        fix="Scan it at a lower resolution or split it into pages.")


def _damaged(path: Path) -> UnreadableSourceError:
    return UnreadableSourceError("the image is damaged or truncated and cannot be read",
                                 path=path, fix="Re-scan it or export it again.")
