"""Hostile inputs for the index folder (issue 14, item 9) and for the failure memory
(item 11): damaged indexes and a corpus with a file that fails to read.

Each `make_<case>(folder, scale=1.0)` writes into `folder` and returns a path:
- the damage cases return the INDEX folder (run the command with `--indeks PATH`);
  at scale 1.0 the index holds FULL_CHUNKS synthetic passages (a department's reading
  lists, issue 12) with random e5-small-sized vectors, written by litsok's own
  IndexWriter, so the benchmark measures what checking a big damaged index costs;
- `make_remembered_failure` returns the CORPUS folder (`indekser --korpus PATH
  --indeks PATH/../indeks`, twice: the second run must not read the bad PDF again).

`damage(index, kind)` applies one kind of damage (DAMAGES) to the live generation of
any index, e.g. a real small one built by a test. Kinds whose name ends in
"-registrert" also rewrite the manifest's size and SHA-256 for the damaged file, as
a buggy writer or a hand edit would: only the shape checks can catch those.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from litsok.index import (
    CURRENT,
    FORMAT_VERSION,
    MANIFEST,
    SENTENCE_CACHE,
    FileRecord,
    IndexWriter,
    Manifest,
    StoredChunk,
    file_sha256,
)
from litsok.model import ORIGIN_NOTE, Chunk, Page

FULL_CHUNKS = 99_000  # under vectors.HNSW_THRESHOLD (100k), so the exact numpy path (vectors.npy) is what is read
DIM = 384  # e5-small, the default embedder
CHUNKS_PER_SOURCE = 100
_WORDS = (
    "relasjon tillit aksept empati veileder klient barnevern samarbeid aktivitetsplikt sosialhjelp "
    "mestring makt etikk kommunikasjon taushetsplikt medvirkning nettverk familie skole helse"
).split()


def _live(index: Path) -> Path:
    return index / (index / CURRENT).read_text(encoding="utf-8").strip()


def _rerecord(gen: Path, rel: str) -> None:
    """Make the manifest agree with a damaged file's size and SHA-256."""
    man = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    path = gen / rel
    man["stored"][rel] = {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
    (gen / MANIFEST).write_text(json.dumps(man), encoding="utf-8")


def _rewrite_matrix(gen: Path, change: Callable[[np.ndarray], np.ndarray]) -> None:
    matrix = np.load(gen / "vectors.npy")
    np.save(gen / "vectors.npy", change(matrix), allow_pickle=False)
    _rerecord(gen, "vectors.npy")


def _garbage_line(gen: Path, rel: str, line: int, text: str) -> None:
    lines = (gen / rel).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[min(line, len(lines) - 1)] = text + "\n"
    (gen / rel).write_text("".join(lines), encoding="utf-8")
    _rerecord(gen, rel)


def _same_size_garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * (path.stat().st_size // 256) + b"\0" * (path.stat().st_size % 256))


def _text_in_chunk_is_a_number(gen: Path) -> None:
    lines = (gen / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    rec["text"] = 42
    lines[0] = json.dumps(rec, ensure_ascii=False)
    (gen / "chunks.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _rerecord(gen, "chunks.jsonl")


def _edit_json(gen: Path, rel: str, edit: Callable[[dict], object]) -> None:
    """Change a JSON file of the generation and make the manifest agree with it."""
    data = json.loads((gen / rel).read_text(encoding="utf-8"))
    edit(data)
    (gen / rel).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _rerecord(gen, rel)


def _first_value(d: dict, value: object) -> None:
    d[next(iter(d))] = value


def _manifest_files_not_a_list(gen: Path) -> None:
    man = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    man["files"] = "alle"
    (gen / MANIFEST).write_text(json.dumps(man), encoding="utf-8")


def _current_folder(index: Path) -> None:
    (index / CURRENT).unlink()
    (index / CURRENT).mkdir()


# kind -> (what it does to the live generation `gen` of `index`, the file the message must name)
DAMAGES: dict[str, tuple[Callable[[Path, Path], object], str]] = {
    "vektorer-en-rad-for-lite": (lambda idx, gen: np.save(gen / "vectors.npy", np.load(gen / "vectors.npy")[:-1]), "vectors.npy"),
    "vektorer-en-rad-for-lite-registrert": (lambda idx, gen: _rewrite_matrix(gen, lambda m: m[:-1]), "vectors.npy"),
    "vektorer-feil-dimensjon-registrert": (lambda idx, gen: _rewrite_matrix(gen, lambda m: m[:, :-1]), "vectors.npy"),
    "vektorer-avkortet": (lambda idx, gen: (gen / "vectors.npy").write_bytes((gen / "vectors.npy").read_bytes()[:200]), "vectors.npy"),
    "bm25-mangler": (lambda idx, gen: shutil.rmtree(gen / "bm25"), "bm25"),
    "bm25-søppel-samme-størrelse": (lambda idx, gen: _same_size_garbage(gen / "bm25" / "indptr.csc.index.npy"), "bm25"),
    "sources-tom-liste": (lambda idx, gen: (gen / "sources.json").write_text("[]", encoding="utf-8"), "sources.json"),
    "sources-tom-liste-registrert": (
        lambda idx, gen: ((gen / "sources.json").write_text("[]", encoding="utf-8"), _rerecord(gen, "sources.json")),
        "sources.json",
    ),
    "sources-mangler": (lambda idx, gen: (gen / "sources.json").unlink(), "sources.json"),
    "manifest-tom-liste": (lambda idx, gen: (gen / MANIFEST).write_text("[]", encoding="utf-8"), MANIFEST),
    "manifest-feil-form": (lambda idx, gen: _manifest_files_not_a_list(gen), MANIFEST),
    "manifest-ikke-utf8": (lambda idx, gen: (gen / MANIFEST).write_bytes(b"\xff\xfe{"), MANIFEST),
    "current-ikke-utf8": (lambda idx, gen: (idx / CURRENT).write_bytes(b"\xffgen-\xfe\x00"), CURRENT),
    "current-mappe": (lambda idx, gen: _current_folder(idx), CURRENT),
    "current-peker-ut": (lambda idx, gen: (idx / CURRENT).write_text("../../etc", encoding="utf-8"), CURRENT),
    "generasjon-borte": (lambda idx, gen: shutil.rmtree(gen), CURRENT),
    "pages-søppel-registrert": (lambda idx, gen: _garbage_line(gen, "pages.jsonl", 1, "{ikke json"), "pages.jsonl"),
    "chunks-søppel-registrert": (lambda idx, gen: _garbage_line(gen, "chunks.jsonl", 1, "\x00\x01søppel"), "chunks.jsonl"),
    "chunks-feil-type-registrert": (lambda idx, gen: _text_in_chunk_is_a_number(gen), "chunks.jsonl"),
    "ekstra-fil": (lambda idx, gen: (gen / "bm25" / "ekstra.npy").write_bytes(b"x"), "ekstra.npy"),
    "bm25-ordliste-feil-type-registrert": (
        lambda idx, gen: _edit_json(gen, "bm25/vocab.index.json", lambda v: _first_value(v, True)), "bm25",
    ),
    "sources-navn-feil-type-registrert": (
        lambda idx, gen: _edit_json(gen, "sources.json", lambda v: next(iter(v.values()))["csl"].update(author=[1])),
        "sources.json",
    ),
}


def damage(index: Path, kind: str) -> str:
    """Damage the live generation of `index`; returns the file name the message must name."""
    fn, names = DAMAGES[kind]
    fn(index, _live(index))
    return names


def build_index(folder: Path, scale: float = 1.0) -> Path:
    """A synthetic index of max(20, FULL_CHUNKS * scale) passages written by litsok's
    IndexWriter (random unit vectors, embedder e5-small); returns the index folder."""
    n = max(20, int(FULL_CHUNKS * scale))
    rng = np.random.default_rng(14)
    index = folder / "indeks"
    chunks, pages, records, sources = [], [], [], {}
    for s in range(0, n, CHUNKS_PER_SOURCE):
        key, file = f"kilde{s // CHUNKS_PER_SOURCE:05d}", f"notater/kilde{s // CHUNKS_PER_SOURCE:05d}.md"
        count = min(CHUNKS_PER_SOURCE, n - s)
        for i in range(count):
            words = rng.choice(_WORDS, size=150)
            text = " ".join(words)
            label = str(i + 1)
            cid = hashlib.sha1(f"{file}{i}{text}".encode()).hexdigest()
            chunk = Chunk(cid, key, file, text, label, label, 0, len(text), label_origin=ORIGIN_NOTE)
            chunks.append(StoredChunk(chunk, f"(Forfatter, 2020, s. {label})", cid))
            pages.append(Page(key, file, label, text, label_origin=ORIGIN_NOTE))
        records.append(FileRecord(file, "0" * 64, "notat", key, key, count, count, ORIGIN_NOTE))
        sources[key] = {
            "key": key, "title": f"Tittel {key}", "csl": {"id": key, "type": "book", "title": f"Tittel {key}"},
            "files": [file], "citation": "(Forfatter, 2020)", "missing": [], "page_origins": [ORIGIN_NOTE],
            "pages": f"1–{count}", "chunks": count,
        }
    vectors = rng.standard_normal((n, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    manifest = Manifest(
        format_version=FORMAT_VERSION, embedder_id="e5-small", embedder_dim=DIM, embedder_version="syntetisk",
        chunker={}, embed_context="tekst", files=tuple(records), bibliography={}, created="2026-01-01T00:00:00",
        seconds=0.0,
    )
    with IndexWriter(index) as writer:
        gen = writer.new_generation()
        writer.write(gen, manifest, chunks, vectors, sources, pages)
        writer.commit(gen)
    return index


def _damaged_case(kind: str) -> Callable[[Path, float], Path]:
    def make(folder: Path, scale: float = 1.0) -> Path:
        index = build_index(folder, scale)
        damage(index, kind)
        return index

    make.__name__ = "make_" + kind.replace("-", "_")
    make.__doc__ = f"A synthetic index (see build_index) with the damage «{kind}»."
    return make


make_vectors_one_row_short = _damaged_case("vektorer-en-rad-for-lite-registrert")
make_vectors_truncated = _damaged_case("vektorer-avkortet")
make_bm25_same_size_garbage = _damaged_case("bm25-søppel-samme-størrelse")
make_sources_empty_list = _damaged_case("sources-tom-liste")
make_manifest_empty_list = _damaged_case("manifest-tom-liste")
make_current_not_utf8 = _damaged_case("current-ikke-utf8")
make_current_folder = _damaged_case("current-mappe")
make_pages_garbage = _damaged_case("pages-søppel-registrert")
make_chunks_garbage = _damaged_case("chunks-søppel-registrert")


def make_sentence_cache_truncated(folder: Path, scale: float = 1.0) -> Path:
    """A synthetic index whose e5-small sentence cache (MAX_SENTENCE_CACHE_ROWS rows at
    scale 1.0) is cut off halfway, as a full disk or a killed `siter` leaves it."""
    from litsok.limits import MAX_SENTENCE_CACHE_ROWS

    index = build_index(folder, scale)
    rows = max(10, int(MAX_SENTENCE_CACHE_ROWS * scale))
    cache = index / SENTENCE_CACHE / (hashlib.sha1(b"e5-small").hexdigest()[:16] + ".npz")
    cache.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array([hashlib.sha1(str(i).encode()).hexdigest().encode() for i in range(rows)], dtype="S40")
    np.savez(cache, keys=keys, vectors=np.ones((rows, DIM), dtype=np.float32))
    cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 2])
    return index


def make_remembered_failure(folder: Path, scale: float = 1.0) -> Path:
    """A corpus of two notes and a PDF of int(20 MB * scale) that no reader can open
    (a PDF header, then noise); returns the corpus folder."""
    corpus = folder / "korpus"
    (corpus / "notater").mkdir(parents=True)
    (corpus / "artikler").mkdir()
    for name, page in (("a", 12), ("b", 40)):
        (corpus / "notater" / f"{name}.md").write_text(
            f"---\nkilde: notat-{name}\n---\n## s. {page}\nTillit og samarbeid mellom veileder og klient, notat {name}.\n",
            encoding="utf-8",
        )
    size = max(4096, int(20 * 2**20 * scale))
    noise = np.random.default_rng(11).integers(0, 256, size=size, dtype=np.uint8).tobytes()
    (corpus / "artikler" / "ødelagt.pdf").write_bytes(b"%PDF-1.7\n" + noise)
    return corpus


# short name -> (generator, the command the benchmark runs on what it returns)
CASES: dict[str, tuple[Callable[[Path, float], Path], str]] = {
    "vektorer-en-rad-for-lite": (make_vectors_one_row_short, "spør aksept --indeks {file} --korpus {corpus}"),
    "vektorer-avkortet": (make_vectors_truncated, "spør aksept --indeks {file} --korpus {corpus}"),
    "bm25-søppel": (make_bm25_same_size_garbage, "status --indeks {file} --korpus {corpus}"),
    "sources-tom-liste": (make_sources_empty_list, "kilder --indeks {file} --korpus {corpus}"),
    "manifest-tom-liste": (make_manifest_empty_list, "status --indeks {file} --korpus {corpus}"),
    "current-ikke-utf8": (make_current_not_utf8, "spør aksept --indeks {file} --korpus {corpus}"),
    "current-mappe": (make_current_folder, "spør aksept --indeks {file} --korpus {corpus}"),
    "pages-søppel": (make_pages_garbage, "vis kilde00000 1 --indeks {file} --korpus {corpus}"),
    "chunks-søppel": (make_chunks_garbage, "spør aksept --indeks {file} --korpus {corpus}"),
    "setningscache-avkortet": (make_sentence_cache_truncated, "siter relasjonen --indeks {file} --korpus {corpus}"),
    # run twice by bench/robustness.py ("2x"): the second run must not read the bad PDF again
    "husket-feil": (make_remembered_failure, "2x indekser --korpus {file} --indeks {corpus}/indeks"),
}
