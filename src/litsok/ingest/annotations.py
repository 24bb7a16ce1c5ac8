"""The student's own markings inside a PDF: highlights, underlines and comments
made in any PDF reader (Acrobat, Preview, Okular, Edge, Zotero's "Lagre med
markeringer", ...), from the `/Annots` of each page.

- Highlight, Underline, Squiggly: the text under the `/QuadPoints` (pdfium's
  characters inside each quad), plus the comment in `/Contents`. A reader that
  stores the marked text itself in `/Contents` (no text layer under the quad) gives
  that text instead.
- FreeText and Text (a sticky note): the comment in `/Contents`.

Each becomes one `Page` on the printed page of the PDF page it is on (the label the
PDF reader gave that page's text, `marking_pages`), with `heading` `OWN_MARKING`,
so the output shows it as the student's own marking; the indexer makes one chunk of
each, never merged with the PDF's text.

Robust: a malformed `/Annots` (not an array, broken references, non-string
`/Contents`, odd `/QuadPoints`) is skipped, never a traceback; at most
`limits.MAX_PDF_MARKINGS` markings of a file and `limits.MAX_MARKING_CHARS`
characters of each are read (a warning names the limit).
"""

from __future__ import annotations

import logging
import math
import warnings as py_warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litsok import limits
from litsok.model import ORIGIN_PDF_INDEX, OWN_MARKING, Page

MARKUP = ("/Highlight", "/Underline", "/Squiggly")  # text markup: the text under the quads
COMMENTS = ("/FreeText", "/Text")  # the comment is the marking
KINDS = {"/Highlight": "highlight", "/Underline": "underline", "/Squiggly": "underline",
         "/FreeText": "freetext", "/Text": "text"}
QUAD_BAND = 0.2  # share of a quad's height cut off at top and bottom, so a loose quad never takes the next line
ANNOTATIONS_VERSION = "annots-1"  # part of a PDF's settings key: a change here reads the PDFs again


@dataclass(frozen=True)
class PdfMarking:
    """One marking found in a PDF."""

    pdf_index: int  # 0-based page index
    kind: str  # "highlight" | "underline" | "freetext" | "text"
    text: str  # the marked text ("" for a comment)
    comment: str  # the student's comment ("" when none)


@dataclass(frozen=True)
class PdfMarkings:
    markings: tuple[PdfMarking, ...]
    warnings: tuple[str, ...] = ()


def marking_text(text: str, comment: str) -> str:
    """"marked text\\n\\nKommentar: the comment"; either part may be absent."""
    text, comment = " ".join(text.split()), " ".join(comment.split())
    parts = [text] if text else []
    if comment and comment != text:
        parts.append(f"Kommentar: {comment}")
    return "\n\n".join(parts)


def read_markings(path: Path, rel_file: str) -> PdfMarkings:
    """The markings of the PDF at `path`, in page order; never raises for a bad file
    (a PDF that cannot be opened has no markings: its text reader reports it)."""
    with _quiet():
        try:
            raw, cut = _annotations(path)
        except Exception:  # noqa: BLE001 - pypdf on a damaged file: no markings, the text reader says why
            return PdfMarkings(())
        if not raw:
            return PdfMarkings(())
        quads_text = _text_under_quads(path, [(n, i, q) for n, (i, _, q, _) in enumerate(raw) if q])
    out: list[PdfMarking] = []
    long = False
    for n, (i, subtype, quads, contents) in enumerate(raw):
        under = quads_text.get(n, "") if quads else ""
        if subtype in MARKUP:
            text, comment = (under, contents) if under.strip() else (contents, "")
        else:
            text, comment = "", contents
        most = limits.MAX_MARKING_CHARS
        long = long or len(text) > most or len(comment) > most
        marking = PdfMarking(i, KINDS[subtype], text[:most], comment[:most])
        if marking_text(marking.text, marking.comment):
            out.append(marking)
    warnings = []
    if cut:
        warnings.append(
            f"{rel_file}: PDF-en har flere markeringer enn grensen; bare de første er tatt med "
            f"({limits.over_limit('MAX_PDF_MARKINGS', 'markeringer')}, eller "
            f"{limits.limit_text('MAX_PDF_MARKING_CHARS', 'tegn')} i kommentarene)."
        )
    if long:
        warnings.append(
            f"{rel_file}: en markering er lengre enn grensen; bare begynnelsen er tatt med "
            f"({limits.over_limit('MAX_MARKING_CHARS', 'tegn')})."
        )
    return PdfMarkings(tuple(out), tuple(warnings))


def marking_pages(markings: Sequence[PdfMarking], text_pages: Sequence[Page], source_key: str, rel_file: str) -> list[Page]:
    """One own-marking `Page` per marking, labelled as the PDF reader labelled the
    text of the same PDF page (a page without text: the nearest page's numbering
    carried over when it is a number, else the PDF page number)."""
    by_index: dict[int | None, Page] = {p.pdf_index: p for p in text_pages if p.pdf_index is not None}
    pages = []
    for m in markings:
        label, origin = page_label(m.pdf_index, by_index)
        pages.append(Page(source_key=source_key, file=rel_file, label=label, text=marking_text(m.text, m.comment),
                          pdf_index=m.pdf_index, label_origin=origin, heading=OWN_MARKING))
    return pages


def page_label(pdf_index: int, by_index: dict[int | None, Page]) -> tuple[str, str]:
    """(printed label, its origin) of a PDF page, from the reader's pages by PDF index."""
    page = by_index.get(pdf_index)
    if page is not None:
        return page.label, page.label_origin
    known = sorted((i, p) for i, p in by_index.items() if i is not None and p.label.isdigit())
    if known:
        i, near = min(known, key=lambda ip: abs(ip[0] - pdf_index))
        if int(near.label) + pdf_index - i > 0:
            return str(int(near.label) + pdf_index - i), near.label_origin
    return str(pdf_index + 1), ORIGIN_PDF_INDEX


# --- reading /Annots (pypdf) ---------------------------------------------------------------------

_Raw = tuple[int, str, list[tuple[float, float, float, float]], str]  # (pdf index, subtype, quads, contents)


def _annotations(path: Path) -> tuple[list[_Raw], bool]:
    """Every supported annotation of the file (at most MAX_PDF_MARKINGS, with at most about
    MAX_PDF_MARKING_CHARS characters of comments) and whether some were cut."""
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        return [], False
    out: list[_Raw] = []
    seen = chars = 0
    for i, page in enumerate(reader.pages):
        for annot in _page_annots(page):
            seen += 1
            if seen > limits.MAX_PDF_MARKINGS or chars > limits.MAX_PDF_MARKING_CHARS:
                return out, True
            raw = _one(i, annot)
            if raw is not None:
                out.append(raw)
                chars += len(raw[3])
    return out, False


def _page_annots(page: Any) -> Iterator[Any]:
    try:
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
    except Exception:  # noqa: BLE001 - a broken reference
        return
    if not isinstance(annots, list):
        return
    for ref in annots:
        try:
            obj = ref.get_object()
        except Exception:  # noqa: BLE001
            continue
        if isinstance(obj, dict):
            yield obj


def _one(i: int, annot: dict[Any, Any]) -> _Raw | None:
    try:
        subtype = str(annot.get("/Subtype", ""))
        if subtype not in KINDS:
            return None
        contents = _string(annot.get("/Contents"))
        quads = _quads(annot.get("/QuadPoints")) if subtype in MARKUP else []
    except Exception:  # noqa: BLE001 - a value of the wrong kind: skip this annotation
        return None
    return i, subtype, quads, contents


def _string(value: Any) -> str:
    try:
        value = value.get_object() if value is not None and hasattr(value, "get_object") else value
    except Exception:  # noqa: BLE001
        return ""
    return str(value)[: limits.MAX_MARKING_CHARS + 1] if isinstance(value, str) else ""


def _quads(value: Any) -> list[tuple[float, float, float, float]]:
    """(left, bottom, right, top) of each quad of `/QuadPoints` (8 numbers a quad, any corner order)."""
    try:
        value = value.get_object() if hasattr(value, "get_object") else value
        nums = [float(v) for v in value] if isinstance(value, list) else []
    except (TypeError, ValueError):
        return []
    if not all(map(math.isfinite, nums)):
        return []
    out = []
    for k in range(0, min(len(nums) // 8, limits.MAX_MARKING_QUADS) * 8, 8):
        xs, ys = nums[k : k + 8 : 2], nums[k + 1 : k + 8 : 2]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


# --- the text under the quads (pdfium) -----------------------------------------------------------


def _text_under_quads(path: Path, wanted: Sequence[tuple[int, int, list[tuple[float, float, float, float]]]]) -> dict[int, str]:
    """Marking number -> the text under its quads, for (marking number, pdf index, quads)."""
    if not wanted:
        return {}
    try:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(path))
    except Exception:  # noqa: BLE001 - pdfium cannot open it: fall back to /Contents
        return {}
    out: dict[int, str] = {}
    textpages: dict[int, Any] = {}
    try:
        for n, i, quads in wanted:  # in page order: a page's text is laid out once, then let go
            for done in [k for k in textpages if k != i]:
                _close(textpages.pop(done))
            out[n] = _under(doc, textpages, i, quads)
    finally:
        for tp in textpages.values():
            _close(tp)
        doc.close()
    return out


def _close(textpage: Any) -> None:
    try:
        textpage.close()
    except Exception:  # noqa: BLE001 - already closed with its page
        pass


def _under(doc: Any, textpages: dict[int, Any], i: int, quads: Sequence[tuple[float, float, float, float]]) -> str:
    try:
        if i not in textpages:
            textpages[i] = doc[i].get_textpage()
        tp = textpages[i]
        parts = []
        for left, bottom, right, top in quads:
            cut = (top - bottom) * QUAD_BAND
            parts.append(tp.get_text_bounded(left=left, bottom=bottom + cut, right=right, top=top - cut))
        return " ".join(" ".join(p.split()) for p in parts if p.strip())[: limits.MAX_MARKING_CHARS + 1]
    except Exception:  # noqa: BLE001 - a page pdfium cannot lay out
        return ""


@contextmanager
def _quiet() -> Iterator[None]:
    """pypdf's English warnings about a damaged file stay off the terminal (the text reader counts them)."""
    log = logging.getLogger("pypdf")
    saved = (log.level, log.propagate)
    log.setLevel(logging.CRITICAL + 1)
    log.propagate = False
    try:
        with py_warnings.catch_warnings():
            py_warnings.simplefilter("ignore")
            yield
    finally:
        log.setLevel(saved[0])
        log.propagate = saved[1]
