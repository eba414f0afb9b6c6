"""The learned lexicon as a run takes it: read and checked once, up front; a file in another
encoding or with a malformed line stops the run before any document with one line naming
the file and the line; a byte-order mark is no part of the first entry."""

from __future__ import annotations

import codecs
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from test_batch import legacy_documents

from pipeline import api
from pipeline.exceptions import UsageError
from pipeline.options import BatchOptions, Options, RestoreOptions
from pipeline.restore import learned

ROOT = Path(__file__).resolve().parents[1]
LINE = "Boris\treject\t\tanna\t2024-01-01T00:00:00\n"


def _options(lexicon: Path) -> Options:
    return Options(restore=RestoreOptions(learned=str(lexicon)),
                   batch=BatchOptions(jobs=1, in_process=True))


def _documents(out: Path) -> int:
    path = out / "manifest.sqlite"
    if not path.is_file():
        return 0
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT count(*) FROM documents").fetchone()[0]


@pytest.mark.parametrize(("content", "line", "words"), [
    ((learned.HEADER + LINE + "Bor\xe5s\treject\t\tanna\t2024-01-01T00:00:01\n")
     .encode("cp1252"), 3, "not UTF-8 text"),
    ((learned.HEADER + LINE + "nimnd\tmaybe\tnämnd\tanna\t2024-01-01T00:00:01\n").encode(),
     3, "raw<TAB>reject|edit|accept"),
    ((LINE + "bara ett fält\n").encode(), 2, "raw<TAB>reject|edit|accept")])
def test_a_bad_lexicon_stops_the_run_before_any_document(tmp_path, content, line, words):
    lexicon = tmp_path / "learned.tsv"
    lexicon.write_bytes(content)
    folder = tmp_path / "in"
    legacy_documents(folder, 3)
    with pytest.raises(UsageError) as info:
        api.run([folder], tmp_path / "out", _options(lexicon))
    message = str(info.value)
    assert message.startswith(f"{lexicon}: line {line} of the learned lexicon")
    assert words in message and "\n" not in message
    assert _documents(tmp_path / "out") == 0  # nothing processed, nothing recorded

    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder), "--out",
                           str(tmp_path / "cli"), "--learned", str(lexicon), "--jobs", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == UsageError.exit_code
    assert proc.stderr.splitlines() == [f"protokoll: {message}"]
    assert "internal error" not in proc.stderr and _documents(tmp_path / "cli") == 0


def test_a_byte_order_mark_is_no_part_of_the_first_entry(tmp_path):
    lexicon = tmp_path / "learned.tsv"
    lexicon.write_bytes(codecs.BOM_UTF8 + LINE.encode())
    assert set(learned.read(lexicon)) == {"Boris"}
    lexicon.write_bytes(codecs.BOM_UTF8 + (learned.HEADER + LINE).encode())  # the header too
    assert set(learned.read(lexicon)) == {"Boris"}
    other = tmp_path / "other.txt"
    other.write_text("Förskolenämnden i Boris Stad.\n", encoding="utf-8")
    assert "Boris Stad" in api.process_file(other, _options(lexicon)).text()


def test_the_lexicon_is_read_once_per_run_not_per_document(tmp_path, monkeypatch):
    lexicon = tmp_path / "learned.tsv"
    lexicon.write_text(learned.HEADER + LINE, encoding="utf-8")
    reads = []
    for method in ("read_bytes", "read_text"):
        real = getattr(Path, method)

        def counted(self, *args, _real=real, **kwargs):
            if self.name == lexicon.name:
                reads.append(self)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Path, method, counted)
    summary = api.run(legacy_documents(tmp_path / "in", 4), tmp_path / "out",
                      _options(lexicon))
    assert summary.count("done") == 4
    # For the run's fingerprint, to check it up front, and once in the process that uses
    # it (the run's one worker here): not again for each document.
    assert len(reads) <= 3, reads
    assert "Boris Stad" in (tmp_path / "out" / "doc00" / "text.txt").read_text()

    lexicon.write_text(learned.HEADER + LINE.replace("reject", "accept"), encoding="utf-8")
    assert learned.read(lexicon)["Boris"].decision == "accept"  # a changed file is read again
