"""Calibration of restoration scores: the isotonic fit that bench/calibrate.py makes and
the reading of its knots by pipeline/restore/calibration.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline.restore.calibration import Calibration

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
calibrate = pytest.importorskip("calibrate")


def _read(knots: list[tuple[float, float, int]]) -> Calibration:
    return Calibration({"f": ([k[0] for k in knots], [k[1] for k in knots])}, "")


def test_a_pool_is_valued_with_one_right_and_one_wrong_more():
    knots = calibrate.fit([(0.6, False), (0.61, False)] + [(0.9 + k / 1000, True)
                                                          for k in range(8)])
    assert [k[1] for k in knots] == [0.25, 0.25, 0.9, 0.9]  # 1/4, then 9/10
    assert [k[0] for k in knots] == [0.6, 0.61, 0.9, 0.907]  # each pool's ends


def test_adjacent_violators_are_pooled_and_the_fit_never_falls():
    points = [(0.55, True), (0.6, False), (0.7, True), (0.72, False), (0.8, True),
              (0.85, True), (0.9, True), (0.95, True), (0.97, True), (0.99, True)]
    knots = calibrate.fit(points)
    values = [k[1] for k in knots]
    assert values == sorted(values)
    # the right change at 0.55 is pooled with the wrong one after it, not trusted alone
    assert knots[0][1] == pytest.approx((1 + 1) / (2 + 2))
    assert knots[-1][1] == pytest.approx((6 + 1) / (6 + 2))


def test_a_score_is_flat_over_a_pool_and_straight_between_pools():
    knots = calibrate.fit([(0.5, False), (0.52, False), (0.8, True), (0.9, True),
                           (1.0, True)])
    read = _read(knots)
    assert read.score("f", 0.85) == read.score("f", 0.8) == pytest.approx(0.8)  # 4/5
    assert read.score("f", 0.51) == pytest.approx(0.25)
    assert 0.25 < read.score("f", 0.66) < 0.8  # between the pools
    assert read.score("f", 1.0) == pytest.approx(0.8)  # beyond the last knot, as the last
    # below the first knot nothing was measured: the posterior, where lower than the knot
    assert read.score("f", 0.2) == 0.2 and read.score("f", 0.4999) == pytest.approx(0.25)
    assert read.score("other", 0.66) == 0.66  # a family the table lacks keeps its posterior


def test_below_the_first_knot_a_family_says_no_more_than_the_posterior():
    # every change of the family measured was right, at 0.8 and above: one at 0.5 is
    # no likelier right than the model's own posterior says
    read = _read(calibrate.fit([(0.8 + k / 100, True) for k in range(10)]))
    assert read.score("f", 0.85) == pytest.approx(11 / 12, abs=1e-4)
    assert read.score("f", 0.5) == 0.5


def test_held_out_scores_each_document_by_a_fit_without_it():
    from pipeline.evaluate.changes import Judged
    from pipeline.model import Correction

    def judged(document: str, score: float, right: bool) -> Judged:
        c = Correction(page=1, line=0, word=0, before="Hallby", after="Hällby",
                       kind="diacritic", score=score, origin="lexicon", applied=True)
        return Judged(document, c, "Hällby" if right else "Hallby", right, not right, 1.0)

    # twenty documents whose change is right, one whose change is wrong, all at 0.95:
    # scored by a fit without it, each right one is 20/22 likely, the wrong one 21/22
    points = [judged(f"a{k}.ocr_eng", 0.95, True) for k in range(20)] + [
        judged("b.ocr_eng", 0.95, False)]
    table = calibrate.held_out(points, 21)
    row = next(line for line in table.splitlines() if line.strip().startswith("0.90"))
    assert row.split()[1:] == ["21", "20", "95.24%", "1"]
    row = next(line for line in table.splitlines() if line.strip().startswith("0.95"))
    assert row.split()[1:] == ["1", "0", "0.00%", "1"]  # only the wrong one clears 0.95
    assert "b.ocr_eng: Hallby → Hällby" in table


def test_ties_pool_at_once():
    knots = calibrate.fit([(0.7, True), (0.7, False), (0.9, True)])
    assert len({k[0] for k in knots}) == len(knots)  # no two knots at one posterior


def test_a_change_that_only_takes_dots_and_rings_off_has_its_own_family():
    from pipeline.restore.calibration import family

    assert family("name", 0.0, "Hölm", "Holm") == "strip/kept"
    assert family("diacritic", 0.0, "äv", "av") == "strip/kept"
    assert family("diacritic", 1.0, "Mäja", "Maja") == "strip/lost"
    assert family("diacritic", 0.0, "lovprocessen", "lövprocessen") == "diacritic/kept"
    assert family("name", 1.0, "Edén", "Eden") == "name-respelled/lost"  # an accent is no dot
    assert family("ocr-confusion", 0.0, "Hölm", "Hohn") == "ocr-confusion/kept"


def test_a_name_changed_in_more_than_its_swedish_letters_has_its_own_family():
    from pipeline.restore.calibration import family

    for before, after in (("Sandstrém", "Sandström"), ("Fjallstr6m", "Fjällström"),
                          ("Hakan", "Håkan"), ("Lo6f", "Lööf"), ("Osten", "Östen")):
        assert family("name", 1.0, before, after) in ("name/lost", "name-given/lost"), before
    for before, after in (("Nilsen", "Nilson"), ("Francesca", "Francesco"),
                          ("Amini", "Amin"), ("Pirjo", "Purjo")):
        assert family("name", 1.0, before, after) == "name-respelled/lost", before
    assert family("diacritic", 1.0, "Pirjo", "Purjo") == "diacritic/lost"  # names only
    assert family("ocr-confusion", 0.0, "Hölm", "Hohn") == "ocr-confusion/kept"


def test_a_name_position_read_as_a_common_word_has_its_own_family():
    from pipeline.restore.calibration import Calibration, family

    # a title after a person's name, a word as heading: common words, not names
    for before, after in (("Trafikingenjor", "Trafikingenjör"), ("Vard", "Vård"),
                          ("(Sammantradesrum)", "(Sammanträdesrum)"),
                          ("Radhussalen,", "Rådhussalen,"),  # compounds of common words
                          ("Verksamhetsomradeschef", "Verksamhetsområdeschef"),
                          ("TjansteskrivelSe", "Tjänsteskrivelse")):  # a letter's case too
        assert family("name", 1.0, before, after) == "name-word/lost", before
    assert family("name", 1.0, "NilSen", "Nilson") == "name-respelled/lost"
    # a name given its letters back, a listed name read as a word, a word that differs in
    # more than dots and rings
    assert family("name", 1.0, "Stahl", "Ståhl") == "name/lost"
    assert family("name", 1.0, "Sara", "Såra") == "name/lost"
    assert family("name", 1.0, "Marta", "Märta") == "name/lost"  # both are given names
    assert family("name", 1.0, "Lindgardens", "Lindgårdens") == "name/lost"  # a place
    # common words, but a surname's last element: likelier a surname where a name stands
    assert family("name", 1.0, "Backstrom", "Bäckström") == "name/lost"
    assert family("name", 1.0, "Angstrom", "Ångström") == "name/lost"
    assert family("name", 1.0, "Brask", "Bråk") == "name/lost"
    assert family("diacritic", 1.0, "Vard", "Vård") == "diacritic/lost"  # names only
    # never measured where OCR kept the diacritics: scored as a name's change there
    table = Calibration({"name/kept": ([0.5, 1.0], [0.2, 0.9]),
                         "name-word/lost": ([0.5, 1.0], [0.99, 0.99])}, "")
    assert table.score("name-word/kept", 0.75) == table.score("name/kept", 0.75)
    assert table.score("name-word/lost", 0.75) == 0.99


def test_a_name_position_read_as_a_given_name_has_its_own_family():
    from pipeline.restore.calibration import Calibration, family

    for before, after in (("Mans", "Måns"), ("Goran", "Göran"), ("Per-Ake", "Per-Åke"),
                          ("Hakan", "Håkan")):  # "hakan" is a word (the chin), no name
        assert family("name", 1.0, before, after) == "name-given/lost", before
    assert family("name", 1.0, "Goran", "Göran") != family("name", 1.0, "Stahl", "Ståhl")
    table = Calibration({"name/kept": ([0.5, 1.0], [0.2, 0.9])}, "")
    assert table.score("name-given/kept", 0.75) == table.score("name/kept", 0.75)


def test_a_knot_is_written_rounded_down_so_its_pool_s_first_change_stays_in_it():
    from pipeline.restore.calibration import Calibration

    written = float(calibrate._knot(0.7234996))
    assert written <= 0.7234996 and calibrate._knot(0.7234996) == "0.723499"
    table = Calibration({"f": ([written, 1.0], [0.94, 0.94])}, "")
    assert table.score("f", 0.7234996) == 0.94  # not left below the first knot
