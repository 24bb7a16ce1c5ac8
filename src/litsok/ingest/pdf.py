"""PDF -> `Page`s with the page number printed on the paper.

Text comes from pypdfium2, character by character with its position
(`ingest.layout` turns them into header, body in reading order, footer and
stamps); pypdf opens the file (encryption, /PageLabels, images) and gives the
plain text of a page pdfium cannot read. Scanned pages (no text layer, or one
that lost its spaces) go through `ingest.ocr`. The printed label of each page
comes from all the evidence there is (`pages.decide_labels`).

The work is bounded (`litsok.limits`): a page whose content stream is over
MAX_PAGE_CONTENT_BYTES is not given to pdfium (parsing 74 MB took minutes and
gigabytes), at most MAX_PAGE_CHARS characters of a page are laid out, a file
stops being read after MAX_FILE_CHARS characters or MAX_FILE_CONTENT_BYTES of
content, and a scan is rendered for OCR at no more than MAX_OCR_PIXELS. Each
limit hit is a warning naming it; a file with nothing left is unreadable with
that reason. pypdf's English warnings are counted, never printed: one
Norwegian line per file.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings as py_warnings  # `warnings` is the name of the lists of Norwegian warnings here
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from litsok import limits
from litsok.errors import UnreadableFileError
from litsok.ingest.layout import Char, PageLayout, layout_page
from litsok.ingest.ocr import INSTALL_HINT, SPREAD_RATIO, OcrJob, OcrLines, OcrOptions, fit_dpi, ocr_available
from litsok.model import (
    ORIGIN_PDF_INDEX,
    Page,
)
from litsok.pages import EDGE_LINES, decide_labels, looks_like_cover, margin_numbers, page_ranges, split_running_lines

__all__ = ["PdfReadResult", "read_pdf", "clean_text", "OcrOptions"]

# Bumped when the reading of a PDF changes, so an index built by an older litsok reads
# its PDFs again (their embeddings are reused where the text is the same).
READER_VERSION = "pdfium-2"

SETTING_HINT = (
    "Oppgi første trykte side for kilden i kilder.bib (`litsok_forsteside = {126}`), "
    "eller sidetallene (`pages = {126--139}`), og kjør `litsok indekser` på nytt."
)


@dataclass(frozen=True)
class PdfReadResult:
    """What `read_pdf` found: pages with printed labels, and what the user should know."""

    pages: tuple[Page, ...]
    warnings: tuple[str, ...] = ()
    page_origin: str = ORIGIN_PDF_INDEX  # the ORIGIN_* used for most pages
    notes: tuple[str, ...] = ()  # disagreements resolved while deciding the page numbers (for `kilder`)


GLUED_LIMIT = 0.2  # share of letters in 25+-letter "words": a text layer that lost its spaces (real pages: ≤ 0.03)


def glued_share(lines: Sequence[str]) -> float:
    """Share of the letters of a page that stand in words of 25 letters or more."""
    words = re.findall(r"[^\W\d_]+", " ".join(lines))
    total = sum(map(len, words))
    if total < 200:
        return 0.0
    return sum(len(w) for w in words if len(w) >= 25) / total


def _open_pdfium(path: Path) -> Any:
    """The document in pdfium (positions of every character), or None when pdfium cannot open it."""
    try:
        import pypdfium2 as pdfium

        return pdfium.PdfDocument(str(path))
    except Exception:  # noqa: BLE001 - pypdf's reading is the fallback
        return None


# --------------------------------------------------------------------------- text clean-up

_LIGATURES = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "ft", "\ufb06": "st", "\u0132": "IJ", "\u0133": "ij",
}  # fmt: skip
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = dict.fromkeys(
    map(ord, "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"), " "
)
# Words a suspended compound hangs on: "barne- og familievern" keeps "barne- ".
_SUSPENDED_NEXT = {"og", "eller", "samt", "til", "enn", "and", "or"}
# starts only at a word start: `\S*?` tried from every position of a 100,000-letter word was quadratic
_HYPHEN_BREAK = re.compile(r"(?<!\S)(\S*?)([\w\d])-[ ]*+\n[ ]*+(\S+)")


def _join_hyphen(m: re.Match[str]) -> str:
    left = m.group(1) + m.group(2)
    right = m.group(3)
    word = re.sub(r"\W", "", right)
    if word.lower() in _SUSPENDED_NEXT:
        return f"{left}- {right}"  # suspended compound: "barne- og"
    letters = re.sub(r"[^\w]", "", left.split("-")[-1])
    acronym = letters.isupper() or any(ch.isdigit() for ch in letters)
    if right[:1].isupper() or right[:1].isdigit() or acronym:
        return f"{left}-{right}"  # real compound: "NAV-veileder", "Røkenes-Hanssen"
    return f"{left}{right}"  # broken word: "relasjons-\nbygging"


def clean_text(text: str) -> str:
    """What a Norwegian reader needs from extracted text.

    Ligatures spelled out, soft hyphens and zero-width characters removed (a
    word broken at a soft hyphen is joined), odd spaces made plain, words
    hyphenated across a line break joined unless the hyphen is real
    (`NAV-veileder`, `Røkenes-Hanssen`, `barne- og familievern`), runs of spaces
    and blank lines collapsed. Line breaks are otherwise kept.
    """
    for lig, plain in _LIGATURES.items():
        text = text.replace(lig, plain)
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE).translate(_SPACES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\u00ad[ ]*\n[ ]*", "", text)  # soft hyphen at a line break: join
    text = text.replace("\u00ad", "")
    text = re.sub(r"[ ]{2,}", " ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _HYPHEN_BREAK.sub(_join_hyphen, text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


MARGIN_ZONE = 0.15  # OCR'd pages: share of the height at the top and bottom where headers/footers stand


# --------------------------------------------------------------------------- positioned text (pdfium)


def _pdfium_chars(textpage: Any) -> tuple[list[Char], int]:
    """The first MAX_PAGE_CHARS characters of a page in stream order with their boxes
    and text direction, and how many characters the page has."""
    import ctypes
    import math

    import pypdfium2.raw as raw

    tp = textpage.raw
    n = max(raw.FPDFText_CountChars(tp), 0)
    rect = raw.FS_RECTF()
    chars: list[Char] = []
    quarter = 0
    for i in range(min(n, limits.MAX_PAGE_CHARS)):
        code = raw.FPDFText_GetUnicode(tp, i)
        if code == 0 or code >= 0x110000:
            continue
        ch = "\n" if code in (10, 13) else "-" if code == 0xFFFE else chr(code)
        # the loose box spans the glyph's advance and the font's height: within a word
        # the boxes touch, so a gap between them is a word space even without a space character
        raw.FPDFText_GetLooseCharBox(tp, i, ctypes.byref(rect))
        space = ch.isspace()  # a space runs the way the text before it runs
        angle = -1.0 if space else raw.FPDFText_GetCharAngle(tp, i)
        if angle < 0:
            quarter = quarter if space else 0
        else:
            deg = math.degrees(angle) % 360
            quarter = round(deg / 90) % 4
            if min(abs(deg - 90 * quarter), 360 - abs(deg - 90 * quarter)) > 8:
                quarter = -1  # diagonal: a watermark
        chars.append(Char(ch, rect.left, min(rect.bottom, rect.top), rect.right, max(rect.bottom, rect.top), space and raw.FPDFText_IsGenerated(tp, i) == 1, quarter))
    return chars, n


class _BusyPage(Exception):
    """A page with more text objects on one line than MAX_LINE_TEXT_OBJECTS: not given to pdfium's text reader."""

    def __init__(self, longest: int) -> None:
        super().__init__(longest)
        self.longest = longest


@dataclass
class _Lines:
    """Text objects pdfium gathers into lines, counted as `line_work` walks a page."""

    run: int = 0
    longest: int = 0
    work: int = 0  # sum of the squared line lengths
    y: float | None = None
    h: float = 0.0

    def add(self, y: float, h: float) -> None:
        if self.y is not None and abs(y - self.y) <= max(h, self.h) / 2:
            self.run += 1
        else:
            self.close()
            self.run = 1
        self.y, self.h = y, h
        self.longest = max(self.longest, self.run)

    def close(self) -> None:
        self.work += self.run * self.run
        self.run = 0


def line_work(page: Any) -> _Lines:
    """How much work pdfium's text reader has with a page: it gathers consecutive text
    objects standing on one line (within half a line height) and sorts each line by
    insertion, so the work grows with the square of a line's length (8,000 objects in
    one line: 0.7 s; 80,000, which fit in 2 MB of content: over a minute). A walk over
    the page objects (three pdfium calls each), stopped once a line passes MAX_LINE_TEXT_OBJECTS."""
    import ctypes

    import pypdfium2.raw as raw

    box = [ctypes.c_float() for _ in range(4)]
    refs = [ctypes.byref(v) for v in box]
    lines = _Lines()

    def walk(count: Any, get: Any, parent: Any, depth: int) -> None:
        for k in range(max(count(parent), 0)):
            if lines.longest > limits.MAX_LINE_TEXT_OBJECTS:
                return
            obj = get(parent, k)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_FORM and depth < 4:
                walk(raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, obj, depth + 1)
            elif kind == raw.FPDF_PAGEOBJ_TEXT and raw.FPDFPageObj_GetBounds(obj, *refs):
                lines.add(box[1].value, abs(box[3].value - box[1].value))

    walk(raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, page.raw, 0)
    lines.close()
    return lines


def _pdfium_layout(doc: Any, i: int) -> tuple[PageLayout, int, tuple[float, float], int]:
    """The page's layout, how many characters pdfium found on it (at most MAX_PAGE_CHARS
    are laid out), its size in points as rendered and its `line_work`. Raises _BusyPage
    (before pdfium reads the text) when one line has more than MAX_LINE_TEXT_OBJECTS objects."""
    page = doc[i]
    try:
        lines = line_work(page)
        if lines.longest > limits.MAX_LINE_TEXT_OBJECTS:
            raise _BusyPage(lines.longest)
        textpage = page.get_textpage()
        try:
            chars, n = _pdfium_chars(textpage)
        finally:
            textpage.close()
        left, bottom, right, top = page.get_bbox()
        width, height = page.get_size()
    finally:
        page.close()
    return layout_page(chars, (left, bottom, right, top)), n, (float(width), float(height)), lines.work


# --------------------------------------------------------------------------- how much work a page is


def _streams(obj: Any, depth: int = 0, seen: set[int] | None = None) -> list[Any]:
    """The content streams of a page and of the form XObjects it draws (nested up to 4 deep, each once)."""
    seen = set() if seen is None else seen
    out: list[Any] = []
    contents = obj.get("/Contents")  # a page's; a form XObject is a stream itself
    if contents is not None:
        contents = contents.get_object()
        out += [c.get_object() for c in contents] if isinstance(contents, list) else [contents]
    try:
        xobjects = obj["/Resources"].get_object().get("/XObject")
        forms = [x.get_object() for x in xobjects.get_object().values()] if xobjects is not None else []
    except Exception:  # noqa: BLE001 - no resources: nothing more to count
        forms = []
    for form in forms:
        if depth < 4 and form.get("/Subtype") == "/Form" and id(form) not in seen:
            seen.add(id(form))
            out += [form, *_streams(form, depth + 1, seen)]
    return out


def _decoded_size(stream: Any, most: int) -> int:
    """Bytes of a stream once decoded, counted only up to `most` + 1 (a Flate bomb is
    never inflated in full; other filters are decoded by pypdf, which caps them itself)."""
    import zlib

    filters = stream.get("/Filter")
    filters = [filters] if isinstance(filters, str) else list(filters or [])
    encoded = getattr(stream, "_data", b"") or b""
    if not filters:
        return len(encoded)
    if [str(f) for f in filters] in (["/FlateDecode"], ["/Fl"]):
        inflate = zlib.decompressobj()
        total = 0
        for k in range(0, len(encoded), 1 << 16):
            total += len(inflate.decompress(encoded[k : k + (1 << 16)], max(most + 1 - total, 1)))
            while inflate.unconsumed_tail and total <= most:
                total += len(inflate.decompress(inflate.unconsumed_tail, max(most + 1 - total, 1)))
            if total > most:
                return total
        return total
    return len(stream.get_data())


def content_bytes(page: Any, most: int) -> int:
    """Decoded bytes of the content streams pdfium would parse for `page`, counted up to `most` + 1."""
    from pypdf.errors import LimitReachedError

    total = 0
    for stream in _streams(page):
        try:
            total += _decoded_size(stream, most - total)
        except LimitReachedError:  # over pypdf's own cap (75 MB)
            return most + 1
        except Exception:  # noqa: BLE001 - a damaged stream: pdfium may still read the rest
            continue
        if total > most:
            break
    return total


# --------------------------------------------------------------------------- reading


@dataclass
class _Unit:
    """One printed page: a PDF page, or one half of a scanned two-page spread."""

    pdf_index: int
    lines: list[str]
    edges: set[int] | None = None  # lines standing in the header/footer margins; None: unknown
    stamps: tuple[str, ...] = ()  # text running another way (a "Downloaded from" stamp): numbers only, never body


def _open(path: Path, rel_file: str) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFileError(
            rel_file, f"fila kan ikke åpnes ({exc.strerror or exc}).", "Sjekk at fila finnes og kan leses."
        ) from exc
    if size == 0:
        raise UnreadableFileError(rel_file, "fila er tom (0 byte).", "Last ned PDF-en på nytt.")
    try:
        reader = PdfReader(path, strict=False)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for broken files
        raise UnreadableFileError(
            rel_file,
            f"fila er ikke en lesbar PDF ({type(exc).__name__}: {exc}).",
            "Last ned PDF-en på nytt, eller åpne og lagre den på nytt som PDF.",
        ) from exc
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except (DependencyError, NotImplementedError) as exc:
            raise UnreadableFileError(
                rel_file,
                f"PDF-en er kryptert med en metode som krever en ekstra pakke ({exc}).",
                "Installer `cryptography` (`pip install cryptography`) og kjør på nytt.",
            ) from exc
        except Exception:  # noqa: BLE001 - a damaged encryption dictionary: treat as locked
            ok = 0  # type: ignore[assignment]
        if not ok:
            raise UnreadableFileError(
                rel_file,
                "PDF-en er passordbeskyttet.",
                "Åpne den med passordet og lagre en kopi uten passord (f.eks. «Skriv ut til PDF»), og legg kopien i korpuset.",
            )
    try:
        count = len(reader.pages)
    except Exception as exc:  # noqa: BLE001
        raise UnreadableFileError(
            rel_file, f"sidene i PDF-en kan ikke leses ({exc}).", "Last ned PDF-en på nytt."
        ) from exc
    if count == 0:
        raise UnreadableFileError(rel_file, "PDF-en har ingen sider.", "Last ned PDF-en på nytt.")
    return reader


def _has_image(page: Any) -> bool:
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        if xobjects is None:
            return False
        for ref in xobjects.get_object().values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image" or obj.get("/Subtype") == "/Form":
                return True
    except Exception:  # noqa: BLE001
        return False
    return False


def _is_spread(page: Any) -> bool:
    try:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        if int(page.get("/Rotate", 0) or 0) % 180:
            w, h = h, w
    except Exception:  # noqa: BLE001
        return False
    return h > 0 and w / h > SPREAD_RATIO


def _ocr_unit(pdf_index: int, part: OcrLines) -> _Unit:
    """A page read by OCR: header lines first, footer lines last, and which
    lines stand in the margins (by their position on the scan)."""
    lines = [(t, top, bottom) for t, top, bottom in part if t.strip()]
    head = [ln for ln in lines if ln[2] < MARGIN_ZONE][:EDGE_LINES]
    foot = [ln for ln in lines if ln[1] > 1 - MARGIN_ZONE and ln not in head][-EDGE_LINES:]
    body = [ln for ln in lines if ln not in head and ln not in foot]
    ordered = [t for t, _, _ in head + body + foot]
    edges = set(range(len(head))) | set(range(len(head) + len(body), len(ordered)))
    return _Unit(pdf_index, ordered, edges)


def _run_ocr(
    path: Path,
    rel_file: str,
    scanned: list[OcrJob],
    garbled: list[OcrJob],
    per_page: dict[int, list[_Unit]],
    ocr: OcrOptions,
    warnings: list[str],
    progress: Callable[[int, int], None] | None,
    done_text: int,
    n_pdf: int,
) -> dict[int, str]:
    """OCR the scanned pages, and the garbled ones where OCR reads them better;
    fills `per_page` and `warnings`, returns the pages OCR failed on."""
    from litsok.ingest.ocr import ocr_pages

    def ocr_progress(done: int, total: int) -> None:
        if progress:
            progress(done_text + done, n_pdf)

    results, ocr_errors = ocr_pages(path, scanned + garbled, ocr, progress=ocr_progress)
    garbled_pages = {j.pdf_index for j in garbled}
    redone = []
    for idx, parts in results.items():
        units_ocr = [_ocr_unit(idx, part) for part in parts]
        if idx in garbled_pages:
            if glued_share([ln for u in units_ocr for ln in u.lines]) >= glued_share(per_page[idx][0].lines):
                continue  # the text layer was no worse: keep it
            redone.append(idx)
        per_page[idx] = units_ocr
    if redone:
        warnings.append(
            f"{rel_file}: tekstlaget på PDF-side {page_ranges(redone)} manglet mellomrom mellom ordene; "
            "sidene er lest med OCR i stedet."
        )
    if ocr_errors:
        warnings.append(
            f"{rel_file}: OCR feilet på PDF-side {page_ranges(sorted(ocr_errors))} "
            f"({next(iter(ocr_errors.values()))}). Sjekk Tesseract-installasjonen. {INSTALL_HINT}"
        )
    return ocr_errors


def read_pdf(
    path: Path,
    *,
    source_key: str,
    rel_file: str,
    first_page: int | None = None,
    bib_pages: tuple[int, int] | None = None,
    ocr: OcrOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PdfReadResult:
    """Read a PDF into `Page`s labelled with the page number printed on the paper.

    The label of every page comes from the strongest evidence, recorded in
    `Page.label_origin`:

    1. `first_page` (a setting for the file): first_page + index; always wins.
    2. `bib_pages` (the source's page range in the bibliography) when its length
       equals the number of printed pages in the file; else a warning.
    3. The PDF's own /PageLabels, when they are more than the default 1..n.
    4. Numbers printed in running headers/footers, as one consistent sequence.
    5. The 1-based PDF page index, with a warning that the file needs a setting.

    Scanned pages are read with OCR when `ocr` is given and Tesseract is there;
    otherwise they are skipped with a warning. Pages without text are left out.
    Raises `UnreadableFileError` for zero-byte, corrupt, password-protected and
    empty PDFs. `progress(done, total)` is called as pages are read.
    """
    with _PypdfWarnings() as pypdf_warnings:
        try:
            result = _read(path, source_key, rel_file, first_page, bib_pages, ocr, progress)
        except UnreadableFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - pypdf on a damaged file: a message, never a traceback
            raise UnreadableFileError(
                rel_file,
                f"PDF-en kunne ikke leses ({type(exc).__name__}: {exc}).",
                "Last ned PDF-en på nytt, eller åpne og lagre den på nytt som PDF.",
            ) from exc
    if not pypdf_warnings.count:
        return result
    return replace(
        result,
        warnings=(
            f"{rel_file}: PDF-en har feil i strukturen ({pypdf_warnings.count} advarsler fra pypdf); teksten er lest "
            "så godt det går. Ser den feil ut, last ned PDF-en på nytt eller åpne og lagre den på nytt som PDF.",
            *result.warnings,
        ),
    )


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class _PypdfWarnings:
    """Counts what pypdf says while one file is read and keeps it off the terminal:
    its log records (one damaged PDF wrote 16,506 English lines) and its `warnings`."""

    count = 0

    def __enter__(self) -> _PypdfWarnings:
        self._log = logging.getLogger("pypdf")
        self._saved = (self._log.level, self._log.propagate)
        self._counter = _Counter()
        self._log.addHandler(self._counter)
        self._log.setLevel(logging.WARNING)
        self._log.propagate = False
        self._caught = py_warnings.catch_warnings(record=True)
        self._records = self._caught.__enter__()
        py_warnings.simplefilter("always")
        return self

    def __exit__(self, *exc: object) -> None:
        self._caught.__exit__(None, None, None)
        self._log.removeHandler(self._counter)
        self._log.setLevel(self._saved[0])
        self._log.propagate = self._saved[1]
        self.count = self._counter.count
        for w in self._records:
            if "pypdf" in (w.filename or "") or "pypdf" in type(w.message).__module__:
                self.count += 1
            else:  # not pypdf's: pass it on as it was
                py_warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


@dataclass
class _Cuts:
    """What the limits left out of one PDF (see `litsok.limits`)."""

    big_pages: dict[int, int] = field(default_factory=dict)  # pdf index -> content bytes over MAX_PAGE_CONTENT_BYTES
    busy_pages: dict[int, int] = field(default_factory=dict)  # pdf index -> text objects counted in one line (> the limit)
    long_pages: list[int] = field(default_factory=list)  # pages with more than MAX_PAGE_CHARS characters
    stopped_at: int | None = None  # first page not read: the file passed one of the _FILE_BUDGETS
    stopped_by: str = ""
    ocr_too_big: dict[int, tuple[float, float]] = field(default_factory=dict)  # page -> size in pt over MAX_OCR_PIXELS

    def reasons(self, n_pdf: int) -> list[tuple[str, str]]:
        """(what a limit left out, the next step) for each limit hit, in Norwegian, without the file name."""
        out = []
        reprint = "Skriv ut PDF-en på nytt («Skriv ut til PDF»), eller lag et notat om siden, hvis den skal med."
        if self.big_pages:
            out.append((
                f"PDF-side {page_ranges(sorted(self.big_pages))} har en innholdsstrøm "
                f"{limits.over_limit('MAX_PAGE_CONTENT_BYTES', 'byte')} og er ikke lest",
                reprint,
            ))
        if self.busy_pages:
            out.append((
                f"PDF-side {page_ranges(sorted(self.busy_pages))} har for mange tekstobjekter på én linje "
                f"({limits.over_limit('MAX_LINE_TEXT_OBJECTS')}) og er ikke lest",
                reprint,
            ))
        if self.long_pages:
            out.append((
                f"PDF-side {page_ranges(self.long_pages)} har tekst {limits.over_limit('MAX_PAGE_CHARS', 'tegn')}; "
                "bare begynnelsen av siden er lest",
                "Lag et notat om resten av siden hvis den skal med.",
            ))
        if self.stopped_at is not None:
            what, unit = _FILE_BUDGETS[self.stopped_by]
            total = f"PDF-en har {n_pdf} sider," if self.stopped_by == "MAX_FILE_PAGES" else f"{what} i PDF-en er til sammen"
            out.append((
                f"{total} {limits.over_limit(self.stopped_by, unit)}; "
                f"PDF-side {page_ranges(list(range(self.stopped_at, n_pdf)))} er ikke lest",
                "Del PDF-en i flere filer (for eksempel ett kapittel i hver), så blir alle sidene lest.",
            ))
        if self.ocr_too_big:
            w, h = max(self.ocr_too_big.values(), key=lambda wh: wh[0] * wh[1])
            out.append((
                f"PDF-side {page_ranges(sorted(self.ocr_too_big))} er skannet og {w:.0f} × {h:.0f} pt "
                f"({w / 72 * 2.54:.0f} × {h / 72 * 2.54:.0f} cm); gjengitt for OCR blir den "
                f"{limits.over_limit('MAX_OCR_PIXELS', 'piksler')} selv ved {limits.MIN_OCR_DPI} dpi, og er ikke lest",
                "Skann siden på nytt i vanlig sidestørrelse (A4), eller lag et notat om den.",
            ))
        return out


_FILE_BUDGETS = {  # limit -> (what adds up to it, its unit)
    "MAX_FILE_CHARS": ("teksten", "tegn"),
    "MAX_FILE_CONTENT_BYTES": ("innholdsstrømmene", "byte"),
    "MAX_FILE_LINE_WORK": ("arbeidet med å lese tekstlinjene", ""),
    "MAX_FILE_PAGES": ("", "sider"),  # said as «PDF-en har N sider, over grensen …»
}


@dataclass
class _TextLayer:
    """Step 1 of reading a PDF: every page's text layer, and the pages OCR should read."""

    per_page: dict[int, list[_Unit]] = field(default_factory=dict)  # pdf index -> its printed pages (two for a spread)
    scanned: list[OcrJob] = field(default_factory=list)
    garbled: list[OcrJob] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    sizes: dict[int, tuple[float, float]] = field(default_factory=dict)  # pdf index -> (width, height) in pt
    cuts: _Cuts = field(default_factory=_Cuts)
    done_text: int = 0


def _page_size(page: Any) -> tuple[float, float]:
    """(width, height) in points as rendered: the crop box, turned by /Rotate."""
    try:
        box = page.cropbox
        w, h = abs(float(box.width)), abs(float(box.height))
        if int(page.get("/Rotate", 0) or 0) % 180:
            w, h = h, w
        return w, h
    except Exception:  # noqa: BLE001 - a broken box: pdfium falls back to A4 as well
        return 595.0, 842.0


def _read_text_layer(path: Path, reader: Any, progress: Callable[[int, int], None] | None) -> _TextLayer:
    """The text of every page, within the limits: a page whose content streams are over
    MAX_PAGE_CONTENT_BYTES is not parsed at all, and the file stops being read once it
    passed MAX_FILE_CHARS characters or MAX_FILE_CONTENT_BYTES bytes of content."""
    out = _TextLayer()
    cuts = out.cuts
    n_pdf = len(reader.pages)
    chars = content = work = 0
    doc = _open_pdfium(path)
    for i, page in enumerate(reader.pages):
        if cuts.stopped_at is None and i >= limits.MAX_FILE_PAGES:
            cuts.stopped_at, cuts.stopped_by = i, "MAX_FILE_PAGES"
        if cuts.stopped_at is not None:
            out.per_page[i] = [_Unit(i, [])]
            continue
        size = content_bytes(page, limits.MAX_PAGE_CONTENT_BYTES)
        if size > limits.MAX_PAGE_CONTENT_BYTES:
            cuts.big_pages[i] = size
            out.per_page[i] = [_Unit(i, [])]
            continue
        content += size
        if content > limits.MAX_FILE_CONTENT_BYTES:
            cuts.stopped_at, cuts.stopped_by = i, "MAX_FILE_CONTENT_BYTES"
            out.per_page[i] = [_Unit(i, [])]
            continue
        try:
            got = _page_text(doc, i, page, out.failed)
        except _BusyPage as busy:
            cuts.busy_pages[i] = busy.longest
            out.per_page[i] = [_Unit(i, [])]
            continue
        lines, out.sizes[i] = got.lines, got.size
        chars, work = chars + got.chars, work + got.work
        if got.chars > limits.MAX_PAGE_CHARS:
            cuts.long_pages.append(i)
        for name, used in (("MAX_FILE_CHARS", chars), ("MAX_FILE_LINE_WORK", work)):
            if used > getattr(limits, name) and i + 1 < n_pdf and cuts.stopped_at is None:
                cuts.stopped_at, cuts.stopped_by = i + 1, name
        if any(ln.strip() for ln in lines):
            out.per_page[i] = [_Unit(i, lines, got.edges, got.stamps)]
            if glued_share(lines) >= GLUED_LIMIT and _has_image(page):
                out.garbled.append(OcrJob(i, False))  # a scan whose old OCR layer lost the spaces: read it again
            out.done_text += 1
            if progress:
                progress(out.done_text, n_pdf)
        else:
            spread = _is_spread(page) and _has_image(page)
            if _has_image(page):
                out.scanned.append(OcrJob(i, spread))
            out.per_page[i] = [_Unit(i, []) for _ in range(2 if spread else 1)]
    if doc is not None:
        doc.close()
    return out


@dataclass(frozen=True)
class _PageText:
    lines: list[str]
    edges: set[int] | None  # margin lines; None when unknown
    stamps: tuple[str, ...]
    chars: int  # characters on the page (more than are kept when over MAX_PAGE_CHARS)
    size: tuple[float, float]  # in points, as rendered
    work: int = 0  # pdfium's `line_work`


def _page_text(doc: Any, i: int, page: Any, failed: list[int]) -> _PageText:
    """One page's text: pdfium's layout, or pypdf's plain text when pdfium cannot read
    the page. Raises _BusyPage for a page pdfium's text reader would take minutes over."""
    try:
        if doc is None:
            raise LookupError("pdfium could not open the file")
        layout, n, size, work = _pdfium_layout(doc, i)
        lines, edges = layout.lines_and_edges()
        return _PageText(lines, edges, layout.stamps, n, size, work)
    except _BusyPage:
        raise
    except Exception:  # noqa: BLE001 - a page pdfium cannot read: pypdf's plain text, margins unknown
        try:
            text = page.extract_text()
        except Exception:  # noqa: BLE001
            failed.append(i)
            return _PageText([], None, (), 0, _page_size(page))
        lines = [ln for ln in text[: limits.MAX_PAGE_CHARS].splitlines() if ln.strip()]
        return _PageText(lines, None, (), len(text), _page_size(page))


_DIGITS = re.compile(r"\d+")


def _sane_label(label: str) -> bool:
    """A page label whose numbers have at most MAX_PAGE_DIGITS digits (and 40 characters in all)."""
    return len(label) <= 40 and all(len(d) <= limits.MAX_PAGE_DIGITS for d in _DIGITS.findall(label))


def _fit_ocr_jobs(
    jobs: list[OcrJob],
    sizes: dict[int, tuple[float, float]],
    ocr: OcrOptions,
    cuts: _Cuts,
    rel_file: str,
    warnings: list[str],
) -> list[OcrJob]:
    """The jobs with a resolution that keeps each rendered page within MAX_OCR_PIXELS;
    a page that would need less than MIN_OCR_DPI is left out (in `cuts`)."""
    out: list[OcrJob] = []
    lowered: dict[int, int] = {}
    for job in jobs:
        w, h = sizes.get(job.pdf_index, (595.0, 842.0))
        dpi = fit_dpi(w, h, ocr.dpi)
        if dpi is None:
            cuts.ocr_too_big[job.pdf_index] = (w, h)
        else:
            out.append(replace(job, dpi=dpi) if dpi != ocr.dpi else job)
            if dpi != ocr.dpi:
                lowered[job.pdf_index] = dpi
    if lowered:
        lo, hi = min(lowered.values()), max(lowered.values())
        warnings.append(
            f"{rel_file}: PDF-side {page_ranges(sorted(lowered))} er store skannede sider og er lest med OCR ved "
            f"{lo if lo == hi else f'{lo}–{hi}'} dpi i stedet for {ocr.dpi}, så hver side holder seg innenfor "
            f"{limits.limit_text('MAX_OCR_PIXELS', 'piksler')}."
        )
    return out


def _read(
    path: Path,
    source_key: str,
    rel_file: str,
    first_page: int | None,
    bib_pages: tuple[int, int] | None,
    ocr: OcrOptions | None,
    progress: Callable[[int, int], None] | None,
) -> PdfReadResult:
    reader = _open(path, rel_file)
    warnings: list[str] = []
    n_pdf = len(reader.pages)

    # 1. text layer, page by page
    layer = _read_text_layer(path, reader, progress)
    per_page, scanned, garbled, cuts = layer.per_page, layer.scanned, layer.garbled, layer.cuts
    done_text = layer.done_text
    if layer.failed:
        warnings.append(f"{rel_file}: teksten på PDF-side {page_ranges(layer.failed)} kunne ikke leses og er hoppet over.")

    # 2. OCR for scanned pages (and scans whose text layer is garbage)
    ocr_errors: dict[int, str] = {}
    reason = ocr_available(ocr.languages) if ocr is not None and (scanned or garbled) else None
    can_ocr = ocr is not None and reason is None
    if scanned and ocr is None:
        warnings.append(
            f"{rel_file}: PDF-side {page_ranges([j.pdf_index for j in scanned])} er skannet (uten tekstlag) og er ikke lest. "
            "Slå på OCR for å lese dem."
        )
    elif scanned and reason is not None:
        hint = "" if INSTALL_HINT in reason else f" {INSTALL_HINT}"
        warnings.append(f"{rel_file}: PDF-side {page_ranges([j.pdf_index for j in scanned])} er skannet og kunne ikke leses: {reason}{hint}")
    if garbled and not can_ocr:
        warnings.append(
            f"{rel_file}: tekstlaget på PDF-side {page_ranges([j.pdf_index for j in garbled])} mangler mellomrom mellom "
            f"ordene (et gammelt OCR-lag), så søk i dem blir dårligere. Installer Tesseract med norsk, så leser litsok "
            f"sidene på nytt: {INSTALL_HINT}"
        )
    if can_ocr and (scanned or garbled):
        assert ocr is not None
        scanned, garbled = _fit_ocr_jobs(scanned, layer.sizes, ocr, cuts, rel_file, warnings), _fit_ocr_jobs(
            garbled, layer.sizes, ocr, cuts, rel_file, warnings
        )
        ocr_errors = _run_ocr(path, rel_file, scanned, garbled, per_page, ocr, warnings, progress, done_text, n_pdf)

    units = [unit for i in range(n_pdf) for unit in per_page[i]]
    cut_reasons = cuts.reasons(n_pdf)
    if not any(u.lines for u in units):
        if cut_reasons:  # say which limit, not «ingen tekst» or a Tesseract problem
            raise UnreadableFileError(
                rel_file,
                "ingen tekst er lest: " + "; ".join(why for why, _ in cut_reasons) + ".",
                " ".join(dict.fromkeys(step for _, step in cut_reasons)),
            )
        if ocr_errors:
            raise UnreadableFileError(
                rel_file,
                f"PDF-en er skannet, og OCR feilet ({next(iter(ocr_errors.values()))}).",
                f"Sjekk Tesseract-installasjonen: {INSTALL_HINT}",
            )
        if scanned and (ocr is None or ocr_available(ocr.languages)):
            why = ocr_available(ocr.languages) if ocr is not None else None
            raise UnreadableFileError(
                rel_file,
                "PDF-en er skannet og har ikke noe tekstlag.",
                why
                or "Slå på OCR for fila (krever Tesseract med norsk: `apt-get install tesseract-ocr tesseract-ocr-nor`).",
            )
        raise UnreadableFileError(
            rel_file, "PDF-en inneholder ingen tekst.", "Sjekk at det er riktig fil, eller last den ned på nytt."
        )

    warnings += [f"{rel_file}: {why}. {step}" for why, step in cut_reasons]

    # 3. headers and footers: drop them from the text, read page numbers from them
    bodies, tokens = split_running_lines([u.lines for u in units], [u.edges for u in units])

    # 4. printed labels from all the evidence (pages.decide_labels)
    n = len(units)
    for k, unit in enumerate(units):
        tokens[k] = tokens[k] + [t for line in unit.stamps for t in margin_numbers(line)]
    texts = [clean_text("\n".join(body)) for body in bodies]
    sizes = sorted(len(t) for t in texts if t)
    median = sizes[len(sizes) // 2] if sizes else 0
    cover = [looks_like_cover(t, median) for t in texts]
    pdf_labels: list[str] | None = None
    if n == n_pdf:
        try:
            pdf_labels = [str(lab) for lab in reader.page_labels]
        except Exception:  # noqa: BLE001
            pdf_labels = None
        if pdf_labels is not None and not all(map(_sane_label, pdf_labels)):
            pdf_labels = None
            warnings.append(
                f"{rel_file}: PDF-ens egne sidetall (/PageLabels) har tall med flere sifre enn "
                f"{limits.limit_text('MAX_PAGE_DIGITS')} og er ikke brukt."
            )
    decision = decide_labels(tokens, cover=cover, first_page=first_page, bib_pages=bib_pages, pdf_labels=pdf_labels)
    notes = list(decision.notes)
    unnumbered = [units[k].pdf_index for k, (t, lab) in enumerate(zip(texts, decision.labels, strict=True)) if t and not lab]
    numbered = sum(1 for t, lab in zip(texts, decision.labels, strict=True) if t and lab)
    if not numbered:
        warnings.append(
            f"{rel_file}: fant ingen trykte sidetall, så sidene siteres med sidetallet i PDF-en (1, 2, 3 …), "
            f"som kan avvike fra papirutgaven. {SETTING_HINT}"
        )
    elif unnumbered:
        warnings.append(
            f"{rel_file}: PDF-side {page_ranges(sorted(set(unnumbered)))} har ikke noe sidetall som kan siteres; "
            "de siteres med sidetallet i PDF-en («i PDF-en»)."
            + ("" if any("uten sidetall" in nt for nt in notes) else f" {SETTING_HINT}")
        )
    warnings.extend(f"{rel_file}: {nt}" for nt in notes)

    pages: list[Page] = []
    origins: Counter[str] = Counter()
    for unit, text, label, how in zip(units, texts, decision.labels, decision.origins, strict=True):
        if not text:
            continue
        page_origin = how
        if not label:  # no evidence for a printed number: cite the PDF page, and say so
            label = str(unit.pdf_index + 1)
        pages.append(
            Page(
                source_key=source_key,
                file=rel_file,
                label=label,
                text=text,
                pdf_index=unit.pdf_index,
                label_origin=page_origin,
            )
        )
        origins[page_origin] += 1
    if not pages:
        raise UnreadableFileError(
            rel_file, "PDF-en inneholder ingen tekst utenom topp- og bunntekst.", "Sjekk at det er riktig fil."
        )
    if progress:
        progress(n_pdf, n_pdf)
    return PdfReadResult(
        pages=tuple(pages), warnings=tuple(warnings), page_origin=origins.most_common(1)[0][0], notes=tuple(notes)
    )
