"""Bad input: each gets a one-line error naming the file and what to do; nothing half-written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES

from pipeline import api
from pipeline.exceptions import (
    MissingDependencyError,
    UnreadableSourceError,
    UnsupportedSourceError,
)
from pipeline.ocr import tesseract

PNG = SAMPLES / "minutes_2024_p1_clean.png"


@pytest.fixture
def no_probe_cache():
    tesseract.probe.cache_clear()
    yield
    tesseract.probe.cache_clear()


def _encrypted_pdf(path: Path) -> Path:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=SAMPLES / "minutes_2024_textlayer.pdf")
    writer.encrypt(user_password="hemligt", owner_password="hemligt")
    with path.open("wb") as f:
        writer.write(f)
    return path


def _bad_files(folder: Path) -> dict[str, type[Exception]]:
    (folder / "empty.png").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not")
    (folder / "cut.png").write_bytes(PNG.read_bytes()[:5000])
    (folder / "letter.docx").write_bytes(b"PK\x03\x04 not a supported kind")
    _encrypted_pdf(folder / "locked.pdf")
    return {"empty.png": UnreadableSourceError, "broken.pdf": UnreadableSourceError,
            "cut.png": UnreadableSourceError, "letter.docx": UnsupportedSourceError,
            "locked.pdf": UnreadableSourceError}


@pytest.mark.parametrize("name, words", [
    ("empty.png", "empty"), ("broken.pdf", "damaged"), ("cut.png", "damaged or truncated"),
    ("letter.docx", "unsupported file type"), ("locked.pdf", "encrypted")])
def test_bad_file_error_names_the_file_and_the_fix(tmp_path, options, name, words):
    expected = _bad_files(tmp_path)[name]
    with pytest.raises(expected) as info:
        api.process_file(tmp_path / name, options)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(tmp_path / name))
    assert words in message and info.value.fix


def test_missing_path_and_permission_denied(tmp_path, options, monkeypatch):
    with pytest.raises(UnreadableSourceError, match="no such file"):
        api.process_file(tmp_path / "missing.pdf", options)

    real_open = os.open

    def denied(path, *args, **kwargs):  # as for a file of another user (tests may run as root)
        if Path(path) == PNG:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(UnreadableSourceError, match="permission denied.*chmod"):
        api.process_file(PNG, options)


def test_tesseract_not_installed(options, monkeypatch, tmp_path, no_probe_cache):
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on the path
    with pytest.raises(MissingDependencyError) as info:
        api.process_file(PNG, options)
    assert str(info.value).startswith(str(PNG)) and "make install" in str(info.value)


def test_swedish_language_data_missing(options, monkeypatch, tmp_path, no_probe_cache):
    tessdata = tmp_path / "tessdata"
    tessdata.mkdir()
    (tessdata / "eng.traineddata").symlink_to(tesseract.probe().tessdata / "eng.traineddata")
    tesseract.probe.cache_clear()
    monkeypatch.setenv("TESSDATA_PREFIX", str(tessdata))
    with pytest.raises(MissingDependencyError, match="no language data for swe") as info:
        api.process_file(PNG, options)
    assert "tesseract-ocr-swe" in info.value.fix


def test_legacy_text_needs_no_tesseract(options, monkeypatch, tmp_path, no_probe_cache):
    monkeypatch.setenv("PATH", str(tmp_path))
    doc = api.process_file(SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt", options)
    assert doc.pages and next(s for s in doc.steps if s.stage == "ocr").tool == "legacy-text"


def test_folder_run_goes_on_past_bad_files(tmp_path, options):
    folder = tmp_path / "in"
    folder.mkdir()
    bad = _bad_files(folder)
    shutil.copy(SAMPLES / "minutes_2024_textlayer.pdf", folder / "good.pdf")
    summary = api.run([folder], tmp_path / "out", options)
    assert summary.count("done") == 1
    # Files of other kinds in a folder are listed as ignored, not failed.
    assert summary.ignored == [folder / "letter.docx"]
    assert sorted(o.input.path.name for o in summary.failures) == sorted(
        set(bad) - {"letter.docx"})
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir() if p.name[0] != ".") == [
        "good", "manifest.sqlite"]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_cli_single_bad_file_exits_non_zero_with_one_line(tmp_path):
    (tmp_path / "empty.pdf").write_bytes(b"")
    proc = _cli("run", "empty.pdf", "--out", "out", "--jobs", "1", cwd=tmp_path)
    assert proc.returncode == UnreadableSourceError.exit_code
    first = proc.stderr.splitlines()[0]
    assert first == ("protokoll: empty.pdf: the file is empty (0 bytes). "
                     "Copy it again from its source or re-scan it.")
    assert not (tmp_path / "out" / "empty").exists()


def test_cli_folder_with_failures_lists_them_and_exits_1(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.png").write_bytes(b"")
    shutil.copy(SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt", folder / "ok.txt")
    proc = _cli("run", "in", "--out", "out", "--no-restore", cwd=tmp_path)
    assert proc.returncode == 1
    assert "1 done, 0 unchanged and skipped, 1 failed" in proc.stderr
    assert proc.stderr.rstrip().endswith("Copy it again from its source or re-scan it.")
    assert (tmp_path / "out" / "ok" / "text.txt").exists()
