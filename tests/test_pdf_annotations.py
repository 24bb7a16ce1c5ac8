"""Highlights and comments inside a PDF (its /Annots, written here with pypdf) become
the student's own passages on the printed page: the highlighted words, not the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pdfmaker import FONT, _register
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText, Highlight, Text
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, TextStringObject
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from litsok import limits
from litsok.cli import app
from litsok.ingest.annotations import read_markings

runner = CliRunner()

X, TOP, LEADING, SIZE = 72.0, 700.0, 14.0, 11.0
PAGES = (  # printed pages 45-47 (/PageLabels, and the number in the footer)
    ("Første side handler om relasjoner og tillit mellom mennesker i hjelpearbeid.",
     "Tillit bygges over tid gjennom små handlinger i hverdagen."),
    ("Andre side sier at makt og avmakt preger møtet mellom hjelper og klient.",
     "Definisjonsmakt betyr retten til å beskrive problemet for den andre."),
    ("Tredje side oppsummerer kapitlet om profesjonell etikk og refleksjon.",),
)
FIRST_PRINTED = 45
PHRASE = "retten til å beskrive problemet"  # on PDF page 2 (printed 46), line 2
UNDERLINED = "profesjonell etikk"  # on PDF page 3 (printed 47), line 1
BIB = "@book{lund2020,\n  author = {Lund, Kari},\n  year = {2020},\n  title = {Makt i hjelperelasjoner},\n  publisher = {Cappelen},\n}\n"


def typeset(path: Path) -> Path:
    _register()
    c = canvas.Canvas(str(path))
    for n, lines in enumerate(PAGES):
        c.setFont(FONT, SIZE)
        for k, line in enumerate(lines):
            c.drawString(X, TOP - LEADING * k, line)
        c.setFont(FONT, 9)
        c.drawCentredString(297, 40, str(FIRST_PRINTED + n))
        c.showPage()
    c.save()
    return path


def quad(page: int, line: int, phrase: str) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of `phrase` as typeset on PDF page `page` (0-based), line `line`."""
    text = PAGES[page][line]
    left = X + stringWidth(text[: text.index(phrase)], FONT, SIZE)
    base = TOP - LEADING * line
    return left, base - 3, left + stringWidth(phrase, FONT, SIZE), base + 10


def quad_points(box: tuple[float, float, float, float]) -> ArrayObject:
    left, bottom, right, top = box
    return ArrayObject([FloatObject(v) for v in (left, top, right, top, left, bottom, right, bottom)])


def annotated(path: Path, annotate) -> Path:
    """The typeset PDF with printed page labels 45-47, and the annotations `annotate(writer)` adds."""
    plain = typeset(path.with_name("plain-" + path.name))
    w = PdfWriter()
    w.append(PdfReader(plain))
    w.set_page_label(0, len(PAGES) - 1, style="/D", start=FIRST_PRINTED)
    annotate(w)
    with path.open("wb") as fh:
        w.write(fh)
    plain.unlink()
    return path


def highlight(w: PdfWriter, page: int, line: int, phrase: str, comment: str = "") -> None:
    box = quad(page, line, phrase)
    annot = Highlight(rect=box, quad_points=quad_points(box), highlight_color="ffff00")
    if comment:
        annot[NameObject("/Contents")] = TextStringObject(comment)
    w.add_annotation(page, annot)


def corpus_with(tmp_path: Path, annotate) -> Path:
    root = tmp_path / "korpus"
    root.mkdir()
    (root / "kilder.bib").write_text(BIB, encoding="utf-8")
    annotated(root / "lund2020.pdf", annotate)
    return root


def index_and_ask(root: Path, tmp_path: Path, question: str, k: int = 10) -> tuple[dict, list[dict]]:
    idx = str(tmp_path / "indeks")
    res = runner.invoke(app, ["indekser", "--korpus", str(root), "--indeks", idx, "--modell", "test-hash", "--json"])
    assert res.exit_code in (0, 2), res.output
    report = json.loads(res.stdout)
    res = runner.invoke(app, ["spør", question, "--korpus", str(root), "--indeks", idx, "-k", str(k), "--json"])
    assert res.exit_code == 0, res.output
    return report, json.loads(res.stdout)


def own(hits: list[dict]) -> list[dict]:
    return [h for h in hits if h["own_marking"]]


def test_highlight_becomes_the_highlighted_words_on_the_printed_page(tmp_path):
    root = corpus_with(tmp_path, lambda w: highlight(w, 1, 1, PHRASE))
    _, hits = index_and_ask(root, tmp_path, "retten til å beskrive problemet")
    marks = own(hits)
    assert [m["text"] for m in marks] == [PHRASE]  # the words under the quad, not the line or the page
    assert marks[0]["citation"] == "(Lund, 2020, s. 46)"
    assert marks[0]["rank"] == 1
    text_hits = [h for h in hits if not h["own_marking"]]
    assert any(PHRASE in h["text"] and "Definisjonsmakt" in h["text"] for h in text_hits)  # the page text is kept apart


def test_highlight_with_comment_underline_freetext_and_note(tmp_path):
    def annotate(w: PdfWriter) -> None:
        highlight(w, 1, 1, PHRASE, comment="Bruk dette i drøftingen")
        box = quad(2, 0, UNDERLINED)
        underline = Highlight(rect=box, quad_points=quad_points(box))  # pypdf has no Underline class
        underline[NameObject("/Subtype")] = NameObject("/Underline")
        w.add_annotation(2, underline)
        w.add_annotation(0, FreeText(text="Tillit er kjernen her", rect=(300, 500, 450, 540)))
        w.add_annotation(0, Text(text="Se også Biestek om aksept", rect=(300, 400, 320, 420)))

    _, hits = index_and_ask(corpus_with(tmp_path, annotate), tmp_path, "drøftingen etikk tillit kjernen Biestek aksept")
    by_text = {h["text"]: h["citation"] for h in own(hits)}
    assert by_text == {
        f"{PHRASE}\n\nKommentar: Bruk dette i drøftingen": "(Lund, 2020, s. 46)",
        UNDERLINED: "(Lund, 2020, s. 47)",
        "Kommentar: Tillit er kjernen her": "(Lund, 2020, s. 45)",
        "Kommentar: Se også Biestek om aksept": "(Lund, 2020, s. 45)",
    }


def test_text_output_marks_the_passage_as_own_marking(tmp_path):
    root = corpus_with(tmp_path, lambda w: highlight(w, 1, 1, PHRASE))
    index_and_ask(root, tmp_path, "problemet")
    res = runner.invoke(app, ["spør", "retten til å beskrive problemet", "--korpus", str(root),
                              "--indeks", str(tmp_path / "indeks"), "-k", "1"])
    assert res.exit_code == 0, res.output
    assert "(Lund, 2020, s. 46)  [egen markering i PDF-en]" in res.output


def test_marked_text_stored_in_contents_is_used_when_no_text_is_under_the_quad(tmp_path):
    box = (400.0, 200.0, 500.0, 212.0)  # an empty part of the page

    def annotate(w: PdfWriter) -> None:
        annot = Highlight(rect=box, quad_points=quad_points(box))
        annot[NameObject("/Contents")] = TextStringObject("Sitat lagret av leseren")
        w.add_annotation(2, annot)

    path = annotated(tmp_path / "a.pdf", annotate)
    found = read_markings(path, "a.pdf")
    assert [(m.pdf_index, m.text, m.comment) for m in found.markings] == [(2, "Sitat lagret av leseren", "")]


def test_malformed_annotations_are_skipped_and_the_text_is_indexed(tmp_path):
    def annotate(w: PdfWriter) -> None:
        highlight(w, 1, 1, PHRASE)
        page0, page2 = w.pages[0], w.pages[2]
        page0[NameObject("/Annots")] = NumberObject(7)  # not an array
        bad = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Highlight"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
            NameObject("/QuadPoints"): ArrayObject([TextStringObject("x")] * 8),  # not numbers
            NameObject("/Contents"): NumberObject(42),  # not a string
        })
        odd = DictionaryObject({NameObject("/Subtype"): NameObject("/Text"), NameObject("/Contents"): ArrayObject()})
        page2[NameObject("/Annots")] = ArrayObject([w._add_object(bad), w._add_object(odd), NumberObject(3)])

    report, hits = index_and_ask(corpus_with(tmp_path, annotate), tmp_path, "retten til å beskrive problemet")
    assert report["feilet"] == {}
    assert [m["text"] for m in own(hits)] == [PHRASE]
    assert any(PHRASE in h["text"] and not h["own_marking"] for h in hits)  # the page text too


def test_more_markings_than_the_limit_are_cut_with_a_warning_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PDF_MARKINGS", 2)

    def annotate(w: PdfWriter) -> None:
        for n in range(5):
            w.add_annotation(0, Text(text=f"Notat nummer {n}", rect=(300, 400 - 30 * n, 320, 420 - 30 * n)))

    root = corpus_with(tmp_path, annotate)
    res = runner.invoke(app, ["indekser", "--korpus", str(root), "--indeks", str(tmp_path / "i"), "--modell", "test-hash",
                              "--json"])
    assert res.exit_code == 2, res.output
    assert any("MAX_PDF_MARKINGS = 2" in w for w in json.loads(res.stdout)["advarsler"])
    marks = read_markings(root / "lund2020.pdf", "lund2020.pdf").markings
    assert [m.comment for m in marks] == ["Notat nummer 0", "Notat nummer 1"]


@pytest.mark.parametrize("content", [b"", b"%PDF-1.4\n garbage", b"\x00" * 100])
def test_unreadable_pdf_has_no_markings_and_no_traceback(tmp_path, content):
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    assert read_markings(path, "x.pdf").markings == ()


def test_unchanged_pdf_keeps_its_markings_without_reading_again(tmp_path, monkeypatch):
    root = corpus_with(tmp_path, lambda w: highlight(w, 1, 1, PHRASE))
    index_and_ask(root, tmp_path, "problemet")
    import litsok.ingest.annotations as annotations

    calls: list[str] = []
    monkeypatch.setattr(annotations, "read_markings", lambda *a: calls.append(a[1]))
    report, hits = index_and_ask(root, tmp_path, "retten til å beskrive problemet")
    assert calls == [] and report["uendret"] == ["lund2020.pdf"]
    assert [m["text"] for m in own(hits)] == [PHRASE]


def test_comments_over_the_character_budget_are_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PDF_MARKING_CHARS", 20)

    def annotate(w: PdfWriter) -> None:
        for n in range(5):
            w.add_annotation(0, Text(text=f"Notat nummer {n}", rect=(300, 400 - 30 * n, 320, 420 - 30 * n)))

    found = read_markings(annotated(tmp_path / "a.pdf", annotate), "a.pdf")
    assert [m.comment for m in found.markings] == ["Notat nummer 0", "Notat nummer 1"]  # 28 characters > 20: stop
    assert "MAX_PDF_MARKING_CHARS = 20" in found.warnings[0]
