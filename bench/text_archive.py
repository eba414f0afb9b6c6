"""A legacy-text archive for the text-only benchmark: one municipality's minutes over years.

Made reproducibly (seeded) from the truth texts of the development corpora (../shared/dev
and ../shared/dev-real), so that it has the repetition of a real archive (the same
vocabulary, bodies, headings, formulas and people in document after document) without any
document repeating another:

- each document takes the paragraphs of one corpus text (half of them followed by the
  latter part of another), a few replaced by paragraphs of others, and the sentences of
  its running text shuffled and wrapped again;
- the people are a cast of the archive (drawn from the curated name lists, some far more
  often than others, as chairs and secretaries are), the municipality is one, the year is
  the document's own (dates, Dnr and amounts varied with it), and some of the municipal
  vocabulary is exchanged for other words of it;
- the text is then read through the project's own OCR channel (pipeline/restore/channel.py:
  P(ocr | truth) per character and letter pair, estimated from Tesseract's English and
  Swedish models in dictionaries/build_confusions.py): half the documents as by the
  English model (the Swedish letters lost, as in many old text layers), half by the Swedish
  one, each at its own degradation (its occasional misreadings, not the model's habits
  such as "ä" read as "a" by the English one, at 0.5 to 1.5 times their rate).

The channel is made for scoring readings, and its occasional misreadings are several times
likelier than real OCR makes them: read through it at their full rate, the archive had
word error rates of 33.3% (English) and 12.7% (Swedish), where the real-derived and
authored corpora read by the same models have 21.3% to 31.7% and 1.7% to 5.1%. So they
are taken at OCCASIONAL times the channel's rate, and the archive's raw word error rate
is what the corpora's OCR has (as `bench/accuracy.py` counts it, word-weighted over dev
and dev-real: 24.2% English, 3.6% Swedish, typewriter scans included; the archive has
25.0% and 3.6%, the English model's habits alone making nearly 24%).

    python bench/text_archive.py OUT [--documents 240] [--seed 14]

writes OUT/docs/NNNN-YEAR.ocr_eng.txt (or .ocr_swe.txt; pages separated by form feeds) and
the truth beside it in OUT/truth/NNNN-YEAR.gold.txt.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.restore import channel  # noqa: E402  (the script runs from a checkout)

SHARED = ROOT.parent / "shared"
DICTIONARIES = ROOT / "dictionaries"
SEED = 14
DOCUMENTS = 240
CAST = 60  # people of the archive
MIXED_IN = 0.25  # share of a document's paragraphs taken from other texts
VOCABULARY_SWAP = 0.3  # share of municipal vocabulary exchanged for other words of it
LONGER = 0.5  # share of documents that go on with the items of a second text
SYSTEMATIC = 0.5  # a letter misread this often is the model's habit, not the page's damage
OCCASIONAL = 0.22  # the share of the channel's occasional misreadings that real OCR makes
LINES_PER_PAGE = 46
WIDTH = 88
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")
_WORD = re.compile(r"[A-Za-zÅÄÖåäöÉéÜü]+")
_PERSON = re.compile(r"(?<![\w-])([A-ZÅÄÖ][a-zåäöéü]+) ([A-ZÅÄÖ][a-zåäöéü]+)(?![\w-])")
_DATE = re.compile(r"\b(?:19|20)\d\d-\d\d-\d\d\b")
_YEAR = re.compile(r"\b(?:19[89]\d|20[0-2]\d)\b")
_NUMBER = re.compile(r"\d{3,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    words = make(args.out, documents=args.documents, seed=args.seed)
    print(f"{args.documents} documents, {words} words -> {args.out}/docs")


def make(out: Path, *, documents: int = DOCUMENTS, seed: int = SEED) -> int:
    """Write the archive; the number of words of its OCR text."""
    texts = _sources()
    rng = random.Random(seed)
    archive = _Archive(rng, texts)
    table = _Noise(channel.load())
    for folder in ("docs", "truth"):  # an archive made here before is replaced, not added to
        (out / folder).mkdir(parents=True, exist_ok=True)
        for old in (out / folder).glob("*.txt"):
            old.unlink()
    total = 0
    for n in range(documents):
        year = rng.randint(1995, 2022)
        truth = archive.document(n, year)
        model = ("eng", "swe")[n % 2]
        ocr = table.read(truth, model=model, scale=rng.uniform(0.5, 1.5), rng=rng)
        name = f"{n + 1:04d}-{year}"
        (out / "docs" / f"{name}.ocr_{model}.txt").write_text(ocr, encoding="utf-8")
        (out / "truth" / f"{name}.gold.txt").write_text(truth, encoding="utf-8")
        total += len(ocr.split())
    return total


def _sources() -> list[list[list[str]]]:
    """Each truth text as paragraphs (lists of lines), page furniture included."""
    files = sorted(SHARED.glob("dev/*.gold.txt")) + sorted(SHARED.glob("dev-real/*.gold.txt"))
    if not files:
        sys.exit(f"text_archive: no truth texts in {SHARED}/dev or {SHARED}/dev-real")
    texts = []
    for path in files:
        text = path.read_text(encoding="utf-8").replace("\f", "\n\n")
        blocks = [b.splitlines() for b in re.split(r"\n\s*\n", text) if b.strip()]
        texts.append(blocks)
    return texts


def _names(name: str) -> list[str]:
    return [s for s in (DICTIONARIES / name).read_text(encoding="utf-8").splitlines()
            if s and not s.startswith("#")]


class _Archive:
    """The municipality: its people, its vocabulary, its documents."""

    def __init__(self, rng: random.Random, texts: list[list[list[str]]]) -> None:
        self.rng, self.texts = rng, texts
        self.first, self.last = set(_names("sv_first_names.txt")), set(_names("sv_surnames.txt"))
        self.cast = [f"{rng.choice(sorted(self.first))} {rng.choice(sorted(self.last))}"
                     for _ in range(CAST)]
        self.weights = [1 / (k + 1) for k in range(CAST)]  # a few people in every meeting
        self.municipalities = set(_names("sv_municipalities_290.txt"))
        self.town = rng.choice(sorted(self.municipalities))
        self.vocabulary = [w for w in _names("sv_municipal_vocabulary.txt") if w.islower()]
        self.known = set(self.vocabulary)

    def document(self, n: int, year: int) -> str:
        rng = self.rng
        base = self.texts[n % len(self.texts)]
        if rng.random() < LONGER:  # more items: the body of a second text after the first
            other = rng.choice(self.texts)
            base = base + other[len(other) // 3:]
        blocks = [rng.choice(rng.choice(self.texts)) if rng.random() < MIXED_IN else b
                  for b in base]
        people: dict[str, str] = {}
        lines = []
        for block in blocks:
            lines += [self._vary(line, year, people) for line in self._shuffled(block)]
            lines.append("")
        return self._paged(lines)

    def _shuffled(self, block: list[str]) -> list[str]:
        """Running text (long lines, several sentences) in another order, wrapped again."""
        text = " ".join(block)
        sentences = _SENTENCE.split(text)
        if len(block) < 2 or len(sentences) < 2 or min(map(len, block[:-1])) < 60:
            return block
        self.rng.shuffle(sentences)
        return textwrap.wrap(" ".join(sentences), WIDTH)

    def _vary(self, line: str, year: int, people: dict[str, str]) -> str:
        rng = self.rng
        line = _DATE.sub(lambda m: f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                         line)
        line = _YEAR.sub(lambda m: str(year - (rng.random() < 0.1)), line)
        line = _NUMBER.sub(lambda m: self._digits(m.group(), year), line)
        line = _PERSON.sub(lambda m: self._person(m, people), line)
        return _WORD.sub(lambda m: self._word(m.group()), line)

    def _person(self, match: re.Match, people: dict[str, str]) -> str:
        """"Förnamn Efternamn" as one of the archive's people, the same within a document."""
        first, last = match.groups()
        if first not in self.first or last not in self.last:
            return match.group()
        return people.setdefault(match.group(), self.rng.choices(self.cast, self.weights)[0])

    def _digits(self, digits: str, year: int) -> str:
        if digits == str(year) or digits == str(year - 1):
            return digits
        return str(self.rng.randint(1, 9)) + "".join(
            str(self.rng.randint(0, 9)) for _ in digits[1:])

    def _word(self, word: str) -> str:
        if word in self.municipalities:
            return self.town
        if word in self.known and len(word) >= 8 and self.rng.random() < VOCABULARY_SWAP:
            other = self.rng.choice(self.vocabulary)
            return other if other[-2:] == word[-2:] else word  # the same inflection, roughly
        return word

    def _paged(self, lines: list[str]) -> str:
        pages, page = [], []
        for line in lines:
            page.append(line)
            if len(page) >= LINES_PER_PAGE and not line:
                pages.append("\n".join(page).strip("\n"))
                page = []
        if any(page):
            pages.append("\n".join(page).strip("\n"))
        return "\f".join(pages) + "\n"


def raw_wer(archive: Path) -> dict[str, float]:
    """The OCR text's word error rate against the truth beside it, per model, as
    `bench/accuracy.py` counts the corpora's."""
    from pipeline.evaluate import text

    rates = {}
    for model in channel.MODELS:
        scores = [text.score((archive / "truth" / f"{doc.name.split('.')[0]}.gold.txt")
                             .read_text(encoding="utf-8"), doc.read_text(encoding="utf-8"))
                  for doc in sorted((archive / "docs").glob(f"*.ocr_{model}.txt"))]
        if scores:
            rates[model] = sum(scores[1:], scores[0]).wer
    return rates


class _Noise:
    """Text read as an OCR engine would: each letter (or letter pair) replaced by what the
    channel says the model reads it as, with that probability."""

    def __init__(self, table: channel.Channel) -> None:
        self.readings: dict[str, list[tuple[str, tuple[float, float]]]] = defaultdict(list)
        for (truth, ocr), p in sorted(table.probs.items()):
            self.readings[truth].append((ocr, p))

    def read(self, text: str, *, model: str, scale: float, rng: random.Random) -> str:
        m = channel.MODELS.index(model)
        out, i = [], 0
        while i < len(text):
            pair = text[i:i + 2]
            if len(pair) == 2 and pair in self.readings:
                merged = self._misread(pair, m, scale, rng)
                if merged is not None:
                    out.append(merged)
                    i += 2
                    continue
            ch = text[i]
            misread = None if ch in "\n\f" else self._misread(ch, m, scale, rng)
            out.append(ch if misread is None else misread)
            i += 1
        return "".join(out)

    def _misread(self, truth: str, m: int, scale: float, rng: random.Random) -> str | None:
        """What the truth is misread as, or None when it is read right. A letter the model
        misreads more often than not ("ö" by the English one: as o, é, 6 or d) is its habit,
        read so whatever the page."""
        options = [(ocr, p[m]) for ocr, p in self.readings.get(truth, ()) if ocr != truth]
        factor = 1.0 if sum(p for _, p in options) >= SYSTEMATIC else scale * OCCASIONAL
        draw = rng.random()
        for ocr, p in options:
            draw -= p * factor
            if draw < 0:
                return ocr
        return None


if __name__ == "__main__":
    main()
