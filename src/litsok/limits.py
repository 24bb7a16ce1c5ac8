"""Named limits: wherever the size of an input drives the work, the work is
bounded here, and a message that says a limit was hit names the constant and
its value (issue 14). Each constant says what it bounds and why that value.
Tests lower a limit by monkeypatching the constant in this module; code reads
it as `limits.NAME` at call time so that works."""

from __future__ import annotations

# --------------------------------------------------------------------------- ingest: notes, PDF text, OCR, chunker

# characters read from one corpus file (note or PDF text); ~2,500 dense book pages, twice the thickest textbook
MAX_FILE_CHARS = 10_000_000
# characters of one page (a PDF page or a note's page section); the densest real page has 11k, a PDF page costs ~20 µs a char
MAX_PAGE_CHARS = 100_000
# decoded content-stream bytes of one PDF page given to pdfium (~0.4 s and ~80 MB a MB); the densest real page has 176 KB
MAX_PAGE_CONTENT_BYTES = 2_000_000
# decoded content-stream bytes read from one PDF; 3x a 1,000-page textbook at the real set's densest 35 KB a page
MAX_FILE_CONTENT_BYTES = 100_000_000
# a "word" (no whitespace) longer than this is cut into pieces; the longest real tokens (URLs, DOIs) are ~150
MAX_WORD_CHARS = 200
# characters of one chunk; a table of contents with dot leaders makes 5,600 (bjerkan2023 in the real-PDF set), prose ~1,500
MAX_CHUNK_CHARS = 8_000
# digits in a page number (page markers, PDF page labels); 6 covers any real book, and int() is never fed 4,300 digits
MAX_PAGE_DIGITS = 6
# letters in a roman page number; "mmmdccclxxxviii" (3888) is 15
MAX_ROMAN_CHARS = 15
# pixels of one rendered OCR page; ~A3 at 300 dpi (3508 x 4961 = 17.4 Mpx), A4 at the default 200 dpi is 3.9 Mpx
MAX_OCR_PIXELS = 18_000_000
# text objects pdfium gathers into one line (it sorts a line by insertion: 5,000 cost 0.3 s); the real set has at most 31
MAX_LINE_TEXT_OBJECTS = 5_000
# sum over a PDF's lines of (text objects in the line)^2, pdfium's sorting work (~1e-8 s each: 20 s); a 1,000-page book ~2e7
MAX_FILE_LINE_WORK = 2_000_000_000
# spacing accents (TeX's «b˚ade») put back on their letter, a page; a Norwegian page has < 500, the rest stay as printed
MAX_PAGE_ACCENTS = 5_000
# lowest resolution an oversized page is rendered at for OCR; below it Tesseract cannot read body text, so the page is skipped
MIN_OCR_DPI = 100


def limit_text(name: str, unit: str = "") -> str:
    """How a message names a limit: «MAX_FILE_CHARS = 10 000 000 tegn» (its current value)."""
    value = globals()[name]
    shown = f"{value:,}".replace(",", "\u00a0")
    return f"{name} = {shown}" + (f" {unit}" if unit else "")


LEFT_OUT = "over grensen "  # said by every message whose limit left text out of the index: «… over grensen MAX_… = …»


def over_limit(name: str, unit: str = "") -> str:
    """«over grensen MAX_PAGE_CHARS = 200 000 tegn»: the words for text a limit left out."""
    return LEFT_OUT + limit_text(name, unit)


def left_text_out(message: str) -> bool:
    """Whether a warning says a limit left part of a file out (the run is partial: exit code 2)."""
    return LEFT_OUT in message
