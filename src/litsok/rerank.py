"""Second-stage signals over the fused ranking's top candidates, each a small pure
function (see docs/retrieval.md for what was measured and kept):

- `sentence_overlap`: the best single sentence's idf-weighted share of the
  question's terms (a passage that answers in one sentence beats one that spreads
  the words over a page);
- `feedback_query`: pseudo-relevance feedback for BM25 (the most distinctive words
  of the top passages, RM3-style);
- `diversify`: when scores are close, do not let one source take every place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .chunk import sentences
from .lexical import STOPWORDS_NO, tokenize, words

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

RERANK_DEPTH = 20  # candidates whose sentences are scored
FEEDBACK_DOCS = 3  # top passages that feed pseudo-relevance feedback
FEEDBACK_TERMS = 10  # words added to the BM25 query
DIVERSITY_MARGIN = 0.05  # a candidate within this much of the best (fused scale) may be preferred
DIVERSITY_MAX_PER_SOURCE = 2  # places one source takes before others get a chance


def sentence_overlap(text: str, terms: Sequence[str], idf: Callable[[str], float]) -> float:
    """max over sentences of sum(idf of the question terms in it) / sum(idf of all of them), in [0, 1]."""
    weights = {t: idf(t) for t in set(terms)}
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    best = 0.0
    for a, b in sentences(text) or [(0, len(text))]:
        toks = set(tokenize(text[a:b]))
        best = max(best, sum(w for t, w in weights.items() if t in toks) / total)
    return best


def feedback_query(texts: Sequence[str], question_terms: set[str], idf: Callable[[str], float]) -> str:
    """The FEEDBACK_TERMS words of `texts` with the highest tf * idf that are not in the question."""
    weight: dict[str, float] = {}
    form: dict[str, str] = {}
    for text in texts:
        for w in words(text):
            if w in STOPWORDS_NO or len(w) < 3 or w.isdigit():
                continue
            stems = tokenize(w)
            if not stems or stems[0] in question_terms:
                continue
            s = stems[0]
            weight[s] = weight.get(s, 0.0) + idf(s)
            form.setdefault(s, w)
    top = sorted(weight, key=lambda s: -weight[s])[:FEEDBACK_TERMS]
    return " ".join(form[s] for s in top)


def diversify(
    order: Sequence[int], scores: np.ndarray, source_of: Callable[[int], str], k: int, margin: float
) -> list[int]:
    """The top `k` of `order` (best first), except that a source which already holds
    DIVERSITY_MAX_PER_SOURCE places yields to the best candidate of another source
    whose score is within `margin` of it."""
    pool = list(order)
    picked: list[int] = []
    count: dict[str, int] = {}
    while pool and len(picked) < k:
        first = pool[0]
        choice = first
        if count.get(source_of(first), 0) >= DIVERSITY_MAX_PER_SOURCE:
            for cand in pool[1:]:
                if float(scores[first]) - float(scores[cand]) > margin:
                    break
                if count.get(source_of(cand), 0) < DIVERSITY_MAX_PER_SOURCE:
                    choice = cand
                    break
        pool.remove(choice)
        picked.append(choice)
        count[source_of(choice)] = count.get(source_of(choice), 0) + 1
    return picked
