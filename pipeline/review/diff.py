"""`protokoll diff`: the raw OCR against the corrected text, word by word or as a unified diff.

The word diff prints each changed line once, as `page:line:` and the line with removed
words as [-old-] and added ones as {+new+} (git's word-diff notation), or in red and green
in a terminal. The unified diff is raw.txt against text.txt, for patch and other tools.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from pipeline.model import Document, corrected_lines

_TOKEN = re.compile(r"\s+|\S+")
_RED, _GREEN, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[0m"

Op = Literal["equal", "delete", "insert"]


@dataclass
class LineDiff:
    page: int
    line: int  # 0-based index into the page's lines
    parts: list[tuple[Op, str]]


def line_diffs(doc: Document) -> list[LineDiff]:
    """Every line whose corrected text differs from the raw text, as equal/delete/insert runs."""
    out = []
    for page in doc.pages:
        for index, (raw, fixed) in enumerate(zip(
                (line.text for line in page.lines), corrected_lines(doc, page), strict=True)):
            if raw != fixed:
                out.append(LineDiff(page.number, index, _parts(raw, fixed)))
    return out


def _parts(raw: str, fixed: str) -> list[tuple[Op, str]]:
    a, b = _TOKEN.findall(raw), _TOKEN.findall(fixed)
    parts: list[tuple[Op, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("insert", "".join(b[j1:j2])))
    return parts


def word_diff(doc: Document, *, color: bool = False) -> str:
    diffs = line_diffs(doc)
    lines = [f"{doc.id}: {len(diffs)} changed line(s)"]
    for diff in diffs:
        lines.append(f"{diff.page}:{diff.line + 1}: " + "".join(
            _show(op, text, color) for op, text in diff.parts))
    return "\n".join(lines) + "\n"


def _show(op: Op, text: str, color: bool) -> str:
    if op == "equal":
        return text
    if color:
        return f"{_RED if op == 'delete' else _GREEN}{text}{_RESET}"
    return f"[-{text}-]" if op == "delete" else f"{{+{text}+}}"


def unified_diff(doc: Document, *, context: int = 3) -> str:
    """raw.txt against text.txt; `patch raw.txt` with it gives text.txt."""
    raw = doc.raw_text().split("\n")
    fixed = doc.text().split("\n")
    return "".join(line + "\n" for line in difflib.unified_diff(
        raw, fixed, fromfile=f"{doc.id}/raw.txt", tofile=f"{doc.id}/text.txt", n=context,
        lineterm=""))
