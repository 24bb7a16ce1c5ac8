"""Corpus edge cases a student runs into: odd file names, an empty folder,
a 1,000-page PDF next to notes, a bad PDF among good files."""

import json

import pytest
from pdfmaker import PageSpec, make_pdf
from typer.testing import CliRunner

from litsok.cli import app
from litsok.config import Settings
from litsok.errors import CorpusError
from litsok.index import load_index
from litsok.library import ask, index_corpus

runner = CliRunner()


def test_file_names_with_spaces_norwegian_letters_and_emoji(settings):
    odd = settings.corpus / "notater" / "Mine notater om sjølbestemmelse 🙂.md"
    odd.write_text(
        "---\nkilde: biestek1972\n---\n## s. 84–85\nSjølbestemmelse: klienten velger selv.\n", encoding="utf-8"
    )
    pdf = settings.corpus / "artikler æøå" / "Røkenes kapittel 7 ✨.pdf"
    pdf.parent.mkdir()
    make_pdf(pdf, [PageSpec(body="Anerkjennelse gjør at klienten føler seg sett og verdsatt.", number="190")])
    report = index_corpus(settings)
    assert report.failed == {} and report.files == 5
    hits = ask(settings, "klienten velger selv", k=1)
    assert hits[0].citation == "(Biestek, 1972, s. 84–85)" and hits[0].chunk.file.endswith("sjølbestemmelse 🙂.md")
    hits = ask(settings, "føler seg sett og verdsatt", k=1)
    assert hits[0].chunk.file == "artikler æøå/Røkenes kapittel 7 ✨.pdf"
    assert hits[0].chunk.pages == "190"  # the number printed in the footer


def test_empty_corpus_folder_is_a_clear_error(tmp_path):
    (tmp_path / "tom").mkdir()
    (tmp_path / "tom" / ".DS_Store").write_text("x")
    with pytest.raises(CorpusError, match="inneholder ingen notater"):
        index_corpus(Settings(corpus=tmp_path / "tom", index=tmp_path / "i"))


def test_bad_pdf_is_skipped_and_everything_else_indexed(settings):
    (settings.corpus / "ødelagt.pdf").write_bytes(b"%PDF-1.7\nikke en ekte pdf")
    (settings.corpus / "tom.pdf").write_bytes(b"")
    res = runner.invoke(
        app,
        [
            "indekser",
            "--modell",
            "test-hash",
            "--json",
            "--korpus",
            str(settings.corpus),
            "--indeks",
            str(settings.index),
        ],
    )
    assert res.exit_code == 2
    report = json.loads(res.stdout)
    assert set(report["feilet"]) == {"ødelagt.pdf", "tom.pdf"}
    assert all(name in reason for name, reason in report["feilet"].items())
    assert report["biter"] == 5
    assert len(load_index(settings.index).chunks) == 5


def test_a_thousand_page_pdf_is_indexed_with_its_printed_pages(settings):
    pages = [
        PageSpec(body=f"Side {i} handler om tema nummer {i} i den store rapporten.", number=str(11 + i))
        for i in range(1000)
    ]
    make_pdf(settings.corpus / "stor-rapport.pdf", pages)
    report = index_corpus(settings)
    assert report.failed == {} and report.files == 4
    idx = load_index(settings.index)
    big = [sc.chunk for sc in idx.chunks if sc.chunk.file == "stor-rapport.pdf"]
    assert big[0].page_first == "11" and big[-1].page_last == "1010"
