"""`litsok indekser --zotero`: the Zotero library (tests/zotero_fixture.py, Zotero's real
schema) in the index: its PDFs cited on their printed pages, its annotations as the
student's own markings, collections in `kilder`, incremental runs, and clear errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner
from zotero_fixture import (
    HIGHLIGHT_COMMENT,
    HIGHLIGHT_TEXT,
    NOTE_COMMENT,
    UNDERLINE_TEXT,
    FixtureLibrary,
    add_annotation,
    build_library,
    edit_item,
)

from litsok import zotero
from litsok.cli import app

runner = CliRunner()
CHAPTER_PDF = "zotero:ATTCHAP1/skau.pdf"
CHAPTER_MARKS = "zotero:ATTCHAP1"
THESIS_PDF = "zotero:ATTTHES1/nilsen masteroppgave.pdf"  # a linked file, outside the data folder


@pytest.fixture(autouse=True)
def no_real_prefs(monkeypatch, tmp_path):
    """Zotero's prefs.js of the machine running the tests must not leak in."""
    monkeypatch.setattr(zotero, "_profile_roots", lambda: [tmp_path / "no-profiles"])


@pytest.fixture
def fx(tmp_path) -> FixtureLibrary:
    return build_library(tmp_path)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The PDFs read (by `ingest.pdf.read_pdf`) from here on."""
    import litsok.ingest.pdf as pdf

    seen: list[str] = []
    real = pdf.read_pdf

    def counting(path, **kw):
        seen.append(kw["rel_file"])
        return real(path, **kw)

    monkeypatch.setattr(pdf, "read_pdf", counting)
    return seen


def run(*args: str, ok: tuple[int, ...] = (0,)) -> dict | list:
    corpus = [] if "--korpus" in args else ["--korpus", "korpus"]
    res = runner.invoke(app, [*args, "--indeks", "indeks", *corpus, "--json"])
    assert res.exit_code in ok, res.output
    return json.loads(res.stdout)


def index(*args: str, ok: tuple[int, ...] = (0,)) -> dict:
    report = run("indekser", "--modell", "test-hash", *args, ok=ok)
    assert isinstance(report, dict)
    return report


def ask(question: str, k: int = 10) -> list[dict]:
    hits = run("spør", question, "-k", str(k))
    assert isinstance(hits, list)
    return hits


def sources() -> dict[str, dict]:
    rows = run("kilder")
    return {r["nøkkel"]: r for r in rows}  # type: ignore[union-attr]


# --- the library in the index -------------------------------------------------------------------


def test_zotero_pdf_and_annotations_are_indexed_without_a_corpus(fx):
    report = index("--zotero", str(fx.data_dir))
    assert set(report["nye"]) == {CHAPTER_PDF, CHAPTER_MARKS, THESIS_PDF}
    assert report["zotero"] == {"database": str(fx.db), "samling": None, "elementer": 6, "pdf_er": 2, "markeringer": 3}
    assert any("hansen.pdf" in w and "finnes ikke på disken" in w for w in report["advarsler"])  # never downloaded
    hits = ask("definisjonsmakt i hjelperelasjoner")
    own = [h for h in hits if h["own_marking"]]
    texts = {h["text"]: h["citation"] for h in own}
    assert texts == {
        f"{HIGHLIGHT_TEXT}\n\nKommentar: {HIGHLIGHT_COMMENT}": "(Skau, 2011, s. 180)",
        UNDERLINE_TEXT: "(Skau, 2011, s. 181)",
        f"Kommentar: {NOTE_COMMENT}": "(Skau, 2011, s. 180)",
    }
    assert hits[0]["own_marking"] and hits[0]["text"].startswith(HIGHLIGHT_TEXT)
    page_text = [h for h in hits if h["file"] == CHAPTER_PDF]
    assert page_text and not any(h["own_marking"] for h in page_text)
    assert {h["best_sentence_pages"] for h in page_text} == {"180"}  # the PDF's text, on the same printed page


def test_text_output_of_spor_and_siter_marks_own_markings(fx):
    index("--zotero", str(fx.data_dir))
    res = runner.invoke(app, ["spør", HIGHLIGHT_TEXT, "--indeks", "indeks", "-k", "1"])
    assert res.exit_code == 0, res.output
    assert "(Skau, 2011, s. 180)  [egen markering i Zotero]" in res.output
    res = runner.invoke(app, ["siter", "Makt i hjelperelasjoner handler om definisjonsmakt.", "--indeks", "indeks", "--json"])
    assert res.exit_code == 0, res.output
    found = json.loads(res.stdout)["treff"]
    marks = [(s["sider"], s["henvisning"]) for s in found if s["egen_markering"]]
    assert ("180", "(Skau, 2011, s. 180)") in marks
    assert not all(s["egen_markering"] for s in found)  # the chapter's own text is no marking


def test_the_students_own_comment_is_never_a_sources_support(fx):
    """`siter` and `sjekk` look for the source's words: a highlight's text can support a claim,
    the student's «Kommentar: …» beside it cannot (it is hers, not the author's)."""
    index("--zotero", str(fx.data_dir))
    for claim in (NOTE_COMMENT, HIGHLIGHT_COMMENT):
        res = runner.invoke(app, ["siter", claim, "--indeks", "indeks", "--json"])
        assert res.exit_code == 0, res.output
        found = json.loads(res.stdout)["treff"]
        assert found and not any("Kommentar" in s["setning"] or claim in s["setning"] for s in found)


def test_kilder_shows_collections_and_the_zotero_page_setting(fx):
    index("--zotero", str(fx.data_dir))
    skau = sources()["skau2011"]
    assert skau["samlinger"] == ["Bachelor/Teori"]
    assert skau["tittel"] == "Mellom makt og hjelp"
    assert sorted(skau["filer"]) == [CHAPTER_MARKS, CHAPTER_PDF]
    assert skau["sidebevis"][0]["beskrivelse"] == "litsok_forsteside i Zotero-elementet (feltet Ekstra)"
    res = runner.invoke(app, ["kilder", "--indeks", "indeks", "--korpus", "korpus"])
    assert "samling i Zotero: Bachelor/Teori" in res.output


def test_samling_limits_the_index_to_a_collection_and_its_subcollections(fx, small_corpus):
    index("--zotero", str(fx.data_dir), "--samling", "Bachelor", "--korpus", str(small_corpus))
    keys = {r["nøkkel"] for r in run("kilder", "--korpus", str(small_corpus))}  # type: ignore[index]
    assert "skau2011" in keys and "nilsen2019" not in keys  # in Bachelor/Teori; the thesis is in no collection
    report = index("--zotero", str(fx.data_dir), "--samling", "Master", "--korpus", str(small_corpus))
    assert set(report["fjernet"]) == {CHAPTER_PDF, CHAPTER_MARKS}  # the chapter is in Bachelor/Teori only
    keys = {h["source_key"] for h in ask("definisjonsmakt makt hjelperelasjoner")}
    assert "skau2011" not in keys and keys  # the notes of the corpus are still there


def test_unknown_collection_is_a_norwegian_error_listing_the_collections(fx):
    res = runner.invoke(app, ["indekser", "--zotero", str(fx.data_dir), "--samling", "Doktorgrad",
                              "--indeks", "indeks", "--modell", "test-hash"])
    assert res.exit_code == 1
    assert "Fant ingen samling «Doktorgrad»" in res.output and "«Bachelor/Teori»" in res.output
    assert "Traceback" not in res.output


def test_kilder_bib_and_zotero_join_and_kilder_bib_wins_on_the_same_key(fx, small_corpus):
    bib = small_corpus / "kilder.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@incollection{skau2011,\n  author = {Skau, Greta Marie},\n"
                   "  year = {2011},\n  title = {Tittel fra kilder.bib},\n  booktitle = {Profesjonsetikk},\n"
                   "  pages = {170--195},\n  litsok_forsteside = {179},\n}\n", encoding="utf-8")
    index("--zotero", str(fx.data_dir), "--korpus", str(small_corpus))
    rows = {r["nøkkel"]: r for r in run("kilder", "--korpus", str(small_corpus))}  # type: ignore[union-attr]
    assert {"biestek1972", "rokenes2012", "skau2011"} <= set(rows)
    assert rows["skau2011"]["tittel"] == "Tittel fra kilder.bib"


# --- incremental ----------------------------------------------------------------------------------


def test_second_run_reads_nothing_again(fx, reads):
    index("--zotero", str(fx.data_dir))
    assert sorted(reads) == [CHAPTER_PDF, THESIS_PDF]
    report = index("--zotero", str(fx.data_dir))
    assert sorted(reads) == [CHAPTER_PDF, THESIS_PDF]  # not read again
    assert report["nye"] == report["endret"] == []
    assert set(report["uendret"]) == {CHAPTER_PDF, CHAPTER_MARKS, THESIS_PDF}
    assert report["innebygd"] == 0


def test_unchanged_attachments_are_not_even_hashed_again(fx, monkeypatch):
    import litsok.ingest.corpus as corpus

    index("--zotero", str(fx.data_dir))
    hashed: list[str] = []
    real = corpus.file_hash
    monkeypatch.setattr(corpus, "file_hash", lambda path: hashed.append(Path(path).name) or real(path))
    index("--zotero", str(fx.data_dir))
    assert hashed == []  # same size and time as recorded
    fx.chapter_pdf.write_bytes(fx.chapter_pdf.read_bytes() + b"\n% endret\n")
    report = index("--zotero", str(fx.data_dir))
    assert "skau.pdf" in hashed and report["endret"] == [CHAPTER_PDF]


def test_a_new_annotation_rereads_only_that_attachments_markings(fx, reads):
    index("--zotero", str(fx.data_dir))
    add_annotation(fx.db, "ATTCHAP1", "ANNNEW01", "hvem som får beskrive problemet", "180", 1)
    report = index("--zotero", str(fx.data_dir))
    assert sorted(reads) == [CHAPTER_PDF, THESIS_PDF]  # no PDF is read again
    assert report["endret"] == [CHAPTER_MARKS] and sorted(report["uendret"]) == [CHAPTER_PDF, THESIS_PDF]
    assert report["innebygd"] == 1  # only the new marking is embedded
    own = [h for h in ask("hvem som får beskrive problemet") if h["own_marking"]]
    assert own[0]["text"] == "hvem som får beskrive problemet" and own[0]["citation"] == "(Skau, 2011, s. 180)"


def test_an_edited_title_updates_the_citation_source_without_reading_the_pdf(fx, reads):
    index("--zotero", str(fx.data_dir))
    edit_item(fx.db, "CHAPKEY1", "title", "Makt og hjelp, revidert")
    index("--zotero", str(fx.data_dir))
    assert sorted(reads) == [CHAPTER_PDF, THESIS_PDF]
    assert sources()["skau2011"]["tittel"] == "Makt og hjelp, revidert"


def test_annotation_page_follows_the_printed_page_of_the_pdf(fx):
    """Zotero stores the PDF page number as label when the PDF has no page labels; the
    passage is cited on the printed page the text of that PDF page is cited on."""
    add_annotation(fx.db, "ATTCHAP1", "ANNIDX01", "hvem som får beskrive problemet", "2", 1)
    index("--zotero", str(fx.data_dir))
    own = [h for h in ask("hvem som får beskrive problemet") if h["own_marking"]]
    assert own[0]["citation"] == "(Skau, 2011, s. 180)"


def test_the_index_remembers_zotero_and_uten_zotero_leaves_it_out(fx, small_corpus):
    index("--zotero", str(fx.data_dir), "--korpus", str(small_corpus))
    report = index("--korpus", str(small_corpus))  # no --zotero: the library the index was built with
    assert CHAPTER_PDF in report["uendret"] and not report["fjernet"]
    report = index("--uten-zotero", "--korpus", str(small_corpus))
    assert set(report["fjernet"]) == {CHAPTER_PDF, CHAPTER_MARKS, THESIS_PDF}


def test_status_reports_zotero_changes(fx):
    index("--zotero", str(fx.data_dir))
    st = run("status")
    assert st["zotero"]["mappe"] == str(fx.db) and st["zotero"]["endret"] == [] and st["utdatert"] is False
    edit_item(fx.db, "CHAPKEY1", "title", "Ny tittel")
    st = run("status")
    assert st["zotero"]["endret"] == ["skau2011"] and st["utdatert"] is True
    res = runner.invoke(app, ["status", "--indeks", "indeks", "--korpus", "korpus"])
    assert "endret i Zotero: 0 nye, 1 endret, 0 fjernet" in res.output
    fx.db.rename(fx.db.with_suffix(".flyttet"))
    st = run("status")
    assert "finnes ikke" in st["zotero"]["feil"] and st["zotero"]["endret"] == []


# --- where the library is, and when it cannot be read -------------------------------------------------


def test_zotero_without_folder_reads_the_usual_data_folder(tmp_path, monkeypatch):
    home = tmp_path / "hjem"
    build_library(home)  # home/Zotero: Zotero's usual folder
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    report = index("--zotero")
    assert CHAPTER_PDF in report["nye"]


def test_zotero_and_samling_in_litsok_toml(fx):
    Path("litsok.toml").write_text(f'zotero = "{fx.data_dir}"\nsamling = "Teori"\n', encoding="utf-8")
    report = index()
    assert CHAPTER_PDF in report["nye"]
    assert sources()["skau2011"]["samlinger"] == ["Bachelor/Teori"]


@pytest.mark.parametrize("line, message", [
    ("zotero = 5", "«zotero» har en ugyldig verdi"),
    ('zotero = ""', "«zotero» har en ugyldig verdi"),
    ('samling = ""', "«samling» har en ugyldig verdi"),
])
def test_bad_zotero_settings_are_norwegian_errors(line, message):
    Path("litsok.toml").write_text(line + "\n", encoding="utf-8")
    res = runner.invoke(app, ["indekser", "--indeks", "indeks"])
    assert res.exit_code == 1 and message in res.output and "Traceback" not in res.output


def test_missing_or_garbage_zotero_folder_exits_1_and_keeps_the_index(fx, tmp_path):
    index("--zotero", str(fx.data_dir))
    before = ask(HIGHLIGHT_TEXT)
    res = runner.invoke(app, ["indekser", "--zotero", str(tmp_path / "finnes-ikke"), "--indeks", "indeks"])
    assert res.exit_code == 1 and "Zotero-mappen finnes ikke" in res.output
    garbage = tmp_path / "søppel"
    garbage.mkdir()
    (garbage / "zotero.sqlite").write_bytes(b"dette er ikke en database" * 100)
    res = runner.invoke(app, ["indekser", "--zotero", str(garbage), "--indeks", "indeks"])
    assert res.exit_code == 1 and "er ikke en Zotero-database" in res.output
    assert ask(HIGHLIGHT_TEXT) == before  # nothing lost


def test_indexes_while_zotero_holds_its_exclusive_lock(fx):
    zotero_conn = sqlite3.connect(fx.db, isolation_level=None)
    zotero_conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    zotero_conn.execute("BEGIN EXCLUSIVE")
    zotero_conn.execute("UPDATE items SET version = version + 1")
    try:
        report = index("--zotero", str(fx.data_dir))
    finally:
        zotero_conn.execute("ROLLBACK")
        zotero_conn.close()
    assert CHAPTER_PDF in report["nye"]


def test_highlights_inside_a_zotero_pdf_are_own_markings_too(fx):
    """A PDF in Zotero's storage with /Annots of its own (marked in another reader)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Text

    w = PdfWriter()
    w.append(PdfReader(fx.chapter_pdf))
    w.add_annotation(2, Text(text="Notat fra en annen PDF-leser", rect=(300, 400, 320, 420)))
    with fx.chapter_pdf.open("wb") as fh:
        w.write(fh)
    index("--zotero", str(fx.data_dir))
    own = [h for h in ask("notat fra en annen PDF-leser") if h["own_marking"] and h["file"] == CHAPTER_PDF]
    assert [(h["text"], h["citation"]) for h in own] == [("Kommentar: Notat fra en annen PDF-leser", "(Skau, 2011, s. 181)")]


def test_the_same_pdf_in_the_corpus_and_in_zotero_is_read_once(fx, tmp_path):
    import shutil

    corpus = tmp_path / "korpus"
    corpus.mkdir()
    shutil.copy(fx.chapter_pdf, corpus / "skau.pdf")
    report = index("--zotero", str(fx.data_dir), "--korpus", str(corpus))
    assert "skau.pdf" in report["nye"] and CHAPTER_PDF not in report["nye"]
    assert any(w.startswith(f"{CHAPTER_PDF}: samme PDF som skau.pdf") for w in report["advarsler"])
    hits = ask("definisjonsmakt hvem som får beskrive problemet")
    text = [h for h in hits if not h["own_marking"] and h["file"] != THESIS_PDF]
    assert {h["file"] for h in text} == {"skau.pdf"} and text[0]["source_key"] == "skau2011"  # linked by file name
    assert {h["citation"] for h in hits if h["own_marking"] and h["text"].startswith(HIGHLIGHT_TEXT)} == {"(Skau, 2011, s. 180)"}


def test_a_marking_zotero_imported_from_the_pdf_is_indexed_once(fx):
    """Zotero shows the PDF's own /Annots as read-only annotations (isExternal = 1)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Text

    w = PdfWriter()
    w.append(PdfReader(fx.chapter_pdf))
    w.add_annotation(1, Text(text="Merket i en annen leser", rect=(300, 400, 320, 420)))
    with fx.chapter_pdf.open("wb") as fh:
        w.write(fh)
    add_annotation(fx.db, "ATTCHAP1", "ANNEXT01", "", "180", 1)
    conn = sqlite3.connect(fx.db)
    conn.execute("UPDATE itemAnnotations SET type = 2, comment = 'Merket i en annen leser', isExternal = 1 "
                 "WHERE itemID = (SELECT itemID FROM items WHERE key = 'ANNEXT01')")
    conn.commit()
    conn.close()
    index("--zotero", str(fx.data_dir))
    own = [h for h in ask("merket i en annen leser") if h["own_marking"] and "annen leser" in h["text"]]
    assert [(h["file"], h["citation"]) for h in own] == [(CHAPTER_PDF, "(Skau, 2011, s. 180)")]


def test_reference_and_citations_are_the_same_as_from_a_better_bibtex_export(fx, tmp_path):
    """The same chapter indexed from Zotero and from its Better BibTeX export (+ the PDF)."""
    import shutil

    from zotero_fixture import BBT_BIB

    corpus = tmp_path / "bbt"
    corpus.mkdir()
    (corpus / "kilder.bib").write_text(BBT_BIB.replace("  pages = {170--195},", "  pages = {170--195},\n  litsok_forsteside = {179},"),
                                       encoding="utf-8")
    shutil.copy(fx.chapter_pdf, corpus / "skau2011.pdf")
    index("--zotero", str(fx.data_dir))

    def reference_and_pages(*corpus_args: str, idx: str) -> tuple[dict, set[str]]:
        res = runner.invoke(app, ["referanser", "--indeks", idx, *corpus_args, "--json"])
        assert res.exit_code == 0, res.output
        (ref,) = [r for r in json.loads(res.stdout) if r["nøkkel"] == "skau2011"]
        res = runner.invoke(app, ["spør", "definisjonsmakt", "--indeks", idx, "--kilde", "skau2011", "--json"])
        cites = {h["citation"] for h in json.loads(res.stdout) if not h["own_marking"]}
        return {k: ref[k] for k in ("referanse", "markdown")}, cites

    res = runner.invoke(app, ["indekser", "--korpus", str(corpus), "--indeks", "bbt-indeks", "--modell", "test-hash"])
    assert res.exit_code == 0, res.output
    zot, bbt = reference_and_pages(idx="indeks"), reference_and_pages("--korpus", str(corpus), idx="bbt-indeks")
    assert zot == bbt
    assert zot[0]["referanse"].startswith("Skau, G. M. (2011). Mellom makt og hjelp. I S. A. Christoffersen & A. Berg (Red.)")
    assert zot[1] == {"(Skau, 2011, s. 179–181)"}


def test_annotations_of_a_pdf_not_on_disk_are_still_searchable_on_zoteros_page(fx):
    add_annotation(fx.db, "ATTCONF1", "ANNCONF1", "Veiledning med digitale verktøy krever nærhet", "5", 4)  # hansen.pdf: never downloaded
    index("--zotero", str(fx.data_dir))
    own = [h for h in ask("veiledning med digitale verktøy krever nærhet") if h["own_marking"]]
    assert (own[0]["text"], own[0]["citation"], own[0]["file"]) == (
        "Veiledning med digitale verktøy krever nærhet", "(Hansen & Lie, 2020, s. 5)", "zotero:ATTCONF1")
