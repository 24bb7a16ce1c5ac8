"""The draft's own reference list, cross-checked against its in-text citations.

`sjekk` reads the list from the draft itself (.md, .txt or .docx): a heading
«Litteratur», «Litteraturliste», «Referanser», «Kilder» (Markdown ``#``, a Word heading
or a short paragraph of its own, bold or not; the last one in the draft) followed by
entries, one APA entry a paragraph or hard-wrapped over several lines. An entry is
matched to the citations by its first author's family name and year (with letter,
"2020a"), case- and accent-insensitive (`check.fold`), and to the index's sources.

The findings (`Finding.kind`), each with the rule it comes from (the ones about the
running text are made in `citestyle`):

- ``mangler_i_listen``: a citation without an entry (APA 7, 8.4: every work cited in
  the text is in the list);
- ``ikke_sitert``: an entry never cited (APA 7, 8.4: and every entry is cited);
- ``feil_år``: the same author with another year in the text and in the list, or in the
  list and in the index: both years are named;
- ``stavemåte``: a family name in the text that is one or two letters from the list's
  (Levenshtein distance at most `SPELLING_DISTANCE`; 1 for names under 5 letters);
- ``og_tegn_i_teksten``: «&» in running text ("Røkenes & Hanssen (2012)"), and
  ``og_i_parentes``: «og» inside a parenthesis (APA 7, 8.17; Norwegian APA manual:
  «og» in the text, «&» in parentheses and in the list);
- ``blandet_et_al``: «et al.» and «mfl.» both used in one draft (the Norwegian APA
  manual allows either, one of them throughout);
- ``sitat_uten_side``: a direct quotation («…» of `QUOTE_MIN_WORDS` words or more, or a
  Markdown ``>`` block) with no page in its citation (APA 7, 8.25);
- ``mangler_felt``: a cited source whose bibliography entry lacks a field its reference
  needs (`sources.missing_fields`), named;
- ``ingen_liste``: citations, but no reference list found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .check import Citation, Draft, _Known, flatten, fold, parse_citations

if TYPE_CHECKING:  # pragma: no cover
    from .check import CitationCheck

MANGLER = "mangler_i_listen"
IKKE_SITERT = "ikke_sitert"
FEIL_AAR = "feil_år"
STAVEMAATE = "stavemåte"
OG_TEGN = "og_tegn_i_teksten"
OG_I_PARENTES = "og_i_parentes"
BLANDET_ET_AL = "blandet_et_al"
SITAT_UTEN_SIDE = "sitat_uten_side"
MANGLER_FELT = "mangler_felt"
INGEN_LISTE = "ingen_liste"
KINDS = (
    MANGLER, IKKE_SITERT, FEIL_AAR, STAVEMAATE, OG_TEGN, OG_I_PARENTES,
    BLANDET_ET_AL, SITAT_UTEN_SIDE, MANGLER_FELT, INGEN_LISTE,
)  # fmt: skip

SPELLING_DISTANCE = 2  # the brief's "edit distance ≤ 2 on the family name"
QUOTE_MIN_WORDS = 4  # «…» shorter than this is a term or a scare quote, not a quotation
_CONTEXT_CHARS = 300  # text before a year-only citation "(1972, s. 29)" searched for its author

_UP = "A-ZÆØÅÄÖÜÉÈÁÀÓÍÚÑČŠŽ"
_HEADING = re.compile(
    r"^\s*+(?:#{1,6}\s*+)?(?:\*\*|__)?\s*+(?:\d{1,2}(?:\.\d{1,2})*\.?\s++)?(?:\*\*|__)?"
    r"(?P<word>litteraturliste|litteratur|referanseliste|referanser|kildeliste|kilder|bibliografi"
    r"|litteratur-\s*og\s*kildeliste|kilde-\s*og\s*litteraturliste|references|reference\s+list)"
    r"\s*+:?\s*+(?:\*\*|__)?\s*+$",
    re.I,
)
_AFTER_LIST = re.compile(r"^\s*+(?:#{1,6}\s|(?:\*\*)?(?:vedlegg|appendiks|appendix)\b)", re.I)
_YEAR = r"(?:1[5-9]|20)\d\d[a-zæøå]?(?:\s*+[-–/]\s*+(?:1[5-9]|20)\d\d)?|u\.\s?å\.?(?:-[a-zæøå])?|i\s++trykk"
_ENTRY_HEAD = re.compile(
    rf"^(?P<head>[\w{_UP}'’][^()\n]{{0,300}}?(?:\((?:Red|Reds|Ed|Eds|Komp)\.\)\.?)?)\s*+"
    rf"\((?P<year>{_YEAR})(?:,[^()\n]{{0,40}})?\)",
    re.U,
)
_NAME_INITIAL = re.compile(rf"^(?:van |von |de |der |den |la |le ){{0,3}}[{_UP}][\w'’-]*(?: [{_UP}][\w'’-]*){{0,3}},\s++[{_UP}]\.")
_LINE = re.compile(r"[^\n]*+")
_MARKER = re.compile(r"^\s*+(?:[-*•]|\d{1,3}[.)])\s++")
_INITIALS = re.compile(rf"^(?:[{_UP}][a-zæøå]?\.[\s-]*)+$")
_NAME_SEP = re.compile(r",\s*+(?:&\s*+|og\s++)?|\s++&\s++|\s++og\s++")


@dataclass(frozen=True)
class Entry:
    """One entry of the draft's reference list, as written."""

    text: str
    location: str  # "linje 412" / "avsnitt 88"
    start: int  # offset in the draft text
    families: tuple[str, ...]  # family names (or the organisation) as written
    year: str  # "2020", "2020a", "2019–2023", "u.å."

    def to_json(self) -> dict[str, Any]:
        return {"tekst": self.text, "sted": self.location, "forfattere": list(self.families), "år": self.year}


@dataclass(frozen=True)
class Finding:
    """One thing to fix in the draft's citations or reference list."""

    kind: str  # one of KINDS
    location: str  # where it is first seen
    text: str  # the citation or entry as written
    message: str  # Norwegian: what is wrong and what to do
    suggestion: str = ""  # what to write instead, when litsok knows
    locations: tuple[str, ...] = ()  # every place it is seen
    offset: int = 0  # in the draft text, for the order of the report

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind, "sted": self.location, "tekst": self.text, "merknad": self.message,
            "forslag": self.suggestion, "steder": list(self.locations or (self.location,)),
        }  # fmt: skip


@dataclass(frozen=True)
class ReferenceListReport:
    """The draft's reference list (`heading` "" when none was found) and the findings."""

    heading: str
    location: str
    entries: tuple[Entry, ...]
    findings: tuple[Finding, ...]
    entry_keys: tuple[str | None, ...] = field(default=())  # the index source of each entry

    def summary(self) -> str:
        n_entries = f"{len(self.entries)} {'oppføring' if len(self.entries) == 1 else 'oppføringer'}"
        where = f"«{self.heading}» ({self.location}), {n_entries}" if self.heading else "ingen funnet"
        n = len(self.findings)
        return f"Litteraturliste: {where}; {n} {'merknad' if n == 1 else 'merknader'}."

    def to_json(self) -> dict[str, Any]:
        keys = self.entry_keys or (None,) * len(self.entries)
        return {
            "overskrift": self.heading or None,
            "sted": self.location or None,
            "oppføringer": [e.to_json() | {"kilde": k} for e, k in zip(self.entries, keys, strict=True)],
            "merknader": [f.to_json() for f in self.findings],
        }


# --------------------------------------------------------------------------- reading the list


def list_start(text: str) -> tuple[int, int, str]:
    """(offset of the heading line, offset after it, heading as written) of the draft's
    reference list: the last heading line followed by at least one entry; (len, len, "")
    when there is none."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for i in range(len(starts) - 1, -1, -1):
        a = starts[i]
        b = starts[i + 1] if i + 1 < len(starts) else len(text)
        line = text[a:b]
        if len(line) < 60 and _HEADING.match(line) and read_entries(text, b):
            return a, b, " ".join(line.strip("#*_ \n").split())
    return len(text), len(text), ""


def read_entries(text: str, start: int) -> list[tuple[int, str]]:
    """(offset, text) of each entry after `start`, up to the next heading or «Vedlegg»."""
    entries: list[tuple[int, list[str]]] = []
    for m in _LINE.finditer(text, start):  # lazily: stops at the first line that is no entry
        at, line = m.start(), m.group(0)
        if _AFTER_LIST.match(line) and entries:
            break
        body = _MARKER.sub("", line).strip()
        if not body:
            continue
        if _ENTRY_HEAD.match(body) or _NAME_INITIAL.match(body) or not entries:
            if not (_ENTRY_HEAD.match(body) or _NAME_INITIAL.match(body)):
                return []  # the first line after the heading is no entry: no list here
            entries.append((at, [body]))
        else:
            entries[-1][1].append(body)
    return [(at, _join(parts)) for at, parts in entries]


def _join(parts: list[str]) -> str:
    out = parts[0]
    for p in parts[1:]:
        out = out[:-1] + p if out.endswith("-") and p[:1].islower() else f"{out} {p}"
    return " ".join(out.split())


def parse_entry(text: str) -> tuple[tuple[str, ...], str]:
    """(family names, year) of an APA entry: "Røkenes, O. H. & Hanssen, P.-H. (2012). …"
    -> (("Røkenes", "Hanssen"), "2012"); an organisation stands as one name."""
    m = _ENTRY_HEAD.match(text)
    if not m:
        return (), ""
    head = re.sub(r"\((?:Red|Reds|Ed|Eds|Komp)\.\)\.?", "", m.group("head")).strip().rstrip(".").strip()
    tokens = [t.strip() for t in _NAME_SEP.split(head) if t and t.strip()]
    if any(_INITIALS.match(t + ("." if not t.endswith(".") else "")) for t in tokens[1:]):
        families = tuple(t for t in tokens if not _INITIALS.match(t + ("" if t.endswith(".") else ".")))
        families = tuple(f for f in families if f not in ("…", "...") and not f.startswith("et al"))
    elif "&" in head or (" og " in head and not re.search(r"-\s+og\s", head)):
        families = tuple(t.rstrip(".") for t in tokens)  # "Røkenes & Hanssen (2012)": no initials
    else:
        families = (head,)  # an organisation: "Helse- og omsorgsdepartementet"
    return families, norm_year(m.group("year"))


def norm_year(year: str) -> str:
    y = re.sub(r"\s+", "", year)
    y = re.sub(r"(\d)[-/–](\d)", "\\1\u2013\\2", y)
    return "u.å." + y[4:] if y.startswith("u.") and len(y) > 4 and y[4] == "-" else ("u.å." if y.startswith("u.") else y)


def read_reference_list(draft: Draft) -> tuple[str, str, list[Entry]]:
    """(heading, location, entries) of the draft's reference list; ("", "", []) if none."""
    a, b, heading = list_start(draft.text)
    if not heading:
        return "", "", []
    entries = []
    for at, text in read_entries(draft.text, b):
        families, year = parse_entry(text)
        entries.append(Entry(text, draft.location(at), at, families, year))
    return heading, draft.location(a), entries


# --------------------------------------------------------------------------- matching


def distance(a: str, b: str) -> int:
    """Levenshtein distance (names are short)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _close(a: str, b: str) -> bool:
    limit = SPELLING_DISTANCE if min(len(a), len(b)) >= 5 else 1
    return a != b and abs(len(a) - len(b)) <= limit and distance(a, b) <= limit


def _year4(year: str) -> str:
    m = re.match(r"\d{4}", year)
    return m.group(0) if m else year


def _who(c: Citation) -> str:
    return c.authors[0] + (" et al." if c.et_al else "") if c.authors else ""


@dataclass
class _Group:
    """The citations of one (author, year) as written."""

    first: Citation
    author: str  # folded family name of the first author
    year: str
    locations: list[str]


def _groups(draft: Draft, cits: Sequence[Citation], entries: Sequence[Entry], text: str) -> list[_Group]:
    """Citations grouped by first author and year; a year-only citation takes the author
    of an entry with that year named just before it (or is left out)."""
    groups: dict[tuple[str, str], _Group] = {}
    for c in cits:
        author = fold(c.authors[0]) if c.authors else _author_before(c, entries, text)
        if not author:
            continue
        g = groups.setdefault((author, c.year), _Group(c, author, c.year, []))
        g.locations.append(draft.location(c.start))
    return list(groups.values())


def _author_before(c: Citation, entries: Sequence[Entry], text: str) -> str:
    words = {fold(w) for w in re.findall(r"[\w'’-]+", text[max(0, c.start - _CONTEXT_CHARS) : c.start])}
    hits = {fold(e.families[0]) for e in entries if e.families and _year4(e.year) == _year4(c.year)}
    found = sorted(hits & words)
    return found[0] if len(found) == 1 else ""


def _entry_for(g: _Group, entries: Sequence[Entry]) -> tuple[Entry | None, str]:
    """The entry a group of citations points at, and how: "" (exact), FEIL_AAR, STAVEMAATE."""
    same = [e for e in entries if e.families and fold(e.families[0]) == g.author]
    exact = [e for e in same if e.year == g.year] or [e for e in same if _year4(e.year) == _year4(g.year)]
    if exact:
        return exact[0], ""
    near = [e for e in entries if e.families and _close(fold(e.families[0]), g.author)]
    near_year = [e for e in near if _year4(e.year) == _year4(g.year)]
    if near_year:
        return near_year[0], STAVEMAATE
    if len(same) == 1:
        return same[0], FEIL_AAR
    return None, ""


def _times(locations: Sequence[str]) -> str:
    return "" if len(locations) == 1 else f" ({len(locations)} henvisninger)"


def _mentioned(e: Entry, compact: str) -> bool:
    """Is an entry named with its year in the text, in a form that is no APA citation
    ("Meld. St. 33 (2015–2016)")? `compact` is the folded text without whitespace."""
    if not e.families:
        return False
    name = re.escape(re.sub(r"\s+", "", fold(e.families[0])))
    return re.search(rf"{name}.{{0,15}}?{re.escape(_year4(e.year))}", compact) is not None


def cross_check(
    draft: Draft, text: str, cits: Sequence[Citation], entries: Sequence[Entry], suggest: dict[tuple[str, str], str]
) -> list[Finding]:
    """Citations (in `text`, the draft before its list) against entries: missing,
    uncited, wrong year, misspelt.

    `suggest` maps (folded author, year) of a citation to the entry to add (from the
    index), when the index knows the source."""
    cited: set[int] = set()
    out = []
    for g in _groups(draft, cits, entries, text):
        entry, how = _entry_for(g, entries)
        shown, locs = g.first.text, tuple(g.locations)
        if entry is not None:
            cited.add(entry.start)
        if entry is None:
            add = suggest.get((g.author, _year4(g.year)), "")
            hint = f" Legg til: {add}" if add else " Legg den til i litteraturlisten, eller rett henvisningen."
            msg = f"{shown}{_times(locs)} har ingen oppføring i litteraturlisten.{hint}"
            out.append(Finding(MANGLER, locs[0], shown, msg, add, locs, g.first.start))
        elif how == FEIL_AAR:
            msg = f"Teksten har {_who(g.first) or entry.families[0]} ({g.year}){_times(locs)}, litteraturlisten har {entry.families[0]} ({entry.year}) ({entry.location}). Rett det som er feil."
            out.append(Finding(FEIL_AAR, locs[0], shown, msg, shown.replace(g.year, entry.year), locs, g.first.start))
        elif how == STAVEMAATE:
            wrong = g.first.authors[0] if g.first.authors else g.author
            msg = f"Teksten skriver «{wrong}»{_times(locs)}, litteraturlisten «{entry.families[0]}» ({entry.location}). Rett den som er feil."
            fixed = re.sub(r"-\s*".join(map(re.escape, wrong.split("-"))), entry.families[0], shown)
            out.append(Finding(STAVEMAATE, locs[0], shown, msg, fixed, locs, g.first.start))
    compact = re.sub(r"\s+", "", fold(text))
    for e in entries:
        if e.start not in cited and not _mentioned(e, compact):
            msg = "Oppføringen er ikke sitert i teksten (APA 7, 8.4). Fjern den, eller henvis til den der du bruker den."
            out.append(Finding(IKKE_SITERT, e.location, e.text, msg, offset=e.start))
    return out


def index_years(entries: Sequence[Entry], known: Sequence[_Known]) -> tuple[list[str | None], list[Finding]]:
    """The index source of each entry (first family + year), and the entries whose author
    the index has with another year only."""
    keys: list[str | None] = []
    out = []
    for e in entries:
        fam = fold(e.families[0]) if e.families else ""
        same = [k for k in known if k.families and k.families[0] == fam]
        exact = [k for k in same if k.year == _year4(e.year)]
        keys.append(exact[0].key if exact else None)
        if same and not exact:
            years = ", ".join(sorted({k.year for k in same}))
            msg = f"Litteraturlisten har {e.families[0]} ({e.year}), bibliografien i korpuset har år {years} ({same[0].key})."
            out.append(Finding(FEIL_AAR, e.location, e.text, msg, offset=e.start))
    return keys, out


# --------------------------------------------------------------------------- the whole check


def check_reference_list(
    draft: Draft, known: Sequence[_Known] = (), checks: Sequence[CitationCheck] = ()
) -> ReferenceListReport:
    """Read the draft's reference list and cross-check it with the draft's citations
    (before the list) and, through `checks` and `known`, with the index's sources."""
    heading, location, entries = read_reference_list(draft)
    body_end = list_start(draft.text)[0]
    text = flatten(draft.text[:body_end])
    cits = parse_citations(text)
    findings: list[Finding] = []
    keys: list[str | None] = [None] * len(entries)
    if heading:
        findings += cross_check(draft, text, cits, entries, _suggestions(checks, known))
        keys, wrong = index_years(entries, known)
        findings += wrong
    elif cits:
        msg = (
            "Fant ingen litteraturliste (en overskrift «Litteratur», «Litteraturliste», «Referanser» eller "
            "«Kilder» på egen linje, fulgt av oppføringene). Legg den til sist i utkastet, eller lag den med `litsok referanser --fra`."
        )
        findings.append(Finding(INGEN_LISTE, draft.location(len(draft.text)), "", msg, offset=len(draft.text)))
    from .citestyle import field_findings, quote_findings, style_findings

    findings += style_findings(draft, text, cits)
    findings += quote_findings(draft, text, cits)
    findings += field_findings(checks, known)
    findings.sort(key=lambda f: (f.offset, KINDS.index(f.kind)))
    return ReferenceListReport(heading, location, tuple(entries), tuple(findings), tuple(keys))


def _suggestions(checks: Sequence[CitationCheck], known: Sequence[_Known]) -> dict[tuple[str, str], str]:
    """(folded author, year) of each citation the index resolves -> its APA entry."""
    from .cite import reference_entry
    from .model import Source

    by_key = {k.key: k for k in known}
    out = {}
    for ch in checks:
        k = by_key.get(ch.source_key or "")
        if k and ch.citation.authors:
            key = (fold(ch.citation.authors[0]), _year4(ch.citation.year))
            if key not in out:
                out[key] = reference_entry(Source(key=k.key, csl=dict(k.csl)))
    return out
