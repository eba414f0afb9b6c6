"""Build dictionaries/restore_calibration.tsv: how often a change with a given posterior
was right, per kind of change, on the development corpora.

Runs protokoll with the model's own posteriors (`RestoreOptions(calibrated=False)`) on
every text input of ../shared/dev and ../shared/dev-real, the truth texts included (what
the stage does to correct text counts too), and on their page images (protokoll's own
OCR); judges every change proposed against the truth (`pipeline.evaluate.changes`); and
fits per kind a non-decreasing step function from posterior to the share right (and by
whether the document's OCR lost its diacritics, see `pipeline/restore/calibration.py`):
isotonic regression (pool adjacent violators), each pool then counting one right and one
wrong change more than it saw (so a pool of few changes is not trusted far), flat over a
pool's posteriors and read between pools by straight lines.

With --prints it also runs on the text inputs of the corpora as bench/fonts.py prints them
in other typefaces (folders laid out like ../shared): the OCR of one typeface is not that
of another, and a fit on one typeface's errors does not carry to the next as well as a fit
on several (each print left out of the fit in turn, its English-OCR WER after restoration
was lower than with the corpora alone). A print of a document counts as that document in
the folds below.

With --folds K it also says how the scores hold on documents the fit has not seen: the
documents (each with all its input kinds) are dealt into K folds, each fold's changes are
scored by a fit made on the other folds, and the table gives what each threshold would
then apply, how much of it is right and how many correct words it would damage. Only
the changes of words are refitted; the rules for marks (`restore.symbols`) keep their
scores, measured on all documents.

    .venv/bin/python bench/calibrate.py [--shared ../shared] [--out out/calibrate]
                                        [--reuse] [--folds K] [--prints DIR ...]

The table in the repository is made with the three prints of bench/fonts.py:

    for f in mono sans serif; do .venv/bin/python bench/fonts.py out/prints/$f --font $f; done
    .venv/bin/python bench/calibrate.py --folds 29 --prints out/prints/mono out/prints/sans \
        out/prints/serif
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import scans  # noqa: E402  (beside this script)

from pipeline import api  # noqa: E402
from pipeline.evaluate import changes  # noqa: E402
from pipeline.model import Correction  # noqa: E402
from pipeline.options import BatchOptions, Options, RestoreOptions  # noqa: E402
from pipeline.restore import calibration, joins  # noqa: E402
from pipeline.restore.choose import ACCENT_ONLY, _accent_only  # noqa: E402
from pipeline.restore.lexicon import DICTIONARIES  # noqa: E402

KINDS = ("diacritic", "ocr-confusion", "real-word", "name", "split", "join")
CORPORA = ("dev", "dev-real")
THRESHOLDS = (0.8, 0.9, 0.95, 0.99)


def fit(points: list[tuple[float, bool]]) -> list[tuple[float, float, int]]:
    """Knots (posterior, probability, changes) of the isotonic fit: changes in order of
    posterior, pooled with their neighbours while the share right would fall as the
    posterior rises (pool adjacent violators); then pools are valued counting one right
    and one wrong change more than they saw, and pooled again where that would fall. Each
    pool is flat from its lowest posterior to its highest (a knot at each, both with the
    pool's count), and the fit runs straight from one pool to the next."""
    blocks: list[list[float]] = []  # [lowest posterior, highest, right, count]
    for posterior, right in sorted(points):
        if blocks and blocks[-1][1] == posterior:  # ties pool at once
            blocks[-1][2] += right
            blocks[-1][3] += 1
        else:
            blocks.append([posterior, posterior, float(right), 1.0])
        _pool(blocks, _share)
    pooled: list[list[float]] = []
    for block in blocks:
        pooled.append(block)
        _pool(pooled, _value)
    knots = []
    for block in pooled:
        knots += [(x, round(_value(block), 4), int(block[3])) for x in sorted(set(block[:2]))]
    return knots


def _pool(blocks: list[list[float]], value) -> None:
    """Pool the last block into the one before while its value is not higher."""
    while len(blocks) > 1 and value(blocks[-2]) >= value(blocks[-1]):
        last = blocks.pop()
        blocks[-1][1] = last[1]
        blocks[-1][2] += last[2]
        blocks[-1][3] += last[3]


def _share(block: list[float]) -> float:
    return block[2] / block[3]


def _word_change(c: Correction) -> bool:
    """A change of a word's letters (`restore.choose`, `restore.joins`), not one of the
    rules for marks by their place on the line (`restore.symbols`, origin context), whose
    scores are measured on their own."""
    return c.origin == "lexicon" or (c.origin == "context"
                                     and c.kind not in ("symbol", "ocr-confusion", "split"))


def _value(block: list[float]) -> float:
    return (block[2] + 1) / (block[3] + 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--out", type=Path, default=HERE.parent / "out" / "calibrate")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="judge the outputs already in --out")
    parser.add_argument("--prints", type=Path, nargs="*", default=[], metavar="DIR",
                        help="also the corpora printed in other typefaces (bench/fonts.py)")
    parser.add_argument("--folds", type=int, default=0, metavar="K",
                        help="also score each of K folds of documents by a fit on the others")
    args = parser.parse_args()
    options = Options(restore=RestoreOptions(calibrated=False),
                      batch=BatchOptions(jobs=args.jobs))
    if not args.reuse:
        shutil.rmtree(args.out, ignore_errors=True)
    judged: list[changes.Judged] = []
    for corpus in CORPORA:
        folder = args.shared / corpus
        if not args.reuse:
            inputs = sorted(folder.glob("*.txt")) + scans.scans(folder,
                                                                 args.out / "scans" / corpus)
            api.run(inputs, args.out / corpus, options)
        for found in changes.judge_outputs(folder, args.out / corpus).values():
            judged += found
        for k, prints in enumerate(args.prints):
            out = args.out / f"prints-{k}" / corpus
            if not args.reuse:
                api.run(sorted((prints / corpus).glob("*.ocr_*.txt")), out, options)
            for found in changes.judge_outputs(prints / corpus, out).values():
                judged += found
    lines = [f"# Calibration of restoration scores, made by bench/calibrate.py on "
             f"{datetime.now(UTC):%Y-%m-%d}",
             f"# from {len(judged)} changes proposed on every text input of "
             f"{', '.join(CORPORA)} (truth, eng, swe, typewriter OCR) and "
             "protokoll's own OCR of their page images"
             + (f"; and the text inputs of both printed in other typefaces by bench/fonts.py"
                f" ({', '.join(p.name for p in args.prints)})" if args.prints else ""),
             "family\tposterior\tprobability\tchanges"]
    for name, points in sorted(_families(judged).items()):
        lines += [f"{name}\t{_knot(x)}\t{p}\t{n}" for x, p, n in fit(points)]
    # the repairs' scores are their rules' guesses: pooled, they have one measured share
    repairs = [(0.0, j.right) for j in judged if j.correction.origin == "structure"]
    lines += [f"{calibration.STRUCTURE}\t{_knot(x)}\t{p}\t{n}" for x, p, n in fit(repairs)]
    (DICTIONARIES / calibration.CALIBRATION).write_text("\n".join(lines) + "\n",
                                                        encoding="utf-8")
    print("\n".join(lines))
    print("\nbefore calibration, every change proposed by posterior:")
    print(changes.calibration_table(judged))
    if args.folds > 1:
        print(held_out(judged, args.folds))


def _knot(posterior: float) -> str:
    """A knot's posterior as written: rounded down, so that the change a pool starts at is
    not left below its pool's first knot by the rounding (0.7234996 written 0.723500)."""
    return f"{math.floor(posterior * 1e6) / 1e6:.6f}"


def _family(j: changes.Judged) -> str | None:
    """The calibration family of a change of a word's letters; None for the rest."""
    c = j.correction
    if c.kind in KINDS and _word_change(c):
        return calibration.family(c.kind, j.english, c.before, c.after)
    return None


def _families(judged: list[changes.Judged]) -> dict[str, list[tuple[float, bool]]]:
    families: dict[str, list[tuple[float, bool]]] = {}
    for j in judged:
        if (name := _family(j)) is not None:
            families.setdefault(name, []).append((_raw(j.correction), j.right))
    return families


def _raw(c: Correction) -> float:
    """The change's score before calibration, which is what the table maps: a join's is
    calibrated whatever the options (`joins.corrections`), from its one score, JOINED."""
    return joins.JOINED if c.kind == "join" else c.score


def _fitted(judged: list[changes.Judged]) -> calibration.Calibration:
    steps = {}
    for name, points in _families(judged).items():
        knots = fit(points)
        steps[name] = ([x for x, _, _ in knots], [p for _, p, _ in knots])
    return calibration.Calibration(steps, "")


def held_out(judged: list[changes.Judged], folds: int) -> str:
    """What each threshold applies when every change is scored by a fit made without its
    document: documents (all input kinds of one text together) dealt into folds in the
    order of their names."""
    documents = sorted({j.document.split(".")[0] for j in judged})
    fold_of = {d: k % folds for k, d in enumerate(documents)}
    fold = {id(j): fold_of[j.document.split(".")[0]] for j in judged}
    scored: list[tuple[float, changes.Judged]] = []
    for k in range(folds):
        table = _fitted([j for j in judged if fold[id(j)] != k])
        for j in judged:
            if fold[id(j)] != k:
                continue
            c, name = j.correction, _family(j)
            score = c.score if name is None else table.score(name, _raw(c))
            if name is not None and _accent_only(c.before, c.after):
                score = min(score, ACCENT_ONLY)
            scored.append((score, j))
    lines = [f"\nheld out ({folds} folds of {len(documents)} documents): each change scored "
             "by a fit made on the other folds",
             "threshold  applied   right  share right  damaged"]
    for threshold in THRESHOLDS:
        applied = [j for s, j in scored if s >= threshold]
        right = sum(j.right for j in applied)
        damaged = sum(j.was_right and not j.right for j in applied)
        share = f"{right / len(applied):.2%}" if applied else "-"
        lines.append(f"{threshold:9.2f} {len(applied):8d} {right:7d} {share:>12} {damaged:8d}")
    default = RestoreOptions().threshold
    harmed = [(s, j) for s, j in scored if s >= default and j.was_right and not j.right]
    lines.append(f"correct words it would damage at the default threshold {default}:")
    lines += [f"    {j.document}: {j.correction.before} → {j.correction.after} ({s:.3f})"
              for s, j in harmed]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
