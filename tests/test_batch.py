"""Batch runs: unique output names, the manifest, reruns that skip, redo and retry."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

from conftest import SAMPLES

from pipeline import api
from pipeline.batch.coordinator import Progress
from pipeline.batch.inputs import output_names
from pipeline.options import BatchOptions, Options, RestoreOptions

LEGACY = SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt"


def legacy_documents(folder: Path, count: int) -> list[Path]:
    """`count` different legacy text documents (slices of the Borås text)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = LEGACY.read_text(encoding="utf-8").splitlines()
    paths = []
    for i in range(count):
        path = folder / f"doc{i:02d}.txt"
        path.write_text("\n".join(lines[i * 7:i * 7 + 40]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def rows(out: Path) -> list[tuple]:
    with closing(sqlite3.connect(out / "manifest.sqlite")) as db:
        return db.execute("SELECT name, state, error IS NOT NULL FROM documents "
                          "ORDER BY name").fetchall()


def test_output_names_are_unique_and_stable():
    paths = [Path("a/protokoll.pdf"), Path("a/protokoll.txt"), Path("b/protokoll.pdf"),
             Path("a/other.png")]
    names = output_names(paths)
    assert len(set(names.values())) == 4
    assert names[Path("a/other.png")] == "other"
    assert names[Path("a/protokoll.txt")] == "protokoll-txt"
    assert names[Path("a/protokoll.pdf")].startswith("protokoll-pdf-")
    assert output_names(list(reversed(paths))) == names


def test_rerun_skips_done_redoes_changed_and_retries_failed_only_when_asked(tmp_path, options):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(LEGACY, folder / "a.txt")
    (folder / "b.txt").write_text("")  # fails: empty
    out = tmp_path / "out"
    first = api.run([folder], out, options)
    assert (first.count("done"), first.count("failed")) == (1, 1)

    second = api.run([folder], out, options)
    assert (second.count("skipped"), second.count("held")) == (1, 1)
    retried = api.run([folder], out, Options(restore=options.restore, batch=BatchOptions(
        jobs=1, in_process=True, retry_failed=True)))
    assert (retried.count("skipped"), retried.count("failed")) == (1, 1)

    (folder / "b.txt").write_text("Nämnden beslutar")  # changed: processed without asking
    (folder / "a.txt").write_text("Ändrad text")
    third = api.run([folder], out, options)
    assert third.count("done") == 2 and not third.failures
    assert (out / "a" / "raw.txt").read_text() == "Ändrad text"
    assert rows(out) == [("a", "done", 0), ("b", "done", 0)]


def test_changed_settings_reprocess(tmp_path, options):
    api.run([LEGACY], tmp_path, options)
    other = Options(restore=RestoreOptions(enabled=False, threshold=0.5), batch=options.batch)
    assert api.run([LEGACY], tmp_path, other).count("done") == 1
    assert api.run([LEGACY], tmp_path, other).count("skipped") == 1


def test_manifest_records_pages_timings_and_outputs(tmp_path, options):
    api.run([SAMPLES / "minutes_2024_textlayer.pdf"], tmp_path, options)
    with api.manifest(tmp_path) as manifest:
        (entry,) = manifest.entries()
        (run,) = manifest.runs()
    assert (entry.state, entry.pages, entry.outputs) == ("done", 2, ["minutes_2024_textlayer"])
    assert len(entry.sha256) == 64 and len(entry.fingerprint) == 16
    assert set(entry.timings) >= {"ocr", "restore", "export"} and entry.seconds > 0
    assert (run["state"], run["documents"], run["pages"]) == ("finished", 1, 2)


def test_names_stay_put_when_the_archive_grows(tmp_path, options):
    folder = tmp_path / "in"
    (folder / "2021").mkdir(parents=True)
    shutil.copy(LEGACY, folder / "2021" / "protokoll.txt")
    out = tmp_path / "out"
    api.run([folder], out, options)
    assert (out / "protokoll" / "text.txt").exists()
    (folder / "2022").mkdir()
    (folder / "2022" / "protokoll.txt").write_text("Ett annat protokoll", encoding="utf-8")
    second = api.run([folder], out, options)
    assert (second.count("skipped"), second.count("done")) == (1, 1)
    new = next(o for o in second.outcomes if o.state == "done").input.name
    assert new.startswith("protokoll-") and (out / new / "text.txt").read_text() == (
        "Ett annat protokoll")
    assert (out / "protokoll" / "raw.txt").read_text() == LEGACY.read_text()


def test_the_same_file_twice_under_different_names_is_processed_once(tmp_path, options):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(LEGACY, folder / "original.txt")
    shutil.copy(LEGACY, folder / "kopia av original.txt")
    out = tmp_path / "out"
    summary = api.run([folder], out, options)
    assert summary.count("done") == 2 and summary.pages == 1
    copy = next(o for o in summary.outcomes if o.duplicate_of)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "kopia av original", "manifest.sqlite"]  # one output folder, of the first in order
    assert copy.input.path.name == "original.txt"
    # A third copy in a later run is recorded against the document already done.
    shutil.copy(LEGACY, folder / "tredje.txt")
    later = api.run([folder], out, options)
    assert later.count("skipped") == 2 and later.count("done") == 1
    with api.manifest(out) as manifest:
        entry = manifest.get(str(folder / "tredje.txt"))
    assert entry.duplicate_of == str(folder / "kopia av original.txt")
    assert entry.outputs == ["kopia av original"]
    # The original changes: its copies are no longer copies of what is in its folder.
    (folder / "kopia av original.txt").write_text("Nytt innehåll", encoding="utf-8")
    changed = api.run([folder], out, options)
    assert changed.count("done") == 3 and changed.count("skipped") == 0
    assert (out / "kopia av original" / "raw.txt").read_text() == "Nytt innehåll"
    assert (out / "original" / "raw.txt").read_text() == LEGACY.read_text()


def test_path_with_spaces_and_swedish_letters(tmp_path, options):
    folder = tmp_path / "Förskolenämnden"
    folder.mkdir()
    source = folder / "Protokoll 2021 §39.pdf"
    shutil.copy(SAMPLES / "minutes_2024_textlayer.pdf", source)
    out = tmp_path / "ut data"
    summary = api.run([tmp_path / "Förskolenämnden"], out, options)
    assert summary.count("done") == 1
    doc_folder = out / "Protokoll 2021 §39"
    assert (doc_folder / "text.txt").read_text(encoding="utf-8").startswith("Lövsjö")
    assert api.run([folder], out, options).count("skipped") == 1
    with api.manifest(out) as manifest:
        assert manifest.get(str(source)).state == "done"


def test_progress_reports_documents_and_pages(tmp_path, options):
    docs = [SAMPLES / "minutes_2024_textlayer.pdf", LEGACY]
    seen: list[tuple[int, int, int]] = []

    def progress(p: Progress) -> None:
        seen.append((p.documents, p.done, p.pages_done))

    api.run(docs, tmp_path, options, on_progress=progress)
    assert seen[0] == (2, 0, 0) and seen[-1] == (2, 2, 3)


def test_stop_lets_the_documents_in_flight_finish(tmp_path, options):
    paths = [SAMPLES / "minutes_2024_textlayer.pdf", LEGACY, SAMPLES / "minutes_2024_truth.txt"]
    stop = threading.Event()
    summary = api.run(paths, tmp_path, options, on_outcome=lambda o: stop.set(), stop=stop)
    # Those open when the stop came (two, with one job) are finished; the third is not.
    assert summary.interrupted and summary.count("done") == 2 and summary.left == 1
    with api.manifest(tmp_path) as manifest:
        assert manifest.counts() == {"pending": 1, "running": 0, "done": 2, "failed": 0}
        assert manifest.runs()[-1]["state"] == "stopped"
    rest = api.run(paths, tmp_path, options)
    assert (rest.count("skipped"), rest.count("done")) == (2, 1) and not rest.interrupted


def test_on_error_abort_stops_after_the_first_failure(tmp_path):
    folder = tmp_path / "in"
    legacy_documents(folder, 3)
    (folder / "doc00.txt").write_bytes(b"")
    opts = Options(restore=RestoreOptions(enabled=False),
                   batch=BatchOptions(jobs=1, in_process=True, on_error="abort"))
    summary = api.run([folder], tmp_path / "out", opts)
    assert summary.count("failed") == 1 and summary.count("done") <= 1
    assert not summary.interrupted and summary.left >= 1


def test_a_long_pdf_never_has_more_pages_in_flight_than_workers_plus_one(tmp_path,
                                                                          monkeypatch):
    """What bounds memory: a 500-page PDF is never 500 page images, only those in flight."""
    import subprocess

    from pipeline.batch.schedule import Scheduler

    long_pdf = tmp_path / "long.pdf"
    subprocess.run(["pdfunite", *[str(SAMPLES / "minutes_2024_textlayer.pdf")] * 20,
                    str(long_pdf)], check=True)
    most = [0]
    real = Scheduler._hand_out

    def hand_out(self, job, task):
        real(self, job, task)
        most[0] = max(most[0], len(self.inflight))

    monkeypatch.setattr(Scheduler, "_hand_out", hand_out)
    opts = Options(restore=RestoreOptions(enabled=False), batch=BatchOptions(jobs=2))
    summary = api.run([long_pdf], tmp_path / "out", opts)
    assert summary.count("done") == 1 and summary.pages == 40
    assert most[0] <= 3
    text = (tmp_path / "out" / "long" / "raw.txt").read_text()
    assert text.count("\f") == 39 and text.count("Lövsjö kommun") == 20


def test_a_manifest_of_the_first_version_is_carried_over(tmp_path, options):
    with closing(sqlite3.connect(tmp_path / "manifest.sqlite")) as db, db:
        db.execute("CREATE TABLE documents (path TEXT PRIMARY KEY, name TEXT NOT NULL, "
                   "sha256 TEXT, fingerprint TEXT NOT NULL, state TEXT NOT NULL CHECK (state "
                   "IN ('done', 'failed')), error TEXT, started TEXT, seconds REAL, "
                   "outputs TEXT)")
        db.execute("INSERT INTO documents VALUES ('/old/a.txt', 'a', 'x', 'f', 'done', NULL, "
                   "NULL, 1.5, '[\"a\"]')")
    api.run([LEGACY], tmp_path, options)
    with api.manifest(tmp_path) as manifest:
        old = manifest.get("/old/a.txt")
        assert (old.name, old.state, old.outputs, old.timings) == ("a", "done", ["a"], {})
        assert manifest.counts()["done"] == 2


def test_a_scanned_pdfs_pages_are_handed_out_longest_first(tmp_path, monkeypatch):
    """With several workers, the first page's task guesses the OCR work of the pages that
    are still waiting once each worker has one, and those go out longest first: a long
    page left for the end would keep one worker busy while the others wait."""
    from PIL import Image

    from pipeline.batch import schedule, worker
    from pipeline.model import Page

    page = Image.open(SAMPLES / "minutes_2024_p1_clean.png").convert("L")
    shares = [0.2, 1.0, 0.0, 0.3, 0.1, 0.9, 0.5]  # of each page printed, from the top
    scans = []
    for share in shares:
        scan = Image.new("L", page.size, 255)
        scan.paste(page.crop((0, 0, page.width, round(page.height * share) or 1)), (0, 0))
        scans.append(scan)
    pdf = tmp_path / "scan.pdf"
    scans[0].save(pdf, save_all=True, append_images=scans[1:], resolution=300)

    handed: list[int] = []

    def read_page(task):  # the order is what is tested, not the reading
        handed.append(task.number)
        return Page(number=task.number, method="ocr", width=1, height=1, dpi=300)

    monkeypatch.setattr(worker, "read_page", read_page)
    # this process as two workers, so that the tasks run here, where they are watched
    monkeypatch.setattr(schedule.Pool, "_start", lambda self: (schedule._Inline(), 2))
    opts = Options(restore=RestoreOptions(enabled=False), batch=BatchOptions(jobs=2))
    summary = api.run([pdf], tmp_path / "out", opts)
    assert summary.count("done") == 1 and summary.pages == 7
    # pages 1-3 go out at once; then the rest, the most printed first
    assert handed == [1, 2, 3, 6, 7, 4, 5]
    # a longer document's pages go in order until no more than MAX_GLANCE wait; the task
    # handed out then guesses at those beyond the next ones, which then go longest first
    handed.clear()
    monkeypatch.setattr(schedule, "MAX_GLANCE", 5)
    api.run([pdf], tmp_path / "out-long", opts)
    assert handed == [1, 2, 3, 4, 6, 7, 5]
