"""documentation/README.txt: what a package holds, in Swedish with an English section.

Written for the archivist who opens the package years later without protokoll at hand:
the representations, protokoll.xml and its schema, ALTO, the preservation metadata, how
corrections and review decisions are recorded, and which schemas the package lacks.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from pipeline import __version__
from pipeline.export.archive_config import PackageOptions
from pipeline.export.mets import SOFTWARE
from pipeline.export.premis import change_counts
from pipeline.model import Document

PATH = "documentation/README.txt"
WIDTH = 88


def render(doc: Document, options: PackageOptions, *, label: str, paths: list[str],
           missing: list[str], sessions: int) -> str:
    """The text; `paths` are the package's XML files (paths from the package root or
    from their representation), `missing` the names of the schemas it lacks."""
    counts = (*change_counts(doc), sessions)
    has = {"alto": any("/alto/" in p for p in paths),
           "protokoll": "metadata/descriptive/protokoll.xml" in paths,
           "erms": "metadata/descriptive/erms.xml" in paths}
    parts = [_swedish(doc, options, label, has, counts, missing),
             _english(doc, options, label, has, counts, missing)]
    return "\n".join(_wrap(line) for part in parts for line in [*part.split("\n"), ""])


def _wrap(line: str) -> str:
    """A paragraph or list item filled to WIDTH; headings and blank lines as they are."""
    indent = "  " if line.startswith("- ") else ""
    return textwrap.fill(line, WIDTH, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False) if line else line


def _heading(text: str) -> str:
    return f"{text}\n{'=' * len(text)}"


def _swedish(doc: Document, options: PackageOptions, label: str, has: dict[str, bool],
             counts: tuple[int, int, int, int], missing: list[str]) -> str:
    c = options.config
    name = Path(doc.source.path).name
    lines = [
        _heading(f"Om paketet {doc.id}"), "",
        f"{label}: ett informationspaket för arkivet (E-ARK SIP enligt CSIP 2.1 och FGS "
        f"Paketstruktur 2.0), skapat {options.created} av {SOFTWARE} {__version__}.",
        f"Levererande organisation: {c.submitter.name} ({c.submitter.identifier}). "
        f"Arkivbildare: {c.creator.name} ({c.creator.identifier}).", "",
        "Innehåll", "",
        "- METS.xml: paketets METS med organisationerna, programmet och varje fil med "
        "SHA-256-kontrollsumma och storlek.",
        f"- representations/source/: källan som den togs emot, oförändrad: data/{name} "
        f"({doc.source.media_type}, {doc.source.pages} sidor).",
        "- representations/ocr/: texten. data/text.txt är den rättade texten."
        + (" data/alto/page-NNNN.xml är en ALTO 4.4-fil per sida med varje ords läge, "
           "OCR-programmets säkerhet, det rättade ordet (CONTENT) och OCR-läsningen "
           "(ALTERNATIVE) där de skiljer sig." if has["alto"] else
           " Ingen ALTO: texten saknar ordens läge på sidan."),
        "- Varje representation har en egen METS.xml och metadata/preservation/premis.xml "
        "med sina filers kontrollsummor.",
    ]
    if has["protokoll"]:
        lines.append("- metadata/descriptive/protokoll.xml: protokollets struktur i "
                     "protokolls eget format (namnrymd urn:protokoll:1, schema "
                     "schemas/protokoll-1.0.xsd): sammanträdet, en paragraf per § med Dnr, "
                     "rubrik och delar, varje tryckt rad en gång och i ordning, och under "
                     "proveniens varje bearbetningssteg och varje rättelse.")
    if has["erms"]:
        lines.append("- metadata/descriptive/erms.xml: CITS ERMS (FGS Ärendehantering), "
                     "varje § som ett ärende med Dnr, rubrik och beslut.")
    lines += [
        "- metadata/preservation/premis.xml: bevarandemetadata (PREMIS 3): källfilen med "
        "kontrollsumma, en händelse per bearbetningssteg (OCR med program, version och "
        "modellens kontrollsumma, rättning, segmentering, varje granskning, paketering) och "
        "agenterna (programmen, organisationerna, arkivarierna).",
        "- schemas/: XML-scheman för paketets XML-filer.", "",
        "Rättelser och granskning", "",
        "OCR-texten skrivs aldrig över. Varje ändring är en rättelse med ordet före och "
        "efter, typ, poäng (0–1) och ursprung: lexicon, context, structure och image (det "
        "sidbilden visar) är programmets egna ändringar, review en arkivaries beslut. En "
        "ändring med poäng under tröskeln är ett "
        "förslag som inte har tillämpats. Arkivarien godtar, avvisar (ordet står kvar som "
        "det lästes) eller redigerar en ändring; en avvisad ändring står kvar i "
        "förteckningen men tillämpas inte. I det här paketet: {} ändringar tillämpade, {} "
        "förslag som inte tillämpats, {} beslutade av arkivarier vid {} "
        "granskningstillfällen.".format(*counts),
    ]
    if missing:
        lines += ["", "Scheman som saknas", "",
                  f"Paketet har inget schema för {', '.join(missing)}. De filerna har inte "
                  "kunnat valideras mot ett schema i paketet."]
    return "\n".join(lines)


def _english(doc: Document, options: PackageOptions, label: str, has: dict[str, bool],
             counts: tuple[int, int, int, int], missing: list[str]) -> str:
    c = options.config
    lines = [
        _heading("English"), "",
        f"{label}: an archival information package (E-ARK SIP after CSIP 2.1 and FGS "
        f"Paketstruktur 2.0), made {options.created} by {SOFTWARE} {__version__} for "
        f"{c.submitter.name}; the archival creator is {c.creator.name}.", "",
        "representations/source/ holds the source as received, unchanged; "
        "representations/ocr/ the corrected text (data/text.txt)"
        + (" and one ALTO 4.4 file per page with each word's position, the OCR confidence, "
           "the corrected word (CONTENT) and the OCR reading (ALTERNATIVE) where they differ."
           if has["alto"] else "; there is no ALTO, the text came without word positions."),
        "Each representation has its own METS.xml and metadata/preservation/premis.xml "
        "listing its files with checksums.",
    ]
    if has["protokoll"]:
        lines.append("metadata/descriptive/protokoll.xml is the structure of the minutes in "
                     "protokoll's own XML (namespace urn:protokoll:1, schema "
                     "schemas/protokoll-1.0.xsd): the meeting, one paragraf per § with Dnr, "
                     "title and sections, every printed line once and in order, and under "
                     "proveniens every processing step and every correction.")
    if has["erms"]:
        lines.append("metadata/descriptive/erms.xml is a CITS ERMS record: each § as a case "
                     "with its Dnr, title and decision.")
    lines += [
        "metadata/preservation/premis.xml (PREMIS 3) has the source file with its checksum, "
        "an event for each processing step (OCR with engine, version and model checksum, "
        "restoration, segmentation, each review session, packaging) and the agents "
        "(programs, organisations, archivists). schemas/ has the XML schemas.", "",
        "The OCR text is never overwritten. Every change is a correction with the word "
        "before and after, its kind, a score from 0 to 1 and its origin: lexicon, context, "
        "structure and image (what the page image shows) are the program's own changes, "
        "review an archivist's decision. A change scored "
        "below the threshold is a suggestion and was not applied. An archivist accepts, "
        "rejects (the word stays as read) or edits a change; a rejected change stays on "
        "record, not applied. In this package: {} changes applied, {} suggestions not "
        "applied, {} decided by archivists in {} review sessions.".format(*counts),
    ]
    if missing:
        lines += ["", f"Schemas missing: the package has no schema for {', '.join(missing)}; "
                  "those files could not be validated against a schema in the package."]
    return "\n".join(lines)
