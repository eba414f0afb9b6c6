"""The command line (`protokoll …`) over `pipeline.api`; it may import any module.

What a command needs is imported when the command runs, not with this module: a worker
process of a run imports this module again (it is the main module of the `protokoll`
script) and needs none of it; and `run` starts its workers (`batch.processes`) before it
imports the pipeline, so that they load meanwhile."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import signal
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.batch import processes
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
    except BrokenPipeError:  # the reader went away (`protokoll status OUT | head`)
        _discard_stdout()
        return 128 + signal.SIGPIPE


def _discard_stdout() -> None:
    """Send what is still buffered for stdout nowhere, so that flushing it when Python
    exits does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _parser() -> argparse.ArgumentParser:
    from pipeline.cli import batch as cli_batch
    from pipeline.cli import package as cli_package

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
    run.add_argument("--engine", choices=["library", "cli"], default="library",
                     help="Tesseract as a library in the workers (default; its model is read "
                          "once per worker) or the installed tesseract program")
    run.add_argument("--no-restore", action="store_true",
                     help="skip diacritic restoration and OCR correction")
    run.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                     help="worker processes (default: number of cores)")
    run.add_argument("--on-error", choices=["skip", "abort"], default="skip",
                     help="skip: record a failed file and go on (default); abort: stop")
    run.add_argument("--threshold", type=float, default=RestoreOptions.threshold,
                     help="apply corrections whose score (the measured probability that "
                          "they are right) is at least this; keep the rest as suggestions "
                          f"(default {RestoreOptions.threshold})")
    run.add_argument("--learned", type=Path, metavar="FILE",
                     help="learned lexicon: make the archivists' review decisions kept there")
    run.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                     help="debug output, and the profile at the end")
    run.add_argument("--profile", action="store_true",
                     help="print where the time went at the end: CPU and wall seconds per "
                          "stage and step, words per CPU second, peak memory per worker")
    cli_package.add_run_options(run)
    cli_batch.add_run_options(run)
    run.set_defaults(command=_run)

    ev = sub.add_parser("eval", help="measure outputs against truth texts (CER, WER, damage)")
    ev.add_argument("gold", type=Path, metavar="GOLD_DIR", help="folder of NAME.gold.txt files")
    ev.add_argument("out", type=Path, metavar="OUT_DIR", help="the --out folder of a run")
    ev.add_argument("--no-baselines", action="store_true",
                    help="skip the symspell and hunspell baselines")
    ev.set_defaults(command=_eval)
    cli_batch.add_commands(sub)
    _review_commands(sub)
    cli_package.add_commands(sub)
    return parser


def _review_commands(sub: argparse._SubParsersAction) -> None:
    diff = sub.add_parser("diff", help="the raw OCR against the corrected text, word by word")
    diff.add_argument("folder", type=Path, metavar="OUT/DOCUMENT", help="a document's folder")
    diff.add_argument("--format", choices=["words", "unified"], default="words",
                      help="words: changed lines with [-old-]{+new+} (default); unified: "
                           "raw.txt against text.txt for patch and other tools")
    diff.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                      help="colour the word diff (default: in a terminal)")
    diff.set_defaults(command=_diff)

    review = sub.add_parser("review", help="review the changes in a local web app")
    review.add_argument("out", type=Path, metavar="OUT", help="the --out folder of a run")
    review.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    review.add_argument("--who", help="the reviewer's name, stored with each decision "
                                      "(default: the login name)")
    review.add_argument("--learned", type=Path, metavar="FILE",
                        help="learned lexicon to add rejections and edits to (created if new)")
    review.add_argument("--apply", action="store_true",
                        help="no app: rewrite the folders of reviewed documents with the "
                             "decisions applied (text.txt, protokoll.xml, ...) and exit")
    review.set_defaults(command=_review)

    report = sub.add_parser("report", help="the review view as one self-contained HTML file")
    report.add_argument("folder", type=Path, metavar="OUT/DOCUMENT", help="a document's folder")
    report.add_argument("-o", "--output", type=Path,
                        help="where to write it (default: OUT/DOCUMENT.report.html)")
    report.set_defaults(command=_report_html)


def _document_folder(folder: Path) -> Path:
    if not (folder / "document.json").is_file():
        raise UsageError("not a document's output folder (no document.json)", path=folder,
                         fix="Name a folder inside the --out folder of `protokoll run`.")
    return folder


def _diff(args: argparse.Namespace) -> int:
    from pipeline.review import diff
    from pipeline.review.apply import load_document

    doc = load_document(_document_folder(args.folder))
    if args.format == "unified":
        sys.stdout.write(diff.unified_diff(doc))
        return 0
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty()
                                       and not os.environ.get("NO_COLOR"))
    sys.stdout.write(diff.word_diff(doc, color=color))
    return 0


def _review(args: argparse.Namespace) -> int:
    from pipeline.restore import learned
    from pipeline.review import app
    from pipeline.review.folders import rewrite_decided

    if not args.out.is_dir():
        raise UsageError("no such folder", path=args.out, fix="Pass the --out folder of a run.")
    if args.apply:
        for folder in rewrite_decided(args.out):
            print(folder)
        return 0
    if args.learned and args.learned.exists():
        learned.read(args.learned)  # a damaged file is reported now, not at the first decision
    elif args.learned and not args.learned.parent.is_dir():
        raise UsageError("the learned lexicon's folder does not exist", path=args.learned,
                         fix="Create the folder or choose another --learned path.")
    who = args.who or _login()
    server = app.make_server(app.create_app(args.out, who=who, learned_path=args.learned),
                             port=args.port)
    print(f"protokoll: review {args.out} at http://{app.HOST}:{server.effective_port}/ "
          "(Ctrl+C stops)", file=sys.stderr)
    server.run()
    return 0


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        return "okänd"


def _report_html(args: argparse.Namespace) -> int:
    from pipeline.review import report

    folder = _document_folder(args.folder)
    dest = args.output or folder.parent / f"{folder.name}.report.html"
    print(report.write(folder, dest))
    return 0


def _eval(args: argparse.Namespace) -> int:
    from pipeline.evaluate import changes
    from pipeline.evaluate import structure as evaluate_structure
    from pipeline.evaluate import text as evaluate

    for folder in (args.gold, args.out):
        if not folder.is_dir():
            raise UsageError("no such folder", path=folder, fix="Check the path.")
    rows = evaluate.evaluate(args.gold, args.out, baselines=not args.no_baselines)
    if not rows:
        raise UsageError("no output folder has a truth file", path=args.out,
                         fix="Name truth files NAME.gold.txt after the inputs (NAME.*).")
    print(evaluate.table(rows))
    judged = changes.judge_outputs(args.gold, args.out)
    for group, found in sorted(judged.items()):
        print(f"\nchanges on {group} inputs: how often right, by score (calibration)")
        print(changes.calibration_table(found))
        print(f"\ncorrect words damaged on {group} inputs, by class")
        print(changes.harm_table(found))
    structures = evaluate_structure.evaluate(args.gold, args.out)
    if structures:
        print()
        print(evaluate_structure.table(structures))
    return 0


def _run(args: argparse.Namespace) -> int:
    options = Options(
        ocr=OcrOptions(lang=args.lang, dpi=args.dpi, force_ocr=args.force_ocr,
                       timeout=args.timeout, engine=args.engine),
        restore=RestoreOptions(enabled=not args.no_restore, threshold=args.threshold,
                               learned=str(args.learned) if args.learned else None),
        batch=BatchOptions(jobs=args.jobs, on_error=args.on_error,
                           retry_failed=args.retry_failed, scheduler=args.scheduler))
    if not args.scheduler:  # the workers load while this process imports and plans
        processes.start_early(options.batch.jobs)
    try:
        return _run_with(args, options)
    finally:
        processes.stop_early()  # if the run never took them


def _run_with(args: argparse.Namespace, options: Options) -> int:
    from pipeline import api
    from pipeline.cli import batch as cli_batch
    from pipeline.cli import package as cli_package

    packaging = cli_package.options_for_run(args)
    display = cli_batch.Display()
    with display.running():
        summary = api.run(args.paths, args.out, options, on_outcome=display.outcome,
                          on_progress=display.progress, stop=display.stop)
    code = cli_batch.report(summary, args.out, display)
    if args.profile or args.verbose:
        for line in summary.profile.lines():
            print(f"protokoll: profile: {line}", file=sys.stderr)
    cli_package.package_run(args, summary, packaging)
    return code


