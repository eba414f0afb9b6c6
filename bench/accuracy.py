"""Restoration accuracy on the development corpora, every input kind: `make accuracy`.

Runs protokoll on every text input of ../shared/dev and ../shared/dev-real (the truth
itself as one more kind, to see what the stage does to correct text) and, with
--images, on the page images of both (protokoll's own OCR, input kind `scan`), then prints per
corpus and input kind: WER before and after, correct words damaged, documents made worse,
and the calibration table and the damage by class over everything.

    .venv/bin/python bench/accuracy.py [--shared ../shared] [--out out/accuracy] [--images]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import scans  # noqa: E402  (beside this script)

from pipeline import api  # noqa: E402
from pipeline.evaluate import changes  # noqa: E402
from pipeline.evaluate import text as evaluate  # noqa: E402
from pipeline.options import BatchOptions, Options, RestoreOptions  # noqa: E402


def _run(inputs: list[Path], out: Path, options: Options) -> None:
    summary = api.run(inputs, out, options)
    if summary.failures:
        sys.exit(f"accuracy: {len(summary.failures)} document(s) failed in {out}")


def _summary(corpus: str, rows: list[evaluate.Row]) -> list[str]:
    groups: dict[str, list[evaluate.Row]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    lines = []
    for group, members in sorted(groups.items()):
        raw = sum((r.scores["input"] for r in members[1:]), members[0].scores["input"])
        after = sum((r.scores["protokoll"] for r in members[1:]), members[0].scores["protokoll"])
        worse = sum(r.scores["protokoll"].word_errors > r.scores["input"].word_errors
                    for r in members)
        lines.append(f"| {corpus} | {group} | {len(members)} | {raw.words} | {raw.wer:.2%} | "
                     f"{after.wer:.2%} | {after.damaged} ({after.damage:.2%}) | {worse} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--out", type=Path, default=HERE.parent / "out" / "accuracy")
    parser.add_argument("--images", action="store_true", help="also the page images (kind scan)")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    restore = RestoreOptions() if args.threshold is None else RestoreOptions(
        threshold=args.threshold)
    options = Options(restore=restore, batch=BatchOptions(jobs=args.jobs))
    shutil.rmtree(args.out, ignore_errors=True)
    table = ["| corpus | input | documents | words | raw WER | WER after | correct words "
             "damaged | documents made worse |", "|---|---|---|---|---|---|---|---|"]
    judged: list[changes.Judged] = []
    for corpus in ("dev-real", "dev"):
        folder = args.shared / corpus
        out = args.out / corpus
        inputs = sorted(folder.glob("*.txt"))
        if args.images:
            inputs += scans.scans(folder, args.out / "scans" / corpus)
        _run(inputs, out, options)
        table += _summary(corpus, evaluate.evaluate(folder, out, baselines=False))
        for found in changes.judge_outputs(folder, out).values():
            judged += found
    print("\n".join(table))
    print("\nEvery change proposed (applied or suggested), by score:")
    print(changes.calibration_table(judged))
    print("\nWhat each threshold would apply:")
    print(changes.threshold_table(judged))
    print("\nCorrect words damaged, by class:")
    print(changes.harm_table(judged))
    changes.dump(judged, args.out / "changes.jsonl")


if __name__ == "__main__":
    main()
