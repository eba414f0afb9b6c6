"""What restoration corrects, as a digest: to show that a change to its speed changed nothing.

Runs `protokoll run` over every OCR text of the development corpora (../shared/dev and
../shared/dev-real: *.ocr_eng.txt, *.ocr_swe.txt, *.typewriter.ocr_swe.txt) and hashes
each document's corrections.jsonl (every change, every suggestion, with its score).

    python bench/corrections_digest.py --write digest.json      # before a change
    python bench/corrections_digest.py --compare digest.json    # after it: exit 1 if any differs

--keep DIR keeps the output folders, so that a difference can be read with `diff`.
The documents run in a worker process each way the batch runs them (--jobs, default 2),
so the readings found page by page in the workers are what is compared.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = ("dev", "dev-real")
BIN = Path(sys.executable).parent


def inputs() -> list[Path]:
    found = [p for name in CORPORA for p in sorted((SHARED / name).glob("*.ocr_*.txt"))]
    if not found:
        sys.exit(f"corrections_digest: no OCR texts in {SHARED}/{{{','.join(CORPORA)}}}")
    return found


def digest(out: Path, paths: list[Path], jobs: int) -> dict[str, str]:
    """sha256 of corrections.jsonl per input, keyed by corpus and file name."""
    command = [str(BIN / "protokoll"), "run", *map(str, paths), "--out", str(out),
               "--jobs", str(jobs)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"corrections_digest: protokoll run failed:\n{done.stderr[-2000:]}")
    result = {}
    for path in paths:
        folder = out / path.name.removesuffix(".txt")
        data = (folder / "corrections.jsonl").read_bytes()
        result[f"{path.parent.name}/{path.name}"] = hashlib.sha256(data).hexdigest()
    return result


def compare(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The documents whose corrections differ, or that only one side has."""
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--write", type=Path, metavar="FILE", help="write the digest here")
    what.add_argument("--compare", type=Path, metavar="FILE",
                      help="compare with a digest written before")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the output folders here")
    args = parser.parse_args()
    paths = inputs()
    with tempfile.TemporaryDirectory(prefix="protokoll-digest-") as tmp:
        out = args.keep or Path(tmp) / "out"
        if args.keep and out.exists():
            shutil.rmtree(out)
        new = digest(out, paths, args.jobs)
    total = hashlib.sha256(json.dumps(new, sort_keys=True).encode()).hexdigest()
    if args.write:
        args.write.write_text(json.dumps({"total": total, "documents": new}, indent=1,
                                         sort_keys=True) + "\n")
        print(f"{len(new)} documents, digest {total[:16]} -> {args.write}")
        return
    old = json.loads(args.compare.read_text())["documents"]
    differ = compare(old, new)
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(new)} documents, digest {total[:16]}: "
          + (f"{len(differ)} differ from {args.compare}" if differ
             else f"corrections identical to {args.compare}"))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
