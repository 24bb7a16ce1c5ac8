"""Norwegian lexical retrieval: tokenizer (lower-case, Snowball stemmer,
Norwegian stop-words) and a BM25 index (bm25s) saved without pickle.

bm25s and PyStemmer are imported lazily so that commands that do not search
never pay for them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

# Snowball's Norwegian stop-word list (bokmål and nynorsk), as shipped with
# Snowball and bm25s; bm25s' default list is English and useless here.
STOPWORDS_NO: frozenset[str] = frozenset(
    """alle at av bare begge ble blei bli blir blitt både båe da de deg dei deim deira
    deires dem den denne der dere deres det dette di din disse ditt du dykk dykkar då eg
    ein eit eitt eller elles en enn er et ett etter for fordi fra før ha hadde han hans
    har hennar henne hennes her hjå ho hoe honom hoss hossen hun hva hvem hver hvilke
    hvilken hvis hvor hvordan hvorfor i ikke ikkje ingen ingi inkje inn inni ja jeg kan
    kom korleis korso kun kunne kva kvar kvarhelst kven kvi kvifor man mange me med medan
    meg meget mellom men mi min mine mitt mot mykje ned no noe noen noka noko nokon nokor
    nokre nå når og også om opp oss over på samme seg selv si sia sidan siden sin sine
    sitt sjøl skal skulle slik so som somme somt så sånn til um upp ut uten var vart varte
    ved vere verte vi vil ville vore vors vort vår være vært å""".split()
)

_TOKEN = re.compile(r"\w+", re.UNICODE)

DECOMPOUND = False  # split compounds for BM25 (see Decompounder and docs/retrieval.md)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer

    return Stemmer.Stemmer("norwegian")


def normalize(text: str) -> str:
    """Unicode NFC and lower case; old spellings aa/ae/oe are left alone."""
    return unicodedata.normalize("NFC", text).lower()


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters/digits), stop-words kept."""
    return _TOKEN.findall(normalize(text))


def tokenize(
    text: str, *, stem: bool = True, stopwords: bool = True, decompounder: Decompounder | None = None
) -> list[str]:
    """Text -> BM25 terms: words minus Norwegian stop-words, Snowball-stemmed.
    With a decompounder, the parts of a compound are added after the word
    (`barnevernstjenesten` -> barnevernstjenest, barnevern, tjenest)."""
    toks = [t for t in words(text) if not (stopwords and t in STOPWORDS_NO)]
    toks = [t for t in toks if len(t) > 1 or t.isdigit()]
    if decompounder is not None:
        toks = [part for t in toks for part in (t, *decompounder.split(t))]
    if stem and toks:
        toks = list(_stemmer().stemWords(toks))
    return toks


class Decompounder:
    """Frequency-based compound splitting over the corpus' own vocabulary
    (Koehn & Knight, 2003): split a word into known parts, with an optional
    linking -s- or -e-, when the parts are more frequent than the whole.
    Norwegian writes compounds as one word (`aktivitetsplikten`), which the
    Snowball stemmer leaves whole, so `aktivitetsplikt` and `plikt` never meet."""

    MIN_WORD = 8
    MIN_PART = 4
    MIN_COUNT = 2
    LINKS = ("", "s", "e")

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self._cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> Decompounder:
        counts: dict[str, int] = {}
        for t in texts:
            for w in words(t):
                if len(w) >= cls.MIN_PART and not w.isdigit():
                    counts[w] = counts.get(w, 0) + 1
        return cls({w: c for w, c in counts.items() if c >= cls.MIN_COUNT})

    def _known(self, part: str) -> int:
        return self.counts.get(part, 0) if len(part) >= self.MIN_PART and part not in STOPWORDS_NO else 0

    def split(self, word: str, depth: int = 2) -> tuple[str, ...]:
        """The parts of a compound (not the word itself); () when it is not one."""
        if len(word) < self.MIN_WORD or depth == 0 or not word.isalpha():
            return ()
        key = f"{depth}:{word}"
        if key in self._cache:
            return self._cache[key]
        best: tuple[str, str] | None = None
        best_score = float(self.counts.get(word, 0))
        for i in range(self.MIN_PART, len(word) - self.MIN_PART + 1):
            head = word[i:]
            c_head = self._known(head)
            if not c_head:
                continue
            for link in self.LINKS:
                left = word[:i]
                if link:
                    if not left.endswith(link):
                        continue
                    left = left[: -len(link)]
                c_left = self._known(left)
                if c_left and (c_left * c_head) ** 0.5 > best_score:
                    best, best_score = (left, head), (c_left * c_head) ** 0.5
        parts: tuple[str, ...] = ()
        if best:
            left, head = best
            parts = (left, *self.split(left, depth - 1), head, *self.split(head, depth - 1))
        self._cache[key] = parts
        return parts


class LexicalIndex:
    """BM25 over chunk texts. `scores(query)` gives one score per chunk.

    Built and saved by bm25s (Lucene variant, eager score matrix). Loading reads
    bm25s' saved arrays with numpy alone, so a query never imports bm25s or scipy
    (~0.2 s of a cold `litsok spør`); the scores are the same (see the tests)."""

    def __init__(
        self,
        vocab: dict[str, int],
        data: np.ndarray,
        indices: np.ndarray,
        indptr: np.ndarray,
        n_docs: int,
        decompounder: Decompounder | None = None,
    ) -> None:
        self.vocab = vocab
        self._data = data
        self._indices = indices
        self._indptr = indptr
        self.n_docs = n_docs
        self.decompounder = decompounder

    @classmethod
    def build(cls, texts: Sequence[str], *, decompound: bool = DECOMPOUND) -> LexicalIndex:
        import bm25s
        import numpy as np

        dec = Decompounder.from_texts(texts) if decompound else None
        corpus = [tokenize(t, decompounder=dec) or ["_"] for t in texts]
        bm25 = bm25s.BM25(method="lucene")
        bm25.index(corpus, show_progress=False)
        sc = bm25.scores
        return cls(
            dict(bm25.vocab_dict),
            np.asarray(sc["data"]),
            np.asarray(sc["indices"]),
            np.asarray(sc["indptr"]),
            int(sc["num_docs"]),
            dec,
        )

    def save(self, folder: Path) -> None:
        """Writes bm25s' own file layout (readable by `bm25s.BM25.load`)."""
        import json

        import numpy as np

        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "data.csc.index.npy", self._data, allow_pickle=False)
        np.save(folder / "indices.csc.index.npy", self._indices, allow_pickle=False)
        np.save(folder / "indptr.csc.index.npy", self._indptr, allow_pickle=False)
        (folder / "vocab.index.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        params = {"k1": 1.5, "b": 0.75, "delta": 0.5, "method": "lucene", "idf_method": "lucene",
                  "dtype": "float32", "int_dtype": "int32", "num_docs": self.n_docs, "backend": "numpy"}
        (folder / "params.index.json").write_text(json.dumps(params, indent=1), encoding="utf-8")
        if self.decompounder is not None:
            (folder / "litsok-ordliste.json").write_text(
                json.dumps(self.decompounder.counts, ensure_ascii=False), encoding="utf-8"
            )

    @classmethod
    def load(cls, folder: Path, n_docs: int) -> LexicalIndex:
        import json

        import numpy as np

        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        words_file = folder / "litsok-ordliste.json"
        dec = Decompounder(json.loads(words_file.read_text(encoding="utf-8"))) if words_file.exists() else None
        return cls(
            vocab,
            np.load(folder / "data.csc.index.npy", allow_pickle=False),
            np.load(folder / "indices.csc.index.npy", allow_pickle=False),
            np.load(folder / "indptr.csc.index.npy", allow_pickle=False),
            n_docs,
            dec,
        )

    def query_terms(self, query: str) -> list[str]:
        """Stemmed query terms that exist in the vocabulary."""
        return [t for t in tokenize(query, decompounder=self.decompounder) if t in self.vocab]

    def scores(self, query: str) -> np.ndarray:
        import numpy as np

        ids = [self.vocab[t] for t in self.query_terms(query)]
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        slices = [slice(int(self._indptr[i]), int(self._indptr[i + 1])) for i in ids]
        docs = np.concatenate([self._indices[s] for s in slices])
        weights = np.concatenate([self._data[s] for s in slices])
        return np.bincount(docs, weights=weights, minlength=self.n_docs).astype(np.float32)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (0 when unknown)."""
        import math

        tid = self.vocab.get(term)
        if tid is None:
            return 0.0
        df = int(self._indptr[tid + 1] - self._indptr[tid])
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))
