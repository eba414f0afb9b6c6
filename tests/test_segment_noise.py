"""The segmenter on noisy and unusual pages, with invented minutes: specks after the Dnr,
the first item after "Paragrafer 41–44", titles wrapped onto a short line ending in a
number, headings with OCR marks and headings the known set lacked, heading repair that
leaves words alone, a letterhead with marks. Each noisy case has a clean one beside it
that must come out as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.model import Document, Item
from pipeline.options import BatchOptions, Options, RestoreOptions
from pipeline.segment import segment
from pipeline.stages import process

PLAIN = Options(restore=RestoreOptions(enabled=False), batch=BatchOptions(jobs=1, in_process=True))
FULL = Options(batch=BatchOptions(jobs=1, in_process=True))

HEAD = "PROTOKOLL\nTekniska nämnden\nSammanträdesdatum 2024-04-09\n\n"
DECISION = "\nTekniska nämndens beslut\nNämnden godkänner förslaget.\n"


def _doc(tmp_path: Path, text: str, *, repair: bool = False,
         options: Options = PLAIN) -> Document:
    path = tmp_path / "minutes.txt"
    path.write_text(text, encoding="utf-8")
    doc = process(path, options)
    return segment(doc, repair=True) if repair else doc


def _items(doc: Document) -> list[tuple[int | None, str | None, str | None]]:
    return [(i.number, i.dnr, i.title) for i in doc.structure.items]


def _headings(item: Item) -> list[tuple[str, str]]:
    return [(s.kind, s.heading.text) for s in item.sections if s.heading]


# 1. Specks after the Dnr on the § line, or where the title would be.

@pytest.mark.parametrize("speck", ["ae", ".", "'", "é", "|", ":", "—", ","])
def test_a_speck_after_the_dnr_is_no_title(tmp_path, speck):
    doc = _doc(tmp_path, HEAD + f"§ 31 Dnr TN 2024/0112 {speck}\n"
               "Upphandling av snöröjning för vintersäsongen\n" + DECISION)
    assert _items(doc) == [(31, "TN 2024/0112", "Upphandling av snöröjning för vintersäsongen")]
    assert [s.kind for s in doc.structure.items[0].sections] == ["beslut"]


@pytest.mark.parametrize("line", ["§ 31 ae", "ae § 31", "— § 31", "'§ 31 .", "§ 31 é"])
def test_a_speck_beside_the_item_line_keeps_the_item(tmp_path, line):
    doc = _doc(tmp_path, HEAD + f"{line}\nDnr TN 2024/0112\nRevidering av avfallstaxan\n"
               + DECISION)
    assert _items(doc) == [(31, "TN 2024/0112", "Revidering av avfallstaxan")]


@pytest.mark.parametrize("line", ["$& 31 Dnr TN 2024/0112", "§ 31: Dnr TN 2024/0112",
                                  ":$31 -:\nDnr TN 2024/0112", "&31\nDnr TN 2024/0112"])
def test_a_sign_and_number_with_marks_on_them(tmp_path, line):
    doc = _doc(tmp_path, HEAD + f"{line}\nRevidering av avfallstaxan\n" + DECISION)
    assert _items(doc) == [(31, "TN 2024/0112", "Revidering av avfallstaxan")]


def test_a_sign_read_as_8_with_a_mark_after_the_number(tmp_path):
    doc = _doc(tmp_path, HEAD + "831:\nDnr TN 2024/0112\nRevidering av avfallstaxan\n" + DECISION,
               repair=True)
    assert _items(doc) == [(31, "TN 2024/0112", "Revidering av avfallstaxan")]


def test_a_speck_stuck_to_the_dnr_is_not_part_of_it(tmp_path):
    doc = _doc(tmp_path, HEAD + "§ 31 Dnr TN 2024/0112.\nRevidering av avfallstaxan\n" + DECISION)
    assert _items(doc) == [(31, "TN 2024/0112", "Revidering av avfallstaxan")]


def test_a_title_on_the_item_line_stays(tmp_path):
    doc = _doc(tmp_path, HEAD + "§ 31 Dnr TN 2024/0112 Revidering av avfallstaxan\n" + DECISION)
    assert _items(doc) == [(31, "TN 2024/0112", "Revidering av avfallstaxan")]


def test_specks_through_the_whole_pipeline(tmp_path):
    """Restoration runs first and may read a speck as a word ("ae" as "de"): the item line
    still has no title on it."""
    doc = _doc(tmp_path, HEAD + "§ 31 Dnr TN 2024/0112 ae\nUpphandling av snöröjning\n"
               + DECISION + "\n§ 32 Dnr TN 2024/0120 '\nRevidering av avfallstaxan\n"
               + DECISION, options=FULL)
    assert _items(doc) == [(31, "TN 2024/0112", "Upphandling av snöröjning"),
                           (32, "TN 2024/0120", "Revidering av avfallstaxan")]


# 2. The first item when the header lists the paragraphs.

@pytest.mark.parametrize("label", ["Paragrafer 41–44", "Paragrafer: 41-44", "Paragrafer §§ 41–44"])
def test_the_first_item_after_the_paragraphs_label(tmp_path, label):
    doc = _doc(tmp_path, HEAD.replace("\n\n", f"\n{label}\n\n") + "§ 41\nDnr TN 2024/0201\n"
               "Bygglov för ny förskola\n" + DECISION + "\n§ 42 Dnr TN 2024/0188\n"
               "Tillsynsplan 2025\n" + DECISION)
    assert [n for n, _, _ in _items(doc)] == [41, 42]
    assert doc.structure.items[0].title == "Bygglov för ny förskola"


def test_the_paragraphs_listed_under_the_label_open_no_item(tmp_path):
    doc = _doc(tmp_path, HEAD.replace("\n\n", "\nParagrafer\n§ 41-42\n\n")
               + "§ 41 Dnr TN 2024/0201\nBygglov för ny förskola\n" + DECISION
               + "\n§ 42 Dnr TN 2024/0188\nTillsynsplan 2025\n" + DECISION)
    assert _items(doc) == [(41, "TN 2024/0201", "Bygglov för ny förskola"),
                           (42, "TN 2024/0188", "Tillsynsplan 2025")]
    assert doc.structure.justering["paragrafer"] == "§ 41-42"


def test_an_extract_s_paragraph_under_its_label_opens_no_item(tmp_path):
    doc = _doc(tmp_path, HEAD.replace("\n\n", "\nParagraf\n§ 41\n\n") + "Sida 1 av 2\f"
               "§ 41 Dnr TN 2024/0201\nBygglov för ny förskola\n" + DECISION)
    assert _items(doc) == [(41, "TN 2024/0201", "Bygglov för ny förskola")]


def test_a_short_table_of_contents_opens_no_item(tmp_path):
    doc = _doc(tmp_path, HEAD + "§ 7 Val av justerare\n§ 8 Budgetuppföljning\n\n"
               "§ 7\nVal av justerare\n" + DECISION + "\n§ 8\nBudgetuppföljning\n" + DECISION)
    assert [(n, t) for n, _, t in _items(doc)] == [(7, "Val av justerare"),
                                                   (8, "Budgetuppföljning")]
    assert all(i.sections for i in doc.structure.items)


def test_a_table_of_contents_opens_no_item(tmp_path):
    contents = ("Innehållsförteckning\n§ 7/24 Val av justerare\n§ 8/24 Budgetuppföljning\n"
                "Informationsärenden\n§ 9/24 Förvaltningen informerar\n\n")
    items = "".join(f"§ {n}/24\n{title}\n{DECISION}\n" for n, title in [
        (7, "Val av justerare"), (8, "Budgetuppföljning"), (9, "Förvaltningen informerar")])
    doc = _doc(tmp_path, HEAD + contents + items)
    assert [(n, t) for n, _, t in _items(doc)] == [
        (7, "Val av justerare"), (8, "Budgetuppföljning"), (9, "Förvaltningen informerar")]
    assert all(i.sections for i in doc.structure.items)


def test_short_items_one_after_another_are_items(tmp_path):
    text = HEAD + "".join(f"§ {n}\n{title}\nNämnden beslutar enligt förslaget.\n" for n, title in [
        (1, "Mötets öppnande"), (2, "Val av justerare"), (3, "Godkännande av dagordningen")])
    assert [n for n, _, _ in _items(_doc(tmp_path, text))] == [1, 2, 3]


@pytest.mark.parametrize("line, number", [("KS § 14 Dnr KS 2024/0031", 14),
                                          ("Kf § 195", 195), ("BUN § 98", 98),
                                          ("§ 14/24", 14)])
def test_the_body_s_short_name_and_the_year_beside_the_number(tmp_path, line, number):
    doc = _doc(tmp_path, HEAD + f"{line}\nÅrsredovisning för kommunen\n" + DECISION)
    assert [(n, t) for n, _, t in _items(doc)] == [(number, "Årsredovisning för kommunen")]


def test_a_paragraph_cited_in_running_text_opens_no_item(tmp_path):
    doc = _doc(tmp_path, HEAD + "§ 3\nTaxor\n" + DECISION + "Av § 5 framgår att taxan gäller.\n"
               "I § 6 anges när den ska ses över.\n")
    assert [n for n, _, _ in _items(doc)] == [3]


# 3. Titles wrapped onto a short last line that ends in a number.

@pytest.mark.parametrize("first, last", [
    ("Klimatstrategi för nämndens verksamhet fram till år", "2030"),
    ("Bygglov för nybyggnad av förskola på fastigheten", "Lärkan 2:14"),
    ("Strandskyddsdispens för brygga vid", "Norrsjön"),
    ("Detaljplan för bostäder vid Hagaparken, etapp", "3"),
])
def test_a_title_wrapped_onto_a_short_last_line(tmp_path, first, last):
    doc = _doc(tmp_path, HEAD + f"§ 42 Dnr TN 2024/0188\n{first}\n{last}\n" + DECISION)
    assert doc.structure.items[0].title == f"{first} {last}"
    assert [s.kind for s in doc.structure.items[0].sections] == ["beslut"]


@pytest.mark.parametrize("lines, title", [
    ("Bygglov på fastigheten\n: Lärkan 2:14.", "Bygglov på fastigheten Lärkan 2:14"),
    ("Tillsynsplan 2025:", "Tillsynsplan 2025"),
    ("Strategi fram till år\n2030 -", "Strategi fram till år 2030"),
    ("Brygga vid:\n:Norrsjön", "Brygga vid Norrsjön"),
    ("Taxor för bygglov m.m.", "Taxor för bygglov m.m."),
    ("Remiss:\nKulturstrategi för kommunen", "Remiss: Kulturstrategi för kommunen"),
])
def test_specks_at_the_ends_of_title_lines(tmp_path, lines, title):
    doc = _doc(tmp_path, HEAD + f"§ 42 Dnr TN 2024/0188\n{lines}\n" + DECISION)
    assert doc.structure.items[0].title == title


def test_a_blank_line_inside_a_title_above_its_dnr(tmp_path):
    doc = _doc(tmp_path, HEAD + "§ 59\nDelårsrapport per augusti\n\n2022\nDnr TN 2022/0230\n"
               + DECISION)
    assert _items(doc) == [(59, "TN 2022/0230", "Delårsrapport per augusti 2022")]


def test_a_title_wrapped_at_the_top_of_a_page(tmp_path):
    doc = _doc(tmp_path, HEAD + "§ 41\nTaxor\n" + DECISION + "\nSida 1 av 2\f"
               "Tekniska nämnden  Sida 2 av 2\n§ 42 Dnr TN 2024/0188\n"
               "Plan för underhåll av gator och vägar fram till år\n2030\n" + DECISION)
    assert doc.structure.items[1].title == ("Plan för underhåll av gator och vägar fram till "
                                            "år 2030")


def test_a_title_that_ends_in_a_number_stays_whole(tmp_path):
    doc = _doc(tmp_path, HEAD + "§ 43 Dnr TN 2024/0190\nTillsynsplan 2025\n" + DECISION)
    assert doc.structure.items[0].title == "Tillsynsplan 2025"


def test_a_page_number_under_a_title_is_furniture(tmp_path):
    doc = _doc(tmp_path, HEAD + "§ 41\nTaxor\n" + DECISION + "\n§ 42 Dnr TN 2024/0188\n"
               "Tillsynsplan för 2025\n\n2\fTekniska nämndens beslut\nPlanen antas.\n")
    item = doc.structure.items[1]
    assert item.title == "Tillsynsplan för 2025"
    blocks = [*item.head, *(b for s in item.sections for b in s.blocks)]
    assert [(b.label, b.text) for b in blocks if b.kind == "furniture"] == [("sidnummer", "2")]


def test_the_body_text_after_a_title_is_not_title(tmp_path):
    doc = _doc(tmp_path, HEAD + "§ 44\nExtra ärende\nNämnden har fått ett ärende som inte "
               "finns på dagordningen.\nDet behandlas sist.\n")
    assert doc.structure.items[0].title == "Extra ärende"


@pytest.mark.parametrize("printed, repaired", [
    ("Skolskjuts vid växelvis. boende", "Skolskjuts vid växelvis boende"),
    ("Utredning om avveckling-av Ekgårdens boende", "Utredning om avveckling av Ekgårdens boende"),
    ("Taxor för bygglov m.m. för 2025", None), ("Uppföljning jan. och feb. 2025", None),
    ("Riktlinjer för e-tjänster och Barn-och ungdomsverksamhet", None),
])
def test_what_ocr_put_inside_a_title(tmp_path, printed, repaired):
    doc = _doc(tmp_path, HEAD + f"§ 5 Dnr TN 2024/0007\n{printed}\n" + DECISION, repair=True)
    assert doc.structure.items[0].title == (repaired or printed)
    assert all(c.origin == "structure" for c in doc.corrections)


# 4. Headings with OCR marks, and headings the known set lacked.

@pytest.mark.parametrize("printed, kind, repaired", [
    ("Arbetsutskottets beslut å", "beslut", "Arbetsutskottets beslut"),
    ('"Ärendet', "arende", "Ärendet"),
    ("Bakgrund ae", "bakgrund", "Bakgrund"),
    ("|Beslutsunderlag", "beslutsunderlag", "Beslutsunderlag"),
    ("Beslutet skickas till é", "expediering", "Beslutet skickas till"),
    ("Bedömning —", "bedomning", "Bedömning"),
    (':"Yrkanden :', "yrkanden", "Yrkanden"),
])
def test_a_heading_with_marks_is_a_heading(tmp_path, printed, kind, repaired):
    text = HEAD + f"§ 5 Dnr TN 2024/0007\nAvgifter\n{DECISION}\n{printed}\nKort.\n"
    as_read = _doc(tmp_path, text).structure.items[0]
    assert _headings(as_read) == [("beslut", "Tekniska nämndens beslut"), (kind, printed)]
    fixed = _doc(tmp_path, text, repair=True).structure.items[0]
    assert _headings(fixed)[1] == (kind, repaired)


def test_a_heading_by_look_with_a_speck(tmp_path):
    text = HEAD + ("§ 5\nAvgifter\n" + DECISION + "\nAvgift ,\nFörslaget innebär en avgift om "
                   "20 kronor per tillfälle för resor och utflykter under året.\n")
    assert _headings(_doc(tmp_path, text).structure.items[0])[1] == ("other", "Avgift ,")


@pytest.mark.parametrize("heading, kind", [
    ("Motivering", "motivering"), ("Upplysningar", "upplysningar"),
    ("Ekonomiska konsekvenser", "konsekvenser"), ("Finansiering", "finansiering"),
    ("Tidigare beslut", "bakgrund"), ("Ärendets beredning", "arende"),
    ("Förslag till beslut på sammanträdet", "yrkanden"), ("Beslutsgång", "propositionsordning"),
    ("Underlag", "beslutsunderlag"), ("Underlag till beslut", "beslutsunderlag"),
    ("Yrkandet", "yrkanden"),
])
def test_headings_of_swedish_minutes_are_known(tmp_path, heading, kind):
    # Followed by a short line, so only the known set can make it a heading.
    text = HEAD + f"§ 5\nAvgifter\n{DECISION}\n{heading}\nKort.\n"
    assert _headings(_doc(tmp_path, text).structure.items[0])[1] == (kind, heading)


def test_a_heading_with_a_colon_keeps_it(tmp_path):
    text = HEAD + f"§ 5\nAvgifter\n{DECISION}\nBakgrund:\nKort.\n"
    assert _headings(_doc(tmp_path, text, repair=True).structure.items[0])[1] == (
        "bakgrund", "Bakgrund:")


def test_a_one_word_line_that_ends_a_paragraph_is_no_heading(tmp_path):
    for last in ["Kulturförvaltningen.", "Kulturförvaltningen .", "Kulturförvaltningen ae"]:
        text = HEAD + (f"§ 5\nAvgifter\n\nTekniska nämndens beslut\nNämnden lämnar uppdraget "
                       f"att ta fram ett nytt förslag till\n{last}\n\nBakgrund\nKort.\n")
        item = _doc(tmp_path, text).structure.items[0]
        assert [k for k, _ in _headings(item)] == ["beslut", "bakgrund"], last


# 5. Heading repair leaves a heading that is a word as printed.

@pytest.mark.parametrize("printed", ["Underlag", "Yrkandet", "Bakgrunden", "Reservationen",
                                     "Beslutsunderlaget"])
def test_a_heading_that_is_a_word_stays_as_printed(tmp_path, printed):
    doc = _doc(tmp_path, HEAD + f"§ 5\nAvgifter\n{DECISION}\n{printed}\n"
               "Anna Berg (S) yrkar bifall till förslaget och Per Ek (M) yrkar avslag.\n",
               repair=True)
    assert printed in doc.text().split("\n")
    assert not [c for c in doc.corrections if c.before == printed]


def test_a_damaged_heading_word_is_repaired(tmp_path):
    doc = _doc(tmp_path, HEAD + f"§ 5\nAvgifter\n{DECISION}\nBakgrumd\n"
               "Fritidsgårdarna har tidigare inte tagit ut någon avgift för aktiviteter.\n",
               repair=True)
    assert [(c.before, c.after, c.origin) for c in doc.corrections] == [
        ("Bakgrumd", "Bakgrund", "structure")]
    assert _headings(doc.structure.items[0])[1] == ("bakgrund", "Bakgrund")


# 6. The body in a letterhead with marks.

@pytest.mark.parametrize("line", ["‘Barn- och utbildningsnämnden", "Barn- och utbildningsnämnden ,",
                                  "| Barn- och utbildningsnämnden ae",
                                  "Barn- och utbildningsnämnden."])
def test_the_body_read_through_marks(tmp_path, line):
    doc = _doc(tmp_path, HEAD.replace("Tekniska nämnden", line) + "§ 5\nAvgifter\n" + DECISION)
    assert doc.structure.body == "Barn- och utbildningsnämnden"
    assert doc.structure.meeting_date == "2024-04-09"


def test_a_body_in_the_running_header_with_marks(tmp_path):
    doc = _doc(tmp_path, "; Ekby kommun  Socialnämnden  Protokoll 2024-04-09 ;  Sida 1 (2)\n\n"
               "PROTOKOLL\n\n§ 5\nAvgifter\n" + DECISION + "\f; Ekby kommun  Socialnämnden  "
               "Protokoll 2024-04-09  Sida 2 (2)\nSlut.\n")
    assert (doc.structure.body, doc.structure.meeting_date) == ("Socialnämnden", "2024-04-09")
