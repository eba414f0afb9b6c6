"""The evaluation command and its baselines."""

from __future__ import annotations

import subprocess
import sys

from pipeline.evaluate import baselines
from pipeline.evaluate.text import gold_for, score


def test_score_counts_errors_and_damage():
    truth = "Nämnden beslutar att översända svaret"
    before = "Nimnden beslutar att översända svaret"
    after = "Nämnden beslutar att översände svaret"
    s = score(truth, after, before=before)
    assert (s.words, s.word_errors, s.damaged) == (5, 1, 1)
    assert s.wer == 0.2 and s.damage == 0.2
    assert score(truth, truth).cer == 0.0
    assert score("a  b\n\fc", "a b c").word_errors == 0  # whitespace runs are one space


def test_gold_for_matches_names(tmp_path):
    (tmp_path / "fn_2022.gold.txt").write_text("x")
    (tmp_path / "fn.gold.txt").write_text("x")
    assert gold_for("fn_2022.ocr_eng", tmp_path).name == "fn_2022.gold.txt"
    assert gold_for("fn-txt", tmp_path).name == "fn.gold.txt"
    assert gold_for("other", tmp_path) is None


def test_hunspell_baseline_takes_the_first_suggestion():
    text = "Nimnden, pa 8 39 och samhalle.\n"
    assert baselines.correct_text(text, baselines.hunspell) == "Nämnden, ps 8 39 och samhälle.\n"


def test_symspell_baseline(monkeypatch):
    from symspellpy import SymSpell

    small = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
    for word, count in {"nämnden": 100, "på": 1000, "samhälle": 50}.items():
        small.create_dictionary_entry(word, count)
    monkeypatch.setattr(baselines, "_INDEX", [small])
    text = "Nimnden, pa samhalle."
    assert baselines.correct_text(text, baselines.symspell) == "Nämnden, på samhälle."


def test_eval_command(tmp_path):
    gold = tmp_path / "gold"
    out = tmp_path / "out" / "doc.ocr_eng"
    gold.mkdir()
    out.mkdir(parents=True)
    (gold / "doc.gold.txt").write_text("Nämnden beslutar att översända svaret.")
    (out / "raw.txt").write_text("Nimnden beslutar att 6versinda svaret.")
    (out / "text.txt").write_text("Nämnden beslutar att översända svaret.")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "eval", str(gold),
                           str(tmp_path / "out"), "--no-baselines"],
                          capture_output=True, text=True, check=True)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("all .ocr_eng") and
                "protokoll" in x)
    assert line.split()[-3:] == ["0.0000", "100.0%", "0.00%"]


def _judged_doc():
    from pipeline.model import Correction, Document, Page, Source
    from pipeline.ocr.legacy import text_line

    lines = ["Nimnden beslutar val om 6-10 ordf Brask"]
    page = Page(number=1, method="legacy-text", lines=[text_line(t) for t in lines])
    doc = Document("t", Source("t.txt", "0" * 64, "text/plain", 1, 1), [page])
    doc.corrections = [
        Correction(page=1, line=0, word=0, before="Nimnden", after="Nämnden",
                   kind="ocr-confusion", score=0.99, origin="lexicon"),
        Correction(page=1, line=0, word=2, before="val", after="väl", kind="real-word",
                   score=0.7, origin="lexicon", applied=False),
        Correction(page=1, line=0, word=4, before="6-10", after="6–10", kind="symbol",
                   score=0.95, origin="context"),
        Correction(page=1, line=0, word=5, before="ordf", after="ord", kind="ocr-confusion",
                   score=0.95, origin="lexicon"),
        Correction(page=1, line=0, word=6, before="Brask", after="Bråk", kind="name",
                   score=0.92, origin="lexicon")]
    return doc


def test_every_change_is_judged_right_or_wrong_and_harm_is_classed():
    from pipeline.evaluate import changes
    from pipeline.restore import lexicon

    judged = changes.judge(_judged_doc(), "Nämnden beslutar val om 6-10 ordf Brask", "t")
    assert [(j.right, j.was_right, j.harmful) for j in judged] == [
        (True, False, False), (False, True, False), (False, True, True),
        (False, True, True), (False, True, True)]
    lex = lexicon.load()
    assert [changes.harm_class(j, lex) for j in judged if j.harmful] == [
        "typography", "abbreviation", "name"]
    table = changes.calibration_table(judged)
    assert "0.950–0.980         2       0" in table and "applied" in table
    harm = changes.harm_table(judged)
    assert "typography         1  6-10 → 6–10 (0.950)" in harm
    thresholds = changes.threshold_table(judged, thresholds=(0.9, 0.99))
    assert thresholds.splitlines()[1].split() == ["0.90", "4", "1", "25.00%", "3"]


def test_a_change_that_keeps_the_case_as_read_is_judged_by_its_letters():
    from pipeline.evaluate.changes import _right

    assert _right("Overskott", "Överskott", "överskott")
    assert not _right("Över", "över", "Över")  # the change itself altered the case


def test_a_raw_word_stands_for_the_truth_letters_inserted_at_its_start():
    from pipeline.evaluate.changes import _aligned_spans

    # the alignment may read the 8 as the space and insert the §: "8142" still stands
    # for "§ 142", so its repair is judged against both
    raw, truth = ["Socialnämnden", "8142", "Dnr"], ["Socialnämnden", "§", "142", "Dnr"]
    assert _aligned_spans(raw, truth) == [(0, 1), (1, 3), (3, 4)]
    raw, truth = ["a", "bc", "d"], ["a", "xbc", "d"]
    assert _aligned_spans(raw, truth) == [(0, 1), (1, 2), (2, 3)]


def test_where_the_raw_words_align_two_ways_the_change_decides():
    from pipeline.evaluate import changes
    from pipeline.model import Correction, Document, Page, Source
    from pipeline.ocr.legacy import text_line

    # "följande: ; «" for "följande: •": the raw words alone align the bullet with the
    # stray ";" as well as with the «; the change's "•" is the truth, and the ";" is not
    lines = ["De viktigaste är följande: ;", "« Kostnader för hemförsäkring",
             "« Ett nytt avsnitt", "e Tio arbetsdagar"]
    page = Page(number=1, method="legacy-text", lines=[text_line(t) for t in lines])
    doc = Document("t", Source("t.txt", "0" * 64, "text/plain", 1, 1), [page])
    bullet = {"after": "•", "kind": "symbol", "score": 0.64, "origin": "context",
              "applied": False}
    doc.corrections = [Correction(page=1, line=k, word=0, before=lines[k][0], **bullet)
                       for k in (1, 2, 3)]
    doc.corrections.append(Correction(page=1, line=0, word=4, before=";", after="",
                                      kind="symbol", score=0.62, origin="context"))
    truth = ("De viktigaste är följande: • Kostnader för hemförsäkring • Ett nytt avsnitt "
             "• Tio arbetsdagar")
    judged = changes.judge(doc, truth, "t")
    assert [(j.truth, j.right) for j in judged] == [("•", True)] * 3 + [("", True)]
    # a wrong change is still wrong: the bullet where the truth has a word
    doc.corrections = [Correction(page=1, line=3, word=0, before="e", after="•", kind="symbol",
                                  score=0.64, origin="context", applied=False)]
    judged = changes.judge(doc, truth.replace("• Tio", "e Tio"), "t")
    assert [(j.truth, j.right, j.was_right) for j in judged] == [("e", False, True)]
