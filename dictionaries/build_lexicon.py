"""Build the Swedish word-form lexicon from registry packages.

Sources (installed by `make install` / `pip install .[build]`):
- Debian's hunspell-sv (/usr/share/hunspell/sv_SE.dic and .aff, Göran Andersson's
  "Den stora svenska ordlistan", LGPL-3): which forms are Swedish words and which may
  begin or end a compound. The dictionary's suffix rules are expanded here (it has no
  prefix rules), keeping hunspell's compound flags.
- wordfreq's Swedish "large" list (PyPI wordfreq, CC BY-SA 4.0): how frequent each form is.
  Its words that hunspell lacks but that are compounds by hunspell's rules (such as
  "sporthall") are added with their frequency, so common compounds are known as such.
  Other words only wordfreq has are not taken: its sources include text written without
  å, ä, ö ("ocksa", "nagra"), which must not count as Swedish words.

Output: sv_wordforms_<N>k.tsv.gz, one form per line: form, Zipf frequency (0.0 when
wordfreq does not know it), roles: w = a word on its own, b = may begin or sit inside a
compound, e = may end a compound.

    python dictionaries/build_lexicon.py [--dic /usr/share/hunspell/sv_SE.dic]
"""

from __future__ import annotations

import argparse
import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMPOUND_BEGIN, COMPOUND_MIDDLE, COMPOUND_END = "X", "U", "Y"
ONLY_IN_COMPOUND, NEED_AFFIX, FORBIDDEN = "Z", "¤", "%"


@dataclass(frozen=True)
class Suffix:
    strip: str
    add: str
    flags: str  # continuation flags
    condition: re.Pattern[str]


def parse_aff(path: Path) -> dict[str, list[Suffix]]:
    rules: dict[str, list[Suffix]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 5 or parts[0] != "SFX":
            continue
        flag, strip, add, cond = parts[1], parts[2], parts[3], parts[4]
        add, _, cont = add.partition("/")
        rules[flag].append(Suffix(strip="" if strip == "0" else strip,
                                  add="" if add == "0" else add, flags=cont,
                                  condition=re.compile(f"{cond}$" if cond != "." else "")))
    return rules


def expand(stem: str, flags: str, rules: dict[str, list[Suffix]]) -> dict[str, set[str]]:
    """Every form of one dictionary entry with its roles."""
    forms: dict[str, set[str]] = defaultdict(set)
    if FORBIDDEN in flags:
        return forms
    base_roles = set()
    if NEED_AFFIX not in flags and ONLY_IN_COMPOUND not in flags:
        base_roles.add("w")
    if COMPOUND_BEGIN in flags or COMPOUND_MIDDLE in flags:
        base_roles.add("b")
    if COMPOUND_END in flags:
        base_roles.add("e")
    forms[stem] |= base_roles
    for form, cont in _suffixed(stem, flags, rules, depth=2):
        if COMPOUND_BEGIN in cont or COMPOUND_MIDDLE in cont:
            forms[form].add("b")  # a compound-joining form such as förskole-, uppföljnings-
            if ONLY_IN_COMPOUND not in cont:
                forms[form].add("w")
            continue
        if ONLY_IN_COMPOUND in cont:
            continue
        forms[form].add("w")
        if COMPOUND_END in flags:
            forms[form].add("e")
    return forms


def _suffixed(stem: str, flags: str, rules: dict[str, list[Suffix]], depth: int):
    for flag in flags:
        for rule in rules.get(flag, ()):
            if not stem.endswith(rule.strip) or not rule.condition.search(stem):
                continue
            form = stem[: len(stem) - len(rule.strip)] + rule.add
            yield form, rule.flags
            if depth > 1 and any(f in rules for f in rule.flags):
                yield from _suffixed(form, rule.flags, rules, depth - 1)


def read_dic(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:  # the first line is the entry count
        entry = line.split()[0] if line.split() else ""
        if not entry or entry.startswith("#"):
            continue
        stem, _, flags = entry.partition("/")
        yield stem, flags


def build(dic: Path, aff: Path) -> dict[str, set[str]]:
    rules = parse_aff(aff)
    lexicon: dict[str, set[str]] = defaultdict(set)
    for stem, flags in read_dic(dic):
        for form, roles in expand(stem, flags, rules).items():
            if roles and not form.endswith("-") and " " not in form:
                lexicon[form] |= roles
    return lexicon


def is_compound(word: str, lexicon: dict[str, set[str]], min_part: int = 3) -> bool:
    """True if `word` splits into compound-beginning parts and a compound-ending part."""
    reachable = [False] * (len(word) + 1)
    reachable[0] = True
    for start in range(len(word)):
        if not reachable[start]:
            continue
        for end in range(start + min_part, len(word) + 1):
            roles = lexicon.get(word[start:end], ())
            if end == len(word) and start > 0 and "e" in roles:
                return True
            if end < len(word) and "b" in roles:
                reachable[end] = True
    return False


def add_frequent_compounds(lexicon: dict[str, set[str]], freqs: dict[str, float],
                           min_zipf: float) -> int:
    import wordfreq

    added = 0
    for word, freq in freqs.items():
        if (len(word) >= 7 and word.isalpha() and word.islower() and word not in lexicon
                and wordfreq.freq_to_zipf(freq) >= min_zipf and is_compound(word, lexicon)):
            lexicon[word] = {"w", "e"}
            added += 1
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dic", type=Path, default=Path("/usr/share/hunspell/sv_SE.dic"))
    parser.add_argument("--out-dir", type=Path, default=HERE)
    args = parser.parse_args()
    import wordfreq  # only needed to build

    lexicon = build(args.dic, args.dic.with_suffix(".aff"))
    freqs = wordfreq.get_frequency_dict("sv", wordlist="large")
    added = add_frequent_compounds(lexicon, freqs, min_zipf=1.5)
    rows = []
    for form in sorted(lexicon):
        freq = freqs.get(form.lower(), 0.0)
        zipf = wordfreq.freq_to_zipf(freq) if freq else 0.0
        rows.append(f"{form}\t{zipf:.2f}\t{''.join(sorted(lexicon[form]))}\n")
    out = args.out_dir / f"sv_wordforms_{round(len(rows), -3) // 1000}k.tsv.gz"
    for old in args.out_dir.glob("sv_wordforms_*k.tsv.gz"):
        old.unlink()
    with gzip.GzipFile(out, "wb", mtime=0) as f:  # mtime 0: the same bytes on every build
        f.write("".join(rows).encode("utf-8"))
    print(f"{out.name}: {len(rows)} forms, {added} of them compounds known from wordfreq")


if __name__ == "__main__":
    main()
