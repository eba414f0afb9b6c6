"""Where items begin, and their heads: the § line, the Dnr and the title.

An item begins at a § and a number rising through the document ("§ 41", "KS § 41",
"§ 41/24"), not where a header label or a table of contents lists the items. Its title
follows on the § line or below it and may wrap: onto a line that starts in lower case,
after a line that cannot end a title ("… på fastigheten" / "Ekbacken 3:12", "… vid" /
"Norrsjön"), or onto a short last line ending in a number ("… fram till år" / "2030").
Specks at the ends of these lines are read through and left out of the title.
"""

from __future__ import annotations

import re

from pipeline.model import Item
from pipeline.segment import patterns, specks
from pipeline.segment.blocks import LIST_MARK, is_heading
from pipeline.segment.lines import Entry

_HEAD_LINES = 8  # the §, Dnr and title lines together never take more
# Words that cannot end a title: it goes on on the next line.
_LEADS_ON = {"för", "på", "av", "om", "och", "i", "till", "med", "vid", "mellan", "inom",
             "från", "under", "samt", "eller", "enligt", "mot", "efter", "över", "avseende",
             "gällande", "angående", "rörande", "beträffande", "inklusive", "genom", "hos",
             "kring", "inför", "fastigheten", "fastigheterna", "kvarteret", "den", "det",
             "de", "en", "ett", "att", "som", "ur", "åt", "utan"}
_DASHES = ("-", "–", "—")
_ENDS_IN_NUMBER = re.compile(r"\d[)]?$")
_PARAGRAPHS_LABEL = re.compile(r"^paragraf(?:er)?\b[\s:]*(?P<value>.*)$", re.IGNORECASE)
_LISTED_NUMBERS = re.compile(r"^[\s\d,–—\-§och]*$")  # "41–44", "12, 14 och 15"


def starts(lines: list[Entry]) -> list[int]:
    """Lines that open an item: a § and a number, the number rising through the document."""
    found = [(i, m) for i, e in enumerate(lines)
             if not e.furniture and (m := patterns.item_line(e.text)) is not None]
    contents = _contents(lines, [(i, int(m["nr"])) for i, m in found])
    out: list[int] = []
    last = 0
    for i, match in found:
        number, rest = int(match["nr"]), _rest(match["rest"])
        has_dnr = bool(patterns.DNR_LABEL.search(rest))
        if (rest[:1].islower() and not has_dnr) or number <= last or i in contents \
                or _listed(lines, i, rest):
            continue  # "§ 5 kommunallagen" in running text; a § cited again
        if match["sign"].startswith("§") or has_dnr or not rest or number == last + 1:
            out.append(i)
            last = int(match["last"] or number)
    return out


def _rest(rest: str) -> str:
    """What follows the § number, specks left out: a lone token of one or two letters
    there is one too ("§ 12 ae")."""
    tokens = rest.split()
    if len(tokens) == 1 and len(tokens[0]) <= 2 and not tokens[0].isdigit():
        return ""
    return specks.strip(rest)


def _listed(lines: list[Entry], i: int, rest: str) -> bool:
    """"§ 12-14" under the header label "Paragrafer" (or "Paragraf") lists the items; it
    opens none. When the label has its value beside it ("Paragrafer 41–44"), the § line
    below opens one."""
    before = next((lines[j] for j in range(i - 1, -1, -1) if not lines[j].void), None)
    label = _PARAGRAPHS_LABEL.match(specks.strip(before.clean)) if before else None
    return label is not None and not label["value"] and bool(_LISTED_NUMBERS.match(rest))


def _contents(lines: list[Entry], found: list[tuple[int, int]]) -> set[int]:
    """The § lines of a table of contents: two or more with at most two lines between
    each, whose first number comes again further on (and the second too, for two), where
    the items themselves begin."""
    runs: list[list[tuple[int, int]]] = [[]]
    for i, number in found:
        if runs[-1] and (_between(lines, runs[-1][-1][0], i) > 2 or number <= runs[-1][-1][1]):
            runs.append([])
        runs[-1].append((i, number))
    out: set[int] = set()
    for run in runs:
        later = {n for i, n in found if i > run[-1][0]}
        again = sum(n in later for _, n in run)
        if len(run) >= 2 and run[0][1] in later and (again >= 2 or len(run) >= 3):
            out.update(i for i, _ in run)
    return out


def _between(lines: list[Entry], a: int, b: int) -> int:
    return sum(1 for e in lines[a + 1:b] if not e.void and not e.furniture)


def head(lines: list[Entry], item: Item, rest: str) -> tuple[int, str]:
    """How many lines the §, Dnr and title take, and the title."""
    title: list[str] = []
    dnr = patterns.dnr_value(rest)
    if dnr is not None:
        item.dnr, rest = dnr[0] or None, dnr[1]
    if (first := _title_line(_rest(rest))) and not first[:1].islower():
        title.append(first)
    i = 1
    while i < len(lines) and i < _HEAD_LINES:
        entry = lines[i]
        text = entry.clean
        if entry.void or entry.furniture:
            if title and not entry.furniture and not _title_goes_on(lines, i, title) \
                    and not (item.dnr is None and _dnr_follows(lines, i)):
                break
            i += 1
            continue
        if item.dnr is None and patterns.starts_with_dnr(text) \
                and (dnr := patterns.dnr_value(text)) is not None:
            item.dnr = dnr[0] or None
            i += 1
            continue
        if is_heading(lines, i, in_list_section=False) not in (None, "other") \
                or LIST_MARK.match(entry.text):
            break
        if title and not continues_title(title, _title_line(text), last=_last(lines, i)) \
                and not (item.dnr is None and _dnr_next(lines, i)):
            break
        _join(title, _title_line(text))
        i += 1
    return i, title_text(title)


def _join(title: list[str], line: str) -> None:
    """Add a line to the title: a period or colon after a word that leads on is a speck
    ("brygga vid:" / "Norrsjön")."""
    last = title[-1].split()[-1] if title else ""
    if last[-1:] in ".:" and last[:-1].lower() in _LEADS_ON:
        title[-1] = title[-1][:-1]
    title.append(line)


def title_text(lines: list[str]) -> str:
    """The title from its printed lines: one line of text, no specks at its ends. A title
    ends in no period or colon but an abbreviation's ("Lärkan 2:14." has a speck)."""
    title = specks.strip(" ".join(lines))
    last = title.split()[-1] if title else ""
    if last[-1:] in ".:" and not _abbreviation(last):
        title = title[:-1].rstrip()
    return title


def _abbreviation(word: str) -> bool:
    """"m.m.", "t.ex.", "etc.", "kap.": dots inside, or a known abbreviation."""
    from pipeline.restore import lexicon

    return "." in word[:-1] or word.lower() in lexicon.load().abbreviations


def _title_line(text: str) -> str:
    """A title line without its specks, but a dash at its end, which may join it to the
    next line ("Svar på remiss –" / "Riktlinjer för …")."""
    core, words = specks.strip(text), text.split()
    if core and words[-1] in _DASHES and not core.endswith(words[-1]):
        return f"{core} {words[-1]}"
    return core


def continues_title(title: list[str], text: str, *, last: bool = False) -> bool:
    """A title wraps onto a line that starts in lower case, or after a line that cannot
    end it; or onto its last line after a colon, or onto a short last line that ends in a
    number (a year, a property)."""
    if len(title) >= 3 or not text:
        return False
    before = title[-1]
    if text[:1].islower() or before.endswith(("-", "–", "—", ",")):
        return True
    if before.split()[-1].rstrip(".,:;").lower() in _LEADS_ON:  # "vid:" with a speck
        return True
    if before.endswith(":") and last:  # "Remiss:" / "Kulturstrategi för kommunen"
        return True
    core = text.rstrip(" -–—")  # "2030 -": a speck, or a dash kept for the next line
    return last and len(core) <= 40 and len(core) < len(before) \
        and bool(_ENDS_IN_NUMBER.search(core)) and not patterns.find_date(core)


def _last(lines: list[Entry], i: int) -> bool:
    """Line `i` ends its run of lines: a blank line, a Dnr, a heading or the end comes
    next."""
    nxt = next((j for j in range(i + 1, len(lines)) if not lines[j].furniture), None)
    return nxt is None or lines[nxt].void or patterns.starts_with_dnr(lines[nxt].clean) \
        or is_heading(lines, nxt, in_list_section=False) not in (None, "other")


def _dnr_next(lines: list[Entry], i: int) -> bool:
    """The line right after `i` is the Dnr: `i` ends a title printed above its Dnr."""
    return i + 1 < len(lines) and patterns.starts_with_dnr(lines[i + 1].clean)


def _dnr_follows(lines: list[Entry], i: int) -> bool:
    """The Dnr printed under the title, after a blank line."""
    nxt = next((e for e in lines[i + 1:i + 3] if not e.void), None)
    return nxt is not None and patterns.starts_with_dnr(nxt.clean)


def _title_goes_on(lines: list[Entry], i: int, title: list[str]) -> bool:
    """OCR sometimes puts a blank line inside a wrapped title."""
    j = next((j for j in range(i + 1, min(i + 3, len(lines))) if not lines[j].void), None)
    return j is not None and not lines[j].furniture \
        and continues_title(title, _title_line(lines[j].clean), last=_last(lines, j)) \
        and patterns.heading_kind(lines[j].clean) is None
