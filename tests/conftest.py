from __future__ import annotations

import dataclasses
import unicodedata
from contextlib import suppress
from pathlib import Path

import pytest

from pipeline import api, cli
from pipeline.export.archive_config import Overrides, PackageOptions, load_config
from pipeline.options import BatchOptions, Options, RestoreOptions

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
TRUTH = SAMPLES / "minutes_2024_truth.txt"
SCANNED = SAMPLES / "minutes_2024_scanned.pdf"
LEGACY = SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt"
CONFIG = SAMPLES / "arkiv.toml"
CREATED = "2024-05-16T07:30:00+00:00"


def serve(server) -> None:
    """A review server's loop, until the test closes its socket under it (the select on
    the closed socket ends it)."""
    with suppress(OSError, ValueError):
        server.run()


def words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def word_errors(truth: str, hypothesis: str) -> int:
    """Word-level edit distance."""
    a, b = words(truth), words(hypothesis)
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


@pytest.fixture
def options() -> Options:
    """One process, no restoration: what the ocr stage alone produces."""
    return Options(restore=RestoreOptions(enabled=False),
                   batch=BatchOptions(jobs=1, in_process=True))


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "dev").is_dir():
        pytest.skip("../shared/dev (the development corpus) is not present in this checkout")
    return SHARED


@dataclasses.dataclass
class PackageRun:
    out: Path
    packages: Path
    schemas: Path | None  # the --schemas folder, when ../shared/schemas is there

    def options(self, **kwargs) -> PackageOptions:
        config = load_config(CONFIG, Overrides(schemas=self.schemas))
        return PackageOptions(config=config, created=CREATED, **kwargs)


@pytest.fixture(scope="session")
def package_run(tmp_path_factory) -> PackageRun:
    """The two-page scanned PDF and a legacy text through `protokoll run --package`, with
    ../shared/schemas as --schemas when it is there (ALTO, CITS ERMS)."""
    schemas = SHARED / "schemas"
    schemas = schemas if (schemas / "alto-4-4.xsd").is_file() else None
    base = tmp_path_factory.mktemp("package")
    out, packages = base / "out", base / "packages"
    args = ["run", str(SCANNED), str(LEGACY), "--out", str(out), "--jobs", "1",
            "--package", str(packages), "--config", str(CONFIG), "--created", CREATED]
    code = cli.main(args + (["--schemas", str(schemas)] if schemas else []))
    assert code == 0 and api.verify(packages / SCANNED.stem).ok
    return PackageRun(out, packages, schemas)
