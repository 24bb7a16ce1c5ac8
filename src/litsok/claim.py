"""Support for a claim: which passage, printed page and sentence back it up,
how well, and whether the wording is so close that it must be a quotation.

Retrieval is `search.search` (the same hybrid ranking as `litsok spør`); this
module only re-scores the sentences of the top hits:

- **support** of a sentence = ``DENSE_WEIGHT * rescaled cosine + (1 - DENSE_WEIGHT)
  * term overlap``, in [0, 1]. The cosine is between the claim (embedded as a query)
  and the sentence (embedded as a passage; all candidate sentences in one batch, cached
  in the index folder); it is rescaled linearly from [COS_FLOOR, COS_CEIL] to [0, 1],
  because e5 gives even unrelated Norwegian sentences a cosine of about 0.8. The
  overlap is the idf-weighted share of the claim's stemmed terms found in the sentence.
- a claim is **supported** when its best support reaches SUPPORT_THRESHOLD;
- a **quotation** is flagged when the claim and the best sentence share
  QUOTE_MIN_WORDS or more consecutive words (lower case, punctuation stripped),
  or when their character similarity (difflib ratio) is QUOTE_MIN_RATIO or more.

The numbers were measured on the demo corpus with e5-small: 72 claims that the corpus
supports (54 sentences of the thesis the notes were written from, on the page they
cite, and 18 paraphrases of the notes) against 16 unrelated claims («Fotosyntesen skjer
i kloroplastene.») and 324 (claim, another source) pairs. At weight 0.5, scale
[0.80, 0.96] and threshold 0.40, 96 % of the supported claims pass, no unrelated claim
does (highest 0.25), and 6 % of the other sources do (30 % for the closest of the seven:
the sources share one topic, so a neighbouring source can support a sentence too).
Cosine alone separated the pairs worse (AUC 0.93 against 0.99); counting a term found
inside a longer word gave unrelated claims as much overlap as real ones.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chunk import sentences
from .index import SENTENCE_CACHE
from .lexical import tokenize
from .limits import MAX_SENTENCE_CACHE_ROWS
from .model import Chunk, Hit

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .embed import Embedder
    from .index import LoadedIndex

# Measured on the demo corpus with e5-small: see the module docstring.
COS_FLOOR = 0.80
COS_CEIL = 0.96
# Other embedders (sentence-transformers models such as MiniLM, the tests' fake) spread
# their cosines over [0, 1]; this scale is a plain guess, not measured like the one above.
OTHER_COS_FLOOR = 0.2
OTHER_COS_CEIL = 0.8
DENSE_WEIGHT = 0.5
SUPPORT_THRESHOLD = 0.40
QUOTE_MIN_WORDS = 6
QUOTE_MIN_RATIO = 0.8
CANDIDATES = 8  # hits whose sentences are scored
MIN_SENTENCE_WORDS = 4  # shorter sentences are joined with the next one

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Quotation:
    """The claim reproduces the source's wording: quote it."""

    words: int  # longest run of shared consecutive words
    ratio: float  # difflib ratio of the normalised claim against the sentence
    text: str  # the source's own wording to put in «»
    citation: str  # «text» (Biestek, 1972, s. 22)

    def to_json(self) -> dict[str, Any]:
        return {"ord_på_rad": self.words, "likhet": round(self.ratio, 3), "tekst": self.text, "sitat": self.citation}


@dataclass(frozen=True)
class Support:
    """One passage that may support the claim, scored on its best sentence."""

    hit: Hit
    sentence: tuple[int, int]  # character span of the best supporting sentence in hit.chunk.text
    score: float  # support in [0, 1]
    cosine: float | None  # claim vs. sentence; None without an embedder
    overlap: float  # idf-weighted share of the claim's terms in the sentence
    quotation: Quotation | None

    @property
    def sentence_text(self) -> str:
        a, b = self.sentence
        return self.hit.chunk.text[a:b]

    @property
    def citation(self) -> str:
        """What to paste: the quotation when the wording is copied, else the in-text citation."""
        return self.quotation.citation if self.quotation else self.hit.citation

    def to_json(self) -> dict[str, Any]:
        c = self.hit.chunk
        return {
            "kilde": c.source_key,
            "tittel": self.hit.source_title,
            "sider": c.pages,
            "henvisning": self.hit.citation,
            "lim_inn": self.citation,
            "setning": self.sentence_text,
            "støtte": round(self.score, 3),
            "cosinus": None if self.cosine is None else round(self.cosine, 4),
            "ordoverlapp": round(self.overlap, 3),
            "sitat": self.quotation.to_json() if self.quotation else None,
            "fil": c.file,
            "tekst": c.text,
            "egen_markering": c.own_marking,
        }


@dataclass(frozen=True)
class ClaimResult:
    """The best supporting passages of a claim, best first."""

    claim: str
    supports: tuple[Support, ...]
    threshold: float = SUPPORT_THRESHOLD

    @property
    def best(self) -> Support | None:
        return self.supports[0] if self.supports else None

    @property
    def supported(self) -> bool:
        return self.best is not None and self.best.score >= self.threshold

    @property
    def citation(self) -> str | None:
        """The citation to paste, or None when nothing supports the claim well enough."""
        return self.best.citation if self.supported and self.best else None

    def to_json(self) -> dict[str, Any]:
        return {
            "påstand": self.claim,
            "støttet": self.supported,
            "terskel": self.threshold,
            "lim_inn": self.citation,
            "sitat": bool(self.supported and self.best and self.best.quotation),
            "treff": [s.to_json() for s in self.supports],
        }


# --------------------------------------------------------------------------- pure helpers


def norm_words(text: str) -> list[str]:
    """Lower-case words with punctuation stripped (what quotation detection compares)."""
    return [w.lower() for w in _WORD.findall(text)]


def _word_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


def longest_shared_run(claim: str, sentence: str) -> tuple[int, int]:
    """(length, start word index in `sentence`) of the longest run of consecutive
    words the two texts share after normalisation."""
    a, b = norm_words(claim), norm_words(sentence)
    if not a or not b:
        return 0, 0
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size, m.b


def similarity(claim: str, sentence: str) -> float:
    """difflib ratio of the normalised texts (words joined by one space)."""
    a, b = " ".join(norm_words(claim)), " ".join(norm_words(sentence))
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def quoted_wording(claim: str, sentence: str) -> tuple[int, float, str] | None:
    """(run length, ratio, source wording to quote) when the claim copies the sentence.

    Close overall (ratio ≥ QUOTE_MIN_RATIO): the whole sentence is quoted. Otherwise
    QUOTE_MIN_WORDS or more shared consecutive words: those words, as the source has them."""
    run, start = longest_shared_run(claim, sentence)
    ratio = similarity(claim, sentence)
    if ratio >= QUOTE_MIN_RATIO:
        return run, ratio, sentence.strip().rstrip(" .,;:")
    if run >= QUOTE_MIN_WORDS:
        spans = _word_spans(sentence)
        a, b = spans[start][0], spans[start + run - 1][1]
        return run, ratio, sentence[a:b]
    return None


def term_overlap(claim_terms: Sequence[str], sentence: str, idf: Callable[[str], float], unknown_idf: float) -> float:
    """idf-weighted share of the claim's stemmed terms that occur in the sentence.

    A term the corpus does not have gets `unknown_idf` (the rarest possible), so an
    off-topic claim is not "covered" by its one common word. No credit for a term
    inside a longer word: on the demo corpus that gave unrelated claims as much
    overlap as real ones ("vann" in "vanskelig")."""
    if not claim_terms:
        return 0.0
    toks = set(tokenize(sentence))
    total = got = 0.0
    for t in claim_terms:
        w = (idf(t) or unknown_idf) + 1.0
        total += w
        if t in toks:
            got += w
    return got / total if total else 0.0


def rarest_idf(n_docs: int) -> float:
    """The idf of a term found in no chunk (same formula as `LexicalIndex.idf`)."""
    import math

    return math.log(1 + (n_docs + 0.5) / 0.5)


def cosine_scale(embedder_id: str) -> tuple[float, float]:
    """(floor, ceiling) of the cosines that mean "unrelated" and "says the same" for an embedder."""
    return (COS_FLOOR, COS_CEIL) if "e5" in embedder_id.lower() else (OTHER_COS_FLOOR, OTHER_COS_CEIL)


def rescale_cosine(cos: float, scale: tuple[float, float] = (COS_FLOOR, COS_CEIL)) -> float:
    lo, hi = scale
    return min(1.0, max(0.0, (cos - lo) / (hi - lo)))


def support_score(cosine: float | None, overlap: float, scale: tuple[float, float] = (COS_FLOOR, COS_CEIL)) -> float:
    """Combine the sentence's cosine and term overlap into a support in [0, 1]."""
    if cosine is None:
        return overlap
    return DENSE_WEIGHT * rescale_cosine(cosine, scale) + (1.0 - DENSE_WEIGHT) * overlap


def candidate_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage; very short ones ("Min kommentar:") join the next."""
    spans = sentences(text) or [(0, len(text))]
    out: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for a, b in spans:
        if pending is not None:
            a = pending[0]
            pending = None
        if len(_WORD.findall(text, a, b)) < MIN_SENTENCE_WORDS:
            pending = (a, b)
            continue
        out.append((a, b))
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], pending[1])
        else:
            out.append(pending)
    return out


# --------------------------------------------------------------------------- scoring

_KEY_DTYPE = "|S40"  # a key is the SHA-1 hex digest of the sentence


class SentenceCache:
    """Passage embeddings of sentences, by embedder and text, kept in memory and in
    `<index>/setningscache/<embedder>.npz` (keys + vectors, no pickle), so the second
    `siter` or `sjekk` on the same passages does not embed them again. A cache file
    that cannot be read, is cut short, or does not hold one vector of the embedder's
    dimension per key (see `read_cache_file`) is discarded and written anew; one that
    cannot be written is simply not used."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._vectors: dict[str, dict[str, np.ndarray]] = {}

    def _path(self, embedder_id: str) -> Path | None:
        if self.folder is None:
            return None
        slug = hashlib.sha1(embedder_id.encode()).hexdigest()[:16]
        return self.folder / f"{slug}.npz"

    def _table(self, embedder_id: str, dim: int) -> dict[str, np.ndarray]:
        if embedder_id not in self._vectors:
            path = self._path(embedder_id)
            self._vectors[embedder_id] = read_cache_file(path, dim) if path is not None and path.is_file() else {}
        return self._vectors[embedder_id]

    def embed(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of `texts`; the ones not cached are embedded in one batch."""
        import numpy as np

        table = self._table(embedder.id, embedder.dim)
        keys = [_text_key(t) for t in texts]
        todo_texts = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in table))
        if todo_texts:
            if len(table) + len(todo_texts) > MAX_SENTENCE_CACHE_ROWS:
                table.clear()
            for t, v in zip(todo_texts, embedder.embed_passages(todo_texts), strict=True):
                table[_text_key(t)] = np.asarray(v, dtype=np.float32)
            self._save(embedder.id, table)
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([table[k] for k in keys])

    def _save(self, embedder_id: str, table: dict[str, np.ndarray]) -> None:
        import os

        import numpy as np

        path = self._path(embedder_id)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(tmp, keys=np.array([k.encode() for k in table], dtype=_KEY_DTYPE), vectors=np.stack(list(table.values())))
            os.replace(tmp, path)
        except OSError:
            pass


def read_cache_file(path: Path, dim: int) -> dict[str, np.ndarray]:
    """The (key -> vector) table of a sentence cache file; {} for a file that is not
    one: not a zip of the two arrays, cut short, keys that are not SHA-1 digests, not
    one float32 row of `dim` per key, or more rows than MAX_SENTENCE_CACHE_ROWS. The
    array headers are checked before anything is read, so a header that claims a huge
    array allocates nothing."""
    import zipfile

    import numpy as np

    try:
        with zipfile.ZipFile(path) as zf:
            if sorted(zf.namelist()) != ["keys.npy", "vectors.npy"]:
                return {}
            keys_shape, keys_dtype = _member_header(zf, "keys.npy")
            vec_shape, vec_dtype = _member_header(zf, "vectors.npy")
            rows = keys_shape[0] if len(keys_shape) == 1 else -1
            if not 0 < rows <= MAX_SENTENCE_CACHE_ROWS or vec_shape != (rows, dim):
                return {}
            if keys_dtype != np.dtype(_KEY_DTYPE) or vec_dtype != np.dtype(np.float32):
                return {}
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
        table = {k.decode("ascii"): v for k, v in zip(keys, vectors, strict=True)}
    except Exception:  # noqa: BLE001 - zipfile, numpy and a damaged file raise many kinds: the cache is only a cache
        return {}
    if not all(len(k) == 40 and _HEX.fullmatch(k) for k in table):
        return {}
    return table


_HEX = re.compile(r"[0-9a-f]+")


def _member_header(zf: Any, name: str) -> tuple[tuple[int, ...], Any]:
    """(shape, dtype) of an .npy member of a zip, from its header alone."""
    import numpy as np

    with zf.open(name) as fh:
        version = np.lib.format.read_magic(fh)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(fh)
    return tuple(shape), dtype


class QueryMemo:
    """An embedder that remembers its last query embeddings: the search and the
    sentence scoring embed the same claim, and a draft repeats its claims."""

    def __init__(self, embedder: Embedder, size: int = 256) -> None:
        self.inner = embedder
        self.id = embedder.id
        self.dim = embedder.dim
        self._size = size
        self._memo: dict[str, np.ndarray] = {}

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self._memo:
            if len(self._memo) >= self._size:
                self._memo.pop(next(iter(self._memo)))
            self._memo[text] = self.inner.embed_query(text)
        return self._memo[text]


def memo(embedder: Embedder | None) -> Embedder | None:
    if embedder is None or isinstance(embedder, QueryMemo):
        return embedder
    return QueryMemo(embedder)


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


_CACHES: dict[Path | None, SentenceCache] = {}


def sentence_cache(index: LoadedIndex) -> SentenceCache:
    """The sentence cache of an index (one per index folder and process)."""
    folder = index.folder.parent / SENTENCE_CACHE if index.folder is not None else None
    if folder not in _CACHES:
        _CACHES[folder] = SentenceCache(folder)
    return _CACHES[folder]


def score_hits(
    index: LoadedIndex, embedder: Embedder | None, claim: str, hits: Sequence[Hit]
) -> list[Support]:
    """Score each hit by its best supporting sentence; best first."""
    import numpy as np

    claim = " ".join(claim.split())
    terms = list(dict.fromkeys(tokenize(claim)))
    idf, unknown = index.lexical.idf, rarest_idf(len(index.chunks))
    cands: list[tuple[int, tuple[int, int], str]] = []
    for i, h in enumerate(hits):
        # a marking's «Kommentar: …» is the student's own words, never the source's support
        end = _source_words_end(h.chunk)
        for a, b in candidate_sentences(h.chunk.text[:end]):
            cands.append((i, (a, b), h.chunk.text[a:b]))
    if not cands:
        return []
    cos: list[float | None] = [None] * len(cands)
    scale = cosine_scale(embedder.id) if embedder is not None else (COS_FLOOR, COS_CEIL)
    if embedder is not None:
        q = embedder.embed_query(claim)
        sims = sentence_cache(index).embed(embedder, [c[2] for c in cands]) @ np.asarray(q, dtype=np.float32)
        cos = [float(x) for x in sims]
    best: dict[int, Support] = {}
    for (i, span, text), c in zip(cands, cos, strict=True):
        overlap = term_overlap(terms, text, idf, unknown)
        score = support_score(c, overlap, scale)
        if i not in best or score > best[i].score:
            best[i] = Support(hits[i], span, score, c, overlap, None)
    out = sorted(best.values(), key=_preference)
    return [_with_quotation(index, claim, s) for s in out]


OWN_COMMENT = "Kommentar: "  # how a marking passage (Zotero or PDF /Annots) gives the student's comment


def _source_words_end(chunk: Chunk) -> int:
    """Where the source's own words end in a chunk: before the comment of a marking."""
    if not chunk.own_marking:
        return len(chunk.text)
    if chunk.text.startswith(OWN_COMMENT):
        return 0
    at = chunk.text.find("\n\n" + OWN_COMMENT)
    return len(chunk.text) if at < 0 else at


UNPAGED_PENALTY = 0.1  # a passage without a printed page gives a weaker citation


def _preference(s: Support) -> tuple[bool, float, int]:
    """Best first, but the student's own notes (nothing to cite) after every source,
    and a passage without a page only ahead of a paged one by a clear margin."""
    own = s.hit.chunk.source_key.startswith("notat:")
    penalty = UNPAGED_PENALTY if not s.hit.chunk.pages else 0.0
    return own, -(s.score - penalty), s.hit.rank


def _with_quotation(index: LoadedIndex, claim: str, s: Support) -> Support:
    from dataclasses import replace

    found = quoted_wording(claim, s.sentence_text)
    if found is None:
        return s
    run, ratio, text = found
    pages = s.hit.chunk.pages_of(*s.sentence)
    return replace(s, quotation=Quotation(run, ratio, text, quote_citation(index, s.hit, text, pages)))


def quote_citation(index: LoadedIndex, hit: Hit, text: str, pages: str | None = None) -> str:
    """«text» (Author, year, s. N) through `cite.quote`, with the printed pages of the
    quoted sentence (default: the whole passage's)."""
    from .cite import quote
    from .model import Source

    src = index.sources.get(hit.chunk.source_key, {})
    source = Source(key=hit.chunk.source_key, csl=dict(src.get("csl") or {"title": src.get("title", "")}))
    from .model import ORIGIN_PDF_INDEX

    pdf_pages = hit.chunk.label_origin == ORIGIN_PDF_INDEX  # unlabelled PDF pages, as in the hit
    from .cite import secondary_of  # a note's `## s. 180 – sitert: Biestek (1957)`

    shown = hit.chunk.pages if pages is None else pages
    return quote(source, shown, text, pdf_pages=pdf_pages, secondary=secondary_of(hit.chunk.heading))


def support_claim(
    index: LoadedIndex,
    embedder: Embedder | None,
    claim: str,
    *,
    k: int = 3,
    mode: str = "hybrid",
    dense_weight: float = 0.5,
    sources: Sequence[str] = (),
) -> ClaimResult:
    """The `k` best supporting passages of `claim` among the top search hits."""
    from .search import clean_query, search

    claim = clean_query(claim)
    embedder = memo(embedder)
    hits = search(index, embedder, claim, k=max(k, CANDIDATES), mode=mode, dense_weight=dense_weight, sources=sources)
    return ClaimResult(claim=claim, supports=tuple(score_hits(index, embedder, claim, hits)[: max(k, 1)]))
