"""The export stage: a document's output folder, written atomically.

Everything goes into a temporary folder beside the target, which is renamed into place
only when complete, so a failed or killed run never leaves a half-written document.
Each format has its own module here (`protokoll_xml`); this one gathers and writes them.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

from pipeline.exceptions import OutputError
from pipeline.export import alto, protokoll_xml
from pipeline.model import Document, plain

TMP_MARK = ".tmp-"
OLD_MARK = ".old-"


def render(doc: Document) -> dict[str, str]:
    """Every output file of a document: relative path -> text."""
    files = {
        "raw.txt": doc.raw_text(),
        "text.txt": doc.text(),
        "corrections.jsonl": "".join(
            json.dumps(plain(c), ensure_ascii=False) + "\n"
            for c in doc.corrections),
        "document.json": doc.to_json(),
    }
    if doc.structure is not None:
        files["protokoll.xml"] = protokoll_xml.render(doc)
    files.update(alto.render(doc))
    return files


def write_outputs(doc: Document, folder: Path) -> list[str]:
    """Write every output file of `doc` into `folder`; returns their relative paths."""
    return write_files(render(doc), folder)


def write_files(files: dict[str, str], folder: Path) -> list[str]:
    """Write rendered files into `folder`, replacing it whole or not at all."""
    tag = f"{os.getpid()}-{threading.get_ident()}"
    tmp = folder.parent / f".{folder.name}{TMP_MARK}{tag}"
    old = folder.parent / f".{folder.name}{OLD_MARK}{tag}"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            # A file name that is not UTF-8 is kept as \\udcXX (document.json loads it back)
            (tmp / name).write_text(text, encoding="utf-8", errors="backslashreplace")
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
    except OSError as exc:
        if old.exists() and not folder.exists():
            old.rename(folder)  # put the previous output back
        raise OutputError(f"cannot write the output ({exc.strerror or exc})", path=folder,
                          fix="Check free space and permissions of the output folder.") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return sorted(files)


def remove_leftovers(out: Path) -> None:
    """Drop temporary folders a killed run left behind."""
    for path in out.glob(".*"):
        if path.is_dir() and (TMP_MARK in path.name or OLD_MARK in path.name):
            shutil.rmtree(path, ignore_errors=True)
