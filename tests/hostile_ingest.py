"""Hostile corpus files for the readers (notes, PDFs, OCR) and the chunker.

Each `make_<case>(folder, scale=1.0)` writes one hostile file into `folder` and
returns its path. `scale=1.0` is the full-size input from issue 14 (items 10-12);
unit tests call these with a small scale and lower the limit instead, and
bench/robustness.py runs every entry of `CASES` at full size through the CLI.

PDFs are written as raw PDF bytes (`raw_pdf`), so a 14,400-point page or a
content stream of 74 MB costs nothing to make.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

# --------------------------------------------------------------------------- raw PDF


def raw_pdf(
    path: Path,
    contents: Sequence[bytes],
    *,
    size: tuple[float, float] = (595.0, 842.0),
    image: bool = False,
    compress: bool = True,
    broken_xref: bool = False,
    extra_objects: int = 0,
    catalog_extra: bytes = b"",
) -> Path:
    """A PDF with one page per content stream, Helvetica as /F1 and (`image`) a
    1x1 grey picture as /Im0. `broken_xref` points every object's xref entry into
    the middle of its `N 0 obj` line (a damaged file that pypdf repairs with a warning
    for each object); `extra_objects` adds that many unused objects; `catalog_extra`
    goes into the document catalog (e.g. a /PageLabels entry)."""
    objects: list[bytes] = []
    n = len(contents)
    first_page = 5
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(n))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream"
    )
    w, h = size
    xobj = "/XObject << /Im0 4 0 R >>" if image else ""
    for i, content in enumerate(contents):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:g} {h:g}] "
            f"/Resources << /Font << /F1 3 0 R >> {xobj} >> /Contents {first_page + 2 * i + 1} 0 R >>".encode()
        )
        data = zlib.compress(content, 9) if compress else content
        filt = b" /Filter /FlateDecode" if compress else b""
        objects.append(b"<< /Length %d%s >>\nstream\n" % (len(data), filt) + data + b"\nendstream")
    objects += [b"%d" % k for k in range(extra_objects)]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for k, off in enumerate(offsets, start=1):
        out += b"%010d 00000 n \n" % (off + (len(b"%d 0 obj" % k) - 2 if broken_xref else 0))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def text_content(lines: Sequence[str], *, top: float = 780.0, leading: float = 14.0, font_size: float = 11.0) -> bytes:
    """A content stream that shows `lines` (Latin-1 text) one under the other."""
    ops = [f"BT /F1 {font_size:g} Tf {leading:g} TL 56 {top:g} Td"]
    for line in lines:
        esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({esc}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


SENTENCE = "Relasjonen mellom klient og sosialarbeider bygger på tillit, aksept og respekt."


def _n(full: int, scale: float, least: int = 1) -> int:
    return max(least, int(full * scale))


# --------------------------------------------------------------------------- notes


def make_heading_spaces(folder: Path, scale: float = 1.0) -> Path:
    """`# a` + 4,000 spaces + `b`: the old heading regex backtracked cubically (98 s)."""
    path = folder / "overskrift.md"
    path.write_text("# a" + " " * _n(4000, scale) + "b\n\nTillit tar tid å bygge opp.\n", encoding="utf-8")
    return path


def make_marker_spaces(folder: Path, scale: float = 1.0) -> Path:
    """A page marker followed by 100,000 spaces and a word: the old marker regex was quadratic."""
    path = folder / "sidemarkor.md"
    path.write_text(
        "---\nkilde: biestek1972\n---\n## s. 12" + " " * _n(100_000, scale) + "x\nTekst under markøren.\n"
        "## s. 13\nAksept er et grunnprinsipp.\n",
        encoding="utf-8",
    )
    return path


def make_long_word(folder: Path, scale: float = 1.0) -> Path:
    """A 1 MB line without a single space under one page marker (it used to become one 1 MB chunk)."""
    path = folder / "langt-ord.md"
    path.write_text(
        "---\nkilde: biestek1972\n---\n## s. 5\nFør ordet står en vanlig setning.\n"
        + "a" * _n(1_000_000, scale)
        + "\n\nEtter ordet kommer en setning til.\n",
        encoding="utf-8",
    )
    return path


def make_sentence_ends(folder: Path, scale: float = 1.0) -> Path:
    """1 MB of `s. A ` (an abbreviation before every capital) and a 200,000-dot run:
    the sentence splitter copied the whole text before every candidate end."""
    path = folder / "forkortelser.md"
    path.write_text(
        "## s. 1\n" + "s. A " * _n(200_000, scale) + "\n\n" + "." * _n(200_000, scale) + "\n\nSlutt.\n",
        encoding="utf-8",
    )
    return path


def make_many_pages_note(folder: Path, scale: float = 1.0) -> Path:
    """A note with 20,000 page markers (chunking was quadratic in the page count: 71 s)."""
    n = _n(20_000, scale, least=2)
    path = folder / "mange-sider.md"
    path.write_text(
        "---\nkilde: biestek1972\n---\n" + "".join(f"## s. {i}\nNotat {i} om tillit.\n" for i in range(1, n + 1)),
        encoding="utf-8",
    )
    return path


def make_huge_note(folder: Path, scale: float = 1.0) -> Path:
    """A 100 MB note (plain sentences): more text than MAX_FILE_CHARS."""
    line = SENTENCE + "\n"
    path = folder / "stor.md"
    with path.open("w", encoding="utf-8") as fh:
        chunk = line * 1000
        for _ in range(_n(100_000_000 // len(chunk), scale)):
            fh.write(chunk)
    return path


def make_long_digits(folder: Path, scale: float = 1.0) -> Path:
    """Page markers with 5,000-digit numbers (over Python's 4,300-digit int() limit)."""
    digits = "9" * _n(5000, scale)
    path = folder / "sifre.md"
    path.write_text(
        f"---\nkilde: biestek1972\n---\n## s. {digits}\nTekst under en absurd side.\n"
        f"## s. 3–{digits}\nTekst under et absurd sideintervall.\n## s. 4\nVanlig side.\n",
        encoding="utf-8",
    )
    return path


def make_utf16_note(folder: Path, scale: float = 1.0) -> Path:
    """A note saved as UTF-16 with a BOM (Windows Notepad's «Unicode»)."""
    path = folder / "utf16.md"
    text = "---\nkilde: biestek1972\n---\n## s. 40\nVæremåte og åpenhet i møtet.\n" * _n(1, scale)
    path.write_bytes(text.encode("utf-16"))
    return path


def make_utf16_nobom_note(folder: Path, scale: float = 1.0) -> Path:
    """A note in UTF-16-LE without a BOM."""
    path = folder / "utf16-uten-bom.md"
    text = "## s. 41\nØkt forståelse gir bedre samarbeid.\n" * _n(1, scale)
    path.write_bytes(text.encode("utf-16-le"))
    return path


def make_binary_note(folder: Path, scale: float = 1.0) -> Path:
    """A .docx renamed to .md: a zip archive, NUL bytes and control characters (1 MB at full size)."""
    import random

    rnd = random.Random(14)
    path = folder / "omdopt-docx.md"
    body = bytes(rnd.randrange(256) for _ in range(_n(1_000_000, scale, least=512)))
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + body)
    return path


# --------------------------------------------------------------------------- PDFs


def make_huge_stream_pdf(folder: Path, scale: float = 1.0) -> Path:
    """A two-page PDF: an ordinary first page, and a second whose content stream shows
    40 million characters (74 MB decoded, a few hundred KB compressed). Text extraction
    used to take more than 10 minutes."""
    words = [b"(tillit ) Tj ", b"(aksept ) Tj ", b"(respekt ) Tj ", b"(ro ) Tj "]
    block = b"".join(words[i % 4] for i in range(1000)) + b"T* "
    huge = b"BT /F1 1 Tf 1 TL 10 830 Td " + block * _n(74_000_000 // len(block), scale) + b"ET"
    return raw_pdf(folder / "stor-strom.pdf", [text_content([SENTENCE, "Side to er svær."]), huge])


def make_bomb_pdf(folder: Path, scale: float = 1.0) -> Path:
    """One page whose 74 MB content stream draws only lines (no text): used to be «inneholder ingen tekst»."""
    n = _n(74_000_000, scale, least=1000)
    op = b"0 0 m 1 1 l S\n"
    return raw_pdf(folder / "bombe.pdf", [op * (n // len(op))])


def make_many_pages_pdf(folder: Path, scale: float = 1.0) -> Path:
    """A 20,000-page PDF, a short numbered paragraph per page (chunking was quadratic in pages)."""
    n = _n(20_000, scale, least=2)
    pages = [text_content([f"Avsnitt {i} handler om tillit og samarbeid i sosialt arbeid.", "", str(i)]) for i in range(1, n + 1)]
    return raw_pdf(folder / "mange-sider.pdf", pages)


def make_busy_line_pdf(folder: Path, scale: float = 1.0) -> Path:
    """A first page of text and a second with 70,000 one-letter text objects on one line,
    in random order (1.9 MB of content, under MAX_PAGE_CONTENT_BYTES): pdfium sorts a
    line by insertion, so reading the page took about a minute."""
    import random

    rnd = random.Random(14)
    n = _n(70_000, scale, least=10)
    busy = b"BT /F1 8 Tf " + b"".join(b"1 0 0 1 %.1f 400 Tm (a) Tj " % rnd.uniform(50, 550) for _ in range(n)) + b"ET"
    return raw_pdf(folder / "travel-linje.pdf", [text_content([SENTENCE, "Neste side har én svær linje."]), busy])


def make_page_label_digits(folder: Path, scale: float = 1.0) -> Path:
    """A PDF whose /PageLabels put a 5,000-digit prefix before every page number."""
    prefix = b"9" * _n(5000, scale)
    labels = b"/PageLabels << /Nums [0 << /S /D /P (" + prefix + b") >>] >>"
    pages = [text_content([f"Side {i}: {SENTENCE}"]) for i in range(1, 4)]
    return raw_pdf(folder / "sidetall-sifre.pdf", pages, catalog_extra=labels)


def make_giant_page_pdf(folder: Path, scale: float = 1.0) -> Path:
    """A 788-byte PDF: one 14,400 x 14,400 pt page holding a 1x1 picture (a «scan»);
    rendering it for OCR at 200 dpi took 4.6 GB."""
    side = max(600.0, 14_400.0 * scale)
    content = f"q {side:g} 0 0 {side:g} 0 0 cm /Im0 Do Q".encode()
    return raw_pdf(folder / "kjempeside.pdf", [content], size=(side, side), image=True, compress=False)


def make_pypdf_warnings_pdf(folder: Path, scale: float = 1.0) -> Path:
    """A three-page PDF with 16,500 objects whose xref table points every object off:
    pypdf repairs it with one English warning per object (16,506 lines for one real PDF)."""
    pages = [text_content([f"Side {i}: {SENTENCE}"]) for i in range(1, 4)]
    return raw_pdf(folder / "skadet-xref.pdf", pages, broken_xref=True, extra_objects=_n(16_500, scale))


CASES: dict[str, tuple[Callable[[Path, float], Path], str]] = {
    "overskrift-mellomrom": (make_heading_spaces, "indekser"),
    "sidemarkor-mellomrom": (make_marker_spaces, "indekser"),
    "langt-ord-1mb": (make_long_word, "indekser"),
    "forkortelser": (make_sentence_ends, "indekser"),
    "notat-20k-sider": (make_many_pages_note, "indekser"),
    "notat-100mb": (make_huge_note, "indekser"),
    "sifre-5000": (make_long_digits, "indekser"),
    "utf16-bom": (make_utf16_note, "indekser"),
    "utf16-uten-bom": (make_utf16_nobom_note, "indekser"),
    "binaerfil": (make_binary_note, "indekser"),
    "pdf-stor-strom": (make_huge_stream_pdf, "indekser"),
    "pdf-bombe": (make_bomb_pdf, "indekser"),
    "pdf-20k-sider": (make_many_pages_pdf, "indekser"),
    "pdf-travel-linje": (make_busy_line_pdf, "indekser"),
    "pdf-sidetall-sifre": (make_page_label_digits, "indekser"),
    "pdf-kjempeside-ocr": (make_giant_page_pdf, "indekser"),
    "pdf-pypdf-advarsler": (make_pypdf_warnings_pdf, "indekser"),
}
