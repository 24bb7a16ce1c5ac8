"""The index folder: generations written whole, then switched atomically.

    index/
      CURRENT                    name of the live generation (replaced atomically)
      .lock                      held by a running `litsok indekser`
      gen-20261126T154300-1234/  one complete index:
        manifest.json            format version, embedder, chunker, files + hashes
        chunks.jsonl             one chunk per line, with its citation and embedding key
        pages.jsonl              the pages the chunks were cut from (for `litsok vis`)
        vectors.faiss            FAISS index, row i = line i of chunks.jsonl
        vectors.npy              the same vectors for an exact index (queries read it with numpy)
        bm25/                    bm25s index (no pickle)
        sources.json             the sources: title, CSL metadata, missing fields

A writer builds a new generation beside the live one and only then points
CURRENT at it, so an interrupted run (Ctrl-C, kill -9, full disk) leaves the
previous index usable, and a reader never sees a half-written index.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import IndexFormatError, IndexLockedError, IndexMissingError, LitsokError
from .model import Chunk, Page

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .lexical import LexicalIndex
    from .vectors import MatrixIndex, VectorIndex

FORMAT_VERSION = 2  # 2: chunks carry page_breaks
CURRENT = "CURRENT"
LOCK = ".lock"


@dataclass(frozen=True)
class FileRecord:
    """One corpus file as it was indexed."""

    file: str
    sha256: str
    kind: str  # "notat" | "pdf"
    source_key: str
    title: str
    pages: int
    chunks: int
    page_origin: str
    warnings: tuple[str, ...] = ()
    settings_key: str = ""  # what else decided the pages (PDF: source, first page, page range)


@dataclass(frozen=True)
class Manifest:
    format_version: int
    embedder_id: str
    embedder_dim: int
    embedder_version: str
    chunker: dict[str, Any]
    embed_context: str
    files: tuple[FileRecord, ...]
    bibliography: dict[str, str]  # bibliography file -> sha256
    created: str
    seconds: float
    failed: dict[str, str] = field(default_factory=dict)  # file -> reason

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["files"] = [asdict(f) for f in self.files]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Manifest:
        d = dict(d)
        d["files"] = tuple(FileRecord(**{**f, "warnings": tuple(f.get("warnings", ()))}) for f in d["files"])
        return cls(**d)


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as stored: the chunk, its ready citation and the key of its embedding."""

    chunk: Chunk
    citation: str
    embed_key: str


@dataclass
class LoadedIndex:
    folder: Path
    manifest: Manifest
    chunks: list[StoredChunk]
    sources: dict[str, dict[str, Any]]
    _vectors: VectorIndex | MatrixIndex | None = None
    _lexical: LexicalIndex | None = None
    _pages: list[Page] | None = None

    @property
    def pages(self) -> list[Page]:
        if self._pages is None:
            path = self.folder / "pages.jsonl"
            self._pages = [Page.from_json(json.loads(line)) for line in _lines(path)] if path.exists() else []
        return self._pages

    @property
    def vectors(self) -> VectorIndex | MatrixIndex:
        """The dense index: numpy for an exact one (`vectors.npy`), else FAISS."""
        if self._vectors is None:
            from .vectors import MATRIX_FILE, MatrixIndex, VectorIndex

            matrix = self.folder / MATRIX_FILE
            self._vectors = MatrixIndex.load(matrix) if matrix.exists() else VectorIndex.load(self.folder / "vectors.faiss")
        return self._vectors

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            from .lexical import LexicalIndex

            self._lexical = LexicalIndex.load(self.folder / "bm25", len(self.chunks))
        return self._lexical


def current_generation(root: Path) -> Path | None:
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = root / name
    return gen if name and gen.is_dir() else None


def read_manifest(root: Path) -> Manifest:
    """The live manifest; clear errors when there is none or it is from another format."""
    gen = current_generation(root)
    if gen is None:
        raise IndexMissingError(
            f"Fant ingen indeks i «{root}». Kjør `litsok indekser` først (eller pek på riktig mappe med --indeks)."
        )
    try:
        raw = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexFormatError(
            f"Indeksen i «{root}» er skadet ({gen.name}/manifest.json kan ikke leses). Kjør `litsok indekser --alt`."
        ) from exc
    version = raw.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexFormatError(
            f"Indeksen i «{root}» har formatversjon {version}, denne versjonen av litsok bruker {FORMAT_VERSION}. "
            "Kjør `litsok indekser --alt` for å bygge den på nytt."
        )
    try:
        return Manifest.from_json(raw)
    except TypeError as exc:
        raise IndexFormatError(
            f"Indeksen i «{root}» har et manifest litsok ikke forstår. Kjør `litsok indekser --alt`."
        ) from exc


def load_index(root: Path) -> LoadedIndex:
    manifest = read_manifest(root)
    gen = current_generation(root)
    assert gen is not None
    try:
        chunks = [_stored_from_json(json.loads(line)) for line in _lines(gen / "chunks.jsonl")]
        sources = json.loads((gen / "sources.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexFormatError(f"Indeksen i «{root}» er skadet ({exc}). Kjør `litsok indekser --alt`.") from exc
    return LoadedIndex(folder=gen, manifest=manifest, chunks=chunks, sources=sources)


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield line


def _stored_from_json(d: dict[str, Any]) -> StoredChunk:
    citation = d.pop("citation")
    embed_key = d.pop("embed_key")
    return StoredChunk(Chunk.from_json(d), citation, embed_key)


class IndexWriter:
    """Holds the index lock; writes a new generation and switches to it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock_fh: IO[str] | None = None

    def __enter__(self) -> IndexWriter:
        import fcntl

        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = open(self.root / LOCK, "a+", encoding="utf-8")  # noqa: SIM115 - held until __exit__
        except OSError as exc:
            raise LitsokError(
                f"Kan ikke skrive til indeksmappen «{self.root}» ({exc.strerror}). "
                "Velg en mappe du har skrivetilgang til med --indeks, eller rett rettighetene."
            ) from exc
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            raise IndexLockedError(
                f"En annen `litsok indekser` skriver allerede til «{self.root}». Vent til den er ferdig og prøv igjen."
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._lock_fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    def new_generation(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        gen = self.root / f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        gen.mkdir()
        return gen

    def write(
        self,
        gen: Path,
        manifest: Manifest,
        chunks: Sequence[StoredChunk],
        vectors: np.ndarray,
        sources: dict[str, dict[str, Any]],
        pages: Sequence[Page] = (),
    ) -> None:
        from .lexical import LexicalIndex
        from .vectors import VectorIndex

        with (gen / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for sc in chunks:
                rec = sc.chunk.to_json() | {"citation": sc.citation, "embed_key": sc.embed_key}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        with (gen / "pages.jsonl").open("w", encoding="utf-8") as fh:
            for page in pages:
                fh.write(json.dumps(page.to_json(), ensure_ascii=False) + "\n")
        VectorIndex.build(vectors).save(gen / "vectors.faiss")
        (gen / "bm25").mkdir()
        LexicalIndex.build([lexical_text(sc.chunk) for sc in chunks]).save(gen / "bm25")
        _write_json(gen / "sources.json", sources)
        _write_json(gen / "manifest.json", manifest.to_json())  # last: marks the generation complete
        _fsync_tree(gen)

    def commit(self, gen: Path) -> None:
        """Point CURRENT at `gen` atomically, then remove older generations."""
        tmp = self.root / (CURRENT + ".tmp")
        tmp.write_text(gen.name, encoding="utf-8")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / CURRENT)
        self.cleanup(keep=gen)

    def cleanup(self, keep: Path | None) -> None:
        live = current_generation(self.root)
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith("gen-") and child not in (keep, live):
                shutil.rmtree(child, ignore_errors=True)


def lexical_text(chunk: Chunk) -> str:
    """What BM25 sees: the passage plus its section heading."""
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _fsync_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            with p.open("rb") as fh:
                os.fsync(fh.fileno())
