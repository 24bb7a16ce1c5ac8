"""sources: BibTeX / RIS / CSL-JSON -> Source, problems, missing fields, page ranges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litsok.errors import BibliographyError
from litsok.model import Source
from litsok.sources import (
    ET_AL_NAME,
    fallback_source,
    load_bibliography,
    missing_fields,
    page_range,
    parse_bibtex_files_field,
)

BIB = r"""
@article{leseth2020,
  author = {Leseth, Anne Birgitte and Vilhena, Sigrid and Gjers{\o}e, Heidi Moen},
  title = {Aktivitetspliktens innside og utside: {Unge} mottakere av sosialhjelp},
  journal = {Tidsskrift for velferdsforskning},
  year = {2020},
  volume = {23},
  number = {2},
  pages = {126--139},
  doi = {https://doi.org/10.18261/issn.0809-2052-2020-02-04},
  file = {Full Text:files/12/leseth.pdf:application/pdf;Snapshot:files/13/leseth.html:text/html}
}

@book{rokenes2012,
  author = {R{\o}kenes, Odd Harald and Hanssen, Per-Halvard},
  title = {B{\ae}re eller briste: {K}ommunikasjon og relasjon i arbeid med mennesker},
  publisher = {Fagbokforlaget},
  address = {Bergen},
  year = 2012,
  edition = {3},
  litsok_forsteside = {15}
}

@incollection{hansen2018,
  author = {Hansen, Kari and others},
  editor = {Olsen, Per and Berg, Anne},
  title = {Et kapittel om m{\"o}ter},
  booktitle = {En bok},
  pages = {45--67},
  publisher = {Universitetsforlaget},
  year = {2018},
  first_page = {45}
}

@misc{ssb2019,
  author = {{Statistisk sentralbyr{\aa}}},
  title = {Sosialhjelp},
  url = {https://www.ssb.no/sosialhjelp},
  year = {2019}
}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def bib(tmp_path: Path):
    return load_bibliography([write(tmp_path, "kilder.bib", BIB)])


def test_bibtex_loads_all_entries_without_problems(bib):
    assert list(bib.sources) == ["leseth2020", "rokenes2012", "hansen2018", "ssb2019"]
    assert bib.problems == ()


def test_bibtex_norwegian_names_and_latex(bib):
    rok = bib.sources["rokenes2012"].csl
    assert rok["author"] == [
        {"family": "Røkenes", "given": "Odd Harald"},
        {"family": "Hanssen", "given": "Per-Halvard"},
    ]
    assert rok["title"] == "Bære eller briste: Kommunikasjon og relasjon i arbeid med mennesker"
    assert bib.sources["leseth2020"].csl["author"][2] == {"family": "Gjersøe", "given": "Heidi Moen"}
    assert bib.sources["hansen2018"].csl["title"] == "Et kapittel om möter"
    assert bib.sources["ssb2019"].csl["author"] == [{"literal": "Statistisk sentralbyrå"}]


def test_bibtex_and_others_marks_et_al(bib):
    authors = bib.sources["hansen2018"].csl["author"]
    assert authors == [{"family": "Hansen", "given": "Kari"}, ET_AL_NAME]


def test_bibtex_field_mapping(bib):
    les = bib.sources["leseth2020"].csl
    assert les["type"] == "article-journal"
    assert les["container-title"] == "Tidsskrift for velferdsforskning"
    assert les["issued"] == {"date-parts": [[2020]]}
    assert (les["volume"], les["issue"], les["page"]) == ("23", "2", "126-139")
    assert les["DOI"] == "10.18261/issn.0809-2052-2020-02-04"
    rok = bib.sources["rokenes2012"].csl
    assert (rok["type"], rok["publisher"], rok["publisher-place"], rok["edition"]) == (
        "book",
        "Fagbokforlaget",
        "Bergen",
        "3",
    )
    kap = bib.sources["hansen2018"].csl
    assert kap["type"] == "chapter"
    assert kap["container-title"] == "En bok"
    assert kap["editor"] == [{"family": "Olsen", "given": "Per"}, {"family": "Berg", "given": "Anne"}]
    ssb = bib.sources["ssb2019"].csl
    assert (ssb["type"], ssb["URL"]) == ("webpage", "https://www.ssb.no/sosialhjelp")


def test_zotero_file_field(bib):
    assert bib.sources["leseth2020"].files == ("files/12/leseth.pdf", "files/13/leseth.html")
    assert bib.sources["rokenes2012"].files == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Full Text:files/12/leseth.pdf:application/pdf", ("files/12/leseth.pdf",)),
        (r"Full Text:C\:\\Users\\kari\\Zotero\\storage\\AB12\\leseth.pdf:application/pdf",
         (r"C:\Users\kari\Zotero\storage\AB12\leseth.pdf",)),
        ("leseth.pdf", ("leseth.pdf",)),
        (":pdf/a.pdf:PDF;:pdf/b.pdf:PDF", ("pdf/a.pdf", "pdf/b.pdf")),
    ],
)
def test_parse_files_field(value, expected):
    assert parse_bibtex_files_field(value) == expected


def test_first_page_setting(bib):
    assert bib.sources["rokenes2012"].first_page == 15
    assert bib.sources["hansen2018"].first_page == 45
    assert bib.sources["leseth2020"].first_page is None


def test_bad_first_page_is_a_problem(tmp_path):
    path = write(tmp_path, "k.bib", "@book{a, title={T}, year={2000}, litsok_forsteside={xii}}")
    result = load_bibliography([path])
    assert result.sources["a"].first_page is None
    assert result.problems == (
        f"{path}: «litsok_forsteside» for «a» må være et helt tall, ikke «xii»; innstillingen er ignorert.",
    )


def test_origin_is_the_file(bib, tmp_path):
    assert bib.sources["leseth2020"].origin == str(tmp_path / "kilder.bib")


def test_duplicate_key_in_same_file_first_wins(tmp_path):
    path = write(
        tmp_path,
        "k.bib",
        "@book{a,\n  title = {Første},\n  year = {2000}\n}\n\n@book{a,\n  title = {Andre},\n  year = {2001}\n}\n",
    )
    result = load_bibliography([path])
    assert result.sources["a"].csl["title"] == "Første"
    assert result.problems == (
        f"{path}, linje 6: nøkkelen «a» er brukt før i samme fil; den første oppføringen brukes.",
    )


def test_duplicate_key_across_files_first_wins(tmp_path):
    first = write(tmp_path, "a.bib", "@book{biestek1972, title={Fra bib}, year={1972}}")
    second = write(
        tmp_path, "b.json", json.dumps([{"id": "biestek1972", "type": "book", "title": "Fra json"}])
    )
    result = load_bibliography([first, second])
    assert result.sources["biestek1972"].csl["title"] == "Fra bib"
    assert result.problems == (
        f"{second}: nøkkelen «biestek1972» finnes allerede i {first}; oppføringen i {first} brukes.",
    )


def test_broken_entry_among_good_ones(tmp_path):
    text = (
        "@book{god1,\n  title = {En},\n  year = {2001}\n}\n\n"
        "@book{ødelagt,\n  author = {Foo, Bar\n  title = {x}\n}\n\n"
        "@book{god2,\n  title = {To},\n  year = {2002}\n}\n"
    )
    path = write(tmp_path, "k.bib", text)
    result = load_bibliography([path])
    assert sorted(result.sources) == ["god1", "god2"]
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"{path}, linje 6: oppføringen «ødelagt» kan ikke tolkes")


def test_completely_broken_bib_raises(tmp_path):
    path = write(tmp_path, "k.bib", "Dette er ikke BibTeX i det hele tatt.\n")
    with pytest.raises(BibliographyError) as err:
        load_bibliography([path])
    assert str(path) in err.value.message
    assert "Eksporter" in err.value.message


def test_unknown_extension_raises(tmp_path):
    path = write(tmp_path, "kilder.txt", "x")
    with pytest.raises(BibliographyError, match="ukjent filtype"):
        load_bibliography([path])


RIS = """TY  - JOUR
AU  - Leseth, Anne Birgitte
AU  - Vilhena, Sigrid
AU  - Gjersøe, Heidi Moen
TI  - Aktivitetspliktens innside og utside
JO  - Tidsskrift for velferdsforskning
PY  - 2020
VL  - 23
IS  - 2
SP  - 126
EP  - 139
DO  - 10.18261/issn.0809-2052-2020-02-04
ER  - 

TY  - BOOK
ID  - rokenes2012
AU  - Røkenes, Odd Harald
AU  - Hanssen, Per-Halvard
TI  - Bære eller briste
PB  - Fagbokforlaget
CY  - Bergen
ET  - 3
PY  - 2012///
ER  - 
"""


def test_ris_loading(tmp_path):
    result = load_bibliography([write(tmp_path, "k.ris", RIS)])
    assert list(result.sources) == ["leseth2020", "rokenes2012"]
    les = result.sources["leseth2020"].csl
    assert les["type"] == "article-journal"
    assert les["author"][2] == {"family": "Gjersøe", "given": "Heidi Moen"}
    assert (les["container-title"], les["page"], les["issued"]) == (
        "Tidsskrift for velferdsforskning",
        "126-139",
        {"date-parts": [[2020]]},
    )
    rok = result.sources["rokenes2012"].csl
    assert (rok["type"], rok["publisher"], rok["edition"], rok["publisher-place"]) == (
        "book",
        "Fagbokforlaget",
        "3",
        "Bergen",
    )


def test_broken_ris_raises(tmp_path):
    path = write(tmp_path, "k.ris", "Ikke RIS\n")
    with pytest.raises(BibliographyError, match="fant ingen RIS-oppføringer"):
        load_bibliography([path])


def test_csl_json_loading(tmp_path):
    items = [
        {"id": "biestek1972", "type": "book", "title": "Klient-sosialarbeider-relasjonen",
         "author": [{"family": "Biestek", "given": "Felix P."}], "issued": {"date-parts": [[1972]]},
         "publisher": "Universitetsforlaget", "litsok_forsteside": 7},
        {"title": "uten id"},
    ]
    path = write(tmp_path, "k.json", json.dumps(items))
    result = load_bibliography([path])
    src = result.sources["biestek1972"]
    assert src.csl["publisher"] == "Universitetsforlaget"
    assert src.first_page == 7
    assert "litsok_forsteside" not in src.csl
    assert result.problems == (
        f"{path}: oppføring nr. 2 er hoppet over: den mangler «id». Rett den i Zotero og eksporter på nytt.",
    )


def test_broken_json_raises(tmp_path):
    path = write(tmp_path, "k.json", '[{"id": "a",')
    with pytest.raises(BibliographyError, match="CSL-JSON-filen kan ikke tolkes"):
        load_bibliography([path])


def test_missing_fields_article_without_journal():
    src = Source("a", {"id": "a", "type": "article-journal", "title": "T",
                       "author": [{"family": "X"}], "issued": {"date-parts": [[2018]]}, "page": "1-2",
                       "volume": "3"})
    assert missing_fields(src) == ("tidsskrift",)


def test_missing_fields_various(bib):
    assert missing_fields(bib.sources["leseth2020"]) == ()
    assert missing_fields(bib.sources["rokenes2012"]) == ()
    assert missing_fields(Source("b", {"id": "b", "type": "book", "title": "T"})) == ("forfatter", "år", "forlag")
    article = Source("c", {"id": "c", "type": "article-journal", "title": "T", "author": [{"family": "X"}],
                           "issued": {"date-parts": [[2018]]}, "container-title": "J", "volume": "1"})
    assert missing_fields(article) == ("sider",)


@pytest.mark.parametrize(
    ("page", "expected"),
    [("126-139", (126, 139)), ("180–181", (180, 181)), ("45", (45, 45)), ("xii-xv", None), ("", None)],
)
def test_page_range(page, expected):
    assert page_range(Source("a", {"id": "a", "page": page})) == expected


def test_fallback_source():
    src = fallback_source("mine-tanker", "Egne tanker om relasjon")
    assert src.csl == {"id": "mine-tanker", "type": "document", "title": "Egne tanker om relasjon"}
    assert src.title == "Egne tanker om relasjon"
    assert {"forfatter", "år"} <= set(missing_fields(src))


# --- issue 10: EndNote RIS, EDTF dates, LaTeX math, unknown note keys --------------

ENDNOTE_RIS = """TY  - Journal Article
AU  - Leseth, Anne Birgitta
PY  - 2020
ST  - Aktivitetspliktens innside og utside
T2  - Tidsskrift for velferdsforskning
VL  - 23
SP  - 126
EP  - 139
ER  - 

TY  - Book Section
AU  - Hansen, Kari
A2  - Berg, Anne
PY  - 2019
TI  - Et kapittel
T2  - Boka
PB  - Forlaget
SP  - 10
EP  - 20
ER  - 

TY  - Edited Book
AU  - Ørsnes, Åse
PY  - 2015
TI  - Redigert bok
PB  - Gyldendal
ER  - 
"""


def test_endnote_ris_long_type_names_and_a_title_only_in_st(tmp_path):
    # EndNote writes «TY  - Journal Article» (its own names), and the title of some
    # records only as «ST» (short title); both were lost ("document", no title).
    result = load_bibliography([write(tmp_path, "kilder.ris", ENDNOTE_RIS)])
    les, han, ors = (result.sources[k].csl for k in ("leseth2020", "hansen2019", "ørsnes2015"))
    assert (les["type"], les["title"], les["container-title"]) == (
        "article-journal", "Aktivitetspliktens innside og utside", "Tidsskrift for velferdsforskning"
    )
    assert (han["type"], han["editor"], han["container-title"]) == ("chapter", [{"family": "Berg", "given": "Anne"}], "Boka")
    assert (ors["type"], ors["editor"], "author" in ors) == ("book", [{"family": "Ørsnes", "given": "Åse"}], False)


def test_an_unknown_note_key_names_the_bibliography_file_and_the_closest_key(tmp_path):
    from litsok.sources import unknown_key_message

    bib = load_bibliography([write(tmp_path, "kilder.ris", ENDNOTE_RIS)]).sources
    assert unknown_key_message("notater/l.md", "leseth2021", bib) == (
        "notater/l.md: kilden «leseth2021» finnes ikke i kilder.ris. Mente du «leseth2020»? "
        "Den siteres med tittelen til den får en oppføring."
    )
    assert unknown_key_message("notater/x.md", "biestek1972", bib) == (
        "notater/x.md: kilden «biestek1972» finnes ikke i kilder.ris. Den siteres med tittelen til den får en oppføring."
    )


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        ({"edtf": "2011/2012"}, {"date-parts": [[2011], [2012]]}),
        ({"edtf": "2011-05-25/2012-06-26"}, {"date-parts": [[2011, 5, 25], [2012, 6, 26]]}),
        ({"edtf": "2011~"}, {"date-parts": [[2011]], "circa": True}),
        ({"raw": "2011-05-25/2011-06-26"}, {"date-parts": [[2011, 5, 25], [2011, 6, 26]]}),
        ("2019/2020", {"date-parts": [[2019], [2020]]}),
    ],
)
def test_csl_json_edtf_and_raw_date_ranges(tmp_path, issued, expected):
    item = {"id": "a", "type": "article-newspaper", "title": "Ny tid", "issued": issued}
    result = load_bibliography([write(tmp_path, "k.json", json.dumps([item]))])
    assert result.sources["a"].csl["issued"] == expected


def test_ris_date_with_slashes_is_one_date_not_a_range(tmp_path):
    ris = "TY  - BOOK\nAU  - Berg, Anne\nPY  - 2020/05/01/\nTI  - T\nER  - \n"
    assert load_bibliography([write(tmp_path, "k.ris", ris)]).sources["berg2020"].csl["issued"] == {"date-parts": [[2020, 5, 1]]}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (r"Deling av $\frac n 2$ oppgaver", "Deling av n/2 oppgaver"),
        (r"$\frac{1}{2}$ av klientene", "1/2 av klientene"),
        (r"Et $\chi^2$-test for $H_0$", "Et χ²-test for H₀"),
        (r"Om $\alpha$-nivå og $O(n \log n)$", "Om α-nivå og O(n log n)"),
        (r"Pris \$5 og \$6", "Pris $5 og $6"),
    ],
)
def test_latex_math_in_a_title_is_plain_text(tmp_path, title, expected):
    bib = "@article{a, author = {Berg, Anne}, year = {2020}, title = {" + title + "}}"
    assert load_bibliography([write(tmp_path, "k.bib", bib)]).sources["a"].csl["title"] == expected
