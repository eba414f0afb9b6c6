"""Build the letter trigram counts of Swedish words and names (`restore/shape.py`).

Sources, all in this folder: the lexicon's word forms (`sv_wordforms_*.tsv.gz`, from
hunspell-sv) for the word model; the given names and surnames lists and the lexicon's
proper nouns (forms hunspell-sv knows only with a capital: places, people) for the name
model. Each distinct form counts once: the models say what a word or name looks like,
not how often it is used.

Output: sv_letter_trigrams.tsv, tab-separated `model, gram, count`, after `#` lines.

    python dictionaries/build_shapes.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline.restore import lexicon as lexicon_module  # noqa: E402
from pipeline.restore import shape  # noqa: E402
from pipeline.restore.lexicon import PROPER, WORD  # noqa: E402


def _names(lex: lexicon_module.Lexicon) -> list[str]:
    listed = [w for name in ("sv_first_names.txt", "sv_surnames.txt")
              for line in (HERE / name).read_text(encoding="utf-8").splitlines()
              for w in line.replace("-", " ").split()]
    return listed + [k for k, p in zip(lex.keys, lex.packed, strict=True) if p & PROPER]


def main() -> None:
    lex = lexicon_module.load(HERE)
    words = [k for k, p in zip(lex.keys, lex.packed, strict=True)
             if p & WORD and not p & PROPER and k.replace("-", "").isalpha()]
    names = [n for n in _names(lex) if n.replace("-", "").isalpha()]
    lines = ["# Letter trigram counts (with bigrams and unigrams) of Swedish word forms and",
             "# names, one count per distinct form; made by build_shapes.py.",
             f"# word: {len(words)} forms; name: {len(names)} forms"]
    for model, forms in (("word", words), ("name", names)):
        counts = shape.count(forms)
        lines += [f"{model}\t{gram}\t{n}" for gram, n in sorted(counts.items())]
    (HERE / shape.TRIGRAMS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{shape.TRIGRAMS}: {len(lines)} lines")


if __name__ == "__main__":
    main()
