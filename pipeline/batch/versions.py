"""What a document's output depends on besides its settings: the versions of protokoll,
of its data files and of Tesseract and its language data. Part of the manifest's
fingerprint, so a rerun after any of them changed processes the documents again."""

from __future__ import annotations

import functools
import hashlib

from pipeline import __version__
from pipeline.exceptions import MissingDependencyError
from pipeline.ocr import tesseract
from pipeline.restore import calibration, channel, lexicon, shape


@functools.cache
def environment(lang: str, engine: str = "library") -> dict[str, str]:
    """Name -> version or sha256, for a run OCR'ing with Tesseract languages `lang`."""
    found = {"protokoll": __version__}
    try:
        found.update(lexicon.checksums())
        found[channel.CONFUSIONS] = hashlib.sha256(
            (lexicon.DICTIONARIES / channel.CONFUSIONS).read_bytes()).hexdigest()
        found.update(shape.checksums())
        found[calibration.CALIBRATION] = calibration.load().checksum
    except OSError:
        found["dictionaries"] = "missing"
    try:
        probe = tesseract.probe(engine)
        found["tesseract"] = probe.version
        found.update(probe.traineddata(lang))
    except MissingDependencyError:
        found["tesseract"] = "missing"
    return found
