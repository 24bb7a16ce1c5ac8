import json

import pytest
from typer.testing import CliRunner

from litsok.cli import USAGE_EXIT, app

runner = CliRunner()


def _args(settings, *extra):
    return [*extra, "--korpus", str(settings.corpus), "--indeks", str(settings.index)]


def _index(settings, model="test-hash"):
    res = runner.invoke(app, ["indekser", *_args(settings)[0:], "--modell", model])
    assert res.exit_code == 0, res.output
    return res


def test_indekser_prints_a_summary(settings):
    res = _index(settings)
    assert "Indeksert: 3 filer, 3 kilder, 5 sider, 5 tekstbiter" in res.stdout
    assert "nye 3, endret 0, uendret 0, fjernet 0, feilet 0" in res.stdout


def test_spor_prints_paste_ready_citations(settings):
    _index(settings)
    res = runner.invoke(app, ["spør", "Hva betyr aksept?", "-k", "2", *_args(settings)])
    assert res.exit_code == 0, res.output
    first = res.stdout.splitlines()[0]
    assert first.startswith("1. (Biestek, 1972, s. 28–29)")
    assert "Klient-sosialarbeider-relasjonen" in first
    assert "Aksept betyr at sosialarbeideren" in res.stdout


def test_spor_json_has_one_object_per_hit(settings):
    _index(settings)
    res = runner.invoke(app, ["spør", "empati og forståelse", "-k", "3", "--json", *_args(settings)])
    hits = json.loads(res.stdout)
    assert len(hits) == 3
    top = hits[0]
    assert top["citation"] == "(Røkenes & Hanssen, 2012, s. 181)"
    assert (top["source_key"], top["pages"], top["rank"]) == ("rokenes2012", "181", 1)
    assert set(top["scores"]) == {"fused", "dense", "lexical"}
    assert top["text"].startswith("Empati er evnen") and top["best_sentence"] in top["text"]


def test_kilder_lists_sources_with_pages_and_missing_fields(settings):
    _index(settings)
    res = runner.invoke(app, ["kilder", "--json", *_args(settings)])
    data = {s["nøkkel"]: s for s in json.loads(res.stdout)}
    assert data["biestek1972"]["sitat"] == "(Biestek, 1972)"
    assert data["biestek1972"]["sider"] == "22–29"
    assert data["rokenes2012"]["biter"] == 2
    assert "doi" not in data["leseth2020"]["mangler"]
    text = runner.invoke(app, ["kilder", *_args(settings)]).stdout
    assert "(Røkenes & Hanssen, 2012) Bære eller briste" in text


def test_query_with_other_model_fails_in_norwegian_without_traceback(settings):
    _index(settings)
    res = runner.invoke(app, ["spør", "aksept", "--modell", "test-hash-2", *_args(settings)])
    assert res.exit_code == 1
    assert res.stderr.startswith("Feil: Indeksen i")
    assert "bygd med modellen «test-hash»" in res.stderr
    assert "Traceback" not in res.output


@pytest.mark.parametrize(
    "argv,message",
    [
        (["spør", "   "], "Spørsmålet er tomt"),
        (["spør", "aksept", "--kilde", "ukjent2000"], "Ukjent kilde 'ukjent2000'"),
        (["indekser", "--modell", "finnes-ikke"], "Ukjent modell «finnes-ikke»"),
    ],
)
def test_user_errors_are_one_norwegian_line(settings, argv, message):
    _index(settings)
    res = runner.invoke(app, [*argv, *_args(settings)])
    assert res.exit_code == 1
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_missing_corpus_and_missing_index(tmp_path):
    res = runner.invoke(app, ["indekser", "--korpus", str(tmp_path / "finnes-ikke"), "--indeks", str(tmp_path / "i")])
    assert res.exit_code == 1 and "Korpusmappen" in res.stderr and "finnes ikke" in res.stderr
    res = runner.invoke(app, ["spør", "aksept", "--indeks", str(tmp_path / "i")])
    assert res.exit_code == 1 and "Kjør `litsok indekser` først" in res.stderr


def test_unreadable_file_is_skipped_and_reported_with_exit_code_2(settings):
    (settings.corpus / "notater" / "tom.md").write_text("\n", encoding="utf-8")
    res = runner.invoke(app, ["indekser", "--modell", "test-hash", *_args(settings)])
    assert res.exit_code == 2
    assert "feilet 1" in res.stdout and "notater/tom.md: filen er tom." in res.stdout
    assert "Indeksert: 3 filer" in res.stdout


def test_interactive_prompt_answers_until_empty_line(settings):
    _index(settings)
    res = runner.invoke(app, ["spør", *_args(settings), "-k", "1"], input="Hva betyr aksept?\nempati\n\n")
    assert res.exit_code == 0
    assert "1. (Biestek, 1972, s. 28–29)" in res.stdout
    assert "1. (Røkenes & Hanssen, 2012, s. 181)" in res.stdout


def test_english_aliases(settings):
    res = runner.invoke(app, ["index", "--modell", "test-hash", *_args(settings)])
    assert res.exit_code == 0
    res = runner.invoke(app, ["ask", "aksept", "-k", "1", *_args(settings)])
    assert "(Biestek, 1972, s. 28–29)" in res.stdout


@pytest.mark.parametrize(
    "question",
    [
        "a" * 10_000,
        "hva er det som og i på",  # only stop-words
        "🙂🙃 ❤️",
        "What does acceptance mean for the client?",
        "Что такое принятие?",
        "aksept" + " aksept" * 3000,
    ],
    ids=["10k-tegn", "bare-stoppord", "emoji", "engelsk", "russisk", "gjentatt"],
)
def test_odd_questions_never_crash(settings, question):
    _index(settings)
    res = runner.invoke(app, ["spør", question, "-k", "2", "--json", *_args(settings)])
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    assert len(hits) <= 2 and all(h["citation"].startswith("(") for h in hits)


def test_own_note_is_searchable_and_cited_by_title(settings):
    (settings.corpus / "notater" / "mine.md").write_text(
        "---\ntittel: Egne tanker om tillit\n---\nTillit bygges sakte gjennom små, holdte avtaler på kontoret.\n",
        encoding="utf-8",
    )
    _index(settings)
    res = runner.invoke(app, ["spør", "holdte avtaler og tillit", "-k", "1", "--json", *_args(settings)])
    hit = json.loads(res.stdout)[0]
    assert hit["source_key"] == "notat:mine" and hit["citation"] == "(Egne tanker om tillit)"
    listing = {s["nøkkel"]: s for s in json.loads(runner.invoke(app, ["kilder", "--json", *_args(settings)]).stdout)}
    assert listing["notat:mine"]["type"] == "notat" and listing["notat:mine"]["mangler"] == []


def test_help_and_usage_errors_are_norwegian():
    res = runner.invoke(app, ["--help"], prog_name="litsok")
    assert "Bruk: litsok" in res.stdout and "Vis denne hjelpen og avslutt." in res.stdout
    assert "spør" in res.stdout and "indekser" in res.stdout and "index" not in res.stdout.split()
    res = runner.invoke(app, ["finnesikke"], prog_name="litsok")
    assert res.exit_code == USAGE_EXIT and "Feil: Ukjent kommando 'finnesikke'." in res.stderr
    assert "Skriv 'litsok --help' for hjelp." in res.stderr
    res = runner.invoke(app, ["spør", "-k", "x"], prog_name="litsok")
    assert "Feil: Ugyldig verdi for '-k' / '--antall': 'x' er ikke et gyldig tall." in res.stderr
    assert res.exit_code == USAGE_EXIT


def test_usage_errors_have_their_own_exit_code_and_norwegian_words():
    """Exit 2 means "partial success" (README); a wrong command line is not that."""
    cases = {
        ("spør", "--finnes"): "Feil: Ukjent valg '--finnes'. Mente du '--indeks'?",
        ("vis",): "Feil: Mangler argumentet 'KILDE'.",
        ("spør", "a", "b", "c"): "Feil: Uventede ekstra argumenter (b c)",
        ("spør", "-k"): "Feil: Valget '-k' trenger en verdi.",
    }
    for args, message in cases.items():
        res = runner.invoke(app, list(args), prog_name="litsok")
        assert res.exit_code == USAGE_EXIT == 64, args
        assert message in res.stderr, (args, res.stderr)


def test_plain_text_when_piped_and_highlighting_on_a_terminal(settings, monkeypatch):
    _index(settings)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    piped = runner.invoke(app, ["spør", "Hva betyr aksept?", "-k", "1", *_args(settings)])
    assert "\x1b[" not in piped.stdout and "Aksept betyr" in piped.stdout
    monkeypatch.setenv("FORCE_COLOR", "1")  # what rich sees on a terminal
    tty = runner.invoke(app, ["spør", "Hva betyr aksept?", "-k", "1", *_args(settings)])
    assert "\x1b[1m" in tty.stdout  # the best sentence (and the citation) in bold
    monkeypatch.setenv("NO_COLOR", "1")
    no_color = runner.invoke(app, ["spør", "Hva betyr aksept?", "-k", "1", *_args(settings)])
    assert "\x1b[36m" not in no_color.stdout and "\x1b[1;36m" not in no_color.stdout  # no colours, bold stays
