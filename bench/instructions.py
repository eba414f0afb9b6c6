"""Instructions per word of the restore stage, counted by Valgrind: a figure that does not
move with the machine's speed, to compare two versions of the code.

On a shared machine one run's CPU seconds vary by a fifth and more from hour to hour,
more than most changes to the stage's speed; the instructions it executes do not: six
counts of one commit gave 12.249 to 12.270 billion, two in a thousand apart.

This restores the text-only benchmark's archive (`text_archive.py`, as `make bench`
makes it) in one process, as one worker would meet it: every word new to the process,
each document's own fitting and decisions, the loading of the stage's data, a worker's
collection between documents. It does so under Valgrind's callgrind, and once more with
the documents read but none restored; the difference, divided by the archive's words,
is the stage's instructions per word.

With --against DIR (another checkout of protokoll with its own `make install`, e.g. a
`git worktree` of an earlier commit), the same is counted there at the same time (the
machine's two cores, one each) and the change is printed.

Needs valgrind (`apt-get install valgrind`). About four minutes on two cores.

    .venv/bin/python bench/instructions.py [--documents 240] [--against ../base]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Reads the documents named on stdin, one per line, and restores them with the worker's
# collection between them, if the first argument is 1 (0: reads them and stops there).
DRIVER = """
import sys
from pathlib import Path
from pipeline.batch.worker import _settle
from pipeline.ocr import OcrOptions, ocr
from pipeline.ocr.sources import open_document
from pipeline.options import RestoreOptions
from pipeline.restore import restore
paths = [p for p in sys.stdin.read().split("\\n") if p]
docs = [ocr(open_document(Path(p), Path(p).stem), OcrOptions()) for p in paths]
for doc in docs if sys.argv[1] == "1" else []:
    restore(doc, RestoreOptions())
    _settle()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=240)
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="another checkout (with its .venv) to count at the same time")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("instructions: valgrind is not installed; run `sudo apt-get install "
                 "valgrind`")
    trees = [ROOT] + ([args.against.resolve()] if args.against else [])
    for tree in trees:
        if not (tree / ".venv" / "bin" / "python").exists():
            sys.exit(f"instructions: {tree} has no .venv; run `make install` there")
    with tempfile.TemporaryDirectory(prefix="protokoll-instructions-") as tmp:
        sys.path.insert(0, str(HERE))
        import text_archive  # beside this script

        words = text_archive.make(Path(tmp) / "archive", documents=args.documents)
        docs = sorted((Path(tmp) / "archive" / "docs").glob("*.txt"))
        listing = "\n".join(str(d) for d in docs)
        print(f"archive: {len(docs)} documents, {words} words", flush=True)
        counts = {}
        for n in (0, 1):  # the documents read, then read and restored
            running = [_start(tree, n, listing, Path(tmp) / f"{k}-{n}.err")
                       for k, tree in enumerate(trees)]
            for tree, (process, err) in zip(trees, running, strict=True):
                counts[tree, n] = _collected(err, tree, process.wait())
        per_word = {tree: (counts[tree, 1] - counts[tree, 0]) / words for tree in trees}
        for tree in trees:
            print(f"{tree}: {per_word[tree]:,.0f} instructions per word "
                  f"(restore stage, {len(docs)} documents)")
        if args.against:
            change = per_word[ROOT] / per_word[trees[1]] - 1
            print(f"this checkout against {trees[1]}: {100 * change:+.1f}%")


def _start(tree: Path, n: int, listing: str, err: Path) -> tuple[subprocess.Popen, Path]:
    process = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         str(tree / ".venv" / "bin" / "python"), "-c", DRIVER, str(n)],
        cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=err.open("w"), text=True)
    assert process.stdin is not None
    process.stdin.write(listing)
    process.stdin.close()
    return process, err


def _collected(err: Path, tree: Path, returncode: int) -> int:
    """The instructions counted, from valgrind's report; a run that failed (Python's
    error, for one) stops the count: its instructions would be a part of the work."""
    text = err.read_text(encoding="utf-8", errors="replace")
    found = re.search(r"Collected : (\d+)", text)
    if not found or returncode:
        sys.exit(f"instructions: the count in {tree} failed:\n{text[-2000:]}")
    return int(found.group(1))


if __name__ == "__main__":
    main()
