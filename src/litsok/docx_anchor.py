"""Where a citation sits in a .docx's XML, and the comment markers put around it.

`paragraphs(root)` reads a WordprocessingML part (an lxml tree) the way `check.py`'s
streaming reader does — the same paragraphs in the same order, the same text, with
whitespace collapsed — but keeps, for every character, the `w:t` (or `w:tab`, `w:br`,
`w:cr`, `w:noBreakHyphen`) it came from. `place(...)` then puts `w:commentRangeStart`
before a span's first character, `w:commentRangeEnd` after its last and a run with
`w:commentReference` after that, splitting a run where the span starts or ends inside
it (both halves keep the run's properties). The text of the part — all `w:t` joined —
is unchanged: a split run's text is the two halves' text.

Markers are placed from the end of a paragraph backwards, so every character not yet
handled keeps its (element, offset): a split only ever cuts what comes after it.
"""

from __future__ import annotations

import copy
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# What check.py's reader turns into text: a paragraph, its text, what stands for a space or hyphen.
_KINDS = {f"{{{ns}}}{local}": kind for ns in W_NAMESPACES for local, kind in (
    ("p", "p"), ("t", "t"), ("tab", " "), ("br", " "), ("cr", " "), ("noBreakHyphen", "-"),
)}


@dataclass
class Paragraph:
    """One paragraph as the draft reader gives it: `text` (whitespace collapsed) and
    where each character of the raw text came from (`segments`: raw start, element,
    and whether the element is a `w:t`, whose text the characters are)."""

    element: Any
    raw: str
    segments: list[tuple[int, Any, bool]] = field(repr=False)
    text: str = ""
    _map: list[int] | None = field(default=None, repr=False)
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.text = " ".join(self.raw.split())

    def raw_index(self, offset: int) -> int:
        """The raw character behind character `offset` of `text` (a collapsed run of
        whitespace stands for its first character)."""
        if self._map is None:
            self._map = _collapse_map(self.raw)
        return self._map[offset]

    def atom(self, raw_index: int) -> tuple[Any, int]:
        """(element, offset in its text) of a raw character; offset -1 for a `w:tab` & co."""
        if not self._starts:
            self._starts = [s for s, _, _ in self.segments]
        i = bisect_right(self._starts, raw_index) - 1
        start, element, is_text = self.segments[i]
        return element, (raw_index - start if is_text else -1)


def _collapse_map(raw: str) -> list[int]:
    """For each character of `" ".join(raw.split())`, its index in `raw`."""
    out: list[int] = []
    gap = -1
    for i, ch in enumerate(raw):
        if ch.isspace():
            if out and gap < 0:
                gap = i
            continue
        if gap >= 0:
            out.append(gap)
            gap = -1
        out.append(i)
    return out


def paragraphs(root: Any) -> list[Paragraph]:
    """The paragraphs of a part in the reader's order: a paragraph when it closes (so a
    text box's paragraph comes before the paragraph holding it), nothing of an
    `mc:Fallback` (a copy of the `mc:Choice` before it)."""
    from lxml import etree

    out: list[Paragraph] = []
    open_: list[tuple[Any, list[str], list[tuple[int, Any, bool]]]] = []
    skip = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if tag == _MC_FALLBACK:
            skip += 1 if event == "start" else -1
            continue
        kind = _KINDS.get(tag) if isinstance(tag, str) else None
        if kind is None:
            continue
        if event == "end":
            if kind == "p" and open_:
                p, chars, segments = open_.pop()
                if not skip:
                    out.append(Paragraph(p, "".join(chars), segments))
        elif kind == "p":
            open_.append((el, [], []))
        elif open_ and not skip:
            _, chars, segments = open_[-1]
            text = (el.text or "") if kind == "t" else kind
            if text:
                segments.append((sum(map(len, chars)), el, kind == "t"))
                chars.append(text)
    return out


# --------------------------------------------------------------------------- placing markers


@dataclass(frozen=True)
class Span:
    """A comment to anchor: characters [start, end) of `paragraphs[paragraph].text`."""

    paragraph: int
    start: int
    end: int
    comment_id: int


def place(paras: Sequence[Paragraph], spans: Iterable[Span]) -> dict[int, str]:
    """Put the markers of every span into the tree; returns, by comment id, why a span
    could not be anchored (its text is not in a `w:r`), for the spans that could not."""
    points: list[tuple[int, int, int, Span]] = []  # (paragraph, position, 0 end / 1 start, span)
    for s in spans:
        p = paras[s.paragraph]
        points.append((s.paragraph, 2 * p.raw_index(s.end - 1) + 1, 0, s))
        points.append((s.paragraph, 2 * p.raw_index(s.start), 1, s))
    failed: dict[int, str] = {}
    for s in {pt[3] for pt in points}:
        p = paras[s.paragraph]
        for raw in (p.raw_index(s.start), p.raw_index(s.end - 1)):
            element, _ = p.atom(raw)
            if _run_of(element) is None:
                failed[s.comment_id] = "teksten står ikke i en vanlig tekstbit (w:r) i Word-filen"
    inserted: set[Any] = set()
    for para, pos, is_start, s in sorted(points, key=lambda t: (t[0], t[1]), reverse=True):
        if s.comment_id in failed:
            continue
        element, offset = paras[para].atom(pos // 2)
        anchor, side = _cut(element, offset, after=not is_start)
        ns = _namespace(element)
        name = "commentRangeStart" if is_start else "commentRangeEnd"
        marker = element.makeelement(f"{{{ns}}}{name}", {f"{{{ns}}}id": str(s.comment_id)})
        _put(anchor, side, marker, inserted)
        if not is_start:
            _put_reference(marker, ns, s.comment_id, inserted)
    return failed


def _namespace(element: Any) -> str:
    return str(element.tag)[1:].partition("}")[0]


def _run_of(element: Any) -> Any:
    run = element.getparent()
    if run is None or run.tag != f"{{{_namespace(element)}}}r":
        return None
    return run


def _cut(element: Any, offset: int, after: bool) -> tuple[Any, str]:
    """Split the run of `element` just before (or after) the character at `offset` of
    its text (the element itself for a `w:tab` & co.); returns the element the marker
    goes next to and on which side ("before"/"after")."""
    run = _run_of(element)
    if offset < 0:
        first = element.getnext() if after else element
    else:
        text = element.text or ""
        cut = offset + 1 if after else offset
        if 0 < cut < len(text):
            rest = element.makeelement(element.tag, dict(element.attrib))
            rest.text, element.text = text[cut:], text[:cut]
            rest.set(_XML_SPACE, "preserve")
            element.set(_XML_SPACE, "preserve")
            element.addnext(rest)
            first = rest
        else:
            first = element if cut == 0 else element.getnext()
    return _split_run(run, first)


def _split_run(run: Any, first: Any) -> tuple[Any, str]:
    """Move `first` and what follows it in the run into a new run after it, with a copy
    of the run's properties; nothing is moved when `first` starts or ends the run."""
    if first is None:
        return run, "after"
    rpr_tag = f"{{{_namespace(run)}}}rPr"
    prev = first.getprevious()
    while prev is not None and prev.tag == rpr_tag:
        prev = prev.getprevious()
    if prev is None:
        return run, "before"
    new = run.makeelement(run.tag, dict(run.attrib))
    rpr = run.find(rpr_tag)
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    moved = first
    while moved is not None:
        following = moved.getnext()
        new.append(moved)
        moved = following
    run.addnext(new)
    return run, "after"


def _put(anchor: Any, side: str, marker: Any, inserted: set[Any]) -> None:
    """Put `marker` just after (or before) `anchor`, ahead of the markers already put
    in that gap (those belong to later text: markers are placed last first)."""
    if side == "after":
        anchor.addnext(marker)
    else:
        prev = anchor.getprevious()
        while prev is not None and prev in inserted:
            prev = prev.getprevious()
        if prev is not None:
            prev.addnext(marker)
        else:
            anchor.getparent().insert(0, marker)
    inserted.add(marker)


def _put_reference(end: Any, ns: str, comment_id: int, inserted: set[Any]) -> None:
    """The run with `w:commentReference` (Word's comment mark), right after the range
    end, or — when the end is inside a tracked insertion, a hyperlink or a field —
    right after that, in the paragraph itself: the mark is not part of the change,
    and a field's result (a Zotero citation is one) is rewritten when the field is
    updated, so the mark goes after the field's end."""
    p_tag = f"{{{ns}}}p"
    holder = end
    while holder.getparent() is not None and holder.getparent().tag != p_tag:
        holder = holder.getparent()
    if holder.getparent() is None:
        holder = end
    holder = _field_end(holder, ns)
    run = end.makeelement(f"{{{ns}}}r", {})
    rpr = run.makeelement(f"{{{ns}}}rPr", {})
    rpr.append(run.makeelement(f"{{{ns}}}rStyle", {f"{{{ns}}}val": "CommentReference"}))
    run.append(rpr)
    run.append(run.makeelement(f"{{{ns}}}commentReference", {f"{{{ns}}}id": str(comment_id)}))
    holder.addnext(run)
    inserted.add(run)


def _field_end(holder: Any, ns: str) -> Any:
    """The run that ends the complex field `holder` is in the result of (a `w:fldChar`
    «end» after it in the paragraph with no «begin» before it), or `holder` itself."""
    tag, kind = f"{{{ns}}}fldChar", f"{{{ns}}}fldCharType"
    depth = 0
    for sibling in holder.itersiblings():
        for char in sibling.iter(tag):
            if char.get(kind) == "begin":
                depth += 1
            elif char.get(kind) == "end":
                if depth == 0:
                    return sibling
                depth -= 1
    return holder
