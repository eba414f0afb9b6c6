"""The project's own archival XML (protokoll.xml): being written."""

from __future__ import annotations

from pipeline.model import Document


def render(doc: Document) -> str:
    raise NotImplementedError("protokoll.xml is not written yet")
