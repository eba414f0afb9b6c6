"""The review app end to end in a real headless browser (Debian's chromium via Playwright):
open a document, reject a correction, reload and see it kept, export and see it in
protokoll.xml; two tabs at once; a document's own <script> cannot run; and the number of
key presses the keyboard path takes over the customer's document."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLES, serve

from pipeline import api
from pipeline.export import write_outputs
from pipeline.model import Document
from pipeline.options import BatchOptions, Options
from pipeline.review import app as review_app
from pipeline.review.apply import load_document
from pipeline.review.store import Store, store_path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (`make test` installs it; "
                                  "or apt-get install chromium)")
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install -e '.[dev]')")

LEGACY = SAMPLES / "boras_forskolenamnden_2021-03_p39.ocr.txt"
NAME = LEGACY.stem
BORIS = "1-11-4"  # "Boris Stad" on line 12, made "Borås" by context
SCRIPT = '<script>document.body.classList.add("pwned")</script>'
IMG = '<img src=x onerror=document.body.classList.add("pwned")>'


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    inputs = folder / "in"
    inputs.mkdir()
    shutil.copy(LEGACY, inputs / LEGACY.name)
    shutil.copy(LEGACY, inputs / "kund.txt")  # a second copy for the keyboard path
    (inputs / "evil.txt").write_text(
        f"Nämnden {SCRIPT} beslutade i Boras Stad\n{IMG} och nimnden\n", encoding="utf-8")
    options = Options(batch=BatchOptions(jobs=1, in_process=True))
    for source in sorted(inputs.iterdir()):  # each as a batch run writes it: OUT/<stem>/
        write_outputs(api.process_file(source, options), folder / "out" / source.stem)
    return folder / "out"


@pytest.fixture(scope="module")
def base(out) -> Iterator[str]:
    server = review_app.make_server(review_app.create_app(out, who="anna"), port=0)
    thread = threading.Thread(target=serve, args=(server,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _open(page, base: str, name: str) -> None:
    page.goto(f"{base}/")
    page.click(f"text={name}")
    page.wait_for_selector("#item-list")


def test_reject_is_kept_after_reload_and_exported(page, base, out):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _open(page, base, NAME)
    assert page.inner_text(f"#m-{BORIS}") == "Borås"
    page.click(f"#m-{BORIS}")
    page.keyboard.press("r")
    page.wait_for_selector(f"#i-{BORIS}.rejected")
    assert page.inner_text(f"#m-{BORIS}") == "Boris"

    page.reload()
    page.wait_for_selector(f"#i-{BORIS}.rejected")
    assert page.inner_text(f"#m-{BORIS}") == "Boris"
    assert "avvisad" in page.inner_text(f"#i-{BORIS}")

    page.click("#export")
    page.wait_for_selector("#message:has-text('Exporterat')")
    xml = (out / NAME / "protokoll.xml").read_text(encoding="utf-8")
    assert re.search(r'<korrigering rader="1:11" ord="4" [^>]*ursprung="review" [^>]*'
                     r'tillampad="false" fore="Boris" efter="Borås"', xml)
    assert "etablering i Boris Stad" in (out / NAME / "text.txt").read_text(encoding="utf-8")
    assert not errors


def test_two_tabs_deciding_keep_both_decisions(browser, base, out):
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    _open(first, base, NAME)
    _open(second, base, NAME)  # both tabs show the same state now
    keys = [k for k in first.eval_on_selector_all(
        "#item-list li", "items => items.map(i => i.dataset.key)") if k != BORIS][:2]
    first.click(f"#i-{keys[0]} button[data-action=reject]")
    first.wait_for_selector(f"#i-{keys[0]}.rejected")  # stored
    assert second.locator(f"#i-{keys[0]}.rejected").count() == 0  # not seen in the other tab
    second.click(f"#i-{keys[1]} button[data-action=accept]")
    second.wait_for_selector(f"#i-{keys[0]}.rejected")  # the answer brings the other's too
    first.reload()
    first.wait_for_selector(f"#i-{keys[0]}.rejected")
    first.wait_for_selector(f"#i-{keys[1]}.accepted")
    context.close()


def test_a_script_in_the_document_does_not_run(page, base, out):
    text = load_document(out / "evil").text()
    assert SCRIPT in text and IMG in text  # as it would reach the page unescaped
    _open(page, base, "evil")
    shown = page.inner_text("section.text")
    assert SCRIPT in shown and IMG in shown  # shown as text
    page.wait_for_timeout(200)  # an image error would have fired by now
    assert "pwned" not in page.evaluate("document.body.className")
    assert page.locator("section.text script, section.text img").count() == 0


def test_keyboard_path_over_the_customers_document(page, base, out):
    """The common path: Shift+A accepts everything scored 0.90 or more, then one key (a,
    or r) per remaining change, each moving on to the next open one."""
    _open(page, base, "kund")
    presses = 1
    page.keyboard.press("Shift+A")
    page.wait_for_selector("#message:has-text('godkända')")
    while (left := int(page.inner_text("#open-count"))) > 0:
        page.keyboard.press("a")
        presses += 1
        page.wait_for_function(f"Number(document.getElementById('open-count').textContent)"
                               f" < {left}")
        assert presses < 400
    corrections = Document.load(out / "kund" / "document.json").corrections  # the machine's
    page.reload()
    assert int(page.inner_text("#open-count")) == 0
    with Store(store_path(out)) as store:
        assert len(store.current("kund")) == len(corrections)
    assert presses == 1 + sum(c.score < 0.9 for c in corrections)
    print(f"\nkeyboard path over {NAME}: {presses} key presses for {len(corrections)} changes")
