"""The compiled candidate search and key index do what the Python ones do, exactly.

`candidates.beam_search` (Python) is the reference; `_search.search` (C) must find the
same candidates in the same order with the same costs (to the last bit) and paths, since
the corrections and their scores are computed from them.
"""

from __future__ import annotations

import pytest

from pipeline.restore import candidates, channel, decide, lexicon, tokens


@pytest.fixture(scope="module")
def compiled() -> lexicon.Lexicon:
    lex = lexicon.load()
    if not lex.compiled:
        pytest.skip("the compiled search (pipeline/restore/_search.c) is not built: make install")
    return lex


@pytest.fixture(scope="module")
def python(compiled) -> lexicon.Lexicon:
    """The same lexicon searched in Python alone."""
    return lexicon.Lexicon(compiled._blob, compiled._packed, compiled.abbreviations,
                           compiled.municipalities, compiled.checksums, compiled=False)


def _words(text: str, lex: lexicon.Lexicon) -> list[str]:
    """Every correctable word of a text, with the parts a split reading searches."""
    found = set()
    for word in text.split():
        for seg in tokens.split(word).core.split("-"):
            if seg and tokens.correctable(seg, lex):
                found.add(seg)
                if seg.isalpha() and len(seg) >= 3:
                    found.update(seg[k:] for k in range(1, min(len(seg) - 3, 5) + 1))
    return sorted(found)


def test_the_compiled_search_finds_what_the_python_search_finds(compiled, python, shared):
    table = channel.load()
    texts = [(shared / "dev" / f"bun_utdrag_2022.{kind}.txt").read_text(encoding="utf-8")
             for kind in ("ocr_eng", "ocr_swe")]
    texts.append((shared / "dev-real" / "kumla_ks_1996.typewriter.ocr_swe.txt")
                 .read_text(encoding="utf-8"))
    words = _words("\n".join(texts), compiled)
    assert len(words) > 300
    for word in words:
        assert candidates._compiled_search(word, compiled, table) == \
            candidates.beam_search(word, python, table), word


def test_compounds_names_and_case_patterns_alike(compiled, python):
    table = channel.load()
    for word in ("Hasselsasa", "Lonna", "hasselsasa", "Augusta", "KOMMUNSTYRELSEN",
                 "Barn-", "forvaltningsratten", "6versinda", "nimnd", "Boris", "ar", "x",
                 "Ljungsasa", "sammantradesprotokollet", "byggnadsnamndens"):
        assert candidates._compiled_search(word, compiled, table) == \
            candidates.beam_search(word, python, table), word


def test_a_search_for_words_alone_is_the_python_one_and_finds_no_compound(compiled, python):
    """The second word of a split reading is searched for with no compounds in the beam
    (`candidates.search_words`): in C as in Python, and no reading of it is a compound."""
    table = channel.load()
    for word in ("beslutar", "forvaltningsratten", "Hasselsasa", "nimnd", "KOMMUNSTYRELSEN",
                 "sammantradesprotokollet", "ingar", "overlamnar"):
        found = candidates._compiled_found(word, compiled, table, compounds=False)
        assert [candidates.Candidate(*c) for c in found] == \
            candidates.beam_search(word, python, table, compounds=False), word
        assert all(len(c[2]) == 1 for c in found), word
    whole = candidates.search("forvaltningsratten", compiled, table)
    assert any(len(c.parts) > 1 for c in whole)  # the whole search finds compounds there
    assert [c.text for c in candidates.search_words("overlamnar", compiled, table)][0] == \
        "överlämnar"


def test_options_converted_once_search_as_the_lists_they_are_made_from(compiled):
    table = channel.load()
    for word in ("nimnd", "Hasselsasa", "KOMMUNSTYRELSEN", "6versinda"):
        lists, deletions, beam, edits = candidates._setup(word, compiled, table)
        args = (candidates.case_pattern(word), beam, edits, candidates.MAX_COST,
                candidates.MIN_PART, candidates.MIN_BEFORE_LETTER)
        converted = [candidates._compiled.Options(here) for here in lists]
        assert [len(c) for c in converted] == [len(here) for here in lists]
        found = candidates._compiled.search(compiled.index, lists, deletions, *args)
        assert found
        assert candidates._compiled.search(
            compiled.index, converted, candidates._compiled.Options(deletions), *args) == found
    with pytest.raises(TypeError, match="tuple of 7"):
        candidates._compiled.Options([(1, 0.0, 0.0)])


def test_positions_of_more_options_than_a_filter_holds_search_alike(compiled):
    """A position's options are filtered by bits, 64 at most; beyond that they are tried
    one by one. Each option listed again (more than 64 then) makes no other state: the
    second way to a reading costs the same as the first, which stays."""
    table = channel.load()
    for word in ("nimnd", "Hasselsasa", "KOMMUNSTYRELSEN", "6versinda", "forvaltningsratten"):
        lists, deletions, beam, edits = candidates._setup(word, compiled, table)
        args = (candidates.case_pattern(word), beam, edits, candidates.MAX_COST,
                candidates.MIN_PART, candidates.MIN_BEFORE_LETTER)
        found = candidates._compiled.search(compiled.index, lists, deletions, *args)
        many = [here * (64 // len(here) + 1) for here in lists]
        assert all(len(here) > 64 for here in many)
        assert candidates._compiled.search(compiled.index, many, deletions * 9, *args) == found
        assert candidates._compiled.search(
            compiled.index, [candidates._compiled.Options(here) for here in many],
            candidates._compiled.Options(deletions * 9), *args) == found


def test_the_compiled_index_answers_as_the_python_one(compiled, python):
    assert not python.compiled
    assert len(compiled.index) == len(python.index) > 500_000
    for probe in ("", "a", "nämnd", "nämnde", "nämndens", "kommunstyrelsen", "zzzz", "ö",
                  "å", "stockholm", "ålderdomshem", "\U0010ffff", "-", "b", python.keys[-1]):
        assert compiled.index.entry(probe) == python.index.entry(probe), probe
        assert compiled.index.has_prefix(probe) == python.index.has_prefix(probe), probe
        assert compiled.index.next_letters(probe) == python.index.next_letters(probe), probe



def test_the_compiled_fit_is_the_python_fit(compiled, shared):
    """The document's share of English-like OCR, and each word's best reading under it."""
    from collections import Counter

    from pipeline.ocr import legacy
    from pipeline.restore import decide, hypotheses
    from pipeline.restore.choose import occurrences

    fits = []
    for path in sorted((shared / "dev").glob("*.ocr_*.txt")):
        pages = legacy.read_pages(path)
        found = hypotheses(pages)
        occurs = Counter(s for o in occurrences(pages) for s in o.segments if s in found)
        groups = [(found[s], n) for s, n in occurs.items()]
        fits.append((decide.fit_mixture(groups), decide.fit_in_python(groups)))
        # the readings' terms made once per list, or read from the readings each time
        assert candidates._compiled.fit_mixture(groups, decide.EM_ROUNDS) == fits[-1][0]
        for english in (fits[-1][0], 0.5, 0.001):
            best = [(max(range(len(hyps)), key=post.__getitem__), max(post)) for hyps, _ in groups
                    for post in [decide.mixture_posteriors(hyps, english)]]
            assert decide.best_readings(groups, english) == best
    assert all(c == p for c, p in fits), fits
    assert any(c > 0.9 for c, _ in fits) and any(c < 0.1 for c, _ in fits)  # eng and swe


def test_the_terms_of_readings_are_those_of_the_list_given(compiled):
    from pipeline.restore import decide

    def hyp(text: str, cost: tuple[float, float]) -> decide.Hypothesis:
        return decide.Hypothesis(text, 4.0, cost, text == "nämnd")
    held = [hyp("nämnd", (3.0, 0.5)), hyp("namnd", (0.5, 3.0))]
    for english in (0.2, 0.8):
        for _ in range(3):  # lists made later, perhaps where an earlier one was
            for cost in ((2.0, 0.1), (0.1, 2.0)):
                fresh = [hyp("nämnd", cost), hyp("namnd", (1.0, 1.0))]
                assert decide.best_readings([(fresh, 1), (held, 2)], english) == [
                    (max(range(2), key=post.__getitem__), max(post))
                    for hyps in (fresh, held)
                    for post in [decide.mixture_posteriors(hyps, english)]]
    table = channel.load()
    doc_channel = decide.DocumentChannel(table, 0.5, [(held, 1)], lexicon.load())
    for _ in range(3):
        for prior in (1.0, 5.0):
            fresh = [decide.Hypothesis("namnd", prior, (1.0, 1.0), False, (("ä", "a"),))]
            assert doc_channel.scores(fresh) == [doc_channel.score(fresh[0])]
    with pytest.raises(TypeError, match="Readings"):
        candidates._compiled.scores((), {}, 0.0)
    groups = [(held, 3), ([hyp("nämnd", (0.2, 1.9))], 1)]
    assert decide.fit_mixture(groups) == decide.fit_in_python(groups)
    with pytest.raises(ValueError, match="five doubles"):
        candidates._compiled.fit_mixture([(b"\0" * 8, 1)], 1)


def test_a_round_of_em_gives_each_word_the_english_share_of_its_posteriors():
    """`fit_in_python` works a word's share out as english * E / (english * E + rest * S)
    from two sums made once: the EM of the readings' posteriors under the mixture
    (`mixture_posteriors`), each reading's English share weighed by its posterior, gives
    the same share round after round."""
    import random

    def reading_by_reading(groups: decide.Groups) -> float:
        informative = [(g, n) for g, n in groups
                       if any(abs(h.cost[0] - h.cost[1]) > 1.0 for h in g)]
        english = 0.5
        for _ in range(decide.EM_ROUNDS):
            total = 0.0
            for hyps, n in informative:
                for h, post in zip(hyps, decide.mixture_posteriors(hyps, english), strict=True):
                    a, b = english * 10 ** -h.cost[0], (1 - english) * 10 ** -h.cost[1]
                    total += n * post * a / (a + b)
            english = min(max(total / sum(n for _, n in informative), 0.001), 0.999)
        return english

    rng = random.Random(7)
    shares = []
    for _ in range(60):
        groups = [([decide.Hypothesis(f"w{k}", rng.uniform(0.0, 6.0),
                                      (rng.uniform(0.0, 30.0), rng.uniform(0.0, 30.0)), k == 0)
                    for k in range(rng.randint(1, 5))], rng.randint(1, 4))
                  for _ in range(rng.randint(1, 30))]
        shares.append(decide.fit_in_python(groups))
        assert shares[-1] == pytest.approx(reading_by_reading(groups), rel=1e-9, abs=1e-12)
    assert min(shares) < 0.2 and max(shares) > 0.8  # both channels' documents among them


def test_the_compiled_posteriors_are_the_python_posteriors(compiled):
    import random

    from pipeline.restore import decide

    rng = random.Random(14)
    lists = [[rng.uniform(-12.0, 8.0) for _ in range(n)] for n in (1, 2, 3, 5, 16, 17, 40)
             for _ in range(50)]
    lists += [[2.5, 2.5, 1.0], [-0.0, 0.0], [1e-300, -400.0, 3.0]]
    for scores in lists:
        found = candidates._compiled.posteriors(scores)
        assert found == decide.posteriors_in_python(scores), scores
        assert decide.posteriors(scores) == found
    # anything but a list of floats is left to Python, which works it out the same way
    assert candidates._compiled.posteriors([3, 1.0]) is None
    assert decide.posteriors([3, 1.0]) == decide.posteriors_in_python([3, 1.0])
    assert candidates._compiled.posteriors([]) is None


def test_the_compiled_scores_are_the_python_scores(compiled, shared):
    """Each reading's score under a document's channel, in C and in Python."""
    from collections import Counter

    from pipeline.ocr import legacy
    from pipeline.restore import decide, hypotheses
    from pipeline.restore.choose import occurrences

    for path in sorted((shared / "dev").glob("*.ocr_*.txt")):
        pages = legacy.read_pages(path)
        found = hypotheses(pages)
        occurs = Counter(s for o in occurrences(pages) for s in o.segments if s in found)
        groups = [(found[s], n) for s, n in occurs.items()]
        doc_channel = decide.DocumentChannel(
            channel.load(), decide.fit_mixture(groups), groups, lexicon.load())
        for hyps in found.values():
            assert doc_channel.scores(hyps) == [doc_channel.score(h) for h in hyps]
            # the readings' fields read once per list, or read from the readings each time
            assert candidates._compiled.scores(hyps, doc_channel._logps,
                                               doc_channel.keep_adjust) == doc_channel.scores(hyps)


def test_logps_by_number_are_read_from_their_mapping_once(compiled):
    """A document's logps by pair number (`_search.Logps`) are the mapping's, each asked of
    it once; scores read through them are those read from the mapping."""
    asked = []

    class Mapping(dict):
        def __missing__(self, key):
            asked.append(key)
            found = self[key] = -0.1 * len(asked)
            return found

    hyps = [decide.Hypothesis("bör", 4.0, (1.0, 2.0), False, (("b", "b"), ("ö", "o"),
                                                                ("r", "r"))),
            decide.Hypothesis("bor", 3.5, (0.0, 0.0), True, (("b", "b"), ("o", "o"),
                                                               ("r", "r")), True, 0.5)]
    readings = candidates._compiled.Readings(hyps)
    mapping = Mapping()
    by_number = candidates._compiled.Logps(mapping)
    first = candidates._compiled.scores(readings, by_number, 0.25)
    again = candidates._compiled.scores(readings, by_number, 0.25)
    assert first == again == candidates._compiled.scores(hyps, mapping, 0.25)
    assert sorted(asked) == sorted({p for h in hyps for p in h.path})
    with pytest.raises(TypeError):
        candidates._compiled.Logps()


def test_a_search_over_a_few_words_rules_out_only_what_the_whole_search_does_not_find(
        compiled, shared):
    """`may_read_as` may say True where the whole search finds none of the words (it is a
    check before the search), never False where it finds one: the split readings' first
    words are looked for only where it says True."""
    table = channel.load()
    text = "\n".join((shared / "dev" / f"bun_utdrag_2022.{kind}.txt").read_text(encoding="utf-8")
                     for kind in ("ocr_eng", "ocr_swe"))
    starts = sorted({word[:k] for word in text.split() if word.isalpha()
                     for k in range(1, min(len(word) - 3, decide.MAX_SPLIT_LEFT) + 1)})
    assert len(starts) > 300
    ruled_out = 0
    for start in starts:
        found = [c for c in candidates._search(start, compiled, table)
                 if c.text in decide.SPLIT_LEFT]
        if not candidates.may_read_as(start, decide.SPLIT_LEFT, table):
            ruled_out += 1
            assert not found, start
            assert candidates.search_among(start, decide.SPLIT_LEFT, compiled, table) == []
        else:
            assert candidates.search_among(start, decide.SPLIT_LEFT, compiled, table) == found
    assert ruled_out > len(starts) // 2  # it rules out most: it is worth making
    for start in ("fdr", "pa", "och", "Ocb", "UNDER"):
        assert candidates.may_read_as(start, decide.SPLIT_LEFT, table), start


def test_joined_letters_that_no_listed_forms_make_are_never_read_as_printed():
    """`joins._in_forms` spares the search of two tokens' joined letters where they cannot
    be cut into listed forms: so wherever the search reads the letters as printed (a
    compound of listed parts), they can be so cut. Checked on every two neighbouring words
    of the samples, as OCR left them and as printed."""
    from pathlib import Path

    from pipeline.restore import joins

    lex, table = lexicon.load(), channel.load()
    samples = Path(__file__).resolve().parents[1] / "samples"
    words = [w.strip(".,;:()") for name in ("boras_forskolenamnden_2021-03_p39.ocr.txt",
                                            "minutes_2024_truth.txt")
             for w in (samples / name).read_text(encoding="utf-8").split()]
    pairs = {a + b.lower() for a, b in zip(words, words[1:], strict=False)
             if a.isalpha() and b.isalpha() and len(a) >= 3 and len(b) >= 3}
    assert len(pairs) > 300
    read = {w for w in pairs
            if any(c.text == w.lower() for c in candidates.search(w, lex, table))}
    cut = {w for w in pairs if joins._in_forms(w.lower(), lex)}
    assert read and read <= cut
    assert cut != pairs  # the test spares searches
    assert joins._in_forms("budgetutfall", lex) and not joins._in_forms("xqzvbnkl", lex)


def test_the_tests_before_a_tokens_patterns_pass_every_token_a_pattern_matches():
    """`tokens.correctable` asks its patterns only of tokens with a character each needs:
    checked on random tokens of the characters the patterns look for, and on the samples'
    words, that no token a pattern matches fails its pre-test (so the answers are the
    patterns' own)."""
    import random
    from pathlib import Path

    rng = random.Random(7)
    alphabet = "ab1460:./@-–—+%§ wsekrtmåÄÉ,"
    made = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
            for _ in range(40_000)]
    made += ["https://x", "http://localhost", "www.boras.se", "a@b", "kommun.se/x", "1:a",
             "4:e", "2:dra", "12-14", "-5", "+3%", "§ 12", "t.ex", "bl.a", "100 kr", "½kr"]
    samples = Path(__file__).resolve().parents[1] / "samples"
    made += [w for name in ("boras_forskolenamnden_2021-03_p39.ocr.txt",
                            "minutes_2024_truth.txt")
             for w in (samples / name).read_text(encoding="utf-8").split()]
    url = [t for t in made if tokens._URL.search(t)]
    number = [t for t in made if tokens._NUMBERLIKE.match(t)]
    ordinal = [t for t in made if tokens._ORDINAL.match(t)]
    dotted = [t for t in made if tokens._ABBREVIATION.match(t)]
    assert url and number and ordinal and dotted  # the check meets every pattern
    assert all("." in t or "@" in t or ":" in t for t in url)
    assert not any(t[0].isalpha() for t in number)
    assert all(":" in t for t in ordinal) and all("." in t for t in dotted)
