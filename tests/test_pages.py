"""Printed page numbers from per-page evidence, without any PDF."""

from __future__ import annotations

import pytest

from litsok.pages import (
    infer_printed_labels,
    int_to_roman,
    is_default_numbering,
    parse_number,
    roman_to_int,
    sequential_labels,
    split_running_lines,
)


def labels(cands: list[list[str]]) -> tuple[str, ...]:
    result = infer_printed_labels(cands)
    assert result is not None
    return result.labels


def test_footer_numbers_give_the_sequence() -> None:
    assert labels([["126"], ["127"], ["128"]]) == ("126", "127", "128")


def test_first_page_without_number_is_inferred() -> None:
    assert labels([[], ["34"], ["35"], ["36"]]) == ("33", "34", "35", "36")


def test_one_garbled_number_is_outvoted() -> None:
    result = infer_printed_labels([["210"], ["211"], ["812"], ["213"]])
    assert result is not None
    assert result.labels == ("210", "211", "212", "213")
    assert result.disagreeing == (2,)
    assert result.supported == 3


def test_year_in_running_header_is_ignored() -> None:
    cands = [["2021", "45"], ["2021", "46"], ["2021", "47"]]
    assert labels(cands) == ("45", "46", "47")


def test_roman_front_matter_then_arabic() -> None:
    cands = [[], ["ii"], ["iii"], ["iv"], ["1"], ["2"], ["3"]]
    assert labels(cands) == ("i", "ii", "iii", "iv", "1", "2", "3")


def test_unnumbered_page_between_front_matter_and_chapter() -> None:
    # title page, vi, vii, blank, 1, 2: the blank page stays roman (viii)
    cands = [[], ["vi"], ["vii"], [], ["1"], ["2"]]
    assert labels(cands) == ("v", "vi", "vii", "viii", "1", "2")


def test_no_evidence_gives_none() -> None:
    assert infer_printed_labels([[], [], []]) is None
    assert infer_printed_labels([]) is None


def test_chance_agreement_of_one_page_is_not_enough() -> None:
    assert infer_printed_labels([["7"], [], [], [], [], [], [], []]) is None


def test_single_page_with_number() -> None:
    assert labels([["133"]]) == ("133",)


@pytest.mark.parametrize(("token", "value"), [("i", 1), ("iv", 4), ("xii", 12), ("xlix", 49), ("mcm", 1900)])
def test_roman_round_trip(token: str, value: int) -> None:
    assert roman_to_int(token) == value
    assert int_to_roman(value) == token


def test_parse_number_rejects_words() -> None:
    assert parse_number("126") == ("arabic", 126)
    assert parse_number("xii") == ("roman", 12)
    assert parse_number("tid") is None
    assert parse_number("0") is None
    assert parse_number("XII") is None  # uppercase "I" is a Norwegian word


def test_default_numbering() -> None:
    assert is_default_numbering(["1", "2", "3"])
    assert not is_default_numbering(["45", "46"])
    assert sequential_labels(126, 3) == ("126", "127", "128")


def test_running_lines_dropped_and_numbers_read() -> None:
    pages = [
        ["Relasjonsbygging", "Tekst på første side.", "Mer tekst her."],
        ["34 Sosialfaglig tidsskrift", "Tekst på side to.", "Slutt på side to."],
        ["Relasjonsbygging og tillit 35", "Tekst på side tre.", "Slutt på side tre."],
        ["36 Sosialfaglig tidsskrift", "Tekst på side fire.", "Slutt på side fire."],
        ["Relasjonsbygging og tillit 37", "Tekst på side fem.", "– 37 –"],
    ]
    bodies, tokens = split_running_lines(pages)
    assert bodies[1] == ["Tekst på side to.", "Slutt på side to."]
    assert bodies[4] == ["Tekst på side fem."]
    assert tokens[0] == []
    assert tokens[1] == ["34"]
    assert "35" in tokens[2]
    assert tokens[4].count("37") >= 1
    # a body line that happens to repeat in the middle of pages is kept
    assert bodies[0][0] == "Relasjonsbygging"


# --------------------------------------------------------------------------- property-based

from hypothesis import assume, given  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from litsok.pages import infer_printed_labels as _infer  # noqa: E402


@hsettings(max_examples=200, deadline=None)
@given(
    start=st.integers(min_value=1, max_value=900),
    kinds=st.lists(st.sampled_from(["riktig", "riktig", "riktig", "mangler", "feil"]), min_size=3, max_size=40),
    wrong=st.integers(min_value=1, max_value=999),
    year=st.sampled_from([None, "2019", "2020"]),
)
def test_inferred_sequence_survives_missing_and_misread_numbers(start, kinds, wrong, year):
    """Whatever pages lack a number or carry a misread one, and whatever constant
    number (a year) stands in every header, each page gets start + index as long
    as most pages print their own number."""
    correct = kinds.count("riktig")
    assume(correct >= 2 and correct * 2 > len(kinds))
    candidates = []
    for i, kind in enumerate(kinds):
        tokens = [year] if year else []
        if kind == "riktig":
            tokens.append(str(start + i))
        elif kind == "feil" and wrong != start + i:
            tokens.append(str(wrong))
        candidates.append(tokens)
    numbering = _infer(candidates)
    assert numbering is not None
    assert list(numbering.labels) == [str(start + i) for i in range(len(kinds))]
    assert numbering.supported == correct


def test_title_pages_named_by_page_labels_but_without_printed_number_are_unnumbered() -> None:
    from litsok.pages import decide_labels

    # texinfo: /PageLabels T-1, T-2, i, 1, 2, 3; nothing printed on the two title pages
    tokens = [[], [], ["i"], ["1"], ["2"], ["3"]]
    d = decide_labels(tokens, cover=[True, True, False, False, False, False], pdf_labels=["T-1", "T-2", "i", "1", "2", "3"])
    assert d.labels == ("", "", "i", "1", "2", "3")
    assert d.origins == ("pdf-indeks", "pdf-indeks", "pagelabels", "pagelabels", "pagelabels", "pagelabels")


def test_bib_range_shorter_than_the_file_follows_the_printed_numbers() -> None:
    from litsok.pages import decide_labels

    tokens = [["2014"], [], ["127"], ["128"], []]  # a stamp page, a first page without number, 127, 128, a blank end
    d = decide_labels(tokens, cover=[True, False, False, False, True], bib_pages=(126, 128))
    assert d.labels == ("", "126", "127", "128", "")  # offset from the print, not from the first PDF page


def test_letter_spaced_running_heads_of_an_ocr_layer_are_one_running_line() -> None:
    pages = [
        ["736 J. H. CUMMINGS AND OTHERS", "Forsøkspersonene spiste kontrollert kost.", "Avsnitt to."],
        ["RESISTANT S T A R C H 737", "Stivelsen ble fordøyd i tykktarmen.", "Avsnitt tre."],
        ["738 J. H. C U M M I N G S A N D OTHERS", "Avføringsvekten økte med kostfiber.", "Avsnitt fire."],
        ["R E S I S T A N T STARCH 739", "Tarmtransitten ble målt med markører.", "Avsnitt fem."],
    ]
    bodies, tokens = split_running_lines(pages, [{0}] * 4)
    assert [b[0] for b in bodies] == [p[1] for p in pages]
    assert tokens == [["736"], ["737"], ["738"], ["739"]]
