"""Printed page numbers: from per-page evidence to one consistent sequence.

Pure functions, no PDF in sight, so every rule is testable on lists of
strings. `ingest.pdf` collects the evidence (numbers standing at the start or
end of running header/footer lines) and calls `infer_printed_labels`.

The idea: a printed page number is `pdf page index + offset`. Each number seen
on a page votes for one offset; the offset most pages agree on wins, and every
page gets its label from it, so a first page without a number, a number
misread on one page, or a stray year in a header do not matter. Roman-numbered
front matter gets its own (roman) offset in the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .model import ORIGIN_BIB, ORIGIN_PAGELABELS, ORIGIN_PDF_INDEX, ORIGIN_PRINTED, ORIGIN_SETTING

_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_ROMAN_RE = re.compile(r"^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ARABIC_RE = re.compile(r"^\d{1,5}$")


@dataclass(frozen=True)
class Numbering:
    """The printed label of every page, or "" where no label could be given."""

    labels: tuple[str, ...]
    supported: int  # pages whose own printed number agrees with the sequence
    disagreeing: tuple[int, ...] = ()  # page indices whose printed number did not fit


def roman_to_int(token: str) -> int | None:
    """Parse a roman numeral: "xii" -> 12; None for anything that is not a lowercase roman numeral."""
    if not token or not _ROMAN_RE.match(token):
        return None
    total = 0
    prev = 0
    for ch in reversed(token):
        val = _ROMAN_VALUES[ch]
        total = total - val if val < prev else total + val
        prev = max(prev, val)
    return total


def int_to_roman(value: int) -> str:
    """12 -> "xii" (lowercase, as front matter is printed)."""
    parts = [
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ]  # fmt: skip
    out = []
    for val, sym in parts:
        while value >= val:
            out.append(sym)
            value -= val
    return "".join(out)


def parse_number(token: str) -> tuple[str, int] | None:
    """A page-number token -> ("arabic", 126) / ("roman", 12); None otherwise."""
    token = token.strip()
    if _ARABIC_RE.match(token):
        value = int(token)
        return ("arabic", value) if value > 0 else None
    value_r = roman_to_int(token)
    if value_r is not None:
        return ("roman", value_r)
    return None


def sequential_labels(first: int, count: int) -> tuple[str, ...]:
    """first=126, count=3 -> ("126", "127", "128")."""
    return tuple(str(first + i) for i in range(count))


def is_default_numbering(labels: Sequence[str]) -> bool:
    """True when labels are just "1", "2", ... (what a PDF without /PageLabels reports)."""
    return all(label == str(i + 1) for i, label in enumerate(labels))


def _best_offset(votes: Sequence[Sequence[int]]) -> tuple[int, int] | None:
    """votes[i] = numbers seen on page i -> (offset, support) most pages agree on.

    Ties go to the offset supported earliest in the document."""
    support: Counter[int] = Counter()
    first_seen: dict[int, int] = {}
    for i, numbers in enumerate(votes):
        for off in {n - i for n in numbers}:
            support[off] += 1
            first_seen.setdefault(off, i)
    if not support:
        return None
    off, count = max(support.items(), key=lambda kv: (kv[1], -first_seen[kv[0]]))
    return off, count


def _enough(support: int, pages: int) -> bool:
    """Is `support` agreeing pages out of `pages` a sequence rather than chance?"""
    if pages <= 2:
        return support >= 1
    return support >= 2 and support * 4 >= pages


def infer_printed_labels(candidates: Sequence[Sequence[str]]) -> Numbering | None:
    """Per-page candidate number tokens -> the one consistent printed sequence.

    `candidates[i]` are the tokens (e.g. "126", "xii") read from the running
    header/footer lines of page i, in any order, possibly wrong or empty.
    Returns None when no offset is supported by enough pages (see `_enough`).
    Pages before the arabic sequence get roman labels when roman numbers
    printed in the front matter support a roman sequence.
    """
    n = len(candidates)
    if n == 0:
        return None
    arabic: list[list[int]] = [[] for _ in range(n)]
    roman: list[list[int]] = [[] for _ in range(n)]
    for i, tokens in enumerate(candidates):
        for tok in tokens:
            parsed = parse_number(tok)
            if parsed is None:
                continue
            kind, value = parsed
            (arabic if kind == "arabic" else roman)[i].append(value)

    best_a = _best_offset(arabic)
    best_r = _best_offset(roman)
    off_a = best_a[0] if best_a and _enough(best_a[1], n) else None
    off_r = best_r[0] if best_r and _enough(best_r[1], n) else None
    if off_a is None and off_r is None:
        return None

    # Where the arabic sequence starts: the first page that prints a number of it
    # (pages before it belong to the front matter when it is roman-numbered).
    first_a = next((i for i in range(n) if off_a is not None and (i + off_a) in arabic[i]), n)
    last_r = max((i for i in range(n) if off_r is not None and (i + off_r) in roman[i]), default=-1)

    labels: list[str] = []
    supported = 0
    disagreeing: list[int] = []
    for i in range(n):
        label = ""
        in_front = off_r is not None and i + off_r >= 1 and (i <= last_r or i < first_a)
        if off_a is not None and i >= first_a:
            in_front = False
        if in_front and off_r is not None:
            label = int_to_roman(i + off_r)
            ok = (i + off_r) in roman[i]
            seen = bool(roman[i] or arabic[i])
        elif off_a is not None and i + off_a >= 1:
            label = str(i + off_a)
            ok = (i + off_a) in arabic[i]
            seen = bool(arabic[i])
        else:
            ok, seen = False, False
        supported += ok
        if seen and not ok:
            disagreeing.append(i)
        labels.append(label)
    return Numbering(labels=tuple(labels), supported=supported, disagreeing=tuple(disagreeing))


# --------------------------------------------------------------------------- running headers and footers

EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be header/footer

_NUM_TOKEN = r"(\d{1,5}|[ivxlcdm]{1,8})"
_LEAD_NUM = re.compile(rf"^(?:side|s\.)?\s*[-–—|]?\s*{_NUM_TOKEN}(?=\s|$|[-–—|])")
_TRAIL_NUM = re.compile(rf"(?:^|\s|[-–—|]){_NUM_TOKEN}\s*[-–—|]?$")
_ONLY_NUM = re.compile(rf"^(?:side|s\.)?\s*[-–—|]?\s*{_NUM_TOKEN}\s*[-–—|]?$", re.IGNORECASE)


def _shape(line: str) -> str:
    """A line with its numbers blanked, to see repetition across pages."""
    s = line.lower().strip()
    s = re.sub(r"\d+", "#", s)
    # letter-spaced capitals ("C U M M I N G S", in OCR layers spaced differently on every page)
    s = re.sub(r"(?<!\S)(?:[^\W\d_] ){2,}[^\W\d_](?!\S)", lambda m: m.group(0).replace(" ", ""), s)
    s = re.sub(r"(?<![\w])[ivxlcdm]{1,8}(?![\w])", lambda m: "#" if parse_number(m.group(0)) else m.group(0), s)
    return re.sub(r"\s+", "", s)


_PAGE_OF = re.compile(r"(?:^|\b)(?:page|side|s\.|p\.)?\s*(\d{1,4})\s*(?:of|av|/)\s*\d{1,4}\s*$", re.IGNORECASE)


CHAPTER_HYPHEN = "\u2011"
_CHAPTER_PAGE = re.compile(r"(?:^|\s)(\d{1,2}[-–]\d{1,3})(?:\s|$)")


def _number_tokens(line: str) -> list[str]:
    s = line.strip()
    chapter = _CHAPTER_PAGE.search(s)
    if chapter and (chapter.start() == 0 or chapter.end() == len(s)):
        # "7-45": chapter 7, page 45, one label; written with a non-breaking hyphen (U+2011),
        # which looks the same in the citation but is never read as the page range 7–45
        return [re.sub("[-–]", CHAPTER_HYPHEN, chapter.group(1))]
    page_of = _PAGE_OF.search(s)
    if page_of and re.search(r"\b(?:page|side|of|av)\b", s, re.IGNORECASE):
        return [page_of.group(1)]  # "Page 9 of 11": the page is 9, never 11
    out = []
    for rx in (_LEAD_NUM, _TRAIL_NUM):
        m = rx.search(s if rx is _TRAIL_NUM else s.lower())
        if m and not (len(m.group(1)) == 1 and m.group(1).isalpha()):
            # a one-letter roman number beside words is a word ("DB2 for i", "arbeid i")
            out.append(m.group(1))
    return out


def _only_number(line: str) -> str:
    """The page number a line consists of ("126", "– 126 –", "s. 126", "xii"), or ""."""
    only = _ONLY_NUM.match(line.strip())
    token = only.group(1).lower() if only else ""
    return token if token and parse_number(token) else ""


def margin_numbers(line: str) -> list[str]:
    """Page-number tokens of a short line standing apart from the body (a stamp, a turned header)."""
    only = _only_number(line)
    if only:
        return [only]
    return _number_tokens(line) if len(line.strip()) <= 60 else []


def _edges(lines: Sequence[str]) -> list[int]:
    n = len(lines)
    idx = list(range(min(EDGE_LINES, n))) + list(range(max(n - EDGE_LINES, 0), n))
    return sorted(set(idx))


_STAMP_LINE = re.compile(
    r"downloaded from|downloaded by|lastet ned fra|this content downloaded|all rights reserved|alle rettigheter|"
    r"for personal use only|printed in usa|licen[cs]ed under|creative commons|^©|copyright ©",
    re.IGNORECASE,
)
_GARBLED_NUM = re.compile(r"^[-–—|\s]*(?=[^\s]*\d)[\dlIOoSZB|]{1,5}[-–—|\s]*$")
# only a short line can be a garbled page number; on a long run of «|» the pattern's lookahead is quadratic
_GARBLED_NUM_CHARS = 40


def split_running_lines(
    pages: Sequence[Sequence[str]], edges: Sequence[set[int] | None] | None = None
) -> tuple[list[list[str]], list[list[str]]]:
    """Per page: (body lines without running header/footer, number tokens read from them).

    `edges[i]` are the indices of the lines of page i that stand in the header
    or footer margin (known from the layout); where it is None, the first and
    last `EDGE_LINES` lines are taken. Among those, a header/footer line is one
    that repeats on another page once its numbers are blanked ("46 Sosialfaglig
    tidsskrift" / "48 Sosialfaglig tidsskrift"), or that is only a page number
    ("126", "– 126 –", "s. 126", or a misread one like "1Z6").
    """
    edge_sets: list[set[int]] = []
    for k, lines in enumerate(pages):
        given = edges[k] if edges is not None and k < len(edges) else None
        edge_sets.append(set(given) if given is not None else set(_edges(lines)))
    shapes: Counter[str] = Counter()
    for lines, edge in zip(pages, edge_sets, strict=True):
        for shape in {_shape(lines[i]) for i in edge if i < len(lines)}:
            shapes[shape] += 1
    bodies: list[list[str]] = []
    tokens: list[list[str]] = []
    for lines, edge in zip(pages, edge_sets, strict=True):
        drop: set[int] = set()
        toks: list[str] = []
        for i in sorted(j for j in edge if j < len(lines)):
            line = lines[i].strip()
            token = _only_number(line)
            if token:
                drop.add(i)
                toks.append(token)
            elif _STAMP_LINE.search(line) and len(line) <= 200:
                drop.add(i)  # "Downloaded from … on 3 May 2014": the library's stamp, not the text
                toks.extend(_number_tokens(line))
            elif shapes[_shape(line)] >= 2 and len(line) <= 120:
                drop.add(i)
                toks.extend(_number_tokens(line))
            elif len(line) <= _GARBLED_NUM_CHARS and _GARBLED_NUM.match(line):
                drop.add(i)  # a page number that could not be read
            elif len(line) <= 80:
                # a header on one page only (odd/even headers in a short text): its
                # number still votes; the inference tells a page number from a year
                toks.extend(_number_tokens(line))
        near_edge = set(range(min(3, len(lines)))) | set(range(max(len(lines) - 3, 0), len(lines)))
        for i in sorted(near_edge - edge):
            line = lines[i].strip()
            if shapes[_shape(line)] >= 2 and 8 <= len(line) <= 160 and (_number_tokens(line) or _STAMP_LINE.search(line) or len(line) >= 30):
                drop.add(i)  # a running line the layout did not set apart (a sparse page of figures)
                toks.extend(_number_tokens(line))
        bodies.append([line for i, line in enumerate(lines) if i not in drop])
        tokens.append(toks)
    return bodies, tokens


# --------------------------------------------------------------------------- deciding the labels of a file

# Words of the pages publishers and libraries put in front of (or behind) an
# article: a cover page, a "downloaded from" stamp page, terms of use.
_COVER_WORDS = re.compile(
    r"to cite this article|full terms (?:&|and) conditions|terms and conditions|this content downloaded|"
    r"your use of the jstor|jstor is a not-for-profit|downloaded from|this article was downloaded|"
    r"published online:|view related articles|citation for published version|brought to you by|"
    r"lastet ned fra|vilkår for bruk|for full text|submit your article",
    re.IGNORECASE,
)


def looks_like_cover(text: str, median_chars: float) -> bool:
    """A page that is probably not part of the printed work: a publisher's or
    library's cover/stamp page, or a page with far less text than the others
    (a title page, a blank page)."""
    if _COVER_WORDS.search(text):
        return len(_COVER_WORDS.findall(text)) >= 2 or len(text) < 0.8 * median_chars
    return len(text) < 0.35 * median_chars


@dataclass(frozen=True)
class PageDecision:
    """The label of every page ("" = unnumbered), the evidence per page, and
    every disagreement that was resolved on the way (Norwegian, for `kilder`)."""

    labels: tuple[str, ...]
    origins: tuple[str, ...]  # per page: an ORIGIN_* of model.py; ORIGIN_PDF_INDEX where unnumbered
    notes: tuple[str, ...] = ()


def _decision(labels: Sequence[str], origin: str, notes: Sequence[str]) -> PageDecision:
    return PageDecision(tuple(labels), tuple(origin if lab else ORIGIN_PDF_INDEX for lab in labels), tuple(notes))


def _arabic_votes(tokens: Sequence[Sequence[str]]) -> list[list[int]]:
    out: list[list[int]] = []
    for toks in tokens:
        vals = []
        for t in toks:
            p = parse_number(t)
            if p and p[0] == "arabic":
                vals.append(p[1])
        out.append(vals)
    return out


def _trim_ends(labels: list[str], supported: Sequence[bool], cover: Sequence[bool]) -> list[int]:
    """Unnumber pages the printed sequence was only extrapolated to: beyond one
    page before its first (or after its last) supported page, or that one page
    when it looks like a cover. Returns the pages unnumbered."""
    idx = [i for i, ok in enumerate(supported) if ok]
    if not idx:
        return []
    first, last = idx[0], idx[-1]
    dropped = []
    for i in range(len(labels)):
        outside = i < first - 1 or i > last + 1 or ((i == first - 1 or i == last + 1) and cover[i])
        if outside and labels[i]:
            labels[i] = ""
            dropped.append(i)
    return dropped


def decide_labels(
    tokens: Sequence[Sequence[str]],
    *,
    cover: Sequence[bool],
    first_page: int | None = None,
    bib_pages: tuple[int, int] | None = None,
    pdf_labels: Sequence[str] | None = None,
) -> PageDecision:
    """The printed label of every page of a file from all the evidence.

    1. `first_page` (a setting for the file) always wins.
    2. The bibliography's page range, aligned with the numbers printed on the
       pages (the offset most of them agree on), so a cover or stamp page in
       front, or supplementary pages behind, do not shift it; pages outside
       the range are unnumbered. Without printed numbers it is used when its
       length equals the page count (less leading cover pages).
    3. The PDF's /PageLabels, unless the numbers printed on the pages say
       otherwise (a publisher's labels that start at 0): then the printed ones.
       A label repeated on an unnumbered page (a title page "1" before the
       chapter's page 1) is dropped.
    4. The numbers printed in the margins, one consistent sequence; pages it
       would only reach by extrapolation (a cover before page 20) are unnumbered.
    Unnumbered pages ("") are cited with their PDF page, marked as such."""
    n = len(tokens)
    notes: list[str] = []
    if first_page is not None:
        return _decision(sequential_labels(first_page, n), ORIGIN_SETTING, notes)
    printed = infer_printed_labels(tokens) if n else None
    votes = _arabic_votes(tokens)
    supported = [bool(printed and printed.labels[i] and printed.labels[i] in tokens[i]) for i in range(n)]

    if bib_pages is not None and printed is not None and printed.supported >= max(3, n // 2):
        lo, hi = bib_pages
        if not any(lo <= v <= hi for vals in votes for v in vals):
            notes.append(
                f"Sideintervallet s. {lo}–{hi} i kilder.bib stemmer ikke med sidetallene trykt på sidene "
                f"(PDF-side 1 er s. {printed.labels[0] or '?'}); de trykte sidetallene er brukt. Rett `pages` i kilder.bib."
            )
            bib_pages = None
    if bib_pages is not None:
        decided = _from_range(bib_pages, votes, cover, notes)
        if decided is not None:
            return _decision(decided, ORIGIN_BIB, notes)

    if pdf_labels is not None and len(pdf_labels) == n and not is_default_numbering(pdf_labels) and any(pdf_labels):
        from_labels = _from_page_labels(pdf_labels, tokens, printed, supported, cover, notes)
        if from_labels is not None:
            return _decision(from_labels, ORIGIN_PAGELABELS, notes)

    with_tokens = sum(1 for toks in tokens if toks)
    if printed is None or printed.supported * 2 < with_tokens:
        own = [lab if not cover[i] else "" for i, lab in enumerate(_own_numbers(tokens))]
        count = sum(1 for lab in own if lab)
        if count > (printed.supported if printed else 0) and (n <= 2 or count >= 2) and _increasing(own):
            notes.append(
                "Sidetallene følger ingen sammenhengende rekke (et utdrag av spredte sider?); "
                "hver side har fått tallet som står trykt på den."
            )
            return _decision(own, ORIGIN_PRINTED, notes)
    if printed is not None:
        labels = list(printed.labels)
        dropped = _trim_ends(labels, supported, cover)
        if dropped:
            notes.append(
                f"PDF-side {page_ranges(dropped)} har ikke noe trykt sidetall og ligger utenfor den trykte rekken "
                "(forside eller vedlegg); den er uten sidetall."
            )
        return _decision(labels, ORIGIN_PRINTED, notes)
    return _decision([""] * n, ORIGIN_PDF_INDEX, notes)


def _from_page_labels(
    pdf_labels: Sequence[str],
    tokens: Sequence[Sequence[str]],
    printed: Numbering | None,
    supported: Sequence[bool],
    cover: Sequence[bool],
    notes: list[str],
) -> list[str] | None:
    """The PDF's /PageLabels, or None when the printed numbers say otherwise.
    A label on a cover-like page with nothing printed on it is dropped when it
    repeats another page's label or lies outside the labels the print confirms."""
    n = len(pdf_labels)
    agree = sum(1 for i in range(n) if pdf_labels[i] and pdf_labels[i].lower() in [t.lower() for t in tokens[i]])
    disagree = sum(1 for i in range(n) if supported[i] and printed and pdf_labels[i] != printed.labels[i])
    if printed is not None and printed.supported >= 2 and disagree > agree:
        example = next(i for i in range(n) if supported[i] and pdf_labels[i] != printed.labels[i])
        notes.append(
            f"PDF-ens egne sidetall (/PageLabels) stemmer ikke med sidetallene som står trykt på sidene "
            f"(PDF-side {example + 1} har etiketten «{pdf_labels[example]}», men «{printed.labels[example]}» står trykt); "
            "de trykte sidetallene er brukt."
        )
        return None
    labels = [str(lab).strip() for lab in pdf_labels]
    seen = Counter(labels)
    printed_here = [any(lab.lower() == t.lower() for t in tokens[i]) for i, lab in enumerate(labels)]
    agreeing = [i for i, ok in enumerate(printed_here) if ok]
    for i, lab in enumerate(labels):
        if not lab or printed_here[i] or not cover[i]:
            continue
        if seen[lab] > 1:
            labels[i] = ""
            notes.append(f"PDF-side {i + 1} har etiketten «{lab}» to ganger og ikke noe trykt sidetall; den er uten sidetall.")
        elif len(agreeing) >= 2 and (i < agreeing[0] or i > agreeing[-1]):
            labels[i] = ""  # a title or cover page the labels name ("T-1") but nothing is printed on
            notes.append(
                f"PDF-side {i + 1} har etiketten «{lab}», men ikke noe trykt sidetall (tittel- eller forside); "
                "den er uten sidetall."
            )
    return labels


def _increasing(labels: Sequence[str]) -> bool:
    """Roman front matter, then arabic pages, each rising: what a real excerpt of scattered pages looks like."""
    seen: list[tuple[int, int]] = []
    for lab in labels:
        parsed = parse_number(lab.split("-")[-1]) if lab else None
        if parsed:
            seen.append((0 if parsed[0] == "roman" else 1, parsed[1]))
    return all(a < b for a, b in zip(seen, seen[1:], strict=False))


# Roman numerals that are also words: in a margin line they are words ("liv", "vi").
_ROMAN_WORDS = {"vi", "liv", "mil", "dim", "mix", "civil", "lid", "di", "ci", "cd", "dc", "mi", "md", "dl", "cm", "mm", "xl", "lix", "vil", "mild"}


def _own_numbers(tokens: Sequence[Sequence[str]]) -> list[str]:
    """Each page's own printed number, where it printed exactly one (a chapter-page
    label "7-45" counts; an arabic number beats a roman one; years do not count)."""
    out: list[str] = []
    for toks in tokens:
        chapter = [t for t in toks if re.fullmatch(r"\d{1,2}\u2011\d{1,3}", t)]
        counts = Counter(t for t in toks if (p := parse_number(t)) and p[0] == "arabic" and not 1900 <= p[1] <= 2099)
        ranked = counts.most_common(2)
        arabic = [ranked[0][0]] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else sorted(counts)
        roman = sorted({t for t in toks if (p := parse_number(t)) and p[0] == "roman" and t not in _ROMAN_WORDS})
        if len(set(chapter)) == 1:
            out.append(chapter[0])
        elif len(arabic) == 1:
            out.append(arabic[0])
        elif not arabic and len(roman) == 1:
            out.append(roman[0])
        else:
            out.append("")
    return out


def _from_range(
    bib_pages: tuple[int, int], votes: Sequence[Sequence[int]], cover: Sequence[bool], notes: list[str]
) -> list[str] | None:
    first, last = bib_pages
    n = len(votes)
    length = last - first + 1
    support: Counter[int] = Counter()
    for i, vals in enumerate(votes):
        for off in {v - i for v in vals if first <= v <= last}:
            support[off] += 1
    offset: int | None = None
    if support:
        offset, count = max(support.items(), key=lambda kv: (kv[1], -abs(kv[0] - first)))
        if count < 2 and n > 2 and length == n and offset != first:
            offset = None  # one stray number does not move a range that fits the file
    if offset is None:
        lead = 0
        while lead < n and cover[lead]:
            lead += 1
        if length == n:
            offset = first
        elif length == n - lead:
            offset = first - lead
        else:
            notes.append(
                f"kilder.bib oppgir s. {first}–{last} ({length} sider), men fila har {n} sider og ingen trykte "
                "sidetall å legge intervallet etter; det er ikke brukt."
            )
            return None
    labels = [str(i + offset) if first <= i + offset <= last else "" for i in range(n)]
    outside = [i for i, lab in enumerate(labels) if not lab]
    if offset != first:
        notes.append(
            f"Sideintervallet s. {first}–{last} fra kilder.bib er lagt over sidene der de trykte sidetallene stemmer "
            f"(s. {first} er PDF-side {first - offset + 1})."
        )
    if outside:
        notes.append(f"PDF-side {page_ranges(outside)} ligger utenfor s. {first}–{last} og er uten sidetall.")
    return labels


def page_ranges(indices: Sequence[int]) -> str:
    """[0, 1, 2, 6] -> "1–3, 7" (0-based in, 1-based out, as a PDF viewer shows them)."""
    out: list[str] = []
    start: int | None = None
    prev = -2
    for i in sorted(indices):
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        else:
            out.append(f"{start + 1}" if start == prev else f"{start + 1}–{prev + 1}")
            start = prev = i
    if start is not None:
        out.append(f"{start + 1}" if start == prev else f"{start + 1}–{prev + 1}")
    return ", ".join(out)
