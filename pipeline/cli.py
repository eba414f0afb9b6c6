"""The command line: a thin layer over `pipeline.api`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from pipeline import __version__, api, cli_batch
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
    cli_batch.add_run_options(run)
    run.set_defaults(command=_run)

    ev = sub.add_parser("eval", help="measure outputs against truth texts (CER, WER, damage)")
    ev.add_argument("gold", type=Path, metavar="GOLD_DIR", help="folder of NAME.gold.txt files")
    ev.add_argument("out", type=Path, metavar="OUT_DIR", help="the --out folder of a run")
    ev.add_argument("--no-baselines", action="store_true",
                    help="skip the symspell and hunspell baselines")
    ev.set_defaults(command=_eval)
    cli_batch.add_commands(sub)
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
        ocr=OcrOptions(lang=args.lang, dpi=args.dpi, force_ocr=args.force_ocr,
                       timeout=args.timeout),
        restore=RestoreOptions(enabled=not args.no_restore, threshold=args.threshold),
        batch=BatchOptions(jobs=args.jobs, on_error=args.on_error,
                           retry_failed=args.retry_failed, scheduler=args.scheduler))
    display = cli_batch.Display()
    with display.running():
        summary = api.run(args.paths, args.out, options, on_outcome=display.outcome,
                          on_progress=display.progress, stop=display.stop)
    return cli_batch.report(summary, args.out, display)


