"""Bibliographic metadata: BibTeX, RIS and CSL-JSON files -> `Source` values.

Everything is converted to CSL-JSON (what citeproc formats) at load time, so the
rest of litsok sees one shape. Problems with single entries (a broken entry, a
duplicate key, a bad setting, a value of the wrong type or beyond a limit)
become Norwegian messages in `Bibliography.problems`; an entry that cannot be
used is skipped (and listed in `Bibliography.skipped`), the rest of the file
loads. A file that cannot be read at all, or is larger than
`limits.MAX_BIB_BYTES`, raises `BibliographyError`.

BibTeX is split by a linear scanner of its own (one pass over the text, regex
jumps between braces; no recursion, so unbalanced or deeply nested braces cost
no more than their length), and only the fields litsok uses are decoded from
LaTeX, mostly by a table of the escapes Zotero, JabRef and Better BibTeX write;
pylatexenc is the fallback for the rest. Measured on a 20 MB Zotero-like export
(49,600 entries, tests/hostile_bib.py): an `indekser` with nothing to do takes 4.0 s
and 170 MB, where bibtexparser + pylatexenc took 35 s and 440 MB; a 50 MB file (the
MAX_BIB_BYTES limit, 123k entries) loads in 10 s and 380 MB.

Conventions in the CSL dicts made here:
- names are ``{"family", "given"}``; a corporate author is ``{"literal": ...}``;
  BibTeX "and others" becomes the name ``ET_AL_NAME`` (the list continues), which
  `cite` renders as "et al.".
- ``page`` uses a hyphen ("126-139"); citeproc prints it with an en dash.
- dates are ``{"date-parts": [[year, month, day]]}`` with ints, |year| <= MAX_YEAR.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from litsok import limits
from litsok.errors import BibliographyError
from litsok.model import Source

ET_AL_NAME: dict[str, str] = {"literal": "others"}
FIRST_PAGE_FIELDS = ("litsok_forsteside", "litsok_førsteside", "first_page")

# --- user-facing messages (Norwegian bokmål) ---------------------------------

_MSG_UNKNOWN_FORMAT = (
    "{file}: ukjent filtype «{suffix}». Bruk BibTeX (.bib), RIS (.ris) eller CSL-JSON (.json)."
)
_MSG_UNREADABLE = "{file}: kan ikke leses ({reason}). Sjekk at filen finnes og at du har tilgang."
_MSG_TOO_BIG = (
    "{file} er {size} MB, over grensen MAX_BIB_BYTES ({limit} MB) for en litteraturliste. "
    "Eksporter bare samlingen du bruker i oppgaven (i Zotero: høyreklikk på samlingen > Eksporter samling), "
    "og kjør `litsok indekser` på nytt."
)
_MSG_BROKEN_BIB = (
    "{file}: BibTeX-filen kan ikke tolkes ({reason}). "
    "Eksporter litteraturlisten på nytt fra Zotero/EndNote, eller rett feilen på linje {line}."
)
_MSG_BROKEN_RIS = (
    "{file}: fant ingen RIS-oppføringer (hver oppføring må starte med «TY  -» og slutte med «ER  -»). "
    "Eksporter litteraturlisten på nytt som RIS."
)
_MSG_BROKEN_JSON = (
    "{file}: CSL-JSON-filen kan ikke tolkes ({reason}). "
    "Filen må være en JSON-liste med oppføringer; eksporter på nytt som CSL JSON."
)
_REASON_TOO_DEEP = "verdiene er nestet i for mange nivåer"
_MSG_ENTRY_FAILED = (
    "{file}, linje {line}: oppføringen{key} kan ikke tolkes og er hoppet over ({reason}). "
    "Rett den i Zotero og eksporter på nytt, eller rett den i filen."
)
_MSG_ENTRY_SKIPPED = "{file}: oppføringen «{key}» er hoppet over: {reason}. Rett den i Zotero og eksporter på nytt."
_MSG_ENTRY_N_SKIPPED = "{file}: oppføring nr. {n} er hoppet over: {reason}. Rett den i Zotero og eksporter på nytt."
_REASON_SYNTAX = "ugyldig syntaks; sjekk at hver «{» har sin «}» og at feltene er skilt med komma"
_MSG_DUPLICATE_IN_FILE = (
    "{file}, linje {line}: nøkkelen «{key}» er brukt før i samme fil; den første oppføringen brukes."
)
_MSG_DUPLICATE_ACROSS = (
    "{file}: nøkkelen «{key}» finnes allerede i {first}; oppføringen i {first} brukes."
)
_MSG_BAD_FIRST_PAGE = (
    "{file}: «{field}» for «{key}» må være et helt tall, ikke «{value}»; innstillingen er ignorert."
)
_MSG_LONG_FIRST_PAGE = (
    "{file}: «{field}» for «{key}» har mer enn {digits} sifre (grensen MAX_PAGE_DIGITS); innstillingen er ignorert."
)
_MSG_LONG_PAGES = (
    "{file}: sidetallene «{value}» for «{key}» har mer enn {digits} sifre (grensen MAX_PAGE_DIGITS); "
    "sideintervallet er ignorert. Rett sidetallene i Zotero."
)
_MSG_BAD_YEAR = (
    "{file}: fant ikke noe årstall (fire sifre) i datoen «{value}» for «{key}»; kilden siteres uten år (u.å.). "
    "Rett året i Zotero."
)
_MSG_DUPLICATE_FIELD = "{file}, linje {line}: feltet «{field}» står flere ganger i «{key}»; det første brukes."
_MSG_NO_ENTRIES = "{file}: inneholder ingen oppføringer."
_MSG_MORE_PROBLEMS = (
    "{file}: {n} problemer til er ikke vist (grensen MAX_BIB_PROBLEMS = {limit} per fil); "
    "{skipped} oppføringer i filen er hoppet over i alt. Eksporter litteraturlisten på nytt."
)
_MSG_CP1252 = "{file}: er ikke UTF-8; lest som Windows-1252. Lagre filen som UTF-8 for å være sikker."

# Why one entry cannot be used (the {reason} of _MSG_ENTRY_SKIPPED / _MSG_ENTRY_FAILED).
_REASON_NO_ID = "den mangler «id»"
_REASON_NOT_OBJECT = "den er ikke et JSON-objekt, men {kind}"
_REASON_BAD_ID = "«id» må være en tekst eller et heltall, ikke {kind}"
_REASON_NO_KEY = "den mangler nøkkel (teksten mellom «{» og første komma)"
_REASON_LONG_KEY = "nøkkelen har {n} tegn, over grensen MAX_BIB_KEY_CHARS ({limit})"
_REASON_LONG_FIELD = "feltet «{field}» har {n} tegn, over grensen MAX_BIB_FIELD_CHARS ({limit})"
_REASON_TYPE = "«{field}» må være {expected}, ikke {kind}"
_REASON_NAME = "navn nr. {n} i «{field}» {problem}"
_REASON_DATE = "datoen i «{field}» {problem}"
_REASON_BIG_NUMBER = "tallet i «{field}» har mer enn {digits} sifre"
_REASON_NOT_FINITE = "«{field}» er {value}, ikke et vanlig tall"
_REASON_NAME_SPLIT = "navnet «{name}» i «{field}» kan ikke deles i etternavn og fornavn ({why})"

# Norwegian names of CSL fields, for `missing_fields`.
FIELD_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "author": "forfatter",
        "issued": "år",
        "title": "tittel",
        "container-title": "tidsskrift",
        "volume": "årgang",
        "page": "sider",
        "publisher": "forlag",
        "URL": "nettadresse",
    }
)


@dataclass(frozen=True)
class Bibliography:
    """All sources loaded from the bibliography files, and what went wrong on the way."""

    sources: Mapping[str, Source] = field(default_factory=lambda: MappingProxyType({}))
    problems: tuple[str, ...] = ()
    # SHA-256 of the bytes each file had when it was read (path -> hash): what the
    # index records, so an edit during `indekser` is seen as a change next time.
    hashes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # entries that could not be used and were left out ("kilder.bib: «key»", "kilder.json: nr. 3"):
    # the bibliography loaded only in part (`indekser` exits with 2)
    skipped: tuple[str, ...] = ()


# --- public API ----------------------------------------------------------------


def load_bibliography(paths: Sequence[Path]) -> Bibliography:
    """Load .bib, .ris and .json files; the first entry with a given key wins.

    Raises `BibliographyError` for a file that is unreadable, of unknown type,
    larger than MAX_BIB_BYTES, or whose syntax is broken throughout. Single bad
    entries are skipped and become `problems` (and `skipped`).
    """
    sources: dict[str, Source] = {}
    problems: list[str] = []
    skipped: list[str] = []
    hashes: dict[str, str] = {}
    for path in paths:
        path = Path(path)
        loader = _LOADERS.get(path.suffix.lower())
        if loader is None:
            raise BibliographyError(_MSG_UNKNOWN_FORMAT.format(file=path, suffix=path.suffix))
        text, note, hashes[str(path)] = _read_text(path)
        notes = _Notes(path)
        if note:
            notes.add(note)
        for source in loader(text, path, notes):
            if source.key in sources:
                first = sources[source.key].origin
                notes.add(_MSG_DUPLICATE_ACROSS.format(file=path, key=_shown(source.key), first=first))
                continue
            sources[source.key] = source
        problems.extend(notes.summary())
        skipped.extend(notes.skipped)
    return Bibliography(
        sources=MappingProxyType(sources),
        problems=tuple(problems),
        hashes=MappingProxyType(hashes),
        skipped=tuple(skipped),
    )


def missing_fields(source: Source) -> tuple[str, ...]:
    """Norwegian names of the APA-relevant fields this source lacks ("forlag", "sider", ...)."""
    csl = source.csl
    missing: list[str] = []
    if not (csl.get("author") or csl.get("editor")):
        missing.append("forfatter")
    if not _year_of(csl):
        missing.append("år")
    if not csl.get("title"):
        missing.append("tittel")
    for name in _REQUIRED_BY_TYPE.get(str(csl.get("type", "")), ()):
        if not csl.get(name):
            missing.append(_type_field_name(str(csl.get("type")), name))
    return tuple(missing)


def unknown_key_message(file: str, key: str, bib: Mapping[str, Source]) -> str:
    """A note's (or PDF's) source key that no bibliography has: named with the
    bibliography files the corpus has (kilder.bib, kilder.ris, ...), and the closest
    keys as «mente du …» (difflib, cutoff 0.75)."""
    import difflib

    names = sorted({Path(s.origin).name for s in bib.values() if s.origin}) or ["kilder.bib"]
    where = " eller ".join(names)
    close = difflib.get_close_matches(key, list(bib), n=2, cutoff=0.75)
    guess = f" Mente du {' eller '.join(f'«{k}»' for k in close)}?" if close else ""
    return f"{file}: kilden «{key}» finnes ikke i {where}.{guess} Den siteres med tittelen til den får en oppføring."


def page_range(source: Source) -> tuple[int, int] | None:
    """The source's printed page range from CSL "page": "126-139" -> (126, 139)."""
    return parse_page_range(str(source.csl.get("page", "")))


_PAGE_RANGE = re.compile(r"\s*(\d+)\s*(?:[-\u2013\u2014]+\s*(\d+))?\s*")


def parse_page_range(text: str) -> tuple[int, int] | None:
    """"126-139", "126–139", "126--139" -> (126, 139); "45" -> (45, 45); else None.

    A number of more than MAX_PAGE_DIGITS digits is no page ("1-99999999" -> None)."""
    m = _PAGE_RANGE.fullmatch(text)
    if not m or any(len(g) > limits.MAX_PAGE_DIGITS for g in m.groups() if g):
        return None
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else first
    if last < first:  # "126-39" shorthand
        digits = str(last)
        last = int(str(first)[: -len(digits)] + digits) if len(digits) < len(str(first)) else last
    return (first, last) if last >= first else None


def fallback_source(key: str, title: str) -> Source:
    """A source for a note or PDF with no bibliography entry: cited by its title."""
    return Source(key=key, csl={"id": key, "type": "document", "title": title})


# --- helpers shared by the loaders --------------------------------------------------

_REQUIRED_BY_TYPE: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "article-journal": ("container-title", "volume", "page"),
        "book": ("publisher",),
        "chapter": ("container-title", "page", "publisher"),
        "thesis": ("publisher",),
        "report": ("publisher",),
        "webpage": ("URL",),
    }
)


class _EntryError(Exception):
    """One entry cannot be used; the message is the Norwegian reason."""


@dataclass
class _Notes:
    """The problems of one bibliography file: the first MAX_BIB_PROBLEMS are kept
    as messages, the rest are counted in one closing line."""

    path: Path
    messages: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    hidden: int = 0

    def add(self, message: str) -> None:
        if len(self.messages) < limits.MAX_BIB_PROBLEMS:
            self.messages.append(message)
        else:
            self.hidden += 1

    def skip(self, entry: str, message: str) -> None:
        """An entry is left out: `entry` names it ("«key»", "nr. 3")."""
        self.skipped.append(f"{self.path}: {entry}")
        self.add(message)

    def summary(self) -> list[str]:
        if not self.hidden:
            return list(self.messages)
        more = _MSG_MORE_PROBLEMS.format(
            file=self.path, n=_count(self.hidden), limit=limits.MAX_BIB_PROBLEMS, skipped=_count(len(self.skipped))
        )
        return [*self.messages, more]


def _count(n: int) -> str:
    """12345 -> "12 345" (Norwegian thousands separator)."""
    return f"{n:,}".replace(",", "\u00a0")


def _shown(text: str, width: int = 60) -> str:
    """A key or value as it can stand in a message: at most `width` characters."""
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _kind(value: Any) -> str:
    """The JSON type of a value in Norwegian ("en liste", "et tall", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "en sannhetsverdi"
    if isinstance(value, (int, float, _BigNumber)):
        return "et tall"
    if isinstance(value, str):
        return "en tekst"
    if isinstance(value, list):
        return "en liste"
    if isinstance(value, dict):
        return "et objekt"
    return type(value).__name__


def _type_field_name(csl_type: str, name: str) -> str:
    if name == "container-title" and csl_type == "chapter":
        return "boktittel"
    if name == "publisher" and csl_type == "thesis":
        return "institusjon"
    return FIELD_NAMES.get(name, name)


def _year_of(csl: Mapping[str, Any]) -> int | None:
    issued = csl.get("issued")
    if isinstance(issued, Mapping):
        parts = issued.get("date-parts") or []
        first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
        year = str(first[0]) if first else ""
        if re.fullmatch(r"-?\d{1,4}", year):
            return int(year)
        m = re.search(r"(?<!\d)\d{4}(?!\d)", str(issued.get("literal", "")))
        return int(m.group()) if m else None
    return None


_DATE = re.compile(r"(?<!\d)(\d{4})(?!\d)(?:[-/](\d{1,2})(?!\d))?(?:[-/](\d{1,2})(?!\d))?")


# An EDTF interval ("2011/2012", "2011-05-25/2012-06-26", "2011~/2012"): both sides a
# year with "-" before month and day, so RIS's "2020/05/01/" is no interval.
_EDTF_SIDE = r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?[~?%]?"
_EDTF_INTERVAL = re.compile(rf"^\s*{_EDTF_SIDE}\s*/\s*{_EDTF_SIDE}\s*$")


def _issued(text: str) -> dict[str, Any] | None:
    """"2020", "2020-05-01", "2020/05/01/" -> CSL date; an EDTF interval
    "2011-05-25/2012-06-26" -> two dates, "2011~" (approximate) -> circa; None when no
    year (four digits standing alone) is found: "99999999999" has none."""
    interval = _EDTF_INTERVAL.match(text)
    if interval:
        groups = interval.groups()
        dates = [[int(g) for g in groups[i : i + 3] if g] for i in (0, 3)]
        out: dict[str, Any] = {"date-parts": dates if dates[0] != dates[1] else dates[:1]}
    else:
        m = _DATE.search(text)
        if not m:
            return None
        out = {"date-parts": [[int(g) for g in m.groups() if g]]}
    if re.search(r"\d[~%]", text):
        out["circa"] = True
    return out


def _date_of(text: str, key: str, path: Path, notes: _Notes) -> dict[str, Any] | None:
    """A BibTeX/RIS date; a date with digits but no year is reported (an absurd "99999999999")."""
    issued = _issued(text)
    if issued is None and re.search(r"\d", text):
        notes.add(_MSG_BAD_YEAR.format(file=path, value=_shown(text, 30), key=_shown(key)))
    return issued


def _normalize_pages(text: str) -> str:
    """"126--139" / "126–139" / "126 - 139" -> "126-139"."""
    return re.sub(r"\s*[-\u2013\u2014]+\s*", "-", text.strip())


def _pages(text: str, key: str, path: Path, notes: _Notes) -> str | None:
    """A normalized page range, or None (with a problem) when a number in it has
    more than MAX_PAGE_DIGITS digits: such a range is ignored."""
    pages = _normalize_pages(text)
    if re.search(rf"\d{{{limits.MAX_PAGE_DIGITS + 1}}}", pages):
        notes.add(
            _MSG_LONG_PAGES.format(file=path, value=_shown(pages, 24), key=_shown(key), digits=limits.MAX_PAGE_DIGITS)
        )
        return None
    return pages


def _read_text(path: Path) -> tuple[str, str, str]:
    """File text (UTF-8, falling back to Windows-1252), a problem note or "", and the SHA-256 of the bytes read.

    A file larger than MAX_BIB_BYTES is refused before it is read."""
    import hashlib

    try:
        size = path.stat().st_size
        raw = path.read_bytes() if size <= limits.MAX_BIB_BYTES else b""
    except OSError as exc:
        raise BibliographyError(_MSG_UNREADABLE.format(file=path, reason=exc.strerror or exc)) from exc
    if max(size, len(raw)) > limits.MAX_BIB_BYTES:  # also when it grew while it was read
        raise BibliographyError(
            _MSG_TOO_BIG.format(file=path, size=_megabytes(max(size, len(raw))), limit=_megabytes(limits.MAX_BIB_BYTES))
        )
    digest = hashlib.sha256(raw).hexdigest()
    try:
        return raw.decode("utf-8-sig"), "", digest
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), _MSG_CP1252.format(file=path), digest


def _megabytes(n: int) -> str:
    """100_048_561 -> "100"; 1_500_000 -> "1,5" (MB with a decimal comma below 10)."""
    mb = n / 1_000_000
    return f"{mb:.0f}" if mb >= 10 or mb == int(mb) else f"{mb:.1f}".replace(".", ",")


def _first_page(value: Any, key: str, path: Path, field_name: str) -> tuple[int | None, str]:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else _kind(value)
    if re.fullmatch(r"\d+", text):
        if len(text) > limits.MAX_PAGE_DIGITS:
            return None, _MSG_LONG_FIRST_PAGE.format(
                file=path, field=field_name, key=_shown(key), digits=limits.MAX_PAGE_DIGITS
            )
        return int(text), ""
    return None, _MSG_BAD_FIRST_PAGE.format(file=path, field=field_name, key=_shown(key), value=_shown(text, 30))


def _clean(csl: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values."""
    return {k: v for k, v in csl.items() if v not in (None, "", [], {})}


def _key_problem(key: str) -> str:
    """Why `key` cannot be a source key ("" when it can)."""
    if not key:
        return _REASON_NO_KEY
    if len(key) > limits.MAX_BIB_KEY_CHARS:
        return _REASON_LONG_KEY.format(n=_count(len(key)), limit=_count(limits.MAX_BIB_KEY_CHARS))
    return ""


def _check_length(name: str, value: str) -> None:
    if len(value) > limits.MAX_BIB_FIELD_CHARS:
        raise _EntryError(
            _REASON_LONG_FIELD.format(field=name, n=_count(len(value)), limit=_count(limits.MAX_BIB_FIELD_CHARS))
        )


# --- LaTeX in BibTeX values ---------------------------------------------------------

# Accent commands -> combining marks: \"o, \'{e}, \v{s}, \r{a}, {\c c}.
_ACCENTS: Mapping[str, str] = MappingProxyType(
    {
        '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304", ".": "\u0307",
        "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323",
        "b": "\u0331",
    }
)  # fmt: skip
# Commands that stand for a character or a text (\o, \aa, \textendash, ...).
_LATEX_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {
        "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "ss": "ß",
        "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ",
        "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
        "textendash": "\u2013", "textemdash": "\u2014", "textquoteright": "\u2019", "textquoteleft": "\u2018",
        "textquotedblleft": "\u201c", "textquotedblright": "\u201d", "textquotesingle": "'", "textquotedbl": '"',
        "guillemotleft": "«", "guillemotright": "»", "guillemetleft": "«", "guillemetright": "»",
        "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_",
        "textbar": "|", "textless": "<", "textgreater": ">", "textbullet": "•", "textdagger": "†",
        "textregistered": "®", "textcopyright": "©", "texttrademark": "™", "textdegree": "°",
        "texteuro": "€", "euro": "€", "pounds": "£", "textsection": "§", "S": "§", "P": "¶", "copyright": "©",
        "ldots": "…", "dots": "…", "textellipsis": "…", "slash": "/", "textslash": "/",
        "quad": " ", "qquad": " ", "space": " ", "enspace": " ", "thinspace": " ", "nobreakspace": " ",
        "LaTeX": "LaTeX", "TeX": "TeX", "relax": "", "protect": "", "noopsort": "", "hyphen": "-",
    }
)  # fmt: skip
# Commands whose braced argument is kept as plain text (\emph{x} -> x).
_LATEX_WRAPPERS = frozenset(
    "emph textit textbf textsc textrm textsf texttt textup textnormal textmd textsl em it bf sc rm sf tt "
    "mkbibquote mkbibemph mkbibitalic mkbibbold enquote mbox hbox text url nolinkurl path "
    "uppercase lowercase MakeUppercase MakeLowercase textsuperscript textsubscript ensuremath".split()
)
_LATEX_TOKEN = re.compile(
    r"\\([\"'`^~=.])\s*(?:\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))"  # \"o, \'{e}
    r"|\\([uvHckrdb])(?:\s*\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|\s+(\\[ij](?![A-Za-z])|[A-Za-z]))"  # \v{s}, \c c
    r"|\\([A-Za-z]+)\s*"  # a command word (TeX eats the spaces after it)
    r"|\\(.)"  # \& \% \_ \{ \} \\ \, ...
    r"|---|--|``|''|!`|\?`|~|[{}]|\$",
    re.DOTALL,
)
_LATEX_SPECIAL = re.compile(r"[\\{}~$]|--|``|''|[!?]`")
_ESCAPED: Mapping[str, str] = MappingProxyType({"\\": " ", ",": " ", " ": " ", "\n": " ", "-": "", "/": "", "@": ""})


class _NotSimple(Exception):
    """The text holds LaTeX the table does not know (math, an unknown macro)."""


def _latex_to_unicode(text: str) -> str:
    """"Gjers{\\o}e" -> "Gjersøe", "{\\"o}" -> "ö", "{Unge}" -> "Unge", "A -- B" -> "A – B".

    The escapes exporters write are decoded by a table; anything else (math,
    unknown macros) goes to pylatexenc. Never raises: LaTeX that not even
    pylatexenc can read loses its commands and braces."""
    if not _LATEX_SPECIAL.search(text):
        return " ".join(text.split())
    text = _MATH.sub(lambda m: _math_text(m.group(1)), text)
    try:
        decoded = _LATEX_TOKEN.sub(_latex_token, text)
    except _NotSimple:
        decoded = _pylatexenc(text)
    import unicodedata

    return unicodedata.normalize("NFC", " ".join(decoded.replace("\u00a0", " ").split()))


_PLAIN_TOKENS: Mapping[str, str] = MappingProxyType(
    {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d", "!`": "¡", "?`": "¿", "~": " ", "{": "", "}": ""}
)


def _latex_token(m: re.Match[str]) -> str:
    t = m.group()
    if t in _PLAIN_TOKENS:
        return _PLAIN_TOKENS[t]
    if t == "$":
        raise _NotSimple
    accent = m.group(1) or m.group(4)
    if accent:
        base = next(g for g in m.group(2, 3, 5, 6) if g)
        return (base[-1] if base.startswith("\\") else base) + _ACCENTS[accent]
    word = m.group(7)
    if word is not None:
        if word in _LATEX_SYMBOLS:
            return _LATEX_SYMBOLS[word]
        if word in _LATEX_WRAPPERS:
            return ""
        raise _NotSimple
    char = m.group(8)
    if char in _ESCAPED:
        return _ESCAPED[char]
    if char in "&%$#_{}'\"":
        return char
    raise _NotSimple


_MATH = re.compile(r"(?<!\\)\$([^$]{1,200}?)(?<!\\)\$")  # $...$ (not \$)
_SUPER = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _math_text(math: str) -> str:
    """Inline math as plain text for a citation: "\\frac n 2" -> "n/2", "\\alpha" -> "α",
    "x^2" -> "x²", "H_0" -> "H₀" (pylatexenc in text mode, then super-/subscripts)."""
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        text = str(LatexNodes2Text(math_mode="text").latex_to_text(f"${math}$"))
    except Exception:  # noqa: BLE001 - unreadable math: keep its characters
        text = re.sub(r"\\[A-Za-z]+|[\\{}]", "", math)
    text = re.sub(r"\^\{?([0-9+\-=()n]{1,4})\}?", lambda m: m.group(1).translate(_SUPER), text)
    text = re.sub(r"_\{?([0-9+\-=()]{1,4})\}?", lambda m: m.group(1).translate(_SUB), text)
    return text.replace("$", "\\$")  # never read as math again


def _pylatexenc(text: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        return str(LatexNodes2Text(math_mode="verbatim").latex_to_text(text))
    except Exception:  # noqa: BLE001 - even pylatexenc gave up (or recursed too deep): keep the words
        return re.sub(r"\\[A-Za-z]+|[\\{}]", "", text)


def _unescape_verbatim(text: str) -> str:
    """URLs and DOIs are not LaTeX: only undo the usual escapes ("\\_" -> "_")."""
    return re.sub(r"\\([_%&#$~{}])", r"\1", text).strip().strip("{}")


def _bib_name(parts: Any) -> dict[str, str]:
    """bibtexparser `NameParts` -> CSL name."""
    last = " ".join(parts.last)
    if not parts.first and not parts.von and not parts.jr:
        if last.strip().lower() == "others":
            return dict(ET_AL_NAME)
        if last.startswith("{") and last.endswith("}"):  # {Statistisk sentralbyrå}
            return {"literal": _latex_to_unicode(last[1:-1])}
    name = {
        "family": _latex_to_unicode(last),
        "given": _latex_to_unicode(" ".join(parts.first)),
        "non-dropping-particle": _latex_to_unicode(" ".join(parts.von)),
        "suffix": _latex_to_unicode(" ".join(parts.jr)),
    }
    return {k: v for k, v in name.items() if v}


_NAME_AND = re.compile(r"[ \t\r\n]+[aA][nN][dD][ \t\r\n]+")
_PLAIN_WORDS = re.compile(r"[^\W\d_][^\s,{}\\~]*(?:[ \t\r\n]+[^\W\d_][^\s,{}\\~]*)*")


def _plain_name(name: str) -> dict[str, str] | None:
    """"Hanssen, Per-Halvard" / "Per-Halvard Hanssen" -> CSL name without bibtexparser,
    when the name has no braces, escapes, "von" part or suffix; else None."""
    family, comma, given = name.partition(",")
    family, given = family.strip(), given.strip()
    if (comma and not given) or "," in given or not _PLAIN_WORDS.fullmatch(family) or (given and not _PLAIN_WORDS.fullmatch(given)):
        return None
    words = family.split()
    if any(not w[0].isupper() for w in words) or (given and not given[0].isupper()):
        return None  # "van der Berg", "others": BibTeX's rules decide
    if not comma:
        if len(words) == 1:
            return {"family": words[0]}
        words, given = words[-1:], " ".join(words[:-1])
    return {"family": " ".join(words), "given": " ".join(given.split())} if given else {"family": " ".join(words)}


def _bib_names(value: str, role: str) -> list[dict[str, str]]:
    """"Røkenes, Odd Harald and Hanssen, Per-Halvard" -> CSL names (BibTeX's rules, as
    bibtexparser implements them; plain names are split without it)."""
    from bibtexparser.middlewares.names import (
        InvalidNameError,
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    plain = "{" not in value and "\\" not in value
    names = []
    for one in _NAME_AND.split(value.strip(" \r\n\t")) if plain else split_multiple_persons_names(value):
        fast = _plain_name(one) if plain else None
        if fast is not None:
            names.append(fast)
            continue
        try:
            names.append(_bib_name(parse_single_name_into_parts(one)))
        except InvalidNameError as exc:
            why = "for mange komma" if "comma" in str(exc).lower() else "ubalanserte klammer"
            raise _EntryError(_REASON_NAME_SPLIT.format(name=_shown(one, 40), field=role, why=why)) from None
    return [n for n in names if n]


def parse_bibtex_files_field(value: str) -> tuple[str, ...]:
    """Zotero/JabRef/Better BibTeX `file` field -> file paths, unescaped.

    "Full Text:files/12/leseth.pdf:application/pdf;Snapshot:files/13/s.html:text/html"
    -> ("files/12/leseth.pdf", "files/13/s.html"). Handles the forms the exporters
    write: `description:path:mimetype` triples (JabRef/Zotero), a bare path (Better
    BibTeX), several attachments separated by ";", Zotero's escaped Windows paths
    ("C\\:\\\\Users\\\\..."), raw Windows paths ("C:\\Users\\..."), `file://` URLs and
    LaTeX escapes in names ("Gjers{\\o}e", "\\_"). A "\\" left in a returned path is
    always a folder separator; use `file_name` for the name alone.
    """
    paths: list[str] = []
    for item in re.split(r"(?<!\\);", value):
        fields = re.split(r"(?<!\\):", item)
        n, last_is_type = len(fields), _is_mimetype(fields[-1])
        if re.match(r"\s*file:", item, re.I):  # a file:// URL
            path = item
        elif n >= 3 and _drive_at(fields, 0):  # "C:\x.pdf:application/pdf" or "C:\a:b.pdf"
            path = ":".join(fields[:-1] if last_is_type else fields)
        elif n >= 3 and last_is_type:  # description:path:mimetype
            path = ":".join(fields[1:-1])
        elif n >= 3 and _drive_at(fields, 1):  # description:C:\path (no mimetype)
            path = ":".join(fields[1:])
        elif n >= 3:
            path = ":".join(fields[1:-1])
        elif n == 2 and _drive_at(fields, 0):  # "C:\Users\..." (Better BibTeX)
            path = ":".join(fields)
        elif n == 2 and last_is_type:  # path:mimetype
            path = fields[0]
        elif n == 2 and not re.search(r"[/\\]", fields[0]):  # description:path
            path = fields[1]
        else:  # a bare path: "C\:\\Users\\...", "/Users/...", "x.pdf"
            path = ":".join(fields)
        path = _unescape_file_path(path.strip())
        if path:
            paths.append(path)
    return tuple(paths)


def file_name(path: str) -> str:
    """The file name of a path from a `file` field, RIS `L1` or a `file://` URL, in Unicode NFC.

    Both "/" and "\\" separate folders, so a Windows path gives its name on any system:
    "C:\\Users\\kari\\Zotero\\storage\\AB12\\Kopp.pdf" -> "Kopp.pdf"."""
    import unicodedata

    return unicodedata.normalize("NFC", re.split(r"[/\\]", path.strip())[-1].strip())


_MIMETYPE = re.compile(r"\s*(?:[a-z]+/[\w.+-]+|pdf|html?|ps|djvu|url|)\s*", re.I)


def _is_mimetype(text: str) -> bool:
    """"application/pdf", "text/html", JabRef's "PDF", or empty (a triple without type)."""
    return bool(_MIMETYPE.fullmatch(text))


def _drive_at(fields: Sequence[str], i: int) -> bool:
    """Is fields[i] the drive letter of an unescaped "C:\\..." split at its colon?"""
    return (
        i + 1 < len(fields)
        and bool(re.fullmatch(r"\s*[A-Za-z]", fields[i]))
        and fields[i + 1].startswith(("\\", "/"))
    )


# One token of a `file` path, tried left to right so that "\\\\" (Zotero's escaped
# backslash) is never read as the start of a LaTeX command.
_FILE_PATH_TOKEN = re.compile(
    r"\\\\"  # escaped backslash: a folder separator
    r"|\\[:;]"  # escaped field separators
    r"|\{\\[^{}\\]+(?:\{[^{}\\]*\})?\}"  # a braced LaTeX command: {\o}, {\"o}, {\'e}, {\aa}, {\r{a}}
    r"|\\[\"'`^~=.][A-Za-z]|\\[\"'`^~=.]\{[A-Za-z]\}"  # an accent: \"o, \'{e}
    r"|\\[_&%#${}]"  # an escaped special character: \_
    r"|\\"  # a lone backslash: a Windows folder separator
)


def _unescape_file_path(path: str) -> str:
    """Undo the escapes of one `file` path; folder separators stay "/" or "\\"."""
    if re.match(r"file://", path, re.I):
        return _file_url_path(path)
    if "\\" not in path and "{" not in path:
        return path
    # A raw Windows path ("C:\Users\kari\_arkiv\x.pdf") uses single backslashes as
    # separators; there "\_" is a separator before "_", not an escaped "_".
    raw_windows = bool(re.search(r"(?<![\\{])\\(?![\\:;_&%#${}\"'`^~=.])", path)) and "\\\\" not in path

    def token(m: re.Match[str]) -> str:
        t = m.group()
        if t == "\\\\" or t == "\\":
            return "\\"
        if t in ("\\:", "\\;"):
            return t[1]
        if t[1] in "_&%#${}" and len(t) == 2:
            return "\\" + t[1] if raw_windows else t[1]
        if t.startswith("\\") and t[1] in "\"'`^~=." and raw_windows:
            return t  # "\'" in a raw Windows path: a folder whose name starts with "'"
        return _latex_to_unicode(t)

    return _FILE_PATH_TOKEN.sub(token, path)


def _file_url_path(url: str) -> str:
    """"file:///C:/Users/kari/K%C3%B8pp.pdf" -> "C:/Users/kari/Køpp.pdf"."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    path = unquote(parts.path)
    if re.match(r"/[A-Za-z]:", path):
        path = path[1:]
    elif parts.netloc and parts.netloc.lower() != "localhost":
        path = f"//{parts.netloc}{path}"  # a network share: file://server/share/x.pdf
    return path



# --- BibTeX: splitting the file into entries -------------------------------------------

_BLOCK_START = re.compile(r"@[ \t\r\n]*([A-Za-z][\w-]*)[ \t\r\n]*([{(])")
_ENTRY_KEY = re.compile(r"\s*([^,\s{}()\"=#]*)\s*([,})])")
_FIELD_NAME = re.compile(r"\s*([^\s=,{}()\"#]+)\s*=\s*")
_SIMPLE_FIELD = re.compile(r"\s*([^\s=,{}()\"#]+)\s*=\s*\{([^{}@]*)\}\s*([,})])")
_FIELD_END = re.compile(r"\s*([,})])")
_CONCAT = re.compile(r"\s*#\s*")
_BARE_VALUE = re.compile(r"[^\s,#{}()\"=]+")
_PLAIN_BRACED = re.compile(r"\{([^{}@]*)\}")  # the usual value: no nested braces, no "@"
_PLAIN_QUOTED = re.compile(r'"([^"{}@]*)"')
_BRACE_MARK = re.compile(r"[{}]|\n[ \t]*@")
_QUOTE_MARK = re.compile(r'["{}]|\n[ \t]*@')

_REASON_EOF = "filen slutter før oppføringen er avsluttet med «{close}»"
_REASON_NEXT_ENTRY = "en ny oppføring begynner før «{close}» som avslutter denne"
_REASON_EXPECTED = "ventet «,» eller «{close}» etter verdien av «{field}»"
_REASON_NO_VALUE = "feltet «{field}» mangler verdi"
_REASON_KEY_END = "ventet «,» etter nøkkelen"
_REASON_STRAY_BRACE = "en «}}» i «{field}» står uten sin «{{»"


@dataclass(frozen=True)
class _BibEntry:
    """One BibTeX entry as written: type, key and the raw values of the fields litsok uses."""

    entry_type: str
    key: str
    fields: dict[str, str]
    offset: int  # where the entry's "@" stands in the text
    duplicate_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class _BibFailure:
    """An entry (or @string) the scanner had to give up on."""

    offset: int
    key: str
    reason: str


class _Abort(Exception):
    """The block cannot be read; scanning goes on at `resume`."""

    def __init__(self, reason: str, resume: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.resume = resume


def _scan_bibtex(text: str, wanted: frozenset[str]) -> Iterator[_BibEntry | _BibFailure | None]:
    """Split BibTeX into entries in one pass, in file order. Keeps (unbraced, not yet
    decoded) the values of the fields in `wanted`; @string macros are resolved,
    @comment and @preamble skipped (each yields None, so a caller can tell a file of
    blocks from one without any). A broken entry becomes a `_BibFailure`, and
    scanning goes on where it broke off: at the next line that starts with "@type{"."""
    strings: dict[str, str] = {}
    pos = 0
    while (at := text.find("@", pos)) >= 0:
        m = _BLOCK_START.match(text, at)
        if m is None:  # an "@" in the text between entries (a comment)
            pos = at + 1
            continue
        kind, close = m.group(1).lower(), ")" if m.group(2) == "(" else "}"
        try:
            if kind in ("comment", "preamble"):
                pos = _skip_block(text, m.end(), close)
                yield None
            elif kind == "string":
                pos = _read_fields(text, m.end(), close, strings, None, strings)[1]
                yield None
            else:
                entry, pos = _read_entry(text, at, m.end(), kind, close, strings, wanted)
                yield entry
        except _Abort as exc:
            pos = max(exc.resume, at + 1)
            if kind in ("comment", "preamble"):
                yield None
            else:
                key = _ENTRY_KEY.match(text, m.end())
                yield _BibFailure(at, key.group(1) if key and kind != "string" else "", exc.reason)


def _read_entry(
    text: str, at: int, body: int, kind: str, close: str, strings: Mapping[str, str], wanted: frozenset[str]
) -> tuple[_BibEntry, int]:
    km = _ENTRY_KEY.match(text, body)
    if km is None or km.group(2) not in (",", close):
        raise _Abort(_REASON_KEY_END, km.end() if km else body)
    key = km.group(1)
    if km.group(2) == close:  # "@book{key}": no fields
        return _BibEntry(kind, key, {}, at), km.end()
    fields: dict[str, str] = {}
    duplicates = _read_fields(text, km.end(), close, strings, wanted, fields)
    return _BibEntry(kind, key, fields, at, duplicates[0]), duplicates[1]


def _read_fields(
    text: str,
    pos: int,
    close: str,
    strings: Mapping[str, str],
    wanted: frozenset[str] | None,
    into: dict[str, str],
) -> tuple[tuple[str, ...], int]:
    """Read `name = value, ...` up to the closing delimiter into `into` (only the
    names in `wanted`; all when it is None). Returns the field names that stood
    twice (the first value is kept) and the position after the block."""
    duplicates: list[str] = []
    while True:
        simple = _SIMPLE_FIELD.match(text, pos)  # `name = {value},`: most fields, in one match
        if simple is not None and simple.group(3) in (",", close):
            name = simple.group(1).lower()
            if wanted is None or name in wanted:
                if name in into:
                    duplicates.append(name)
                else:
                    into[name] = simple.group(2)
            pos = simple.end()
            if simple.group(3) == close:
                return tuple(duplicates), pos
            continue
        fm = _FIELD_NAME.match(text, pos)
        if fm is None:
            end = _FIELD_END.match(text, pos)
            if end is not None and end.group(1) == close:
                return tuple(duplicates), end.end()
            raise _Abort(_REASON_SYNTAX, pos if end is None else end.end())
        name = fm.group(1).lower()
        keep = wanted is None or name in wanted
        value, pos = _read_value(text, fm.end(), close, name, strings, keep)
        if keep and value is not None:
            if name in into:
                duplicates.append(name)
            else:
                into[name] = value
        end = _FIELD_END.match(text, pos)
        if end is None or end.group(1) not in (",", close):
            raise _Abort(_REASON_EXPECTED.format(close=close, field=name), pos)
        pos = end.end()
        if end.group(1) == close:
            return tuple(duplicates), pos


def _read_value(
    text: str, pos: int, close: str, name: str, strings: Mapping[str, str], keep: bool
) -> tuple[str | None, int]:
    """One field value: `{...}`, `"..."`, a number or a @string name, joined by `#`."""
    parts: list[str] = []
    while True:
        ch = text[pos : pos + 1]
        if ch == "{":
            plain = _PLAIN_BRACED.match(text, pos)
            end = plain.end() if plain else _matching_brace(text, pos, close)
            if keep:
                parts.append(text[pos + 1 : end - 1])
        elif ch == '"':
            plain = _PLAIN_QUOTED.match(text, pos)
            end = plain.end() if plain else _closing_quote(text, pos, close, name)
            if keep:
                parts.append(text[pos + 1 : end - 1])
        else:
            bare = _BARE_VALUE.match(text, pos)
            if bare is None:
                raise _Abort(_REASON_NO_VALUE.format(field=name) if ch else _REASON_EOF.format(close=close), pos)
            end = bare.end()
            if keep:
                parts.append(strings.get(bare.group().lower(), bare.group()))
        concat = _CONCAT.match(text, end)
        if concat is None:
            return ("".join(parts) if keep else None), end
        pos = concat.end()


def _matching_brace(text: str, pos: int, close: str) -> int:
    """The position after the "}" that closes the "{" at `pos` (braces nest)."""
    depth = 0
    for m in _BRACE_MARK.finditer(text, pos):
        t = m.group()
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                return m.end()
        elif _BLOCK_START.match(text, m.end() - 1):  # "@book{" at the start of a line
            raise _Abort(_REASON_NEXT_ENTRY.format(close="}"), m.end() - 1)
    raise _Abort(_REASON_EOF.format(close=close), len(text))


def _closing_quote(text: str, pos: int, close: str, name: str) -> int:
    """The position after the '"' that closes the one at `pos` (a '"' inside braces does not)."""
    depth = 0
    for m in _QUOTE_MARK.finditer(text, pos + 1):
        t = m.group()
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth < 0:
                raise _Abort(_REASON_STRAY_BRACE.format(field=name), m.end())
        elif t == '"':
            if depth == 0:
                return m.end()
        elif _BLOCK_START.match(text, m.end() - 1):
            raise _Abort(_REASON_NEXT_ENTRY.format(close='"'), m.end() - 1)
    raise _Abort(_REASON_EOF.format(close=close), len(text))


def _skip_block(text: str, pos: int, close: str) -> int:
    """Past a @comment{...} or @preamble{...}: to the delimiter that closes it."""
    if close == "}":
        return _matching_brace(text, pos - 1, close)
    depth = 0
    for m in re.compile(r"[(){}]").finditer(text, pos):
        t = m.group()
        depth += 1 if t in "({" else -1
        if depth < 0:
            return m.end()
    raise _Abort(_REASON_EOF.format(close=close), len(text))


class _Lines:
    """Line numbers of offsets asked for in increasing order: the text is counted once."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            return 1 + self.text.count("\n", 0, offset)
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


# --- BibTeX: entries -> sources ------------------------------------------------------

_BIB_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "book": "book",
        "article": "article-journal",
        "incollection": "chapter",
        "inbook": "chapter",
        "phdthesis": "thesis",
        "mastersthesis": "thesis",
        "thesis": "thesis",
        "techreport": "report",
        "report": "report",
        "inproceedings": "paper-conference",
        "conference": "paper-conference",
        "proceedings": "book",
        "unpublished": "manuscript",
        "booklet": "pamphlet",
        "manual": "report",
    }
)
_THESIS_GENRE: Mapping[str, str] = MappingProxyType(
    {"phdthesis": "Doktorgradsavhandling", "mastersthesis": "Masteroppgave"}
)
# BibTeX field -> CSL variable, for plain text fields.
_BIB_TEXT_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "title": "title",
        "shorttitle": "title-short",
        "journal": "container-title",
        "journaltitle": "container-title",
        "booktitle": "container-title",
        "volume": "volume",
        "number": "issue",
        "edition": "edition",
        "publisher": "publisher",
        "school": "publisher",
        "institution": "publisher",
        "organization": "publisher",
        "address": "publisher-place",
        "location": "publisher-place",
        "series": "collection-title",
        "language": "language",
        "note": "note",
        "isbn": "ISBN",
    }
)
_BIB_VERBATIM_FIELDS: Mapping[str, str] = MappingProxyType({"doi": "DOI", "url": "URL"})
_BIB_NAME_FIELDS = ("author", "editor", "translator")
# Every field `_bib_entry_to_source` reads: the scanner keeps only these.
_BIB_WANTED = frozenset(
    [*_BIB_TEXT_FIELDS, *_BIB_VERBATIM_FIELDS, *_BIB_NAME_FIELDS, "date", "year", "pages", "file", *FIRST_PAGE_FIELDS]
)


def _bib_entry_to_source(entry: _BibEntry, path: Path, notes: _Notes) -> Source:
    """Raises `_EntryError` when the entry cannot be used."""
    fields = entry.fields
    for name, raw in fields.items():
        _check_length(name, raw)
    entry_type = entry.entry_type
    csl_type = _BIB_TYPES.get(entry_type)
    if csl_type is None:  # misc, online, electronic, www, ...
        csl_type = "webpage" if fields.get("url") else "document"
    csl: dict[str, Any] = {"id": entry.key, "type": csl_type}
    for role in _BIB_NAME_FIELDS:
        if fields.get(role, "").strip():
            csl[role] = _bib_names(fields[role], role)
    for bib_field, csl_var in _BIB_TEXT_FIELDS.items():
        value = fields.get(bib_field)
        if value and value.strip() and csl_var not in csl:
            csl[csl_var] = _latex_to_unicode(value)
    for bib_field, csl_var in _BIB_VERBATIM_FIELDS.items():
        value = fields.get(bib_field)
        if value and value.strip():
            csl[csl_var] = _unescape_verbatim(value)
    if "DOI" in csl:
        csl["DOI"] = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", csl["DOI"], flags=re.I)
    date = fields.get("date") or fields.get("year")
    if date:
        csl["issued"] = _date_of(date, entry.key, path, notes)
    if fields.get("pages"):
        csl["page"] = _pages(_latex_to_unicode(fields["pages"].replace("--", "-")), entry.key, path, notes)
    if entry_type in _THESIS_GENRE:
        csl["genre"] = _THESIS_GENRE[entry_type]
    files = parse_bibtex_files_field(fields["file"]) if fields.get("file") else ()
    first_page = None
    for name in FIRST_PAGE_FIELDS:
        if name in fields:
            first_page, problem = _first_page(fields[name], entry.key, path, name)
            if problem:
                notes.add(problem)
            break
    return Source(key=entry.key, csl=_clean(csl), files=files, origin=str(path), first_page=first_page)


def _load_bibtex(text: str, path: Path, notes: _Notes) -> list[Source]:
    lines = _Lines(text)
    sources: list[Source] = []
    seen: set[str] = set()
    first_failure: _BibFailure | None = None
    blocks = entries = 0
    for block in _scan_bibtex(text, _BIB_WANTED):  # one entry at a time: the raw fields never pile up
        blocks += 1
        if isinstance(block, _BibFailure):
            first_failure = first_failure or block
            _skip_bib(notes, path, lines.at(block.offset), block.key, block.reason)
        elif block is not None:
            entries += 1
            source = _bib_source(block, lines, path, notes, seen)
            if source is not None:
                sources.append(source)
    if not entries:
        if first_failure is not None:  # nothing but broken entries: the file itself is broken
            line = lines.at(first_failure.offset)
            raise BibliographyError(_MSG_BROKEN_BIB.format(file=path, reason=first_failure.reason, line=line))
        if blocks or not text.strip():
            notes.add(_MSG_NO_ENTRIES.format(file=path))
            return []
        raise BibliographyError(_MSG_BROKEN_BIB.format(file=path, reason="ingen @-oppføringer funnet", line=1))
    return sources


def _bib_source(entry: _BibEntry, lines: _Lines, path: Path, notes: _Notes, seen: set[str]) -> Source | None:
    """The entry as a source, or None (with a message) when it is skipped."""
    problem = _key_problem(entry.key)
    if not problem and entry.key in seen:
        notes.add(_MSG_DUPLICATE_IN_FILE.format(file=path, line=lines.at(entry.offset), key=_shown(entry.key)))
        return None
    try:
        if problem:
            raise _EntryError(problem)
        source = _bib_entry_to_source(entry, path, notes)
    except _EntryError as exc:
        _skip_bib(notes, path, lines.at(entry.offset), entry.key, str(exc))
        return None
    except Exception as exc:  # noqa: BLE001 - one odd entry must not stop the rest
        _skip_bib(notes, path, lines.at(entry.offset), entry.key, _short_error(exc))
        return None
    seen.add(entry.key)
    for name in entry.duplicate_fields:
        notes.add(_MSG_DUPLICATE_FIELD.format(file=path, line=lines.at(entry.offset), field=name, key=_shown(entry.key)))
    return source


def _skip_bib(notes: _Notes, path: Path, line: int, key: str, reason: str) -> None:
    shown = f" «{_shown(key)}»" if key else ""
    notes.skip(f"«{_shown(key)}»" if key else f"linje {line}", _MSG_ENTRY_FAILED.format(file=path, line=line, key=shown, reason=reason))


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return _shown(text[0], 120) if text else type(exc).__name__


# --- RIS -------------------------------------------------------------------------

_RIS_TAG = re.compile(r"([A-Z][A-Z0-9])  -")
_RIS_EXTRA_TAGS: Mapping[str, str] = MappingProxyType({"ED": "editors"})
_RIS_EXTRA_LIST_TAGS = ("ED", "L1", "L2")


@dataclass
class _RisRecord:
    """One RIS record as read: its first line and, per tag, the values (each a list of lines)."""

    line: int
    tags: dict[str, list[list[str]]] = field(default_factory=dict)


def _ris_records(text: str) -> Iterator[_RisRecord]:
    """Split RIS text into records in one pass: from «TY  -» to «ER  -» (a «TY» or
    the end of the file also ends a record whose «ER» is missing). A line without a
    tag continues the value before it."""
    record: _RisRecord | None = None
    last: list[str] | None = None
    for n, line in enumerate(text.split("\n"), start=1):
        m = _RIS_TAG.match(line)
        if m is None:
            if last is not None and line.strip():
                last.append(line.strip())
            continue
        tag, content = m.group(1), line[6:].strip()
        if tag == "TY":
            if record is not None:
                yield record
            record = _RisRecord(n)
        elif record is None:
            continue  # a tag outside any record
        elif tag == "ER":
            yield record
            record, last = None, None
            continue
        last = [content]
        record.tags.setdefault(tag, []).append(last)
    if record is not None:
        yield record


def _ris_fields(record: _RisRecord) -> dict[str, Any]:
    """The record in rispy's names ("authors", "title", ...): list tags as lists, the rest as their first value."""
    from rispy.config import DELIMITED_TAG_MAPPING, LIST_TYPE_TAGS, TAG_KEY_MAPPING

    out: dict[str, Any] = {}
    for tag, values in record.tags.items():
        name = _RIS_EXTRA_TAGS.get(tag) or TAG_KEY_MAPPING.get(tag)
        if name is None:
            continue
        joined = [" ".join(parts) for parts in values]
        for value in joined:
            _check_length(tag, value)
        if tag in DELIMITED_TAG_MAPPING:
            delimiter = DELIMITED_TAG_MAPPING[tag]
            joined = [v.strip() for value in joined for v in value.split(delimiter)]
        if tag in LIST_TYPE_TAGS or tag in _RIS_EXTRA_LIST_TAGS:
            out[name] = [v for v in joined if v]
        else:
            out[name] = joined[0]
    return out


_RIS_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "JOUR": "article-journal",
        "EJOUR": "article-journal",
        "JFULL": "article-journal",
        "MGZN": "article-magazine",
        "NEWS": "article-newspaper",
        "BOOK": "book",
        "EBOOK": "book",
        "EDBOOK": "book",
        "CHAP": "chapter",
        "ECHAP": "chapter",
        "THES": "thesis",
        "RPRT": "report",
        "GOVDOC": "report",
        "CONF": "paper-conference",
        "CPAPER": "paper-conference",
        "ELEC": "webpage",
        "WEB": "webpage",
        "BLOG": "post-weblog",
    }
)


def _ris_name(text: str) -> dict[str, str]:
    """"Røkenes, Odd Harald" -> CSL name; "Statistisk sentralbyrå" -> literal."""
    text = text.strip()
    if text.lower() in {"others", "et al.", "et al"}:
        return dict(ET_AL_NAME)
    if "," in text:
        family, _, given = text.partition(",")
        given = given.split(",")[0].strip()
        return {k: v for k, v in {"family": family.strip(), "given": given}.items() if v}
    return {"literal": text}


# EndNote writes its own type names after «TY  -» ("Journal Article", "Book Section")
# instead of the RIS codes; each name and the code it stands for.
_ENDNOTE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "JOURNAL ARTICLE": "JOUR", "ELECTRONIC ARTICLE": "EJOUR", "MAGAZINE ARTICLE": "MGZN",
        "NEWSPAPER ARTICLE": "NEWS", "BOOK": "BOOK", "ELECTRONIC BOOK": "EBOOK", "EDITED BOOK": "EDBOOK",
        "BOOK SECTION": "CHAP", "ELECTRONIC BOOK SECTION": "ECHAP", "THESIS": "THES", "REPORT": "RPRT",
        "GOVERNMENT DOCUMENT": "GOVDOC", "CONFERENCE PAPER": "CPAPER", "CONFERENCE PROCEEDINGS": "CONF",
        "WEB PAGE": "ELEC", "BLOG": "BLOG", "GENERIC": "GEN",
    }
)  # fmt: skip


def _ris_type(rec: Mapping[str, Any]) -> str:
    """The record's RIS type code; EndNote's long names read as their code."""
    written = " ".join(str(rec.get("type_of_reference", "GEN")).split()).upper()
    return _ENDNOTE_TYPES.get(written, written)


def _ris_record_to_csl(rec: Mapping[str, Any], key: str, path: Path, notes: _Notes) -> dict[str, Any]:
    ris_type = _ris_type(rec)
    csl_type = _RIS_TYPES.get(ris_type, "document")
    csl: dict[str, Any] = {"id": key, "type": csl_type}
    authors = list(rec.get("authors", [])) + list(rec.get("first_authors", []))
    editors = list(rec.get("editors", []))
    if csl_type == "chapter" or ris_type == "EDBOOK":
        editors += list(rec.get("secondary_authors", []))
    if ris_type == "EDBOOK" and not editors:
        editors, authors = authors, []
    if authors:
        csl["author"] = [_ris_name(a) for a in authors]
    if editors:
        csl["editor"] = [_ris_name(a) for a in editors]
    csl["title"] = rec.get("title") or rec.get("primary_title") or rec.get("short_title") or ""  # EndNote: ST only
    container = (
        rec.get("journal_name")
        or rec.get("alternate_title3")
        or rec.get("secondary_title")
        or rec.get("alternate_title1")
        or rec.get("alternate_title2")
    )
    if container and csl_type != "book":
        csl["container-title"] = container
    if csl_type == "book" and rec.get("secondary_title"):
        csl["collection-title"] = rec["secondary_title"]
    date = rec.get("year") or rec.get("publication_year") or rec.get("date")
    if date:
        csl["issued"] = _date_of(str(date), key, path, notes)
    sp, ep = str(rec.get("start_page", "")).strip(), str(rec.get("end_page", "")).strip()
    if sp:
        csl["page"] = _pages(f"{sp}-{ep}" if ep and ep != sp else sp, key, path, notes)
    for ris_key, csl_var in (
        ("volume", "volume"),
        ("number", "issue"),
        ("edition", "edition"),
        ("publisher", "publisher"),
        ("place_published", "publisher-place"),
        ("doi", "DOI"),
        ("language", "language"),
        ("short_title", "title-short"),
    ):
        if rec.get(ris_key):
            csl[csl_var] = str(rec[ris_key]).strip()
    urls = [u for u in rec.get("urls") or [] if _ris_file(str(u)) is None]
    if urls:
        csl["URL"] = urls[0]
    return _clean(csl)


def _ris_key(rec: Mapping[str, Any], taken: set[str], counters: dict[str, int]) -> str:
    """The record's «ID», else family name + year ("rokenes2012", then "rokenes2012b", ...)."""
    given = str(rec.get("id", "")).strip()
    if given:
        return given
    names = list(rec.get("authors", [])) + list(rec.get("first_authors", []))
    family = names[0].split(",")[0] if names else str(rec.get("title", "kilde")).split(" ")[0]
    year = re.search(r"(?<!\d)\d{4}(?!\d)", str(rec.get("year") or rec.get("publication_year") or rec.get("date") or ""))
    base = (re.sub(r"\W+", "", family.lower())[:40] + (year.group() if year else "")) or "kilde"
    key, n = base, counters.get(base, 0)
    if n:
        key = f"{base}{chr(ord('a') + n)}" if n < 26 else f"{base}_{n}"
    while key in taken:  # a made-up key never takes one that is given or made before
        n += 1
        key = f"{base}{chr(ord('a') + n)}" if n < 26 else f"{base}_{n}"
    counters[base] = n
    return key


def _ris_files(rec: Mapping[str, Any]) -> tuple[str, ...]:
    """Attached files of a RIS record: `L1` (file attachments), and `L2`/`UR` links
    that point to a file ("file:///C:/...", EndNote's "internal-pdf://...")."""
    found: list[str] = []
    for tag_key in ("file_attachments1", "file_attachments2", "urls"):
        for value in rec.get(tag_key) or []:
            path = _ris_file(str(value))
            if path is None and tag_key == "file_attachments1" and str(value).strip():
                path = str(value).strip()  # L1 is a file even when written as a plain path
            if path and path not in found:
                found.append(path)
    return tuple(found)


def _ris_file(value: str) -> str | None:
    """A file path from a RIS link, or None for a web address (or nothing)."""
    from urllib.parse import unquote

    value = value.strip()
    if re.match(r"file:", value, re.I):
        return _file_url_path(value) or None
    m = re.match(r"internal-pdf://(?:\d+/)?(.+)", value, re.I)
    if m:
        return unquote(m.group(1))
    if not value or re.match(r"[a-z][a-z0-9+.-]+:(?![\\/])", value, re.I) or re.match(r"[a-z][a-z0-9+.-]+://", value, re.I):
        return None  # http://..., doi:..., mailto:...
    if re.match(r"([A-Za-z]:)?[\\/]", value) or re.search(r"\.pdf$", value, re.I):
        return value  # "C:\Users\...\x.pdf", "/Users/...", "x.pdf"
    return None


def _load_ris(text: str, path: Path, notes: _Notes) -> list[Source]:
    sources: list[Source] = []
    taken: set[str] = set()
    counters: dict[str, int] = {}
    records = 0
    for n, record in enumerate(_ris_records(text), start=1):
        records += 1
        where = str(record.line)
        try:
            rec = _ris_fields(record)
            key = _ris_key(rec, taken, counters)
            problem = _key_problem(key)
            if problem:
                raise _EntryError(problem)
        except _EntryError as exc:
            given = _shown(" ".join(record.tags.get("ID", [[""]])[0]).strip())
            entry, key_text = (f"«{given}»", f" «{given}»") if given else (f"nr. {n}", "")
            notes.skip(entry, _MSG_ENTRY_FAILED.format(file=path, line=where, key=key_text, reason=str(exc)))
            continue
        if key in taken:
            notes.add(_MSG_DUPLICATE_IN_FILE.format(file=path, line=where, key=_shown(key)))
            continue
        taken.add(key)
        try:
            csl = _ris_record_to_csl(rec, key, path, notes)
            files = _ris_files(rec)
        except Exception as exc:  # noqa: BLE001 - one odd record must not stop the rest
            notes.skip(f"«{_shown(key)}»", _MSG_ENTRY_FAILED.format(file=path, line=where, key=f" «{_shown(key)}»", reason=_short_error(exc)))
            continue
        sources.append(Source(key=key, csl=csl, files=files, origin=str(path)))
    if not records:
        if text.strip():
            raise BibliographyError(_MSG_BROKEN_RIS.format(file=path))
        notes.add(_MSG_NO_ENTRIES.format(file=path))
    return sources


# --- CSL-JSON ----------------------------------------------------------------------

# The variables of the CSL-JSON schema (csl-data.json, CSL 1.0.2) by kind; every
# entry is checked against it before citeproc sees it.
_CSL_NAME_VARS = frozenset(
    "author chair collection-editor compiler composer container-author contributor curator director editor "
    "editorial-director executive-producer guest host illustrator interviewer narrator organizer original-author "
    "performer producer recipient reviewed-author script-writer series-creator translator".split()
)
_CSL_DATE_VARS = frozenset("accessed available-date event-date issued original-date submitted".split())
_CSL_NUMBER_VARS = frozenset(
    "chapter-number citation-number collection-number edition first-reference-note-number issue locator number "
    "number-of-pages number-of-volumes page page-first part-number printing-number section supplement-number "
    "version volume".split()
)
_CSL_TEXT_VARS = frozenset(
    "abstract annote archive archive_collection archive_location archive-place authority call-number citation-key "
    "citation-label collection-title container-title container-title-short dimensions division DOI event "
    "event-title event-place genre ISBN ISSN jurisdiction keyword language license medium note original-publisher "
    "original-publisher-place original-title part-title PMCID PMID publisher publisher-place references "
    "reviewed-genre reviewed-title scale source status title title-short type URL year-suffix".split()
)
_CSL_NAME_PARTS = ("family", "given", "dropping-particle", "non-dropping-particle", "suffix")
_DATE_PART_RANGES = ((-limits.MAX_YEAR, limits.MAX_YEAR), (0, 24), (0, 31))  # year; month (13-24: seasons); day
_DATE_PART_NAMES = ("året", "måneden", "dagen")


class _BigNumber:
    """A JSON integer with more digits than MAX_JSON_NUMBER_DIGITS: kept unconverted
    (Python refuses to convert more than 4,300), so the entry that has it can be skipped."""

    def __init__(self, digits: str) -> None:
        self.digits = len(digits.lstrip("-"))


def _json_int(digits: str) -> int | _BigNumber:
    return int(digits) if len(digits.lstrip("-")) <= limits.MAX_JSON_NUMBER_DIGITS else _BigNumber(digits)


def _parse_json(text: str, path: Path) -> Any:
    try:
        return json.loads(text, parse_int=_json_int) if text.strip() else []
    except json.JSONDecodeError as exc:
        reason = f"linje {exc.lineno}: {exc.msg}"
        raise BibliographyError(_MSG_BROKEN_JSON.format(file=path, reason=reason)) from exc
    except RecursionError:
        raise BibliographyError(_MSG_BROKEN_JSON.format(file=path, reason=_REASON_TOO_DEEP)) from None
    except ValueError as exc:
        raise BibliographyError(_MSG_BROKEN_JSON.format(file=path, reason=_short_error(exc))) from exc


def _load_csl_json(text: str, path: Path, notes: _Notes) -> list[Source]:
    data = _parse_json(text, path)
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    elif isinstance(data, dict) and "id" in data:
        data = [data]
    if not isinstance(data, list):
        raise BibliographyError(_MSG_BROKEN_JSON.format(file=path, reason=f"ikke en liste, men {_kind(data)}"))
    if not data:
        notes.add(_MSG_NO_ENTRIES.format(file=path))
        return []
    sources: list[Source] = []
    seen: set[str] = set()
    for n, item in enumerate(data, start=1):
        source = _csl_source(item, n, path, notes)
        if source is None:
            continue
        if source.key in seen:
            notes.add(_MSG_DUPLICATE_IN_FILE.format(file=path, line=f"oppføring {n}", key=_shown(source.key)))
            continue
        seen.add(source.key)
        sources.append(source)
    return sources


def _csl_source(item: Any, n: int, path: Path, notes: _Notes) -> Source | None:
    """One CSL-JSON entry as a source, or None (with a message naming it) when it does not fit the schema."""
    key = _csl_id(item)
    try:
        if not isinstance(item, dict):
            raise _EntryError(_REASON_NOT_OBJECT.format(kind=_kind(item)))
        if key is None:
            raise _EntryError(_REASON_NO_ID if "id" not in item or item["id"] in (None, "") else
                              _REASON_BAD_ID.format(kind=_kind(item["id"])))  # fmt: skip
        problem = _key_problem(key)
        if problem:
            raise _EntryError(problem)
        csl = _csl_entry(item, key, path, notes)
    except _EntryError as exc:
        if key and not _key_problem(key):
            notes.skip(f"«{_shown(key)}»", _MSG_ENTRY_SKIPPED.format(file=path, key=_shown(key), reason=exc))
        else:
            notes.skip(f"nr. {n}", _MSG_ENTRY_N_SKIPPED.format(file=path, n=n, reason=exc))
        return None
    first_page = None
    for name in FIRST_PAGE_FIELDS:
        if name in item:
            first_page, problem = _first_page(item[name], key, path, name)
            if problem:
                notes.add(problem)
    # CSL-JSON has no attachment variable (Zotero's export leaves files out); a
    # "file" written like BibTeX's (by hand or by another tool) is read as one.
    file_value = item.get("file")
    files = parse_bibtex_files_field(file_value) if isinstance(file_value, str) else ()
    return Source(key=key, csl=csl, files=files, origin=str(path), first_page=first_page)


def _csl_id(item: Any) -> str | None:
    """The entry's id as text: a string, or an integer ("12" for 12); None when there is no usable one."""
    value = item.get("id") if isinstance(item, dict) else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _csl_entry(item: Mapping[str, Any], key: str, path: Path, notes: _Notes) -> dict[str, Any]:
    """The entry checked against the CSL schema and made safe for citeproc: names
    are lists of objects of strings, dates lists of small integers, numbers and
    texts are strings. Values of other fields are kept when they are plain (text,
    number, true/false) and dropped when nested. Raises `_EntryError`."""
    csl: dict[str, Any] = {"id": key}
    for name, value in item.items():
        if name in ("id", "file", *FIRST_PAGE_FIELDS) or value is None:
            continue
        if name in _CSL_NAME_VARS:
            csl[name] = _csl_names(name, value)
        elif name in _CSL_DATE_VARS:
            csl[name] = _csl_date(name, value)
        elif name == "type":
            if not isinstance(value, str):
                raise _EntryError(_REASON_TYPE.format(field=name, expected="en tekst", kind=_kind(value)))
            csl[name] = _csl_text(name, value)
        elif name in _CSL_NUMBER_VARS or name in _CSL_TEXT_VARS:
            csl[name] = _csl_text(name, value)
            if name == "page":
                csl[name] = _pages(csl[name], key, path, notes)
        elif isinstance(value, (str, int, float, _BigNumber)) and not isinstance(value, bool):
            csl[name] = _csl_text(name, value)
        elif isinstance(value, bool):
            csl[name] = value
        # nested values of fields litsok does not know are dropped: nothing reads them
    csl.setdefault("type", "document")
    return _clean(csl)


def _csl_text(name: str, value: Any) -> str:
    """A text or number variable as text; a number must be finite and of at most MAX_JSON_NUMBER_DIGITS digits."""
    if isinstance(value, _BigNumber):
        raise _EntryError(_REASON_BIG_NUMBER.format(field=name, digits=limits.MAX_JSON_NUMBER_DIGITS))
    if isinstance(value, float) and not math.isfinite(value):
        raise _EntryError(_REASON_NOT_FINITE.format(field=name, value=_json_constant(value)))
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _EntryError(_REASON_TYPE.format(field=name, expected="en tekst", kind=_kind(value)))
    text = str(value)
    _check_length(name, text)
    return text


def _json_constant(value: float) -> str:
    """How JSON writes a number that is not finite: NaN, Infinity, -Infinity."""
    return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"


def _csl_names(name: str, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _EntryError(_REASON_TYPE.format(field=name, expected="en liste med navn", kind=_kind(value)))
    names = []
    for i, person in enumerate(value, start=1):
        if not isinstance(person, dict):
            raise _EntryError(_REASON_NAME.format(n=i, field=name, problem=f"er {_kind(person)}, ikke et objekt"))
        parts = ("literal",) if person.get("literal") not in (None, "") else _CSL_NAME_PARTS
        checked: dict[str, str] = {}
        for part in parts:
            v = person.get(part)
            if v is None:
                continue
            if not isinstance(v, str):
                raise _EntryError(_REASON_NAME.format(n=i, field=name, problem=f"har «{part}» som {_kind(v)}, ikke tekst"))
            _check_length(name, v)
            if v.strip():
                checked[part] = v
        if checked:
            names.append(checked)
    return names


def _csl_date(name: str, value: Any) -> dict[str, Any] | None:
    """A CSL date with integer date-parts; "2020-05-01" (a text) and {"raw": ...} are read as dates too."""
    if isinstance(value, str):
        return _issued(value) or ({"literal": _csl_text(name, value)} if value.strip() else None)
    if not isinstance(value, dict):
        raise _EntryError(_REASON_TYPE.format(field=name, expected="et objekt med «date-parts»", kind=_kind(value)))
    out: dict[str, Any] = {}
    parts = value.get("date-parts")
    if parts is not None:
        if not isinstance(parts, list) or not all(isinstance(p, list) for p in parts):
            raise _EntryError(_REASON_DATE.format(field=name, problem="må ha «date-parts» som en liste av lister med tall"))
        if len(parts) > 2:
            raise _EntryError(_REASON_DATE.format(field=name, problem="har mer enn to datoer i «date-parts»"))
        dates = [_date_parts(name, p) for p in parts if p not in ([], [""], [None])]
        if dates:
            out["date-parts"] = dates
    for extra in ("literal", "raw", "season", "edtf"):
        if value.get(extra) is not None:
            out[extra] = _csl_text(name, value[extra])
    if value.get("circa") is not None:
        out["circa"] = value["circa"] in (True, "1", "true")  # citeproc reads any value but 0 as "ca."
    for text in (out.get("edtf"), out.get("raw")):  # CSL-JSON 1.0.2 "edtf"; citeproc-js "raw"
        if "date-parts" not in out and text:
            out.update({k: v for k, v in (_issued(text) or {}).items() if k not in out})
    out.pop("raw", None)
    out.pop("edtf", None)
    return out if out.get("date-parts") or out.get("literal") else None


def _date_parts(name: str, parts: list[Any]) -> list[int]:
    if len(parts) > 3:
        raise _EntryError(_REASON_DATE.format(field=name, problem="har mer enn år, måned og dag"))
    out = []
    for part, (low, high), what in zip(parts, _DATE_PART_RANGES, _DATE_PART_NAMES, strict=False):
        text = part.strip() if isinstance(part, str) else ""
        if isinstance(part, _BigNumber):
            raise _EntryError(_REASON_DATE.format(field=name, problem=f"har {what} med {_count(part.digits)} sifre"))
        if isinstance(part, float) and not math.isfinite(part):
            raise _EntryError(_REASON_DATE.format(field=name, problem=f"har {what} {_json_constant(part)}, ikke et heltall"))
        if isinstance(part, int) and not isinstance(part, bool):
            number = part
        elif re.fullmatch(r"-?\d{1,5}", text):
            number = int(text)
        else:
            raise _EntryError(_REASON_DATE.format(field=name, problem=f"har {what} som {_kind(part)}, ikke et heltall"))
        if not low <= number <= high:
            raise _EntryError(_REASON_DATE.format(field=name, problem=f"har {what} {number}, utenfor {low}–{high}"))
        out.append(number)
    return out


_Loader = Callable[[str, Path, _Notes], list[Source]]
_LOADERS: Mapping[str, _Loader] = MappingProxyType(
    {".bib": _load_bibtex, ".ris": _load_ris, ".json": _load_csl_json}
)
