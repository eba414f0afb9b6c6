"""Archive folders as they really are: named pipes, links to devices, links in a loop, very
long names with å/ä/ö, newlines in names, text in other encodings, huge or odd images. A
run records each bad file with a one-line reason, finishes every good one, and never hangs.
Every odd file is made here by the test."""

from __future__ import annotations

import os
import sqlite3
import struct
import subprocess
import sys
import threading
import warnings
import zlib
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from conftest import SAMPLES
from PIL import Image
from test_batch import LEGACY

from pipeline import api, cli
from pipeline.batch.inputs import NAME_BYTES
from pipeline.batch.manifest import Entry, Manifest
from pipeline.exceptions import UnreadableSourceError
from pipeline.ocr import images

ROOT = Path(__file__).resolve().parents[1]
TEXT = LEGACY.read_text(encoding="utf-8")
LONG_STEM = "Protokoll Förskolenämnden sammanträde " + "åäö" * 34  # 242 bytes in UTF-8


def within(seconds: float, work: Callable[[], object]) -> object:
    """`work()`, failing the test if it has not ended after `seconds` (it is left blocked
    in a daemon thread, which ends with the test process)."""
    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # handed to the test
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s: it hangs"
    if "error" in result:
        raise result["error"]
    return result["value"]


def errors(out: Path) -> dict[str, str]:
    with closing(sqlite3.connect(out / "manifest.sqlite")) as db:
        return {Path(p).name: e for p, e in db.execute(
            "SELECT path, error FROM documents WHERE state = 'failed'")}


def png_header(path: Path, width: int, height: int) -> Path:
    """A PNG that says it is width × height pixels (and holds almost none)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    return path


def corrupt_exif_jpeg(path: Path) -> Path:
    """A sound page image whose EXIF block is cut short (its IFD promises 5 tags)."""
    with Image.open(SAMPLES / "minutes_2024_p1_clean.png") as page:
        top = page.convert("L").crop((0, 0, page.width, page.height // 4))
    top.save(path, exif=b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x05\x00")
    return path


# -- names

def test_a_very_long_name_with_swedish_letters_is_processed(tmp_path, options):
    folder = tmp_path / "in"
    folder.mkdir()
    assert len(LONG_STEM.encode()) > 240
    (folder / f"{LONG_STEM}.txt").write_text(TEXT, encoding="utf-8")
    (folder / "kort.txt").write_text(TEXT[:2000], encoding="utf-8")
    out = tmp_path / "out"
    summary = api.run([folder], out, options)
    assert summary.count("done") == 2 and not summary.failures
    (long_name,) = [o.input.name for o in summary.outcomes if o.input.name != "kort"]
    assert len(long_name.encode()) <= NAME_BYTES and LONG_STEM.startswith(long_name)
    assert (out / long_name / "text.txt").read_text(encoding="utf-8")
    assert api.run([folder], out, options).count("skipped") == 2


def test_a_name_an_earlier_run_could_not_write_is_given_up(tmp_path, options):
    """A run of an earlier version recorded the long name, then crashed on it: the rerun
    must not crash the same way."""
    folder = tmp_path / "in"
    folder.mkdir()
    source = folder / f"{LONG_STEM}.txt"
    source.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with Manifest(out / "manifest.sqlite") as manifest:
        manifest.plan([Entry(str(source), LONG_STEM, None, "earlier", "pending")])
    summary = api.run([folder], out, options)
    assert summary.count("done") == 1
    assert len(summary.outcomes[0].input.name.encode()) <= NAME_BYTES


def test_a_newline_in_a_name_stays_on_one_line(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "rad\nbrytning.txt").write_text(TEXT[:3000], encoding="utf-8")
    (folder / "tom\nfil.txt").write_bytes(b"")
    code = cli.main(["run", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1",
                     "--no-restore"])
    assert code == 1
    lines = capsys.readouterr().err.splitlines()
    assert all(line.startswith(("protokoll: ", "  ")) for line in lines), lines
    assert any("rad\\nbrytning.txt: done" in line for line in lines)
    assert any("tom\\nfil.txt: the file is empty" in line for line in lines)
    assert (tmp_path / "out" / "rad_brytning" / "text.txt").is_file()


# -- links and files that are not regular files

def test_a_symlink_loop_is_recorded_and_the_run_goes_on(tmp_path, options):
    folder = tmp_path / "in"
    (folder / "under").mkdir(parents=True)
    (folder / "bra.txt").write_text(TEXT, encoding="utf-8")
    (folder / "sig själv.pdf").symlink_to("sig själv.pdf")
    (folder / "a.txt").symlink_to("b.txt")
    (folder / "b.txt").symlink_to("a.txt")
    (folder / "under" / "upp").symlink_to("..")  # a folder loop: not followed
    out = tmp_path / "out"
    summary = api.run([folder], out, options)
    assert summary.count("done") == 1 and len(summary.failures) == 3
    found = errors(out)
    assert set(found) == {"sig själv.pdf", "a.txt", "b.txt"}
    for error in found.values():
        assert "leads round in a loop" in error and "\n" not in error
    assert api.run([folder], out, options).count("held") == 3  # and the rerun as well


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_fifo_and_a_link_to_a_device_are_recorded_without_waiting(tmp_path, options):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bra.txt").write_text(TEXT, encoding="utf-8")
    os.mkfifo(folder / "rör.txt")  # opening it to read waits for a writer
    (folder / "noll.pdf").symlink_to("/dev/zero")  # endless
    (folder / "ingenting.png").symlink_to("/dev/null")
    out = tmp_path / "out"
    summary = within(60, lambda: api.run([folder], out, options))
    assert summary.count("done") == 1
    found = errors(out)
    assert "named pipe (FIFO), not a regular file" in found["rör.txt"]
    assert "character device" in found["noll.pdf"] and "character device" in found[
        "ingenting.png"]
    with pytest.raises(UnreadableSourceError, match="named pipe"):  # named on its own
        within(60, lambda: api.process_file(folder / "rör.txt", options))


# -- contents

@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_legacy_text_in_utf16_or_utf32_is_read(tmp_path, options, encoding):
    path = tmp_path / "utf.txt"
    path.write_bytes(TEXT.encode(encoding))
    doc = api.process_file(path, options)
    assert doc.raw_text() == TEXT.rstrip("\n") or doc.raw_text() == TEXT


def test_binary_content_named_txt_says_which_encodings_are_read(tmp_path, options):
    path = tmp_path / "binär.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(UnreadableSourceError, match="binary content.*UTF-8, UTF-16"):
        api.process_file(path, options)


@pytest.mark.parametrize("size", [(30_000, 30_000), (25_000, 20_000)])
def test_an_image_too_large_says_so_with_the_limit(tmp_path, options, size):
    path = png_header(tmp_path / "stor.png", *size)
    with pytest.raises(UnreadableSourceError) as info:
        api.process_file(path, options)
    message = str(info.value)
    assert "too large" in message and "400 million pixels" in message
    assert "damaged" not in message and "\n" not in message
    if size == (25_000, 20_000):  # below Pillow's own refusal: the size is known
        assert "25000 × 20000 pixels" in message


def test_a_corrupt_exif_block_is_no_warning_and_the_page_is_read(tmp_path):
    path = corrupt_exif_jpeg(tmp_path / "exif.jpg")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's "Corrupt EXIF data" would raise here
        frame, _ = images.load_frame(path, 1)
        assert images.frame_count(path) == 1
    assert frame.width > 100


# -- the whole of it, from the command line

def _odd_tree(folder: Path) -> tuple[set[str], set[str]]:
    """Every odd file at once; returns the names of the good and of the bad inputs."""
    folder.mkdir()
    (folder / "bra.txt").write_text(TEXT, encoding="utf-8")
    (folder / "utf16.txt").write_bytes(TEXT[:3000].encode("utf-16"))
    (folder / f"{LONG_STEM}.txt").write_text(TEXT[:3000], encoding="utf-8")
    (folder / "rad\nbrytning.txt").write_text(TEXT[3000:6000], encoding="utf-8")
    corrupt_exif_jpeg(folder / "exif.jpg")
    os.mkfifo(folder / "rör.txt")
    (folder / "noll.pdf").symlink_to("/dev/zero")
    (folder / "slinga.pdf").symlink_to("slinga.pdf")
    png_header(folder / "jätte.png", 30_000, 30_000)
    (folder / "tom.pdf").write_bytes(b"")
    (folder / "under").mkdir()
    (folder / "under" / "upp").symlink_to("..")
    good = {"bra.txt", "utf16.txt", f"{LONG_STEM}.txt", "rad\nbrytning.txt", "exif.jpg"}
    return good, {"rör.txt", "noll.pdf", "slinga.pdf", "jätte.png", "tom.pdf"}


def _protokoll(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=300, check=False)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_folder_of_every_odd_file_finishes_and_says_why_for_each_bad_one(tmp_path):
    good, bad = _odd_tree(tmp_path / "in")
    out = tmp_path / "out"
    first = _protokoll("run", str(tmp_path / "in"), "--out", str(out), "--jobs", "2",
                       "--timeout", "60")
    assert first.returncode == 1, first.stderr
    assert "Traceback" not in first.stderr and "EXIF" not in first.stderr
    assert all(line.startswith(("protokoll: ", "  ")) for line in first.stderr.splitlines())
    assert f"{len(good)} done, 0 unchanged and skipped, {len(bad)} failed" in first.stderr
    with closing(sqlite3.connect(out / "manifest.sqlite")) as db:
        states = {Path(p).name: (s, e) for p, s, e in db.execute(
            "SELECT path, state, error FROM documents")}
    assert {n for n, (s, _) in states.items() if s == "done"} == good
    assert {n for n, (s, _) in states.items() if s == "failed"} == bad
    assert all(e and "\n" not in e for n, (_, e) in states.items() if n in bad)

    again = _protokoll("run", str(tmp_path / "in"), "--out", str(out), "--jobs", "2")
    assert again.returncode == 1, again.stderr  # the failed ones still have no output
    assert f"0 done, {len(good)} unchanged and skipped, 0 failed" in again.stderr
    assert f"{len(bad)} failed before and left as they are" in again.stderr


# -- the end of a run, and reading its record

def test_a_rerun_that_leaves_failures_as_they_are_exits_1(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bra.txt").write_text(TEXT[:2000], encoding="utf-8")
    (folder / "tom.txt").write_bytes(b"")
    args = ["run", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1", "--no-restore"]
    assert cli.main(args) == 1
    assert cli.main(args) == 1
    assert cli.main([*args, "--retry-failed"]) == 1  # still empty
    (folder / "tom.txt").write_text("Nu finns det text.\n", encoding="utf-8")
    assert cli.main(args) == 0  # changed: processed again, and done


def test_a_killed_run_is_recorded_as_killed(tmp_path, options):
    out = tmp_path / "out"
    out.mkdir()
    with Manifest(out / "manifest.sqlite") as manifest:  # as a run killed by SIGKILL left it
        manifest.begin_run("2024-01-01T00:00:00+00:00", jobs=1, scheduler=None)
    (tmp_path / "a.txt").write_text(TEXT[:2000], encoding="utf-8")
    api.run([tmp_path / "a.txt"], out, options)
    with api.manifest(out) as manifest:
        assert [r["state"] for r in manifest.runs()] == ["killed", "finished"]


def test_status_into_a_pipe_that_closes_early_ends_quietly(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with Manifest(out / "manifest.sqlite") as manifest:  # enough to fill a pipe's buffer
        manifest.plan(Entry(f"/arkiv/dokument-{i:05d}.pdf", f"dokument-{i:05d}", None, "f",
                            "failed", error=f"/arkiv/dokument-{i:05d}.pdf: the PDF is "
                            "damaged and cannot be read. Re-export or re-scan it.")
                      for i in range(3000))
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "status", str(out), "--all"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().startswith(str(out).encode())
    proc.stdout.close()  # as `| head -1` does
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
