"""The document model: plain dataclasses that round-trip losslessly through JSON.

The raw OCR text is never overwritten. A line keeps the text exactly as it was read
(whitespace included) and every change made later is a `Correction` that points at
words of that line; the corrected text is derived from the two (`corrected_lines`).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SCHEMA_VERSION = 1

TextMethod = Literal["ocr", "text-layer", "legacy-text"]
CorrectionKind = Literal["diacritic", "ocr-confusion", "real-word", "name", "split", "join",
                         "symbol"]
# lexicon: the word and its OCR reading; context: the words around it, or a mark's place
# on the line; structure: the document's layout (a § line confirmed by its Dnr, a known
# heading, an item's title); image: the page image (a dash's measured width); review: an
# archivist.
CorrectionOrigin = Literal["lexicon", "context", "structure", "image", "review"]


@dataclass
class BBox:
    """A box in page pixels (or PDF points for text-layer pages): left, top, right, bottom."""

    x0: int
    y0: int
    x1: int
    y1: int


@dataclass
class Word:
    text: str
    start: int  # offset of the word in its line's text
    bbox: BBox | None = None
    confidence: float | None = None  # 0-1; None when the text was not OCR'd
    alternatives: list[str] = field(default_factory=list)
    # The width of each dash at `dash_offsets(text)` as a share of the height of the glyphs
    # beside it on the page image (`ocr/dashes.py`); empty when not measured.
    dashes: list[float] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.start + len(self.text)


DASHES = "-–—"


def dash_offsets(text: str) -> list[int]:
    """Where the dashes are whose width OCR measures (`Word.dashes`): the word itself when
    it is one dash (standing between two words), else each dash between two digits
    ("2023-2024", "kl.13-19")."""
    if len(text) == 1 and text in DASHES:
        return [0]
    return [k for k in range(1, len(text) - 1)
            if text[k] in DASHES and text[k - 1].isdigit() and text[k + 1].isdigit()]


@dataclass
class Line:
    text: str  # exactly as read; an empty line separates paragraphs
    words: list[Word] = field(default_factory=list)
    bbox: BBox | None = None

    @classmethod
    def of_words(cls, words: list[Word]) -> Line:
        """A line of OCR'd words, one space apart, boxed by its words' boxes."""
        offset = 0
        for word in words:
            word.start = offset
            offset += len(word.text) + 1
        boxes = [w.bbox for w in words if w.bbox]
        box = BBox(min(b.x0 for b in boxes), min(b.y0 for b in boxes),
                   max(b.x1 for b in boxes), max(b.y1 for b in boxes)) if boxes else None
        return cls(text=" ".join(w.text for w in words), words=words, bbox=box)


@dataclass
class Page:
    number: int  # 1-based
    method: TextMethod
    lines: list[Line] = field(default_factory=list)
    width: int | None = None
    height: int | None = None
    dpi: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Source:
    path: str
    sha256: str
    media_type: str
    size: int
    pages: int


@dataclass
class Correction:
    page: int  # page number (1-based)
    line: int  # index into page.lines
    word: int  # index of the first word in line.words
    before: str
    after: str
    kind: CorrectionKind
    score: float  # 0-1: how sure the corrector is
    origin: CorrectionOrigin
    words: int = 1  # number of words replaced (more than one for a join)
    applied: bool = True  # False: a suggestion below the threshold, kept for review


@dataclass
class ProcessingStep:
    stage: str
    tool: str
    version: str
    settings: dict[str, Any] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)  # data file name -> sha256
    started: str = ""  # ISO 8601, UTC
    seconds: float = 0.0


@dataclass
class LineRef:
    """A line of the document: page number (1-based) and index into that page's lines."""

    page: int
    line: int


BlockKind = Literal["text", "list-item", "heading", "field", "signature", "furniture"]


@dataclass
class Block:
    """A run of lines with one role, in reading order. Every line of a document that has
    been segmented belongs to exactly one block, so no text is ever dropped."""

    kind: BlockKind
    text: str  # the corrected lines joined by newlines
    lines: list[LineRef] = field(default_factory=list)
    label: str = ""  # list marker, field label, furniture type, signature role
    continued: bool = False  # goes on from the block before a page break


@dataclass
class Section:
    """A part of an item under one heading (or before the first heading: heading None)."""

    kind: str  # beslut, forslag, sammanfattning, beslutsunderlag, ... ; "other" if unknown
    heading: Block | None = None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Attachment:
    """A document attached after an item (a tjänsteskrivelse, a bilaga)."""

    title: str | None = None
    head: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass
class Item:
    """An agenda item: § number(s), Dnr, title and sections."""

    number: int | None  # None for a tjänsteskrivelse
    last_number: int | None = None  # "§ 39-40"
    dnr: str | None = None
    title: str | None = None
    head: list[Block] = field(default_factory=list)  # the §, Dnr and title lines
    sections: list[Section] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class Participant:
    name: str
    role: str = ""  # ordförande, ledamot, ersättare, sekreterare ... as printed after the name
    group: str = ""  # beslutande, tjänstgörande ersättare, övriga närvarande ...


DocType = Literal["sammanträdesprotokoll", "protokollsutdrag", "tjänsteskrivelse", "okänd"]


@dataclass
class Protocol:
    """The segmented document. Header, items and closing hold every line in reading order."""

    doc_type: DocType = "okänd"
    body: str | None = None
    meeting_date: str | None = None  # ISO 8601
    document_date: str | None = None
    place: str | None = None
    time: str | None = None
    participants: list[Participant] = field(default_factory=list)
    justering: dict[str, str] = field(default_factory=dict)  # label as printed -> value
    anslag: dict[str, str] = field(default_factory=dict)
    header: list[Section] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    closing: list[Section] = field(default_factory=list)


@dataclass
class Document:
    id: str
    source: Source
    pages: list[Page] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    steps: list[ProcessingStep] = field(default_factory=list)
    structure: Protocol | None = None
    schema_version: int = SCHEMA_VERSION

    def raw_text(self) -> str:
        return "\f".join(page.text for page in self.pages)

    def text(self) -> str:
        """The text with every applied correction."""
        return "\f".join("\n".join(corrected_lines(self, page)) for page in self.pages)

    def to_json(self) -> str:
        # Compact: with an indent json falls back from its C encoder, several times slower
        # on a long document's words and boxes.
        # The encoder walks the lists and plain values itself, asking `_fields` only for
        # the dataclasses: the same text as `plain` gives, a few times faster.
        return json.dumps(self, ensure_ascii=False, separators=(",", ":"), default=_fields)

    @classmethod
    def from_json(cls, text: str) -> Document:
        return _build(cls, json.loads(text))

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Document:
        return cls.from_json(path.read_text(encoding="utf-8"))


def plain(value: Any) -> Any:
    """A dataclass of this model as dicts, lists and plain values for JSON, as
    `dataclasses.asdict` gives it (the same keys in the same order), without its copies of
    every value: a few times faster on a document's words."""
    names = _field_names(type(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _fields(value: Any) -> dict[str, Any]:
    names = _field_names(type(value))
    if names is None:
        raise TypeError(f"{type(value).__name__} is not part of the document model")
    return {name: getattr(value, name) for name in names}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls))


def corrected_lines(doc: Document, page: Page) -> list[str]:
    """The page's lines with the document's applied corrections put in."""
    by_line: dict[int, list[Correction]] = {}
    for c in doc.corrections:
        if c.applied and c.page == page.number:
            by_line.setdefault(c.line, []).append(c)
    out = []
    for index, line in enumerate(page.lines):
        text = line.text
        # Right to left, so earlier offsets stay valid.
        for c in sorted(by_line.get(index, []), key=lambda c: c.word, reverse=True):
            start, end = line.words[c.word].start, line.words[c.word + c.words - 1].end
            if not c.after:  # a deleted word takes one neighbouring space with it
                if start and text[start - 1] == " ":
                    start -= 1
                elif text[end : end + 1] == " ":
                    end += 1
            text = text[:start] + c.after + text[end:]
        out.append(text)
    return out


def _build(tp: Any, value: Any) -> Any:
    """Rebuild a value of type `tp` from its JSON form."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        kwargs = {f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(tp)
                  if f.init and f.name in value}
        return tp(**kwargs)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _build(inner[0], value)
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_build(item, v) for v in value]
    if origin is dict:
        _, item = typing.get_args(tp)
        return {k: _build(item, v) for k, v in value.items()}
    return value
