"""The segmentation measured per input kind on a corpus with NAME.structure.json files.

Each document of the corpus goes in as every input kind it has:

- `.gold`: the true text `NAME.gold.txt`, with `--no-restore` (what segmentation alone
  makes of text without OCR errors),
- `.ocr_eng`, `.ocr_swe`: the legacy OCR texts, every stage (any other kind named in
  --kinds is the text `NAME.<kind>.txt`, e.g. `typewriter.ocr_swe` in ../shared/dev-real),
- `.scan`: the scanned pages, every stage (OCR with `swe`): `NAME.pdf` where there is
  one, otherwise `NAME/pages/*.png` as one multi-page TIFF (lossless).

The outputs go to OUT/<NAME>.<kind>/ and are scored as `protokoll eval GOLD_DIR OUT`
scores them (items F1, Dnr, titles, section headings, body, date, per kind). A corpus
without structure files (../shared/dev-real) gets a listing instead: each document's
items and every heading the segmenter repaired.

    python bench/structure.py [--corpus ../shared/dev] [--out build/structure]
                              [--kinds gold,ocr_eng,ocr_swe,scan] [--again]

--again runs the stages after OCR again on the documents stored in OUT (OCR is kept):
much faster when only the segmenter changed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import scans  # beside this script

from pipeline import api
from pipeline.evaluate import structure as evaluate_structure
from pipeline.export import write_outputs
from pipeline.model import Block, Document, Protocol
from pipeline.options import BatchOptions, Options, RestoreOptions
from pipeline.stages import finish

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("gold", "ocr_eng", "ocr_swe", "scan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "dev")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "structure")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--again", action="store_true",
                        help="run the stages after OCR again on the stored documents")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    if args.again:
        resegment(args.out)
    else:
        run(args.corpus, args.out, kinds, jobs=args.jobs)
    groups = evaluate_structure.evaluate(args.corpus, args.out)
    print(evaluate_structure.table(groups) if groups else _listing(args.out))
    return 0


def _listing(out: Path) -> str:
    """Without expected structures: what was found, for a reader to check: each
    document's items, and each section heading whose printed words were changed."""
    lines = []
    for folder in sorted(p for p in out.iterdir() if (p / "document.json").is_file()):
        doc = Document.load(folder / "document.json")
        p = doc.structure or Protocol()
        items = ", ".join(f"§ {i.number}" + (f" ({i.dnr})" if i.dnr else "") for i in p.items)
        lines.append(f"{folder.name}: {p.doc_type}, {p.body!r}, {p.meeting_date}; "
                     f"{len(p.items)} items: {items}")
        raw = {(page.number, i): line.text for page in doc.pages
               for i, line in enumerate(page.lines)}
        for heading in _headings(p):
            printed = " ".join(raw[(r.page, r.line)].strip() for r in heading.lines)
            if " ".join(printed.split()) != " ".join(heading.text.split()):
                at = {(r.page, r.line) for r in heading.lines}
                how = ", ".join(sorted({f"{c.origin} {c.kind}" for c in doc.corrections
                                        if c.applied and (c.page, c.line) in at}))
                lines.append(f"    heading {heading.text!r} was printed {printed!r} ({how})")
    return "\n".join(lines)


def _headings(p: Protocol) -> list[Block]:
    parts = [*p.header, *p.closing]
    for item in p.items:
        parts += item.sections
        parts += [s for annex in item.attachments for s in annex.sections]
    return [s.heading for s in parts if s.heading is not None]


def run(corpus: Path, out: Path, kinds: list[str], *, jobs: int | None) -> None:
    inputs = out / "inputs"
    if out.exists() and not inputs.is_dir():
        sys.exit(f"error: {out}: exists and is no earlier output of this script; "
                 "name another --out")
    shutil.rmtree(out, ignore_errors=True)
    inputs.mkdir(parents=True)
    for kind in kinds:
        paths = [p for gold in sorted(corpus.glob("*.gold.txt"))
                 if (p := _input(gold, kind, inputs)) is not None]
        if not paths:
            print(f"{kind}: no inputs of this kind", file=sys.stderr)
            continue
        batch = BatchOptions(jobs=jobs or BatchOptions().jobs)
        options = Options(restore=RestoreOptions(enabled=kind != "gold"), batch=batch)
        summary = api.run(paths, out, options)
        print(f"{kind}: {summary.count('done')} documents done, "
              f"{len(summary.failures)} failed", file=sys.stderr)


def _input(gold: Path, kind: str, inputs: Path) -> Path | None:
    """The input of that kind for a truth file, copied under a name that says its kind
    (NAME.gold.txt, NAME.ocr_eng.txt, NAME.scan.pdf, ...)."""
    name = gold.name[:-len(".gold.txt")]
    if kind != "scan":
        source = gold.with_name(f"{name}.{kind}.txt")
        return shutil.copyfile(source, inputs / source.name) if source.is_file() else None
    return scans.scan(gold, inputs)


def resegment(out: Path) -> None:
    """Run the stages after OCR again on every stored document (restoration, when its run
    had it, and segmentation) and write its outputs again."""
    for folder in sorted(p for p in out.iterdir() if (p / "document.json").is_file()):
        doc = Document.load(folder / "document.json")
        restored = any(s.stage == "restore" for s in doc.steps)
        doc.corrections = []
        doc.steps = [s for s in doc.steps if s.stage not in ("restore", "segment")]
        options = Options(restore=RestoreOptions(enabled=restored))
        write_outputs(finish(doc, options), folder)


if __name__ == "__main__":
    sys.exit(main())
