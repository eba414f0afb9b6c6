"""Readings shared between a run's workers (pipeline/batch/shared.py)."""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import SAMPLES

from pipeline import api
from pipeline.batch import processes
from pipeline.batch.shared import _HEAD, SharedReadings
from pipeline.options import BatchOptions, Options
from pipeline.restore import channel, lexicon, words


def _readings(word: str):
    return words.readings(word, lexicon.load(), channel.load())


def test_a_worker_takes_the_readings_another_made_and_not_its_own(tmp_path):
    a, b = SharedReadings(tmp_path, "a"), SharedReadings(tmp_path, "b")
    made = [("nimnd", _readings("nimnd")), ("och", _readings("och")), ("123", None)]
    a.give(made)
    taken = dict(b.take(["nimnd", "123", "beslut"]))
    assert set(taken) == {"nimnd", "123"} and taken["123"] is None
    assert [(h.text, h.prior, h.cost, h.path, h.keep) for h in taken["nimnd"]] == [
        (h.text, h.prior, h.cost, h.path, h.keep) for h in made[0][1]]
    assert a.take(["nimnd", "och"]) == []  # its own file is not read back
    assert dict(b.take(["och", "nimnd"])).keys() == {"och"}  # each taken once


def test_a_worker_whose_file_is_full_shares_no_more(tmp_path, monkeypatch):
    from pipeline.batch import shared

    a, b = SharedReadings(tmp_path, "a"), SharedReadings(tmp_path, "b")
    a.give([("nimnd", _readings("nimnd"))])
    monkeypatch.setattr(shared, "MAX_BYTES", a.mine.stat().st_size)
    a.give([("och", _readings("och"))])
    assert [word for word, _ in b.take(["nimnd", "och"])] == ["nimnd"]


def test_a_worker_that_cannot_write_its_file_shares_no_more(tmp_path):
    a, b = SharedReadings(tmp_path, "a"), SharedReadings(tmp_path, "b")
    a.mine.mkdir()  # a folder where its file should be: every write fails
    a.give([("nimnd", _readings("nimnd"))])
    a.mine.rmdir()
    a.give([("och", _readings("och"))])
    assert b.take(["nimnd", "och"]) == [] and not a.mine.exists()


def test_a_record_written_in_part_is_read_when_it_is_whole_and_junk_is_passed_over(tmp_path):
    a, b = SharedReadings(tmp_path, "a"), SharedReadings(tmp_path, "b")
    value = pickle.dumps(_readings("pa"))
    record = _HEAD.pack(2, len(value)) + b"pa" + value
    with a.mine.open("ab") as file:
        file.write(record[:7])
    assert b.take(["pa"]) == []
    with a.mine.open("ab") as file:
        file.write(record[7:] + _HEAD.pack(3, 4) + b"fel" + b"junk")
    taken = dict(b.take(["pa", "fel"]))
    assert list(taken) == ["pa"] and [h.text for h in taken["pa"]] == [
        h.text for h in _readings("pa")]


def test_a_pool_of_two_has_a_folder_for_its_readings_and_removes_it(tmp_path):
    executor = processes.start(2)
    try:
        folder = processes._FOLDERS[id(executor)]
        assert executor.submit(_environment).result() == folder
    finally:
        processes.close(executor)
    assert not Path(folder).exists()
    single = processes.start(1)
    try:
        assert id(single) not in processes._FOLDERS
        assert single.submit(_environment).result() is None
    finally:
        processes.close(single)


def _environment() -> str | None:
    import os

    return os.environ.get(processes.SHARED_READINGS)


def test_two_workers_that_share_readings_correct_as_one_worker_does(tmp_path):
    # the customer's document cut into documents of one archive: the workers meet words
    # the other met first, and take its readings of them
    lines = (SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt").read_text().splitlines()
    inputs = []
    for k in range(0, len(lines), 16):
        path = tmp_path / "in" / f"doc{k:03}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(lines[k:k + 16]) + "\n")
        inputs.append(path)
    one = api.run(inputs, tmp_path / "one", Options(batch=BatchOptions(jobs=1, in_process=True)))
    two = api.run(inputs, tmp_path / "two", Options(batch=BatchOptions(jobs=2)))
    assert one.count("done") == two.count("done") == len(inputs) >= 10
    for path in inputs:
        assert ((tmp_path / "one" / path.stem / "corrections.jsonl").read_text()
                == (tmp_path / "two" / path.stem / "corrections.jsonl").read_text())


_KILLED_COORDINATOR = """
import os, signal, sys
from pipeline.batch import processes
executor = processes.start(2)
executor.submit(processes.ready).result()
print(processes._FOLDERS[id(executor)], flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_workers_of_a_coordinator_killed_outright_remove_its_folder():
    done = subprocess.run([sys.executable, "-c", _KILLED_COORDINATOR], capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).parents[1])
    assert done.returncode == -signal.SIGKILL
    folder = Path(done.stdout.strip())
    assert folder.name.startswith("protokoll-readings-")
    deadline = time.monotonic() + 20  # the workers look for their coordinator each second
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not folder.exists()
