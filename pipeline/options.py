"""One validated, frozen options object with a part per stage, passed explicitly."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from pipeline.exceptions import UsageError

OnError = Literal["skip", "abort"]


@dataclass(frozen=True)
class OcrOptions:
    lang: str = "swe"  # Tesseract languages, e.g. "swe" or "swe+eng"
    dpi: int = 300  # rasterization of PDF pages; assumed for images that carry none
    force_ocr: bool = False  # OCR PDF pages even when they have a text layer
    timeout: float = 600.0  # seconds per page before Tesseract is stopped
    engine: str = "library"  # Tesseract in this process ("library") or its program ("cli")

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise UsageError(f"invalid --timeout {self.timeout}", fix="Use seconds above 0.")
        if not self.lang or any(not part.isidentifier() for part in self.lang.split("+")):
            raise UsageError(f"invalid --lang {self.lang!r}", fix="Use e.g. swe or swe+eng.")
        if self.engine not in ("library", "cli"):
            raise UsageError(f"invalid --engine {self.engine!r}", fix="Use library or cli.")
        if not 70 <= self.dpi <= 1200:
            raise UsageError(f"invalid --dpi {self.dpi}", fix="Use a value from 70 to 1200.")


@dataclass(frozen=True)
class RestoreOptions:
    enabled: bool = True
    # Corrections scored below this are kept as suggestions only. The scores are measured
    # probabilities; at 0.9, 99% of the changes applied on the development corpora were
    # right (`bench/accuracy.py`).
    threshold: float = 0.9
    learned: str | None = None  # the learned lexicon file (archivists' review decisions)
    # Scores as measured probabilities (dictionaries/restore_calibration.tsv); False gives
    # the model's own posterior, which is what the calibration is built from.
    calibrated: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise UsageError(f"invalid threshold {self.threshold}", fix="Use a value from 0 to 1.")
        if self.learned is not None and not Path(self.learned).is_file():
            raise UsageError("no such learned lexicon", path=self.learned,
                             fix="Check the --learned path (`protokoll review` creates it).")


@dataclass(frozen=True)
class BatchOptions:
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    on_error: OnError = "skip"
    retry_failed: bool = False  # process again what failed before, unchanged as it is
    scheduler: str | None = None  # a Dask scheduler address (tcp://host:port) to run on
    # Tasks in this process, no worker started: for debugging and tests. A crash in native
    # code (Tesseract, PDFium) then ends the run, so a command line run never does this.
    in_process: bool = False

    def __post_init__(self) -> None:
        if self.scheduler is not None and "://" not in self.scheduler:
            raise UsageError(f"invalid --scheduler {self.scheduler!r}",
                             fix="Give the Dask scheduler's address, e.g. tcp://host:8786.")
        if self.jobs < 1:
            raise UsageError(f"invalid --jobs {self.jobs}", fix="Use 1 or more.")
        if self.on_error not in ("skip", "abort"):
            raise UsageError(f"invalid --on-error {self.on_error!r}", fix="Use skip or abort.")


@dataclass(frozen=True)
class Options:
    ocr: OcrOptions = field(default_factory=OcrOptions)
    restore: RestoreOptions = field(default_factory=RestoreOptions)
    batch: BatchOptions = field(default_factory=BatchOptions)

    def settings(self) -> dict:
        """The options that change a document's output (not how the run is scheduled; the
        page timeout counts as scheduling: a page it cut short is flagged and retried with
        --retry-failed)."""
        ocr = {k: v for k, v in asdict(self.ocr).items() if k != "timeout"}
        restore = asdict(self.restore)
        if self.restore.learned:  # by content: a new decision redoes the documents
            restore["learned"] = hashlib.sha256(Path(self.restore.learned).read_bytes()
                                                ).hexdigest()
        return {"ocr": ocr, "restore": restore}

    def fingerprint(self, environment: dict[str, str] | None = None) -> str:
        """Settings and the versions of program and data (`versions.environment`)."""
        text = json.dumps([self.settings(), environment or {}], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]
