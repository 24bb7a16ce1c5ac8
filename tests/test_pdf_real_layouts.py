"""The failure classes seen on real PDFs (issue 9), one tiny PDF each, typeset
here so that the content stream is as awkward as the real files: numbers
written inside the body text, overprinted (fake bold) numbers, a header
written last, "Page N of M", APA running heads, cover pages, /PageLabels that
start at 0, text without space characters, three interleaved columns and a
rotated "Downloaded from" stamp. Each test asserts exact printed pages or
exact passage text."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from pdfmaker import FONT, _register, make_image_pdf, text_image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from litsok.ingest.ocr import OcrOptions, ocr_available
from litsok.ingest.pdf import PdfReadResult, read_pdf
from litsok.model import ORIGIN_BIB, ORIGIN_PDF_INDEX, ORIGIN_PRINTED

W, H = A4
OCR_MISSING = ocr_available()

BODY = [
    "Veilederen har et særlig ansvar for samtalen med brukeren.",
    "Hvordan veilederen leder, har stor betydning for møtet.",
    "Tillit bygges over tid gjennom mange små handlinger.",
    "Brukeren opplever respekt når hun blir lyttet til.",
    "Aktivitetsplikten oppleves ulikt av unge mottakere.",
]


def _pdf(path: Path, pages: list[Callable[[canvas.Canvas, int], None]], labels: list[tuple[int, int, str, int]] = ()) -> Path:
    _register()
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i, draw in enumerate(pages):
        c.setFont(FONT, 10)
        draw(c, i)
        c.showPage()
    c.save()
    data = buf.getvalue()
    if labels:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
        from pypdf.generic import NameObject, NumberObject

        for a, b, style, start in labels:
            writer.set_page_label(a, b, style=style, start=max(start, 1))  # type: ignore[arg-type]
            if start == 0:  # pypdf leaves out /St 0; some publishers write it
                nums = writer._root_object["/PageLabels"]["/Nums"]
                nums[nums.index(a) + 1][NameObject("/St")] = NumberObject(0)
        out = BytesIO()
        writer.write(out)
        data = out.getvalue()
    path.write_bytes(data)
    return path


def _body(c: canvas.Canvas, i: int, lines: int = 12) -> None:
    for k in range(lines):
        c.drawString(57, H - 90 - 14 * k, f"{BODY[(i + k) % len(BODY)]} Side {i + 1}, linje {k + 1}.")


def read(path: Path, **kw: object) -> PdfReadResult:
    return read_pdf(path, source_key="test2020", rel_file=path.name, **kw)  # type: ignore[arg-type]


def labels(res: PdfReadResult) -> list[tuple[int, str, str]]:
    return [(p.pdf_index, p.label, p.label_origin) for p in res.pages]


# --------------------------------------------------------------- 1. page-number placements, read by position


def test_footer_number_written_inside_the_body_text(tmp_path):
    def page(c, i):
        c.drawString(57, H - 90, BODY[0] + f" Side {i + 1}, første linje.")
        c.drawCentredString(W / 2, 30, str(701 + i))  # written second: mid-body in text order
        _body(c, i)

    res = read(_pdf(tmp_path / "inni.pdf", [page] * 3))
    assert labels(res) == [(0, "701", ORIGIN_PRINTED), (1, "702", ORIGIN_PRINTED), (2, "703", ORIGIN_PRINTED)]
    assert all("701" not in p.text and "(mea-" not in p.text for p in res.pages)


def test_overprinted_page_number_is_read_once(tmp_path):
    def page(c, i):
        _body(c, i)
        for dx in (0, 0.2):  # fake bold: the same number twice on top of itself
            c.drawRightString(W - 57 + dx, 30, str(143 + i))

    res = read(_pdf(tmp_path / "fetet.pdf", [page] * 3))
    assert [p.label for p in res.pages] == ["143", "144", "145"]


def test_workshop_header_written_last_is_a_header(tmp_path):
    def page(c, i):
        _body(c, i)
        c.drawString(57, H - 40, f"Proceedings of the Workshop on Social Work Data, page {12 + i}")

    res = read(_pdf(tmp_path / "verksted.pdf", [page] * 3))
    assert [p.label for p in res.pages] == ["12", "13", "14"]
    assert all("Proceedings" not in p.text for p in res.pages)


def test_page_n_of_m_is_page_n(tmp_path):
    def page(c, i):
        _body(c, i)
        c.drawString(W - 120, 30, f"Page {i + 1} of 11")
        c.drawString(57, 30, "Hansen et al. BMC Health Services Research (2020) 20:501")

    res = read(_pdf(tmp_path / "bmc.pdf", [page] * 3))
    assert [p.label for p in res.pages] == ["1", "2", "3"]
    assert all(p.label_origin == ORIGIN_PRINTED for p in res.pages)


def test_apa_running_head_with_number(tmp_path):
    def page(c, i):
        c.drawString(57, H - 40, "SELF-EFFICACY AND SOCIAL WORK")
        c.drawRightString(W - 57, H - 40, str(12 + i))
        _body(c, i)

    res = read(_pdf(tmp_path / "apa.pdf", [page] * 3))
    assert [p.label for p in res.pages] == ["12", "13", "14"]
    assert all("SELF-EFFICACY" not in p.text for p in res.pages)


@pytest.mark.skipif(OCR_MISSING is not None, reason=f"krever Tesseract: {OCR_MISSING}")
def test_two_page_scan_gets_its_printed_numbers(tmp_path):
    bodies = [
        "\n\n\n\n\nTillit bygges over tid.\nVeilederen lytter til brukeren.\nRelasjonen er sjelen i arbeidet.",
        "\n\n\n\n\nAktivitetsplikten oppleves ulikt.\nUnge mottakere trenger mening.\nSamtalen er et verktøy.",
    ]
    images = [text_image([(body, str(88 + k))], (1240, 1754)) for k, body in enumerate(bodies)]
    pdf = make_image_pdf(tmp_path / "skann.pdf", images)
    res = read(pdf, ocr=OcrOptions(cache_dir=tmp_path / "ocr"))
    assert [p.label for p in res.pages] == ["88", "89"]


# --------------------------------------------------------------- 2.–4. ranges, labels and covers


def _cover(c, i):
    c.drawString(57, H - 90, "This content downloaded from 129.240.0.1 on Mon, 04 Mar 2024.")
    c.drawString(57, H - 110, "Your use of the JSTOR archive indicates your acceptance of the Terms and Conditions of Use.")


def _numbered(first: int, at: int = 0):
    """A body page printing `first` when it is PDF page `at` (0-based), and so on."""

    def page(c, i):
        _body(c, i)
        c.drawCentredString(W / 2, 30, str(first + i - at))

    return page


def test_bib_range_is_aligned_past_a_cover_page(tmp_path):
    pdf = _pdf(tmp_path / "jstor.pdf", [_cover, *[_numbered(126, at=1)] * 3])
    res = read(pdf, bib_pages=(126, 128))
    assert labels(res) == [(0, "1", ORIGIN_PDF_INDEX), (1, "126", ORIGIN_BIB), (2, "127", ORIGIN_BIB), (3, "128", ORIGIN_BIB)]
    assert any("utenfor s. 126–128" in w for w in res.warnings)


def test_supplementary_pages_after_the_range_are_unnumbered(tmp_path):
    def extra(c, i):
        c.drawString(57, H - 90, "Supplementary material. Table S1 and S2 follow.")
        _body(c, i, 6)

    pdf = _pdf(tmp_path / "tillegg.pdf", [_numbered(10), _numbered(10), extra])
    res = read(pdf, bib_pages=(10, 11))
    assert [p.label for p in res.pages] == ["10", "11", "3"]
    assert res.pages[2].label_origin == ORIGIN_PDF_INDEX


def test_page_labels_starting_at_zero_lose_to_the_printed_numbers(tmp_path):
    pdf = _pdf(tmp_path / "null.pdf", [_numbered(1)] * 4, labels=[(0, 3, "/D", 0)])
    from pypdf import PdfReader

    assert list(PdfReader(pdf).page_labels) != ["1", "2", "3", "4"]  # the trap is really there (pypdf reads /St 0 as 1, 1, 2, 3)
    res = read(pdf)
    assert [p.label for p in res.pages] == ["1", "2", "3", "4"]
    assert any("/PageLabels" in n for n in res.notes)


def test_a_cover_before_page_20_gets_no_extrapolated_number(tmp_path):
    pdf = _pdf(tmp_path / "forside.pdf", [_cover, *[_numbered(20, at=1)] * 3])
    res = read(pdf)
    assert labels(res)[0] == (0, "1", ORIGIN_PDF_INDEX)  # not «19»
    assert [p.label for p in res.pages[1:]] == ["20", "21", "22"]


# --------------------------------------------------------------- 5.–6. words and columns


def test_words_placed_without_space_characters_keep_their_spaces(tmp_path):
    words = "arbeidstakers opplevelse av tillit i møte med veilederen".split()

    def page(c, i):
        x = 57.0
        for w in words:  # each word its own text object, no space glyphs (Word, Quartz)
            c.drawString(x, H - 76, w)
            x += c.stringWidth(w, FONT, 10) + 2.6
        _body(c, i, 4)
        c.drawCentredString(W / 2, 30, str(5 + i))

    res = read(_pdf(tmp_path / "ord.pdf", [page] * 2))
    assert res.pages[0].text.startswith("arbeidstakers opplevelse av tillit i møte med veilederen")


def test_three_columns_written_line_by_line_are_read_column_by_column(tmp_path):
    cols = [[f"Spalte {c + 1} linje {k + 1} om tillit." for k in range(20)] for c in range(3)]

    def page(c, i):
        c.drawString(57, H - 50, "Tidsskrift for velferd, nr. 2")
        for k in range(20):  # row by row across the three columns
            for col in range(3):
                c.drawString(50 + col * 170, H - 90 - 13 * k, cols[col][k])
        c.saveState()
        c.translate(W - 15, 100)
        c.rotate(90)
        c.drawString(0, 0, "Downloaded from www.idunn.no by UiO on 4 March 2024")
        c.restoreState()
        c.drawCentredString(W / 2, 30, str(47 + i))

    res = read(_pdf(tmp_path / "tre.pdf", [page] * 2))
    text = res.pages[0].text
    order = [text.index(f"Spalte {c} linje {k}") for c in (1, 2, 3) for k in (1, 20)]
    assert order == sorted(order)
    assert "Downloaded" not in text and "Tidsskrift for velferd" not in text
    assert [p.label for p in res.pages] == ["47", "48"]


@pytest.mark.skipif(OCR_MISSING is not None, reason=f"krever Tesseract: {OCR_MISSING}")
def test_a_scan_whose_old_text_layer_lost_its_spaces_is_read_with_ocr(tmp_path):
    from reportlab.lib.utils import ImageReader

    lines = ["Tillit bygges over tid i arbeidet.", "Veilederen lytter til brukeren.", "Relasjonen er sjelen i arbeidet."]
    image = text_image([("\n\n\n" + "\n".join(lines), "733")], (1240, 1754))

    def page(c, i):
        c.drawImage(ImageReader(image), 0, 0, width=W, height=H)
        t = c.beginText(57, H - 200)
        t.setTextRenderMode(3)  # invisible, as an OCR layer is
        t.setFont(FONT, 10)
        for line in lines * 3:
            t.textLine(line.replace(" ", ""))  # the old OCR layer: no spaces at all
        c.drawText(t)

    res = read(_pdf(tmp_path / "gammel.pdf", [page]), ocr=OcrOptions(cache_dir=tmp_path / "ocr"))
    assert "Veilederen lytter til brukeren." in res.pages[0].text
    assert "Veilederenlyttertilbrukeren" not in res.pages[0].text
    assert res.pages[0].label == "733"
    assert any("lest med OCR i stedet" in w for w in res.warnings)


def test_kilder_shows_the_page_evidence_and_the_disagreements_it_resolved(tmp_path):
    import json

    from typer.testing import CliRunner

    from litsok.cli import app
    from litsok.config import Settings
    from litsok.library import index_corpus

    corpus = tmp_path / "korpus"
    corpus.mkdir()
    _pdf(corpus / "leseth2020.pdf", [_cover, *[_numbered(126, at=1)] * 3])
    (corpus / "kilder.bib").write_text(
        "@article{leseth2020, author = {Leseth, Anne}, year = {2020}, title = {Aktivitetsplikt}, "
        "journal = {Tidsskrift for velferdsforskning}, pages = {126--128}}\n",
        encoding="utf-8",
    )
    settings = Settings(corpus=corpus, index=tmp_path / "indeks", embedder="test-hash")
    index_corpus(settings)
    res = CliRunner().invoke(app, ["kilder", "--json", "--korpus", str(corpus), "--indeks", str(settings.index)])
    assert res.exit_code == 0, res.output
    (row,) = [r for r in json.loads(res.stdout) if r["nøkkel"] == "leseth2020"]
    (evidence,) = row["sidebevis"]
    assert evidence["fil"] == "leseth2020.pdf" and evidence["sidetall_fra"] == "kilder.bib"
    assert any("s. 126 er PDF-side 2" in n for n in evidence["avvik"])
    assert any("PDF-side 1 ligger utenfor s. 126–128" in n for n in evidence["avvik"])
    text = CliRunner().invoke(app, ["kilder", "--korpus", str(corpus), "--indeks", str(settings.index)]).stdout
    assert "sidetall i leseth2020.pdf: sideintervallet (pages) i kilder.bib" in text


def test_a_ring_drawn_as_its_own_glyph_over_a_becomes_aa(tmp_path):
    def page(c, i):
        for k, (before, after) in enumerate([("Tillit b", "de i form"), ("og h", "ndtert av veilederen")]):
            y = H - 62 - 14 * k
            c.drawString(57, y, before)
            x = 57 + c.stringWidth(before, FONT, 10)
            c.drawString(x + 1.2, y + 1.5, "\u02da")  # TeX's \\aa: the ring first, over where the a goes
            c.drawString(x, y, "a" + after)
        _body(c, i, 6)
        c.drawCentredString(W / 2, 30, str(3 + i))

    text = read(_pdf(tmp_path / "tex.pdf", [page] * 2)).pages[0].text
    assert "Tillit både i form" in text and "og håndtert av veilederen" in text
