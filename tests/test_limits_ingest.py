"""Issue 14, items 10-12 (and 8 for page numbers): every place where the size of a
note, a PDF or a scan drives the work is bounded by a named limit in
`litsok.limits`. One test per item of the brief; hostile files come from
`hostile_ingest` at a small scale, with the limit lowered where the test needs
to hit it. Through `litsok indekser --json`, each test asserts: no traceback,
the Norwegian message names the file (and the limit with its value), the exit
code (2 when a file is skipped or cut, 0 otherwise), and that the ordinary note
next to the hostile file is indexed.

No test is timed. The pattern tests run inputs on which the old patterns took
from seconds to minutes (noted at each), so a regression shows as a suite that
suddenly takes minutes; their assertions are about the parse result."""

from __future__ import annotations

import json
from pathlib import Path

import hostile_ingest as H
import pytest
from conftest import BIB, NOTE_BIESTEK
from typer.testing import CliRunner

from litsok import limits
from litsok.chunk import chunk_pages, sentences
from litsok.cli import app
from litsok.index import load_index
from litsok.ingest import ocr as ocr_mod
from litsok.ingest import pdf as pdf_mod
from litsok.ingest.notes import h1_title, parse_note, read_note
from litsok.model import ORIGIN_NOTE, ORIGIN_PRINTED, Page

runner = CliRunner()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus with kilder.bib and one ordinary note (Biestek, s. 22 and 28–29) next to the hostile file."""
    root = tmp_path / "korpus"
    root.mkdir()
    (root / "kilder.bib").write_text(BIB, encoding="utf-8")
    (root / "biestek.md").write_text(NOTE_BIESTEK, encoding="utf-8")
    return root


def indekser(corpus: Path) -> tuple[int, dict, str]:
    """`litsok indekser --json` on the corpus: (exit code, the JSON report, stdout + stderr)."""
    index = corpus.parent / "indeks"
    res = runner.invoke(app, ["indekser", "--json", "--modell", "test-hash", "--korpus", str(corpus), "--indeks", str(index)])
    out = res.stdout + res.stderr
    assert "Traceback" not in out and res.exception is None or isinstance(res.exception, SystemExit), out
    return res.exit_code, json.loads(res.stdout), out


def chunks_of(corpus: Path, file: str) -> list:
    return [sc.chunk for sc in load_index(corpus.parent / "indeks").chunks if sc.chunk.file == file]


def assert_ordinary_note_indexed(corpus: Path) -> None:
    pages = {c.pages for c in chunks_of(corpus, "biestek.md")}
    assert pages == {"22", "28–29"}, pages


def warning_about(report: dict, file: str) -> list[str]:
    return [w for w in report["advarsler"] if w.startswith(file)]


# --------------------------------------------------------------------------- 1. linear patterns


def test_1_heading_marker_and_sentence_patterns_are_linear(corpus: Path) -> None:
    """`# a` + 4,000 spaces + `b` took 98 s with the old heading pattern, a marker
    followed by 40,000 spaces ~10 s, a run of 40,000 dots ~30 s in the sentence splitter;
    `s. A ` repeated made the splitter copy the text before every candidate end."""
    heading = "# a" + " " * 4000 + "b"
    assert h1_title(heading) == "a" + " " * 4000 + "b"
    assert h1_title("# Tittel ##") == "Tittel" and h1_title("# C#") == "C" and h1_title("#tittel") is None

    marker = parse_note("## s. 12" + " " * 40_000 + "x\ntekst\n## s. 13 – Aksept\nmer\n", "m.md", "x")
    assert [(p.label, p.heading) for p in marker.pages] == [("", "m"), ("13", "Aksept")]  # «x» is no topic: not a marker
    dots = "Før prikkene. " + "." * 40_000 + " Etter prikkene."
    assert [dots[a:b] for a, b in sentences(dots)] == ["Før prikkene. " + "." * 40_000, "Etter prikkene."]
    abbreviations = "s. A " * 20_000 + "Slutt."
    assert len(sentences(abbreviations)) == 1  # «s.» before a capital never ends a sentence

    H.make_heading_spaces(corpus, 1.0)
    H.make_marker_spaces(corpus, 0.4)
    code, report, _ = indekser(corpus)
    assert code == 0 and report["feilet"] == {}
    assert [c.text for c in chunks_of(corpus, "overskrift.md")] == ["Tillit tar tid å bygge opp."]
    assert {c.pages for c in chunks_of(corpus, "sidemarkor.md")} == {"", "13"}
    assert_ordinary_note_indexed(corpus)


# --------------------------------------------------------------------------- 2. chunk length


def test_2_a_one_word_megabyte_line_becomes_bounded_chunks(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 MB line without a space became one 1 MB chunk (> 5 min to index)."""
    word = "a" * 1_000_000
    chunks = chunk_pages([Page("k", "f.md", "5", word, label_origin=ORIGIN_NOTE)])
    assert max(len(c.text) for c in chunks) <= limits.MAX_CHUNK_CHARS
    assert "".join(c.text for c in chunks) == word  # every piece is there, in order
    assert all(b.char_start == a.char_end for a, b in zip(chunks, chunks[1:], strict=False))

    monkeypatch.setattr(limits, "MAX_WORD_CHARS", 50)
    monkeypatch.setattr(limits, "MAX_CHUNK_CHARS", 600)
    H.make_long_word(corpus, 0.02)  # a 20,000-letter word between two sentences
    code, report, _ = indekser(corpus)
    assert code == 0 and report["feilet"] == {}
    long = chunks_of(corpus, "langt-ord.md")
    assert max(len(c.text) for c in long) <= 600
    assert sum(c.text.count("a" * 50) for c in long) >= 20_000 // 50 - 2
    assert any("Etter ordet kommer en setning til." in c.text for c in long)
    assert_ordinary_note_indexed(corpus)


# --------------------------------------------------------------------------- 3. chunking linear in pages


def test_3_chunking_is_linear_in_the_page_count() -> None:
    """10,000 PDF pages flowing into each other, and 10,000 note pages: the old chunker
    copied the page list for every page and scanned every page for every chunk
    (20,000 pages: 71 s). Every chunk still cites exactly the pages its text comes from."""
    n = 10_000
    pdf_pages = [
        Page("k", "f.pdf", str(i + 1), f"Avsnitt {i} handler om tillit og samarbeid.", pdf_index=i, label_origin=ORIGIN_PRINTED)
        for i in range(n)
    ]
    chunks = chunk_pages(pdf_pages)
    text_pages = {p.text: p.label for p in pdf_pages}
    for c in chunks:
        labels = [text_pages[part] for part in c.text.split("\n\n")]
        assert (c.page_first, c.page_last) == (labels[0], labels[-1])
    assert sum(c.text.count("Avsnitt") for c in chunks) == n

    note_pages = [Page("k", "n.md", str(i + 1), f"Notat {i}.", label_origin=ORIGIN_NOTE) for i in range(n)]
    assert [c.pages for c in chunk_pages(note_pages)] == [str(i + 1) for i in range(n)]


# --------------------------------------------------------------------------- 4. characters per page and file


def test_4_page_and_file_limits_cut_notes_and_pdfs_with_a_warning(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PAGE_CHARS", 2_000)
    monkeypatch.setattr(limits, "MAX_FILE_CHARS", 6_000)
    monkeypatch.setattr(limits, "MAX_PAGE_CONTENT_BYTES", 50_000)
    monkeypatch.setattr(limits, "MAX_LINE_TEXT_OBJECTS", 500)
    sentence = H.SENTENCE + " "
    (corpus / "lang-side.md").write_text("## s. 7\n" + sentence * 40 + "\n## s. 8\nKort side.\n", encoding="utf-8")
    (corpus / "lang-fil.md").write_text("".join(f"## s. {i}\n{sentence * 20}\n" for i in range(1, 8)), encoding="utf-8")
    H.raw_pdf(corpus / "mange-tegn.pdf", [H.text_content([f"Side {i}. " + H.SENTENCE] * 30) for i in range(1, 6)])
    H.make_huge_stream_pdf(corpus, 0.01)  # page 2: 740 KB of text-showing operators
    H.make_busy_line_pdf(corpus, 0.02)  # page 2: 1,400 text objects on one line
    code, report, _ = indekser(corpus)
    assert code == 2 and report["feilet"] == {}

    (page_cut,) = warning_about(report, "lang-side.md")
    assert "siden «s. 7» (linje 1)" in page_cut and "MAX_PAGE_CHARS = 2\u00a0000 tegn" in page_cut
    assert {c.pages for c in chunks_of(corpus, "lang-side.md")} == {"7", "8"}
    assert sum(len(c.text) for c in chunks_of(corpus, "lang-side.md") if c.pages == "7") <= 2_000

    (file_cut,) = warning_about(report, "lang-fil.md")
    assert "MAX_FILE_CHARS = 6\u00a0000 tegn" in file_cut
    assert max(int(c.page_last) for c in chunks_of(corpus, "lang-fil.md")) < 7  # the end of the file is not read

    pdf_warnings = warning_about(report, "mange-tegn.pdf")
    assert any("MAX_FILE_CHARS = 6\u00a0000 tegn" in w and "PDF-side 4–5 er ikke lest" in w for w in pdf_warnings)
    assert {c.pdf_index_first for c in chunks_of(corpus, "mange-tegn.pdf")} <= {0, 1, 2}

    assert any("PDF-side 2" in w and "MAX_PAGE_CONTENT_BYTES = 50\u00a0000 byte" in w for w in warning_about(report, "stor-strom.pdf"))
    assert any("Side to er svær." in c.text for c in chunks_of(corpus, "stor-strom.pdf"))  # page 1 is indexed
    busy = warning_about(report, "travel-linje.pdf")
    assert any("PDF-side 2" in w and "for mange tekstobjekter på én linje (over grensen MAX_LINE_TEXT_OBJECTS = 500)" in w for w in busy)
    assert any("én svær linje" in c.text for c in chunks_of(corpus, "travel-linje.pdf"))
    assert_ordinary_note_indexed(corpus)


def test_4_page_count_limit_cuts_long_notes_and_pdfs(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 20,000-page note or PDF is read up to MAX_FILE_PAGES pages, with a warning naming the
    limit (exit 2); the pages before the cut keep their printed numbers."""
    monkeypatch.setattr(limits, "MAX_FILE_PAGES", 5)
    H.make_many_pages_note(corpus, 8 / 20_000)
    H.make_many_pages_pdf(corpus, 8 / 20_000)
    code, report, _ = indekser(corpus)
    assert code == 2 and report["feilet"] == {}
    (note_cut,) = warning_about(report, "mange-sider.md")
    assert "MAX_FILE_PAGES = 5 sider" in note_cut and "linje" in note_cut
    assert [c.pages for c in chunks_of(corpus, "mange-sider.md")] == ["1", "2", "3", "4", "5"]
    pdf_warnings = warning_about(report, "mange-sider.pdf")
    assert any("har 8 sider, over grensen MAX_FILE_PAGES = 5 sider" in w and "PDF-side 6–8 er ikke lest" in w for w in pdf_warnings)
    pdf_chunks = chunks_of(corpus, "mange-sider.pdf")
    assert pdf_chunks and max(c.pdf_index_last for c in pdf_chunks) == 4
    assert_ordinary_note_indexed(corpus)


def test_4_a_repeated_passage_is_embedded_once(corpus: Path, fake_embedders: dict) -> None:
    """Filler repeated through a file (1 MB of one word, one sentence pasted 100,000 times)
    costs one embedding, not one per copy; every copy is still its own searchable passage."""
    H.make_huge_note(corpus, 0.0005)  # 50 KB: one sentence on every line
    code, report, _ = indekser(corpus)
    assert code == 0
    chunks = chunks_of(corpus, "stor.md")
    distinct = {c.text for c in chunks}
    assert len(chunks) > 5 * len(distinct)
    everything = load_index(corpus.parent / "indeks").chunks
    assert fake_embedders["test-hash"].calls == len({sc.chunk.text for sc in everything})
    assert report["innebygd"] == len(everything)


# --------------------------------------------------------------------------- 5. OCR page size


def test_5_an_oversized_scan_is_never_rendered_and_a_large_one_is_rendered_smaller(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 788-byte PDF with a 14,400-point page rendered at 200 dpi took 4.6 GB."""
    assert ocr_mod.fit_dpi(595, 842, 200) == 200  # A4 at the OCR resolution passes
    assert ocr_mod.fit_dpi(842, 1191, 300) == 300  # A3 at 300 dpi passes
    assert ocr_mod.fit_dpi(14_400, 14_400, 200) is None  # even 100 dpi would be 400 Mpx
    low = ocr_mod.fit_dpi(2_000, 2_000, 200)
    assert low is not None and limits.MIN_OCR_DPI <= low < 200 and ocr_mod.pixels(2_000, 2_000, low) <= limits.MAX_OCR_PIXELS

    rendered: list[tuple[int, int]] = []

    def fake_ocr_page(pdf_path: str, job: ocr_mod.OcrJob, languages: str, dpi: int) -> tuple:
        rendered.append((job.pdf_index, dpi))
        return ((("Skannet tekst om tillit og aksept i møtet.", 0.3, 0.35),),)

    monkeypatch.setattr(pdf_mod, "ocr_available", lambda languages="nor+eng": None)  # Tesseract or not
    monkeypatch.setattr(ocr_mod, "ocr_page", fake_ocr_page)
    monkeypatch.setattr(limits, "MAX_OCR_PIXELS", 2_000_000)
    H.make_giant_page_pdf(corpus, 1.0)  # 14,400 pt: over the limit even at MIN_OCR_DPI
    big = H.raw_pdf(corpus / "stor-skann.pdf", [b"q 800 0 0 800 0 0 cm /Im0 Do Q"], size=(800, 800), image=True)
    code, report, _ = indekser(corpus)
    assert code == 2
    reason = report["feilet"]["kjempeside.pdf"]
    assert "14400 × 14400 pt" in reason and "MAX_OCR_PIXELS = 2\u00a0000\u00a0000 piksler" in reason
    assert "Tesseract" not in reason and "inneholder ingen tekst" not in reason
    assert rendered == [(0, 127)] == [(0, ocr_mod.fit_dpi(800, 800, 200))]  # only the large page, at a lower resolution
    assert any("dpi i stedet for 200" in w for w in warning_about(report, big.name))
    assert any("Skannet tekst om tillit" in c.text for c in chunks_of(corpus, big.name))
    assert_ordinary_note_indexed(corpus)


# --------------------------------------------------------------------------- 6. pypdf's warnings


def test_6_pypdf_warnings_become_one_norwegian_line(corpus: Path) -> None:
    """A PDF whose xref table is wrong: pypdf logs one English line per object."""
    H.make_pypdf_warnings_pdf(corpus, 0.02)  # 330 objects pointing wrong
    code, report, out = indekser(corpus)
    assert code == 0 and report["feilet"] == {}
    assert "Ignoring wrong pointing object" not in out and "wrong pointing" not in out
    (line,) = [w for w in warning_about(report, "skadet-xref.pdf") if "pypdf" in w]
    count = int(line.split("(")[1].split()[0])
    assert count >= 330 and "PDF-en har feil i strukturen" in line
    assert {c.pdf_index_first for c in chunks_of(corpus, "skadet-xref.pdf")} == {0}  # the three short pages, one chunk
    assert_ordinary_note_indexed(corpus)


# --------------------------------------------------------------------------- 7. reasons that say which limit


def test_7_a_file_a_limit_emptied_says_which_limit(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A content-stream bomb was «inneholder ingen tekst»; an oversized scan a Tesseract problem."""
    monkeypatch.setattr(limits, "MAX_PAGE_CONTENT_BYTES", 100_000)
    monkeypatch.setattr(pdf_mod, "ocr_available", lambda languages="nor+eng": None)
    H.make_bomb_pdf(corpus, 0.01)  # 740 KB of line drawing and no text
    H.make_giant_page_pdf(corpus, 1.0)
    code, report, _ = indekser(corpus)
    assert code == 2
    bomb, giant = report["feilet"]["bombe.pdf"], report["feilet"]["kjempeside.pdf"]
    assert "MAX_PAGE_CONTENT_BYTES = 100\u00a0000 byte" in bomb and "ingen tekst" in bomb and "inneholder ingen tekst" not in bomb
    assert "MAX_OCR_PIXELS" in giant and "Tesseract" not in giant
    assert all(r.startswith(f) for f, r in report["feilet"].items())  # each reason names its file
    assert_ordinary_note_indexed(corpus)


# --------------------------------------------------------------------------- 8. UTF-16 and binary notes


def test_8_utf16_notes_are_read_and_binary_files_refused(corpus: Path) -> None:
    H.make_utf16_note(corpus, 1.0)
    H.make_utf16_nobom_note(corpus, 1.0)
    (corpus / "utf32.txt").write_bytes("## s. 42\nÆrlighet og åpenhet.\n".encode("utf-32"))
    H.make_binary_note(corpus, 0.002)
    (corpus / "bilde.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, report, _ = indekser(corpus)
    assert code == 2
    assert [c.text for c in chunks_of(corpus, "utf16.md")] == ["Væremåte og åpenhet i møtet."]
    assert [c.text for c in chunks_of(corpus, "utf16-uten-bom.md")] == ["Økt forståelse gir bedre samarbeid."]
    assert [(c.pages, c.text) for c in chunks_of(corpus, "utf32.txt")] == [("42", "Ærlighet og åpenhet.")]
    assert any("UTF-16-LE" in w for w in warning_about(report, "utf16-uten-bom.md"))
    for name in ("omdopt-docx.md", "bilde.md"):
        reason = report["feilet"][name]
        assert reason.startswith(name) and "ser ut som en binærfil, ikke tekst" in reason and "UTF-8" in reason
        assert chunks_of(corpus, name) == []
    assert_ordinary_note_indexed(corpus)


# --------------------------------------------------------------------------- 9. absurd page numbers


def test_9_page_numbers_with_thousands_of_digits_are_no_page_numbers(corpus: Path) -> None:
    """`int("9" * 5000)` raises ValueError (Python's 4,300-digit limit)."""
    H.make_long_digits(corpus, 1.0)
    H.make_page_label_digits(corpus, 0.004)  # a 20-digit prefix (pypdf itself drops labels over ~1,000 characters)
    code, report, _ = indekser(corpus)
    assert code == 0 and report["feilet"] == {}
    marker_warnings = warning_about(report, "sifre.md")
    assert [w.split(":")[0] for w in marker_warnings] == ["sifre.md, linje 4", "sifre.md, linje 6"]
    assert all("MAX_PAGE_DIGITS = 6" in w for w in marker_warnings)
    pages = {c.pages for c in chunks_of(corpus, "sifre.md")}
    assert pages == {"", "4"}  # the text under the absurd markers stays, on the page before
    assert all(len(p) <= limits.MAX_PAGE_DIGITS for c in chunks_of(corpus, "sifre.md") for p in c.pages.split("–"))
    assert any("/PageLabels" in w and "MAX_PAGE_DIGITS" in w for w in warning_about(report, "sidetall-sifre.pdf"))
    assert all(len(c.page_first) <= limits.MAX_PAGE_DIGITS for c in chunks_of(corpus, "sidetall-sifre.pdf"))
    assert_ordinary_note_indexed(corpus)


def test_9_reading_a_note_never_int_parses_a_long_number(tmp_path: Path) -> None:
    note = read_note(H.make_long_digits(tmp_path, 1.0), "sifre.md")
    assert [p.label for p in note.pages] == ["", "4"]
