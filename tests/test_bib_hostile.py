"""Hostile bibliographies (issue 14, items 8 and 11) through the CLI and the loaders:
no traceback, a Norwegian message naming the file and the entry, exit code 1 when
the whole bibliography is refused and 2 when entries were skipped, and the good
entries still cited correctly. The inputs come from tests/hostile_bib.py, small."""

from __future__ import annotations

import json
import re
from pathlib import Path

import hostile_bib as hb
import pytest
from typer.testing import CliRunner

from litsok import limits
from litsok.cite import FORMATS, in_text, reference_entry, reference_list, to_bibtex
from litsok.cli import app
from litsok.errors import BibliographyError
from litsok.sources import load_bibliography, missing_fields, page_range, parse_page_range

runner = CliRunner()
HERE = Path(".")  # the test's own working folder; the generators put the corpus in HERE/korpus
CORPUS = HERE / "korpus"  # relative: short paths in messages
SMALL = 0.01


def _cli(*args: str):
    res = runner.invoke(app, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    return res


def _index(*extra: str):
    return _cli("indekser", "--korpus", str(CORPUS), "--indeks", "indeks", "--modell", "test-hash", *extra)


def _report(*extra: str) -> tuple[int, dict]:
    res = _index("--json", *extra)
    return res.exit_code, json.loads(res.stdout)


def _references() -> str:
    res = _cli("referanser", "--korpus", str(CORPUS), "--indeks", "indeks")
    assert res.exit_code == 0, res.output
    return res.stdout


def _good_entries_cited() -> None:
    refs = _references()
    for ref in hb.GOOD_REFERENCES:
        assert ref in refs
    res = _cli("kilder", "--korpus", str(CORPUS), "--indeks", "indeks")
    assert res.exit_code == 0, res.output
    assert "(Gode, 2001) En god bok" in res.stdout and "(Bedre & Best, 2002) En god artikkel" in res.stdout


def _warning(report: dict, *parts: str) -> str:
    """The one warning that contains every part."""
    found = [w for w in report["advarsler"] if all(p in w for p in parts)]
    assert len(found) == 1, (parts, report["advarsler"])
    return found[0]


# --------------------------------------------------------------------------- size


def test_a_bibliography_over_max_bib_bytes_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(limits, "MAX_BIB_BYTES", 100_000)
    bib = hb.make_huge_bib(HERE, 0.002)  # 200 KB, twice the lowered limit
    read = Path.read_bytes

    def no_reading_of_the_bib(self: Path) -> bytes:
        assert self.name != bib.name, "the bibliography was read although it is over the limit"
        return read(self)

    monkeypatch.setattr(Path, "read_bytes", no_reading_of_the_bib)
    res = _index()
    assert res.exit_code == 1
    message = " ".join(res.stderr.split())
    assert f"{bib} er 0,2 MB, over grensen MAX_BIB_BYTES (0,1 MB)" in message
    assert "Eksporter bare samlingen du bruker i oppgaven" in message


def test_a_large_legal_bibliography_loads_every_entry():
    bib = hb.make_large_bib(HERE, 0.005)  # 100 KB of Zotero-like entries
    loaded = load_bibliography([bib])
    count = bib.read_text(encoding="utf-8").count("\n@")
    assert len(loaded.sources) == count + 1 and not loaded.problems  # +1: the file starts with "@"
    src = loaded.sources["kilde13"]
    assert src.csl["title"] == "Relasjon og tillit i sosialt arbeid, del 13: En studie av møter i Nav"
    assert src.csl["author"] == [
        {"family": "Olsen", "given": "Per"}, {"family": "Ødegård", "given": "Anne"}, {"family": "Hansen", "given": "Åse"}
    ]
    assert (src.csl["page"], src.files) == ("113-133", ("files/13/kilde13.pdf",))
    code, _ = _report()
    assert code == 0
    refs = _references()  # (not `kilder`: it lists every entry whose PDF is missing, here all of them)
    assert all(ref in refs for ref in hb.GOOD_REFERENCES)


# --------------------------------------------------------------------------- BibTeX


def test_hostile_bibtex_entries_are_skipped_by_key_and_the_rest_indexed():
    bib = hb.make_bib_hostile_entries(HERE, SMALL)
    code, report = _report()
    assert code == 2
    assert sorted(report["kilder_hoppet_over"]) == sorted(f"{bib}: «{k}»" for k in ("aapen", "stortfelt", "kommaer"))
    assert "en ny oppføring begynner før «}»" in _warning(report, str(bib), "«aapen»", "hoppet over")
    assert "over grensen MAX_BIB_FIELD_CHARS (100\u00a0000)" in _warning(report, "«stortfelt»", "hoppet over")
    assert "for mange komma" in _warning(report, "«kommaer»", "hoppet over")
    assert "siteres uten år (u.å.)" in _warning(report, str(bib), "«99999999999» for «absurdaar»")
    assert "(grensen MAX_PAGE_DIGITS); sideintervallet er ignorert" in _warning(report, str(bib), "«langesider»")
    _good_entries_cited()


def test_what_survives_of_the_hostile_bibtex_entries_is_read_right():
    loaded = load_bibliography([hb.make_bib_hostile_entries(HERE, SMALL)])
    csl = {key: src.csl for key, src in loaded.sources.items()}
    assert csl["dypt"]["title"] == "x"  # 100-deep braces (100,000 at full size) are only braces
    assert csl["nul"]["title"] == "Med\x00NUL\x00-tegn"  # kept as read; the terminal output strips it
    assert "issued" not in csl["absurdaar"] and "page" not in csl["langesider"]
    assert csl["strengfelt"]["title"] == 'Anförsel "tegn og mer'  # {\"o}, {"} and # in a quoted value
    assert csl["latex"]["title"].endswith(" og x í")  # unknown macro and math: pylatexenc's reading
    assert page_range(loaded.sources["langesider"]) is None


def test_binary_garbage_reports_at_most_max_bib_problems_and_counts_the_rest(monkeypatch):
    monkeypatch.setattr(limits, "MAX_BIB_PROBLEMS", 5)
    bib = hb.make_bib_binary(HERE, 0.003)  # 30 KB: ~30 "@misc{" blocks that are no entries
    code, report = _report()
    assert code == 2
    mine = [w for w in report["advarsler"] if w.startswith(str(bib))]
    assert len(mine) == 6  # the five first problems and one line that counts the rest
    skipped = len(report["kilder_hoppet_over"])
    assert skipped > 10
    m = re.fullmatch(
        rf"{re.escape(str(bib))}: (\d+) problemer til er ikke vist \(grensen MAX_BIB_PROBLEMS = 5 per fil\); "
        rf"{skipped} oppføringer i filen er hoppet over i alt\. Eksporter litteraturlisten på nytt\.",
        mine[-1],
    )
    assert m and int(m.group(1)) >= skipped - 5
    _good_entries_cited()


def test_a_windows_1252_bibliography_is_read_with_a_warning():
    bib = hb.make_bib_cp1252(HERE, 1.0)
    code, report = _report()
    assert code == 0
    assert "er ikke UTF-8; lest som Windows-1252" in _warning(report, str(bib))
    assert load_bibliography([bib]).sources["god2002"].csl["author"][0]["given"] == "Bjørn"
    _good_entries_cited()


def test_a_bibliography_of_only_broken_entries_is_refused_with_its_first_line():
    bib = hb.make_bib_only_broken(HERE, SMALL)
    res = _index()
    assert res.exit_code == 1
    message = " ".join(res.stderr.split())
    assert message.startswith(f"Feil: {bib}: BibTeX-filen kan ikke tolkes (en ny oppføring begynner før «}}»")
    assert "rett feilen på linje 1." in message


def test_skipped_entries_are_reported_again_when_nothing_changed():
    hb.make_bib_hostile_entries(HERE, SMALL)
    first_code, first = _report()
    second_code, second = _report()
    assert (first_code, second_code) == (2, 2)
    assert second["kilder_hoppet_over"] == first["kilder_hoppet_over"] and second["innebygd"] == 0


# --------------------------------------------------------------------------- the BibTeX grammar the scanner reads


def test_strings_concatenation_comments_and_parentheses(tmp_path):
    bib = tmp_path / "k.bib"
    bib.write_text(
        "Tekst før den første oppføringen, med en e-post: kari@uib.no\n"
        '@String{tfv = "Tidsskrift for velferdsforskning"}\n'
        "@comment{ @book{ikke, title = {Ikke en oppføring}} }\n"
        "@preamble{ \"\\newcommand{\\noop}[1]{}\" }\n"
        '@article(paren2019, journal = tfv # { (nr. } # "2" # {)}, year = 2019, title = "Med {"}sitat{"}",)\n'
        "@book{tom}\n"
        "@book{dobbel, title = {Først}, title = {Sist}, year = {2020}}\n",
        encoding="utf-8",
    )
    loaded = load_bibliography([bib])
    assert sorted(loaded.sources) == ["dobbel", "paren2019", "tom"]
    paren = loaded.sources["paren2019"].csl
    assert paren["container-title"] == "Tidsskrift for velferdsforskning (nr. 2)"
    assert paren["title"] == 'Med "sitat"' and paren["issued"] == {"date-parts": [[2019]]}
    assert loaded.sources["dobbel"].csl["title"] == "Først"
    assert loaded.problems == (f"{bib}, linje 7: feltet «title» står flere ganger i «dobbel»; det første brukes.",)


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("Gjers{\\o}e", "Gjersøe"),
        ('{\\"o}', "ö"),
        ("\\'{e}t\\'e", "été"),
        ("{\\aa}r og {\\AE}", "år og Æ"),
        ("\\v{S}koda \\c{c}a", "Škoda ça"),
        ("{\\r a}", "å"),
        ("{Unge} mottakere", "Unge mottakere"),
        ("A -- B --- C", "A – B — C"),
        ("Tom~og Jerry", "Tom og Jerry"),
        ("R\\&D 50\\% \\_x", "R&D 50% _x"),
        ("\\emph{Viktig} tekst", "Viktig tekst"),
        ("\\textendash{} og \\ldots", "– og …"),
        ("\\'{\\i}", "í"),
        ("linje\n   to", "linje to"),
    ],
)
def test_latex_escapes_in_titles(tmp_path, latex, text):
    bib = tmp_path / "k.bib"
    bib.write_text(f"@book{{k, title = {{{latex}}}, year = {{2001}}}}\n", encoding="utf-8")
    assert load_bibliography([bib]).sources["k"].csl["title"] == text


# --------------------------------------------------------------------------- RIS


def test_hostile_ris_records_are_skipped_or_cleaned_and_the_rest_indexed():
    ris = hb.make_ris_hostile(HERE, 0.02)
    code, report = _report()
    assert code == 2
    assert report["kilder_hoppet_over"] == [f"{ris}: «langtsammendrag»"]
    assert "feltet «AB» har" in _warning(report, str(ris), "«langtsammendrag»", "hoppet over", "MAX_BIB_FIELD_CHARS")
    assert "sideintervallet er ignorert" in _warning(report, str(ris), "«langesider»")
    assert "siteres uten år" in _warning(report, str(ris), "«absurdaar»")
    loaded = load_bibliography([ris])
    assert {"uten-er", "binaer", *hb.GOOD_KEYS} <= set(loaded.sources)  # a missing «ER» ends at the next «TY»
    assert loaded.sources["uten-er"].csl["title"] == "Mangler slutten"
    _good_entries_cited()


def test_ris_keys_made_up_for_many_records_without_id_stay_unique(tmp_path):
    ris = tmp_path / "k.ris"
    ris.write_text("TY  - BOOK\nAU  - Hansen, Kari\nPY  - 2020\nER  - \n" * 40, encoding="utf-8")
    keys = list(load_bibliography([ris]).sources)
    assert keys[:3] == ["hansen2020", "hansen2020b", "hansen2020c"] and len(set(keys)) == 40


# --------------------------------------------------------------------------- CSL-JSON


CSL_SKIPPED = {
    "forfatter-tekst": "«author» må være en liste med navn, ikke en tekst",
    "tallnavn": "navn nr. 1 i «author» har «family» som et tall, ikke tekst",
    "uendelig": "datoen i «issued» har året Infinity, ikke et heltall",
    "ikke-tall": "«title» er NaN, ikke et vanlig tall",
    "stort-tall": "tallet i «volume» har mer enn 18 sifre",
    "stort-aar": "datoen i «issued» har året med 50 sifre",
    "tittel-objekt": "«title» må være en tekst, ikke et objekt",
    "dato-rot": "datoen i «issued» har året som en tekst, ikke et heltall",
    "navn-null": "navn nr. 1 i «editor» er null, ikke et objekt",
    "type-tall": "«type» må være en tekst, ikke et tall",
}
CSL_SKIPPED_BY_POSITION = {
    12: "«id» må være en tekst eller et heltall, ikke en liste",
    13: "den mangler «id»",
    14: "den er ikke et JSON-objekt, men en tekst",
}


def test_csl_json_entries_of_wrong_types_are_skipped_by_id_and_the_rest_indexed():
    bib = hb.make_csl_wrong_types(HERE, SMALL)
    code, report = _report()
    assert code == 2
    expected = [f"{bib}: «{k}»" for k in CSL_SKIPPED] + [f"{bib}: nr. {n}" for n in CSL_SKIPPED_BY_POSITION]
    assert sorted(report["kilder_hoppet_over"]) == sorted(expected)
    for key, reason in CSL_SKIPPED.items():
        assert (
            _warning(report, f"«{key}»")
            == f"{bib}: oppføringen «{key}» er hoppet over: {reason}. Rett den i Zotero og eksporter på nytt."
        )
    for n, reason in CSL_SKIPPED_BY_POSITION.items():
        assert _warning(report, f"oppføring nr. {n} ") == (
            f"{bib}: oppføring nr. {n} er hoppet over: {reason}. Rett den i Zotero og eksporter på nytt."
        )
    assert "sideintervallet er ignorert" in _warning(report, "«lange-sider»")
    _good_entries_cited()


def test_what_survives_of_the_wrong_types_is_made_safe():
    loaded = load_bibliography([hb.make_csl_wrong_types(HERE, SMALL)])
    assert set(loaded.sources) == {"dato-tekst", "lange-sider", "nestet", *hb.GOOD_KEYS}
    assert loaded.sources["dato-tekst"].csl["issued"] == {"date-parts": [[2011, 5, 1]]}
    assert "custom" not in loaded.sources["nestet"].csl  # a nested value of an unknown field is dropped
    assert "page" not in loaded.sources["lange-sider"].csl


@pytest.mark.parametrize(
    ("make", "reason"),
    [(hb.make_csl_deep, "verdiene er nestet i for mange nivåer"), (hb.make_csl_not_a_list, "ikke en liste, men et tall")],
)
def test_a_csl_json_file_that_is_no_list_of_entries_is_refused(make, reason):
    bib = make(HERE, SMALL)
    res = _index()
    assert res.exit_code == 1
    assert " ".join(res.stderr.split()).startswith(f"Feil: {bib}: CSL-JSON-filen kan ikke tolkes ({reason}).")


def test_5000_digit_integers_never_reach_int(tmp_path):
    digits = "9" * 5000
    bib = tmp_path / "k.json"
    bib.write_text(
        f'[{{"id": {digits}, "title": "T"}}, {{"id": "a", "title": "T", "litsok_forsteside": {digits}}},'
        f' {{"id": "b", "title": "T", "litsok_forsteside": "{digits}"}}, {{"id": 12, "title": "Tall-id"}}]',
        encoding="utf-8",
    )
    loaded = load_bibliography([bib])
    assert sorted(loaded.sources) == ["12", "a", "b"]
    assert loaded.sources["a"].first_page is None and loaded.sources["b"].first_page is None
    assert any("oppføring nr. 1 er hoppet over: «id» må være en tekst eller et heltall" in p for p in loaded.problems)
    assert any("«litsok_forsteside» for «b» har mer enn 6 sifre (grensen MAX_PAGE_DIGITS)" in p for p in loaded.problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("126-139", (126, 139)), ("999999", (999999, 999999)), ("1-" + "9" * 5000, None), ("9" * 7, None), ("1234567-1234568", None)],
)
def test_page_ranges_of_more_than_max_page_digits_are_no_range(text, expected):
    assert parse_page_range(text) == expected


# --------------------------------------------------------------------------- downstream: citing what loaded


@pytest.mark.parametrize("case", [c for c in hb.CASES if c not in ("bib-100mb", "bib-20mb")])
def test_every_entry_that_loads_from_a_hostile_file_can_be_cited(case):
    make, _ = hb.CASES[case]
    try:
        loaded = load_bibliography([make(HERE, SMALL)])
    except BibliographyError as exc:
        assert str(CORPUS) in exc.message  # refused as a whole, naming the file
        return
    sources = list(loaded.sources.values())
    assert {*hb.GOOD_KEYS} <= set(loaded.sources)
    for src in sources:
        assert in_text(src, "12").startswith("(") and in_text(src, "", narrative=True)
        assert reference_entry(src) and reference_entry(src, "markdown")
        assert to_bibtex(src).startswith("@")
        missing_fields(src)
        page_range(src)
    for fmt in FORMATS:
        assert len(reference_list(sources, fmt)) == len(sources)
