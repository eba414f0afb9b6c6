"""`protokoll report OUT/<document>`: the review view as one self-contained HTML file.

The same template as the web app, with the style sheet inlined and the page crops as data
URIs, and no script at all (its Content-Security-Policy allows none), so it can be mailed
or archived and opened anywhere without a server.
"""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import jinja2

from pipeline.exceptions import OutputError
from pipeline.model import Document
from pipeline.review import view
from pipeline.review.images import crop_png


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("pipeline.review", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined)


def render(folder: Path) -> str:
    doc = Document.load(folder / "document.json")
    shown = view.load(folder)
    crops = {item.key: _data_uri(crop_png(doc, item.page, item.line, item.word, item.words,
                                          near=folder))
             for item in shown.items if item.has_image}
    css = resources.files("pipeline.review").joinpath("static/review.css").read_text("utf-8")
    return _environment().get_template("report.html").render(
        view=shown, interactive=False, css=css, crop=lambda item: crops.get(item.key, ""),
        made=datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M"))


def _data_uri(png: bytes | None) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode() if png else ""


def write(folder: Path, dest: Path) -> Path:
    """Write the report of OUT/<name>/ to `dest` (atomically); returns `dest`."""
    html = render(folder)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write the report ({exc.strerror or exc})", path=dest,
                          fix="Check the folder exists and can be written.") from exc
    return dest
