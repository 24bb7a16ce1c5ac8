"""`sjekk`: the citation parser (a pure function, with a hypothesis round trip),
claims from hard-wrapped text, source matching, and the five statuses on small
drafts (.md and .docx) made in the test."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SMALL_DRAFT
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from litsok import check
from litsok.check import (
    ANNEN_SIDE,
    IKKE_STOTTET,
    STOTTET,
    UKJENT_KILDE,
    UTEN_SIDE,
    claims,
    flatten,
    pages_overlap,
    parse_citations,
)
from litsok.errors import UnreadableFileError
from litsok.library import index_corpus, open_index
from litsok.writer import check_draft

# --------------------------------------------------------------------------- parser


@pytest.mark.parametrize(
    "text,expected",
    [
        ("(Biestek, 1972, s. 22)", [(("Biestek",), False, "1972", "22", False)]),
        ("(Biestek, 1972, s.22)", [(("Biestek",), False, "1972", "22", False)]),
        ("(Biestek 1972 s.84-85)", [(("Biestek",), False, "1972", "84–85", False)]),
        ("(Riis-Johansen et al., 2018, side 237)", [(("Riis-Johansen",), True, "2018", "237", False)]),
        ("(Røkenes & Hanssen, 2012, s. 180–181)", [(("Røkenes", "Hanssen"), False, "2012", "180–181", False)]),
        (
            "(Kane et al., 2017; Leseth et al., 2020)",
            [(("Kane",), True, "2017", "", False), (("Leseth",), True, "2020", "", False)],
        ),
        ("Biestek (1972, s. 29)", [(("Biestek",), False, "1972", "29", True)]),
        ("Leseth et al. (2020)", [(("Leseth",), True, "2020", "", True)]),
        ("Røkenes og Hanssen (2012)", [(("Røkenes", "Hanssen"), False, "2012", "", True)]),
        ("(Biestek, 1972)", [(("Biestek",), False, "1972", "", False)]),
        ("(Leseth, Vilhena & Gjersøe, 2020, s. 133)", [(("Leseth", "Vilhena", "Gjersøe"), False, "2020", "133", False)]),
        ("(Støren, 2013, s 39)", [(("Støren",), False, "2013", "39", False)]),
        ("(Fellesorganisasjonen, 2019-2023, s.8-9)", [(("Fellesorganisasjonen",), False, "2019–2023", "8–9", False)]),
        ("(Kane mfl., 2017, s. 125)", [(("Kane",), True, "2017", "125", False)]),
        ("(se Biestek, 1972, s. 22)", [(("Biestek",), False, "1972", "22", False)]),
        ("til hjelp (1972, s.29).", [((), False, "1972", "29", False)]),
        ("for relasjonen (2012, s.180- 181).", [((), False, "2012", "180–181", False)]),
        ("I Stenbrenden et al. (2018) kommer det frem", [(("Stenbrenden",), True, "2018", "", True)]),
        # not citations
        ("Meld. St. 33 (2015–2016) sier", []),
        ("en parentes (med 2019 inni) her", []),
        ("(s. 22)", []),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_parser_reads_every_form(text, expected):
    got = [(c.authors, c.et_al, c.year, c.pages, c.narrative) for c in parse_citations(text)]
    assert got == expected


def test_parser_keeps_the_citation_as_written_and_its_span():
    text = "Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s.22). Leseth et al. (2020) er uenig."
    a, b = parse_citations(text)
    assert (a.text, text[a.start : a.end]) == ("(Biestek, 1972, s.22)", "(Biestek, 1972, s.22)")
    assert (b.text, text[b.start : b.end]) == ("Leseth et al. (2020)", "Leseth et al. (2020)")


_NAME = st.from_regex(r"[A-ZÆØÅ][a-zæøå]{2,9}(-[A-ZÆØÅ][a-zæøå]{2,9})?", fullmatch=True)


@st.composite
def written_citations(draw):
    """A citation as a student might write it, and what the parser should read."""
    authors = draw(st.lists(_NAME, min_size=1, max_size=3, unique=True))
    et_al = draw(st.booleans())
    if et_al:
        authors = authors[:1]
    year = str(draw(st.integers(1900, 2030))) + draw(st.sampled_from(["", "", "a"]))
    first = draw(st.integers(1, 999))
    kind = draw(st.sampled_from(["none", "one", "range"]))
    last = first + draw(st.integers(1, 20))
    prefix = draw(st.sampled_from(["s. ", "s.", "s ", "side ", "sider "]))
    dash = draw(st.sampled_from(["-", "–", "- ", " – "]))
    pages_written = {"none": "", "one": f"{first}", "range": f"{first}{dash}{last}"}[kind]
    pages = {"none": "", "one": f"{first}", "range": f"{first}–{last}"}[kind]
    narrative = draw(st.booleans())
    join = " og " if narrative else draw(st.sampled_from([" & ", " og "]))
    names = authors[0] if len(authors) == 1 else ", ".join(authors[:-1]) + join + authors[-1]
    names += " et al." if et_al else ""
    loc = f"{prefix}{pages_written}" if pages_written else ""
    if narrative:
        inner = year + (f", {loc}" if loc else "")
        text = f"{names} ({inner})"
    else:
        sep = draw(st.sampled_from([", ", " "]))
        text = "(" + names + sep + year + (sep + loc if loc else "") + ")"
    return text, (tuple(authors), et_al, year, pages, narrative)


@hsettings(max_examples=300, deadline=None)
@given(written_citations(), st.sampled_from(["Dette er viktig {c}. Neste setning.", "Som {c} skriver, er det slik.", "{c}"]))
def test_generated_citations_round_trip_through_the_parser(case, frame):
    text_written, expected = case
    text = frame.format(c=text_written)
    found = parse_citations(text)
    assert len(found) == 1, (text, found)
    c = found[0]
    assert (c.authors, c.et_al, c.year, c.pages, c.narrative) == expected
    assert c.text == text_written and text[c.start : c.end] == text_written


@pytest.mark.parametrize(
    "cited,first,last,overlaps",
    [
        ("28", "28–29", "28–29", True),
        ("29", "28–29", "28–29", True),
        ("30", "28–29", "28–29", False),
        ("84–85", "84–85", "84–85", True),
        ("85–90", "84", "85", True),
        ("22", "22", "22", True),
        ("23", "22", "22", False),
        ("xii", "xii", "xii", True),
    ],
)
def test_pages_overlap(cited, first, last, overlaps):
    assert pages_overlap(cited, first, last) is overlaps


# --------------------------------------------------------------------------- claims

WRAPPED = """1.2 Sosialfaglig relevans

I yrker som tannlege og dommere kan en god relasjon være ønskelig, men den er ikke

nødvendig for utførelsen av arbeidet (Biestek, 1972,

s.22). Riis-Johansen et al. (2018) trekker frem væremåten. I Stenbrenden et al.

(2018) kommer det frem at omsorg betyr mye.
"""


def test_claims_from_hard_wrapped_text_keep_offsets_and_drop_the_citations():
    text = flatten(WRAPPED)
    assert len(text) == len(WRAPPED)
    cits = parse_citations(text)
    assert [c.text for c in cits] == ["(Biestek, 1972, s.22)", "Riis-Johansen et al. (2018)", "Stenbrenden et al. (2018)"]
    got = [claim for claim, _ in claims(text, cits)]
    assert got == [
        "I yrker som tannlege og dommere kan en god relasjon være ønskelig, men den er ikke nødvendig for "
        "utførelsen av arbeidet.",
        "trekker frem væremåten.",
        "I kommer det frem at omsorg betyr mye.",
    ]


# --------------------------------------------------------------------------- checking drafts

DRAFT = SMALL_DRAFT

EXPECTED = [
    ("(Biestek, 1972, s. 22)", STOTTET, ""),
    ("(Røkenes & Hanssen, 2012, s. 180)", ANNEN_SIDE, "(Røkenes & Hanssen, 2012, s. 181)"),
    ("(Hansen, 2021, s. 4)", UKJENT_KILDE, ""),
    ("(Biestek, 1972, s. 22)", IKKE_STOTTET, ""),
    ("Leseth et al. (2020)", UTEN_SIDE, "Leseth et al. (2020, s. 133)"),
]


def _docx(path: Path, text: str) -> Path:
    import docx

    document = docx.Document()
    for para in text.split("\n\n"):
        document.add_paragraph(para.strip().lstrip("# "))
    document.save(str(path))
    return path


@pytest.fixture
def indexed(settings):
    index_corpus(settings)
    return settings


@pytest.mark.parametrize("suffix", [".md", ".docx"])
def test_each_citation_gets_its_status(indexed, tmp_path, suffix):
    path = tmp_path / f"utkast{suffix}"
    if suffix == ".docx":
        _docx(path, DRAFT)
    else:
        path.write_text(DRAFT, encoding="utf-8")
    report = check_draft(indexed, path)
    assert [(c.citation.text, c.status, c.suggestion) for c in report.checks] == EXPECTED
    assert report.summary() == (
        "5 kildehenvisninger: 1 støttet, 1 annen_side, 1 uten_side, 1 ikke_støttet, 1 ukjent_kilde."
    )
    unit = "avsnitt" if suffix == ".docx" else "linje"
    assert report.checks[0].location == (f"{unit} 2" if suffix == ".docx" else f"{unit} 3")


def test_same_source_and_page_is_checked_against_the_chunk_that_spans_it(indexed, tmp_path):
    path = tmp_path / "utkast.txt"
    path.write_text(
        "Aksept betyr at sosialarbeideren tar imot klienten slik hun er (Biestek, 1972, s. 29).\n", encoding="utf-8"
    )
    (only,) = check_draft(indexed, path).checks
    assert only.status == STOTTET and only.best is not None and only.best.hit.chunk.pages == "28–29"


def test_et_al_matches_the_first_author_and_a_wrong_year_is_named(indexed):
    known = check.known_sources(open_index(indexed))
    (c,) = parse_citations("(Leseth et al., 2020)")
    assert check.match_source(c, "", known) == ("leseth2020", "")
    (c,) = parse_citations("(Leseth et al., 2017)")
    assert check.match_source(c, "", known) == (None, "korpuset har Leseth med år 2020, ikke 2017")
    (c,) = parse_citations("(Hanssen & Røkenes, 2012)")  # not the first author: not this source
    assert check.match_source(c, "", known) == (None, "")
    (c,) = parse_citations("(1972, s. 29)")
    assert check.match_source(c, "Dette mener Biestek er viktig ", known) == ("biestek1972", "")


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("finnes-ikke.md", None, "utkastet finnes ikke"),
        ("utkast.pdf", b"%PDF-1.4", "litsok kan ikke lese «.pdf» som utkast"),
        ("skadet.docx", b"ikke en zip", "filen kan ikke leses som Word-dokument"),
    ],
)
def test_unreadable_drafts_fail_in_norwegian(indexed, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnreadableFileError) as err:
        check_draft(indexed, path)
    assert message in err.value.message and str(path) in err.value.message


def test_chapter_and_paragraph_citations_are_read_and_checked_against_the_notes_sections(tmp_path):
    # APA 7, 8.28: a source without page numbers is cited by chapter and paragraph.
    from test_cite import NOTE_DALLAND

    from litsok.config import Settings

    assert [(c.pages, c.narrative) for c in parse_citations("(Dalland, 2020, kap. 3, avsn. 2) og Dalland (2020, kapittel 4)")] == [
        ("kap. 3, avsn. 2", False), ("kap. 4", True)
    ]
    root = tmp_path / "korpus"
    (root / "notater").mkdir(parents=True)
    (root / "kilder.bib").write_text(
        "@book{dalland2020, author = {Dalland, Olav}, year = {2020}, title = {Metode og oppgaveskriving}, publisher = {Gyldendal}}\n",
        encoding="utf-8",
    )
    (root / "notater" / "dalland.md").write_text(NOTE_DALLAND, encoding="utf-8")
    settings = Settings(corpus=root, index=tmp_path / "indeks", embedder="test-hash")
    index_corpus(settings)
    draft = tmp_path / "utkast.md"
    draft.write_text(
        "Kvalitative metoder fanger opp mening og opplevelse som ikke lar seg tallfeste (Dalland, 2020, kap. 3, avsn. 2).\n\n"
        "Kildekritikk betyr å vurdere og karakterisere litteraturen som brukes (Dalland, 2020, kap. 3).\n",
        encoding="utf-8",
    )
    report = check_draft(settings, draft)
    assert [(c.status, c.suggestion) for c in report.checks] == [
        (STOTTET, ""),
        (ANNEN_SIDE, "(Dalland, 2020, kap. 4, avsn. 1)"),
    ]
