"""`protokoll review OUT`: a local web app where archivists decide on the machine's changes.

Listens on 127.0.0.1 only. Every decision is stored at once in OUT/review.sqlite and, for
rejections and edits, in the learned lexicon when one is given. Pages are plain HTML with
one script and one style sheet shipped in the package; all document text is escaped by
the templates and the Content-Security-Policy lets only the app's own script run.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request, url_for
from flask import render_template as render
from waitress.server import create_server

from pipeline.exceptions import UsageError
from pipeline.model import Document
from pipeline.restore import learned
from pipeline.review import view
from pipeline.review.folders import document_folders, rewrite
from pipeline.review.images import crop_png
from pipeline.review.store import ACTIONS, Decision, Store, check_text, store_path, validate

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # never another interface: the app has no login
MAX_BODY = 64 * 1024  # bytes of a request: a decision is a few hundred
_LOCAL_NAMES = {"127.0.0.1", "localhost"}
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

pages = Blueprint("review", __name__)


@dataclass(frozen=True)
class Settings:
    out: Path
    who: str
    learned: Path | None = None


def create_app(out: Path, *, who: str, learned_path: Path | None = None) -> Flask:
    check_text(who, what="the reviewer's name", fix="Pass --who NAME.")
    app = Flask(__name__)
    app.config["REVIEW"] = Settings(out.resolve(), who, learned_path)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.register_blueprint(pages)
    return app


def make_server(app: Flask, *, port: int = 0, threads: int = 4):  # noqa: ANN201 (waitress)
    """A waitress server on 127.0.0.1 (port 0: any free port; see `.effective_port`)."""
    try:
        return create_server(app, host=HOST, port=port, threads=threads,
                             max_request_body_size=MAX_BODY)
    except OSError as exc:
        raise UsageError(f"cannot listen on {HOST}:{port} ({exc.strerror or exc})",
                         fix="Choose another --port.") from exc


def _settings() -> Settings:
    return current_app.config["REVIEW"]


@pages.before_request
def _guard() -> None:
    """Only pages asked for by this machine's own name: a web page elsewhere cannot post
    decisions (its request has another Origin) or reach the app by a rebound name."""
    if urlsplit(f"//{request.host}").hostname not in _LOCAL_NAMES:
        abort(400)
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin and urlsplit(origin).netloc != request.host:
            abort(403)
        if not request.is_json:
            abort(415)


@pages.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def folder_of(out: Path, name: str) -> Path:
    """OUT/<name> for a document folder directly inside OUT; 404 for anything else."""
    if not name or name.startswith(".") or not name.isprintable() or "/" in name \
            or "\\" in name:
        abort(404)
    folder = out / name
    try:
        inside = folder.resolve().parent == out and (folder / "document.json").is_file()
    except OSError:  # a name too long, …
        inside = False
    if not inside:
        abort(404)
    return folder


def _document(folder: Path) -> Document:
    stat = (folder / "document.json").stat()
    return _load(str(folder / "document.json"), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: int, size: int) -> Document:
    return Document.load(Path(path))


def _view(folder: Path, *, with_text: bool = True) -> tuple[int, view.DocumentView]:
    with Store(store_path(folder.parent)) as store:
        version, decisions = store.snapshot(folder.name)
    return version, view.build(_document(folder), folder.name, decisions, with_text=with_text,
                               near=folder)


@pages.get("/")
def index() -> str:
    settings = _settings()
    views = sorted((_view(f, with_text=False)[1] for f in document_folders(settings.out)),
                   key=lambda v: (v.quality, v.name))
    return render("index.html", views=views, out=settings.out, who=settings.who)


@pages.get("/d/<name>")
def document(name: str) -> str:
    folder = folder_of(_settings().out, name)
    version, shown = _view(folder)
    return render("document.html", view=shown, who=_settings().who,
                           interactive=True, crop=lambda item: url_for(
                               "review.crop", name=name, page=item.page, line=item.line,
                               word=item.word),
                           data={"version": version, "items": [i.to_json() for i in shown.items]})


@pages.get("/d/<name>/crop/<int:page>-<int:line>-<int:word>.png")
def crop(name: str, page: int, line: int, word: int) -> Response:
    folder = folder_of(_settings().out, name)
    doc = _document(folder)
    where = (page, line, word)
    words = next((c.words for c in doc.corrections if (c.page, c.line, c.word) == where), 0)
    png = crop_png(doc, page, line, word, words, near=folder) if words else None  # changed ones
    if png is None:
        abort(404)
    return Response(png, mimetype="image/png")


@pages.get("/api/d/<name>/items")
def items(name: str) -> Response:
    return _answer(folder_of(_settings().out, name))


@pages.post("/api/d/<name>/decide")
def decide(name: str) -> Response:
    folder = folder_of(_settings().out, name)
    body = _body()
    key, action, text = body.get("key"), body.get("action"), body.get("text")
    if not isinstance(key, str) or not isinstance(action, str) or action not in ACTIONS:
        _refuse("send the key of a change and an action: accept, reject or edit")
    if action == "edit" and not isinstance(text, str):
        _refuse("an edit needs the new text")
    item = _find(folder, key)
    decision = Decision(name, item.page, item.line, item.word, item.before, item.proposed,
                        action, text if action == "edit" else None, _settings().who)
    try:
        validate(decision)  # before it is stored: what is stored is exported
    except UsageError as exc:
        _refuse(f"{exc.message}. {exc.fix}")
    with Store(store_path(folder.parent)) as store:
        (stored,) = store.add([decision])
    _learn(item, stored)
    return _answer(folder)


@pages.post("/api/d/<name>/accept-above")
def accept_above(name: str) -> Response:
    folder = folder_of(_settings().out, name)
    score = _body().get("score")
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        _refuse("send the score to accept from, a number from 0 to 1")
    _, shown = _view(folder, with_text=False)
    chosen = [Decision(name, i.page, i.line, i.word, i.before, i.proposed, "accept", None,
                       _settings().who) for i in shown.items if i.open and i.score >= score]
    with Store(store_path(folder.parent)) as store:
        stored = store.add_undecided(name, chosen)
    return _answer(folder, accepted=len(stored))


@pages.post("/api/d/<name>/export")
def export(name: str) -> Response:
    """Rewrite OUT/<name>/ with the decisions applied (text.txt, protokoll.xml, ...)."""
    folder = folder_of(_settings().out, name)
    _body()  # {}: every post is a JSON object, none is read unchecked
    return jsonify(files=rewrite(folder))


def _body() -> dict:
    """The request's JSON object; 400 for anything else."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        _refuse("the request body must be a JSON object")
    return body


def _refuse(reason: str) -> NoReturn:
    abort(Response(json.dumps({"error": reason}, ensure_ascii=False), status=400,
                   mimetype="application/json"))


def _find(folder: Path, key: str) -> view.Item:
    _, shown = _view(folder, with_text=False)
    item = next((i for i in shown.items if i.key == key), None)
    if item is None:
        abort(404)
    return item


def _answer(folder: Path, **extra: object) -> Response:
    version, shown = _view(folder, with_text=False)
    return jsonify(version=version, open=shown.open_items,
                   items=[i.to_json() for i in shown.items], **extra)


def _learn(item: view.Item, decision: Decision) -> None:
    """Rejections and edits teach later runs; an accept withdraws an earlier lesson."""
    path = _settings().learned
    if path is None:
        return
    entry = learned.entry_for(item.before, decision.action, decision.text, who=decision.who,
                              when=decision.at)
    if entry.decision == "accept":
        known = learned.read(path).get(entry.raw) if path.is_file() else None
        if known is None or known.decision == "accept":
            return
    learned.record(path, entry)
