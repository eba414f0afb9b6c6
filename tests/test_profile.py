"""Where a run's time goes: the profile of a run, summed over its workers."""

from __future__ import annotations

import subprocess
import sys

from conftest import SAMPLES

from pipeline import api, profile
from pipeline.options import BatchOptions, Options

LEGACY = SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt"
SCANNED = SAMPLES / "minutes_2024_scanned.pdf"


def test_a_run_adds_up_its_stages_and_steps(tmp_path):
    summary = api.run([LEGACY], tmp_path / "out",
                      Options(batch=BatchOptions(jobs=1, in_process=True)))
    steps = summary.profile.steps
    for step in ("ocr/gather", "restore/load", "restore/tokens", "restore/search",
                 "restore/fitting", "restore/decisions", "segment/segment", "export/render",
                 "write/files", "write/manifest"):
        assert step in steps and steps[step][2] >= 1, step
        assert steps[step][0] >= 0.0 and steps[step][1] >= 0.0
    words = len(LEGACY.read_text(encoding="utf-8").split())
    assert summary.profile.counts["restore/words"] == words
    assert summary.profile.cpu("restore") > 0
    assert summary.profile.first_document is not None
    assert summary.profile.memory and min(summary.profile.memory.values()) > 10_000  # KiB
    table = "\n".join(summary.profile.lines())
    assert "search" in table and "fitting" in table and "words per CPU second" in table


def test_the_steps_of_reading_a_scanned_page_are_profiled(tmp_path):
    summary = api.run([SCANNED], tmp_path / "out",
                      Options(batch=BatchOptions(jobs=1, in_process=True)))
    steps, pages = summary.profile.steps, summary.pages
    for step in ("ocr/text-layer", "ocr/image", "ocr/tesseract", "ocr/dashes"):
        assert step in steps and steps[step][2] == pages, step
    assert steps["ocr/tesseract"][0] > steps["ocr/image"][0] > 0  # Tesseract's is the most
    assert summary.profile.cpu("ocr") >= steps["ocr/tesseract"][0]


def test_profiles_of_two_workers_add_up():
    a = profile.Profile({"restore/search": [1.0, 2.0, 3]}, {"restore/words": 10}, {1: 100})
    b = profile.Profile({"restore/search": [0.5, 1.0, 1], "segment/segment": [0.25, 0.5, 1]},
                        {"restore/words": 5}, {2: 300, 1: 50})
    a.add(b)
    assert a.steps == {"restore/search": [1.5, 3.0, 4], "segment/segment": [0.25, 0.5, 1]}
    assert a.counts == {"restore/words": 15} and a.memory == {1: 100, 2: 300}
    assert a.cpu("restore") == 1.5 and a.cpu("segment") == 0.25


def test_take_hands_over_what_this_process_added_up_once():
    profile.take()
    with profile.step("restore/search"):
        sum(range(10_000))
    profile.count("restore/words", 7)
    taken = profile.take()
    assert taken.steps["restore/search"][2] == 1 and taken.counts == {"restore/words": 7}
    assert profile.take().steps == {}


def test_the_command_line_prints_the_profile(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", str(LEGACY), "--out",
                           str(tmp_path / "out"), "--jobs", "1", "--profile"],
                          capture_output=True, text=True, check=True)
    lines = [line for line in done.stderr.splitlines() if line.startswith("protokoll: profile:")]
    text = "\n".join(lines)
    for name in ("restore", "search", "fitting", "decisions", "segment", "render", "files",
                 "words per CPU second", "first document", "peak memory per worker"):
        assert name in text, name
