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

_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_ROMAN_RE = re.compile(r"^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ARABIC_RE = re.compile(r"^\d{1,4}$")


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
    if pages == 1:
        return support == 1
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

_NUM_TOKEN = r"(\d{1,4}|[ivxlcdm]{1,8})"
_LEAD_NUM = re.compile(rf"^(?:side|s\.)?\s*[-–—|]?\s*{_NUM_TOKEN}(?=\s|$|[-–—|])")
_TRAIL_NUM = re.compile(rf"(?:^|\s|[-–—|]){_NUM_TOKEN}\s*[-–—|]?$")
_ONLY_NUM = re.compile(rf"^(?:side|s\.)?\s*[-–—|]?\s*{_NUM_TOKEN}\s*[-–—|]?$", re.IGNORECASE)


def _shape(line: str) -> str:
    """A line with its numbers blanked, to see repetition across pages."""
    s = line.lower().strip()
    s = re.sub(r"\d+", "#", s)
    s = re.sub(r"(?<![\w])[ivxlcdm]{1,8}(?![\w])", lambda m: "#" if parse_number(m.group(0)) else m.group(0), s)
    return re.sub(r"\s+", " ", s)


def _number_tokens(line: str) -> list[str]:
    s = line.strip()
    out = []
    for rx in (_LEAD_NUM, _TRAIL_NUM):
        m = rx.search(s if rx is _TRAIL_NUM else s.lower())
        if m:
            out.append(m.group(1))
    return out


def _edges(lines: Sequence[str]) -> list[int]:
    n = len(lines)
    idx = list(range(min(EDGE_LINES, n))) + list(range(max(n - EDGE_LINES, 0), n))
    return sorted(set(idx))


_GARBLED_NUM = re.compile(r"^[-–—|\s]*(?=[^\s]*\d)[\dlIOoSZB|]{1,5}[-–—|\s]*$")


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
            only = _ONLY_NUM.match(line)
            token = only.group(1).lower() if only else ""
            if only and parse_number(token):
                drop.add(i)
                toks.append(token)
            elif shapes[_shape(line)] >= 2 and len(line) <= 120:
                drop.add(i)
                toks.extend(_number_tokens(line))
            elif _GARBLED_NUM.match(line):
                drop.add(i)  # a page number that could not be read
            elif len(line) <= 80:
                # a header on one page only (odd/even headers in a short text): its
                # number still votes; the inference tells a page number from a year
                toks.extend(_number_tokens(line))
        bodies.append([line for i, line in enumerate(lines) if i not in drop])
        tokens.append(toks)
    return bodies, tokens
