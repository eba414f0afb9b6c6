"""The decision step: what it skips and remembers changes no correction."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import SAMPLES

from pipeline.model import Page
from pipeline.ocr.legacy import text_line
from pipeline.options import RestoreOptions
from pipeline.restore import channel, choose, context, decide, hypotheses, lexicon

GOLDEN = Path(__file__).parent / "golden"
# Neighbours that set off each pattern of `context.bonus`, and some that set off none.
WORDS = ["", "5", "fem", "varje", "ett", "detta", "något", "ska", "kan", "bör",
         "Kommunstyrelsen", "nämnden", "det", "man", "ta", "höjas", "Stad", "kommun", "län",
         "2025", "och", "beslut", "Borås", "att", "inte", "vilket"]


def _pages(lines: list[str]) -> list[Page]:
    return [Page(number=1, method="legacy-text", lines=[text_line(t) for t in lines])]


def _texts() -> list[list[str]]:
    out = [json.loads((GOLDEN / name).read_text(encoding="utf-8"))["ocr"]
           for name in ("restore_eng.json", "restore_swe.json")]
    sample = SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt"
    # invented: surnames made as places are, some one dot from a listed one, where
    # persons' names stand, beside words that lost their dots
    names = ["Beslutande Eva Nordländer (S), ordforande Lars Bergqvist (M), Anna Östmän (V)",
             "Per Söderman (C), Karin Nordlander (L) och Jonas Vasterby (KD) narvarande",
             "Ovriga narvarande tjansteman Maria Lindstrom, forvaltningschef for namnden",
             "Paragrafer 12-18 Justerare Eva Nordländer och Lars Bergqvist"]
    return [*out, sample.read_text(encoding="utf-8").splitlines(), names]


def test_a_reading_context_cannot_move_gets_no_bonus():
    """`context.may_bonus` is what lets a word be decided once wherever it stands: for a
    reading it says no to, `bonus` is 0.0 beside any neighbours."""
    lex = lexicon.load()
    readings = {h.text for lines in _texts() for hyps in hypotheses(_pages(lines)).values()
                for h in hyps}
    readings |= {"år", "är", "ar", "sätt", "sitt", "satt", "bör", "bor", "borås", "höja"}
    arounds = [context.Neighbours(p, n, trail, start, p2, n2)
               for p in WORDS for n in WORDS[::3] for trail in ("", ".")
               for start in (False, True) for p2, n2 in (("", ""), ("detta", "ska"))]
    moved = set()
    for text in readings:
        bonuses = {context.bonus(text, around, lex) for around in arounds}
        if not context.may_bonus(text, lex):
            assert bonuses == {0.0}, text
        elif bonuses != {0.0}:
            moved.add(text)
    assert {"år", "är", "sätt", "bör", "bor", "borås", "höja"} <= moved


def test_the_readings_context_may_move_are_remembered_per_list_of_readings():
    lex = lexicon.load()
    def hyp(text: str) -> decide.Hypothesis:
        return decide.Hypothesis(text, 5.0, (1.0, 1.0), False)
    first = [hyp("stol"), hyp("år"), hyp("är")]
    assert choose.movable(first, lex) == (1, 2)
    assert choose.movable(first, lex) == (1, 2)
    for _ in range(3):  # lists made later, perhaps where an earlier one was, read afresh
        assert choose.movable([hyp("är"), hyp("stol")], lex) == (0,)
        assert choose.movable([hyp("stol"), hyp("bor")], lex) == (1,)
    assert choose.movable(first, lex) == (1, 2)


@pytest.mark.parametrize("which", range(3))
def test_remembered_choices_are_the_choices_made_afresh(which):
    """One `Decisions` for the document (each word decided once per circumstance) makes
    the corrections a fresh one makes for every word on its own."""
    occurrences, occurs, shared = _decisions(_texts()[which])
    together = [shared.correct(o) for o in occurrences]
    alone = [choose.Decisions(shared.found, shared.channel, occurs, RestoreOptions()).correct(o)
             for o in choose.occurrences(_pages(_texts()[which]))]
    assert together == alone
    assert sum(c is not None for c in together) >= 3  # the check compares choices made


def _decisions(lines: list[str]) -> tuple[list[choose.Occurrence], Counter, choose.Decisions]:
    pages = _pages(lines)
    lex, table = lexicon.load(), channel.load()
    found = hypotheses(pages)
    occurrences = list(choose.occurrences(pages))
    occurs = Counter(s for o in occurrences for s in o.segments if s in found)
    groups = [(found[s], n) for s, n in occurs.items()]
    doc_channel = decide.DocumentChannel(table, decide.fit_mixture(groups), groups, lex)
    return occurrences, occurs, choose.Decisions(found, doc_channel, occurs, RestoreOptions())


@pytest.mark.parametrize("which", range(4))
def test_the_words_settled_at_once_are_kept_in_every_circumstance(which, monkeypatch):
    """The compiled first look (`Decisions._settled`) finds the scores, the attested names
    and the choices with no neighbour's bonus that Python finds word by word, and settles
    a word as printed only where `_judge` keeps it so in every circumstance `_outcome` may
    ask for (no neighbour can move it), or where it has no reading but as printed."""
    if not decide.COMPILED:
        pytest.skip("the compiled module (pipeline/restore/_search.c) is not built")
    occurrences, occurs, compiled = _decisions(_texts()[which])
    monkeypatch.setattr(decide, "COMPILED", False)
    python = choose.Decisions(compiled.found, compiled.channel, occurs, RestoreOptions())
    assert compiled.attested == python.attested
    circumstances = [(False, False, False), (True, False, False), (True, True, False),
                     (True, True, True)]
    settled = 0
    for seg in occurs:
        hyps = compiled.found[seg]
        assert compiled.plain(seg) == python.plain(seg)
        asked = circumstances if context.may_be_name(seg) else circumstances[:1]
        if seg in compiled._choices:  # the choices worked out at once are _choose's
            assert compiled._choices[seg] == tuple(python._choose(seg, hyps, {}, *c)
                                                   for c in asked), seg
        if seg not in compiled._fixed:
            continue
        settled += 1
        if len(hyps) == 1 and hyps[0].keep:
            continue  # no reading but as printed: kept wherever it stands (`_outcome`)
        assert not python._movable(seg, hyps), seg
        assert all(python._judge(seg, hyps, {}, *c) is None for c in asked), seg
    assert settled >= len(occurs) // 3  # the checks compare words settled ...
    assert len(compiled._choices) >= 10  # ... and choices
    assert [python.correct(o) for o in occurrences] == \
        [compiled.correct(o) for o in occurrences]


@pytest.mark.parametrize("which", range(4))
def test_the_document_channel_counts_in_c_what_python_counts(which, monkeypatch):
    """`decide._tally` in C (pipeline/restore/compiled/scores.c) counts the pairs of the
    surely read words' paths, and their totals by truth, as the Python loop does: the same
    keys, the same sums, so the document's channel estimates the same probabilities."""
    if not decide.COMPILED:
        pytest.skip("the compiled module (pipeline/restore/_search.c) is not built")
    _, occurs, compiled = _decisions(_texts()[which])
    doc_channel = compiled.channel
    groups = [(compiled.found[s], n) for s, n in occurs.items()]  # as `_decisions` made it
    monkeypatch.setattr(decide, "_compiled", None)
    python = decide.DocumentChannel(doc_channel.table, doc_channel.english, groups,
                                    doc_channel.lexicon)
    assert doc_channel.counts and doc_channel.counts == python.counts
    assert doc_channel.totals == python.totals
    assert sum(python.counts.values()) == sum(python.totals.values())

