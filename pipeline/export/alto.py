"""ALTO 4.4: one file per page that has word geometry (`alto/page-0001.xml` ...).

String CONTENT is the corrected word and the raw OCR reading is kept as an ALTERNATIVE
where the two differ; WC is Tesseract's word confidence. OCR'd pages are measured in
pixels of the page image. Text-layer pages have their boxes in PDF points, which ALTO
has no unit for, so they are converted to 1/1200 inch (`inch1200`) and carry no WC.
Legacy text pages have no geometry and get no ALTO. A word the correction removed
(a speck read as punctuation) is left out; its reading stays in document.json.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from pipeline.export.xsd import XSI, serialize
from pipeline.model import BBox, Correction, Document, Page, ProcessingStep

NS = {
    "alto": "http://www.loc.gov/standards/alto/ns-v4#",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": XSI,
}
SCHEMA_LOCATION = f"{NS['alto']} http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"
RAW_PURPOSE = "OCR"  # ALTERNATIVE/@PURPOSE of the raw reading

_CATEGORY = {"ocr": "contentGeneration", "restore": "contentModification",
             "review": "contentModification"}


@dataclass
class _Token:
    """One String to write: corrected content, raw reading, box, confidence."""

    content: str
    raw: str
    box: BBox
    confidence: float | None
    corrected_by: str | None  # origin of the correction, None when unchanged


def path_of(page: Page) -> str:
    return f"alto/page-{page.number:04d}.xml"


def has_geometry(page: Page) -> bool:
    return page.method in ("ocr", "text-layer") and any(
        w.bbox for line in page.lines for w in line.words)


def render(doc: Document) -> dict[str, str]:
    """Every ALTO file of a document: relative path -> text."""
    return {path_of(page): render_page(doc, page) for page in doc.pages if has_geometry(page)}


def render_page(doc: Document, page: Page) -> str:
    root = etree.Element(_q("alto"), nsmap={None: NS["alto"], "xlink": NS["xlink"],
                                            "xsi": NS["xsi"]})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    steps = _steps_for(doc)
    root.append(_description(doc, page, steps))
    layout = etree.SubElement(root, _q("Layout"))
    scale = _scale(page)
    attrs = {"ID": f"p{page.number}", "PHYSICAL_IMG_NR": str(page.number),
             "PROCESSINGREFS": " ".join(ref for ref, _ in steps)}
    if page.width and page.height:
        attrs |= {"WIDTH": _num(page.width * scale), "HEIGHT": _num(page.height * scale)}
    page_el = etree.SubElement(layout, _q("Page"), attrs)
    space = etree.SubElement(page_el, _q("PrintSpace"))
    refs = {step.stage: ref for ref, step in steps}
    boxes = _blocks(doc, page, space, scale, refs)
    if boxes:
        _set_box(space, _union(boxes), scale)
    return serialize(root)


def _steps_for(doc: Document) -> list[tuple[str, ProcessingStep]]:
    """The processing steps that made the words (ocr, restore, review), with their IDs."""
    return [(f"proc{i}-{step.stage}", step) for i, step in enumerate(doc.steps, 1)
            if step.stage in _CATEGORY]


def _description(doc: Document, page: Page, steps: list[tuple[str, ProcessingStep]]
                 ) -> etree._Element:
    desc = etree.Element(_q("Description"))
    unit = "pixel" if page.method == "ocr" else "inch1200"
    etree.SubElement(desc, _q("MeasurementUnit")).text = unit
    source = etree.SubElement(desc, _q("sourceImageInformation"))
    etree.SubElement(source, _q("fileName")).text = doc.source.path.replace("\\", "/") \
        .rsplit("/", 1)[-1]
    etree.SubElement(source, _q("fileIdentifier"),
                     fileIdentifierLocation="sha256").text = doc.source.sha256
    for ref, step in steps:
        desc.append(_processing(ref, step))
    return desc


def _processing(ref: str, step: ProcessingStep) -> etree._Element:
    proc = etree.Element(_q("Processing"), ID=ref)
    etree.SubElement(proc, _q("processingCategory")).text = _CATEGORY[step.stage]
    if step.started:
        etree.SubElement(proc, _q("processingDateTime")).text = step.started
    etree.SubElement(proc, _q("processingStepDescription")).text = _describe(step)
    settings = [f"{key}={value}" for key, value in sorted(step.settings.items())
                if not isinstance(value, dict)]
    settings += [f"{name} sha256={digest}" for name, digest in sorted(step.data.items())]
    if settings:
        etree.SubElement(proc, _q("processingStepSettings")).text = "; ".join(settings)
    software = etree.SubElement(proc, _q("processingSoftware"))
    etree.SubElement(software, _q("softwareName")).text = step.tool
    if step.version:
        etree.SubElement(software, _q("softwareVersion")).text = step.version
    return proc


def _describe(step: ProcessingStep) -> str:
    if step.stage == "ocr" and step.data:
        return f"text recognition with {step.tool} (models: {', '.join(sorted(step.data))})"
    if step.stage == "ocr":
        return f"text and word boxes taken from the PDF's text layer with {step.tool}"
    if step.stage == "restore":
        return ("restoration of Swedish diacritics and correction of OCR errors "
                "(lexicon and OCR confusion data identified by their sha256 below)")
    return "corrections decided by an archivist in review"


def _blocks(doc: Document, page: Page, space: etree._Element, scale: float,
            refs: dict[str, str]) -> list[BBox]:
    """TextBlocks (paragraphs: runs of lines between empty lines); their boxes."""
    tokens = _tokens(doc, page)
    boxes: list[BBox] = []
    block: etree._Element | None = None
    block_boxes: list[BBox] = []
    for index, line in enumerate(page.lines):
        words = tokens.get(index, [])
        if not words:
            if block is not None and not line.text.strip():
                _set_box(block, _union(block_boxes), scale)
                block, block_boxes = None, []
            continue
        if block is None:
            block = etree.SubElement(space, _q("TextBlock"), ID=f"p{page.number}_b{index}")
        line_box = _union([t.box for t in words])
        block_boxes.append(line_box)
        boxes.append(line_box)
        _line(block, page.number, index, words, line_box, scale, refs)
    if block is not None:
        _set_box(block, _union(block_boxes), scale)
    return boxes


def _line(block: etree._Element, page_no: int, index: int, words: list[_Token],
          box: BBox, scale: float, refs: dict[str, str]) -> None:
    line_el = etree.SubElement(block, _q("TextLine"), ID=f"p{page_no}_l{index}")
    _set_box(line_el, box, scale)
    for n, token in enumerate(words):
        if n:
            etree.SubElement(line_el, _q("SP"))
        string = etree.SubElement(line_el, _q("String"), ID=f"p{page_no}_l{index}_w{n}")
        _set_box(string, token.box, scale)
        string.set("CONTENT", token.content)
        if token.confidence is not None:
            string.set("WC", f"{token.confidence:.2f}")
        if token.corrected_by:
            ref = refs.get("review" if token.corrected_by == "review" else "restore")
            if ref:
                string.set("PROCESSINGREFS", ref)
        if token.raw != token.content:
            etree.SubElement(string, _q("ALTERNATIVE"), PURPOSE=RAW_PURPOSE).text = token.raw


def _tokens(doc: Document, page: Page) -> dict[int, list[_Token]]:
    """Per line index: the words as they read after the applied corrections."""
    fixes: dict[tuple[int, int], Correction] = {
        (c.line, c.word): c for c in doc.corrections if c.applied and c.page == page.number}
    out: dict[int, list[_Token]] = {}
    for index, line in enumerate(page.lines):
        tokens: list[_Token] = []
        skip = 0
        for w, word in enumerate(line.words):
            if skip:
                skip -= 1
                continue
            fix = fixes.get((index, w))
            if fix is None:
                if word.bbox and word.text:
                    tokens.append(_Token(word.text, word.text, word.bbox, word.confidence, None))
                continue
            joined = line.words[w:w + fix.words]
            skip = fix.words - 1
            tokens.extend(_corrected(fix, joined))
        out[index] = tokens
    return out


def _corrected(fix: Correction, words: list) -> list[_Token]:
    boxes = [w.bbox for w in words if w.bbox]
    if not boxes or not fix.after.strip():
        return []  # removed by the correction (or never had a box)
    raw = " ".join(w.text for w in words)
    confs = [w.confidence for w in words if w.confidence is not None]
    conf = min(confs) if confs else None
    box = _union(boxes)
    parts = fix.after.split()
    if len(parts) == 1:
        return [_Token(parts[0], raw, box, conf, fix.origin)]
    return [_Token(part, raw if i == 0 else part, sub, conf, fix.origin)
            for i, (part, sub) in enumerate(zip(parts, _split_box(box, parts), strict=True))]


def _split_box(box: BBox, parts: list[str]) -> list[BBox]:
    """A word box cut in proportion to the parts' lengths (a split correction)."""
    total = sum(len(p) for p in parts) + len(parts) - 1
    width = box.x1 - box.x0
    out, offset = [], 0
    for part in parts:
        x0 = box.x0 + round(width * offset / total)
        offset += len(part)
        x1 = box.x0 + round(width * offset / total)
        offset += 1
        out.append(BBox(x0, box.y0, max(x1, x0 + 1), box.y1))
    return out


def _union(boxes: list[BBox]) -> BBox:
    return BBox(min(b.x0 for b in boxes), min(b.y0 for b in boxes),
                max(b.x1 for b in boxes), max(b.y1 for b in boxes))


def _scale(page: Page) -> float:
    """Model units to ALTO units: 1 for pixels; points (1/dpi inch) to 1/1200 inch."""
    return 1.0 if page.method == "ocr" else 1200 / (page.dpi or 72)


def _set_box(element: etree._Element, box: BBox, scale: float) -> None:
    element.set("HPOS", _num(box.x0 * scale))
    element.set("VPOS", _num(box.y0 * scale))
    element.set("WIDTH", _num((box.x1 - box.x0) * scale))
    element.set("HEIGHT", _num((box.y1 - box.y0) * scale))


def _num(value: float) -> str:
    return str(round(value)) if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _q(tag: str) -> str:
    return f"{{{NS['alto']}}}{tag}"
