"""The writer's commands: `siter`, `sjekk`, `referanser` (and the English aliases)."""

from __future__ import annotations

import json

import pytest
from conftest import SMALL_DRAFT
from typer.testing import CliRunner

from litsok.cli import app
from litsok.library import index_corpus

runner = CliRunner()

DRAFT = SMALL_DRAFT


def _args(settings, *extra):
    return [*extra, "--korpus", str(settings.corpus), "--indeks", str(settings.index)]


@pytest.fixture
def indexed(settings):
    index_corpus(settings)
    return settings


def test_siter_gives_the_quotation_to_paste(indexed):
    res = runner.invoke(
        app, _args(indexed, "siter", "Hjelpere vet at håndtrykk, blikk og vennlighet påvirker relasjonen mellom dem.", "-k", "2")
    )
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "Lim inn: «håndtrykk, blikk og vennlighet påvirker relasjonen» (Røkenes & Hanssen, 2012, s. 180)"
    assert lines[1].startswith("Sitat: påstanden gjengir kildens ordlyd (6 ord på rad).")
    assert lines[3].startswith("1. (Røkenes & Hanssen, 2012, s. 180)  støtte 0.")
    assert lines[4] == "   «Væremåte handler om hvordan hjelperen fremstår: håndtrykk, blikk og vennlighet påvirker relasjonen.»"
    assert lines[5].startswith("2. ")


def test_siter_says_when_nothing_supports_the_claim(indexed):
    res = runner.invoke(app, _args(indexed, "siter", "Fotosyntesen skjer i kloroplastene.", "-k", "1"))
    assert res.exit_code == 0
    assert res.stdout.startswith("Ingen kilde i indeksen støtter påstanden godt nok (beste støtte 0.00, terskel 0.40).")
    assert "Lim inn" not in res.stdout


def test_siter_json(indexed):
    res = runner.invoke(app, _args(indexed, "cite", "Empati er evnen til å sette seg inn i klientens opplevelse.", "--json"))
    data = json.loads(res.stdout)
    assert data["støttet"] is True and data["sitat"] is True
    top = data["treff"][0]
    assert (top["kilde"], top["sider"], top["henvisning"]) == ("rokenes2012", "181", "(Røkenes & Hanssen, 2012, s. 181)")
    assert data["lim_inn"] == "«Empati er evnen til å sette seg inn i klientens opplevelse» (Røkenes & Hanssen, 2012, s. 181)"
    assert 0 <= top["støtte"] <= 1 and top["setning"] in top["tekst"]


def test_sjekk_prints_one_line_per_citation_and_a_summary(indexed, tmp_path):
    draft = tmp_path / "utkast.md"
    draft.write_text(DRAFT, encoding="utf-8")
    res = runner.invoke(app, _args(indexed, "sjekk", str(draft)))
    assert res.exit_code == 0, res.output
    lines = [line for line in res.stdout.splitlines() if line and not line.startswith(" ")]
    assert lines == [
        "støttet       linje 3      (Biestek, 1972, s. 22)",
        "annen_side    linje 5      (Røkenes & Hanssen, 2012, s. 180)  → (Røkenes & Hanssen, 2012, s. 181)",
        "ukjent_kilde  linje 7      (Hansen, 2021, s. 4)",
        "ikke_støttet  linje 9      (Biestek, 1972, s. 22)",
        "uten_side     linje 11     Leseth et al. (2020)  → Leseth et al. (2020, s. 133)",
        "5 kildehenvisninger: 1 støttet, 1 annen_side, 1 uten_side, 1 ikke_støttet, 1 ukjent_kilde.",
    ]
    assert "              S. 181 støtter setningen bedre (støtte 0." in res.stdout


def test_sjekk_json_and_a_wrong_year(indexed, tmp_path):
    draft = tmp_path / "utkast.txt"
    draft.write_text("Unge opplevde aktivitetsplikten som meningsløs (Leseth et al., 2017, s. 133).\n", encoding="utf-8")
    res = runner.invoke(app, _args(indexed, "check", str(draft), "--json"))
    data = json.loads(res.stdout)
    (only,) = data["henvisninger"]
    assert only["status"] == "ukjent_kilde" and only["forslag"] == "(Leseth et al., 2020, s. 133)"
    assert only["merknad"] == "Korpuset har Leseth med år 2020, ikke 2017: mente du (Leseth et al., 2020, s. 133)?"
    assert data["oppsummering"]["ukjent_kilde"] == 1


def test_sjekk_missing_draft_is_one_norwegian_line(indexed, tmp_path):
    res = runner.invoke(app, _args(indexed, "sjekk", str(tmp_path / "borte.docx")))
    assert res.exit_code == 1
    assert res.stderr.strip() == f"Feil: {tmp_path / 'borte.docx'}: utkastet finnes ikke. Sjekk stien og prøv igjen."


REF_BIESTEK = "Biestek, F. P. (1972). Klient-sosialarbeider-relasjonen. Universitetsforlaget."
REF_ROKENES = (
    "Røkenes, O. H. & Hanssen, P.-H. (2012). Bære eller briste: Kommunikasjon og relasjon i arbeid med mennesker "
    "(3. utg.). Fagbokforlaget."
)
REF_LESETH = (
    "Leseth, A. B., Vilhena, S. & Gjersøe, H. M. (2020). Aktivitetspliktens innside og utside: Unge mottakere av "
    "sosialhjelp og deres erfaringer med aktivitetsplikt. Tidsskrift for velferdsforskning, 23(2), 126–139. "
    "https://doi.org/10.18261/issn.0809-2052-2020-02-04"
)


def test_referanser_lists_the_demo_corpus_in_apa_order(demo_index):
    res = runner.invoke(app, _args(demo_index, "referanser"))
    assert res.exit_code == 0, res.output
    entries = res.stdout.strip().split("\n\n")
    assert entries[0] == REF_BIESTEK
    assert REF_LESETH in entries and REF_ROKENES in entries
    assert entries.index(REF_LESETH) < entries.index(REF_ROKENES)
    assert not any(e.startswith("Egne tanker") for e in entries)  # own notes are not references


def test_referanser_from_a_draft_only_the_cited_sources(demo_index, tmp_path):
    draft = tmp_path / "utkast.md"
    draft.write_text(
        "Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s. 22). Røkenes og Hanssen (2012) skriver om empati. "
        "Dette sier også Dalland (2020, s. 54).\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, _args(demo_index, "references", "--fra", str(draft)))
    assert res.stdout == f"{REF_BIESTEK}\n\n{REF_ROKENES}\n"


def test_referanser_json_gives_each_entry_with_its_key(demo_index, tmp_path):
    draft = tmp_path / "utkast.md"
    draft.write_text("Sjelen i sosialt arbeid (Biestek, 1972, s. 22), og empati (Røkenes & Hanssen, 2012).\n", encoding="utf-8")
    res = runner.invoke(app, _args(demo_index, "referanser", "--json", "--fra", str(draft)))
    assert res.exit_code == 0, res.output
    items = json.loads(res.stdout)
    assert [i["nøkkel"] for i in items] == ["biestek1972", "rokenes2012"]
    assert items[0]["referanse"] == REF_BIESTEK and items[1]["referanse"] == REF_ROKENES
    assert items[0]["markdown"].startswith("Biestek, F. P. (1972). *Klient-sosialarbeider-relasjonen*.")
    assert items[0]["csl"]["id"] == "biestek1972" and items[0]["csl"]["type"] == "book"


@pytest.mark.parametrize(
    "fmt,start",
    [("markdown", "Biestek, F. P. (1972). *Klient-sosialarbeider-relasjonen*."), ("bibtex", "@book{biestek1972,")],
)
def test_referanser_formats(demo_index, fmt, start):
    res = runner.invoke(app, _args(demo_index, "referanser", "--format", fmt))
    assert res.exit_code == 0 and res.stdout.startswith(start)


def test_referanser_csl_json_and_unknown_format(demo_index):
    res = runner.invoke(app, _args(demo_index, "referanser", "--format", "csl-json"))
    ids = [item["id"] for item in json.loads(res.stdout)]
    assert ids[0] == "biestek1972" and "notat:mine-tanker" not in ids
    res = runner.invoke(app, _args(demo_index, "referanser", "--format", "word"))
    assert res.exit_code == 1
    assert res.stderr.strip() == "Feil: Ukjent format «word». Gyldige formater: tekst, markdown, bibtex, csl-json."


def test_siter_suggests_a_block_quotation_for_40_words_or_more(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "notater").mkdir(parents=True)
    (corpus / "kilder.bib").write_text(
        "@book{hansen2020, author = {Hansen, Anne}, title = {Nav i endring}, publisher = {Forlag}, year = {2020}}\n",
        encoding="utf-8",
    )
    long = (
        "Veilederen i Nav må balansere kontroll og hjelp i hver samtale, for den som søker sosialhjelp opplever "
        "aktivitetsplikten både som en mulighet til å komme i arbeid og som en mistillit fra systemet, og det er i "
        "møtet mellom disse to erfaringene at relasjonen mellom veileder og bruker avgjøres for lang tid framover"
    )
    assert len(long.split()) >= 40
    (corpus / "notater" / "hansen.md").write_text(
        f"---\nkilde: hansen2020\n---\n## s. 41\n{long}.\n\nEt annet avsnitt om noe helt annet.\n", encoding="utf-8"
    )
    args = ["--korpus", str(corpus), "--indeks", str(tmp_path / "index")]
    assert runner.invoke(app, ["indekser", "--modell", "test-hash", *args]).exit_code == 0
    res = runner.invoke(app, ["siter", long, "-k", "1", *args])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("Lim inn (blokksitat")
    assert lines[1] == f"    {long}. (Hansen, 2020, s. 41)"
    assert "som blokksitat (40 ord eller mer)" in res.stdout
