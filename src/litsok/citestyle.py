"""How a draft cites, beyond the reference list (`reflist` has the rules and kinds):
«&» in running text and «og» in parentheses, «et al.» mixed with «mfl.», direct
quotations without a page, and cited sources with fields missing in the bibliography."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .check import Citation, Draft, _Known, sentence_spans
from .reflist import (
    BLANDET_ET_AL,
    MANGLER_FELT,
    OG_I_PARENTES,
    OG_TEGN,
    QUOTE_MIN_WORDS,
    SITAT_UTEN_SIDE,
    Finding,
)

if TYPE_CHECKING:  # pragma: no cover
    from .check import CitationCheck

_PAGE_IN = re.compile(r"(?:\bs\.|\bs\b|\bsider?\b|\bsidene\b|\bpp?\.)\s*+\d|\bavsn\.|\bkap\.", re.I)


def style_findings(draft: Draft, text: str, cits: Sequence[Citation]) -> list[Finding]:
    """«&» in running text, «og» in parentheses, «et al.» mixed with «mfl.»."""
    out = []
    for c in cits:
        authors = c.text.split("(")[0] if c.narrative else c.text
        where = draft.location(c.start)
        if c.narrative and "&" in authors:
            fixed = c.text.replace(" & ", " og ").replace("&", "og")
            msg = "«&» står bare inne i parenteser; i løpende tekst skrives «og» (APA 7, 8.17)."
            out.append(Finding(OG_TEGN, where, c.text, msg, fixed, offset=c.start))
        elif not c.narrative and re.search(r"\bog\b", c.text.split(",")[0] if len(c.authors) < 3 else c.text):
            fixed = re.sub(r"\s+og\s+", " & ", c.text)
            msg = "Inne i parentesen skrives «&» mellom forfatterne, ikke «og» (APA 7, 8.17)."
            out.append(Finding(OG_I_PARENTES, where, c.text, msg, fixed, offset=c.start))
    forms: dict[str, list[Citation]] = {"et al.": [], "mfl.": []}
    for c in cits:
        if c.et_al:
            forms["et al." if re.search(r"et\s*al", c.text) else "mfl."].append(c)
    if all(forms.values()):
        few, many = sorted(forms, key=lambda f: (len(forms[f]), f == "et al."))
        locs = tuple(draft.location(c.start) for c in forms[few])
        msg = (
            f"Utkastet bruker både «{many}» ({_n_times(len(forms[many]))}) og «{few}» ({_n_times(len(forms[few]))}). "
            f"Bruk én form gjennom hele teksten, f.eks. «{many}»."
        )
        first = forms[few][0]
        out.append(Finding(BLANDET_ET_AL, locs[0], first.text, msg, re.sub(r"mfl\.|m\.\s?fl\.|et\s*al\.?", many, first.text), locs, first.start))
    return out


def _n_times(n: int) -> str:
    return "1 gang" if n == 1 else f"{n} ganger"


def _quotes(text: str) -> list[tuple[int, int]]:
    """Spans of «…» (the outermost of nested ones) closed within their paragraph."""
    out, depth, start = [], 0, 0
    for m in re.finditer(r"[«»]|\n\s*\n", text):
        ch = m.group(0)
        if ch == "«":
            start = m.start() if depth == 0 else start
            depth += 1
        elif ch == "»" and depth:
            depth -= 1
            if depth == 0:
                out.append((start, m.end()))
        elif ch != "»":
            depth = 0  # a paragraph break: an unclosed «
    return out


def quote_findings(draft: Draft, text: str, cits: Sequence[Citation]) -> list[Finding]:
    """Direct quotations («…» of QUOTE_MIN_WORDS words or more, Markdown `>` blocks)
    cited without a page: the citations of the quote's sentence (or the one right
    after it) have none, and no «(s. 12)» follows. A quote its sentence cites nothing
    for (search terms, the research questions) is left alone."""
    spans = sentence_spans(text, cits)
    starts, ends = [s for s, _ in spans], [e for _, e in spans]
    cit_starts = [c.start for c in cits]  # in order (`parse_citations`)
    out = []
    quotes = [(a, b) for a, b in _quotes(text) if len(text[a:b].split()) >= QUOTE_MIN_WORDS]
    quotes += [(m.start(), m.end()) for m in re.finditer(r"(?m)^>.*+(?:\n>.*+)*+", text)]
    for a, b in quotes:
        i, j = bisect_right(starts, a) - 1, bisect_right(starts, b - 1) - 1
        first = starts[i] if i >= 0 and a < ends[i] else a
        last = ends[j] if j >= 0 and b - 1 < ends[j] else b
        paren = re.match(r"\s*\(([^()]*)\)", text[b : b + 200])
        if paren and _PAGE_IN.search(paren.group(1)):
            continue
        own = list(cits[bisect_left(cit_starts, first) : bisect_right(cit_starts, max(last, b + 5))])
        if not own or any(c.pages for c in own):
            continue
        quoted = " ".join(text[a:b].split())
        shown = quoted if len(quoted) <= 70 else quoted[:60].rsplit(" ", 1)[0] + " …"
        msg = f"Henvisningen {own[-1].text} mangler side: et direkte sitat skal ha sidetall (APA 7, 8.25)."
        out.append(Finding(SITAT_UTEN_SIDE, draft.location(a), shown, msg, offset=a))
    return out




def field_findings(checks: Sequence[CitationCheck], known: Sequence[_Known]) -> list[Finding]:
    """A cited source whose bibliography entry lacks a field its reference needs."""
    from .cite import in_text
    from .model import Source
    from .sources import missing_fields

    by_key = {k.key: k for k in known}
    seen: dict[str, list[str]] = {}
    starts: dict[str, int] = {}
    for ch in checks:
        if ch.source_key in by_key:
            seen.setdefault(ch.source_key, []).append(ch.location)
            starts.setdefault(ch.source_key, ch.citation.start)
    out = []
    for key, locs in seen.items():
        source = Source(key=key, csl=dict(by_key[key].csl))
        missing = missing_fields(source)
        if missing:
            fields = " og ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
            msg = (
                f"Kilden «{key}» mangler {fields} i bibliografien, så referansen blir ufullstendig. "
                f"Fyll inn {'feltene' if len(missing) > 1 else 'feltet'} (i Zotero eller bibliografifilen) og kjør `litsok indekser`."
            )
            out.append(Finding(MANGLER_FELT, locs[0], in_text(source), msg, "", tuple(locs), starts[key]))
    return out
