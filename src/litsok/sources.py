"""Bibliographic metadata: BibTeX, RIS and CSL-JSON files -> `Source` values.

Everything is converted to CSL-JSON (what citeproc formats) at load time, so the
rest of litsok sees one shape. Parsers are imported lazily inside the loader that
needs them. Problems with single entries (a broken entry, a duplicate key, a bad
setting) become Norwegian messages in `Bibliography.problems`; a file that cannot
be read at all raises `BibliographyError`.

Conventions in the CSL dicts made here:
- names are ``{"family", "given"}``; a corporate author is ``{"literal": ...}``;
  BibTeX "and others" becomes the name ``ET_AL_NAME`` (the list continues), which
  `cite` renders as "et al.".
- ``page`` uses a hyphen ("126-139"); citeproc prints it with an en dash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from litsok.errors import BibliographyError
from litsok.model import Source

ET_AL_NAME: dict[str, str] = {"literal": "others"}
FIRST_PAGE_FIELDS = ("litsok_forsteside", "litsok_førsteside", "first_page")

# --- user-facing messages (Norwegian bokmål) ---------------------------------

_MSG_UNKNOWN_FORMAT = (
    "{file}: ukjent filtype «{suffix}». Bruk BibTeX (.bib), RIS (.ris) eller CSL-JSON (.json)."
)
_MSG_UNREADABLE = "{file}: kan ikke leses ({reason}). Sjekk at filen finnes og at du har tilgang."
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
_MSG_ENTRY_FAILED = "{file}, linje {line}: oppføringen{key} kan ikke tolkes og er hoppet over ({reason})."
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
_MSG_NO_ENTRIES = "{file}: inneholder ingen oppføringer."
_MSG_JSON_ENTRY = "{file}: oppføring nr. {n} mangler «id» eller er ikke et JSON-objekt; hoppet over."
_MSG_CP1252 = "{file}: er ikke UTF-8; lest som Windows-1252. Lagre filen som UTF-8 for å være sikker."

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


# --- public API ----------------------------------------------------------------


def load_bibliography(paths: Sequence[Path]) -> Bibliography:
    """Load .bib, .ris and .json files; the first entry with a given key wins.

    Raises `BibliographyError` for a file that is unreadable, of unknown type, or
    whose syntax is broken throughout. Single bad entries become `problems`.
    """
    sources: dict[str, Source] = {}
    problems: list[str] = []
    hashes: dict[str, str] = {}
    for path in paths:
        path = Path(path)
        loader = _LOADERS.get(path.suffix.lower())
        if loader is None:
            raise BibliographyError(_MSG_UNKNOWN_FORMAT.format(file=path, suffix=path.suffix))
        text, note, hashes[str(path)] = _read_text(path)
        if note:
            problems.append(note)
        file_sources, file_problems = loader(text, path)
        problems.extend(file_problems)
        for source in file_sources:
            if source.key in sources:
                first = sources[source.key].origin
                problems.append(_MSG_DUPLICATE_ACROSS.format(file=path, key=source.key, first=first))
                continue
            sources[source.key] = source
    return Bibliography(sources=MappingProxyType(sources), problems=tuple(problems), hashes=MappingProxyType(hashes))


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


def page_range(source: Source) -> tuple[int, int] | None:
    """The source's printed page range from CSL "page": "126-139" -> (126, 139)."""
    return parse_page_range(str(source.csl.get("page", "")))


def parse_page_range(text: str) -> tuple[int, int] | None:
    """"126-139", "126–139", "126--139" -> (126, 139); "45" -> (45, 45); else None."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:[-\u2013\u2014]+\s*(\d+))?\s*", text)
    if not m:
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
        if parts and parts[0] and str(parts[0][0]).lstrip("-").isdigit():
            return int(parts[0][0])
        literal = str(issued.get("literal", ""))
        m = re.search(r"\d{4}", literal)
        return int(m.group()) if m else None
    return None


def _issued(text: str) -> dict[str, Any] | None:
    """"2020", "2020-05-01", "2020/05/01/" -> CSL date; None when no year is found."""
    m = re.search(r"(\d{4})(?:[-/](\d{1,2}))?(?:[-/](\d{1,2}))?", text)
    if not m:
        return None
    parts = [int(g) for g in m.groups() if g]
    return {"date-parts": [parts]}


def _normalize_pages(text: str) -> str:
    """"126--139" / "126–139" / "126 - 139" -> "126-139"."""
    return re.sub(r"\s*[-\u2013\u2014]+\s*", "-", text.strip())


def _read_text(path: Path) -> tuple[str, str, str]:
    """File text (UTF-8, falling back to Windows-1252), a problem note or "", and the SHA-256 of the bytes read."""
    import hashlib

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BibliographyError(_MSG_UNREADABLE.format(file=path, reason=exc.strerror or exc)) from exc
    digest = hashlib.sha256(raw).hexdigest()
    try:
        return raw.decode("utf-8-sig"), "", digest
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), _MSG_CP1252.format(file=path), digest


def _first_page(value: Any, key: str, path: Path, field_name: str) -> tuple[int | None, str]:
    text = str(value).strip()
    if re.fullmatch(r"\d+", text):
        return int(text), ""
    return None, _MSG_BAD_FIRST_PAGE.format(file=path, field=field_name, key=key, value=text)


def _clean(csl: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values."""
    return {k: v for k, v in csl.items() if v not in (None, "", [], {})}


# --- BibTeX ----------------------------------------------------------------------

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

_latex_decoder: Any = None


def _latex_to_unicode(text: str) -> str:
    """"Gjers{\\o}e" -> "Gjersøe", "{\\"o}" -> "ö", "{Unge}" -> "Unge"."""
    global _latex_decoder
    if "\\" not in text and "{" not in text and "~" not in text and "--" not in text:
        return text.strip()
    if _latex_decoder is None:
        from pylatexenc.latex2text import LatexNodes2Text

        _latex_decoder = LatexNodes2Text(math_mode="verbatim")
    decoded = _latex_decoder.latex_to_text(text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", decoded).strip()


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


def _bib_entry_to_source(entry: Any, path: Path) -> tuple[Source, list[str]]:
    problems: list[str] = []
    fields = {k.lower(): f.value for k, f in entry.fields_dict.items()}
    entry_type = entry.entry_type.lower()
    csl_type = _BIB_TYPES.get(entry_type)
    if csl_type is None:  # misc, online, electronic, www, ...
        csl_type = "webpage" if fields.get("url") else "document"
    csl: dict[str, Any] = {"id": entry.key, "type": csl_type}
    for role in ("author", "editor", "translator"):
        names = fields.get(role)
        if isinstance(names, list) and names:
            csl[role] = [_bib_name(p) for p in names]
    for bib_field, csl_var in _BIB_TEXT_FIELDS.items():
        value = fields.get(bib_field)
        if isinstance(value, str) and value.strip() and csl_var not in csl:
            csl[csl_var] = _latex_to_unicode(value)
    for bib_field, csl_var in _BIB_VERBATIM_FIELDS.items():
        value = fields.get(bib_field)
        if isinstance(value, str) and value.strip():
            csl[csl_var] = _unescape_verbatim(value)
    if "DOI" in csl:
        csl["DOI"] = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", csl["DOI"], flags=re.I)
    date = fields.get("date") or fields.get("year")
    if isinstance(date, str):
        csl["issued"] = _issued(date)
    pages = fields.get("pages")
    if isinstance(pages, str):
        csl["page"] = _normalize_pages(_latex_to_unicode(pages.replace("--", "-")))
    if entry_type in _THESIS_GENRE:
        csl["genre"] = _THESIS_GENRE[entry_type]
    files = parse_bibtex_files_field(str(fields["file"])) if fields.get("file") else ()
    first_page = None
    for name in FIRST_PAGE_FIELDS:
        if name in fields:
            first_page, problem = _first_page(fields[name], entry.key, path, name)
            if problem:
                problems.append(problem)
            break
    source = Source(
        key=entry.key, csl=_clean(csl), files=files, origin=str(path), first_page=first_page
    )
    return source, problems


def _load_bibtex(text: str, path: Path) -> tuple[list[Source], list[str]]:
    import logging

    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
    from bibtexparser.model import DuplicateBlockKeyBlock

    bp_logger = logging.getLogger("bibtexparser")
    old_level = bp_logger.level
    bp_logger.setLevel(logging.CRITICAL)  # failures are reported as problems below
    try:
        library = bibtexparser.parse_string(
            text, append_middleware=[SeparateCoAuthors(), SplitNameParts()]
        )
    except Exception as exc:  # the splitter itself gave up
        raise BibliographyError(_MSG_BROKEN_BIB.format(file=path, reason=exc, line="?")) from exc
    finally:
        bp_logger.setLevel(old_level)

    problems: list[str] = []
    failed = library.failed_blocks
    entries = library.entries
    if not entries:
        if failed:
            first = failed[0]
            raise BibliographyError(
                _MSG_BROKEN_BIB.format(
                    file=path, reason=_block_reason(first.error), line=_line(first.start_line)
                )
            )
        if "@" in text and re.search(r"@\s*\w+\s*[{(]", text):
            return [], [_MSG_NO_ENTRIES.format(file=path)]
        if text.strip():
            raise BibliographyError(
                _MSG_BROKEN_BIB.format(file=path, reason="ingen @-oppføringer funnet", line=1)
            )
        return [], [_MSG_NO_ENTRIES.format(file=path)]

    for block in failed:
        if isinstance(block, DuplicateBlockKeyBlock):
            problems.append(
                _MSG_DUPLICATE_IN_FILE.format(file=path, line=_line(block.start_line), key=block.key)
            )
        else:
            problems.append(
                _MSG_ENTRY_FAILED.format(
                    file=path,
                    line=_line(block.start_line),
                    key=_raw_key(block.raw),
                    reason=_block_reason(block.error),
                )
            )
    sources: list[Source] = []
    for entry in entries:
        try:
            source, entry_problems = _bib_entry_to_source(entry, path)
        except Exception as exc:  # one odd entry must not stop the rest
            problems.append(
                _MSG_ENTRY_FAILED.format(
                    file=path,
                    line=_line(entry.start_line),
                    key=f" «{entry.key}»",
                    reason=_short_error(exc),
                )
            )
            continue
        sources.append(source)
        problems.extend(entry_problems)
    return sources, problems


def _line(start_line: int | None) -> str:
    return "?" if start_line is None else str(start_line + 1)  # bibtexparser counts from 0


def _raw_key(raw: str | None) -> str:
    m = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)\s*,", raw or "")
    return f" «{m.group(1)}»" if m else ""


def _block_reason(exc: Any) -> str:
    from bibtexparser.exceptions import ParsingException

    return _REASON_SYNTAX if isinstance(exc, ParsingException) else _short_error(exc)


def _short_error(exc: Any) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --- RIS -------------------------------------------------------------------------

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


def _ris_record_to_csl(rec: Mapping[str, Any], key: str) -> dict[str, Any]:
    ris_type = str(rec.get("type_of_reference", "GEN")).upper()
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
    csl["title"] = rec.get("title") or rec.get("primary_title") or ""
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
        csl["issued"] = _issued(str(date))
    sp, ep = str(rec.get("start_page", "")).strip(), str(rec.get("end_page", "")).strip()
    if sp:
        csl["page"] = _normalize_pages(f"{sp}-{ep}" if ep and ep != sp else sp)
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


def _ris_key(rec: Mapping[str, Any], taken: set[str]) -> str:
    given = str(rec.get("id", "")).strip()
    if given:
        return given
    names = list(rec.get("authors", [])) + list(rec.get("first_authors", []))
    family = names[0].split(",")[0] if names else str(rec.get("title", "kilde")).split(" ")[0]
    year = re.search(r"\d{4}", str(rec.get("year") or rec.get("publication_year") or rec.get("date") or ""))
    base = re.sub(r"\W+", "", family.lower()) + (year.group() if year else "")
    key, n = base or "kilde", 0
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + n)}" if n < 26 else f"{base}_{n}"
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


def _load_ris(text: str, path: Path) -> tuple[list[Source], list[str]]:
    import rispy

    mapping = dict(rispy.TAG_KEY_MAPPING)
    mapping["ED"] = "editors"
    list_tags = [*rispy.LIST_TYPE_TAGS, "ED", "L1", "L2"]
    try:
        records = rispy.loads(text, mapping=mapping, list_tags=list_tags, skip_unknown_tags=True)
    except Exception as exc:
        raise BibliographyError(_MSG_BROKEN_RIS.format(file=path)) from exc
    if not records:
        if text.strip():
            raise BibliographyError(_MSG_BROKEN_RIS.format(file=path))
        return [], [_MSG_NO_ENTRIES.format(file=path)]
    sources: list[Source] = []
    problems: list[str] = []
    taken: set[str] = set()
    for n, rec in enumerate(records, start=1):
        key = _ris_key(rec, taken)
        if key in taken:
            problems.append(_MSG_DUPLICATE_IN_FILE.format(file=path, line=f"oppføring {n}", key=key))
            continue
        taken.add(key)
        try:
            csl = _ris_record_to_csl(rec, key)
        except Exception as exc:
            problems.append(
                _MSG_ENTRY_FAILED.format(file=path, line=f"oppføring {n}", key=f" «{key}»", reason=exc)
            )
            continue
        files = _ris_files(rec)
        sources.append(Source(key=key, csl=csl, files=files, origin=str(path)))
    return sources, problems


# --- CSL-JSON ----------------------------------------------------------------------


def _load_csl_json(text: str, path: Path) -> tuple[list[Source], list[str]]:
    try:
        data = json.loads(text) if text.strip() else []
    except json.JSONDecodeError as exc:
        reason = f"linje {exc.lineno}: {exc.msg}"
        raise BibliographyError(_MSG_BROKEN_JSON.format(file=path, reason=reason)) from exc
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    if isinstance(data, dict) and "id" in data:
        data = [data]
    if not isinstance(data, list):
        raise BibliographyError(_MSG_BROKEN_JSON.format(file=path, reason="ikke en liste"))
    if not data:
        return [], [_MSG_NO_ENTRIES.format(file=path)]
    sources: list[Source] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not str(item.get("id", "")).strip():
            problems.append(_MSG_JSON_ENTRY.format(file=path, n=n))
            continue
        csl = dict(item)
        key = str(csl["id"]).strip()
        csl["id"] = key
        csl.setdefault("type", "document")
        first_page = None
        for name in FIRST_PAGE_FIELDS:
            if name in csl:
                first_page, problem = _first_page(csl.pop(name), key, path, name)
                if problem:
                    problems.append(problem)
        if isinstance(csl.get("page"), (str, int)):
            csl["page"] = _normalize_pages(str(csl["page"]))
        # CSL-JSON has no attachment variable (Zotero's export leaves files out); a
        # "file" written like BibTeX's (by hand or by another tool) is read as one.
        file_value = csl.pop("file", None)
        files = parse_bibtex_files_field(file_value) if isinstance(file_value, str) else ()
        if key in seen:
            problems.append(_MSG_DUPLICATE_IN_FILE.format(file=path, line=f"oppføring {n}", key=key))
            continue
        seen.add(key)
        sources.append(Source(key=key, csl=csl, files=files, origin=str(path), first_page=first_page))
    return sources, problems


_Loader = Callable[[str, Path], tuple[list[Source], list[str]]]
_LOADERS: Mapping[str, _Loader] = MappingProxyType(
    {".bib": _load_bibtex, ".ris": _load_ris, ".json": _load_csl_json}
)

