"""Build dictionaries/restore_calibration.tsv: how often a change with a given posterior
was right, per kind of change, on the development corpora.

Runs protokoll with the model's own posteriors (`RestoreOptions(calibrated=False)`) on
every text input of ../shared/dev and ../shared/dev-real, the truth texts included (what
the stage does to correct text counts too), judges every change proposed against the
truth (`pipeline.evaluate.changes`), and fits per kind a non-decreasing step function
from posterior to the share right (and by whether the document's OCR lost its diacritics,
see `pipeline/restore/calibration.py`): isotonic regression, each pool of changes counting
one right and one wrong change more than it saw (so a pool of few changes is not trusted
far), read between its knots by straight lines.

    .venv/bin/python bench/calibrate.py [--shared ../shared] [--out out/calibrate]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline import api  # noqa: E402
from pipeline.evaluate import changes  # noqa: E402
from pipeline.model import Correction  # noqa: E402
from pipeline.options import BatchOptions, Options, RestoreOptions  # noqa: E402
from pipeline.restore import calibration  # noqa: E402
from pipeline.restore.lexicon import DICTIONARIES  # noqa: E402

KINDS = ("diacritic", "ocr-confusion", "real-word", "name", "split", "join")
CORPORA = ("dev", "dev-real")


def fit(points: list[tuple[float, bool]]) -> list[tuple[float, float, int]]:
    """Knots (posterior, probability, changes) of the isotonic fit: changes in order of
    posterior, pooled with their neighbours while the share right (counting one right
    and one wrong change more) would fall as the posterior rises; each pool is a knot at
    its mean posterior."""
    blocks: list[list[float]] = []  # [sum of posteriors, right, count]
    for posterior, right in sorted(points):
        if blocks and blocks[-1][0] / blocks[-1][2] == posterior:  # ties pool at once
            blocks[-1][0] += posterior
            blocks[-1][1] += right
            blocks[-1][2] += 1
        else:
            blocks.append([posterior, float(right), 1.0])
        while len(blocks) > 1 and _value(blocks[-2]) >= _value(blocks[-1]):
            last = blocks.pop()
            for k in range(3):
                blocks[-1][k] += last[k]
    return [(b[0] / b[2], round(_value(b), 4), int(b[2])) for b in blocks]


def _word_change(c: Correction) -> bool:
    """A change of a word's letters (`restore._correct`, `restore.joins`), not one of the
    rules for marks by their place on the line (`restore.symbols`, origin context), whose
    scores are measured on their own."""
    return c.origin == "lexicon" or (c.origin == "context"
                                     and c.kind not in ("symbol", "ocr-confusion", "split"))


def _value(block: list[float]) -> float:
    return (block[1] + 1) / (block[2] + 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--out", type=Path, default=HERE.parent / "out" / "calibrate")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="judge the outputs already in --out")
    args = parser.parse_args()
    options = Options(restore=RestoreOptions(calibrated=False),
                      batch=BatchOptions(jobs=args.jobs))
    if not args.reuse:
        shutil.rmtree(args.out, ignore_errors=True)
    judged: list[changes.Judged] = []
    for corpus in CORPORA:
        folder = args.shared / corpus
        if not args.reuse:
            api.run(sorted(folder.glob("*.txt")), args.out / corpus, options)
        for found in changes.judge_outputs(folder, args.out / corpus).values():
            judged += found
    lines = [f"# Calibration of restoration scores, made by bench/calibrate.py on "
             f"{datetime.now(UTC):%Y-%m-%d}",
             f"# from {len(judged)} changes proposed on every text input of "
             f"{', '.join(CORPORA)} (truth, eng, swe, typewriter OCR)",
             "family\tposterior\tprobability\tchanges"]
    for kind in KINDS:
        for english in (1.0, 0.0):
            name = calibration.family(kind, english)
            points = [(j.correction.score, j.right) for j in judged
                      if j.correction.kind == kind and _word_change(j.correction)
                      and calibration.family(kind, j.english) == name]
            lines += [f"{name}\t{x:.6f}\t{p}\t{n}" for x, p, n in fit(points)]
    # the repairs' scores are their rules' guesses: pooled, they have one measured share
    repairs = [(0.0, j.right) for j in judged if j.correction.origin == "structure"]
    lines += [f"{calibration.STRUCTURE}\t{x:.6f}\t{p}\t{n}" for x, p, n in fit(repairs)]
    (DICTIONARIES / calibration.CALIBRATION).write_text("\n".join(lines) + "\n",
                                                        encoding="utf-8")
    print("\n".join(lines))
    print("\nbefore calibration, every change proposed by posterior:")
    print(changes.calibration_table(judged))


if __name__ == "__main__":
    main()
