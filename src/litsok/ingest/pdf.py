"""PDF -> `Page`s with the page number printed on the paper.

Text comes from pypdfium2, character by character with its position
(`ingest.layout` turns them into header, body in reading order, footer and
stamps); pypdf opens the file (encryption, /PageLabels, images) and gives the
plain text of a page pdfium cannot read. Scanned pages (no text layer, or one
that lost its spaces) go through `ingest.ocr`. The printed label of each page
comes from all the evidence there is (`pages.decide_labels`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litsok.errors import UnreadableFileError
from litsok.ingest.layout import Char, PageLayout, layout_page
from litsok.ingest.ocr import INSTALL_HINT, SPREAD_RATIO, OcrJob, OcrLines, OcrOptions, ocr_available
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
_HYPHEN_BREAK = re.compile(r"(\S*?)([\w\d])-[ ]*\n[ ]*(\S+)")


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


def _pdfium_chars(textpage: Any) -> list[Char]:
    """The characters of a page in stream order with their boxes and text direction."""
    import ctypes
    import math

    import pypdfium2.raw as raw

    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    rect = raw.FS_RECTF()
    chars: list[Char] = []
    quarter = 0
    for i in range(max(n, 0)):
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
    return chars


def _pdfium_layout(doc: Any, i: int) -> PageLayout:
    page = doc[i]
    try:
        textpage = page.get_textpage()
        try:
            chars = _pdfium_chars(textpage)
        finally:
            textpage.close()
        left, bottom, right, top = page.get_bbox()
    finally:
        page.close()
    return layout_page(chars, (left, bottom, right, top))


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
    import logging

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)  # pypdf's English warnings (thousands for one damaged file) stay out of the terminal
    try:
        return _read(path, source_key, rel_file, first_page, bib_pages, ocr, progress)
    except UnreadableFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf on a damaged file: a message, never a traceback
        raise UnreadableFileError(
            rel_file,
            f"PDF-en kunne ikke leses ({type(exc).__name__}: {exc}).",
            "Last ned PDF-en på nytt, eller åpne og lagre den på nytt som PDF.",
        ) from exc
    finally:
        pypdf_log.setLevel(level)


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
    per_page: dict[int, list[_Unit]] = {}  # pdf index -> its printed pages (two for a spread)
    scanned: list[OcrJob] = []
    failed: list[int] = []
    garbled: list[OcrJob] = []
    done_text = 0
    doc = _open_pdfium(path)
    for i, page in enumerate(reader.pages):
        edges: set[int] | None
        stamps: tuple[str, ...] = ()
        try:
            if doc is None:
                raise LookupError("pdfium could not open the file")
            layout = _pdfium_layout(doc, i)
            lines, edges = layout.lines_and_edges()
            stamps = layout.stamps
        except Exception:  # noqa: BLE001 - a page pdfium cannot read: pypdf's plain text, margins unknown
            edges = None
            try:
                lines = [ln for ln in page.extract_text().splitlines() if ln.strip()]
            except Exception:  # noqa: BLE001
                lines = []
                failed.append(i)
        if any(ln.strip() for ln in lines):
            per_page[i] = [_Unit(i, lines, edges, stamps)]
            if glued_share(lines) >= GLUED_LIMIT and _has_image(page):
                garbled.append(OcrJob(i, False))  # a scan whose old OCR layer lost the spaces: read it again
            done_text += 1
            if progress:
                progress(done_text, n_pdf)
        else:
            spread = _is_spread(page) and _has_image(page)
            if _has_image(page):
                scanned.append(OcrJob(i, spread))
            per_page[i] = [_Unit(i, []) for _ in range(2 if spread else 1)]
    if doc is not None:
        doc.close()
    if failed:
        warnings.append(f"{rel_file}: teksten på PDF-side {page_ranges(failed)} kunne ikke leses og er hoppet over.")

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
        ocr_errors = _run_ocr(path, rel_file, scanned, garbled, per_page, ocr, warnings, progress, done_text, n_pdf)

    units = [unit for i in range(n_pdf) for unit in per_page[i]]
    if not any(u.lines for u in units):
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
