"""Dash widths on the page images against the truth: how well the width tells an en dash
from a hyphen, the counts `pipeline/restore/dashes.py` takes its rule and score from.

Every page image of the corpora (../shared/dev's pages and scanned PDFs, dev-real's
typewriter pages, and the sample pages of `samples/`, typeset in another font) is read as
protokoll reads it (`ocr.read_page`, which measures each dash); each measured dash is
looked up in the document's truth (the same token, or the same two words around a lone
dash, with the dash as printed) and listed with its width and whether the page was judged
printed in a proportional font (protokoll measures nothing on the others, monospaced or
with too few words to tell; here they are measured all the same, to show what the width
would say).

The last lines count what restoration's rules (`pipeline/restore/dashes.py`) would
change on these pages, and how many of those changes are right: the counts its scores
come from.

    .venv/bin/python bench/dashes.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline.model import DASHES, dash_offsets  # noqa: E402
from pipeline.ocr import PageTask, dashes, read_page  # noqa: E402
from pipeline.ocr.sources import open_document  # noqa: E402
from pipeline.options import OcrOptions  # noqa: E402
from pipeline.restore import dashes as rules  # noqa: E402

_PLAIN = str.maketrans({"–": "-", "—": "-"})
_STRIP = ".,;:()"


def _sources(shared: Path) -> list[tuple[str, Path, Path]]:
    """(label, page image or PDF, truth) for every page source of the corpora."""
    found = []
    for corpus in ("dev", "dev-real"):
        for gold in sorted((shared / corpus).glob("*.gold.txt")):
            name = gold.name[: -len(".gold.txt")]
            if (pdf := gold.with_name(f"{name}.pdf")).is_file():
                found.append((f"{corpus}/{name}.pdf", pdf, gold))
            for image in sorted((gold.parent / name / "pages").glob("page-*.*")):
                found.append((f"{corpus}/{name}/{image.name}", image, gold))
    truth = HERE.parent / "samples" / "minutes_2024_truth.txt"
    found += [(f"samples/{p.name}", p, truth)
              for p in sorted(truth.parent.glob("minutes_2024*.*"))
              if p.suffix in (".png", ".jpg", ".tif") or p.name.endswith("scanned.pdf")]
    return found


def _truth(gold: Path) -> tuple[dict[str, set[str]], dict[tuple[str, str], set[str]]]:
    """The dashes the truth prints in each token with a dash between digits, and between
    each two words around a lone dash; keyed by their text with every dash a hyphen."""
    tokens = gold.read_text(encoding="utf-8").split()
    inner: dict[str, set[str]] = {}
    lone: dict[tuple[str, str], set[str]] = {}
    for k, token in enumerate(tokens):
        core = token.strip(_STRIP)
        if dash_offsets(core):
            inner.setdefault(core.translate(_PLAIN), set()).add(
                "".join(c for c in core if c in DASHES))
        if len(token) == 1 and token in DASHES and 0 < k < len(tokens) - 1:
            key = (tokens[k - 1].translate(_PLAIN), tokens[k + 1].translate(_PLAIN))
            lone.setdefault(key, set()).add(token)
    return inner, lone


# source, word as read, dash as read, dash as printed, width, monospaced page, where
Row = tuple[str, str, str, str, float, bool, str]


def measured(shared: Path) -> tuple[list[Row], Counter[str]]:
    """Every dash measured and found in the truth; and the pages by font kind."""
    rows: list[Row] = []
    pages: Counter[str] = Counter()
    options = OcrOptions()
    dashes.proportional = lambda lines: True  # measure every page
    for label, path, gold in _sources(shared):
        inner, lone = _truth(gold)
        doc = open_document(path, None, timeout=options.timeout)
        for number in range(1, doc.source.pages + 1):
            page = read_page(PageTask(path, doc.source.media_type, number, options))
            spread = dashes.letter_spread(page.lines)
            mono = spread is None or spread <= dashes.MONOSPACE_SPREAD
            pages["proportional" if not mono else "monospaced" if spread else "unknown"] += 1
            print(f"{label}:{number}: spread of the width per letter {spread}",
                  file=sys.stderr)
            for line in page.lines:
                for i, word in enumerate(line.words):
                    printed = _printed(line.words, i, inner, lone)
                    where = "lone" if len(word.text) == 1 else "digits"
                    if printed and len(printed) == len(word.dashes):
                        read = [word.text[k] for k in dash_offsets(word.text)]
                        rows += [(f"{label}:{number}", word.text, r, p, w, mono, where)
                                 for r, p, w in zip(read, printed, word.dashes, strict=True)]
    return rows, pages


def _printed(words, i, inner, lone) -> str | None:
    """The dashes the truth prints where this word stands, if it says so unambiguously."""
    text = words[i].text
    if len(text) == 1 and text in DASHES and 0 < i < len(words) - 1:
        found = lone.get((words[i - 1].text.translate(_PLAIN), words[i + 1].text.translate(_PLAIN)))
    else:
        found = inner.get(text.strip(_STRIP).translate(_PLAIN))
    return next(iter(found)) if found and len(found) == 1 else None


_NAMES = {"-": "hyphen", "–": "en dash", "—": "em dash"}


def _summary(rows: list[Row]) -> list[str]:
    out = []
    for mono in (False, True):
        for where in ("digits", "lone"):
            group = [r for r in rows if r[5] == mono and r[6] == where]
            if not group:
                continue
            font = "monospaced (or unknown)" if mono else "proportional"
            out.append(f"{font} pages, dash {'between digits' if where == 'digits' else 'alone'}:")
            for kind, name in _NAMES.items():
                widths = sorted(r[4] for r in group if r[3] == kind)
                if widths:
                    out.append(f"  {name}: {len(widths)} measured, width {widths[0]:.3f} … "
                               f"{widths[-1]:.3f}, median {widths[len(widths) // 2]:.3f}")
            rule = rules.ALONE if where == "lone" else rules.BETWEEN_DIGITS
            changed = [(r, judged[0]) for r in group if (judged := rule.judge(r[2], r[4]))]
            right = sum(after == r[3] for r, after in changed)
            out.append(f"  the rule would change {len(changed)}, {right} right: (right + 1) / "
                       f"(seen + 2) = {(right + 1) / (len(changed) + 2):.3f}"
                       + (" (not measured there)" if mono else ""))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    args = parser.parse_args()
    rows, pages = measured(args.shared)
    print(f"pages: {dict(pages)}")
    for r in sorted(rows, key=lambda r: (r[5], r[6], r[4])):
        print(f"{r[4]:.3f}  {_NAMES[r[3]]:<8} {r[6]:<6} {'mono' if r[5] else 'prop'}  "
              f"{r[1]:<16} {r[0]}")
    print("\n".join(_summary(rows)))


if __name__ == "__main__":
    main()
