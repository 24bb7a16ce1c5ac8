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
        .litsok-generation       the index id: marks the folder as litsok's own
      .litsok-index              the index id (JSON): marks the whole folder as a litsok index
      ocr-cache/, setningscache/ caches beside the generations

litsok only ever deletes what it created: a generation folder is removed only
when its `.litsok-generation` marker carries this index's id, and a folder that
holds anything else (a student's own files) is refused as an index folder
unless it is empty or already a litsok index.

A writer builds a new generation beside the live one and only then points
CURRENT at it, so an interrupted run (Ctrl-C, kill -9, full disk) leaves the
previous index usable, and a reader never sees a half-written index.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import IndexFolderError, IndexFormatError, IndexLockedError, IndexMissingError, LitsokError
from .model import Chunk, Page

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .lexical import LexicalIndex
    from .vectors import MatrixIndex, VectorIndex

FORMAT_VERSION = 2  # 2: chunks carry page_breaks
CURRENT = "CURRENT"
LOCK = ".lock"
INDEX_MARKER = ".litsok-index"  # in the index folder: {"litsok_index": id}
GEN_MARKER = ".litsok-generation"  # in each generation: the index id
# Everything litsok itself puts in an index folder; anything else makes it foreign.
OWN_NAMES = frozenset({CURRENT, CURRENT + ".tmp", LOCK, INDEX_MARKER, "ocr-cache", "setningscache"})
GEN_NAME = re.compile(r"gen-\d{8}T\d{6}-\d+-\d+")
# The files a generation of an index written before the markers (litsok 0.1) holds.
LEGACY_GEN_FILES = frozenset(
    {"manifest.json", "chunks.jsonl", "pages.jsonl", "vectors.faiss", "vectors.npy", "bm25", "sources.json"}
)


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
    settings_key: str = ""  # what else decided the pages (PDF: reader, source, first page, page range)
    page_notes: tuple[str, ...] = ()  # PDF: disagreements resolved while deciding the printed pages


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
        d["files"] = tuple(FileRecord(**{**f, "warnings": tuple(f.get("warnings", ())), "page_notes": tuple(f.get("page_notes", ()))}) for f in d["files"])
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
    """The live generation. CURRENT is read again when it names a folder that is
    gone: a writer may have switched twice since it was read."""
    for attempt in range(5):
        try:
            name = (root / CURRENT).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        gen = root / name
        if name and gen.is_dir():
            return gen
        time.sleep(0.02 * (attempt + 1))
    return None


def read_manifest(root: Path, gen: Path | None = None) -> Manifest:
    """The live manifest (or that of `gen`); clear errors when there is none or it is from another format."""
    gen = gen or current_generation(root)
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
    """The live generation, read whole; when a writer removes it while it is read
    (it was replaced twice in the meantime), the new live one is read instead."""
    for attempt in range(5):
        gen = current_generation(root)
        try:
            return _load_generation(root, gen)
        except LitsokError:
            if gen is None or gen.is_dir() or attempt == 4:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _load_generation(root: Path, gen: Path | None) -> LoadedIndex:
    manifest = read_manifest(root, gen)
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
        self.index_id = ""
        self._lock_fh: IO[str] | None = None

    def __enter__(self) -> IndexWriter:

        check_index_folder(self.root)  # before anything is written there
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = open(self.root / LOCK, "a+", encoding="utf-8")  # noqa: SIM115 - held until __exit__
        except OSError as exc:
            raise LitsokError(
                f"Kan ikke skrive til indeksmappen «{self.root}» ({exc.strerror}). "
                "Velg en mappe du har skrivetilgang til med --indeks, eller rett rettighetene."
            ) from exc
        try:
            _lock(fh)
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
        try:
            self.index_id = _claim(self.root)
        except OSError as exc:
            self.__exit__()
            raise LitsokError(
                f"Kan ikke skrive til indeksmappen «{self.root}» ({exc.strerror}). "
                "Velg en mappe du har skrivetilgang til med --indeks, eller rett rettighetene."
            ) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    def new_generation(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        gen = self.root / f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        gen.mkdir()
        (gen / GEN_MARKER).write_text(self.index_id, encoding="utf-8")
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
        previous = current_generation(self.root)
        tmp = self.root / (CURRENT + ".tmp")
        tmp.write_text(gen.name, encoding="utf-8")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / CURRENT)
        # The generation that was live until now stays one run longer: a reader that
        # opened it a moment ago (`spør` while `indekser` runs) can still finish.
        self.cleanup(keep=gen, also_keep=previous)

    def cleanup(self, keep: Path | None, also_keep: Path | None = None) -> None:
        """Remove old generations: only folders that carry this index's marker."""
        live = current_generation(self.root)
        for child in self.root.iterdir():
            if child in (keep, live, also_keep) or not _is_own_generation(child, self.index_id):
                continue
            complete = (child / "manifest.json").exists()
            if keep is not None and complete and _age(child) < GRACE_SECONDS:
                continue  # live less than a minute ago: a reader may still be on it (the next run removes it)
            shutil.rmtree(child, ignore_errors=True)


GRACE_SECONDS = 60.0  # a replaced generation younger than this is left for readers (the next run removes it)


def _age(path: Path) -> float:
    try:
        return time.time() - (path / GEN_MARKER).stat().st_mtime
    except OSError:
        return GRACE_SECONDS


LOCK_WAIT = 0.5  # seconds to wait for the lock: a process forked a moment ago may hold a copy of it briefly


def _lock(fh: IO[str]) -> None:
    import fcntl

    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def check_index_folder(root: Path) -> None:
    """Refuse an index folder that holds files litsok did not create.

    An index folder is fine when it does not exist yet, is empty, carries the
    index marker, or is an index from before the markers (CURRENT + generations
    with litsok's files only). Anything else is somebody's folder: raise."""
    if not root.exists() and not root.is_symlink():
        return
    if not root.is_dir():
        raise IndexFolderError(
            f"«{root}» er en fil, ikke en mappe. Velg en egen mappe for indeksen med --indeks, f.eks. --indeks index."
        )
    if (root / INDEX_MARKER).is_file():
        return
    try:
        foreign = sorted(c.name for c in root.iterdir() if c.name not in OWN_NAMES and not _is_legacy_generation(c))
    except OSError as exc:
        raise LitsokError(f"Kan ikke lese indeksmappen «{root}» ({exc.strerror}). Rett rettighetene eller velg en annen mappe med --indeks.") from exc
    if foreign:
        shown = ", ".join(f"«{n}»" for n in foreign[:3]) + (f" og {len(foreign) - 3} til" if len(foreign) > 3 else "")
        raise IndexFolderError(
            f"Indeksmappen «{root}» inneholder filer som ikke er litsoks ({shown}). litsok skriver bare i en tom mappe "
            "eller en eksisterende litsok-indeks, så ingenting av ditt blir overskrevet eller slettet. "
            "Velg en egen mappe med --indeks, f.eks. --indeks index."
        )


def _claim(root: Path) -> str:
    """The id of the index in `root`; marks the folder (and a legacy live generation) as litsok's."""
    marker = root / INDEX_MARKER
    try:
        index_id = str(json.loads(marker.read_text(encoding="utf-8"))["litsok_index"])
    except (OSError, ValueError, KeyError, TypeError):
        index_id = ""
    if not index_id:
        index_id = uuid.uuid4().hex
        _write_json(marker, {"litsok_index": index_id})
        for child in root.iterdir():  # adopt generations of an index from before the markers
            if _is_legacy_generation(child):
                (child / GEN_MARKER).write_text(index_id, encoding="utf-8")
    return index_id


def _is_own_generation(path: Path, index_id: str) -> bool:
    if path.is_symlink() or not path.is_dir() or not path.name.startswith("gen-"):
        return False
    try:
        return (path / GEN_MARKER).read_text(encoding="utf-8").strip() == index_id
    except (OSError, UnicodeDecodeError):
        return False


def _is_legacy_generation(path: Path) -> bool:
    """A generation folder written by litsok: its exact name pattern and only litsok's files."""
    if path.is_symlink() or not path.is_dir() or not GEN_NAME.fullmatch(path.name):
        return False
    try:
        names = {c.name for c in path.iterdir()}
    except OSError:
        return False
    return names <= LEGACY_GEN_FILES | {GEN_MARKER}


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
