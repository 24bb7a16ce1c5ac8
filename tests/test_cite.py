"""cite: exact APA 7 (Norwegian) strings from citeproc-py + norsk-apa-manual.csl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litsok.cite import in_text, quote, reference_document, reference_entry, reference_list, short_title
from litsok.model import Source
from litsok.sources import fallback_source, load_bibliography

BIB = r"""
@book{biestek1972,
  author = {Biestek, Felix P.},
  title = {Klient-sosialarbeider-relasjonen},
  publisher = {Universitetsforlaget},
  year = {1972}
}

@book{rokenes2012,
  author = {R{\o}kenes, Odd Harald and Hanssen, Per-Halvard},
  title = {B{\ae}re eller briste: {K}ommunikasjon og relasjon i arbeid med mennesker},
  publisher = {Fagbokforlaget},
  address = {Bergen},
  edition = {3},
  year = {2012}
}

@article{leseth2020,
  author = {Leseth, Anne Birgitte and Vilhena, Sigrid and Gjers{\o}e, Heidi Moen},
  title = {Aktivitetspliktens innside og utside: {U}nge mottakere av sosialhjelp og deres erfaringer med aktivitetsplikt},
  journal = {Tidsskrift for velferdsforskning},
  year = {2020}, volume = {23}, number = {2}, pages = {126--139},
  doi = {10.18261/issn.0809-2052-2020-02-04}
}

@article{kane2017,
  author = {Kane, Aud Anita and K{\"o}hler-Olsen, Julia and Reedtz, Charlotte},
  title = {Aktivisering av unge sosialhjelpsmottakere},
  journal = {Tidsskrift for velferdsforskning},
  year = {2017}, volume = {20}, number = {2}, pages = {117--133}
}

@incollection{hansen2018,
  author = {Hansen, Kari},
  editor = {Olsen, Per and Berg, Anne},
  title = {Relasjonens betydning},
  booktitle = {Sosialt arbeid i praksis},
  pages = {45--67},
  publisher = {Universitetsforlaget},
  year = {2018}
}

@book{stenbrenden2018,
  author = {Stenbrenden, Ola and others},
  title = {Sterke m{\o}ter},
  publisher = {Gyldendal},
  year = {2018}
}

@book{utenaar,
  author = {Biestek, Felix P.},
  title = {Klient-sosialarbeider-relasjonen},
  publisher = {Universitetsforlaget}
}

@book{ssb2019,
  author = {{Statistisk sentralbyr{\aa}}},
  title = {Sosialhjelp i Norge},
  publisher = {SSB},
  year = {2019}
}

@book{redigert2015,
  editor = {{\O}rsnes, {\AA}se and Berg, Anne},
  title = {Redigert bok},
  publisher = {Gyldendal},
  edition = {2},
  year = {2015}
}
"""


@pytest.fixture(scope="module")
def src(tmp_path_factory) -> dict[str, Source]:
    path = tmp_path_factory.mktemp("bib") / "kilder.bib"
    path.write_text(BIB, encoding="utf-8")
    bib = load_bibliography([path])
    assert bib.problems == ()
    return dict(bib.sources)


# --- in-text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "pages", "expected"),
    [
        ("biestek1972", "22", "(Biestek, 1972, s. 22)"),
        ("biestek1972", "", "(Biestek, 1972)"),
        ("rokenes2012", "180-181", "(Røkenes & Hanssen, 2012, s. 180–181)"),
        ("rokenes2012", "180–181", "(Røkenes & Hanssen, 2012, s. 180–181)"),
        ("rokenes2012", "", "(Røkenes & Hanssen, 2012)"),
        ("leseth2020", "133", "(Leseth et al., 2020, s. 133)"),
        ("kane2017", "120-121", "(Kane et al., 2017, s. 120–121)"),
        ("stenbrenden2018", "12", "(Stenbrenden et al., 2018, s. 12)"),
        ("utenaar", "22", "(Biestek, u.å., s. 22)"),
        ("utenaar", "", "(Biestek, u.å.)"),
        ("ssb2019", "4", "(Statistisk sentralbyrå, 2019, s. 4)"),
        ("redigert2015", "9", "(Ørsnes & Berg, 2015, s. 9)"),
    ],
)
def test_in_text_parenthetical(src, key, pages, expected):
    assert in_text(src[key], pages) == expected


@pytest.mark.parametrize(
    ("key", "pages", "expected"),
    [
        ("biestek1972", "22", "Biestek (1972, s. 22)"),
        ("biestek1972", "", "Biestek (1972)"),
        ("rokenes2012", "180", "Røkenes og Hanssen (2012, s. 180)"),
        ("rokenes2012", "180-181", "Røkenes og Hanssen (2012, s. 180–181)"),
        ("rokenes2012", "", "Røkenes og Hanssen (2012)"),
        ("leseth2020", "133", "Leseth et al. (2020, s. 133)"),
        ("utenaar", "", "Biestek (u.å.)"),
    ],
)
def test_in_text_narrative(src, key, pages, expected):
    assert in_text(src[key], pages, narrative=True) == expected


def test_in_text_without_author_uses_short_title():
    article = Source("a", {"id": "a", "type": "article-journal", "title": "Sosialt arbeid i endring: en oversikt",
                           "container-title": "Fontene", "issued": {"date-parts": [[2021]]}}, origin="x")
    book = Source("b", {"id": "b", "type": "book", "title": "Veileder for sosialtjenesten",
                        "publisher": "Helsedirektoratet", "issued": {"date-parts": [[2021]]}}, origin="x")
    assert in_text(article, "3") == "(«Sosialt arbeid i endring», 2021, s. 3)"
    assert in_text(book) == "(Veileder for sosialtjenesten, 2021)"


def test_in_text_fallback_source_uses_title():
    note = fallback_source("mine-tanker", "Egne tanker om relasjon")
    assert in_text(note) == "(Egne tanker om relasjon)"
    assert in_text(note, "3-4") == "(Egne tanker om relasjon, s. 3–4)"
    assert in_text(note, "3", narrative=True) == "Egne tanker om relasjon (s. 3)"


def test_short_title():
    assert short_title("Bære eller briste: Kommunikasjon og relasjon") == "Bære eller briste"
    assert short_title("En veldig lang tittel uten kolon som går og går") == "En veldig lang tittel uten kolon"


def test_quote(src):
    assert quote(src["biestek1972"], "22", "  «Aksept er  en holdning» ") == (
        "«Aksept er en holdning» (Biestek, 1972, s. 22)"
    )


def test_a_quotation_of_40_words_or_more_is_a_block_with_the_citation_after_the_full_stop(src):
    # APA 7, 8.27 (Norsk APA-manual «Blokksitat»): 40 words or more: an indented block,
    # no quotation marks, the citation after the final punctuation.
    words = " ".join(f"ord{i}" for i in range(39))
    assert quote(src["biestek1972"], "22", words + ".") == f"«{words}.» (Biestek, 1972, s. 22)"
    forty = words + " slutt"
    assert quote(src["biestek1972"], "22", f"«{forty}»") == f"    {forty}. (Biestek, 1972, s. 22)"


def test_in_text_is_repeatable(src):
    """The style is cached; a second call gives the same (no ibid/subsequent state)."""
    first = in_text(src["leseth2020"], "130")
    assert in_text(src["leseth2020"], "130") == first == "(Leseth et al., 2020, s. 130)"


# --- reference entries -------------------------------------------------------------

LESETH = (
    "Leseth, A. B., Vilhena, S. & Gjersøe, H. M. (2020). Aktivitetspliktens innside og utside: "
    "Unge mottakere av sosialhjelp og deres erfaringer med aktivitetsplikt. "
    "{i}Tidsskrift for velferdsforskning{i}, {i}23{i}(2), 126–139. "
    "https://doi.org/10.18261/issn.0809-2052-2020-02-04"
)
ROKENES = (
    "Røkenes, O. H. & Hanssen, P.-H. (2012). {i}Bære eller briste: Kommunikasjon og relasjon "
    "i arbeid med mennesker{i} (3. utg.). Fagbokforlaget."
)
HANSEN = (
    "Hansen, K. (2018). Relasjonens betydning. I P. Olsen & A. Berg (Red.), "
    "{i}Sosialt arbeid i praksis{i} (s. 45–67). Universitetsforlaget."
)
KANE = (
    "Kane, A. A., Köhler-Olsen, J. & Reedtz, C. (2017). Aktivisering av unge sosialhjelpsmottakere. "
    "{i}Tidsskrift for velferdsforskning{i}, {i}20{i}(2), 117–133."
)


@pytest.mark.parametrize(("key", "template"), [
    ("leseth2020", LESETH),
    ("rokenes2012", ROKENES),
    ("hansen2018", HANSEN),
    ("kane2017", KANE),
])
@pytest.mark.parametrize(("fmt", "mark"), [("tekst", ""), ("markdown", "*")])
def test_reference_entry(src, key, template, fmt, mark):
    assert reference_entry(src[key], fmt) == template.format(i=mark)


def test_reference_entry_edited_book_and_et_al(src):
    assert reference_entry(src["redigert2015"]) == "Ørsnes, Å. & Berg, A. (Red.). (2015). Redigert bok (2. utg.). Gyldendal."
    assert reference_entry(src["stenbrenden2018"]) == "Stenbrenden, O., et al. (2018). Sterke møter. Gyldendal."
    assert reference_entry(src["utenaar"]) == "Biestek, F. P. (u.å.). Klient-sosialarbeider-relasjonen. Universitetsforlaget."


def test_reference_entry_without_author_puts_title_first():
    article = Source("a", {"id": "a", "type": "article-journal", "title": "Sosialt arbeid i endring",
                           "container-title": "Fontene", "issued": {"date-parts": [[2021]]}}, origin="x")
    assert reference_entry(article, "markdown") == "Sosialt arbeid i endring. (2021). *Fontene*."


def test_reference_list_sorted_as_apa_with_norwegian_letters(src):
    entries = reference_list(
        [src["redigert2015"], src["rokenes2012"], src["biestek1972"], src["utenaar"],
         src["leseth2020"], src["kane2017"], src["hansen2018"], src["rokenes2012"]],
        "tekst",
    )
    firsts = [e.split(" (")[0] for e in entries]
    assert firsts == [
        "Biestek, F. P.",  # u.å. before 1972
        "Biestek, F. P.",
        "Hansen, K.",
        "Kane, A. A., Köhler-Olsen, J. & Reedtz, C.",
        "Leseth, A. B., Vilhena, S. & Gjersøe, H. M.",
        "Røkenes, O. H. & Hanssen, P.-H.",
        "Ørsnes, Å. & Berg, A.",  # Ø after R
    ]
    assert "(u.å.)" in entries[0] and "(1972)" in entries[1]


def test_reference_list_bibtex_and_csl_json(src):
    bibtex = reference_list([src["hansen2018"]], "bibtex")
    assert bibtex == [
        "@incollection{hansen2018,\n"
        "  author = {Hansen, Kari},\n"
        "  editor = {Olsen, Per and Berg, Anne},\n"
        "  year = {2018},\n"
        "  title = {Relasjonens betydning},\n"
        "  booktitle = {Sosialt arbeid i praksis},\n"
        "  pages = {45--67},\n"
        "  publisher = {Universitetsforlaget}\n"
        "}"
    ]
    doc = reference_document([src["leseth2020"], src["biestek1972"]], "csl-json")
    data = json.loads(doc)
    assert [d["id"] for d in data] == ["biestek1972", "leseth2020"]
    assert data[1]["page"] == "126-139"


def test_bibtex_round_trip(src, tmp_path: Path):
    path = tmp_path / "ut.bib"
    path.write_text(reference_document(src.values(), "bibtex"), encoding="utf-8")
    again = load_bibliography([path])
    assert again.problems == ()
    assert {k: s.csl for k, s in again.sources.items()} == {k: s.csl for k, s in src.items()}


def test_unknown_format_lists_valid_ones(src):
    with pytest.raises(ValueError, match="Gyldige formater: tekst, markdown, bibtex, csl-json"):
        reference_list([src["biestek1972"]], "html")


def test_pdf_page_citations_say_so():
    src = Source(key="h", csl={"id": "h", "type": "article-journal", "title": "T", "author": [{"family": "Hansen", "given": "Kari"}], "issued": {"date-parts": [[2021]]}})
    assert in_text(src, "3", pdf_pages=True) == "(Hansen, 2021, s. 3 i PDF-en)"
    assert in_text(src, "3", narrative=True, pdf_pages=True) == "Hansen (2021, s. 3 i PDF-en)"
    assert in_text(src, "", pdf_pages=True) == "(Hansen, 2021)"


# --- issue 10: the APA rules of the Norwegian manual that were missing -------------------


def _book(key, family, year, title, kind="book", **extra):
    csl = {"type": kind, "title": title, "author": [{"family": family, "given": "Anne"}], "publisher": "Forlag"}
    if year:
        csl["issued"] = {"date-parts": [[year]]}
    return Source(key=key, csl=csl | extra)


def test_reference_list_sorts_ae_oe_aa_after_z():
    # Norsk APA-manual (Sikt), 9.44 "Rekkefølge": alfabetisk etter norsk alfabet, … x, y, z, æ, ø, å;
    # ä and ö sort as æ and ø.
    names = ["Åkerman", "Zahl", "Ödegård", "Ærø", "Yoo", "Ødegård", "Aasen"]
    entries = reference_list([_book(n.lower(), n, 2020, f"Bok av {n}") for n in names])
    assert [e.split(",")[0] for e in entries] == ["Aasen", "Yoo", "Zahl", "Ærø", "Ödegård", "Ødegård", "Åkerman"]


def test_a_title_ending_in_a_question_mark_gets_no_full_stop_after_it():
    # APA 7, 9.19 / Norsk APA-manual: «Hva er sosialt arbeid i NAV?» — no «?.».
    article = _book(
        "q", "Hansen", 2019, "Hva er sosialt arbeid i NAV?", kind="article-journal",
        **{"container-title": "Fontene forskning", "volume": "12", "issue": "1", "page": "4-15"},
    )
    assert reference_entry(article) == "Hansen, A. (2019). Hva er sosialt arbeid i NAV? Fontene forskning, 12(1), 4–15."
    book = _book("b", "Hansen", 2019, "Hvem bestemmer!")
    assert reference_entry(book) == "Hansen, A. (2019). Hvem bestemmer! Forlag."
    assert reference_entry(book, "markdown") == "Hansen, A. (2019). *Hvem bestemmer!* Forlag."


@pytest.mark.parametrize("kind", ["book", "thesis", "report"])
def test_pages_used_for_page_mapping_are_not_printed_for_a_whole_work(kind):
    # The README tells students to add `pages` so PDF pages map to printed ones; APA prints a
    # page range only for a part of a bigger work (article, chapter, proceedings paper).
    entry = reference_entry(_book("b", "Hansen", 2019, "Tittel", kind=kind, page="12-21"))
    assert "12" not in entry and "s." not in entry


def test_pages_stay_in_a_chapter_reference():
    chapter = _book(
        "c", "Hansen", 2019, "Kapittelet", kind="chapter",
        **{"container-title": "Boka", "editor": [{"family": "Berg", "given": "Per"}], "page": "12-21"},
    )
    assert reference_entry(chapter) == "Hansen, A. (2019). Kapittelet. I P. Berg (Red.), Boka (s. 12–21). Forlag."


def test_same_author_and_year_get_letters_in_title_order_and_no_date_is_u_aa():
    # APA 7, 8.19 (Norsk APA-manual «Samme forfatter, samme år»): 2020a, 2020b by title;
    # «u.å.» without a date (8.13), «u.å.-a» when there are two; undated works first (9.47).
    from litsok.cite import with_year_suffixes

    sources = with_year_suffixes([
        _book("h2", "Hansen", 2020, "Barnevern i praksis"),
        _book("h1", "Hansen", 2020, "Aktivitetsplikt"),
        _book("h3", "Hansen", 2021, "Nav"),
        _book("h4", "Hansen", None, "Udatert"),
        _book("b1", "Berg", 2020, "Alene i sitt år"),
        Source(key="h5", csl=_book("h5", "Hansen", 2020, "Annen Hansen").csl | {"author": [{"family": "Hansen", "given": "Bjørn"}]}),
    ])
    by_key = {s.key: s for s in sources}
    # Two Hansens (A. and B.) in one library: both cited with initials (APA 7, 8.20).
    assert in_text(by_key["h1"], "12") == "(A. Hansen, 2020a, s. 12)"
    assert in_text(by_key["h2"], narrative=True) == "A. Hansen (2020b)"
    assert in_text(by_key["h3"]) == "(A. Hansen, 2021)" and in_text(by_key["b1"]) == "(Berg, 2020)"
    assert in_text(by_key["h4"]) == "(A. Hansen, u.å.)"
    assert in_text(by_key["h5"]) == "(B. Hansen, 2020)"  # another Hansen: no letter
    assert reference_list(sources) == [
        "Berg, A. (2020). Alene i sitt år. Forlag.",
        "Hansen, A. (u.å.). Udatert. Forlag.",
        "Hansen, A. (2020a). Aktivitetsplikt. Forlag.",
        "Hansen, A. (2020b). Barnevern i praksis. Forlag.",
        "Hansen, A. (2021). Nav. Forlag.",
        "Hansen, B. (2020). Annen Hansen. Forlag.",
    ]


def test_an_index_with_two_works_of_one_author_and_year_cites_them_2020a_and_2020b(tmp_path):
    from litsok.config import Settings
    from litsok.library import ask, index_corpus
    from litsok.writer import references

    corpus = tmp_path / "corpus"
    (corpus / "notater").mkdir(parents=True)
    (corpus / "kilder.bib").write_text(
        "@book{nav, author = {Hansen, Anne}, title = {Nav i endring}, publisher = {Forlag}, year = {2020}}\n"
        "@book{barn, author = {Hansen, Anne}, title = {Barnevern}, publisher = {Forlag}, year = {2020}}\n",
        encoding="utf-8",
    )
    for key, text in (("nav", "Aktivitetsplikten i Nav endret veiledningen."), ("barn", "Barnevernet møter familien tidlig.")):
        (corpus / "notater" / f"{key}.md").write_text(f"---\nkilde: {key}\n---\n## s. 7\n{text}\n", encoding="utf-8")
    settings = Settings(corpus=corpus, index=tmp_path / "index", embedder="test-hash")
    index_corpus(settings)
    assert ask(settings, "aktivitetsplikten i Nav", k=1)[0].citation == "(Hansen, 2020b, s. 7)"
    assert ask(settings, "barnevernet familien", k=1)[0].citation == "(Hansen, 2020a, s. 7)"
    assert references(settings) == "Hansen, A. (2020a). Barnevern. Forlag.\n\nHansen, A. (2020b). Nav i endring. Forlag.\n"


def test_several_works_in_one_parenthesis_alphabetical_and_one_authors_years_in_date_order(src):
    # APA 7, 8.12 (Norsk APA-manual «Flere kilder i samme parentes»): alphabetical as in the
    # reference list, separated by «;»; the same author's works once, years in date order.
    from litsok.cite import in_text_many

    wassmo_06 = _book("w06", "Wassmo", 2006, "Et glass melk")
    wassmo_03 = _book("w03", "Wassmo", 2003, "Dinas bok")
    ærø = _book("ae", "Ærø", 2019, "Sist i alfabetet")
    assert in_text_many([(wassmo_06, ""), (ærø, "3"), (wassmo_03, "")]) == "(Wassmo, 2003, 2006; Ærø, 2019, s. 3)"
    assert in_text_many([(src["rokenes2012"], "180"), (src["biestek1972"], "22-23")]) == (
        "(Biestek, 1972, s. 22–23; Røkenes & Hanssen, 2012, s. 180)"
    )


@pytest.mark.parametrize("pages", ["1", "7", "29", "180", "999999", "28-29", "180-189", "10-99", "9-10", "180-81", "xii", "3-x"])
def test_page_locator_shortcut_matches_citeproc(pages: str) -> None:
    """Indexing cites thousands of pages through a shortcut (one citeproc run per
    source); every page must come out exactly as citeproc itself prints it."""
    from litsok import cite

    src = Source("r2012", {"type": "book", "title": "T", "author": [{"family": "Røkenes"}, {"family": "Hanssen"}],
                           "issued": {"date-parts": [[2012]]}})
    item = json.dumps(cite._citeproc_item(src, for_bibliography=False), sort_keys=True, ensure_ascii=False)
    direct = cite._render_citation_parts(item, cite._normalize_locator(pages))
    assert cite._citation_parts(src, cite._normalize_locator(pages)) == direct
    assert direct[2].startswith("s. ")


@pytest.mark.parametrize(
    ("dates", "circa", "cited", "entry"),
    [
        # APA 7, 9.14 (dates): a range of years; of days in one year; across years.
        ([[2011], [2012]], False, "(Berg, 2011–2012)", "Berg, A. (2011–2012). Ny tid. Avisen."),
        ([[2011, 5, 25], [2011, 5, 28]], False, "(Berg, 2011)", "Berg, A. (2011, 25.–28. mai). Ny tid. Avisen."),
        ([[2011, 5, 25], [2011, 6, 26]], False, "(Berg, 2011)", "Berg, A. (2011, 25. mai–26. juni). Ny tid. Avisen."),
        ([[2011, 5, 25], [2012, 6, 26]], True, "(Berg, ca. 2011–2012)", "Berg, A. (ca. 2011, 25. mai–2012, 26. juni). Ny tid. Avisen."),
    ],
)
def test_date_ranges_are_not_garbled(dates, circa, cited, entry):
    # Was «(ca. 2011–2012, 25. mai–, 26. juni)», or no year at all for one year.
    s = Source("berg", {"id": "berg", "type": "article-newspaper", "title": "Ny tid", "container-title": "Avisen",
                        "author": [{"family": "Berg", "given": "Anne"}], "issued": {"date-parts": dates, "circa": circa}})
    assert (in_text(s), reference_entry(s)) == (cited, entry)


def test_latex_math_is_plain_in_the_citation_and_the_entry(tmp_path):
    path = tmp_path / "kilder.bib"
    path.write_text(r"@article{a, title = {Deling av $\frac n 2$ oppgaver}, journal = {J}, year = {2020}}", encoding="utf-8")
    s = load_bibliography([path]).sources["a"]
    assert (in_text(s, "4"), reference_entry(s)) == ("(«Deling av n/2 oppgaver», 2020, s. 4)", "Deling av n/2 oppgaver. (2020). J.")


# --- sources without page numbers, secondary sources (issue 10) --------------------

DALLAND = Source("dalland2020", {"id": "dalland2020", "type": "book", "title": "Metode og oppgaveskriving",
                                 "author": [{"family": "Dalland", "given": "Olav"}], "issued": {"date-parts": [[2020]]},
                                 "publisher": "Gyldendal"})


@pytest.mark.parametrize(
    ("locator", "narrative", "expected"),
    [
        # APA 7, 8.28: no page numbers -> chapter/heading and paragraph.
        ("kap. 3, avsn. 2", False, "(Dalland, 2020, kap. 3, avsn. 2)"),
        ("kap. 3, avsn. 2", True, "Dalland (2020, kap. 3, avsn. 2)"),
        ("avsn. 4", False, "(Dalland, 2020, avsn. 4)"),
        ("kap. 3", False, "(Dalland, 2020, kap. 3)"),
    ],
)
def test_a_source_without_pages_is_cited_by_chapter_and_paragraph(locator, narrative, expected):
    assert in_text(DALLAND, locator, narrative=narrative) == expected


def test_chapter_and_paragraph_in_a_quotation_and_among_several_works(src):
    from litsok.cite import in_text_many

    assert quote(DALLAND, "kap. 3, avsn. 2", "Metode er en fremgangsmåte") == (
        "«Metode er en fremgangsmåte» (Dalland, 2020, kap. 3, avsn. 2)"
    )
    assert in_text_many([(DALLAND, "kap. 3"), (src["biestek1972"], "22")]) == "(Biestek, 1972, s. 22; Dalland, 2020, kap. 3)"


@pytest.mark.parametrize(
    ("secondary", "narrative", "expected"),
    [
        # APA 7, 8.6: the original named, "sitert i" the source read; only that is in the list.
        ("Biestek (1957)", False, "(Biestek, 1957, sitert i Røkenes & Hanssen, 2012, s. 180)"),
        ("Biestek, 1957", True, "Biestek (1957, sitert i Røkenes & Hanssen, 2012, s. 180)"),
        ("Biestek", False, "(Biestek, sitert i Røkenes & Hanssen, 2012, s. 180)"),
    ],
)
def test_a_secondary_source_is_cited_through_the_source_read(src, secondary, narrative, expected):
    assert in_text(src["rokenes2012"], "180", secondary=secondary, narrative=narrative) == expected


NOTE_DALLAND = """---
kilde: dalland2020
---
# Dalland (2020), e-bok uten sidetall

## kap. 3
Metode er en fremgangsmåte for å skaffe ny kunnskap om samfunnet.

## avsn. 2
Kvalitative metoder fanger opp mening og opplevelse som ikke lar seg tallfeste.

## kap. 4, avsn. 1 – Kildekritikk
Kildekritikk betyr å vurdere og karakterisere litteraturen som brukes.
"""
NOTE_SECONDARY = """---
kilde: rokenes2012
---
## s. 179
Hjelperen må møte klienten med respekt og åpenhet i samtalen om vanskelige tema.

## s. 180 – sitert: Biestek (1957)
Relasjonen er sjelen i sosialt arbeid, og klienten må møtes som et individ.
"""


def test_notes_with_chapter_paragraph_and_secondary_markers_give_those_citations(tmp_path):
    from litsok.config import Settings
    from litsok.ingest.notes import parse_note
    from litsok.library import ask, index_corpus
    from litsok.writer import cite_claim

    note = parse_note(NOTE_DALLAND, "notater/dalland.md", "x")
    assert [(p.label, p.heading) for p in note.pages] == [
        ("kap. 3", "Dalland (2020), e-bok uten sidetall"),
        ("kap. 3, avsn. 2", "Dalland (2020), e-bok uten sidetall"),
        ("kap. 4, avsn. 1", "Kildekritikk"),
    ]
    root = tmp_path / "korpus"
    (root / "notater").mkdir(parents=True)
    (root / "kilder.bib").write_text(BIB + "\n@book{dalland2020, author = {Dalland, Olav}, year = {2020}, "
                                     "title = {Metode og oppgaveskriving}, publisher = {Gyldendal}}\n", encoding="utf-8")
    (root / "notater" / "dalland.md").write_text(NOTE_DALLAND, encoding="utf-8")
    (root / "notater" / "rokenes.md").write_text(NOTE_SECONDARY, encoding="utf-8")
    settings = Settings(corpus=root, index=tmp_path / "indeks", embedder="test-hash")
    index_corpus(settings)
    hits = ask(settings, "Kvalitative metoder fanger opp mening og opplevelse", k=1)
    assert hits[0].citation == "(Dalland, 2020, kap. 3, avsn. 2)"
    result = cite_claim(settings, "Relasjonen er sjelen i sosialt arbeid", k=1)
    assert result.best.hit.citation == "(Biestek, 1957, sitert i Røkenes & Hanssen, 2012, s. 180)"
    assert result.citation == "«Relasjonen er sjelen i sosialt arbeid» (Biestek, 1957, sitert i Røkenes & Hanssen, 2012, s. 180)"


def test_a_secondary_marker_does_not_leak_to_other_passages_on_the_same_page(tmp_path):
    """Two notes on s. 180 of the same book, one marked `sitert: Biestek (1957)`: only that
    passage is cited «sitert i»; the other keeps the plain page citation."""
    from litsok.config import Settings
    from litsok.index import load_index
    from litsok.library import index_corpus

    root = tmp_path / "korpus"
    (root / "notater").mkdir(parents=True)
    (root / "kilder.bib").write_text(BIB, encoding="utf-8")
    (root / "notater" / "a.md").write_text("---\nkilde: rokenes2012\n---\n## s. 180\nEgen lesning av siden om empati.\n", encoding="utf-8")
    (root / "notater" / "b.md").write_text(NOTE_SECONDARY, encoding="utf-8")
    settings = Settings(corpus=root, index=tmp_path / "indeks", embedder="test-hash")
    index_corpus(settings)
    cited = {sc.chunk.text.split()[0]: sc.citation for sc in load_index(settings.index).chunks if sc.chunk.pages == "180"}
    assert cited == {
        "Egen": "(Røkenes & Hanssen, 2012, s. 180)",
        "Relasjonen": "(Biestek, 1957, sitert i Røkenes & Hanssen, 2012, s. 180)",
    }


# --- the rest of issue 10: golden strings, each with its APA 7 rule -----------------


def _s(key, **csl):
    return Source(key, {"id": key, **csl})


def test_chapter_in_an_edited_book(src):
    # APA 7, 10.3: «I B. Redaktør & C. Redaktør (Red.), *Boktittel* (s. x–y). Forlag.»
    assert reference_entry(src["hansen2018"], "markdown") == (
        "Hansen, K. (2018). Relasjonens betydning. I P. Olsen & A. Berg (Red.), *Sosialt arbeid i praksis* (s. 45–67). "
        "Universitetsforlaget."
    )


def test_narrative_og_and_parenthetical_ampersand(src):
    # APA 7, 8.17 (Norwegian APA manual): «og» in running text, «&» in parentheses.
    assert in_text(src["rokenes2012"], "180", narrative=True) == "Røkenes og Hanssen (2012, s. 180)"
    assert in_text(src["rokenes2012"], "180") == "(Røkenes & Hanssen, 2012, s. 180)"


def _authors(n):
    return [{"family": f"Navn{i}", "given": "Anne"} for i in range(1, n + 1)]


def test_up_to_twenty_authors_are_listed_and_from_21_the_first_19_an_ellipsis_and_the_last():
    # APA 7, 9.8: up to 20 authors in the reference; 21 or more: the first 19, «…», the last.
    twenty = _s("t", type="book", title="Stor studie", author=_authors(20), issued={"date-parts": [[2020]]}, publisher="F")
    many = _s("m", type="book", title="Stor studie", author=_authors(22), issued={"date-parts": [[2020]]}, publisher="F")
    listed = ", ".join(f"Navn{i}, A." for i in range(1, 20))
    assert reference_entry(twenty) == f"{listed} & Navn20, A. (2020). Stor studie. F."
    assert reference_entry(many) == f"{listed}, … Navn22, A. (2020). Stor studie. F."
    assert in_text(many, "3") == "(Navn1 et al., 2020, s. 3)"


def test_first_authors_with_one_family_name_but_different_people_get_initials():
    # APA 7, 8.20: «(K. Hansen, 2020)» and «(P.-H. Hansen & Berg, 2019)»; one person's works none.
    from litsok.cite import with_year_suffixes

    kari = _s("a", type="book", title="A", author=[{"family": "Hansen", "given": "Kari"}], issued={"date-parts": [[2020]]})
    per = _s("b", type="book", title="B", author=[{"family": "Hansen", "given": "Per-Halvard"}, {"family": "Berg", "given": "Anne"}],
             issued={"date-parts": [[2019]]})
    kari2 = _s("c", type="book", title="C", author=[{"family": "Hansen", "given": "Kari"}], issued={"date-parts": [[2021]]})
    biestek = _s("d", type="book", title="D", author=[{"family": "Biestek", "given": "Felix P."}], issued={"date-parts": [[1972]]})
    a, b, c, d = with_year_suffixes([kari, per, kari2, biestek])
    assert [in_text(x, "4") for x in (a, b, c, d)] == [
        "(K. Hansen, 2020, s. 4)", "(P.-H. Hansen & Berg, 2019, s. 4)", "(K. Hansen, 2021, s. 4)", "(Biestek, 1972, s. 4)"
    ]
    assert in_text(b, narrative=True) == "P.-H. Hansen og Berg (2019)"
    assert reference_entry(a) == "Hansen, K. (2020). A."  # the list is unchanged
    assert with_year_suffixes([kari, kari2])[0].csl == kari.csl  # one Kari Hansen: no initials


def test_conference_papers_in_proceedings_are_cited_like_a_chapter():
    # APA 7, 10.5: a paper in published proceedings: «I Redaktør (Red.), *Tittel* (s. x–y). Forlag.»
    base = dict(type="paper-conference", title="Relasjoner i Nav", author=[{"family": "Berg", "given": "Anne"}],
                issued={"date-parts": [[2019]]}, page="12-20", **{"container-title": "Nordisk konferanse i sosialt arbeid"})
    edited = _s("e", **base, editor=[{"family": "Olsen", "given": "Per"}], publisher="Universitetsforlaget")
    assert reference_entry(edited, "markdown") == (
        "Berg, A. (2019). Relasjoner i Nav. I P. Olsen (Red.), *Nordisk konferanse i sosialt arbeid* (s. 12–20). Universitetsforlaget."
    )
    assert reference_entry(_s("p", **base), "markdown") == "Berg, A. (2019). Relasjoner i Nav. I *Nordisk konferanse i sosialt arbeid* (s. 12–20)."
    assert in_text(edited, "14") == "(Berg, 2019, s. 14)"


def test_no_date_is_u_aa_in_the_text_and_the_list():
    # APA 7, 9.17: «u.å.» (uten år) for a work without a date.
    web = _s("w", type="webpage", title="Om sosialhjelp", author=[{"literal": "NAV"}], URL="https://www.nav.no/sosialhjelp")
    assert (in_text(web), reference_entry(web)) == ("(NAV, u.å.)", "NAV. (u.å.). Om sosialhjelp. https://www.nav.no/sosialhjelp")


def test_the_demo_corpus_reference_list_matches_the_golden_file(demo_index):
    from litsok.writer import references

    golden = Path(__file__).parent / "data" / "referanser_demo.txt"
    assert references(demo_index) == golden.read_text(encoding="utf-8")
