"""The segmenter under OCR noise: each development document's true text with specks put
at line ends and starts (". ' , ae é | —", alone or stuck to the line) and blank lines
dropped or doubled, seeded so that a failure can be run again. The items, their Dnr and
their section headings must come out as NAME.structure.json has them, read as the text
stands and with the segmenter's repairs. Skipped where the corpus is not present."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from pipeline.evaluate.structure import heading_norm
from pipeline.model import Protocol
from pipeline.options import BatchOptions, Options, RestoreOptions
from pipeline.segment import segment
from pipeline.stages import process

SPECKS = [".", "'", ",", "ae", "é", "|", "—"]
GLUED = [".", "'", ",", "|"]  # marks that also come stuck to the line's first or last word
# More and noisier documents when asked: FUZZ_SEEDS=300 FUZZ_RATE=1 pytest THIS_FILE
SEEDS = range(int(os.environ.get("FUZZ_SEEDS", "40")))
RATE = float(os.environ.get("FUZZ_RATE", "0.25"))  # share of lines with a speck at the end
PLAIN = Options(restore=RestoreOptions(enabled=False), batch=BatchOptions(jobs=1, in_process=True))


def speckle(text: str, rng: random.Random, *, rate: float = RATE) -> str:
    """`text` with specks at line ends and starts and blank lines dropped or doubled."""
    out: list[str] = []
    for page in text.split("\f"):
        lines: list[str] = []
        for line in page.split("\n"):
            if not line.strip():
                roll = rng.random()
                if roll < 0.25:
                    continue  # dropped
                lines += [""] * (2 if roll < 0.4 else 1)
                if roll > 0.9:
                    lines[-1] = rng.choice(SPECKS)  # a speck on an empty line
                continue
            lines.append(_around(line, rng, rate))
        out.append("\n".join(lines))
    return "\f".join(out)


def _around(line: str, rng: random.Random, rate: float) -> str:
    if rng.random() < rate:
        glued = rng.random() < 0.3
        line = line.rstrip() + (rng.choice(GLUED) if glued else " " + rng.choice(SPECKS))
    if rng.random() < rate / 2:
        glued = rng.random() < 0.3
        line = (rng.choice(GLUED) if glued else rng.choice(SPECKS) + " ") + line.lstrip()
    return line


def _documents(dev: Path) -> list[tuple[Path, dict]]:
    return [(gold, json.loads(gold.with_name(gold.name.replace(".gold.txt", ".structure.json"))
                              .read_text(encoding="utf-8")))
            for gold in sorted(dev.glob("*.gold.txt"))]


def _heading(text: str) -> str:
    """A heading as found, without the specks the test put around it."""
    words = text.split()
    while words and words[-1] in SPECKS:
        words.pop()
    while words and words[0] in SPECKS:
        words.pop(0)
    return heading_norm(" ".join(words).strip("".join(GLUED)))


def _differences(protocol: Protocol, expected: dict) -> list[str]:
    got = {i.number: i for i in protocol.items}
    want = {i["paragraph"]: i for i in expected["items"]}
    if list(got) != list(want):
        return [f"items {list(got)}, expected {list(want)}"]
    out = []
    for number, item in want.items():
        found = got[number]
        if (found.dnr or None) != item["dnr"]:
            out.append(f"§ {number}: Dnr {found.dnr!r}, expected {item['dnr']!r}")
        headings = [_heading(s.heading.text) for s in found.sections if s.heading]
        if headings != [heading_norm(h) for h in item["sections"]]:
            out.append(f"§ {number}: headings {headings}, expected {item['sections']}")
    return out


@pytest.mark.parametrize("repair", [False, True], ids=["as-read", "repaired"])
def test_structure_survives_specks_and_blank_lines(shared, tmp_path, repair):
    failures = []
    for gold, expected in _documents(shared / "dev"):
        truth = gold.read_text(encoding="utf-8")
        for seed in SEEDS:
            path = tmp_path / f"{gold.name[:-len('.gold.txt')]}-{seed}.txt"
            path.write_text(speckle(truth, random.Random(f"{gold.name}:{seed}")),
                            encoding="utf-8")
            doc = process(path, PLAIN)
            if repair:
                doc = segment(doc, repair=True)
            failures += [f"{path.name}: {d}" for d in _differences(doc.structure, expected)]
    assert not failures, "\n".join(failures)
