"""The command line of packaging: `protokoll export`, `protokoll verify`, `run --package`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.exceptions import UsageError

if TYPE_CHECKING:  # what a command needs is imported when it runs (see pipeline.cli)
    from pipeline.batch.coordinator import RunSummary
    from pipeline.export.archive_config import PackageOptions
    from pipeline.export.package import PackageResult


def add_commands(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="build one E-ARK SIP (FGS package) per document")
    export.add_argument("out", type=Path, metavar="OUT",
                        help="the --out folder of a run, or one document's folder in it")
    export.add_argument("--to", required=True, type=Path, metavar="PACKAGES",
                        help="folder to write the packages into (PACKAGES/<name>/)")
    add_package_options(export)
    export.set_defaults(command=_export)

    verify = sub.add_parser("verify", help="re-check packages: schemas, checksums, files")
    verify.add_argument("packages", nargs="+", type=Path, metavar="PACKAGE",
                        help="a package folder, or a folder of packages")
    verify.set_defaults(command=_verify)


def add_run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument("--package", type=Path, metavar="PACKAGES",
                     help="also build an E-ARK SIP per document into PACKAGES/<name>/")
    add_package_options(run)


def add_package_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("packages (E-ARK SIP / FGS Paketstruktur 2.0)")
    group.add_argument("--config", type=Path, metavar="FILE",
                       help="archive settings (default ./protokoll.toml when present; "
                            "see samples/arkiv.toml)")
    group.add_argument("--submitter", help="submitting organisation (overrides the config)")
    group.add_argument("--submitter-id", help="its identification code, e.g. organisationsnummer")
    group.add_argument("--creator", help="archival creator, arkivbildare (overrides the config)")
    group.add_argument("--creator-id", help="its identification code")
    group.add_argument("--submission-agreement", help="submission agreement reference")
    group.add_argument("--schemas", type=Path, metavar="DIR",
                       help="folder with more schemas for the packages: ALTO 4.4, CITS ERMS, "
                            "PREMIS 3 (METS, XLink and the E-ARK CSIP extension come with "
                            "protokoll; a package without a schema notes it)")
    group.add_argument("--created", metavar="TIME",
                       help="creation time for the packages, ISO 8601 (default: now); the "
                            "same input and time give byte-identical packages")
    group.add_argument("--erms", action="store_true",
                       help="add a CITS ERMS record: each § as a case with its decision")


def package_options(args: argparse.Namespace) -> PackageOptions:
    from pipeline.export.archive_config import (
        Overrides,
        PackageOptions,
        load_config,
        parse_created,
    )

    overrides = Overrides(submitter=args.submitter, submitter_id=args.submitter_id,
                          creator=args.creator, creator_id=args.creator_id,
                          submission_agreement=args.submission_agreement,
                          schemas=args.schemas)
    return PackageOptions(config=load_config(args.config, overrides),
                          created=parse_created(args.created), erms=args.erms)


def options_for_run(args: argparse.Namespace) -> PackageOptions | None:
    """Checked before a run starts, so a missing setting does not cost a run."""
    if args.package is None:
        if args.erms:
            raise UsageError("--erms needs --package", fix="Add --package PACKAGES.")
        return None
    return package_options(args)


def package_run(args: argparse.Namespace, summary: RunSummary,
                options: PackageOptions | None) -> None:
    """Package every document of the run that did not fail."""
    if options is None:
        return
    from pipeline import api

    names = [o.input.name for o in summary.outcomes if o.state != "failed"]
    results = api.export(args.out, args.package, options, names=names, on_package=_print)
    _print_warnings(results)


def _export(args: argparse.Namespace) -> int:
    from pipeline import api

    if not args.out.is_dir():
        raise UsageError("no such folder", path=args.out, fix="Check the path.")
    results = api.export(args.out, args.to, package_options(args), on_package=_print)
    _print_warnings(results)
    print(f"protokoll: {len(results)} package(s) -> {args.to}", file=sys.stderr)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from pipeline import api

    packages = []
    for path in args.packages:
        if not path.is_dir():
            raise UsageError("no such folder", path=path, fix="Name a package folder.")
        inner = sorted(p.parent for p in path.glob("*/METS.xml"))
        packages += [path] if (path / "METS.xml").is_file() or not inner else inner
    failed = 0
    for package in packages:
        report = api.verify(package)
        for problem in report.problems:
            print(f"  {problem}")
        print(report.summary())
        failed += not report.ok
    return 1 if failed else 0


def _print(result: PackageResult) -> None:
    print(f"{result.path}: {result.files} files, {result.size / 1e6:.2f} MB, "
          f"built in {result.seconds:.2f} s")


def _print_warnings(results: list[PackageResult]) -> None:
    for warning in sorted({w for r in results for w in r.warnings}):
        print(f"protokoll: note: {warning}", file=sys.stderr)
