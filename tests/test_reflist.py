"""`sjekk` on the draft's own reference list (`reflist`): reading the list from .md, .txt
and .docx, cross-checking it with the citations before it, the style rules in the
text, and the report on the seed thesis with a list written for it (tests/data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litsok.check import read_draft
from litsok.cli import app
from litsok.library import index_corpus
from litsok.reflist import (
    BLANDET_ET_AL,
    FEIL_AAR,
    IKKE_SITERT,
    INGEN_LISTE,
    MANGLER,
    MANGLER_FELT,
    OG_I_PARENTES,
    OG_TEGN,
    SITAT_UTEN_SIDE,
    STAVEMAATE,
    check_reference_list,
    parse_entry,
    read_reference_list,
)

DATA = Path(__file__).parent / "data"
runner = CliRunner()

LIST = """
## Litteratur

Biestek, F. P. (1972). *Klient-sosialarbeider-relasjonen*. Universitetsforlaget.

- Leseth, A. B., Vilhena, S. & Gjersøe, H. M. (2020). Aktivitetspliktens innside og utside.
  *Tidsskrift for velferdsforskning, 23*(2), 126–139.

Røkenes, O. H. & Hanssen, P.-H. (2012). *Bære eller briste* (3. utg.). Fagbokforlaget.
"""


def _report(tmp_path, body: str, suffix: str = ".md", name: str = "utkast"):
    path = tmp_path / f"{name}{suffix}"
    path.write_text(body, encoding="utf-8")
    return check_reference_list(read_draft(path))


def _kinds(report):
    return [(f.kind, f.location, f.text) for f in report.findings]


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize(
    "entry,families,year",
    [
        ("Røkenes, O. H. & Hanssen, P.-H. (2012). Bære eller briste. Fagbokforlaget.", ("Røkenes", "Hanssen"), "2012"),
        ("Røkenes, O. H., & Hanssen, P.-H. (2012). Bære eller briste.", ("Røkenes", "Hanssen"), "2012"),
        ("Askheim, O. P. og Starrin, B. (Red.). (2007). Empowerment.", ("Askheim", "Starrin"), "2007"),
        ("Ørsnes, Å. (Red.). (2015). Tittel (2. utg.).", ("Ørsnes",), "2015"),
        ("Fellesorganisasjonen. (2019–2023). Yrkesetisk grunnlagsdokument.", ("Fellesorganisasjonen",), "2019–2023"),
        ("Helse- og omsorgsdepartementet. (2020). Lov om ...", ("Helse- og omsorgsdepartementet",), "2020"),
        ("Hansen, K. (2020b). Relasjoner.", ("Hansen",), "2020b"),
        ("Hansen, K. (u.å.). Relasjoner.", ("Hansen",), "u.å."),
        ("van der Berg, A. (2019, 25. mai). Tittel. Avisen.", ("van der Berg",), "2019"),
    ],
)
def test_an_entry_gives_its_family_names_and_year(entry, families, year):
    assert parse_entry(entry) == (families, year)


@pytest.mark.parametrize("heading", ["## Litteratur", "Litteraturliste", "**Referanser**", "7. KILDER", "# Kildeliste"])
def test_the_list_is_found_under_any_usual_heading_and_wrapped_entries_are_joined(tmp_path, heading):
    path = tmp_path / "utkast.md"
    path.write_text("Tekst (Biestek, 1972, s. 22).\n\n" + LIST.replace("## Litteratur", heading), encoding="utf-8")
    head, where, entries = read_reference_list(read_draft(path))
    assert head == heading.strip("#* ") and where == "linje 4"
    assert [e.families[0] for e in entries] == ["Biestek", "Leseth", "Røkenes"]
    assert entries[1].text == (
        "Leseth, A. B., Vilhena, S. & Gjersøe, H. M. (2020). Aktivitetspliktens innside og utside. "
        "*Tidsskrift for velferdsforskning, 23*(2), 126–139."
    )
    assert entries[1].location == "linje 8"


def test_a_docx_reference_list_is_read_paragraph_by_paragraph(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s. 22).")
    document.add_heading("Litteraturliste", level=1)
    document.add_paragraph("Biestek, F. P. (1972). Klient-sosialarbeider-relasjonen. Universitetsforlaget.")
    document.add_paragraph("Dalland, O. (2020). Metode og oppgaveskriving (7. utg.). Gyldendal.")
    path = tmp_path / "utkast.docx"
    document.save(str(path))
    report = check_reference_list(read_draft(path))
    assert (report.heading, report.location, len(report.entries)) == ("Litteraturliste", "avsnitt 2", 2)
    assert _kinds(report) == [(IKKE_SITERT, "avsnitt 4", "Dalland, O. (2020). Metode og oppgaveskriving (7. utg.). Gyldendal.")]


def test_a_heading_named_kilder_inside_the_text_is_no_list(tmp_path):
    report = _report(tmp_path, "# 3.2 Kilder\n\nJeg brukte bøker (Biestek, 1972, s. 22).\n")
    assert report.heading == ""
    assert [f.kind for f in report.findings] == [INGEN_LISTE]


# --------------------------------------------------------------------------- cross-checking


def test_a_citation_without_entry_and_a_wrong_year(tmp_path):
    # APA 7, 8.4: every citation has an entry and every entry is cited.
    body = (
        "Relasjonen er sjelen (Biestek, 1972, s. 22). Leseth et al. (2017) fant det samme.\n"
        "Metode er viktig (Dalland, 2020, s. 54). Metode igjen (Dalland, 2020, s. 56).\n"
        "Væremåte betyr noe (Røkenes & Hansen, 2012, s. 180).\n"
    )
    report = _report(tmp_path, body + LIST)
    assert [(f.kind, f.location, f.text, f.message, f.suggestion) for f in report.findings] == [
        (
            FEIL_AAR, "linje 1", "Leseth et al. (2017)",
            "Teksten har Leseth et al. (2017), litteraturlisten har Leseth (2020) (linje 9). Rett det som er feil.",
            "Leseth et al. (2020)",
        ),
        (
            MANGLER, "linje 2", "(Dalland, 2020, s. 54)",
            "(Dalland, 2020, s. 54) (2 henvisninger) har ingen oppføring i litteraturlisten. "
            "Legg den til i litteraturlisten, eller rett henvisningen.",
            "",
        ),
    ]  # fmt: skip
    assert report.findings[1].locations == ("linje 2", "linje 2")
    # Hansen vs Hanssen is the second author: matched by the first (Røkenes), no finding.


def test_a_family_name_two_letters_off_is_a_spelling_mismatch(tmp_path):
    body = "Deltakelse betyr noe (Riis-Johansen et al., 2018, s. 230). Igjen Riis- Johansen et al. (2018).\n"
    listed = "\n# Referanser\n\nRiis-Johanssen, M. S. (2018). Interaksjon med brukere i Nav.\n"
    (finding,) = _report(tmp_path, body + listed).findings
    assert (finding.kind, finding.text, finding.suggestion) == (
        STAVEMAATE, "(Riis-Johansen et al., 2018, s. 230)", "(Riis-Johanssen et al., 2018, s. 230)"
    )
    assert finding.message == (
        "Teksten skriver «Riis-Johansen» (2 henvisninger), litteraturlisten «Riis-Johanssen» (linje 5). Rett den som er feil."
    )


def test_names_match_without_case_and_accents_and_a_year_only_citation_takes_the_author_before_it(tmp_path):
    body = "STENBRENDÉN et al. (2018) skriver om møter. Hun legger til at de er sterke (2018, s. 160).\n"
    listed = "\n# Litteratur\n\nStenbrenden, S. (2018). Sterke møter.\n\nBiestek, F. P. (1972). Tittel.\n"
    assert _kinds(_report(tmp_path, body + listed)) == [(IKKE_SITERT, "linje 7", "Biestek, F. P. (1972). Tittel.")]


def test_a_work_named_with_its_year_but_not_as_a_citation_is_not_uncited(tmp_path):
    body = "Stortingsmeldingen (Meld. St.33 (2015-2016)) legger frem målene.\n"
    listed = "\n# Litteratur\n\nMeld. St. 33 (2015–2016). NAV i en ny tid. Arbeids- og sosialdepartementet.\n"
    assert _report(tmp_path, body + listed).findings == ()


def test_the_reference_list_is_not_checked_as_text(tmp_path):
    listed = "\n# Litteratur\n\nRøkenes & Hanssen (2012). Bære eller briste.\n"  # a slip in the list itself
    report = _report(tmp_path, "Tekst (Røkenes & Hanssen, 2012, s. 180).\n" + listed)
    assert [f.kind for f in report.findings] == []


# --------------------------------------------------------------------------- style in the text


def test_ampersand_in_running_text_and_og_in_parentheses(tmp_path):
    # APA 7, 8.17; Norwegian APA manual: «og» in running text, «&» in parentheses.
    body = "Røkenes & Hanssen (2012, s. 180) skriver om det. Det er viktig (Røkenes og Hanssen, 2012, s. 181).\n"
    report = _report(tmp_path, body + LIST)
    assert [(f.kind, f.text, f.suggestion) for f in report.findings if f.kind != IKKE_SITERT] == [
        (OG_TEGN, "Røkenes & Hanssen (2012, s. 180)", "Røkenes og Hanssen (2012, s. 180)"),
        (OG_I_PARENTES, "(Røkenes og Hanssen, 2012, s. 181)", "(Røkenes & Hanssen, 2012, s. 181)"),
    ]


def test_et_al_and_mfl_mixed_in_one_draft(tmp_path):
    # Norwegian APA manual: «et al.» or «mfl.», one of them throughout.
    body = "A (Leseth et al., 2020, s. 1). B (Leseth et al., 2020, s. 2). C (Leseth mfl., 2020, s. 3).\n"
    findings = [f for f in _report(tmp_path, body + LIST).findings if f.kind == BLANDET_ET_AL]
    assert [(f.text, f.suggestion, f.message) for f in findings] == [
        (
            "(Leseth mfl., 2020, s. 3)", "(Leseth et al., 2020, s. 3)",
            "Utkastet bruker både «et al.» (2 ganger) og «mfl.» (1 gang). Bruk én form gjennom hele teksten, f.eks. «et al.».",
        )
    ]  # fmt: skip


def test_a_direct_quotation_without_a_page_is_flagged(tmp_path):
    # APA 7, 8.25: a direct quotation always has a page (or another locator).
    body = (
        "«Relasjonen er sjelen i sosialt arbeid» (Biestek, 1972). "
        "Biestek (1972) skriver «en tannlege trenger ikke en god relasjon». "
        "«Dette står på siden» (Biestek, 1972, s. 22). "
        "Leseth et al. (2020) skriver: «Unge mottakere opplevde aktivitetsplikten» (s. 133). "
        "Søkeordene var «relasjon nav bruker veileder».\n\n"
        "> Et blokksitat som går over flere linjer\n> og slutter uten side (Røkenes & Hanssen, 2012).\n"
    )
    report = _report(tmp_path, body + LIST)
    assert [(f.kind, f.location, f.text, f.message) for f in report.findings] == [
        (
            SITAT_UTEN_SIDE, "linje 1", "«Relasjonen er sjelen i sosialt arbeid»",
            "Henvisningen (Biestek, 1972) mangler side: et direkte sitat skal ha sidetall (APA 7, 8.25).",
        ),
        (
            SITAT_UTEN_SIDE, "linje 1", "«en tannlege trenger ikke en god relasjon»",
            "Henvisningen Biestek (1972) mangler side: et direkte sitat skal ha sidetall (APA 7, 8.25).",
        ),
        (
            SITAT_UTEN_SIDE, "linje 3", "> Et blokksitat som går over flere linjer > og slutter uten …",
            "Henvisningen (Røkenes & Hanssen, 2012) mangler side: et direkte sitat skal ha sidetall (APA 7, 8.25).",
        ),
    ]  # fmt: skip


# --------------------------------------------------------------------------- through `sjekk` and the index


@pytest.fixture
def indexed(settings):
    index_corpus(settings)
    return settings


def _args(settings, *extra):
    return [*extra, "--korpus", str(settings.corpus), "--indeks", str(settings.index)]


def test_sjekk_suggests_the_entry_to_add_from_the_index_and_names_missing_fields(indexed, tmp_path):
    bib = indexed.corpus / "kilder.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("  publisher = {Universitetsforlaget},\n", ""), encoding="utf-8")
    index_corpus(indexed)
    draft = tmp_path / "utkast.md"
    draft.write_text("Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s. 22).\n\n# Litteratur\n\nHansen, K. (2021). Tittel.\n")
    res = runner.invoke(app, _args(indexed, "sjekk", str(draft), "--json"))
    assert res.exit_code == 0, res.output
    listed = json.loads(res.stdout)["litteraturliste"]
    assert listed["overskrift"] == "Litteratur" and listed["oppføringer"][0]["kilde"] is None
    assert [(m["type"], m["forslag"]) for m in listed["merknader"]] == [
        (MANGLER, "Biestek, F. P. (1972). Klient-sosialarbeider-relasjonen."),
        (MANGLER_FELT, ""),
        (IKKE_SITERT, ""),
    ]
    assert listed["merknader"][0]["merknad"].endswith("Legg til: Biestek, F. P. (1972). Klient-sosialarbeider-relasjonen.")
    assert listed["merknader"][1]["merknad"].startswith("Kilden «biestek1972» mangler forlag i bibliografien")
    text = runner.invoke(app, _args(indexed, "sjekk", str(draft))).stdout
    assert "mangler_i_listen  linje 1      (Biestek, 1972, s. 22)  → Biestek, F. P. (1972). Klient-sosialarbeider-relasjonen." in text
    assert text.rstrip().splitlines()[-2:] == [
        "Litteraturliste: «Litteratur» (linje 3), 1 oppføring; 3 merknader.",
        "1 kildehenvisning: 1 støttet, 0 annen_side, 0 uten_side, 0 ikke_støttet, 0 ukjent_kilde.",
    ]


SEED_FINDINGS = [
    (MANGLER, "linje 205", "(Chudasama, 2017, s.130)", ""),
    (FEIL_AAR, "linje 240", "(Solstad, 2018, s.146)", "(Solstad, 2019, s.146)"),
    (OG_TEGN, "linje 269", "Røkenes & Hanssen (2012)", "Røkenes og Hanssen (2012)"),
    (STAVEMAATE, "linje 788", "(Riis- Johansen et al., 2018, s. 227-240)", "(Riis-Johanssen et al., 2018, s. 227-240)"),
    (FEIL_AAR, "linje 2084", "Leseth et al. (2017)", "Leseth et al. (2020)"),
    (FEIL_AAR, "linje 2198", "Kane et al. (2018)", "Kane et al. (2017)"),
    (IKKE_SITERT, "linje 2581", "Askheim, O. P. & Starrin, B. (Red.). (2007). Empowerment i teori og praksis. Gyldendal Akademisk.", ""),
]


def test_the_seed_thesis_with_its_reference_list_gets_every_slip_and_nothing_else():
    """tests/data/seed_utkast.txt: the seed thesis (../shared/seeds/000_…), with «Røkenes
    og Hanssen sine» made «Røkenes & Hanssen (2012) sine», and a reference list written
    for it with slips: Chudasama missing, Solstad's year wrong (2019), Riis-Johanssen
    misspelt, Askheim & Starrin never cited. The thesis itself has Leseth et al. (2017)
    and Kane et al. (2018) for works it cites as 2020 and 2017 everywhere else."""
    report = check_reference_list(read_draft(DATA / "seed_utkast.txt"))
    assert (report.heading, report.location, len(report.entries)) == ("7. LITTERATURLISTE", "linje 2579", 14)
    assert [(f.kind, f.location, f.text, f.suggestion) for f in report.findings] == SEED_FINDINGS
