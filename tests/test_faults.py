"""Faults a long batch run must survive: bad files, Tesseract crashing or hanging on a page,
a full disk, a killed or interrupted run, a worker process dying. Each ends with every
document done exactly once, nothing half-written and the manifest consistent."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytesseract
import pytest
from conftest import SAMPLES
from test_batch import legacy_documents

from pipeline import api
from pipeline.batch import coordinator as batch
from pipeline.exceptions import OcrError, OutputError
from pipeline.ocr import tesseract
from pipeline.options import BatchOptions, OcrOptions, Options, RestoreOptions

ROOT = Path(__file__).resolve().parents[1]
SCANNED = SAMPLES / "minutes_2024_scanned.pdf"  # 2 pages, OCR'd


def states(out: Path) -> dict[str, str]:
    with closing(sqlite3.connect(out / "manifest.sqlite")) as db:
        return dict(db.execute("SELECT name, state FROM documents"))


def leftovers(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".lock"]


_TIMES = re.compile(r'\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?|sekunder="[\d.]+"')


def comparable(folder: Path) -> dict[str, object]:
    """A document's output files, without what changes from run to run (times)."""
    files = {str(p.relative_to(folder)): _TIMES.sub("", p.read_text(encoding="utf-8"))
             for p in folder.rglob("*") if p.is_file() and p.name != "document.json"}
    doc = json.loads((folder / "document.json").read_text(encoding="utf-8"))
    for step in doc["steps"]:
        step.pop("started"), step.pop("seconds")
    return {**files, "document.json": doc}


def outputs(out: Path) -> dict[str, dict]:
    return {p.name: comparable(p) for p in sorted(out.iterdir()) if p.is_dir()
            and not p.name.startswith(".")}


# -- bad files

def test_corrupt_and_zero_byte_files_are_recorded_and_the_run_goes_on(tmp_path, options):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tom.pdf").write_bytes(b"")
    (folder / "trasig.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrunc")
    (folder / "avklippt.png").write_bytes((SAMPLES / "minutes_2024_p1_clean.png").read_bytes()
                                          [:4000])
    shutil.copy(SAMPLES / "minutes_2024_textlayer.pdf", folder / "hel.pdf")
    out = tmp_path / "out"
    summary = api.run([folder], out, options)
    assert summary.count("done") == 1 and summary.count("failed") == 3
    assert states(out) == {"tom": "failed", "trasig": "failed", "avklippt": "failed",
                           "hel": "done"}
    with api.manifest(out) as manifest:
        errors = {Path(e.path).name: e.error for e in manifest.entries("failed")}
    assert "empty (0 bytes)" in errors["tom.pdf"] and "damaged" in errors["trasig.pdf"]
    assert "damaged or truncated" in errors["avklippt.png"]
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "hel", "manifest.sqlite"]


# -- Tesseract crashing or hanging on one page (injected where the engine is called)

def _with(options: Options, engine: str) -> Options:
    return Options(ocr=OcrOptions(engine=engine), restore=options.restore, batch=options.batch)


def _on_page_two(monkeypatch, engine: str, action):
    """Run `action(real, image, kwargs)` instead of Tesseract when it reads page 2 of the
    two-page PDF (one process: the pages are read in order, a page tried again after)."""
    name = "_library" if engine == "library" else "_program"
    real = getattr(tesseract, name)
    calls = []

    def fake(image, **kwargs):
        calls.append(image)
        if len(calls) >= 2:
            return action(real, image, kwargs)
        return real(image, **kwargs)

    monkeypatch.setattr(tesseract, name, fake)


def test_tesseract_program_crash_on_one_page_fails_the_document_and_names_the_page(
        tmp_path, options, monkeypatch):
    def crash(real, image, kwargs):
        raise OcrError("Tesseract failed: Segmentation fault (core dumped)")

    options = _with(options, "cli")
    _on_page_two(monkeypatch, "cli", crash)
    shutil.copy(SAMPLES / "minutes_2024_textlayer.pdf", tmp_path / "other.pdf")
    summary = api.run([SCANNED, tmp_path / "other.pdf"], tmp_path / "out", options)
    (failure,) = summary.failures
    assert "page 2: Tesseract failed" in str(failure.error) and "Segmentation" in str(
        failure.error)
    assert summary.count("done") == 1
    assert not (tmp_path / "out" / "minutes_2024_scanned").exists()
    monkeypatch.undo()
    again = api.run([SCANNED], tmp_path / "out", options)
    assert again.count("held") == 1  # not retried unless asked
    retried = api.run([SCANNED], tmp_path / "out", Options(
        ocr=options.ocr, restore=options.restore, batch=BatchOptions(jobs=1, in_process=True,
                                                                     retry_failed=True)))
    assert retried.count("done") == 1
    assert states(tmp_path / "out")["minutes_2024_scanned"] == "done"


def test_the_real_program_failing_is_reported_as_tesseract_failed(tmp_path, options,
                                                                    monkeypatch):
    def broken(real, image, kwargs):
        raise pytesseract.TesseractError(-11, "Segmentation fault (core dumped)")

    monkeypatch.setattr(pytesseract, "image_to_data",
                        lambda *a, **k: broken(None, None, None))
    summary = api.run([SCANNED], tmp_path, _with(options, "cli"))
    (failure,) = summary.failures  # every page fails; the first one back is named
    assert re.search(r"page [12]: Tesseract failed: Segmentation fault", str(failure.error))


def test_tesseract_program_crashing_once_is_tried_again(tmp_path, options, monkeypatch):
    crashes = []

    def crash_once(real, image, kwargs):
        if not crashes:
            crashes.append(image)
            raise OcrError("Tesseract failed: Killed")
        return real(image, **kwargs)

    _on_page_two(monkeypatch, "cli", crash_once)
    summary = api.run([SCANNED], tmp_path, _with(options, "cli"))
    assert summary.count("done") == 1 and crashes
    page_two = (tmp_path / "minutes_2024_scanned" / "raw.txt").read_text().split("\f")[1]
    assert "Dnr MBN" in page_two


@pytest.mark.parametrize("engine", ["library", "cli"])
def test_a_page_timeout_leaves_the_page_empty_flagged_and_retried_on_request(
        tmp_path, options, monkeypatch, engine):
    def hang(real, image, kwargs):
        return real(image, **{**kwargs, "timeout": 0.05})  # a real timeout: Tesseract stopped

    options = _with(options, engine)
    _on_page_two(monkeypatch, engine, hang)
    summary = api.run([SCANNED], tmp_path, options)
    (outcome,) = summary.outcomes
    assert outcome.state == "done" and "page 2: the page is left empty" in outcome.warnings[0]
    doc = json.loads((tmp_path / "minutes_2024_scanned" / "document.json").read_text())
    assert doc["pages"][1]["lines"] == [] and doc["pages"][0]["lines"]
    assert "larger --timeout" in doc["pages"][1]["warnings"][0]
    monkeypatch.undo()
    assert api.run([SCANNED], tmp_path, options).count("skipped") == 1
    retried = api.run([SCANNED], tmp_path, Options(
        ocr=options.ocr, restore=options.restore, batch=BatchOptions(jobs=1, in_process=True,
                                                                     retry_failed=True)))
    assert retried.count("done") == 1 and not retried.outcomes[0].warnings
    page_two = (tmp_path / "minutes_2024_scanned" / "raw.txt").read_text().split("\f")[1]
    assert "Dnr MBN" in page_two


# -- no space left

def test_no_space_left_while_writing_stops_the_run_and_leaves_nothing_half_written(
        tmp_path, options, monkeypatch):
    folder = tmp_path / "in"
    legacy_documents(folder, 3)
    out = tmp_path / "out"
    real = Path.write_text
    calls = []

    def full_disk(self, text, **kw):
        calls.append(self.name)
        if len(calls) == 6:  # the second document's second file
            raise OSError(28, "No space left on device")
        return real(self, text, **kw)

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OutputError, match="No space left on device.*same command again"):
        api.run([folder], out, options)
    monkeypatch.undo()
    assert leftovers(out) == []
    found = states(out)
    done = [name for name, state in found.items() if state == "done"]
    assert len(done) == 1 and sorted(found.values()) == ["done", "pending", "pending"]
    assert [p.name for p in out.iterdir() if p.is_dir() and p.name[0] != "."] == done
    rest = api.run([folder], out, options)  # space freed: the same command continues
    assert (rest.count("skipped"), rest.count("done")) == (1, 2)
    assert set(states(out).values()) == {"done"}


def test_a_full_disk_under_the_manifest_stops_the_run_cleanly(tmp_path, options, monkeypatch):
    from pipeline.batch.manifest import Manifest

    class FullDisk:
        """The manifest's connection, on a disk that fills up once documents are done."""

        def __init__(self, db):
            self.db = db

        def __getattr__(self, name):
            return getattr(self.db, name)

        def __enter__(self):
            return self.db.__enter__()

        def __exit__(self, *exc):
            return self.db.__exit__(*exc)

        def executemany(self, sql, rows):
            rows = list(rows)
            if any(len(row) > 4 and row[4] == "done" for row in rows):
                raise sqlite3.OperationalError("database or disk is full")
            return self.db.executemany(sql, rows)

    real_init = Manifest.__init__

    def init(self, path):
        real_init(self, path)
        self._db = FullDisk(self._db)

    monkeypatch.setattr(Manifest, "__init__", init)
    with pytest.raises(OutputError, match="cannot write the manifest .database or disk is full"):
        api.run(legacy_documents(tmp_path / "in", 2), tmp_path / "out", options)
    monkeypatch.undo()
    assert set(states(tmp_path / "out").values()) == {"pending"}
    assert api.run([tmp_path / "in"], tmp_path / "out", options).count("done") == 2


# -- killed at any moment

class Killed(BaseException):
    """Stands for SIGKILL in process: nothing after it runs in the run's own code."""


@pytest.mark.parametrize("moment", ["before the rename", "after the rename",
                                    "while recording"])
def test_killed_at_a_moment_then_rerun_does_every_document_once(
        tmp_path, options, monkeypatch, moment):
    folder = tmp_path / "in"
    legacy_documents(folder, 4)
    reference = tmp_path / "reference"
    api.run([folder], reference, options)
    out = tmp_path / "out"
    calls = []

    def second_time() -> bool:
        calls.append(1)
        return len(calls) == 2

    if moment == "before the rename":
        real_rename = Path.rename

        def rename(self, target):
            if ".tmp-" in self.name and second_time():
                raise Killed
            return real_rename(self, target)

        monkeypatch.setattr(Path, "rename", rename)
    elif moment == "after the rename":
        real_write = batch.write_files

        def write(files, folder):
            written = real_write(files, folder)
            if second_time():
                raise Killed
            return written

        monkeypatch.setattr(batch, "write_files", write)
    else:
        from pipeline.batch.manifest import Manifest

        real_record = Manifest.record

        def record(self, entry):
            if entry.state == "done" and second_time():
                self._db.execute("BEGIN")
                self._db.execute("UPDATE documents SET state = 'done' WHERE path = ?",
                                 (entry.path,))
                raise Killed  # the transaction is never committed
            return real_record(self, entry)

        monkeypatch.setattr(Manifest, "record", record)
    with pytest.raises(Killed):
        api.run([folder], out, options)
    monkeypatch.undo()
    rest = api.run([folder], out, options)
    assert rest.count("done") + rest.count("skipped") == 4 and not rest.failures
    assert set(states(out).values()) == {"done"} and leftovers(out) == []
    assert outputs(out) == outputs(reference)


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_sigkill_at_any_moment_and_rerun(tmp_path):
    """Kill -9 the run several times at different moments, then let it finish: every
    document done once, outputs equal to an undisturbed run's, the manifest consistent."""
    folder = tmp_path / "in"
    legacy_documents(folder, 10)
    shutil.copy(SAMPLES / "minutes_2024_textlayer.pdf", folder / "textlayer.pdf")
    args = [str(folder), "--jobs", "2"]
    reference = tmp_path / "reference"
    assert _cli("run", *args, "--out", str(reference)).wait(timeout=300) == 0
    out = tmp_path / "out"
    for delay in (0.8, 2.0, 3.5, 5.0):
        proc = _cli("run", *args, "--out", str(out))
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=30)
    final = _cli("run", *args, "--out", str(out))
    assert final.wait(timeout=300) == 0, final.stderr.read()
    assert set(states(out).values()) == {"done"} and len(states(out)) == 11
    assert leftovers(out) == []
    assert outputs(out) == outputs(reference)


def test_ctrl_c_stops_after_the_documents_in_flight_and_says_how_to_resume(tmp_path):
    folder = tmp_path / "in"
    legacy_documents(folder, 8)
    out = tmp_path / "out"
    proc = _cli("run", str(folder), "--out", str(out), "--jobs", "2")
    seen = []
    for line in proc.stderr:  # plain lines, one per document, when not a terminal
        seen.append(line)
        if line.startswith("protokoll: [1/8]"):
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.stderr.read()
    assert proc.wait(timeout=120) == 130
    assert "stopping after the documents in flight" in rest
    assert "run the same command again to continue" in rest
    found = states(out)
    assert set(found.values()) <= {"done", "pending"} and "pending" in found.values()
    assert leftovers(out) == []
    done_before = sum(s == "done" for s in found.values())
    again = _cli("run", str(folder), "--out", str(out), "--jobs", "2")
    assert again.wait(timeout=300) == 0
    assert f"{8 - done_before} done, {done_before} unchanged and skipped" in again.stderr.read()
    assert set(states(out).values()) == {"done"}


# Python started with this folder on PYTHONPATH runs it first: in the worker processes it
# makes the Tesseract library crash the process (SIGSEGV, as a fault in native code does)
# the first time any of them reads a page.
_SEGFAULT_ONCE = """
import os, signal
from pipeline.ocr import tesseract
_real = tesseract._library
def _crashing(image, **kwargs):
    try:
        os.mkdir(os.environ["PROTOKOLL_TEST_KILLED"])
    except FileExistsError:
        return _real(image, **kwargs)
    os.kill(os.getpid(), signal.SIGSEGV)
tesseract._library = _crashing
"""


@pytest.mark.parametrize(("engine", "jobs"), [("library", 2), ("library", 1), ("cli", 2)])
def test_a_worker_process_that_dies_is_replaced_and_its_page_done_again(tmp_path, engine,
                                                                         jobs):
    """The library crashes in the worker process, or a stand-in for the tesseract program
    kills the worker process that started it; once either way. With --jobs 1 as well: the
    work is in a worker process then too, so the run survives the crash."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    killed = tmp_path / "killed"
    env = {**os.environ, "PROTOKOLL_TEST_KILLED": str(killed)}
    if engine == "library":
        (bin_dir / "sitecustomize.py").write_text(_SEGFAULT_ONCE)
        env["PYTHONPATH"] = os.pathsep.join([str(bin_dir), str(ROOT)])
    else:
        real = shutil.which("tesseract")
        fake = bin_dir / "tesseract"
        fake.write_text(f"""#!/bin/sh
case "$*" in *--version*|*--list-langs*) exec {real} "$@";; esac
if mkdir "{killed}" 2>/dev/null; then kill -9 $PPID; sleep 2; exit 1; fi
exec {real} "$@"
""")
        fake.chmod(0o755)
        env["PATH"] = f"{bin_dir}:{os.environ['PATH']}"
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "minutes_2024_p1_clean.png", folder / "scan.png")
    legacy_documents(folder, 2)
    proc = _cli("run", str(folder), "--out", str(tmp_path / "out"), "--jobs", str(jobs),
                "--no-restore", "--engine", engine, env=env)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert killed.is_dir()  # the worker died once
    assert set(states(tmp_path / "out").values()) == {"done"}
    assert "Sammanträdesdatum" in (tmp_path / "out" / "scan" / "raw.txt").read_text()


_DIES_WHILE_STARTING = """
import os, sys
if "--multiprocessing-fork" in sys.argv:  # a worker process, before it does anything
    try:
        os.mkdir(os.environ["PROTOKOLL_TEST_KILLED"])
    except FileExistsError:
        pass
    else:
        os._exit(1)
"""


def test_a_worker_process_that_dies_while_it_starts_is_replaced(tmp_path):
    """The workers start before the run has inputs to give them: one that dies then (a
    broken install, no memory) is started again like one that died on a page."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    killed = tmp_path / "killed"
    (bin_dir / "sitecustomize.py").write_text(_DIES_WHILE_STARTING)
    env = {**os.environ, "PROTOKOLL_TEST_KILLED": str(killed),
           "PYTHONPATH": os.pathsep.join([str(bin_dir), str(ROOT)])}
    folder = tmp_path / "in"
    folder.mkdir()
    legacy_documents(folder, 3)
    proc = _cli("run", str(folder), "--out", str(tmp_path / "out"), "--jobs", "2", env=env)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert killed.is_dir()  # a worker died once
    assert set(states(tmp_path / "out").values()) == {"done"}


def test_the_run_keeps_its_output_folder_to_itself(tmp_path, options):
    import fcntl

    tmp_path.joinpath(batch.LOCK).touch()
    with tmp_path.joinpath(batch.LOCK).open() as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(Exception, match="another protokoll run"):
            api.run([SAMPLES / "minutes_2024_textlayer.pdf"], tmp_path, Options(
                restore=RestoreOptions(enabled=False), batch=BatchOptions(jobs=1, in_process=True)))


# Python started with this folder on PYTHONPATH runs it first: reading a page of a PDF whose
# name says so never ends (as a renderer caught in a loop would not), and the allowance for
# a page beyond --timeout is 2 s instead of minutes.
_HANG = """
import time
from pipeline.batch import schedule
from pipeline.ocr import pdfium
schedule.GRACE = 2.0
_real = pdfium.page_image
def _hanging(path, number, **kwargs):
    if "hangs" in str(path):
        while True:
            time.sleep(1)
    return _real(path, number, **kwargs)
pdfium.page_image = _hanging
"""


def test_a_page_that_never_ends_fails_its_document_and_the_run_goes_on(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_HANG)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    folder = tmp_path / "in"
    legacy_documents(folder, 3)
    shutil.copy(SCANNED, folder / "hangs.pdf")
    proc = _cli("run", str(folder), "--out", str(tmp_path / "out"), "--jobs", "2",
                "--timeout", "1", "--no-restore", env=env)
    try:
        code = proc.wait(timeout=180)
    finally:
        proc.kill()
    stderr = proc.stderr.read()
    assert code == 1, stderr
    assert states(tmp_path / "out") == {"hangs": "failed", "doc00": "done", "doc01": "done",
                                        "doc02": "done"}
    assert re.search(r"hangs.pdf: page [12] was still not read after 3 s", stderr)
    assert "Traceback" not in stderr
