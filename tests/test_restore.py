"""The restore stage: golden documents, protected tokens, corrections as records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLES, TRUTH

from pipeline import api
from pipeline.model import Document, Page, Source
from pipeline.ocr.legacy import text_line
from pipeline.options import BatchOptions, Options, RestoreOptions
from pipeline.restore import candidates, channel, lexicon, restore

GOLDEN = Path(__file__).parent / "golden"


def _doc(lines: list[str]) -> Document:
    page = Page(number=1, method="legacy-text", lines=[text_line(t) for t in lines])
    return Document("t", Source("t.txt", "0" * 64, "text/plain", 1, 1), [page])


def _restored(lines: list[str], threshold: float = RestoreOptions.threshold) -> list[str]:
    return restore(_doc(lines), RestoreOptions(threshold=threshold)).text().split("\n")


@pytest.mark.parametrize("name", ["restore_eng.json", "restore_swe.json"])
def test_golden_documents(name):
    case = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    doc = restore(_doc(case["ocr"]), RestoreOptions())
    got = doc.text().split("\n")
    wrong = [(g, e) for g, e in zip(got, case["expected"], strict=True) if g != e]
    assert not wrong
    proposed = {(c.before.strip(".,"), c.after.strip(".,")) for c in doc.corrections
                if not c.applied}
    assert {tuple(pair) for pair in case["suggested"]} <= proposed


def test_english_model_text_is_recognized_as_such():
    case = json.loads((GOLDEN / "restore_eng.json").read_text(encoding="utf-8"))
    doc = restore(_doc(case["ocr"]), RestoreOptions())
    assert doc.steps[-1].settings["english_share"] > 0.9
    case = json.loads((GOLDEN / "restore_swe.json").read_text(encoding="utf-8"))
    doc = restore(_doc(case["ocr"]), RestoreOptions())
    assert doc.steps[-1].settings["english_share"] < 0.1


def test_correct_swedish_text_is_left_alone():
    truth = TRUTH.read_text(encoding="utf-8").replace("\f", "\n").split("\n")
    doc = restore(_doc(truth), RestoreOptions())
    assert [c for c in doc.corrections if c.applied] == []


def test_protected_tokens_and_whitespace_survive():
    lines = ["  Dnr FN 2021-00019   och KS 2019/0123, 1.2.3.3 och § 39:",
             "PwC, FSG och KS fick 1 250 000 kr den 2021-03-25 kl. 13.00.",
             "Se https://www.boras.se/protokoll eller skriv till nämnd@boras.se",
             "", "t.ex. bl.a. m.m."]
    doc = restore(_doc(lines), RestoreOptions())
    assert doc.text().split("\n")[0] == lines[0]
    assert doc.text().split("\n")[1:] == lines[1:]


def test_casing_is_kept():
    got = _restored(["Nämnden i Borås har sitt säte i BORAS och i Boras.",
                     "Pa ett mote i Boras Stad beslutade namnden."])
    assert got[0] == "Nämnden i Borås har sitt säte i BORÅS och i Borås."
    assert got[1] == "På ett möte i Borås Stad beslutade nämnden."


def test_compounds_are_corrected_by_their_parts():
    got = _restored(["Forskolenamndens och Arbetslivsnamndens barnrattschecklista for",
                     "uppfoljningsprocessen ar stadsovergripande och galler alla nimnder."])
    assert got == ["Förskolenämndens och Arbetslivsnämndens barnrättschecklista för",
                   "uppföljningsprocessen är stadsövergripande och gäller alla nämnder."]


def test_every_change_is_a_record_and_the_raw_text_stays():
    lines = ["Nimnden beslutar att 6versinda svaret."]
    doc = restore(_doc(lines), RestoreOptions())
    assert doc.raw_text() == lines[0]
    assert doc.pages[0].lines[0].words[0].text == "Nimnden"
    changes = {(c.before, c.after): c for c in doc.corrections}
    assert ("Nimnden", "Nämnden") in changes and ("6versinda", "översända") in changes
    c = changes["6versinda", "översända"]
    assert (c.page, c.line, c.word, c.kind, c.origin) == (1, 0, 3, "ocr-confusion", "lexicon")
    assert 0.5 <= c.score <= 1 and c.applied


def test_low_scores_are_suggestions_only():
    lines = ["Nimnden beslutar att 6versinda svaret."]
    doc = restore(_doc(lines), RestoreOptions(threshold=1.0))
    assert doc.corrections and not any(c.applied for c in doc.corrections)
    assert doc.text() == lines[0]


def test_run_writes_corrections_and_no_restore_skips(tmp_path):
    legacy = SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt"
    api.run([legacy], tmp_path / "a", Options(batch=BatchOptions(jobs=1, in_process=True)))
    out = tmp_path / "a" / "boras_forskolenamnden_2021-03_p39.ocr"
    records = [json.loads(x) for x in (out / "corrections.jsonl").read_text().splitlines()]
    assert len(records) > 100
    assert {"before": "Forskolenamnden", "after": "Förskolenämnden"}.items() <= next(
        r for r in records if r["before"] == "Forskolenamnden").items()
    text = (out / "text.txt").read_text()
    assert "Borås Stad" in text and "översända" in text and "nämnd " in text
    assert (out / "raw.txt").read_text() == legacy.read_text()

    api.run([legacy], tmp_path / "b", Options(restore=RestoreOptions(enabled=False),
                                              batch=BatchOptions(jobs=1, in_process=True)))
    out = tmp_path / "b" / "boras_forskolenamnden_2021-03_p39.ocr"
    assert (out / "text.txt").read_text() == legacy.read_text()
    assert (out / "corrections.jsonl").read_text() == ""


def test_symbols_by_their_place_on_the_line():
    lines = ["8 12 Dnr KS 2023/0042",
             "Taxan gäller under 2024-2025 och kl. 13—19 enligt $ 4 ;",
             "« Nämnden beslutar — efter samråd — att ‘avslå ansökan..",
             "1: Beslutet skickas till kontoret | Borås."]
    doc = restore(_doc(lines), RestoreOptions())
    # § that OCR misread is corrected; the typography as printed (a hyphen in a range, an
    # em dash, a double period, a list number with a colon) is kept; a lone bullet, the lone
    # i, marks that may be specks and an em dash that may be an en dash were too often
    # wrong on the corpora (or may be printed) to be more than suggestions
    assert doc.text().split("\n") == ["§ 12 Dnr KS 2023/0042",
                                      "Taxan gäller under 2024-2025 och kl. 13—19 enligt § 4 ;",
                                      "« Nämnden beslutar — efter samråd — att ‘avslå ansökan..",
                                      "1: Beslutet skickas till kontoret | Borås."]
    suggested = {(c.before, c.after) for c in doc.corrections if not c.applied}
    assert {(";", ""), ("—", "–"), ("‘avslå", "avslå"), ("«", "•"), ("|", "i"),
            ("1:", "1."), ("13—19", "13–19")} <= suggested
    assert not {c.before for c in doc.corrections} & {"2024-2025", "ansökan.."}


def test_a_lone_single_quote_mark_is_a_speck_a_quote_against_a_word_or_a_ditto_mark_is_not():
    lines = ["Nämnden har inte ’ haft några invändningar mot ' förslaget.",
             "Ärendet kallas ’Nya vägar’ i förvaltningen och kommunens rapport.",
             "Bilaga 1 Kommunstyrelsen",
             "Bilaga 2 ” ”"]
    doc = restore(_doc(lines), RestoreOptions())
    assert doc.text().split("\n") == [
        "Nämnden har inte haft några invändningar mot förslaget.",
        "Ärendet kallas ’Nya vägar’ i förvaltningen och kommunens rapport.",
        "Bilaga 1 Kommunstyrelsen",
        "Bilaga 2 ” ”"]


def test_a_list_s_bullets_that_ocr_misread_are_restored_a_lone_one_is_suggested():
    lines = ["Kommunstyrelsen bör i detta avseende:",
             "e tydliggöra nämndens roll,",
             "« utveckla uppföljningen,",
             "* följa upp programmet och",
             "- e-post skickas till alla."]
    doc = restore(_doc(lines), RestoreOptions())
    # "e" and "«" start two of the page's lines before a word: a list, whose bullets OCR
    # misread; "*" and "-" are printed as list marks themselves, and "e-post" is a word
    assert doc.text().split("\n") == ["Kommunstyrelsen bör i detta avseende:",
                                      "• tydliggöra nämndens roll,",
                                      "• utveckla uppföljningen,",
                                      "* följa upp programmet och",
                                      "- e-post skickas till alla."]
    lone = restore(_doc(["Nämnden beslutar:", "e tydliggöra nämndens roll."]),
                   RestoreOptions())
    assert lone.text().split("\n") == ["Nämnden beslutar:", "e tydliggöra nämndens roll."]
    assert [(c.before, c.after, c.applied) for c in lone.corrections] == [("e", "•", False)]
    # older Swedish typography repeats » at the start of each line of a quotation
    quoted = ["Det står i beslutet:", "» nämnden ska se över taxan", "» och rapportera."]
    assert restore(_doc(quoted), RestoreOptions()).text().split("\n") == quoted


def test_a_section_mark_glued_to_the_item_number_is_the_sign_and_its_space():
    lines = ["8§39 Dnr FN 2021-00019", "Text.", "$§40 Dnr FN 2021-00020", "Text.",
             "§41 Dnr FN 2021-00021", "Text.", "842 Dnr FN 2021-00022"]
    doc = restore(_doc(lines), RestoreOptions())
    # a § doubled by a lookalike is surely one § (and printed with its space, as 46 of
    # the 47 in the truth texts); a § alone may be printed so, and a glued 8 may be a digit
    assert doc.text().split("\n") == ["§ 39 Dnr FN 2021-00019", "Text.",
                                      "§ 40 Dnr FN 2021-00020", "Text.",
                                      "§41 Dnr FN 2021-00021", "Text.",
                                      "842 Dnr FN 2021-00022"]
    assert [(c.before, c.after) for c in doc.corrections if not c.applied] == [
        ("§41", "§ 41"), ("842", "§ 42")]


def test_section_signs_of_an_attendance_list_are_restored_a_number_is_kept():
    lines = ["Sara Lindell, förskolechef, 8 103, kl 09.20-10.35",
             "Lars Berg Projektledare 8 131-133 Stefan Holm Ekonom 8 132",
             "Göran Edlén, barn- och ungdomskontoret $",
             "197-198",
             "Kostnaden ökade med 8 131 kronor och var 8 131 Personer fick brev.",
             "Se sidan 8 131 Nämnden beslutar."]
    # "§ 103" after a person's title before the time, the next name or the line's end; a
    # "$" that ends a line before the number on the next; but a number in Swedish print
    # ("8 131" kronor) and one after a noun that takes a number stay as printed
    assert restore(_doc(lines), RestoreOptions()).text().split("\n") == [
        "Sara Lindell, förskolechef, § 103, kl 09.20-10.35",
        "Lars Berg Projektledare § 131-133 Stefan Holm Ekonom § 132",
        "Göran Edlén, barn- och ungdomskontoret §",
        "197-198",
        "Kostnaden ökade med 8 131 kronor och var 8 131 Personer fick brev.",
        "Se sidan 8 131 Nämnden beslutar."]


def _passed_over_wrongly(texts: list[str]) -> list[str]:
    """Words `symbols.may_change` passes over that a rule would change, at the start of a
    line or after a name, before a number, "Dnr" or a word, in text read by either model."""
    from pipeline.restore import symbols
    wrong = []
    for text in texts:
        for before, after in (("Anna", "12"), ("och", "Dnr"), ("Anna", "beslutar")):
            for line in ([text, after, "Dnr"], [before, text, after, "beslutar"]):
                i = line.index(text)
                if symbols.may_change(text, i):
                    continue
                for english, parties in ((0.9, "(S)"), (0.1, "")):
                    fix = symbols._rules(line, ["", *line, ""], i, english=english,
                                         parties=parties, line=" ".join(line), in_list=True)
                    if fix and fix[0] != text:
                        wrong.append(text)
    return wrong


def test_symbol_rules_change_no_word_their_quick_test_passes_over():
    marks = "§$8S&s1|—-–:;.,'‘’¢«»•e(5)_~`^°©®*+= aA9"
    short = [a + b for a in marks for b in marks] + list(marks)
    printed = [w for line in ("8§39 Dnr KS § 12", "(5) ($S) (SS), |2025 _efter ‘kraven",
                              "1: 12: 8 28, 88 4 sS Ss S$ $S") for w in line.split()]
    assert not _passed_over_wrongly(short + printed)


def test_symbol_rules_change_no_corpus_word_their_quick_test_passes_over(shared):
    texts = {w for corpus in ("dev", "dev-real") for path in (shared / corpus).glob("*.ocr_*")
             for w in path.read_text(encoding="utf-8").split()}
    assert not _passed_over_wrongly(sorted(texts))


def test_words_run_together_are_split():
    lines = ["Namnden har granskat arendet isin helhet och beslutat.",
             "Det ar en fraga som namnden tar upp."]
    doc = restore(_doc(lines), RestoreOptions())
    assert doc.text().split("\n") == ["Nämnden har granskat ärendet i sin helhet och beslutat.",
                                      "Det är en fråga som nämnden tar upp."]
    (split,) = [c for c in doc.corrections if c.kind == "split"]
    assert (split.before, split.after) == ("isin", "i sin")
    # in text OCR'd with its diacritics, where splits were seldom sure, it is a suggestion
    kept = restore(_doc(["Nämnden har granskat ärendet isin helhet och beslutat."]),
                   RestoreOptions())
    (split,) = [c for c in kept.corrections if c.kind == "split"]
    assert (split.before, split.after, split.applied) == ("isin", "i sin", False)


def test_year_and_numeral_take_ar_as_noun():
    got = _restored(["Forvaltningen foreslar att taxan hojs for ar 2025 och att den",
                     "ar oforandrad i tva ar, vilket ar rimligt enligt nimnden."])
    assert got == ["Förvaltningen föreslår att taxan höjs för år 2025 och att den",
                   "är oförändrad i två år, vilket är rimligt enligt nämnden."]


def test_place_names_end_on_a_place_element_only_with_a_capital():
    lex, table = lexicon.load(), channel.load()

    def readings(token: str) -> set[str]:
        return {c.text for c in candidates.search(token, lex, table)}

    # invented names: hassel + linking -s- + åsa, lönn + å
    assert {"hasselsåsa", "lönnå"} <= readings("Hasselsasa") | readings("Lonna")
    assert not {"hasselsåsa", "lönnå"} & (readings("hasselsasa") | readings("lonna"))
    assert "augustå" not in readings("Augusta")  # a name before a one-letter element


def test_the_dots_split_off_a_letter_are_read_in_either_order():
    # the English model writes ä as "aé" (counted) and as "éa" (its pieces the other way)
    table = channel.load()
    assert table.logp("ä", "éa") == table.logp("ä", "aé")
    got = _restored(["Socialnéamnden beslutar att godkanna forslaget fran forvaltningen."])
    assert got == ["Socialnämnden beslutar att godkänna förslaget från förvaltningen."]
    assert table.logp("m", "mé")[0] > -4 > table.logp("m", "ém")[0]  # no dots on an m


def test_readings_made_in_another_worker_give_way_to_this_process_own():
    """A batch hands a document the readings its pages' workers made (copies, across
    processes): where this process has made a word's readings itself, its own list is
    used, the same readings, and the corrections are those made without the copies."""
    import pickle

    import pipeline.restore as restore_stage

    lines = ["Kommunstyrelsen beslutar att bifalla forslaget om nya lokaler for",
             "forskolan i Hasselsasa, och att ge namnden i uppdrag att Zqxvb"]
    alone = restore(_doc(lines), RestoreOptions()).corrections
    assert alone
    own = restore_stage.hypotheses(_doc(lines).pages)
    copies = pickle.loads(pickle.dumps(own))
    copies["Ovrigt"] = [restore_stage.Hypothesis("övrigt", 5.0, (1.0, 1.0), False)]
    given = restore_stage.words.own(copies)
    assert own and all(given[seg] is own[seg] for seg in own)
    assert given["Ovrigt"] is copies["Ovrigt"]  # a word this process has not read
    assert restore(_doc(lines), RestoreOptions(), found=copies | {}).corrections == alone
    assert restore_stage.words.own({}) == {}


def test_readings_and_the_values_of_the_stage_pickle_whether_compiled_or_not():
    """The batch sends a page's readings from one process to another: mypyc's frozen
    classes (setup.py) take no state once made, so each pickles as a call to make it."""
    import pickle

    from pipeline.restore import readings, symbols, tokens

    lex, table = lexicon.load(), channel.load()
    values = [*readings("kommunstyrelsen", lex, table), tokens.split("(Hej,"),
              table.sources_of("a")[0], symbols.Fix(1, "–", "symbol", 0.5, "image")]
    assert [pickle.loads(pickle.dumps(v)) for v in values] == values


def test_a_module_edited_after_it_was_compiled_is_named_not_run_as_it_was(tmp_path):
    import importlib.machinery
    import os

    from pipeline import restore as stage
    from pipeline.exceptions import MissingDependencyError

    here = tmp_path / "pipeline" / "restore"
    here.mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    source = here / "choose.py"
    built = here / f"choose{importlib.machinery.EXTENSION_SUFFIXES[0]}"
    source.write_text("")
    built.write_bytes(b"")
    os.utime(source, (1_000, 1_000))
    os.utime(built, (2_000, 2_000))
    stage._check_compiled(here)  # compiled after its last change: fine
    os.utime(source, (3_000, 3_000))
    with pytest.raises(MissingDependencyError, match="choose.py changed after it was compiled"):
        stage._check_compiled(here)
    (tmp_path / ".git").rmdir()
    stage._check_compiled(here)  # installed, not a working copy: not asked


def test_what_the_lexicon_makes_once_is_kept_not_made_on_every_word():
    """The lexicon's spelled abbreviations are asked about at most words of a document
    (`choose.Decisions.correct`): made once, the same set each time. Compiled by mypyc
    (setup.py), a `functools.cached_property` is no cache and was made anew at each ask."""
    lex = lexicon.load()
    assert lex.spelled_starts is lex.spelled_starts
    assert lex.spelled_abbreviations is lex.spelled_abbreviations
    assert {"from", "tom", "osv"} <= lex.spelled_abbreviations and "fr" in lex.spelled_starts


def test_no_compiled_module_leans_on_a_cached_property():
    """mypyc compiles `functools.cached_property` as a plain property (made on every use),
    so none of the modules it compiles (setup.py's COMPILED) may count on one."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    compiled = _compiled_modules()
    assert "lexicon" in compiled
    found = [f"{name}.py: {node.name}" for name in compiled
             for node in ast.walk(ast.parse((root / "pipeline" / "restore" / f"{name}.py")
                                            .read_text(encoding="utf-8")))
             if isinstance(node, ast.FunctionDef)
             and any("cached_property" in ast.unparse(d) for d in node.decorator_list)]
    assert found == []


def _compiled_modules() -> list[str]:
    import ast

    setup = ast.parse((Path(__file__).resolve().parents[1] / "setup.py").read_text("utf-8"))
    return next(ast.literal_eval(node.value) for node in ast.walk(setup)
                if isinstance(node, ast.Assign)
                and any(getattr(t, "id", "") == "COMPILED" for t in node.targets))


# the globals tests set: Final, they would change nothing the compiled code reads
_SETTABLE = {("choose", "CONSISTENT"), ("decide", "COMPILED"), ("decide", "_compiled"),
             ("lexicon", "CACHE"), ("words", "_SHARED")}


def test_the_constants_of_compiled_modules_are_final():
    """Compiled, a module's constant that is not `Final` is looked up in the module's dict
    at every use (DESIGN.md): each UPPER_CASE name a compiled module sets at its top level
    is Final, one to a line, and no tuple of floats, which mypyc miscompiles."""
    import ast
    import re

    bare, floats = [], []
    for name in _compiled_modules():
        tree = ast.parse((Path(__file__).resolve().parents[1] / "pipeline" / "restore"
                          / f"{name}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign):
                targets = [n.id for t in node.targets
                           for n in (t.elts if isinstance(t, ast.Tuple) else [t])
                           if isinstance(n, ast.Name)]
                bare += [f"{name}.{t}" for t in targets
                         if re.match(r"^_?[A-Z][A-Z0-9_]*$", t) and (name, t) not in _SETTABLE]
            elif (isinstance(node, ast.AnnAssign) and "Final" in ast.unparse(node.annotation)
                  and isinstance(node.value, ast.Tuple)
                  and any(isinstance(e, ast.Constant) and isinstance(e.value, float)
                          for e in node.value.elts)):
                floats.append(f"{name}.{ast.unparse(node.target)}")
    assert bare == [] and floats == []


# dataclasses of compiled modules made only when the confusion table loads
_DATACLASSES = {"channel.Source", "channel.Channel"}


def test_the_classes_compiled_modules_make_per_word_are_no_dataclasses():
    """Compiled, a dataclass is still made by the interpreted `__init__` that `dataclasses`
    writes (DESIGN.md): no compiled module's class is one, but those made once per process."""
    import ast

    found = []
    for name in _compiled_modules():
        tree = ast.parse((Path(__file__).resolve().parents[1] / "pipeline" / "restore"
                          / f"{name}.py").read_text(encoding="utf-8"))
        found += [f"{name}.{node.name}" for node in tree.body if isinstance(node, ast.ClassDef)
                  and any("dataclass" in ast.unparse(d) for d in node.decorator_list)]
    assert sorted(found) == sorted(_DATACLASSES)


def test_a_short_token_is_read_by_a_confusion_its_document_shows_often():
    """A short unlisted token's reading that the confusion table finds too dear ("dd" as
    "då": Tesseract reads d for å under 1% of the time) is given its chance back where the
    document itself shows that confusion often (d for å in "pd", "sd", "dtgarder", "bdda");
    where the document writes its å as a, it is not."""
    lines = ["Kommunstyrelsen beslutade pd sammantradet den 4 mars att ga vidare med arendet.",
             "Forvaltningen har sd langt som mojligt foljt planen och vidtagit dtgarder for "
             "bdda skolorna.",
             "Beslutet fattades dd namnden sammantradde i stadshuset pd fredagen."]
    assert _restored(lines)[2].split()[2] == "då"
    plain = [line.replace("pd", "pa").replace("sd", "sa").replace("dtg", "atg")
             .replace("bdda", "bada") for line in lines]
    assert _restored(plain)[2].split()[2] != "då"
