import bm25s
import numpy as np

from litsok.lexical import LexicalIndex, tokenize

TEXTS = [
    "Veilederen påvirker relasjonen med sin væremåte og sitt kroppsspråk.",
    "Aksept betyr å ta imot klienten slik hun er.",
    "Taushetsplikten beskytter klientens opplysninger; konfidensialitet er et prinsipp.",
    "Unge sosialhjelpsmottakere og aktivitetsplikten i Nav.",
]


def test_norwegian_stemming_and_stopwords():
    assert tokenize("Hvordan kan veilederens væremåte påvirke relasjonen til klientene?") == [
        "veileder", "væremåt", "påvirk", "relasjon", "klient",
    ]
    assert tokenize("hva er det som og i på") == []


def test_saved_index_scores_like_bm25s_and_survives_a_round_trip(tmp_path):
    idx = LexicalIndex.build(TEXTS)
    idx.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, len(TEXTS))
    reference = bm25s.BM25.load(str(tmp_path))
    for q in ["veilederens væremåte", "klienten aksept", "taushetsplikt og klientens opplysninger", "ukjentord"]:
        ours = loaded.scores(q)
        terms = loaded.query_terms(q)
        theirs = reference.get_scores(terms) if terms else np.zeros(len(TEXTS))
        assert np.allclose(ours, theirs, atol=1e-6), q
    assert loaded.scores("veilederens væremåte").argmax() == 0
    assert loaded.scores("klienten aksept").argmax() == 1


def test_idf_is_higher_for_rarer_terms():
    idx = LexicalIndex.build(TEXTS)
    assert idx.idf("taushetsplikt") > idx.idf("klient") > 0
    assert idx.idf("finnesikke") == 0.0
