"""Students' questions from the thesis' research questions and theory chapter,
paraphrased (not copied from the notes): the expected source and printed page
must be among the top 3 on the bundled demo corpus with the default model."""

import json
from pathlib import Path

import pytest

from litsok.library import ask

QUESTIONS = json.loads((Path(__file__).parent / "data" / "sporsmal.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("q", QUESTIONS, ids=[f"{q['kilde']}-s{q['side']}" for q in QUESTIONS])
def test_expected_source_and_page_in_top_3(demo_index, q):
    hits = ask(demo_index, q["sporsmal"], k=3)
    got = [(h.chunk.source_key, h.chunk.pages) for h in hits]
    assert (q["kilde"], q["side"]) in got, got


def test_demo_answer_cites_rokenes_page_180(demo_index):
    hits = ask(demo_index, "Hvordan kan veilederens væremåte påvirke relasjonen?", k=3)
    assert "(Røkenes & Hanssen, 2012, s. 180)" in [h.citation for h in hits]
