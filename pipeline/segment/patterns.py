"""The printed conventions of Swedish municipal minutes, as patterns.

Item lines ("§ 39  Dnr KS 2021/123"), diarienummer, dates, section headings and their
kinds, signature roles and page furniture. These are true of Swedish minutes in general
(SKR's and the municipalities' own templates); none is taken from a particular document.
"""

from __future__ import annotations

import functools
import re
from datetime import date

from pipeline.segment import specks

# "§ 39", "§39", "§§ 39-40", "§ 81/20" (numbered within the year), with the body's short
# name before the sign ("KS § 39", "Kf § 195"), and § as OCR misreads it at the start of
# a line ("8§39", "$ 39", "$& 39", "S 39"); the number must be followed by the end of the line, a
# Dnr or a title.
_LEAD = r"^[\s'‘’\"“”*.,:;·|_—–-]*"  # specks OCR puts before the sign
_PREFIX = (r"(?:(?P<prefix>[A-ZÅÄÖ]{2,5}|[A-ZÅÄÖ][a-zåäö]{1,2})\s*(?=[§$]|8\s*§)"
           r"|[a-zåäöéü]{1,2}\s+(?=§))?")  # or a speck read as letters
ITEM = re.compile(
    _LEAD + _PREFIX + r"(?P<sign>§§?|[8$S&]\s*§|[$&]{1,2}|S(?=\s))\s*(?P<nr>\d{1,4})"
    r"(?:/\d{2}(?!\d))?"
    r"(?:\s*[-–—]\s*(?P<last>\d{1,4}))?[.:;,'’|_]*(?P<rest>(?:\s.*)?)$")  # "§ 17:"
# Words that begin a sentence citing a § ("Av § 5 framgår"): no body's short name.
_NOT_PREFIX = {"av", "se", "om", "och", "att", "enl", "jfr", "till", "med", "på", "vid", "ur",
               "en", "ett", "den", "det", "som", "har", "är", "mot", "för", "nya", "ny"}


def item_line(text: str) -> re.Match[str] | None:
    """The match of an item line, unless what stands before the sign is a word citing it."""
    match = ITEM.match(text)
    if match and match["prefix"] and match["prefix"].lower() in _NOT_PREFIX:
        return None
    return match


# § read as a letter or digit, alone ("8 45-46") or run into the number ("823", "s821"):
# an item line only with a Dnr on it or just below (see `segment.repair`).
WEAK_ITEM = re.compile(
    r"^\s*(?P<sign>[sS]8|[8sS$&])(?P<gap>\s*)(?P<nr>\d{1,3})(?:\s*[-–—]\s*(?P<last>\d{1,3}))?"
    r"[.:;,'’|_]*(?P<rest>(?:\s.*)?)$")
CONTINUED = re.compile(r"^\s*(?:forts(?:\.|ättning)?|fortsättning)\s*(?:av\s+|från\s+)?§",
                       re.IGNORECASE)

# "Dnr KS 2019/123", "Dnr: FN 2021-00019 1.2.3.3", "Diarienr 2012-KS", "Diarienummer ..."
DNR_LABEL = re.compile(r"\b(?:dnr|diarienr|diarienummer|dnr\.)\s*[:.]?\s*", re.IGNORECASE)
_DNR_TOKEN = re.compile(
    r"^(?:[A-ZÅÄÖ]{1,8}(?:-[A-ZÅÄÖ]{1,8})?|\d{2,4}(?:[-/.:]\d{1,6})+(?:[-/][A-ZÅÄÖ]{1,8})?"
    r"|\d{4}-[A-ZÅÄÖ]{1,8}(?:[-/]\d{1,6})?|[A-ZÅÄÖ]{1,8}[-/]\d{2,4}(?:[-/.:]\d{1,6})*)[,;]?$")
_CLASSIFICATION = re.compile(r"^\d{1,3}(?:\.\d{1,3})+$")  # 1.2.3.3: a filing code, not the Dnr


def starts_with_dnr(text: str) -> bool:
    """A Dnr line, also with a speck before it ("*Dnr BN 2023.0456", "ae Dnr ...")."""
    return bool(DNR_LABEL.match(specks.strip(text).lstrip(" '‘’\"“”*.,·|•")))


def dnr_value(text: str) -> tuple[str, str] | None:
    """The diarienummer after a Dnr label in `text` and the text after it (a title that
    shares the line); None when there is no label."""
    match = DNR_LABEL.search(text)
    if not match:
        return None
    tokens = text[match.end():].split()
    kept: list[str] = []
    for i, token in enumerate(tokens):
        token = token.rstrip(_DNR_SPECKS) or token  # "2022/0158." with a speck on it
        if _CLASSIFICATION.match(token):
            return " ".join(kept), " ".join(tokens[i + 1:])
        if not _DNR_TOKEN.match(token) or (kept and not any(c.isdigit() for c in token)
                                          and any(c.isdigit() for c in " ".join(kept))):
            return " ".join(kept).rstrip(",;"), " ".join(tokens[i:])
        kept.append(token)
    return " ".join(kept).rstrip(",;"), ""


_DNR_SPECKS = ".'‘’\"”|_:—–"


# Section headings: (kind, pattern over the whole line, case-insensitive).
# Whose: "Kultur- och fritidsnämndens ", "Tekniska nämndens ", "Kommunstyrelsens "
_OWNER = r"(?:(?:[\w-]+\s+){0,2}(?:och\s+)?[\w-]+s\s+)"
HEADINGS: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(rf"^(?:{rx})$", re.IGNORECASE))
                                               for kind, rx in [
    ("forslag", rf"förslag till beslut|{_OWNER}?förslag till (?:kommunfullmäktige|"
                rf"kommunstyrelsen|nämnden|beslut)|{_OWNER}förslag(?: till beslut)?"),
    ("beslut", rf"{_OWNER}?beslut|beslutet|{_OWNER}(?:arbetsutskotts|utskotts)\s+beslut"),
    ("sammanfattning", r"sammanfattning(?: av ärendet)?|ärendet i korthet"),
    ("arende", r"ärendet i sin helhet|ärendebeskrivning|ärendet|beskrivning av ärendet|"
               r"ärendets beredning|beredning|ärendets behandling"),
    ("bakgrund", r"bakgrund|tidigare beslut|tidigare behandling|historik"),
    ("bedomning", rf"{_OWNER}?bedömning|överväganden"),
    ("motivering", r"motivering|motivering (?:till|av) beslut(?:et)?|beslutsmotivering|"
                   r"skäl för beslut(?:et)?|skälen för beslutet"),
    ("beslutsunderlag", r"beslutsunderlag|underlag(?: (?:för|till) beslut(?:et)?)?|"
                        r"handlingar i ärendet"),
    ("yrkanden", r"yrkande(?:n|t|na)?|förslag till beslut på sammanträdet|"
                 r"förslag på sammanträdet"),
    ("propositionsordning", r"propositionsordning|proposition(?:sordning)? och beslut|"
                            r"beslutsgång|beslutsordning"),
    ("omrostning", r"omröstning|omröstningsresultat|votering"),
    ("reservation", r"reservation(?:er)?"),
    ("protokollsanteckning", r"protokollsanteckning(?:ar)?|särskilt yttrande"),
    ("jav", r"jäv|anmälan om jäv"),
    ("barns-basta", r"prövning av barn(?:ets|s) bästa|barn(?:rätts)?perspektiv(?:et)?|"
                    r"barnkonsekvensanalys|barnets bästa"),
    ("samverkan", r"samverkan|facklig samverkan|mbl-förhandling"),
    ("konsekvenser", r"(?:ekonomiska |juridiska )?konsekvenser(?: för [\w ]+)?|"
                     r"ekonomiska aspekter|konsekvensanalys"),
    ("finansiering", r"finansiering|ekonomiska förutsättningar|kostnader och finansiering"),
    ("upplysningar", r"upplysningar|övriga upplysningar|upplysningar om ärendet"),
    ("expediering", r"beslutet (?:expedieras|skickas|sänds) till|expedieras(?: till)?|"
                    r"skickas till|sändlista|expediering|för kännedom till|"
                    r"beslut(?:et)? ska skickas till"),
]]
LIST_SECTIONS = {"beslutsunderlag", "expediering"}  # a list of short lines, no headings


_HEADING_LEAD = "•·*«»'‘’\"“”.,:;|_ "
_HEADING_ENDS = " .:,;'’\"”—–-_|"


def heading_kind(text: str) -> str | None:
    found = heading_span(text)
    return found[0] if found else None


@functools.lru_cache(maxsize=8192)  # a line is asked about by several steps
def heading_span(text: str) -> tuple[str, int, int] | None:
    """(kind, first, end): the known section heading that the words [first, end) of `text`
    make, read through specks around it: "Bakgrund ae", "\"Ärendet", "Arbetsutskottets
    beslut å" (a speck that happens to spell a word); None if the line is no heading."""
    words = text.split()
    first, end = 0, len(words)
    while end > first and specks.is_speck(words[end - 1], words[end - 2] if end > 1 else ""):
        end -= 1
    while first < end and specks.is_speck(words[first], words[first + 1] if end > first + 1
                                          else ""):
        first += 1
    spans = [(first, end, first)]  # the heading's words, and where its wording begins
    if end - first > 1 and len(words[end - 1]) <= 2 and words[end - 1].islower():
        spans.append((first, end - 1, first))
    if end - first > 1 and len(words[first]) <= 2 and words[first].islower():
        spans.append((first + 1, end, first + 1))  # "å Bakgrund"
    if end - first > 1 and len(words[first]) <= 2 and words[first].isdigit():
        spans.append((first, end, first + 1))  # "5 Bakgrund": a speck, or a numbered heading
    for a, b, wording in spans:
        core = " ".join(words[wording:b]).lstrip(_HEADING_LEAD).rstrip(_HEADING_ENDS)
        for kind, pattern in HEADINGS:
            if pattern.match(core):
                return kind, a, b
    return None


# Signature roles printed under a name.
ROLES = re.compile(
    r"^(?:vice |förste vice |andre vice |2:e vice |1:e vice )?(?:ordförande|sekreterare|"
    r"justerare|justerande|förvaltningschef|förvaltningsdirektör|kommundirektör|"
    r"stadsdirektör|utredare|handläggare|nämndsekreterare|kommunsekreterare|registrator|"
    r"ekonom|controller|verksamhetschef|avdelningschef|enhetschef|kanslichef|"
    r"socialchef|skolchef|kommunchef|sektorchef|mötesordförande|protokollförare)$",
    re.IGNORECASE)
SIGNATURE_LEAD = re.compile(r"^(?:vid protokollet|justerat|justeras|underskrifter|"
                            r"justerandes?)$", re.IGNORECASE)

# Page furniture.
_SIDA = r"\bsida\s+\d{1,3}\s*(?:\(\s*\d{1,3}\s*\)|av\s+\d{1,3})?"
_BARE = r"^\s*\d{1,3}\s*\(\s*\d{1,3}\s*\)\s*$|^\s*[-–]\s*\d{1,3}\s*[-–]\s*$|^\s*\d{1,3}\s*$"
PAGE_NUMBER = re.compile(f"(?:{_SIDA}|{_BARE})", re.IGNORECASE)
# "3", "- 3 -", "3 (12)" alone: a page number only at the very top or bottom of a page,
# where a line of text ending in a number ("etapp" / "3") cannot be.
BARE_PAGE_NUMBER = re.compile(_BARE)
SIGN_FOOTER = re.compile(r"justerandes\s+sign|utdragsbestyrkande|justerares\s+sign",
                         re.IGNORECASE)

# Header labels.
DOC_TYPES = [("protokollsutdrag", re.compile(r"^(?:protokollsutdrag|utdrag ur protokoll(?:et)?|"
                                             r"utdrag ur sammanträdesprotokoll)\b", re.I)),
             ("sammanträdesprotokoll", re.compile(r"^(?:sammanträdes)?protokoll\b", re.I)),
             ("tjänsteskrivelse", re.compile(r"^(?:tjänsteskrivelse|tjänsteutlåtande)\b",
                                             re.I))]
# The type in capitals anywhere in a letterhead line ("HALLSJÖ KOMMUN  PROTOKOLLSUTDRAG").
DOC_TYPE_WORDS = [("protokollsutdrag", re.compile(r"\bPROTOKOLLSUTDRAG\b")),
                  ("tjänsteskrivelse", re.compile(r"\bTJÄNSTESKRIVELSE\b|\bTJÄNSTEUTLÅTANDE\b")),
                  ("sammanträdesprotokoll", re.compile(r"\b(?:SAMMANTRÄDES)?PROTOKOLL\b"))]
# A body's name: only its first word capitalised ("Barn- och utbildningsnämnden",
# "Tekniska nämnden", "Kommunstyrelsens arbetsutskott").
_BODY_END = re.compile(r"(?:nämnden|nämnd|styrelsen|styrelse|utskottet|utskott|fullmäktige|"
                       r"beredningen|rådet)$")


def body_name(text: str) -> str | None:
    """The body a line names, read through specks at its ends ("‘Socialnämnden ,")."""
    name = specks.strip(text).rstrip(" .,;:")
    words = name.split()
    if not words or len(words) > 6 or not words[0][:1].isupper():
        return None
    if any(not w[:1].islower() for w in words[1:]) or not words[0].replace("-", "").isalpha():
        return None
    if _BODY_END.search(words[-1]) and all(w.replace("-", "").isalpha() for w in words):
        return name
    return None


def is_body(text: str) -> bool:
    return body_name(text) is not None


MEETING_DATE = re.compile(r"\b(?:sammanträdesdatum|sammanträdesdag|mötesdatum|datum för "
                          r"sammanträdet)\b[:\s]*", re.IGNORECASE)
DOCUMENT_DATE = re.compile(r"(?:^|\s)(?:datum|upprättad|daterad)\b[:\s]*", re.IGNORECASE)
PLACE_TIME = re.compile(r"^(?:plats och tid|tid och plats|plats|sammanträdesplats)\b[:\s]*",
                        re.IGNORECASE)
GROUPS = re.compile(r"^(?P<label>beslutande(?: ledamöter)?|ledamöter|närvarande(?: ledamöter)?|"
                    r"tjänstgörande ersättare|ersättare|icke tjänstgörande ersättare|"
                    r"övriga (?:närvarande|deltagande)|övriga|närvarande tjänstepersoner|"
                    r"tjänstepersoner|frånvarande)\b[:\s]*(?P<rest>.*)$", re.IGNORECASE)
JUSTERING = re.compile(r"^(?P<label>utses att justera|justerare|justerande|justeringens (?:plats "
                       r"och tid|tid och plats|tid)|justeringsdag|paragraf(?:er)?|underskrifter|"
                       r"sekreterare|ordförande)\b[:\s]*(?P<rest>.*)$", re.IGNORECASE)
ANSLAG_START = re.compile(r"^(?:anslag(?:/bevis)?|bevis om (?:justering|anslag)|"
                          r"protokollet är justerat)", re.IGNORECASE)
ANSLAG = re.compile(r"^(?P<label>organ|sammanträdesdatum|datum (?:då|när) anslaget (?:sätts upp|"
                    r"tas (?:ned|ner))|anslaget (?:sätts upp|tas (?:ned|ner))|"
                    r"datum för anslags? (?:uppsättande|nedtagande)|förvaringsplats(?: för "
                    r"protokollet)?|underskrift)\b[:\s]*(?P<rest>.*)$", re.IGNORECASE)

# Dates: ISO, with slashes or dots, or with a Swedish month name.
MONTHS = {m: i for i, m in enumerate(
    ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
     "oktober", "november", "december"], 1)}
_ISO = re.compile(r"\b((?:19|20)\d\d)[-./ +_–]([01]?\d)[-./ +_–]([0-3]?\d)\b")
_WORDS = re.compile(r"\b([0-3]?\d)(?::e|:a)?\s+(" + "|".join(MONTHS) + r")\s+((?:19|20)\d\d)\b",
                    re.IGNORECASE)


def find_date(text: str) -> str | None:
    """The first real date in `text` as ISO 8601."""
    for match in _ISO.finditer(text):
        if (iso := _iso(int(match[1]), int(match[2]), int(match[3]))):
            return iso
    for match in _WORDS.finditer(text):
        if (iso := _iso(int(match[3]), MONTHS[match[2].lower()], int(match[1]))):
            return iso
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
