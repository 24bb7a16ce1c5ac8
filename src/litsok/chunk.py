"""Pages -> chunks of about 120–200 words on sentence and paragraph boundaries.

A pure function: the chunk text is exactly `joined[char_start:char_end]`,
where `joined` is the file's page texts joined by "\n\n" (`join_pages`).
Every chunk records the printed pages it touches. Notes never let a chunk
cross a page marker; PDF pages may flow over a page break (a sentence that
continues on the next page), and the chunk then cites the page span.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .model import ORIGIN_NOTE, Chunk, Page

PAGE_SEP = "\n\n"

_ABBREVIATIONS = frozenset(
    "s f.eks bl.a jf jfr ca nr dvs mfl osv evt m.m o.l pr kap utg red mht vs ibid etc dr prof "
    "st ref tlf e.l m.fl t.d t.o.m f.o.m".split()
)
_SENT_END = re.compile(r"[.!?…]+[»\"”')\]]*\s+(?=[«\"“(\[]?[A-ZÆØÅÄÖÜ0-9])")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")  # "d", "d.w", "j.r.r": initials, not a sentence end
_PARA = re.compile(r"\n[ \t]*\n\s*")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class ChunkSettings:
    target_words: int = 150
    max_words: int = 200
    min_words: int = 40

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def join_pages(pages: Sequence[Page]) -> tuple[str, list[tuple[int, int]]]:
    """The file text and the (start, end) offsets of each page in it."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for i, p in enumerate(pages):
        if i:
            parts.append(PAGE_SEP)
            pos += len(PAGE_SEP)
        spans.append((pos, pos + len(p.text)))
        parts.append(p.text)
        pos += len(p.text)
    return "".join(parts), spans


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in text[start:end], stripped of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    cut = start
    for m in _SENT_END.finditer(text, start, end):
        before = text[cut : m.start()].rsplit(None, 1)
        last_word = before[-1].lower().rstrip(".") if before else ""
        if last_word in _ABBREVIATIONS or _INITIALS.fullmatch(last_word):
            continue
        spans.append((cut, m.end()))
        cut = m.end()
    spans.append((cut, end))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[0] < s[1]]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a text (paragraph breaks always end a sentence)."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in list(_PARA.finditer(text)) + [None]:
        stop = m.start() if m else len(text)
        out += _sentence_spans(text, pos, stop)
        if m:
            pos = m.end()
    return out


def _units(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int, bool]]:
    """(start, end, starts_paragraph) units: sentences, long ones cut at max_words."""
    units: list[tuple[int, int, bool]] = []
    pos = start
    paras = [m for m in _PARA.finditer(text, start, end)]
    bounds = [(pos, paras[0].start() if paras else end)]
    for i, m in enumerate(paras):
        bounds.append((m.end(), paras[i + 1].start() if i + 1 < len(paras) else end))
    for pa, pb in bounds:
        first = True
        for sa, sb in _sentence_spans(text, pa, pb):
            toks = list(_WORD.finditer(text, sa, sb))
            if len(toks) <= max_words:
                units.append((sa, sb, first))
            else:
                for i in range(0, len(toks), max_words):
                    part = toks[i : i + max_words]
                    units.append((part[0].start(), part[-1].end(), first and i == 0))
            first = False
    return units


def _segments(pages: Sequence[Page], spans: list[tuple[int, int]]) -> list[tuple[int, int, list[int]]]:
    """Stretches of text a chunk may not leave: each note page alone; PDF pages together."""
    segs: list[tuple[int, int, list[int]]] = []
    for i, (p, (a, b)) in enumerate(zip(pages, spans, strict=True)):
        flows = p.label_origin != ORIGIN_NOTE and p.pdf_index is not None
        prev = pages[segs[-1][2][-1]] if segs and segs[-1][2] else None
        # PDF pages flow into each other, but never across a change of evidence: a passage
        # over an unnumbered cover and printed p. 126 would be cited «s. 1–126»
        if prev is not None and flows and prev.pdf_index is not None and prev.label_origin == p.label_origin:
            segs[-1] = (segs[-1][0], b, segs[-1][2] + [i])
        else:
            segs.append((a, b, [i]))
    return segs


def chunk_pages(pages: Sequence[Page], settings: ChunkSettings = ChunkSettings()) -> list[Chunk]:
    """Cut one file's pages into chunks; see the module docstring."""
    if not pages:
        return []
    text, spans = join_pages(pages)
    chunks: list[Chunk] = []
    for seg_start, seg_end, page_ids in _segments(pages, spans):
        units = _units(text, seg_start, seg_end, settings.max_words)
        page_starts = {spans[i][0] for i in page_ids[1:]}
        groups: list[list[tuple[int, int]]] = []
        cur: list[tuple[int, int]] = []
        cur_words = 0
        for ua, ub, new_para in units:
            n = len(_WORD.findall(text, ua, ub))
            crosses_page = any(ua >= s > (cur[-1][1] if cur else ua) for s in page_starts)
            if cur and (
                cur_words >= settings.target_words
                or cur_words + n > settings.max_words
                or (crosses_page and cur_words >= settings.min_words)
                or (new_para and cur_words >= settings.min_words and cur_words + n > settings.target_words)
            ):
                groups.append(cur)
                cur, cur_words = [], 0
            cur.append((ua, ub))
            cur_words += n
        if cur:
            tail_words = sum(len(_WORD.findall(text, a, b)) for a, b in cur)
            if groups and tail_words < settings.min_words:
                prev_words = sum(len(_WORD.findall(text, a, b)) for a, b in groups[-1])
                if prev_words + tail_words <= settings.max_words + settings.min_words:
                    groups[-1] += cur
                    cur = []
            if cur:
                groups.append(cur)
        for g in groups:
            chunks.append(_make_chunk(pages, spans, text, g[0][0], g[-1][1]))
    return chunks


def _make_chunk(pages: Sequence[Page], spans: list[tuple[int, int]], text: str, a: int, b: int) -> Chunk:
    touched = [i for i, (pa, pb) in enumerate(spans) if pa < b and a < pb] or [0]
    first, last = pages[touched[0]], pages[touched[-1]]
    body = text[a:b]
    digest = hashlib.sha1(f"{first.file}\0{a}\0{b}\0{body}".encode()).hexdigest()[:16]
    origins = {pages[i].label_origin for i in touched}
    return Chunk(
        chunk_id=digest,
        source_key=first.source_key,
        file=first.file,
        text=body,
        page_first=first.label,
        page_last=last.label,
        char_start=a,
        char_end=b,
        pdf_index_first=first.pdf_index,
        pdf_index_last=last.pdf_index,
        label_origin=first.label_origin if len(origins) == 1 else min(origins),
        heading=first.heading,
        page_breaks=tuple((spans[i][0] - a, pages[i].label) for i in touched[1:]),
    )


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
