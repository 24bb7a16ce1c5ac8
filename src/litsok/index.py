"""The index folder: generations written whole, then switched atomically.

    index/
      CURRENT                    name of the live generation (replaced atomically)
      .lock                      held by a running `litsok indekser`
      gen-20261126T154300-1234/  one complete index:
        manifest.json            format version, embedder, chunker, corpus files + hashes,
                                 size + SHA-256 of every other file of the generation
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

What is read is checked, so a damaged index (a file missing, extra, cut short,
replaced; JSON of another shape; vectors of the wrong count) is an
`IndexDamagedError` («… er skadet (…) — kjør `litsok indekser --alt`»), never a
traceback and never wrong data. Every load checks each file's size against the
manifest and the shape of what it parses (cheap: a stat per file); `status` and
`indekser` (before it reuses anything) also check every SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from .errors import (
    IndexDamagedError,
    IndexFolderError,
    IndexFormatError,
    IndexLockedError,
    IndexMissingError,
    LitsokError,
)
from .limits import MAX_CURRENT_BYTES, MAX_MANIFEST_BYTES
from .model import Chunk, Page

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .lexical import LexicalIndex
    from .vectors import MatrixIndex, VectorIndex

FORMAT_VERSION = 3  # 2: chunks carry page_breaks; 3: the manifest records every file's size and SHA-256
CURRENT = "CURRENT"
LOCK = ".lock"
MANIFEST = "manifest.json"
INDEX_MARKER = ".litsok-index"  # in the index folder: {"litsok_index": id}
GEN_MARKER = ".litsok-generation"  # in each generation: the index id
OCR_CACHE = "ocr-cache"  # beside the generations: OCR results by PDF hash and page (ingest/ocr.py)
SENTENCE_CACHE = "setningscache"  # beside the generations: sentence embeddings (claim.py)
# Everything litsok itself puts in an index folder; anything else makes it foreign.
OWN_NAMES = frozenset({CURRENT, CURRENT + ".tmp", LOCK, INDEX_MARKER, OCR_CACHE, SENTENCE_CACHE})
GEN_NAME = re.compile(r"gen-\d{8}T\d{6}-\d+-\d+")
# The files a generation of an index written before the markers (litsok 0.1) holds.
LEGACY_GEN_FILES = frozenset(
    {MANIFEST, "chunks.jsonl", "pages.jsonl", "vectors.faiss", "vectors.npy", "bm25", "sources.json"}
)
# bm25s' arrays (lexical.py writes bm25s' own layout): checked for shape before a query uses them.
BM25_ARRAYS = ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")


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
class StoredFile:
    """A file of a generation as the writer left it (path relative to the generation)."""

    bytes: int
    sha256: str


@dataclass(frozen=True)
class FailedFile:
    """A corpus file that could not be read. While its content (`sha256`) and what the
    reader depends on (`settings_key`) stay the same, the next run reports `reason`
    again instead of reading the file again."""

    file: str
    sha256: str
    settings_key: str
    reason: str


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
    failed: dict[str, str] = field(default_factory=dict)  # file -> reason, as reported in this run
    # every file of the generation but the manifest and the marker -> size and SHA-256 (set by IndexWriter.write)
    stored: dict[str, StoredFile] = field(default_factory=dict)
    failures: tuple[FailedFile, ...] = ()  # the failed files with the hash and settings they failed with

    @property
    def chunk_count(self) -> int:
        return sum(f.chunks for f in self.files)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["files"] = [asdict(f) for f in self.files]
        d["failures"] = [asdict(f) for f in self.failures]
        return d

    @classmethod
    def from_json(cls, d: Any) -> Manifest:
        """The manifest from its JSON; raises `ShapeError` naming what does not fit."""
        check_fields(d, _MANIFEST_FIELDS, "manifest.json", exact=False)
        files = tuple(_file_record(f, i) for i, f in enumerate(_list_of(d["files"], "files")))
        stored = {
            _str(rel, "stored"): StoredFile(**check_fields(v, _STORED_FIELDS, f"stored «{rel}»"))
            for rel, v in _dict_of(d["stored"], "stored").items()
        }
        failures = tuple(
            FailedFile(**check_fields(f, _FAILED_FIELDS, f"failures nr. {i + 1}"))
            for i, f in enumerate(_list_of(d["failures"], "failures"))
        )
        for name in ("bibliography", "failed"):
            for k, v in _dict_of(d[name], name).items():
                _str(k, name)
                _str(v, name)
        known = {k: d[k] for k in _MANIFEST_FIELDS}
        return cls(**{**known, "files": files, "stored": stored, "failures": failures})


class ShapeError(Exception):
    """A JSON value read from the index does not have the shape litsok wrote (Norwegian: what is wrong)."""


_MANIFEST_FIELDS: dict[str, type | tuple[type, ...]] = {
    "format_version": int, "embedder_id": str, "embedder_dim": int, "embedder_version": str, "chunker": dict,
    "embed_context": str, "files": list, "bibliography": dict, "created": str, "seconds": (int, float),
    "failed": dict, "stored": dict, "failures": list,
}
_FILE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "file": str, "sha256": str, "kind": str, "source_key": str, "title": str, "pages": int, "chunks": int,
    "page_origin": str, "warnings": list, "settings_key": str, "page_notes": list,
}
_STORED_FIELDS: dict[str, type | tuple[type, ...]] = {"bytes": int, "sha256": str}
_FAILED_FIELDS: dict[str, type | tuple[type, ...]] = {"file": str, "sha256": str, "settings_key": str, "reason": str}
_OPT_INT = (int, type(None))
_CHUNK_FIELDS: dict[str, type | tuple[type, ...]] = {
    "chunk_id": str, "source_key": str, "file": str, "text": str, "page_first": str, "page_last": str,
    "char_start": int, "char_end": int, "pdf_index_first": _OPT_INT, "pdf_index_last": _OPT_INT,
    "label_origin": str, "heading": str, "page_breaks": list, "citation": str, "embed_key": str,
}
_PAGE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "source_key": str, "file": str, "label": str, "text": str, "pdf_index": _OPT_INT, "label_origin": str, "heading": str,
}
# What `kilder`, `vis`, `spør` and `referanser` read of each source (indexing._source_json writes more).
_SOURCE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "title": str, "csl": dict, "files": list, "citation": str, "missing": list, "page_origins": list, "pages": str,
    "chunks": int,
}
# CSL variables that hold names (lists of {"family": ..., "given": ...}) and dates ({"date-parts": [[2012, 5]]}).
CSL_NAME_FIELDS = frozenset(
    {"author", "editor", "translator", "container-author", "collection-editor", "editorial-director", "illustrator",
     "interviewer", "recipient", "reviewed-author", "original-author", "composer", "director"}
)
CSL_DATE_FIELDS = frozenset({"issued", "accessed", "original-date", "event-date", "submitted"})


def check_fields(d: Any, spec: Mapping[str, type | tuple[type, ...]], what: str, *, exact: bool = True) -> dict[str, Any]:
    """`d` if it is a JSON object with every field of `spec` of its type (and, `exact`, no other); else ShapeError."""
    if type(d) is not dict:
        raise ShapeError(f"{what} er ikke et JSON-objekt")
    for name, types in spec.items():
        if name not in d:
            raise ShapeError(f"{what} mangler feltet «{name}»")
        if not isinstance(d[name], types):
            raise ShapeError(f"feltet «{name}» i {what} har feil type")
    if exact and len(d) != len(spec):
        extra = next(k for k in d if k not in spec)
        raise ShapeError(f"{what} har et ukjent felt «{str(extra)[:40]}»")
    return d


def _list_of(v: Any, what: str) -> list[Any]:
    if type(v) is not list:
        raise ShapeError(f"«{what}» er ikke en liste")
    return v


def _dict_of(v: Any, what: str) -> dict[Any, Any]:
    if type(v) is not dict:
        raise ShapeError(f"«{what}» er ikke et JSON-objekt")
    return v


def _str(v: Any, what: str) -> str:
    if type(v) is not str:
        raise ShapeError(f"«{what}» inneholder noe som ikke er tekst")
    return v


def _file_record(d: Any, i: int) -> FileRecord:
    check_fields(d, _FILE_FIELDS, f"files nr. {i + 1}")
    warnings = tuple(_str(w, "warnings") for w in d["warnings"])
    notes = tuple(_str(n, "page_notes") for n in d["page_notes"])
    return FileRecord(**{**d, "warnings": warnings, "page_notes": notes})


def _stored_from_json(d: Any) -> StoredChunk:
    check_fields(d, _CHUNK_FIELDS, "tekstbiten")
    breaks = []
    for b in d["page_breaks"]:
        if type(b) is not list or len(b) != 2 or type(b[0]) is not int or type(b[1]) is not str:
            raise ShapeError("feltet «page_breaks» i tekstbiten har feil form")
        breaks.append((b[0], b[1]))
    fields = {k: v for k, v in d.items() if k not in ("citation", "embed_key")}
    return StoredChunk(Chunk(**{**fields, "page_breaks": tuple(breaks)}), d["citation"], d["embed_key"])


def _page_from_json(d: Any) -> Page:
    return Page(**check_fields(d, _PAGE_FIELDS, "siden"))


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as stored: the chunk, its ready citation and the key of its embedding."""

    chunk: Chunk
    citation: str
    embed_key: str


@dataclass
class LoadedIndex:
    """A generation read from disk. Chunks, sources and the manifest are read (and
    checked) when it is loaded; pages, vectors and the BM25 index when first used,
    and each is checked against the manifest then: a damaged file is an
    `IndexDamagedError`, never wrong data."""

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
            stored = "pages.jsonl" in self.manifest.stored
            self._pages = _read_jsonl(self.folder, "pages.jsonl", _page_from_json) if stored else []
        return self._pages

    @property
    def vectors(self) -> VectorIndex | MatrixIndex:
        """The dense index: numpy for an exact one (`vectors.npy`), else FAISS."""
        if self._vectors is None:
            self._vectors = _load_vectors(self.folder, self.manifest, len(self.chunks))
        return self._vectors

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            self._lexical = _load_lexical(self.folder, self.manifest, len(self.chunks))
        return self._lexical

    def check(self) -> None:
        """Read (and so check) the parts that are otherwise read when first used."""
        self.pages, self.vectors, self.lexical  # noqa: B018


# --------------------------------------------------------------------------- finding and checking a generation


def _damaged(gen: Path, what: str) -> IndexDamagedError:
    """The error for damage found in generation `gen` (its parent is the index folder)."""
    return IndexDamagedError(gen.parent, what)


def _read_current(root: Path) -> tuple[str | None, str | None]:
    """(generation name, None); (None, None) when there is no CURRENT; (None, what is wrong with it)."""
    try:
        with (root / CURRENT).open("rb") as fh:
            raw = fh.read(MAX_CURRENT_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except IsADirectoryError:
        return None, "«CURRENT» er en mappe, ikke en fil"
    except OSError as exc:
        return None, f"«CURRENT» kan ikke leses ({exc.strerror})"
    if len(raw) > MAX_CURRENT_BYTES:
        return None, f"«CURRENT» er over grensen MAX_CURRENT_BYTES ({MAX_CURRENT_BYTES} byte)"
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None, "«CURRENT» er ikke UTF-8-tekst"
    if not GEN_NAME.fullmatch(name):
        return None, "«CURRENT» inneholder ikke navnet på en generasjon"
    return name, None


def _live_generation(root: Path) -> Path | None:
    """The generation CURRENT names, or None (no CURRENT, a damaged one, a folder that is gone): for the writer."""
    name, _ = _read_current(root)
    gen = root / name if name else None
    return gen if gen is not None and gen.is_dir() else None


def current_generation(root: Path) -> Path | None:
    """The live generation; None when there is no CURRENT. CURRENT is read again when
    it names a folder that is gone: a writer may have switched twice since it was read.
    A CURRENT that is not a generation name (or names none that exists) is damage."""
    name: str | None = None
    for attempt in range(5):
        name, damage = _read_current(root)
        if damage:
            raise IndexDamagedError(root, damage)
        if name is None:
            return None
        gen = root / name
        if gen.is_dir():
            return gen
        time.sleep(0.02 * (attempt + 1))
    raise IndexDamagedError(root, f"«CURRENT» peker på «{name}», som ikke finnes")


def read_manifest(root: Path, gen: Path | None = None) -> Manifest:
    """The live manifest (or that of `gen`); clear errors when there is none, it is from
    another format or it is damaged."""
    gen = gen or current_generation(root)
    if gen is None:
        raise IndexMissingError(
            f"Fant ingen indeks i «{root}». Kjør `litsok indekser` først (eller pek på riktig mappe med --indeks)."
        )
    where = f"{gen.name}/{MANIFEST}"
    try:
        size = (gen / MANIFEST).stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise IndexDamagedError(
                root, f"«{where}» er {size // 2**20} MB, over grensen MAX_MANIFEST_BYTES ({MAX_MANIFEST_BYTES // 2**20} MB)"
            )
        raw = json.loads((gen / MANIFEST).read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise IndexDamagedError(root, f"«{where}» mangler") from None
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise IndexDamagedError(root, f"«{where}» kan ikke leses som JSON") from None
    if type(raw) is not dict:
        raise IndexDamagedError(root, f"«{where}» er ikke et JSON-objekt")
    version = raw.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexFormatError(
            f"Indeksen i «{root}» har formatversjon {version}, denne versjonen av litsok bruker {FORMAT_VERSION}. "
            "Kjør `litsok indekser --alt` for å bygge den på nytt."
        )
    try:
        return Manifest.from_json(raw)
    except ShapeError as exc:
        raise IndexDamagedError(root, f"«{where}»: {exc}") from None


def generation_files(gen: Path) -> dict[str, os.stat_result]:
    """Every entry of a generation that is not a folder (path relative to it, with /) and
    its lstat, but the manifest and hidden names (the marker; a `.DS_Store` is never read)."""
    out: dict[str, os.stat_result] = {}
    stack = [("", gen)]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for e in entries:
                if e.name.startswith(".") or (not prefix and e.name == MANIFEST):
                    continue
                if e.is_dir(follow_symlinks=False):
                    stack.append((f"{prefix}{e.name}/", Path(e.path)))
                else:
                    out[prefix + e.name] = e.stat(follow_symlinks=False)
    return out


def file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def verify_files(gen: Path, manifest: Manifest, *, hashes: bool) -> None:
    """Every file of the generation is one the writer recorded, none is missing, each has
    its recorded size and (with `hashes`) its recorded SHA-256; else IndexDamagedError."""
    try:
        found = generation_files(gen)
    except OSError as exc:
        raise _damaged(gen, f"«{gen.name}» kan ikke leses ({exc.strerror})") from None
    for rel, rec in manifest.stored.items():
        st = found.pop(rel, None)
        if st is None:
            raise _damaged(gen, f"«{gen.name}/{rel}» mangler")
        if not stat.S_ISREG(st.st_mode):
            raise _damaged(gen, f"«{gen.name}/{rel}» er ikke en vanlig fil")
        if st.st_size != rec.bytes:
            raise _damaged(gen, f"«{gen.name}/{rel}» er {st.st_size} byte, manifestet sier {rec.bytes}")
    if found:
        raise _damaged(gen, f"«{gen.name}/{min(found)}» hører ikke til indeksen")
    if hashes:
        for rel, rec in manifest.stored.items():
            try:
                same = file_sha256(gen / rel) == rec.sha256
            except OSError as exc:
                raise _damaged(gen, f"«{gen.name}/{rel}» kan ikke leses ({exc.strerror})") from None
            if not same:
                raise _damaged(gen, f"«{gen.name}/{rel}» er endret etter at indeksen ble skrevet (SHA-256 stemmer ikke)")


def _npy_header(path: Path) -> tuple[tuple[int, ...], Any]:
    """(shape, dtype) from a .npy header, without reading the data."""
    import numpy as np

    with path.open("rb") as fh:
        version = np.lib.format.read_magic(fh)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(fh)
    return tuple(shape), dtype


def _check_matrix_header(gen: Path, manifest: Manifest, rows: int) -> None:
    """vectors.npy holds one float32 row of the embedder's dimension per chunk."""
    from .vectors import MATRIX_FILE

    if MATRIX_FILE not in manifest.stored:
        return
    where = f"«{gen.name}/{MATRIX_FILE}»"
    try:
        shape, dtype = _npy_header(gen / MATRIX_FILE)
    except (OSError, ValueError, SyntaxError) as exc:
        raise _damaged(gen, f"{where} er ikke en numpy-fil ({exc})") from None
    if shape != (rows, manifest.embedder_dim):
        got = f"{shape[0]} vektorer med {shape[1]} tall" if len(shape) == 2 else f"formen {shape}"
        raise _damaged(gen, f"{where} har {got}, men indeksen har {rows} tekstbiter med {manifest.embedder_dim}")
    if str(dtype) != "float32":
        raise _damaged(gen, f"{where} har talltypen {dtype}, ikke float32")


T = TypeVar("T")


def _read_jsonl(gen: Path, name: str, parse: Callable[[Any], T]) -> list[T]:
    out: list[T] = []
    where = f"«{gen.name}/{name}»"
    n = 0
    try:
        with (gen / name).open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):  # noqa: B007 - n names the line in the message
                if line.strip():
                    out.append(parse(json.loads(line)))
    except ShapeError as exc:
        raise _damaged(gen, f"{where} linje {n}: {exc}") from None
    except UnicodeDecodeError:
        raise _damaged(gen, f"{where} er ikke UTF-8-tekst") from None
    except (ValueError, RecursionError):
        raise _damaged(gen, f"{where} linje {n} er ikke gyldig JSON") from None
    except OSError as exc:
        raise _damaged(gen, f"{where} kan ikke leses ({exc.strerror})") from None
    return out


def _read_sources(gen: Path) -> dict[str, dict[str, Any]]:
    where = f"«{gen.name}/sources.json»"
    try:
        data: dict[str, dict[str, Any]] = json.loads((gen / "sources.json").read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        raise _damaged(gen, f"{where} kan ikke leses som JSON") from None
    try:
        for key, src in _dict_of(data, "sources.json").items():
            check_fields(src, _SOURCE_FIELDS, f"kilden «{key[:60]}»", exact=False)
            lists = (src["files"], src["missing"], src["page_origins"])
            if not all(type(x) is str for values in lists for x in values) or not _csl_ok(src["csl"]):
                raise ShapeError(f"kilden «{key[:60]}» har feil form")
    except ShapeError as exc:
        raise _damaged(gen, f"{where}: {exc}") from None
    return data


def _csl_ok(csl: dict[str, Any]) -> bool:
    """The names and dates of a source's CSL-JSON have the shape the citation formatter
    reads (names: objects with text fields; dates: objects with date-parts lists). Other
    variables are printed as text whatever they hold, so they are not checked."""
    for name, value in csl.items():
        if name in CSL_NAME_FIELDS:
            if type(value) is not list or not all(
                type(n) is dict and all(isinstance(v, (str, bool)) for v in n.values()) for n in value
            ):
                return False
        elif name in CSL_DATE_FIELDS:
            if type(value) is not dict:
                return False
            parts = value.get("date-parts", [])
            if type(parts) is not list or not all(type(p) is list and all(isinstance(x, (str, int)) for x in p) for p in parts):
                return False
    return True


def _load_generation(root: Path, gen: Path | None, hashes: bool) -> LoadedIndex:
    manifest = read_manifest(root, gen)
    assert gen is not None
    verify_files(gen, manifest, hashes=hashes)
    if hashes:
        _check_matrix_header(gen, manifest, manifest.chunk_count)
    chunks = _read_jsonl(gen, "chunks.jsonl", _stored_from_json)
    sources = _read_sources(gen)
    if len(chunks) != manifest.chunk_count:
        raise _damaged(gen, f"«{gen.name}/chunks.jsonl» har {len(chunks)} tekstbiter, manifestet sier {manifest.chunk_count}")
    unknown = next((sc.chunk.source_key for sc in chunks if sc.chunk.source_key not in sources), None)
    if unknown is not None:
        raise _damaged(gen, f"en tekstbit viser til kilden «{unknown[:60]}», som mangler i «{gen.name}/sources.json»")
    return LoadedIndex(folder=gen, manifest=manifest, chunks=chunks, sources=sources)


def load_index(root: Path, *, hashes: bool = False) -> LoadedIndex:
    """The live generation, read and checked: every file present and of its recorded
    size, the JSON of the shape litsok writes, the counts agreeing; with `hashes`, every
    file's SHA-256 too (what `indekser` checks before reusing an index). When a writer
    removes the generation while it is read (it was replaced twice in the meantime),
    the new live one is read instead."""
    for attempt in range(5):
        gen = current_generation(root)
        try:
            return _load_generation(root, gen, hashes)
        except LitsokError:
            if gen is None or attempt == 4 or (gen.is_dir() and _live_generation(root) == gen):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def verify_index(root: Path) -> LoadedIndex:
    """The full check of `status` and of `indekser` before it reuses anything: what
    `load_index(hashes=True)` checks, and the pages, vectors and BM25 index read and
    checked as the commands that use them would; else IndexDamagedError."""
    index = load_index(root, hashes=True)
    index.check()
    return index


def _load_vectors(gen: Path, manifest: Manifest, rows: int) -> VectorIndex | MatrixIndex:
    """vectors.npy (numpy) when the generation has it, else the FAISS index; either
    must hold one vector of the embedder's dimension per chunk."""
    from .vectors import MATRIX_FILE, MatrixIndex, VectorIndex

    vec: VectorIndex | MatrixIndex
    if MATRIX_FILE in manifest.stored:
        _check_matrix_header(gen, manifest, rows)
        name = MATRIX_FILE
    elif "vectors.faiss" in manifest.stored:
        name = "vectors.faiss"
    else:
        raise _damaged(gen, f"«{gen.name}» har verken vectors.npy eller vectors.faiss")
    try:
        vec = MatrixIndex.load(gen / name) if name == MATRIX_FILE else VectorIndex.load(gen / name)
        size, dim = vec.size, vec.dim
    except Exception as exc:  # noqa: BLE001 - numpy and faiss raise many kinds for a damaged file
        raise _damaged(gen, f"«{gen.name}/{name}» kan ikke leses ({type(exc).__name__})") from None
    if (size, dim) != (rows, manifest.embedder_dim):
        raise _damaged(
            gen, f"«{gen.name}/{name}» har {size} vektorer med {dim} tall, men indeksen har {rows} tekstbiter med {manifest.embedder_dim}"
        )
    return vec


def _check_bm25_arrays(gen: Path, manifest: Manifest, rows: int) -> int | None:
    """The CSC arrays of bm25s are consistent with each other and with the chunk count;
    the number of vocabulary slots (length of indptr), or None when the layout is another."""
    import numpy as np

    if not all(f"bm25/{name}" in manifest.stored for name in BM25_ARRAYS):
        return None
    arrays = []
    for name in BM25_ARRAYS:
        try:
            arrays.append(np.load(gen / "bm25" / name, mmap_mode="r", allow_pickle=False))
        except (OSError, ValueError, EOFError) as exc:
            raise ShapeError(f"{name} er ikke en numpy-fil") from exc
    data, indices, indptr = arrays
    if data.ndim != 1 or indices.ndim != 1 or indptr.ndim != 1 or len(data) != len(indices) or len(indptr) == 0:
        raise ShapeError("tabellene har feil form")
    if not (np.issubdtype(indices.dtype, np.integer) and np.issubdtype(indptr.dtype, np.integer)):
        raise ShapeError("tabellene har feil talltype")
    if int(indptr[0]) != 0 or int(indptr[-1]) != len(indices) or bool(np.any(np.diff(indptr) < 0)):
        raise ShapeError("indptr stemmer ikke med indices")
    if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= rows):
        raise ShapeError(f"indices viser til tekstbiter utenfor de {rows} indeksen har")
    return len(indptr)


def _load_lexical(gen: Path, manifest: Manifest, rows: int) -> LexicalIndex:
    """The BM25 index, after checking its arrays against each other and the chunk count."""
    import numpy as np

    from .lexical import LexicalIndex

    where = f"«{gen.name}/bm25»"
    try:
        slots = _check_bm25_arrays(gen, manifest, rows)
        params = json.loads((gen / "bm25" / "params.index.json").read_text(encoding="utf-8"))
        if type(params) is not dict or params.get("num_docs") != rows:
            raise ShapeError(f"params.index.json sier ikke {rows} tekstbiter")
        lex = LexicalIndex.load(gen / "bm25", rows)
        if type(lex.vocab) is not dict or not all(type(v) is int for v in lex.vocab.values()):
            raise ShapeError("vocab.index.json er ikke et JSON-objekt fra ord til tall")
        ids = np.fromiter(lex.vocab.values(), dtype=np.int64, count=len(lex.vocab))
        if slots is not None and len(ids) and (int(ids.min()) < 0 or int(ids.max()) >= slots):
            raise ShapeError("vocab.index.json viser til ord utenfor tabellene")
    except ShapeError as exc:
        raise _damaged(gen, f"{where}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - numpy and json raise many kinds for a damaged file
        raise _damaged(gen, f"{where} kan ikke leses ({type(exc).__name__})") from None
    return lex


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
            _clear_current_folder(self.root, remove=False)  # refused now, before any work, if it cannot be
            self.index_id = _claim(self.root)
        except LitsokError:
            self.__exit__()
            raise
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
        self.seal(gen, manifest)

    def seal(self, gen: Path, manifest: Manifest) -> None:
        """Record the size and SHA-256 of every file of `gen` in its manifest and write
        the manifest (last: it marks the generation complete), then fsync it all."""
        stored = {rel: StoredFile(st.st_size, file_sha256(gen / rel)) for rel, st in sorted(generation_files(gen).items())}
        _write_json(gen / MANIFEST, replace(manifest, stored=stored).to_json())
        _fsync_tree(gen)

    def commit(self, gen: Path) -> None:
        """Point CURRENT at `gen` atomically, then remove older generations."""
        previous = _live_generation(self.root)
        tmp = self.root / (CURRENT + ".tmp")
        tmp.write_text(gen.name, encoding="utf-8")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        _clear_current_folder(self.root, remove=True)
        os.replace(tmp, self.root / CURRENT)
        # The generation that was live until now stays one run longer: a reader that
        # opened it a moment ago (`spør` while `indekser` runs) can still finish.
        self.cleanup(keep=gen, also_keep=previous)

    def cleanup(self, keep: Path | None, also_keep: Path | None = None) -> None:
        """Remove old generations: only folders that carry this index's marker."""
        live = _live_generation(self.root)
        for child in self.root.iterdir():
            if child in (keep, live, also_keep) or not _is_own_generation(child, self.index_id):
                continue
            complete = (child / MANIFEST).exists()
            if keep is not None and complete and _age(child) < GRACE_SECONDS:
                continue  # live less than a minute ago: a reader may still be on it (the next run removes it)
            shutil.rmtree(child, ignore_errors=True)


    def drop_sentence_cache(self) -> None:
        """`indekser --alt`: remove the sentence cache files (claim.py writes `<16 hex>.npz`)."""
        folder = self.root / SENTENCE_CACHE
        if folder.is_symlink() or not folder.is_dir():
            return
        for child in folder.iterdir():
            if _SENTENCE_CACHE_FILE.fullmatch(child.name) and child.is_file() and not child.is_symlink():
                child.unlink(missing_ok=True)
        try:
            folder.rmdir()
        except OSError:
            pass  # something else in it: left alone


_SENTENCE_CACHE_FILE = re.compile(r"[0-9a-f]{16}(\.\d+\.tmp)?\.npz")


def _clear_current_folder(root: Path, *, remove: bool) -> None:
    """A folder where the CURRENT file belongs (damage) is removed, when empty, so the
    commit can write CURRENT; one with something in it is not litsok's to delete."""
    path = root / CURRENT
    if path.is_symlink() or not path.is_dir():
        return
    try:
        if any(path.iterdir()):
            raise OSError("not empty")
        if remove:
            path.rmdir()
    except OSError as exc:
        raise IndexFolderError(
            f"«{path}» er en mappe med innhold der litsok skal ha filen CURRENT, så indeksen kan ikke repareres. "
            "Flytt mappen bort og kjør `litsok indekser --alt`."
        ) from exc


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
