"""The dense side: a FAISS index of L2-normalised vectors.

Exact inner product (`IndexFlatIP`) is right up to ~100k chunks; above
`HNSW_THRESHOLD` an HNSW graph is built instead (the seam for big corpora).
faiss is imported lazily."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

HNSW_THRESHOLD = 100_000
MATRIX_FILE = "vectors.npy"


class VectorIndex:
    def __init__(self, index: Any) -> None:
        self._index = index
        self._matrix: np.ndarray | None = None

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def exact(self) -> bool:
        return type(self._index).__name__ == "IndexFlatIP"

    @classmethod
    def build(cls, vectors: np.ndarray) -> VectorIndex:
        import faiss
        import numpy as np

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        index: Any
        if n >= HNSW_THRESHOLD:
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efSearch = 128
        else:
            index = faiss.IndexFlatIP(dim)
        if n:
            index.add(vectors)
        return cls(index)

    def save(self, path: Path) -> None:
        """Writes the FAISS index; an exact index also as `vectors.npy` beside it,
        which queries read with numpy alone (no faiss import on the query path)."""
        import faiss
        import numpy as np

        faiss.write_index(self._index, str(path))
        if self.exact:
            np.save(path.with_name(MATRIX_FILE), self.vectors(), allow_pickle=False)

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        import faiss

        return cls(faiss.read_index(str(path)))

    def vectors(self) -> np.ndarray:
        """All stored vectors (row i = chunk i)."""
        import numpy as np

        if self.size == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._index.reconstruct_n(0, self.size), dtype=np.float32)

    def scores(self, query: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, inner products). Exact index: every chunk, in id order.
        Approximate index: the `top` nearest only."""
        import numpy as np

        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if self.exact:
            if self._matrix is None:
                self._matrix = self.vectors()
            return np.arange(self.size), self._matrix @ q[0]
        dist, ids = self._index.search(q, min(top, self.size))
        keep = ids[0] >= 0
        return ids[0][keep], dist[0][keep]


class MatrixIndex:
    """Exact inner-product search over `vectors.npy` with numpy: what a query on
    an exact index needs, without importing faiss (~35 ms of a cold query)."""

    exact = True

    def __init__(self, matrix: np.ndarray) -> None:
        self._matrix = matrix

    @classmethod
    def load(cls, path: Path) -> MatrixIndex:
        import numpy as np

        return cls(np.load(path, allow_pickle=False))

    @property
    def size(self) -> int:
        return int(self._matrix.shape[0])

    @property
    def dim(self) -> int:
        return int(self._matrix.shape[1])

    def vectors(self) -> np.ndarray:
        return self._matrix

    def scores(self, query: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        q = np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
        return np.arange(self.size), self._matrix @ q
