"""A PDF in the corpus is linked to its bibliography entry by the FILE NAME in the
entry's `file` field, whatever computer the Zotero / Better BibTeX export was made
on (issue 9, item 7); `litsok kilder` says which entry's PDF is missing and which
PDF has no entry."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from pdfmaker import PageSpec, make_pdf
from typer.testing import CliRunner

from litsok.cli import app
from litsok.config import Settings
from litsok.index import load_index
from litsok.indexing import match_pdf_source, pdf_claims, pdf_link_warnings
from litsok.library import index_corpus, list_sources
from litsok.model import Source
from litsok.sources import file_name, load_bibliography, parse_bibtex_files_field

runner = CliRunner()

NAME = "Kopp og Armbruster - 2019 - Tittel.pdf"
REL = "artikler/" + NAME

BBT_WINDOWS = r"C:\Users\kari\Zotero\storage\ABCD1234\Kopp og Armbruster - 2019 - Tittel.pdf"
ZOTERO_WINDOWS = (
    r"Full Text PDF:C\:\\Users\\kari\\Zotero\\storage\\ABCD1234\\Kopp og Armbruster - 2019 - Tittel.pdf:application/pdf"
)


def _bib_entry(file_value: str, key: str = "kopp2019") -> str:
    return (
        f"@article{{{key},\n"
        "  author = {Kopp, Anna and Armbruster, Jonas},\n"
        "  year = {2019},\n"
        "  title = {Tittel om veiledning},\n"
        "  journal = {Tidsskrift for veiledning},\n"
        "  volume = {4},\n"
        "  pages = {126--127},\n"
        f"  file = {{{file_value}}}\n"
        "}\n"
    )


def _files_of(tmp_path: Path, file_value: str) -> tuple[str, ...]:
    path = tmp_path / "kilder.bib"
    path.write_text(_bib_entry(file_value), encoding="utf-8")
    bib = load_bibliography([path])
    assert bib.problems == ()
    return bib.sources["kopp2019"].files


# ---------------------------------------------------------------- parsing the `file` field


@pytest.mark.parametrize(
    ("value", "paths", "names"),
    [
        pytest.param(BBT_WINDOWS, (BBT_WINDOWS,), (NAME,), id="better-bibtex-windows"),
        pytest.param(
            ZOTERO_WINDOWS,
            (r"C:\Users\kari\Zotero\storage\ABCD1234\Kopp og Armbruster - 2019 - Tittel.pdf",),
            (NAME,),
            id="zotero-escaped-windows-triple",
        ),
        pytest.param(
            r"C:\\Users\\kari\\Zotero\\storage\\ABCD1234\\Kopp og Armbruster - 2019 - Tittel.pdf",
            (BBT_WINDOWS,),
            (NAME,),
            id="better-bibtex-doubled-backslashes-unescaped-drive",
        ),
        pytest.param(
            r"Snapshot:C\:\\Users\\kari\\Zotero\\storage\\EFGH5678\\Kopp.html:text/html;"
            r"Full Text PDF:C\:\\Users\\kari\\Zotero\\storage\\ABCD1234\\Kopp og Armbruster - 2019 - Tittel.pdf:application/pdf",
            (r"C:\Users\kari\Zotero\storage\EFGH5678\Kopp.html", BBT_WINDOWS),
            ("Kopp.html", NAME),
            id="several-attachments",
        ),
        pytest.param(
            r"C:\Users\kari\Zotero\storage\EFGH5678\Kopp.html;C:\Users\kari\Zotero\storage\ABCD1234\Kopp.pdf",
            (r"C:\Users\kari\Zotero\storage\EFGH5678\Kopp.html", r"C:\Users\kari\Zotero\storage\ABCD1234\Kopp.pdf"),
            ("Kopp.html", "Kopp.pdf"),
            id="better-bibtex-several-windows-paths",
        ),
        pytest.param(
            "/home/kari/Zotero/storage/ABCD1234/Kopp og Armbruster - 2019 - Tittel.pdf",
            ("/home/kari/Zotero/storage/ABCD1234/Kopp og Armbruster - 2019 - Tittel.pdf",),
            (NAME,),
            id="posix",
        ),
        pytest.param("files/12/kopp.pdf", ("files/12/kopp.pdf",), ("kopp.pdf",), id="relative"),
        pytest.param(
            "Full Text:files/12/kopp.pdf:application/pdf", ("files/12/kopp.pdf",), ("kopp.pdf",), id="relative-triple"
        ),
        pytest.param(
            "Full Text PDF:/Users/kari/Library/CloudStorage/Zotero/storage/AB12CD34/Kopp.pdf:application/pdf",
            ("/Users/kari/Library/CloudStorage/Zotero/storage/AB12CD34/Kopp.pdf",),
            ("Kopp.pdf",),
            id="macos-triple",
        ),
        pytest.param(
            r"/Users/kari/Zotero/storage/AB12CD34/Gjers{\o}e og Bj{\o}rnstad\_2020.pdf",
            ("/Users/kari/Zotero/storage/AB12CD34/Gjersøe og Bjørnstad_2020.pdf",),
            ("Gjersøe og Bjørnstad_2020.pdf",),
            id="latex-escapes",
        ),
        pytest.param(
            r"Full Text PDF:C\:\\Users\\kari\\R{\"o}sler\_{\aa}r.pdf:application/pdf",
            (r"C:\Users\kari\Rösler_år.pdf",),
            ("Rösler_år.pdf",),
            id="latex-escapes-in-zotero-triple",
        ),
        pytest.param(
            r"C:\Users\kari\_arkiv\Kopp.pdf",
            (r"C:\Users\kari\_arkiv\Kopp.pdf",),
            ("Kopp.pdf",),
            id="raw-windows-folder-starting-with-underscore",
        ),
        pytest.param(":pdf/Kopp.PDF:PDF", ("pdf/Kopp.PDF",), ("Kopp.PDF",), id="jabref-mixed-case"),
        pytest.param(
            r"Full Text:D\:\\Zotero\\Tittel\: en undertittel\; del 2.pdf:application/pdf",
            (r"D:\Zotero\Tittel: en undertittel; del 2.pdf",),
            ("Tittel: en undertittel; del 2.pdf",),
            id="escaped-colon-and-semicolon-in-name",
        ),
        pytest.param(
            "file:///C:/Users/kari/Zotero/Kopp%20og%20Armbruster%20-%202019%20-%20Tittel.pdf",
            ("C:/Users/kari/Zotero/Kopp og Armbruster - 2019 - Tittel.pdf",),
            (NAME,),
            id="file-url",
        ),
    ],
)
def test_file_field_forms(tmp_path, value, paths, names):
    files = _files_of(tmp_path, value)
    assert files == paths
    assert tuple(file_name(f) for f in files) == names


def test_file_name_is_nfc():
    decomposed = unicodedata.normalize("NFD", "Gjersøe og Åsen.pdf")
    assert decomposed != "Gjersøe og Åsen.pdf"
    assert file_name("/Users/kari/" + decomposed) == "Gjersøe og Åsen.pdf"


def test_parse_keeps_a_bare_relative_name():
    assert parse_bibtex_files_field("Kopp.pdf") == ("Kopp.pdf",)


def test_ris_file_links(tmp_path):
    ris = tmp_path / "kilder.ris"
    ris.write_text(
        "TY  - JOUR\nID  - kopp2019\nAU  - Kopp, Anna\nPY  - 2019\nTI  - Tittel\n"
        "UR  - https://doi.org/10.1234/kopp\n"
        "UR  - file:///C:/Users/kari/Zotero/storage/AB12/Kopp%20og%20Armbruster.pdf\n"
        "L1  - internal-pdf://0123456789/Kopp endnote.pdf\n"
        "L1  - C:\\Users\\kari\\Dokumenter\\Kopp windows.pdf\n"
        "L2  - https://example.org/fulltekst\n"
        "ER  - \n",
        encoding="utf-8",
    )
    src = load_bibliography([ris]).sources["kopp2019"]
    assert [file_name(f) for f in src.files] == ["Kopp endnote.pdf", "Kopp windows.pdf", "Kopp og Armbruster.pdf"]
    assert src.csl["URL"] == "https://doi.org/10.1234/kopp"  # the file:// link is not the web address


def test_csl_json_file_key(tmp_path):
    path = tmp_path / "kilder.json"
    path.write_text(
        json.dumps([{"id": "kopp2019", "type": "article-journal", "title": "T", "file": BBT_WINDOWS}]), encoding="utf-8"
    )
    src = load_bibliography([path]).sources["kopp2019"]
    assert src.files == (BBT_WINDOWS,)
    assert "file" not in src.csl


# ---------------------------------------------------------------- matching a corpus PDF to an entry


def _src(key: str, *files: str) -> Source:
    return Source(key=key, csl={"id": key, "title": key}, files=files)


@pytest.mark.parametrize(
    "rel",
    [REL, "Kopp og Armbruster - 2019 - Tittel.pdf", "a/b/KOPP OG ARMBRUSTER - 2019 - TITTEL.PDF"],
)
def test_a_windows_path_links_by_file_name(rel):
    bib = {"other": _src("other", "/x/Annet.pdf"), "kopp2019": _src("kopp2019", BBT_WINDOWS)}
    assert match_pdf_source(rel, bib) == "kopp2019"


def test_a_different_name_does_not_link():
    bib = {"kopp2019": _src("kopp2019", BBT_WINDOWS)}
    assert match_pdf_source("artikler/Kopp og Armbruster - 2019 - Tittel 2.pdf", bib) is None


def test_nfd_file_name_on_disk_links_to_nfc_name_in_bib():
    rel = unicodedata.normalize("NFD", "artikler/Gjersøe - 2020.pdf")
    bib = {"gjersoe2020": _src("gjersoe2020", "C:\\Zotero\\Gjersøe - 2020.pdf")}
    assert match_pdf_source(rel, bib) == "gjersoe2020"
    assert pdf_claims(rel, bib)[0].exact


def test_the_exact_name_wins_over_a_case_only_match_with_a_warning():
    bib = {"loose": _src("loose", "C:/z/kopp.pdf"), "exact": _src("exact", r"C:\z\Kopp.pdf")}
    assert match_pdf_source("artikler/Kopp.pdf", bib) == "exact"
    assert match_pdf_source("artikler/kopp.pdf", bib) == "loose"
    assert pdf_link_warnings(["artikler/Kopp.pdf"], bib) == [
        "artikler/Kopp.pdf: både «exact» og «loose» har filen i `file`-feltet; «exact» brukes "
        "(filnavnet stemmer nøyaktig, også store og små bokstaver). Rett `file`-feltet i oppføringen som er feil.",
        "1 oppføring i kilder.bib («loose») har `file`-felt, men PDF-en finnes ikke i korpuset; se `litsok kilder`.",
    ]


def test_matching_folders_break_a_tie_then_bibliography_order():
    bib = {"a": _src("a", "files/11/x.pdf"), "b": _src("b", "files/12/x.pdf")}
    assert match_pdf_source("files/12/x.pdf", bib) == "b"
    assert match_pdf_source("annet/x.pdf", bib) == "a"
    assert pdf_link_warnings(["annet/x.pdf"], bib)[0].startswith(
        "annet/x.pdf: både «a» og «b» har filen i `file`-feltet; «a» brukes (den står først i kilder.bib)."
    )


def test_a_file_field_beats_a_key_prefix():
    bib = {"kopp": _src("kopp"), "annen2020": _src("annen2020", "/zotero/kopp2019.pdf")}
    assert match_pdf_source("kopp2019.pdf", bib) == "annen2020"
    assert match_pdf_source("kopp2021.pdf", bib) == "kopp"


# ---------------------------------------------------------------- end to end


# Long enough that each page is its own passage (ChunkSettings: about 150 words).
PAGE_ONE = " ".join(["Veiledning bygger på tillit mellom veileder og student i praksis."] * 16)
PAGE_TWO = " ".join(["Makt i samtalen må gjøres synlig for begge parter i veiledningen."] * 16)


@pytest.fixture
def pdf_corpus(tmp_path) -> Settings:
    root = tmp_path / "korpus"
    (root / "artikler").mkdir(parents=True)
    make_pdf(
        root / "artikler" / NAME,
        [PageSpec(body=PAGE_ONE), PageSpec(body=PAGE_TWO)],  # no printed page numbers: the entry's pages are used
    )
    return Settings(corpus=root, index=tmp_path / "indeks", embedder="test-hash")


def _linked(settings: Settings) -> dict[str, tuple[list[str], str]]:
    """source key -> (printed labels of the PDF's pages, citation of its first passage)."""
    index = load_index(settings.index)
    out = {}
    for key in {p.source_key for p in index.pages}:
        labels = [p.label for p in index.pages if p.source_key == key]
        first = min((sc for sc in index.chunks if sc.chunk.source_key == key), key=lambda sc: sc.chunk.char_start)
        out[key] = (labels, first.citation)
    return out


LINKED = {"kopp2019": (["126", "127"], "(Kopp & Armbruster, 2019, s. 126)")}
UNLINKED = {"pdf:Kopp og Armbruster - 2019 - Tittel": (["1", "2"], "(Kopp og Armbruster - 2019 -, s. 1 i PDF-en)")}


@pytest.mark.parametrize("file_value", [BBT_WINDOWS, ZOTERO_WINDOWS], ids=["better-bibtex", "zotero"])
def test_a_windows_export_links_the_pdf_and_its_pages_are_used(pdf_corpus, file_value):
    (pdf_corpus.corpus / "kilder.bib").write_text(_bib_entry(file_value), encoding="utf-8")
    report = index_corpus(pdf_corpus)
    assert _linked(pdf_corpus) == LINKED
    assert not any("ingen kilde i kilder.bib passer" in w for w in report.warnings)
    assert not any("`file`-felt, men PDF-en finnes ikke" in w for w in report.warnings)


def test_fixing_the_file_field_relinks_the_pdf_on_the_next_run(pdf_corpus):
    bib = pdf_corpus.corpus / "kilder.bib"
    bib.write_text(_bib_entry(BBT_WINDOWS.replace("Tittel.pdf", "Tittel (1).pdf")), encoding="utf-8")
    index_corpus(pdf_corpus)
    assert _linked(pdf_corpus) == UNLINKED
    [row] = [s for s in list_sources(pdf_corpus) if s.key.startswith("pdf:")]
    assert row.needs_bib_entry and row.warnings == (
        f"{REL}: ingen kilde i kilder.bib passer til filen; legg til en oppføring med `file`-felt "
        "eller gi filen et navn som starter med kildenøkkelen.",
    )
    bib.write_text(_bib_entry(BBT_WINDOWS), encoding="utf-8")
    [row] = [s for s in list_sources(pdf_corpus) if s.key.startswith("pdf:")]
    assert row.warnings == (
        f"{REL}: passer nå til «kopp2019» i kilder.bib; kjør `litsok indekser` så den siteres med forfatter og år.",
    )
    report = index_corpus(pdf_corpus)
    assert report.changed == (REL,)
    assert _linked(pdf_corpus) == LINKED


MISSING_NAME = "Hansen - 2021 - Borte.pdf"
MISSING_MESSAGE = (
    f"«hansen2021»: `file`-feltet i kilder.bib viser til «{MISSING_NAME}», men den finnes ikke i korpuset. "
    "Kopier PDF-en inn i korpusmappen, eller rett `file`-feltet så filnavnet blir det samme som på PDF-en i korpuset."
)


def _two_problem_corpus(settings: Settings, outside: Path) -> None:
    """kopp2019 is linked; hansen2021's PDF lies outside the corpus; a second PDF has no entry."""
    outside.parent.mkdir(parents=True)
    make_pdf(outside, [PageSpec(body="HEMMELIGPDF om noe helt annet.", number="5")])
    missing = (
        "@book{hansen2021,\n  author = {Hansen, Kari},\n  year = {2021},\n  title = {Borte},\n"
        f"  publisher = {{Forlaget}},\n  file = {{Full Text PDF:{str(outside).replace(':', chr(92) + ':')}:application/pdf}}\n}}\n"
    )
    (settings.corpus / "kilder.bib").write_text(_bib_entry(BBT_WINDOWS) + missing, encoding="utf-8")
    make_pdf(settings.corpus / "artikler" / "Uten oppføring.pdf", [PageSpec(body="En PDF uten oppføring om tillit.")])


def test_kilder_reports_the_entry_whose_pdf_is_missing_and_the_pdf_without_entry(pdf_corpus, tmp_path):
    outside = tmp_path / "utenfor" / MISSING_NAME
    _two_problem_corpus(pdf_corpus, outside)
    report = index_corpus(pdf_corpus)
    assert "1 oppføring i kilder.bib («hansen2021») har `file`-felt, men PDF-en finnes ikke i korpuset; se `litsok kilder`." in report.warnings
    args = ["--korpus", str(pdf_corpus.corpus), "--indeks", str(pdf_corpus.index)]

    res = runner.invoke(app, ["kilder", "--json", *args])
    assert res.exit_code == 0, res.output
    rows = {r["nøkkel"]: r for r in json.loads(res.stdout)}
    assert list(rows) == ["kopp2019", "pdf:Uten oppføring", "hansen2021"]  # indexed first, then the missing PDF
    assert rows["hansen2021"] == {
        "nøkkel": "hansen2021",
        "sitat": "(Hansen, 2021)",
        "tittel": "Borte",
        "type": "book",
        "filer": [],
        "sider": "",
        "biter": 0,
        "mangler": [],
        "sidekilder": [],
        "trenger_sideinnstilling": False,
        "mangler_pdf": [MISSING_NAME],
        "trenger_bib_oppføring": False,
        "advarsler": [MISSING_MESSAGE],
        "sidebevis": [],
        "samlinger": [],
    }
    assert rows["pdf:Uten oppføring"]["trenger_bib_oppføring"] is True
    assert rows["pdf:Uten oppføring"]["advarsler"] == [
        "artikler/Uten oppføring.pdf: ingen kilde i kilder.bib passer til filen; legg til en oppføring med "
        "`file`-felt eller gi filen et navn som starter med kildenøkkelen."
    ]
    assert (rows["kopp2019"]["mangler_pdf"], rows["kopp2019"]["trenger_bib_oppføring"], rows["kopp2019"]["advarsler"]) == ([], False, [])

    text = runner.invoke(app, ["kilder", *args]).stdout
    flat = " ".join(text.split())
    assert "(Hansen, 2021) Borte hansen2021 · ikke i indeksen" in flat
    assert " ".join(MISSING_MESSAGE.split()) in flat
    assert "artikler/Uten oppføring.pdf: ingen kilde i kilder.bib passer til filen" in flat
    # the path in the `file` field is never opened: nothing of the PDF outside the corpus is indexed
    assert all("HEMMELIGPDF" not in sc.chunk.text for sc in load_index(pdf_corpus.index).chunks)
    assert {f.file for f in load_index(pdf_corpus.index).manifest.files} == {REL, "artikler/Uten oppføring.pdf"}


def test_kilder_escapes_markup_in_a_missing_file_name(pdf_corpus):
    entry = _bib_entry(r"C:\Zotero\[bold]Borte.pdf", key="borte2020")
    (pdf_corpus.corpus / "kilder.bib").write_text(_bib_entry(BBT_WINDOWS) + entry, encoding="utf-8")
    index_corpus(pdf_corpus)
    res = runner.invoke(app, ["kilder", "--korpus", str(pdf_corpus.corpus), "--indeks", str(pdf_corpus.index)])
    assert res.exit_code == 0, res.output
    assert "«[bold]Borte.pdf»" in res.stdout  # printed as text, not read as markup
