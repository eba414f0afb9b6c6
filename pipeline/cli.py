"""The command line: a thin layer over `pipeline.api`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from pipeline import __version__, api
from pipeline.batch import Outcome, RunSummary
from pipeline.exceptions import ProtokollError, UsageError
from pipeline.options import BatchOptions, OcrOptions, Options, RestoreOptions

log = logging.getLogger("pipeline")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return args.command(args)
    except ProtokollError as exc:
        print(f"protokoll: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("protokoll: interrupted; rerun the same command to continue", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="protokoll", description=(
        "OCR cleanup and archival ingestion for Swedish municipal minutes."))
    parser.add_argument("--version", action="version", version=f"protokoll {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug output")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="process files and folders into an output folder")
    run.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                     help="PDF, TIFF, PNG, JPEG or .txt files, or folders (searched recursively)")
    run.add_argument("--out", required=True, type=Path, help="output folder")
    run.add_argument("--lang", default="swe",
                     help="Tesseract languages (default swe; e.g. swe+eng)")
    run.add_argument("--dpi", type=int, default=300, help="rasterization of PDF pages")
    run.add_argument("--force-ocr", action="store_true",
                     help="OCR PDF pages even when they have a text layer")
    run.add_argument("--no-restore", action="store_true",
                     help="skip diacritic restoration and OCR correction")
    run.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                     help="worker processes (default: number of cores)")
    run.add_argument("--on-error", choices=["skip", "abort"], default="skip",
                     help="skip: record a failed file and go on (default); abort: stop")
    run.add_argument("--threshold", type=float, default=0.5,
                     help="apply corrections scored at least this (0-1); keep the rest as "
                          "suggestions (default 0.5)")
    run.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                     help="debug output")
    run.set_defaults(command=_run)

    ev = sub.add_parser("eval", help="measure outputs against truth texts (CER, WER, damage)")
    ev.add_argument("gold", type=Path, metavar="GOLD_DIR", help="folder of NAME.gold.txt files")
    ev.add_argument("out", type=Path, metavar="OUT_DIR", help="the --out folder of a run")
    ev.add_argument("--no-baselines", action="store_true",
                    help="skip the symspell and hunspell baselines")
    ev.set_defaults(command=_eval)
    return parser


def _eval(args: argparse.Namespace) -> int:
    from pipeline import evaluate

    for folder in (args.gold, args.out):
        if not folder.is_dir():
            raise UsageError("no such folder", path=folder, fix="Check the path.")
    rows = evaluate.evaluate(args.gold, args.out, baselines=not args.no_baselines)
    if not rows:
        raise UsageError("no output folder has a truth file", path=args.out,
                         fix="Name truth files NAME.gold.txt after the inputs (NAME.*).")
    print(evaluate.table(rows))
    return 0


def _run(args: argparse.Namespace) -> int:
    options = Options(
        ocr=OcrOptions(lang=args.lang, dpi=args.dpi, force_ocr=args.force_ocr),
        restore=RestoreOptions(enabled=not args.no_restore, threshold=args.threshold),
        batch=BatchOptions(jobs=args.jobs, on_error=args.on_error))
    summary = api.run(args.paths, args.out, options, on_outcome=_print_outcome)
    return _report(summary, args)


def _print_outcome(outcome: Outcome) -> None:
    if outcome.state == "failed":
        print(f"protokoll: {outcome.error}", file=sys.stderr)
    else:
        log.info("%s: %s in %.1f s", outcome.input.path, outcome.state, outcome.seconds)


def _report(summary: RunSummary, args: argparse.Namespace) -> int:
    done, skipped, failed = (summary.count(s) for s in ("done", "skipped", "failed"))
    print(f"protokoll: {done} done, {skipped} unchanged and skipped, {failed} failed"
          f" -> {args.out}", file=sys.stderr)
    if summary.ignored:
        print(f"protokoll: ignored {len(summary.ignored)} file(s) of other types, e.g. "
              f"{summary.ignored[0]}", file=sys.stderr)
    if failed:
        print("protokoll: failed:", file=sys.stderr)
        for outcome in summary.failures:
            print(f"  {outcome.error}", file=sys.stderr)
    if not failed:
        return 0
    if len(summary.outcomes) == 1 and summary.outcomes[0].input.explicit:
        return summary.failures[0].error.exit_code
    return 1
