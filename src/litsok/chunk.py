"""Pages -> chunks of about 120–200 words on sentence and paragraph boundaries.

A pure function: the chunk text is exactly `joined[char_start:char_end]`,
where `joined` is the file's page texts joined by "\n\n" (`join_pages`).
Every chunk records the printed pages it touches. Notes never let a chunk
cross a page marker; PDF pages may flow over a page break (a sentence that
continues on the next page), and the chunk then cites the page span.

Linear in the text and in the page count: every pattern is possessive (no run
of dots or spaces is tried two ways), the word before a candidate sentence end
is looked up in a small window, and pages are found by bisection. A "word"
longer than MAX_WORD_CHARS is cut into pieces and no chunk is longer than
MAX_CHUNK_CHARS (`litsok.limits`), so a 1 MB line without spaces becomes
ordinary chunks instead of one 1 MB chunk.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from . import limits
from .model import ORIGIN_NOTE, Chunk, Page

PAGE_SEP = "\n\n"

_ABBREVIATIONS = frozenset(
    "s f.eks bl.a jf jfr ca nr dvs mfl osv evt m.m o.l pr kap utg red mht vs ibid etc dr prof "
    "st ref tlf e.l m.fl t.d t.o.m f.o.m".split()
)
# a run of end marks starts only where the run starts: 200,000 dots are one try, not 200,000
_SENT_END = re.compile(r"(?<![.!?…])[.!?…]++[»\"”')\]]*+\s++(?=[«\"“(\[]?[A-ZÆØÅÄÖÜ0-9])")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")  # "d", "d.w", "j.r.r": initials, not a sentence end
_PARA = re.compile(r"\n[ \t]*+\n\s*+")
_LAST_WORD = 64  # characters looked back for the word before a sentence end; longer words are no abbreviation
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
        if _abbreviation_before(text, cut, m.start()):
            continue
        spans.append((cut, m.end()))
        cut = m.end()
    spans.append((cut, end))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[0] < s[1]]


def _abbreviation_before(text: str, cut: int, at: int) -> bool:
    """Whether the word ending at `at` (not before `cut`) is an abbreviation or initials.
    Looks back at most `_LAST_WORD` characters: copying text[cut:at] for every
    candidate made `s. A s. A …` quadratic."""
    lo = max(cut, at - _LAST_WORD)
    before = text[lo:at].rsplit(None, 1)
    if not before:
        return False
    if lo > cut and len(before) == 1 and not text[lo].isspace() and not text[lo - 1].isspace():
        return False  # a word longer than the window: neither an abbreviation nor initials
    last_word = before[-1].lower().rstrip(".")
    return last_word in _ABBREVIATIONS or _INITIALS.fullmatch(last_word) is not None


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


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Word spans in text[start:end]; a word longer than MAX_WORD_CHARS is cut into pieces that long."""
    step = limits.MAX_WORD_CHARS
    out: list[tuple[int, int]] = []
    for m in _WORD.finditer(text, start, end):
        a, b = m.span()
        if b - a <= step:
            out.append((a, b))
        else:
            out.extend((k, min(k + step, b)) for k in range(a, b, step))
    return out


# (start, end, starts_paragraph, words): a sentence, or a piece of a long one
Unit = tuple[int, int, bool, int]


def _units(text: str, start: int, end: int, max_words: int) -> list[Unit]:
    """Sentences, those longer than max_words words or MAX_CHUNK_CHARS characters cut into pieces."""
    units: list[Unit] = []
    pos = start
    paras = [m for m in _PARA.finditer(text, start, end)]
    bounds = [(pos, paras[0].start() if paras else end)]
    for i, m in enumerate(paras):
        bounds.append((m.end(), paras[i + 1].start() if i + 1 < len(paras) else end))
    for pa, pb in bounds:
        first = True
        for sa, sb in _sentence_spans(text, pa, pb):
            toks = _tokens(text, sa, sb)
            if len(toks) <= max_words and sb - sa <= limits.MAX_CHUNK_CHARS:
                units.append((sa, sb, first, len(toks)))
            else:
                units += _pieces(toks, max_words, first)
            first = False
    return units


def _pieces(toks: Sequence[tuple[int, int]], max_words: int, first: bool) -> list[Unit]:
    """A long sentence cut every max_words words, or sooner where it would pass MAX_CHUNK_CHARS."""
    out: list[Unit] = []
    begin = 0
    for i in range(1, len(toks) + 1):
        if i == len(toks) or i - begin >= max_words or toks[i][1] - toks[begin][0] > limits.MAX_CHUNK_CHARS:
            out.append((toks[begin][0], toks[i - 1][1], first and begin == 0, i - begin))
            begin = i
    return out


def _segments(pages: Sequence[Page], spans: list[tuple[int, int]]) -> list[tuple[int, int, list[int]]]:
    """Stretches of text a chunk may not leave: each note page alone; PDF pages together."""
    segs: list[tuple[int, int, list[int]]] = []
    for i, (p, (a, b)) in enumerate(zip(pages, spans, strict=True)):
        flows = p.label_origin != ORIGIN_NOTE and p.pdf_index is not None
        prev = pages[segs[-1][2][-1]] if segs and segs[-1][2] else None
        # PDF pages flow into each other, but never across a change of evidence: a passage
        # over an unnumbered cover and printed p. 126 would be cited «s. 1–126»
        if prev is not None and flows and prev.pdf_index is not None and prev.label_origin == p.label_origin:
            segs[-1][2].append(i)  # in place: copying the list for every page made 20,000 pages quadratic
            segs[-1] = (segs[-1][0], b, segs[-1][2])
        else:
            segs.append((a, b, [i]))
    return segs


def _groups(units: Sequence[Unit], page_starts: Sequence[int], settings: ChunkSettings) -> list[tuple[int, int]]:
    """(start, end) of each chunk: units grouped to about target_words words, never
    over max_words (+ a short tail) or MAX_CHUNK_CHARS characters, preferring to
    end at a paragraph or page break. `page_starts` is sorted."""
    groups: list[list[int]] = []  # [start, end, words]
    cur: list[int] | None = None
    for ua, ub, new_para, n in units:
        if cur is not None:
            k = bisect_right(page_starts, cur[1])
            crosses_page = k < len(page_starts) and page_starts[k] <= ua
            words = cur[2]
            if (
                words >= settings.target_words
                or words + n > settings.max_words
                or ub - cur[0] > limits.MAX_CHUNK_CHARS
                or (crosses_page and words >= settings.min_words)
                or (new_para and words >= settings.min_words and words + n > settings.target_words)
            ):
                groups.append(cur)
                cur = None
        if cur is None:
            cur = [ua, ub, n]
        else:
            cur[1], cur[2] = ub, cur[2] + n
    if cur is not None:
        last = groups[-1] if groups else None
        if (
            last is not None
            and cur[2] < settings.min_words
            and last[2] + cur[2] <= settings.max_words + settings.min_words
            and cur[1] - last[0] <= limits.MAX_CHUNK_CHARS
        ):
            last[1], last[2] = cur[1], last[2] + cur[2]
        else:
            groups.append(cur)
    return [(g[0], g[1]) for g in groups]


def chunk_pages(pages: Sequence[Page], settings: ChunkSettings = ChunkSettings()) -> list[Chunk]:
    """Cut one file's pages into chunks; see the module docstring."""
    if not pages:
        return []
    text, spans = join_pages(pages)
    starts = [a for a, _ in spans]
    ends = [b for _, b in spans]
    chunks: list[Chunk] = []
    for seg_start, seg_end, page_ids in _segments(pages, spans):
        units = _units(text, seg_start, seg_end, settings.max_words)
        page_starts = [spans[i][0] for i in page_ids[1:]]
        for a, b in _groups(units, page_starts, settings):
            chunks.append(_make_chunk(pages, spans, text, a, b, (starts, ends)))
    return chunks


def _make_chunk(
    pages: Sequence[Page],
    spans: list[tuple[int, int]],
    text: str,
    a: int,
    b: int,
    bounds: tuple[list[int], list[int]],
) -> Chunk:
    starts, ends = bounds  # page starts and ends, both increasing: the pages text[a:b] touches are one run
    touched = list(range(bisect_right(ends, a), bisect_left(starts, b))) or [0]
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
