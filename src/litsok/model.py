"""Core value types of litsok. Imports nothing of the project.

Source and printed page travel with every chunk, all the way to the printed
citation: a `Page` knows its file, PDF page index and printed label; a
`Chunk` keeps the page span and character offsets; a `Hit` carries the chunk,
its source and the ready-to-paste citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Where a printed page label came from, strongest first (see `pages`).
ORIGIN_NOTE = "notat"  # page marker in a Markdown note (`## s. 28–29`)
ORIGIN_SETTING = "innstilling"  # explicit first page / offset for the file
ORIGIN_BIB = "kilder.bib"  # page range of the source matched to the page count
ORIGIN_PAGELABELS = "pagelabels"  # the PDF's own /PageLabels
ORIGIN_PRINTED = "trykt"  # number read from running header/footer
ORIGIN_PDF_INDEX = "pdf-indeks"  # fallback: the PDF page index (1-based)
ORIGIN_NONE = "ingen"  # a note without page markers

EN_DASH = "\u2013"
# `heading` of a passage that is the student's own marking (a highlight or comment made in Zotero or a PDF
# reader): the output shows it as such (`Chunk.own_marking`, "own_marking" in `Hit.to_json`).
OWN_MARKING = "egen markering"


@dataclass(frozen=True)
class Page:
    """One printed page (or a note section standing for one or more pages)."""

    source_key: str  # key in the bibliography; own notes get a key from the file name
    file: str  # path relative to the corpus folder, with forward slashes
    label: str  # printed page label: "28", "28–29", "xii", or "" when unknown
    text: str
    pdf_index: int | None = None  # 0-based page index in the PDF; None for notes
    label_origin: str = ORIGIN_NONE
    heading: str = ""  # section heading the page belongs to (notes), for context

    def to_json(self) -> dict[str, Any]:
        return {
            "source_key": self.source_key,
            "file": self.file,
            "label": self.label,
            "text": self.text,
            "pdf_index": self.pdf_index,
            "label_origin": self.label_origin,
            "heading": self.heading,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Page:
        return cls(**d)


@dataclass(frozen=True)
class Chunk:
    """A passage of about 120–200 words, never silently crossing a page."""

    chunk_id: str  # content hash (file + offsets + text)
    source_key: str
    file: str
    text: str
    page_first: str  # printed label of the first page the chunk touches
    page_last: str  # printed label of the last page the chunk touches
    char_start: int  # offsets into the file's page texts joined by "\n\n"
    char_end: int
    pdf_index_first: int | None = None
    pdf_index_last: int | None = None
    label_origin: str = ORIGIN_NONE
    heading: str = ""
    page_breaks: tuple[tuple[int, str], ...] = ()  # (offset in text, label) where a later page begins

    @property
    def own_marking(self) -> bool:
        """Whether the passage is the student's own highlight or comment (not the source's text)."""
        return self.heading == OWN_MARKING

    @property
    def pages(self) -> str:
        """The printed page span, e.g. "180", "180–181" or "" when unknown."""
        return page_span(self.page_first, self.page_last)

    def pages_of(self, start: int, end: int) -> str:
        """The printed page span of text[start:end] (e.g. of the best sentence)."""
        first = last = self.page_first
        for offset, label in self.page_breaks:
            if offset <= start:
                first = label
            if offset < end:
                last = label
        return page_span(first, last)

    def to_json(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "source_key": self.source_key,
            "file": self.file,
            "text": self.text,
            "page_first": self.page_first,
            "page_last": self.page_last,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "pdf_index_first": self.pdf_index_first,
            "pdf_index_last": self.pdf_index_last,
            "label_origin": self.label_origin,
            "heading": self.heading,
            "page_breaks": [list(b) for b in self.page_breaks],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Chunk:
        breaks = tuple((int(o), str(label)) for o, label in d.get("page_breaks", ()))
        return cls(**{**d, "page_breaks": breaks})


@dataclass(frozen=True)
class Source:
    """A bibliographic source. `csl` is CSL-JSON (what citeproc-py formats)."""

    key: str
    csl: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    files: tuple[str, ...] = ()  # paths linked to the source (BibTeX `file`, RIS `L1`), unescaped; matched by name
    origin: str = ""  # file the metadata came from ("" for sources without metadata)
    first_page: int | None = None  # explicit first printed page of the file (setting)

    @property
    def title(self) -> str:
        return str(self.csl.get("title", "")) or self.key


@dataclass(frozen=True)
class Hit:
    """One ranked answer: the passage, where it stands and how to cite it."""

    rank: int
    chunk: Chunk
    citation: str  # in-text citation ready to paste: "(Biestek, 1972, s. 29)"
    source_title: str
    score: float  # fused score, higher is better
    score_dense: float | None
    score_lexical: float | None
    best_sentence: tuple[int, int]  # character span of the best sentence within chunk.text

    def to_json(self) -> dict[str, Any]:
        s, e = self.best_sentence
        return {
            "rank": self.rank,
            "source_key": self.chunk.source_key,
            "source_title": self.source_title,
            "file": self.chunk.file,
            "pages": self.chunk.pages,
            "page_first": self.chunk.page_first,
            "page_last": self.chunk.page_last,
            "page_origin": self.chunk.label_origin,
            "citation": self.citation,
            "scores": {"fused": self.score, "dense": self.score_dense, "lexical": self.score_lexical},
            "best_sentence": self.chunk.text[s:e],
            "best_sentence_pages": self.chunk.pages_of(s, e),
            "text": self.chunk.text,
            "chunk_id": self.chunk.chunk_id,
            "own_marking": self.chunk.own_marking,
        }


def split_label(label: str) -> tuple[str, str]:
    """"28–29" -> ("28", "29"); "28" -> ("28", "28"); accepts '-' and '–'."""
    norm = label.replace("-", EN_DASH).replace("\u2014", EN_DASH)
    if EN_DASH in norm:
        a, _, b = norm.partition(EN_DASH)
        return a.strip(), b.strip()
    return norm.strip(), norm.strip()


def page_span(first: str, last: str) -> str:
    """Join two printed labels into a span: ("180", "181–182") -> "180–182"."""
    if not first and not last:
        return ""
    start = split_label(first or last)[0]
    end = split_label(last or first)[1]
    return start if start == end else f"{start}{EN_DASH}{end}"
