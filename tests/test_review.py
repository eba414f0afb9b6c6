"""Review: diffs, decisions in SQLite, decisions applied at export, the learned lexicon, the
web app (safety, two clients at once) and the static report. The browser test is apart."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import shutil
import socket
import sqlite3
import threading
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
from conftest import SAMPLES, SHARED, serve
from PIL import Image

from pipeline import api, cli
from pipeline.export import write_outputs
from pipeline.export.archive_config import Overrides, PackageOptions, load_config
from pipeline.model import BBox, Correction, Document, Line, Page, Source, Word
from pipeline.ocr import ocr
from pipeline.ocr.sources import open_document
from pipeline.options import BatchOptions, OcrOptions, Options, RestoreOptions
from pipeline.restore import learned
from pipeline.review import app as review_app
from pipeline.review import diff, images, report, view
from pipeline.review.apply import load_document
from pipeline.review.store import Decision, Store, store_path

LEGACY = SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt"
NAME = LEGACY.stem


def _options(learned_file: Path | None = None) -> Options:
    return Options(restore=RestoreOptions(learned=str(learned_file) if learned_file else None),
                   batch=BatchOptions(jobs=1, in_process=True))


def _run(source: Path, out: Path, options: Options | None = None) -> Path:
    """One document processed into OUT/<stem>/, as a batch run writes it."""
    folder = out / source.stem
    write_outputs(api.process_file(source, options or _options()), folder)
    return folder


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """The customer's document run once; tests copy the output folder before changing it."""
    out = tmp_path_factory.mktemp("first")
    _run(LEGACY, out)
    return out


@pytest.fixture
def out(first_run, tmp_path) -> Path:
    target = tmp_path / "out"
    shutil.copytree(first_run, target)
    return target


def _correction(doc: Document, before: str) -> Correction:
    return next(c for c in doc.corrections if c.before == before)


def _decision(c: Correction, action: str, text: str | None = None, who: str = "anna",
              document: str = NAME) -> Decision:
    return Decision(document, c.page, c.line, c.word, c.before, c.after, action, text, who)


# --- diff -------------------------------------------------------------------------------

def test_word_diff_marks_each_change(first_run, capsys):
    doc = load_document(first_run / NAME)
    plain = diff.word_diff(doc)
    assert "[-Boris-]{+Borås+}" in plain and "[-6versinda-]{+översända+}" in plain
    assert "\x1b[" not in plain
    coloured = diff.word_diff(doc, color=True)
    assert "\x1b[31mBoris\x1b[0m\x1b[32mBorås\x1b[0m" in coloured
    assert cli.main(["diff", str(first_run / NAME)]) == 0
    assert capsys.readouterr().out == plain  # not a terminal: plain


def test_unified_diff_turns_raw_into_text(first_run):
    doc = load_document(first_run / NAME)
    patch = diff.unified_diff(doc, context=0)
    assert patch.startswith(f"--- {NAME}/raw.txt\n+++ {NAME}/text.txt\n")
    rebuilt = doc.raw_text().split("\n")
    hunks = re.findall(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@\n((?:[-+].*\n)*)", patch, re.M)
    assert hunks
    for start, count, body in reversed(hunks):  # from the end: earlier offsets stay valid
        count = int(count) if count else 1
        index = int(start) - 1 if count else int(start)
        assert [line[1:] for line in body.splitlines() if line[0] == "-"] == \
            rebuilt[index:index + count]
        rebuilt[index:index + count] = [line[1:] for line in body.splitlines() if line[0] == "+"]
    assert rebuilt == doc.text().split("\n")


# --- decisions: stored, kept, applied at export ---------------------------------------

def test_decisions_survive_a_restart_and_the_latest_wins(out):
    doc = load_document(out / NAME)
    boris = _correction(doc, "Boris")
    with Store(store_path(out)) as store:
        store.add([_decision(boris, "accept")])
        store.add([_decision(boris, "reject", who="bertil")])
    with Store(store_path(out)) as store:  # a new connection, as after a restart
        current = store.current(NAME)
        history = store.history(NAME)
    assert current[(boris.page, boris.line, boris.word)].action == "reject"
    assert [(d.action, d.who) for d in history] == [("accept", "anna"), ("reject", "bertil")]
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", d.at) for d in history)


def test_decisions_are_applied_at_export_with_origin_review(out):
    doc = load_document(out / NAME)
    boris, arendet = _correction(doc, "Boris"), _correction(doc, "arendet")
    with Store(store_path(out)) as store:
        store.add([_decision(boris, "reject"), _decision(arendet, "edit", "Ärendet")])
    doc = load_document(out / NAME)
    rejected, edited = _correction(doc, "Boris"), _correction(doc, "arendet")
    assert (rejected.origin, rejected.applied, rejected.after) == ("review", False, "Borås")
    assert (edited.origin, edited.applied, edited.after) == ("review", True, "Ärendet")
    line = doc.text().split("\n")[boris.line]
    assert "etablering i Boris Stad" in line
    assert doc.structure is not None  # segmented again over the decided text
    write_outputs(doc, out / NAME)
    xml = (out / NAME / "protokoll.xml").read_text()
    assert re.search(r'<korrigering [^>]*ursprung="review" [^>]*tillampad="false" '
                     r'fore="Boris" efter="Borås"', xml)
    assert re.search(r'<korrigering [^>]*ursprung="review" [^>]*fore="arendet" efter="Ärendet"',
                     xml)
    assert "Sammanfattning av Ärendet" in (out / NAME / "text.txt").read_text()
    # Applying again (the folder now holds the decided document) changes nothing.
    assert load_document(out / NAME).text() == doc.text()


def test_a_decision_on_a_word_that_changed_is_left_out(out):
    doc = load_document(out / NAME)
    boris = _correction(doc, "Boris")
    stale = Decision(NAME, boris.page, boris.line, boris.word, "Bruno", "Bruna", "edit", "X",
                     "anna")
    with Store(store_path(out)) as store:
        store.add([stale])
    assert _correction(load_document(out / NAME), "Boris").origin == "context"


def test_two_writers_at_once_lose_no_decision(out):
    doc = load_document(out / NAME)
    corrections = doc.corrections[:120]

    def decide(who: str, part: list[Correction]) -> None:
        with Store(store_path(out)) as store:
            for c in part:
                store.add([_decision(c, "reject" if who == "anna" else "accept", who=who)])

    threads = [threading.Thread(target=decide, args=(who, corrections[i::2]))
               for i, who in enumerate(("anna", "bertil"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Store(store_path(out)) as store:
        assert len(store.current(NAME)) == 120


# --- the web app ------------------------------------------------------------------------

@pytest.fixture
def client(out):
    app = review_app.create_app(out, who="anna")
    return app.test_client()


def _post(client, path: str, body: dict, **headers):
    return client.post(path, data=json.dumps(body), content_type="application/json",
                       headers=headers)


def test_list_is_worst_first_with_counts(out, client, tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("Nämnden beslutar att godkänna protokollet.\n", encoding="utf-8")
    _run(clean, out)
    html = client.get("/").get_data(as_text=True)
    assert html.index(NAME) < html.index(">clean<")
    shown = view.load(out / NAME, with_text=False)
    assert shown.corrections == sum(c.applied for c in load_document(out / NAME).corrections)
    assert f'<td class="num">{shown.corrections}</td>' in html


def test_document_page_shows_every_correction(out, client):
    html = client.get(f"/d/{NAME}").get_data(as_text=True)
    doc = load_document(out / NAME)
    assert html.count('class="item ') == len(doc.corrections)
    boris = _correction(doc, "Boris")
    assert f'title="Boris → Borås ({boris.kind}, {boris.score:.2f})"' in html
    assert "Ingen sidbild: källan är OCR-text utan bild." in html


def test_decide_accept_above_and_items(out, client):
    doc = load_document(out / NAME)
    boris = _correction(doc, "Boris")
    key = view.item_key(boris.page, boris.line, boris.word)
    answer = _post(client, f"/api/d/{NAME}/decide", {"key": key, "action": "reject"}).get_json()
    item = next(i for i in answer["items"] if i["key"] == key)
    assert (item["status"], item["shown"], item["who"]) == ("rejected", "Boris", "anna")
    answer = _post(client, f"/api/d/{NAME}/accept-above", {"score": 0.95}).get_json()
    expected = sum(c.score >= 0.95 for c in doc.corrections if c is not boris)
    assert answer["accepted"] == expected
    assert answer["open"] == len(doc.corrections) - expected - 1
    rejected = next(i for i in answer["items"] if i["key"] == key)
    assert rejected["status"] == "rejected"  # a bulk accept never overrides a decision
    assert _post(client, f"/api/d/{NAME}/decide", {"key": "9-9-9", "action": "accept"}
                 ).status_code == 404
    assert _post(client, f"/api/d/{NAME}/decide", {"key": key, "action": "drop"}
                 ).status_code == 400


def test_two_clients_deciding_at_once_lose_nothing(out):
    server = review_app.make_server(review_app.create_app(out, who="anna"), port=0, threads=4)
    assert server.effective_host == "127.0.0.1"
    thread = threading.Thread(target=serve, args=(server,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.effective_port}/api/d/{NAME}"
    keys = [view.item_key(c.page, c.line, c.word)
            for c in load_document(out / NAME).corrections[:60]]
    errors: list[Exception] = []

    def tab(part: list[str], action: str) -> None:
        for key in part:
            request = urllib.request.Request(
                f"{base}/decide", data=json.dumps({"key": key, "action": action}).encode(),
                headers={"Content-Type": "application/json"}, method="POST")
            try:
                urllib.request.urlopen(request, timeout=30).read()
            except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
                errors.append(exc)

    tabs = [threading.Thread(target=tab, args=(keys[0::2], "accept")),
            threading.Thread(target=tab, args=(keys[1::2], "reject"))]
    try:
        for t in tabs:
            t.start()
        for t in tabs:
            t.join()
    finally:
        server.close()
    assert not errors
    rows = sqlite3.connect(store_path(out)).execute(
        "SELECT action, count(*) FROM decisions GROUP BY action ORDER BY action").fetchall()
    assert rows == [("accept", 30), ("reject", 30)]


def test_paths_outside_out_are_refused(out, client, tmp_path):
    outside = tmp_path / "secret"
    outside.mkdir()
    shutil.copy(out / NAME / "document.json", outside / "document.json")
    (out / "link").symlink_to(outside)
    for path in ("/d/..", "/d/.%2E", "/d/..%2Fsecret", "/d/%2E%2E%2Fsecret", "/d/link",
                 "/d/.hidden", f"/d/{NAME}%2F..%2F..%2Fsecret", "/api/d/link/items",
                 "/d/link/crop/1-0-0.png"):
        assert client.get(path).status_code == 404, path
    assert _post(client, "/api/d/..%2Fsecret/export", {}).status_code == 404
    assert ">link<" not in client.get("/").get_data(as_text=True)


def test_requests_from_elsewhere_are_refused(out, client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    key = view.item_key(*(lambda c: (c.page, c.line, c.word))(load_document(out / NAME)
                                                              .corrections[0]))
    body = {"key": key, "action": "reject"}
    assert _post(client, f"/api/d/{NAME}/decide", body,
                 Origin="http://evil.example").status_code == 403
    assert client.post(f"/api/d/{NAME}/decide", data=json.dumps(body),
                       content_type="text/plain").status_code == 415
    assert not store_path(out).exists() or not Store(store_path(out)).current(NAME)
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_document_text_is_escaped(tmp_path):
    source = tmp_path / "evil.txt"
    source.write_text('Nämnden <script>alert("x")</script> beslutade\n<img src=x onerror=alert(1)>'
                      ' i Boras Stad\n', encoding="utf-8")
    out = tmp_path / "out"
    _run(source, out)
    client = review_app.create_app(out, who="<b>anna</b>").test_client()
    html = client.get("/d/evil").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;anna&lt;/b&gt;" in html
    data = html.split('<script id="items-data" type="application/json">')[1].split("</script>")[0]
    assert "<" not in data  # the JSON island cannot close its script element
    page = report.render(out / "evil")
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page


# --- page crops and the report ---------------------------------------------------------

def _image_document(tmp_path: Path) -> Document:
    image = Image.new("L", (600, 200), 255)
    for x in range(100, 160):  # a dark "word"
        for y in range(90, 110):
            image.putpixel((x, y), 0)
    path = tmp_path / "page.png"
    image.save(path)
    words = [Word("Boras", 0, BBox(100, 90, 160, 110), 0.4), Word("Stad", 6, BBox(170, 90, 220,
                                                                                   110), 0.9)]
    source = Source(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), "image/png",
                    path.stat().st_size, 1)
    doc = Document(id="scan", source=source, pages=[
        Page(1, "ocr", [Line("Boras Stad", words)], width=600, height=200, dpi=300)])
    doc.corrections = [Correction(1, 0, 0, "Boras", "Borås", "diacritic", 0.97, "lexicon")]
    return doc


def test_crop_shows_the_word_in_its_line(tmp_path):
    doc = _image_document(tmp_path)
    png = images.crop_png(doc, 1, 0, 0)
    crop = Image.open(io.BytesIO(png))
    assert 150 < crop.width <= 600 and 40 <= crop.height < 200
    assert images.crop_png(doc, 1, 0, 5) is None  # no such word
    out = tmp_path / "out"
    write_outputs(doc, out / "scan")
    client = review_app.create_app(out, who="anna").test_client()
    answer = client.get("/d/scan/crop/1-0-0.png")
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    assert answer.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/d/scan/crop/1-0-1.png").status_code == 404  # no correction there


def test_crop_of_a_pdf_page_is_rendered_from_the_source():
    doc = open_document(SAMPLES / "minutes_2024_textlayer.pdf")
    doc = ocr(doc, OcrOptions())
    line = next(i for i, line in enumerate(doc.pages[0].lines) if line.words)
    png = images.crop_png(doc, 1, line, 0)
    assert png is not None and png[:4] == b"\x89PNG"


def test_review_apply_rewrites_alto_with_the_decision(tmp_path, capsys):
    doc = _image_document(tmp_path)
    out = tmp_path / "out"
    write_outputs(doc, out / "scan")
    assert 'CONTENT="Borås"' in (out / "scan" / "alto" / "page-0001.xml").read_text()
    with Store(store_path(out)) as store:
        store.add([_decision(doc.corrections[0], "reject", document="scan")])
    assert cli.main(["review", str(out), "--apply"]) == 0
    assert capsys.readouterr().out.strip() == str((out / "scan").resolve())
    alto = (out / "scan" / "alto" / "page-0001.xml").read_text()
    assert 'CONTENT="Boras"' in alto and "Borås" not in alto
    assert (out / "scan" / "text.txt").read_text() == "Boras Stad"


def test_report_is_self_contained(tmp_path, first_run, capsys):
    doc = _image_document(tmp_path)
    out = tmp_path / "out"
    write_outputs(doc, out / "scan")
    dest = report.write(out / "scan", tmp_path / "scan.html")
    html = dest.read_text()
    assert "data:image/png;base64," in html and "Boras" in html and "Borås" in html
    assert not re.search(r'(src|href)="(?!data:|#)', html)  # nothing to fetch
    assert "<script" not in html
    assert cli.main(["report", str(first_run / NAME), "-o", str(tmp_path / "b.html")]) == 0
    boras = (tmp_path / "b.html").read_text()
    assert "Ingen sidbild" in boras and boras.count('class="item ') == len(
        load_document(first_run / NAME).corrections)


# --- the learned lexicon ----------------------------------------------------------------

def test_learned_lexicon_merges_by_time_whatever_the_order(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    learned.record(a, learned.Entry("Boris", "reject", "", "anna", "2024-01-02T10:00:00"))
    learned.record(a, learned.Entry("nimnd", "edit", "nämnd", "anna", "2024-01-01T10:00:00"))
    learned.record(b, learned.Entry("Boris", "accept", "", "bertil", "2024-01-03T10:00:00"))
    learned.record(b, learned.Entry("nimnd", "edit", "nämnden", "bertil", "2023-12-01T10:00"))
    ab, ba = tmp_path / "ab.tsv", tmp_path / "ba.tsv"
    ab.write_text(a.read_text() + b.read_text())
    ba.write_text(b.read_text() + a.read_text())
    assert learned.read(ab) == learned.read(ba)
    merged = learned.read(ab)
    assert merged["Boris"].decision == "accept" and merged["nimnd"].replacement == "nämnd"
    assert learned.entry_for("Boras,", "edit", "Borås,", who="a", when="t").raw == "Boras"
    assert learned.entry_for("Boras,", "edit", "Borås.", who="a", when="t").raw == "Boras,"
    (tmp_path / "bad.tsv").write_text("Boris\tmaybe\t\tanna\tt\n")
    with pytest.raises(Exception, match="line 1 of the learned lexicon"):
        learned.read(tmp_path / "bad.tsv")


def test_a_second_run_follows_the_decisions_of_the_first(out, tmp_path):
    lexicon = tmp_path / "learned.tsv"
    client = review_app.create_app(out, who="anna", learned_path=lexicon).test_client()
    doc = load_document(out / NAME)
    boris, sent = _correction(doc, "Boris"), _correction(doc, "6versinda")
    for c, action, text in ((boris, "reject", None), (sent, "edit", "översände")):
        key = view.item_key(c.page, c.line, c.word)
        assert _post(client, f"/api/d/{NAME}/decide",
                     {"key": key, "action": action, "text": text}).status_code == 200
    assert set(learned.read(lexicon)) == {"Boris", "6versinda"}

    other = tmp_path / "other.txt"  # another document with the same words
    other.write_text("Förskolenämnden i Boris Stad beslutar att 6versinda svaret.\n"
                     "Kommunstyrelsen i Boras har begärt svaret.\n", encoding="utf-8")
    plain = api.process_file(other, _options())
    assert "Borås Stad" in plain.text() and "översända" in plain.text()  # the machine's call
    taught = api.process_file(other, _options(lexicon))
    assert "i Boris Stad" in taught.text() and "att översände svaret" in taught.text()
    kept = _correction(taught, "Boris")
    assert (kept.origin, kept.applied) == ("review", False)
    assert any(lexicon.name in step.data for step in taught.steps)

    # The same document run again from the command line: every occurrence follows.
    assert cli.main(["run", str(LEGACY), "--out", str(out), "--jobs", "1",
                     "--learned", str(lexicon)]) == 0
    text = (out / NAME / "text.txt").read_text()
    assert "Boris Stad" in text and "Borås Stad" in text.replace("Boras", "")  # Boras stays fixed
    assert text.count("översände") == 2 and "översända" not in text


def test_learned_lexicon_is_part_of_the_settings(tmp_path):
    lexicon = tmp_path / "learned.tsv"
    learned.record(lexicon, learned.Entry("Boris", "reject", "", "anna", "2024-01-01T00:00"))
    before = _options(lexicon).settings()
    learned.record(lexicon, learned.Entry("nimnd", "edit", "nämnd", "anna", "2024-01-01T00:01"))
    after = _options(lexicon).settings()
    assert after["restore"]["learned"] == learned.checksum(lexicon)
    assert after != before != _options().settings()
    with pytest.raises(Exception, match="no such learned lexicon"):
        _options(tmp_path / "missing.tsv")


# --- the right image, checked edits, malformed requests ---------------------------------

def _dark_share(png: bytes) -> float:
    crop = Image.open(io.BytesIO(png)).convert("L")
    return sum(crop.histogram()[:64]) / (crop.width * crop.height)


def test_crop_comes_from_the_recorded_source_or_not_at_all(tmp_path, monkeypatch):
    """A path recorded relative to where the run was started: the review started from
    another folder, where another document's page has the same name, must not show it."""
    work = tmp_path / "arbete"
    work.mkdir()
    doc = _image_document(work)  # work/page.png, a dark word where the box is
    doc.source = dataclasses.replace(doc.source, path="page.png")  # as older runs recorded
    write_outputs(doc, work / "out" / "scan")
    elsewhere = tmp_path / "annan"
    elsewhere.mkdir()
    Image.new("L", (600, 200), 255).save(elsewhere / "page.png")  # all white, same size
    monkeypatch.chdir(elsewhere)
    client = review_app.create_app(Path("../arbete/out"), who="anna").test_client()
    answer = client.get("/d/scan/crop/1-0-0.png")
    assert answer.status_code == 200 and _dark_share(answer.data) > 0.02  # the right page
    assert "Ingen sidbild" not in client.get("/d/scan").get_data(as_text=True)

    (work / "page.png").unlink()  # only the wrong file is left: no image at all
    assert client.get("/d/scan/crop/1-0-0.png").status_code == 404
    assert "Ingen sidbild: källfilen page.png finns inte här" in client.get(
        "/d/scan").get_data(as_text=True)
    (work / "page.png").write_bytes((elsewhere / "page.png").read_bytes())  # changed
    assert client.get("/d/scan/crop/1-0-0.png").status_code == 404
    assert images.crop_png(load_document(work / "out" / "scan"), 1, 0, 0) is None


@pytest.mark.parametrize(("text", "reason"), [
    ("Bor\tås", "U+0009"), ("Borås\n", "U+000A"), ("Bor\x00ås", "U+0000"),
    ("Borås\u202e", "U+202E"), ("å" * 201, "at most 200 characters")])
def test_an_edit_is_checked_before_it_is_stored(out, tmp_path, text, reason):
    lexicon = tmp_path / "learned.tsv"
    client = review_app.create_app(out, who="anna", learned_path=lexicon).test_client()
    boris = _correction(load_document(out / NAME), "Boris")
    key = view.item_key(boris.page, boris.line, boris.word)
    answer = _post(client, f"/api/d/{NAME}/decide", {"key": key, "action": "edit", "text": text})
    assert answer.status_code == 400 and reason in answer.get_json()["error"]
    assert not store_path(out).exists() or not Store(store_path(out)).current(NAME)
    assert not lexicon.exists()
    fine = _post(client, f"/api/d/{NAME}/decide", {"key": key, "action": "edit",
                                                    "text": "Borås"})
    assert fine.status_code == 200 and set(learned.read(lexicon)) == {"Boris"}


def test_a_decision_stored_unchecked_before_is_left_out_of_every_export(out, tmp_path):
    """Decisions an earlier version stored without checking them (a NUL, a newline, 20 MB):
    the folder is written again without them, and its package verifies."""
    doc = load_document(out / NAME)
    lines = doc.text().count("\n")
    edits = {"Boris": "Bor\x00ås", "arendet": "Ärendet\nmed ny rad", "6versinda": "x" * 20_000}
    with Store(store_path(out)):
        pass  # the table, as the app makes it
    with closing(sqlite3.connect(store_path(out))) as db, db:
        for before, text in edits.items():
            c = _correction(doc, before)
            db.execute("INSERT INTO decisions (document, page, line, word, before, proposed, "
                       "action, text, who, at) VALUES (?, ?, ?, ?, ?, ?, 'edit', ?, 'anna', "
                       "'2024-01-01T00:00:00')", (NAME, c.page, c.line, c.word, c.before,
                                                   c.after, text))
    assert cli.main(["review", str(out), "--apply"]) == 0
    text = (out / NAME / "text.txt").read_text(encoding="utf-8")
    assert "\x00" not in text and "med ny rad" not in text and "x" * 100 not in text
    assert text.count("\n") == lines
    schemas = SHARED / "schemas"
    if (schemas / "mets-1.12.1.xsd").is_file():
        config = load_config(SAMPLES / "arkiv.toml", Overrides(schemas=schemas))
        (result,) = api.export(out / NAME, tmp_path / "pk",
                               PackageOptions(config=config, created="2024-05-16T07:30:00Z"))
        assert api.verify(result.path).ok


_BAD_NAMES = ["%00", "a%0Ab", "..", "x" * 300, "finns-inte", "%2F..%2Fx", ".dold"]
_BAD_BODIES = [b"not json", b"[1, 2]", b'"text"', b"null", b"17", b"{}",
               b'{"key": 5, "action": "accept"}', b'{"key": [], "action": {}}',
               b'{"key": "1-0-0", "action": ["accept"]}', b'{"score": true}',
               b'{"score": "0.5"}', b'{"score": 2}', b'{"score": NaN}',
               b'{"key": "KEY", "action": "edit", "text": 7}',
               b'{"key": "KEY", "action": "edit"}',
               b'{"key": "KEY", "action": "edit", "text": "a\\u0000b"}',
               b'{"key": "KEY", "action": "edit", "text": "' + b"a" * 300_000 + b'"}',
               b"{" + b" " * 2_000_000 + b"}"]


def _filled(rule, name: str) -> str:
    """A URL of the route, with `name` (and 0 for numbers) in its parts."""
    path = rule.rule
    for argument in rule.arguments:
        converter = rule._converters[argument]
        value = "0" if type(converter).__name__ == "IntegerConverter" else name
        path = re.sub(rf"<[^>]*\b{argument}>", value, path)
    return path


def test_every_route_answers_malformed_input_with_4xx(out, client):
    """Bad names on every route; on every post, bodies that are not a JSON object, have the
    wrong types, or are too large (and, for the routes that read fields, objects without
    them). Never a 5xx; and nothing stored."""
    app = client.application
    boris = _correction(load_document(out / NAME), "Boris")
    key = view.item_key(boris.page, boris.line, boris.word)
    seen, answers = set(), []
    for rule in app.url_map.iter_rules():
        seen.add(rule.endpoint)
        if not rule.arguments:  # the list: nothing to get wrong but the query
            assert client.get(f"{rule.rule}?x=%00").status_code < 500
            continue
        post = "POST" in rule.methods
        for name in _BAD_NAMES + ([NAME] if post else []):  # a good name with bad bodies
            path = _filled(rule, name)
            if not post:
                answers.append((path, client.get(path).status_code))
                continue
            bodies = _BAD_BODIES if name != NAME or not rule.endpoint.endswith("export") \
                else [b for b in _BAD_BODIES if not b.startswith(b"{")] + [_BAD_BODIES[-1]]
            for body in bodies:
                data = body.replace(b"KEY", key.encode())
                answers.append((f"{path} {data[:40]!r}", client.post(
                    path, data=data, content_type="application/json").status_code))
            answers.append((f"{path} text/plain", client.post(
                path, data=b"{}", content_type="text/plain").status_code))
    assert {"static", "review.index", "review.document", "review.crop", "review.items",
            "review.decide", "review.accept_above", "review.export"} <= seen
    wrong = [(what, code) for what, code in answers if not 400 <= code < 500
             and not (what.startswith("/static/") and code == 308)]  # "//" merged: redirect
    assert wrong == [], wrong
    assert len(answers) > 100
    assert not store_path(out).exists() or not Store(store_path(out)).current(NAME)


def test_the_server_refuses_a_huge_body_without_reading_it(out):
    server = review_app.make_server(review_app.create_app(out, who="anna"), port=0)
    thread = threading.Thread(target=serve, args=(server,), daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=30) as s:
            s.sendall(f"POST /api/d/{NAME}/decide HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Type: application/json\r\nContent-Length: 200000000\r\n\r\n"
                      "{".encode())
            status = s.recv(200).split(b"\r\n")[0]
    finally:
        server.close()
    assert b" 413 " in status
