"""Page layout from positions: characters -> segments -> margin lines, columns
and reading order.

Pure geometry, no PDF library: `ingest.pdf` turns a page's characters (from
pypdfium2, with their boxes) into `Char`s, and `layout_page` returns the page's
header lines, body lines in reading order and footer lines. Text order in a
PDF's content stream says little about reading order (a footer number can sit
inside the body text, a header line mid-page, three columns interleaved line
by line); positions say where things are.

Coordinates are PDF user space: x to the right, y upwards, in points.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from litsok import limits

MARGIN_ZONE = 0.12  # share of the page height at the top and bottom where running headers/footers stand
MARGIN_GAP = 1.25  # a header/footer row is set apart from the body by more than this many line heights
EDGE_ROWS = 3  # at most this many rows at the top and at the bottom are header/footer
GUTTER_MIN = 7.0  # points of empty x between two columns


@dataclass(frozen=True)
class Char:
    """One character of a page in content-stream order; box in user space.

    `generated`: a space or line break pdfium inferred from the gaps (not in the PDF).
    `quarter`: the text direction in quarter turns (0 upright; -1 at an odd angle,
    like a diagonal watermark)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    generated: bool = False
    quarter: int = 0


@dataclass
class Segment:
    """Characters that belong together on one line, in one column."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str = ""

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def mid_y(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Row:
    """Segments standing side by side (overlapping vertically). Its bounds are kept
    as segments are added (`add`): recomputing them for every new segment made a
    row of 40,000 segments take minutes."""

    segments: list[Segment] = field(default_factory=list)
    y0: float = float("inf")
    y1: float = float("-inf")
    height: float = 0.0

    def __post_init__(self) -> None:
        segs, self.segments = self.segments, []
        for seg in segs:
            self.add(seg)

    def add(self, seg: Segment) -> None:
        self.segments.append(seg)
        self.y0, self.y1, self.height = min(self.y0, seg.y0), max(self.y1, seg.y1), max(self.height, seg.height)

    def text(self) -> str:
        return _join(sorted(self.segments, key=lambda s: s.x0))


@dataclass(frozen=True)
class PageLayout:
    header: tuple[str, ...]
    body: tuple[str, ...]
    footer: tuple[str, ...]
    stamps: tuple[str, ...] = ()  # rotated text along the edges: never body text

    def lines_and_edges(self) -> tuple[list[str], set[int]]:
        """All lines (header, body, footer) and the indices of the margin lines."""
        lines = [*self.header, *self.body, *self.footer]
        n_head, n_body = len(self.header), len(self.body)
        return lines, set(range(n_head)) | set(range(n_head + n_body, len(lines)))


_WS = re.compile(r"\s+")


def _join(segments: Sequence[Segment]) -> str:
    return " ".join(t for s in segments if (t := s.text.strip()))


SPACE_GAP = 0.08  # a gap between loose glyph boxes wider than this share of the line height is a word space
SPLIT_GAP = 1.4  # a gap wider than this many tallest-glyph heights starts a new segment (the next column)
LINE_BREAKS = ("\r", "\n")
HYPHEN_BREAK = "\x02"  # pdfium: a hyphen at the end of a line


# Spacing accents that TeX (OT1) and old typesetters draw as a glyph of their own over a
# letter ("b˚ade" for "både"): put back on the letter as the combining mark (NFC later).
_ACCENTS = {
    "\u02da": "\u030a", "\u00a8": "\u0308", "\u00b4": "\u0301", "`": "\u0300", "\u02c6": "\u0302",
    "\u02dc": "\u0303", "\u02c7": "\u030c", "\u00b8": "\u0327", "\u02d8": "\u0306", "\u00af": "\u0304",
    "\u02d9": "\u0307", "\u02dd": "\u030b",
}  # fmt: skip


def _over(accent: Char, letter: Char) -> bool:
    mid = (accent.x0 + accent.x1) / 2
    overlap = min(accent.y1, letter.y1) - max(accent.y0, letter.y0)
    return letter.x0 - 0.5 <= mid <= letter.x1 + 0.5 and overlap > 0.4 * (letter.y1 - letter.y0) and letter.text.isalpha()


ACCENT_FALLBACKS = 50  # accents per page whose letter is looked for beyond the 300 letters around them


def _letter_under(
    accent: Char, i: int, out: Sequence[Char], letters: Sequence[int], drop: set[int], reach: int | None
) -> int | None:
    """The index of the letter `accent` (at index i) stands over, nearest in stream order
    (the one before on a tie), not i itself (ˆ and ˇ count as letters) nor a placed accent,
    looking at no more than `reach` letters on either side (None: all of them). An outward
    search: O(distance) instead of a pass over the page."""
    right = bisect_left(letters, i)
    left = right - 1
    for _ in range(len(letters) if reach is None else reach):
        if left < 0 and right >= len(letters):
            break
        take_left = right >= len(letters) or (left >= 0 and i - letters[left] <= letters[right] - i)
        j = letters[left] if take_left else letters[right]
        if take_left:
            left -= 1
        else:
            right += 1
        if j != i and j not in drop and _over(accent, out[j]):
            return j
    return None


def _attach_accents(chars: Sequence[Char]) -> list[Char]:
    """Put each spacing accent on the letter it stands over, wherever the content
    stream has it (before the letter, after it, or at the end of the line), and
    drop the space pdfium inferred from the accent's own gap. At most
    MAX_PAGE_ACCENTS accents a page are placed (the rest stay as they are), each
    looked for among the 300 nearest letters, and the first ACCENT_FALLBACKS among all."""
    if not any(c.text in _ACCENTS for c in chars):
        return list(chars)
    out = list(chars)
    drop: set[int] = set()
    letters = [j for j, c in enumerate(out) if c.text.isalpha()]  # only a letter takes an accent (`_over`)
    placed = fallbacks = 0
    for i, ch in enumerate(out):
        if ch.text not in _ACCENTS or placed >= limits.MAX_PAGE_ACCENTS:
            continue
        j = _letter_under(ch, i, out, letters, drop, 300)  # the same line, as a rule
        if j is None and fallbacks < ACCENT_FALLBACKS:
            fallbacks += 1
            j = _letter_under(ch, i, out, letters, drop, None)
        if j is None:
            continue
        placed += 1
        c = out[j]
        out[j] = Char(c.text + _ACCENTS[ch.text], c.x0, c.y0, c.x1, c.y1, c.generated, c.quarter)
        drop.add(i)
        for k in (i - 1, i + 1):
            if 0 <= k < len(out) and out[k].text == " " and min(i, j) < k < max(i, j) + 1 and abs(j - i) == 2:
                drop.add(k)
    return [c for k, c in enumerate(out) if k not in drop]


def segments_from_chars(chars: Sequence[Char]) -> list[Segment]:
    """Cut the character stream into segments: at line breaks, where the
    baseline changes, where the text jumps back or across a gap much wider than
    a word space (the next column), and drop overprinted duplicates (fake bold:
    "143143"). Word spaces come from the PDF, from pdfium, or from a gap wider
    than `SPACE_GAP` of the line's tallest glyph (tightly set text whose spaces
    are only in the positions)."""
    segments: list[Segment] = []
    cur: Segment | None = None
    recent: list[Char] = []
    printed: set[tuple[str, int, int]] = set()
    printed_shifted: set[tuple[str, int, int]] = set()
    for ch in _attach_accents(chars):
        if ch.text in LINE_BREAKS or ch.text == HYPHEN_BREAK:
            if ch.text == HYPHEN_BREAK and cur is not None:
                cur.text = cur.text.rstrip() + "-"
            cur = None
            continue
        if ch.text.isspace() or (ch.generated and not ch.text.strip()):
            if cur is not None and not cur.text.endswith(" "):
                cur.text += " "
            continue
        last = recent[-1] if recent else None
        ligature = last is not None and abs(last.x0 - ch.x0) < 0.05 and abs(last.x1 - ch.x1) < 0.05 and last.text != ch.text
        if ch.x1 <= ch.x0 or (ligature and cur is not None):  # the second letter of a ligature, a combining mark
            if cur is not None:
                cur.text += ch.text
            continue
        cell = (ch.text, round(ch.x0), round(ch.y0))
        if cell in printed or (ch.text, round(ch.x0 + 0.5), round(ch.y0 + 0.5)) in printed_shifted:
            continue  # the same glyph printed again on top of itself (within about a point)
        printed.add(cell)
        printed_shifted.add((ch.text, round(ch.x0 + 0.5), round(ch.y0 + 0.5)))
        recent = [*recent[-1:], ch]
        h = max(ch.y1 - ch.y0, 1.0)
        if cur is not None:
            ref = max(cur.height, h)
            overlap = min(cur.y1, ch.y1) - max(cur.y0, ch.y0)
            gap = ch.x0 - cur.x1
            if overlap < 0.4 * min(cur.height, h) or gap > SPLIT_GAP * ref or gap < -0.5 * ref:
                cur = None
        if cur is None:
            cur = Segment(ch.x0, ch.y0, ch.x1, ch.y1, "")
            segments.append(cur)
        elif ch.x0 - cur.x1 > SPACE_GAP * max(cur.height, h) and not cur.text.endswith(" "):
            cur.text += " "
        cur.text += ch.text
        cur.x0, cur.y0 = min(cur.x0, ch.x0), min(cur.y0, ch.y0)
        cur.x1, cur.y1 = max(cur.x1, ch.x1), max(cur.y1, ch.y1)
    for seg in segments:
        seg.text = _WS.sub(" ", seg.text).strip()
    return [seg for seg in segments if seg.text]


def rows_of(segments: Sequence[Segment]) -> list[Row]:
    """Group segments into rows, top of the page first."""
    rows: list[Row] = []
    for seg in sorted(segments, key=lambda s: (-s.mid_y, s.x0)):
        for row in rows[-3:]:
            overlap = min(row.y1, seg.y1) - max(row.y0, seg.y0)
            if overlap > 0.5 * min(row.height, seg.height):
                row.add(seg)
                break
        else:
            rows.append(Row([seg]))
    rows.sort(key=lambda r: -(r.y0 + r.y1) / 2)
    return rows


# possessive: the leading and trailing runs of non-word characters are taken once (with `[\W_]*...\s*` a
# row of 100,000 spaces and dots was tried every way it splits)
_PAGE_NUMBER_ROW = re.compile(r"^[\W_]*+(?:(?:side|page|s\.|p\.)\s*+)?(?:\d{1,5}|[ivxlcdm]{1,8})[\W_]*+$", re.IGNORECASE)


def _margin_rows(rows: list[Row], bottom: float, top: float) -> tuple[int, int]:
    """(number of header rows, index of the first footer row).

    A header/footer row stands in the top/bottom zone of the text on the page
    (`MARGIN_ZONE` of its height) and is set apart from the next row towards
    the body by clearly more than the page's usual line gap; a row that is only
    a page number counts even when it stands close."""
    if len(rows) < 2:
        return 0, len(rows)
    page_h = top - bottom
    c_top, c_bottom = rows[0].y1, rows[-1].y0
    c_h = max(c_top - c_bottom, 1.0)

    def in_top(row: Row, k: int) -> bool:
        return row.y0 >= top - MARGIN_ZONE * page_h or row.y0 >= c_top - max(MARGIN_ZONE * c_h, 2.5 * k * row.height)

    def in_bottom(row: Row, k: int) -> bool:
        return row.y1 <= bottom + MARGIN_ZONE * page_h or row.y1 <= c_bottom + max(MARGIN_ZONE * c_h, 2.5 * k * row.height)

    gaps = sorted(rows[k - 1].y0 - rows[k].y1 for k in range(1, len(rows)))
    usual = max(gaps[len(gaps) // 2], 0.0) if len(gaps) >= 4 else 0.15 * min(r.height for r in rows)

    def apart(gap: float, row: Row) -> bool:
        return gap > usual + 0.35 * row.height and gap > 0.4 * row.height or gap > MARGIN_GAP * row.height

    head = 0
    for k in range(1, min(EDGE_ROWS, len(rows) - 1) + 1):
        above, below = rows[k - 1], rows[k]
        if not in_top(above, k):
            break
        if apart(above.y0 - below.y1, above) or (k == 1 and _PAGE_NUMBER_ROW.match(above.text())):
            head = k
    foot = len(rows)
    for k in range(len(rows) - 1, max(len(rows) - 1 - EDGE_ROWS, head), -1):
        above, below = rows[k - 1], rows[k]
        if not in_bottom(below, len(rows) - k):
            break
        if apart(above.y0 - below.y1, below) or (k == len(rows) - 1 and _PAGE_NUMBER_ROW.match(below.text())):
            foot = k
    if len(rows) == 2 and head == 1:  # a header above one body line, or one body line above a footer?
        top_text, bottom_text = rows[0].text(), rows[1].text()
        if _PAGE_NUMBER_ROW.match(bottom_text) and not _PAGE_NUMBER_ROW.match(top_text):
            return 0, 1
        if not _PAGE_NUMBER_ROW.match(top_text) and _ENDS_WITH_NUMBER.search(bottom_text) and not _ENDS_WITH_NUMBER.search(top_text):
            return 0, 1
    return head, foot


_ENDS_WITH_NUMBER = re.compile(r"^\W*+\d{1,5}\b|\b\d{1,5}\W*+$")


def _free_runs(spans: Sequence[tuple[float, float]], lo: float, hi: float, min_width: float) -> list[tuple[float, float]]:
    """Intervals of [lo, hi] that no span covers and that are at least `min_width` wide."""
    out: list[tuple[float, float]] = []
    edge = lo
    for a, b in sorted(spans):
        if a - edge >= min_width:
            out.append((edge, a))
        edge = max(edge, b)
    return out


def _xy_cut(segments: list[Segment], depth: int = 0) -> list[list[Segment]]:
    """Reading order by recursive XY-cut: a block splits into columns where an
    empty vertical gutter runs its whole height (read left to right), else at
    its widest horizontal gap when that is clearly wider than a line space
    (read top to bottom). Leaves are read row by row."""
    if len(segments) < 2 or depth > 12:
        return [segments]
    lo, hi = min(s.x0 for s in segments), max(s.x1 for s in segments)
    ends, starts = sorted(s.x1 for s in segments), sorted(s.x0 for s in segments)
    gutters = [  # at least two segments on either side, counted by bisection (not a pass per gutter)
        (a, b) for a, b in _free_runs([(s.x0, s.x1) for s in segments], lo, hi, GUTTER_MIN)
        if bisect_right(ends, a) >= 2 and len(starts) - bisect_left(starts, b) >= 2
    ]
    if gutters:
        cuts = [(a + b) / 2 for a, b in gutters]
        columns: list[list[Segment]] = [[] for _ in range(len(cuts) + 1)]
        for s in segments:
            columns[bisect_right(cuts, (s.x0 + s.x1) / 2)].append(s)
        out: list[list[Segment]] = []
        for part in columns:
            out += _xy_cut(part, depth + 1)
        return out
    bottom, top = min(s.y0 for s in segments), max(s.y1 for s in segments)
    gaps = _free_runs([(s.y0, s.y1) for s in segments], bottom, top, 0.5)
    if len(gaps) >= 1:
        heights = sorted(s.height for s in segments)
        line = heights[len(heights) // 2]
        widths = sorted(b - a for a, b in gaps)
        usual = widths[len(widths) // 2]
        a, b = max(gaps, key=lambda g: g[1] - g[0])
        if b - a > max(1.6 * usual, 0.9 * line) or (len(gaps) == 1 and b - a > 0.6 * line):
            cut = (a + b) / 2
            upper = [s for s in segments if s.mid_y >= cut]
            lower = [s for s in segments if s.mid_y < cut]
            if upper and lower:
                return _xy_cut(upper, depth + 1) + _xy_cut(lower, depth + 1)
    return [segments]


def _reading_order(segments: list[Segment]) -> list[str]:
    """Body lines in reading order (see `_xy_cut`)."""
    lines: list[str] = []
    for block in _xy_cut(segments):
        lines.extend(t for r in rows_of(block) if (t := r.text()))
    return lines


def _turn(box: tuple[float, float, float, float], quarter: int) -> tuple[float, float, float, float]:
    """A box turned by 90° × quarter, so that text running in that direction reads left to right."""
    x0, y0, x1, y1 = box
    for _ in range(quarter % 4):
        x0, y0, x1, y1 = -y1, x0, -y0, x1
    return x0, y0, x1, y1


def layout_page(chars: Sequence[Char], box: tuple[float, float, float, float]) -> PageLayout:
    """Header, body (in reading order) and footer lines of a page.

    `box` is (left, bottom, right, top) of the page in user space. Text in the
    page's main direction (the one most characters run in, so a landscape
    table on a turned page reads too) is laid out; text running another way is
    a stamp ("Downloaded from … on 3 May", a page number printed upright beside
    a turned table) when it is small, and more body text when it is not."""
    groups: dict[int, list[Char]] = {}
    for ch in chars:
        groups.setdefault(ch.quarter, []).append(ch)
    weight = {q: sum(1 for c in cs if not c.text.isspace()) for q, cs in groups.items()}
    upright = [q for q in weight if q >= 0]
    if not upright:
        return PageLayout((), (), (), tuple(_stamp_lines(groups.get(-1, []))))
    main = max(upright, key=lambda q: weight[q])
    turned = [replace_box(c, _turn((c.x0, c.y0, c.x1, c.y1), main)) for c in groups[main]] if main else groups[main]
    pbox = _turn(box, main)
    segments = segments_from_chars(turned)
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    body: list[str] = []
    if segments:
        _, bottom, _, top = pbox
        rows = rows_of(segments)
        head, foot = _margin_rows(rows, bottom, top)
        header = tuple(r.text() for r in rows[:head])
        footer = tuple(r.text() for r in rows[foot:])
        body = _reading_order([seg for r in rows[head:foot] for seg in r.segments])
    stamps: list[str] = []
    for q, cs in groups.items():
        if q == main:
            continue
        lines = _stamp_lines(cs, q)
        if q >= 0 and weight[q] >= 0.25 * weight[main] and weight[q] >= 200:
            body += lines
        else:
            stamps += lines
    return PageLayout(header, tuple(body), footer, tuple(stamps))


def replace_box(ch: Char, box: tuple[float, float, float, float]) -> Char:
    return Char(ch.text, *box, generated=ch.generated, quarter=ch.quarter)


def _stamp_lines(chars: Sequence[Char], quarter: int = -1) -> list[str]:
    if quarter < 0:
        return [t for t in _WS.sub(" ", "".join(c.text for c in chars)).split("  ") if t.strip()]
    turned = [replace_box(c, _turn((c.x0, c.y0, c.x1, c.y1), quarter)) for c in chars] if quarter else list(chars)
    return [r.text() for r in rows_of(segments_from_chars(turned))]
