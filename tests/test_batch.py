"""Batch runs: unique output names, the manifest, reruns that skip and retry."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from conftest import SAMPLES

from pipeline import api
from pipeline.batch import output_names

LEGACY = SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt"


def test_output_names_are_unique_and_stable():
    paths = [Path("a/protokoll.pdf"), Path("a/protokoll.txt"), Path("b/protokoll.pdf"),
             Path("a/other.png")]
    names = output_names(paths)
    assert len(set(names.values())) == 4
    assert names[Path("a/other.png")] == "other"
    assert names[Path("a/protokoll.txt")] == "protokoll-txt"
    assert names[Path("a/protokoll.pdf")].startswith("protokoll-pdf-")
    assert output_names(list(reversed(paths))) == names


def test_rerun_skips_done_and_redoes_changed_or_failed(tmp_path, options):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(LEGACY, folder / "a.txt")
    (folder / "b.txt").write_text("")  # fails: empty
    out = tmp_path / "out"
    first = api.run([folder], out, options)
    assert (first.count("done"), first.count("failed")) == (1, 1)

    second = api.run([folder], out, options)
    assert (second.count("skipped"), second.count("failed")) == (1, 1)

    (folder / "b.txt").write_text("Nämnden beslutar")
    (folder / "a.txt").write_text("Ändrad text")
    third = api.run([folder], out, options)
    assert third.count("done") == 2 and not third.failures
    assert (out / "a" / "raw.txt").read_text() == "Ändrad text"
    rows = sqlite3.connect(out / "manifest.sqlite").execute(
        "SELECT name, state, error FROM documents ORDER BY name").fetchall()
    assert rows == [("a", "done", None), ("b", "done", None)]


def test_changed_settings_reprocess(tmp_path, options):
    api.run([LEGACY], tmp_path, options)
    from pipeline.options import Options, RestoreOptions
    other = Options(restore=RestoreOptions(enabled=False, threshold=0.9), batch=options.batch)
    assert api.run([LEGACY], tmp_path, other).count("done") == 1
