"""`siter`: the best supporting passage, page and sentence of a claim; quotation
detection; and saying so when nothing supports the claim.

The support threshold and cosine scale were measured on the demo corpus with
e5-small (numbers in `litsok.claim`); the `demo_index` tests below hold them to it."""

from __future__ import annotations

import pytest

from litsok.claim import (
    QUOTE_MIN_WORDS,
    SUPPORT_THRESHOLD,
    candidate_sentences,
    longest_shared_run,
    norm_words,
    quoted_wording,
    similarity,
)
from litsok.errors import QueryError
from litsok.library import index_corpus
from litsok.writer import cite_claim

# --------------------------------------------------------------------------- pure helpers


def test_normalised_words_ignore_case_and_punctuation():
    assert norm_words("«Relasjonen», sa han: er SJELEN!") == ["relasjonen", "sa", "han", "er", "sjelen"]


def test_longest_shared_run_counts_consecutive_words():
    src = "En tannlege eller dommer trenger ikke en god relasjon for å gjøre jobben sin."
    assert longest_shared_run("Han trenger ikke en god relasjon, sier Biestek.", src) == (5, 4)
    assert longest_shared_run("helt andre ord", src) == (0, 0)


@pytest.mark.parametrize(
    "claim,quoted",
    [
        # 6+ consecutive words: those words, as the source writes them
        (
            "Som Biestek skriver, trenger en tannlege eller dommer ikke en god relasjon for å gjøre jobben sin.",
            "ikke en god relasjon for å gjøre jobben sin",
        ),
        # nearly the whole sentence (difflib ratio >= 0.8): the sentence, without its full stop
        (
            "En tannlege eller en dommer trenger ikke god relasjon for å gjøre jobben.",
            "En tannlege eller dommer trenger ikke en god relasjon for å gjøre jobben sin",
        ),
        # five shared words and a different sentence: no quotation
        ("Tannleger trenger ikke en god relasjon, men sosialarbeidere gjør.", None),
    ],
)
def test_quotation_detection(claim, quoted):
    src = "En tannlege eller dommer trenger ikke en god relasjon for å gjøre jobben sin."
    found = quoted_wording(claim, src)
    assert (found[2] if found else None) == quoted
    if quoted and not quoted.startswith("En"):
        assert found[0] == 9 >= QUOTE_MIN_WORDS and found[1] < 0.8


def test_similarity_is_one_for_the_same_words():
    assert similarity("Aksept, betyr: ikke alt!", "aksept betyr ikke alt") == 1.0


def test_very_short_sentences_join_the_next():
    text = "Min kommentar: Aksept er viktig for relasjonen. Ja. Det gjelder alle klienter."
    spans = [text[a:b] for a, b in candidate_sentences(text)]
    assert spans == ["Min kommentar: Aksept er viktig for relasjonen.", "Ja. Det gjelder alle klienter."]


# --------------------------------------------------------------------------- small corpus (fake embedder)


@pytest.fixture
def indexed(settings):
    index_corpus(settings)
    return settings


def test_nine_copied_words_must_be_a_quotation(indexed):
    res = cite_claim(
        indexed, "Som Biestek skriver, trenger en tannlege eller dommer ikke en god relasjon for å gjøre jobben sin."
    )
    assert res.supported
    assert res.citation == "«ikke en god relasjon for å gjøre jobben sin» (Biestek, 1972, s. 22)"
    assert res.best is not None and res.best.quotation is not None and res.best.quotation.words == 9


def test_six_copied_words_are_quoted_as_the_source_writes_them(indexed):
    res = cite_claim(indexed, "Hjelpere vet at håndtrykk, blikk og vennlighet påvirker relasjonen mellom dem.")
    assert res.citation == "«håndtrykk, blikk og vennlighet påvirker relasjonen» (Røkenes & Hanssen, 2012, s. 180)"
    assert res.best.quotation.words == 6


def test_own_words_get_a_plain_citation(indexed):
    res = cite_claim(indexed, "Å godta klienten er ikke å si ja til alt klienten finner på.")
    assert res.supported and res.best.quotation is None
    assert res.citation == "(Biestek, 1972, s. 28–29)"
    assert res.best.sentence_text.startswith("Aksept betyr at sosialarbeideren tar imot klienten")
    assert 0.0 <= res.best.score <= 1.0


def test_unsupported_claim_is_not_forced_into_a_citation(indexed):
    res = cite_claim(indexed, "Fotosyntesen skjer i kloroplastene.")
    assert not res.supported and res.citation is None
    assert res.best is not None and res.best.score < SUPPORT_THRESHOLD
    assert res.to_json()["lim_inn"] is None and res.to_json()["støttet"] is False


def test_k_limits_the_passages_and_empty_claims_fail(indexed):
    assert len(cite_claim(indexed, "relasjon og empati", k=2).supports) == 2
    with pytest.raises(QueryError):
        cite_claim(indexed, "   ")


# --------------------------------------------------------------------------- demo corpus, real model


@pytest.mark.parametrize(
    "claim,citation",
    [
        ("Klienten våger seg først inn i en hjelpende relasjon når han føler seg forstått.", "(Biestek, 1972, s. 28–29)"),
        ("Empati betyr å leve seg inn i hvordan en annen opplever situasjonen sin.", "(Røkenes & Hanssen, 2012, s. 181)"),
        ("Uten anerkjennelse kan dialogen med klienten stoppe opp.", "(Røkenes & Hanssen, 2012, s. 190)"),
    ],
)
def test_demo_claims_from_the_notes_are_supported(demo_index, claim, citation):
    res = cite_claim(demo_index, claim)
    assert res.supported and res.best.hit.citation == citation


@pytest.mark.parametrize(
    "claim", ["Fotosyntesen skjer i kloroplastene.", "Norges høyeste fjell er Galdhøpiggen."]
)
def test_demo_unrelated_claims_are_not_supported(demo_index, claim):
    res = cite_claim(demo_index, claim)
    assert not res.supported and res.citation is None


def test_demo_copied_sentence_is_quoted_with_its_page(demo_index):
    res = cite_claim(demo_index, "Metoder, undersøkelser og tiltak er kroppen, men det er relasjonen som gir arbeidet liv.")
    assert res.citation == (
        "«Metoder, undersøkelser og tiltak er kroppen, men det er relasjonen som gir arbeidet liv» (Biestek, 1972, s. 22)"
    )
