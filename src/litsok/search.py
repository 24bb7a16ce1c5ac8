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

    return np.nan_to_num(s.dense, nan=-1.0)


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


def search(
    index: LoadedIndex,
    embedder: Embedder | None,
    question: str,
    *,
    k: int = 5,
    mode: str = "hybrid",
    dense_weight: float = 0.5,
    sources: Sequence[str] = (),
) -> list[Hit]:
    """Rank the chunks of `index` for `question`; the top `k` as `Hit`s."""
    import numpy as np

    question = clean_query(question)
    fuse = fusion(mode)
    if not index.chunks:
        return []
    s = score_chunks(index, embedder if mode != "lexical" else None, question)
    fused = fuse(s, dense_weight)
    if sources:
        wanted = set(sources)
        mask = np.array([sc.chunk.source_key in wanted for sc in index.chunks])
        fused = np.where(mask, fused, -np.inf)
    order = np.argsort(-fused, kind="stable")[: max(k, 0)]
    terms = set(tokenize(question))
    hits: list[Hit] = []
    for rank, i in enumerate(order, start=1):
        if not np.isfinite(fused[i]):
            break
        stored = index.chunks[int(i)]
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
