"""Hybrid retrieval: dense (FAISS) + lexical (BM25) and their fusion.

Fusion modes, each a small pure function over per-chunk score arrays:
- `hybrid`: weighted sum of min-max-normalised scores (default; see the
  retrieval benchmark in `bench/retrieval.py` and the README for why);
- `rrf`: reciprocal-rank fusion (k=60);
- `dense`, `lexical`: one side alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .chunk import sentences
from .errors import LitsokError, QueryError
from .lexical import tokenize
from .model import Hit
from .query import analyse, is_english
from .rerank import DIVERSITY_MARGIN, FEEDBACK_DOCS, RERANK_DEPTH, diversify, feedback_query, sentence_overlap

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .embed import Embedder
    from .index import LoadedIndex

MAX_QUERY_CHARS = 2000
RRF_K = 60
CANDIDATES = 200


@dataclass(frozen=True)
class Scores:
    """Per-chunk scores of one query (NaN where a side did not score a chunk)."""

    dense: np.ndarray
    lexical: np.ndarray


def minmax(x: np.ndarray) -> np.ndarray:
    import numpy as np

    finite = np.isfinite(x)
    if not finite.any():
        return np.zeros_like(x)
    lo, hi = float(x[finite].min()), float(x[finite].max())
    out = np.where(finite, x, lo)
    return (out - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def fuse_hybrid(s: Scores, dense_weight: float) -> np.ndarray:
    return dense_weight * minmax(s.dense) + (1.0 - dense_weight) * minmax(s.lexical)


def _ranks(x: np.ndarray) -> np.ndarray:
    import numpy as np

    order = np.argsort(-np.nan_to_num(x, nan=-np.inf), kind="stable")
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = np.arange(1, len(x) + 1)
    return ranks


def fuse_rrf(s: Scores, dense_weight: float) -> np.ndarray:
    return dense_weight / (RRF_K + _ranks(s.dense)) + (1.0 - dense_weight) / (RRF_K + _ranks(s.lexical))


def fuse_dense(s: Scores, dense_weight: float) -> np.ndarray:
    import numpy as np

    fused: np.ndarray = np.nan_to_num(s.dense, nan=-1.0)
    return fused


def fuse_lexical(s: Scores, dense_weight: float) -> np.ndarray:
    return s.lexical


FUSIONS: dict[str, Callable[[Scores, float], np.ndarray]] = {
    "hybrid": fuse_hybrid,
    "rrf": fuse_rrf,
    "dense": fuse_dense,
    "lexical": fuse_lexical,
}


def fusion(name: str) -> Callable[[Scores, float], np.ndarray]:
    try:
        return FUSIONS[name]
    except KeyError:
        raise LitsokError(f"Ukjent fusjonsmetode «{name}». Gyldige: {', '.join(FUSIONS)}.") from None


def clean_query(question: str) -> str:
    q = " ".join(question.split())
    if not q:
        raise QueryError("Spørsmålet er tomt. Skriv et spørsmål, f.eks. `litsok spør \"Hva er aksept?\"`.")
    return q[:MAX_QUERY_CHARS]


def score_chunks(index: LoadedIndex, embedder: Embedder | None, question: str) -> Scores:
    """Dense and lexical scores of every chunk (dense NaN outside the top for ANN indexes)."""
    import numpy as np

    n = len(index.chunks)
    lexical = index.lexical.scores(question)
    dense = np.full(n, np.nan, dtype=np.float32)
    if embedder is not None and n:
        ids, sc = index.vectors.scores(embedder.embed_query(question), CANDIDATES)
        dense[ids] = sc
    return Scores(dense=dense, lexical=lexical)


@dataclass(frozen=True)
class Method:
    """How a question is ranked: the fusion and the optional query-side and second-stage steps
    (`bench/retrieval.py` and `bench/paraphrase.py` measure each; docs/retrieval.md)."""

    fusion: str = "hybrid"
    dense_weight: float = 0.5
    rewrite: bool = True  # query.analyse: an English question loses its function words, gains cognates
    adaptive: bool = True  # an English question: weight to the dense side by the share BM25 knows
    decompound: bool = False  # query.split_compound: an unknown Norwegian compound adds its known parts
    feedback: float = 0.0  # weight of pseudo-relevance feedback on the BM25 side (0: off)
    feedback_gate: float = 1.0  # feedback only when the best passage holds less than this share of the question
    feedback_weight: float | None = None  # dense weight of the fusion after feedback (None: unchanged)
    dense_feedback: float = 0.0  # weight of the top passages' mean vector added to the query vector (0: off)
    sentence: float = 0.0  # weight of the best sentence's term overlap (0: off)
    diversify: bool = False  # sources take turns in the top k when scores are close


@dataclass(frozen=True)
class Ranking:
    order: list[int]  # chunk numbers, best first
    fused: np.ndarray
    scores: Scores


def lexical_coverage(index: LoadedIndex, question: str) -> float:
    """idf-weighted share of the question's terms that the BM25 vocabulary knows (1: all of them)."""
    import math

    terms = set(tokenize(question))
    if not terms:
        return 1.0
    unknown = math.log(1 + (index.lexical.n_docs + 0.5) / 0.5)
    known = sum(index.lexical.idf(t) for t in terms if t in index.lexical.vocab)
    total = known + unknown * sum(1 for t in terms if t not in index.lexical.vocab)
    return known / total if total > 0 else 1.0


def rank_scored(
    index: LoadedIndex,
    question: str,
    query_vector: np.ndarray | None,
    method: Method,
    top: int,
    wanted: np.ndarray | None = None,
) -> Ranking:
    """Rank every chunk for `question` (embedded as `query_vector`, None: no dense side); the first `top`.
    `wanted`: a mask of the chunks that may be returned."""
    import numpy as np

    english = is_english(question)
    rewrite = method.rewrite or method.decompound
    lex_query = analyse(question, index.lexical.vocab.__contains__, decompound=method.decompound) if rewrite else question
    s = Scores(dense=dense_scores(index, query_vector), lexical=index.lexical.scores(lex_query))
    weight = method.dense_weight
    if method.adaptive and english and method.fusion in ("hybrid", "rrf"):
        weight = 1.0 - (1.0 - weight) * lexical_coverage(index, lex_query)
    fused = _fused(s, method.fusion, weight, wanted)
    if (method.feedback > 0 or method.dense_feedback > 0) and method.fusion != "dense" and (
        method.feedback_gate >= 1.0 or _top_overlap(index, fused, lex_query) < method.feedback_gate
    ):
        s = _feedback(index, s, fused, lex_query, query_vector, method)
        if method.feedback_weight is not None:
            weight = method.feedback_weight
        fused = _fused(s, method.fusion, weight, wanted)
    order = [int(i) for i in np.argsort(-fused, kind="stable")[: max(top, RERANK_DEPTH)] if np.isfinite(fused[i])]
    if method.sentence > 0 and order:
        fused = fused.copy()
        terms = tokenize(lex_query)
        for i in order[:RERANK_DEPTH]:
            fused[i] += method.sentence * sentence_overlap(index.chunks[i].chunk.text, terms, index.lexical.idf)
        order = sorted(order, key=lambda i: -fused[i])
    if method.diversify:
        order = diversify(order, fused, lambda i: index.chunks[i].chunk.source_key, top, DIVERSITY_MARGIN)
    return Ranking(order=order[:top], fused=fused, scores=s)


def _top_overlap(index: LoadedIndex, fused: np.ndarray, lex_query: str) -> float:
    """How much of the question (idf-weighted) the best first-pass passage contains, in [0, 1]."""
    import numpy as np

    best = int(np.argmax(fused))
    terms = set(tokenize(lex_query))
    total = sum(index.lexical.idf(t) for t in terms)
    if total <= 0 or not np.isfinite(fused[best]):
        return 0.0
    toks = set(tokenize(index.chunks[best].chunk.text))
    return sum(index.lexical.idf(t) for t in terms if t in toks) / total


def _fused(s: Scores, name: str, weight: float, wanted: np.ndarray | None) -> np.ndarray:
    import numpy as np

    fused = fusion(name)(s, weight)
    return fused if wanted is None else np.where(wanted, fused, -np.inf)


def _feedback(
    index: LoadedIndex, s: Scores, fused: np.ndarray, lex_query: str, query_vector: np.ndarray | None, method: Method
) -> Scores:
    """Pseudo-relevance feedback from the top FEEDBACK_DOCS of the first ranking: their most
    distinctive words added to the BM25 query, and/or their mean vector to the query vector."""
    import numpy as np

    best = [int(i) for i in np.argsort(-fused, kind="stable")[:FEEDBACK_DOCS] if np.isfinite(fused[i])]
    lexical, dense = s.lexical, s.dense
    if method.feedback > 0 and best:
        texts = [index.chunks[i].chunk.text for i in best]
        extra = feedback_query(texts, set(tokenize(lex_query)), index.lexical.idf)
        if extra:
            lexical = lexical + method.feedback * index.lexical.scores(extra)
    if method.dense_feedback > 0 and best and query_vector is not None:
        centroid = index.vectors.vectors()[best].mean(axis=0)
        q = query_vector + method.dense_feedback * centroid
        dense = dense_scores(index, (q / np.linalg.norm(q)).astype(np.float32))
    return Scores(dense=dense, lexical=lexical)


def dense_scores(index: LoadedIndex, query_vector: np.ndarray | None) -> np.ndarray:
    """Cosine of the query vector with every chunk (NaN outside the ANN top for large indexes, and
    everywhere without a vector)."""
    import numpy as np

    n = len(index.chunks)
    dense = np.full(n, np.nan, dtype=np.float32)
    if query_vector is not None and n:
        ids, sc = index.vectors.scores(query_vector, CANDIDATES)
        dense[ids] = sc
    return dense


def search(
    index: LoadedIndex,
    embedder: Embedder | None,
    question: str,
    *,
    k: int = 5,
    mode: str = "hybrid",
    dense_weight: float = 0.5,
    sources: Sequence[str] = (),
    method: Method | None = None,
) -> list[Hit]:
    """Rank the chunks of `index` for `question`; the top `k` as `Hit`s. `method` (default:
    `Method(fusion=mode, dense_weight=dense_weight)`) chooses the steps around the fusion."""
    import numpy as np

    question = clean_query(question)
    fusion(mode)  # an unknown mode fails here, with the valid names
    method = method or Method(fusion=mode, dense_weight=dense_weight)
    if not index.chunks:
        return []
    use_dense = embedder is not None and method.fusion != "lexical"
    qvec = embedder.embed_query(question) if use_dense and embedder is not None else None
    wanted = None
    if sources:
        keys = set(sources)
        wanted = np.array([sc.chunk.source_key in keys for sc in index.chunks])
    ranking = rank_scored(index, question, qvec, method, max(k, 0), wanted)
    return _hits(index, ranking, question)


def _hits(index: LoadedIndex, ranking: Ranking, question: str) -> list[Hit]:
    import numpy as np

    s, fused = ranking.scores, ranking.fused
    terms = set(tokenize(question))
    hits: list[Hit] = []
    for rank, i in enumerate(ranking.order, start=1):
        if not np.isfinite(fused[i]):
            break
        stored = index.chunks[i]
        src = index.sources.get(stored.chunk.source_key, {})
        hits.append(
            Hit(
                rank=rank,
                chunk=stored.chunk,
                citation=stored.citation,
                source_title=str(src.get("title", stored.chunk.source_key)),
                score=float(fused[i]),
                score_dense=None if np.isnan(s.dense[i]) else float(s.dense[i]),
                score_lexical=float(s.lexical[i]),
                best_sentence=best_sentence(stored.chunk.text, terms, index.lexical.idf),
            )
        )
    return hits


def best_sentence(text: str, terms: set[str], idf: Callable[[str], float]) -> tuple[int, int]:
    """The sentence sharing the most (idf-weighted) stemmed terms with the question.
    A question term that is part of a longer word (compounds) counts half."""
    spans = sentences(text) or [(0, len(text))]
    best, best_score = spans[0], 0.0
    for a, b in spans:
        toks = set(tokenize(text[a:b]))
        score = 0.0
        for t in terms:
            if t in toks:
                score += idf(t) + 1.0
            elif len(t) >= 4 and any(t in w for w in toks):
                score += 0.5 * (idf(t) + 1.0)
        if score > best_score:
            best, best_score = (a, b), score
    return best
