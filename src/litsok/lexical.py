"""Norwegian lexical retrieval: tokenizer (lower-case, Snowball stemmer,
Norwegian stop-words) and a BM25 index (bm25s) saved without pickle.

bm25s and PyStemmer are imported lazily so that commands that do not search
never pay for them."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

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


def tokenize(text: str, *, stem: bool = True, stopwords: bool = True) -> list[str]:
    """Text -> BM25 terms: words minus Norwegian stop-words, Snowball-stemmed."""
    toks = [t for t in words(text) if not (stopwords and t in STOPWORDS_NO)]
    toks = [t for t in toks if len(t) > 1 or t.isdigit()]
    if stem and toks:
        toks = list(_stemmer().stemWords(toks))
    return toks


class LexicalIndex:
    """BM25 over chunk texts. `scores(query)` gives one score per chunk."""

    def __init__(self, bm25: Any, n_docs: int) -> None:
        self._bm25 = bm25
        self.n_docs = n_docs

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        import bm25s

        corpus = [tokenize(t) or ["_"] for t in texts]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        return cls(bm25, len(texts))

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, n_docs: int) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), allow_pickle=False), n_docs)

    def query_terms(self, query: str) -> list[str]:
        """Stemmed query terms that exist in the vocabulary."""
        vocab = self._bm25.vocab_dict
        return [t for t in tokenize(query) if t in vocab]

    def scores(self, query: str) -> np.ndarray:
        import numpy as np

        terms = self.query_terms(query)
        if not terms:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (0 when unknown)."""
        import math

        vocab = self._bm25.vocab_dict
        if term not in vocab:
            return 0.0
        tid = vocab[term]
        indptr = self._bm25.scores["indptr"]
        df = int(indptr[tid + 1] - indptr[tid])
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))
