"""Building the index: corpus files -> pages -> chunks -> citations and
embeddings -> a new index generation. Incremental: unchanged files keep their
chunks, unchanged passages keep their embeddings, unchanged sources keep their
citations, and a run where nothing changed writes nothing.

Never prints, never exits: returns an `IndexReport` and raises `LitsokError`s."""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chunk import ChunkSettings, chunk_pages
from .config import Settings
from .errors import IndexDamagedError, IndexFormatError, LitsokError, UnreadableFileError
from .index import (
    FORMAT_VERSION,
    OCR_CACHE,
    FailedFile,
    FileRecord,
    IndexWriter,
    LoadedIndex,
    Manifest,
    StoredChunk,
    verify_index,
)
from .model import ORIGIN_NONE, ORIGIN_PDF_INDEX, OWN_MARKING, Chunk, Page, Source

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .embed import Embedder
    from .ingest.corpus import CorpusFile, CorpusListing
    from .ingest.pdf import PdfReadResult
    from .zotero import ZoteroLibrary

Progress = Callable[[str, int, int], None]  # (stage, done, total)

# What is embedded with each chunk: "tekst" = the passage alone. Prepending the source
# title and section heading ("tittel") was measured no better (docs/retrieval.md: NorQuAD
# MRR@10 -0.003, paraphrase -0.011, both within noise) and made a title fix in kilder.bib
# re-embed the whole source.
EMBED_CONTEXT = "tekst"
EMBED_BATCH = 16
CHANGED_WHILE_READ = "endret-under-lesing"  # a file hash no file has: the next run reads the file again
# Added to the reason of a file that failed before and has not changed (it is not read again).
REMEMBERED = " (uendret siden forrige forsøk; endre filen eller kjør `litsok indekser --alt` for å prøve igjen)"


def _hash_or_gone(path: Path) -> str:
    from .ingest.corpus import file_hash

    try:
        return file_hash(path)
    except OSError:
        return ""


@dataclass(frozen=True)
class IndexReport:
    """What `index_corpus` did, for the summary."""

    index: Path
    embedder_id: str
    files: int
    sources: int
    pages: int
    chunks: int
    embedded: int  # chunks embedded in this run
    reused: int  # chunks whose embedding was reused from the previous index
    new: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    failed: dict[str, str]  # file -> reason
    warnings: tuple[str, ...]
    timings: dict[str, float]
    seconds: float
    skipped_entries: tuple[str, ...] = ()  # bibliography entries left out (`Bibliography.skipped`): a partial run
    zotero: dict[str, Any] | None = None  # the Zotero library read: database, collection, counts (`_zotero_summary`)

    def to_json(self) -> dict[str, Any]:
        return {
            "indeks": str(self.index),
            "modell": self.embedder_id,
            "filer": self.files,
            "kilder": self.sources,
            "sider": self.pages,
            "biter": self.chunks,
            "innebygd": self.embedded,
            "gjenbrukt": self.reused,
            "nye": list(self.new),
            "endret": list(self.changed),
            "uendret": list(self.unchanged),
            "fjernet": list(self.removed),
            "feilet": self.failed,
            "advarsler": list(self.warnings),
            "tider": self.timings,
            "sekunder": self.seconds,
            "kilder_hoppet_over": list(self.skipped_entries),
            "zotero": self.zotero,
        }


@dataclass
class _FileResult:
    record: FileRecord
    chunks: list[Chunk] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)


def index_corpus(
    settings: Settings,
    *,
    full: bool = False,
    progress: Progress | None = None,
    chunk_settings: ChunkSettings | None = None,
) -> IndexReport:
    """Build or update the index of `settings.corpus` in `settings.index`.

    `chunk_settings` (default `ChunkSettings()`, chosen in docs/retrieval.md) is
    recorded in the manifest; changing it re-chunks and re-embeds everything."""
    from .embed import DEFAULT_EMBEDDER, canonical_id, get_embedder
    from .sources import load_bibliography

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    zot = read_zotero(settings)  # before anything is written: a Zotero folder that cannot be read stops here
    listing = _scan(settings, zot is not None)
    bib = load_bibliography(list(listing.bibliographies))
    known = _known_sources(bib.sources, zot)
    links = zot.links if zot else {}
    files = list(listing.files) + list(zot.files if zot else ())
    warnings: list[str] = [f"{file}: {reason}" for file, reason in listing.skipped] + list(bib.problems)
    warnings += list(zot.library.problems) if zot else []
    embedder_id = canonical_id(settings.embedder or DEFAULT_EMBEDDER)
    chunk_settings = chunk_settings or ChunkSettings()

    ocr_state = functools.cache(_ocr_state)  # asked only when a PDF's failure is recorded or recalled
    with IndexWriter(settings.index) as writer:
        previous, notice = _previous_index(settings.index, embedder_id, chunk_settings, full)
        if notice:
            warnings.insert(0, notice)
        prev_files = {f.file: f for f in previous.manifest.files} if previous else {}
        prev_failures = {f.file: f for f in previous.manifest.failures} if previous else {}
        prev_chunks: dict[str, list[Chunk]] = {}
        prev_pages: dict[str, list[Page]] = {}
        if previous:
            for sc in previous.chunks:
                prev_chunks.setdefault(sc.chunk.file, []).append(sc.chunk)
            for page in previous.pages:
                prev_pages.setdefault(page.file, []).append(page)

        # 1. read and chunk what changed
        t = time.perf_counter()
        results: list[_FileResult] = []
        failed: dict[str, str] = {}
        failures: list[FailedFile] = []
        remembered: list[str] = []
        new: list[str] = []
        changed: list[str] = []
        unchanged: list[str] = []
        corpus_pdfs: dict[str, str] = {}  # sha256 -> the corpus PDF with that content
        twins: dict[str, str] = {}  # Zotero attachment -> the corpus PDF with the same content (read only there)
        for i, cf in enumerate(files):
            if progress:
                progress("les", i, len(files))
            key = _settings_key(cf, known, links)
            digest = _known_digest(prev_files.get(cf.rel) or prev_failures.get(cf.rel), key, cf.rel in links)
            digest = digest or _hash_or_gone(cf.path)
            if not digest:
                failed[cf.rel] = f"{cf.rel}: filen forsvant eller kunne ikke leses under indekseringen. Kjør `litsok indekser` igjen."
                continue
            if _same_pdf_twice(cf.rel, digest, links, corpus_pdfs, twins, warnings):
                continue
            prev = prev_files.get(cf.rel)
            same = prev is not None and (prev.sha256, prev.settings_key) == (digest, key)
            if prev is not None and same and cf.rel in prev_chunks and cf.rel in prev_pages:
                unchanged.append(cf.rel)
                results.append(_FileResult(prev, prev_chunks[cf.rel], prev_pages[cf.rel]))
                warnings += prev.warnings
                continue
            before = prev_failures.get(cf.rel)
            if before is not None and (before.sha256, before.settings_key) == (digest, _failure_key(cf, key, ocr_state)):
                remembered.append(cf.rel)  # failed with this content and these settings: not read again
                failures.append(before)
                failed[cf.rel] = before.reason + REMEMBERED
                continue
            (changed if prev or before else new).append(cf.rel)
            try:
                res = _read_file(cf, digest, known, settings, chunk_settings, links)
                if _hash_or_gone(cf.path) != digest:  # edited while it was read: record what no run can match
                    res = _FileResult(replace(res.record, sha256=CHANGED_WHILE_READ), res.chunks, res.pages)
                    warnings.append(f"{cf.rel}: filen ble endret mens den ble lest; den leses på nytt neste gang du kjører `litsok indekser`.")
            except UnreadableFileError as exc:
                failed[cf.rel] = exc.message
                tried = digest if _hash_or_gone(cf.path) == digest else CHANGED_WHILE_READ
                failures.append(FailedFile(cf.rel, tried, _failure_key(cf, key, ocr_state), exc.message))
                continue
            results.append(res)
            warnings += res.record.warnings
        if progress:
            progress("les", len(files), len(files))
        present = {cf.rel for cf in files} - set(twins)  # a twin indexed before on its own is removed
        if zot:
            for res, how in zotero_markings(zot, results, prev_files, prev_chunks, chunk_settings, twins):
                present.add(res.record.file)
                results.append(res)
                {"ny": new, "endret": changed, "uendret": unchanged}[how].append(res.record.file)
        removed = sorted(set(prev_files) - present)
        timings["lese og dele opp"] = time.perf_counter() - t
        bib_hashes = {str(p.relative_to(listing.root)): bib.hashes[str(p)] for p in listing.bibliographies}
        bib_hashes |= zotero_state(zot.library) if zot else {}
        # nothing new, changed, removed or newly failed, and every earlier failure still there and remembered
        nothing_changed = not (new or changed or removed) and set(remembered) == set(failed) == set(prev_failures)
        if previous and nothing_changed and bib_hashes == previous.manifest.bibliography:
            return replace(_report(  # the live index is already up to date: write nothing
                settings, embedder_id, results, len(previous.sources), len(previous.chunks), 0,
                ([], [], unchanged, []), failed, warnings, timings, t0,
            ), skipped_entries=bib.skipped, zotero=_zotero_summary(zot, results))

        # 2. sources and citations (reused for sources whose metadata is unchanged)
        t = time.perf_counter()
        sources = _sources_for(results, known)
        warnings += _unknown_key_warnings(results, known)
        warnings += pdf_link_warnings([cf.rel for cf in listing.files if cf.kind == "pdf"], bib.sources)
        all_chunks = [c for r in results for c in r.chunks]
        if not all_chunks:
            raise _nothing_readable(settings, failed, previous is not None)
        citations = _citations(all_chunks, sources, previous)
        timings["sitering"] = time.perf_counter() - t

        # 3. embed only what is new, reuse the rest by content hash
        t = time.perf_counter()
        embed_texts = [embedding_text(c) for c in all_chunks]
        keys = [_embed_key(embedder_id, s) for s in embed_texts]
        reuse = _reusable_vectors(previous, set(keys)) if previous else {}
        todo = [i for i, k in enumerate(keys) if k not in reuse]
        embedder = get_embedder(embedder_id) if (todo or not previous) else None
        dim = embedder.dim if embedder else previous.manifest.embedder_dim  # type: ignore[union-attr]
        vectors = _embed_all(embedder, embed_texts, keys, reuse, todo, dim, progress)
        timings["innebygging"] = time.perf_counter() - t

        # 4. write a new generation, then switch to it
        t = time.perf_counter()
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            embedder_id=embedder_id,
            embedder_dim=dim,
            embedder_version=getattr(embedder, "version", "") if embedder else previous.manifest.embedder_version,  # type: ignore[union-attr]
            chunker=chunk_settings.to_json(),
            embed_context=EMBED_CONTEXT,
            files=tuple(r.record for r in results),
            bibliography=bib_hashes,
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            seconds=round(time.perf_counter() - t0, 3),
            failed={f.file: f.reason for f in failures},
            failures=tuple(failures),
        )
        stored = [StoredChunk(c, citations[c.chunk_id], k) for c, k in zip(all_chunks, keys, strict=True)]
        by_source: dict[str, list[Chunk]] = {}
        for c in all_chunks:
            by_source.setdefault(c.source_key, []).append(c)
        in_collections = zot.library.collections if zot else {}
        source_json = {
            key: _source_json(src, by_source.get(key, []), in_collections.get(key, ())) for key, src in sources.items()
        }
        if progress:
            progress("skriv", 0, 1)
        gen = writer.new_generation()
        try:
            writer.write(gen, manifest, stored, vectors, source_json, [p for r in results for p in r.pages])
            writer.commit(gen)
        except BaseException as exc:  # a half-written generation never stays behind
            writer.cleanup(keep=None)
            if not isinstance(exc, OSError):
                raise
            raise LitsokError(
                f"Kunne ikke skrive indeksen til «{settings.index}» ({exc.strerror or exc}). "
                "Den forrige indeksen er urørt. Sjekk ledig plass og skrivetilgang, og kjør `litsok indekser` igjen."
            ) from exc
        if full:  # `--alt` rebuilds every derived cache: sentence embeddings, OCR results that do not verify
            writer.drop_sentence_cache()
            _prune_ocr_cache(settings.index / OCR_CACHE)
        if progress:
            progress("skriv", 1, 1)
        timings["skriving"] = time.perf_counter() - t

    return replace(_report(
        settings, embedder_id, results, len({c.source_key for c in all_chunks}), len(all_chunks), len(todo),
        (new, changed, unchanged, removed), failed, warnings, timings, t0,
    ), skipped_entries=bib.skipped, zotero=_zotero_summary(zot, results))


def _nothing_readable(settings: Settings, failed: Mapping[str, str], kept: bool) -> LitsokError:
    """Every file failed or held no text: say which and why, and write nothing."""
    from .errors import CorpusError

    why = "; ".join(r.rstrip(". ") for r in failed.values()) if failed else "filene inneholder ingen tekst"
    left = " Den forrige indeksen er urørt." if kept else ""
    return CorpusError(
        f"Ingen tekst å indeksere i «{settings.corpus}»: {why}.{left} "
        "Rett eller bytt ut filene (eller legg til notater) og kjør `litsok indekser` igjen."
    )


def _report(
    settings: Settings,
    embedder_id: str,
    results: Sequence[_FileResult],
    n_sources: int,
    n_chunks: int,
    embedded: int,
    files: tuple[Sequence[str], Sequence[str], Sequence[str], Sequence[str]],  # new, changed, unchanged, removed
    failed: dict[str, str],
    warnings: Sequence[str],
    timings: dict[str, float],
    t0: float,
) -> IndexReport:
    new, changed, unchanged, removed = files
    return IndexReport(
        index=settings.index,
        embedder_id=embedder_id,
        files=len(results),
        sources=n_sources,
        pages=sum(r.record.pages for r in results),
        chunks=n_chunks,
        embedded=embedded,
        reused=n_chunks - embedded,
        new=tuple(new),
        changed=tuple(changed),
        unchanged=tuple(unchanged),
        removed=tuple(removed),
        failed=failed,
        warnings=tuple(warnings),
        timings={k: round(v, 3) for k, v in timings.items()},
        seconds=round(time.perf_counter() - t0, 3),
    )


def _previous_index(
    root: Path, embedder_id: str, chunk_settings: ChunkSettings, full: bool
) -> tuple[LoadedIndex | None, str]:
    """The live index if its work can be reused (same embedder, chunker and format) and
    it verifies in full (`index.verify_index`), so no damaged part is reused or left in
    place; else None and, when it was damaged or of another format, one Norwegian line
    saying that all is rebuilt."""
    if full:
        return None, ""
    try:
        prev = verify_index(root)
    except IndexDamagedError as exc:
        return None, f"Indeksen i «{root}» var skadet ({exc.what}); alt bygges på nytt fra grunnen."
    except IndexFormatError:
        return None, f"Indeksen i «{root}» er fra en annen versjon av litsok; alt bygges på nytt fra grunnen."
    except LitsokError:
        return None, ""
    m = prev.manifest
    if m.embedder_id != embedder_id or m.chunker != chunk_settings.to_json() or m.embed_context != EMBED_CONTEXT:
        return None, ""
    return prev, ""


def _ocr_state() -> str:
    """Part of a failed PDF's key: a scan that failed without OCR is tried again once OCR works."""
    from .ingest.ocr import ocr_available

    return "ocr" if ocr_available() is None else "uten-ocr"


def _failure_key(cf: CorpusFile, settings_key: str, ocr_state: Callable[[], str]) -> str:
    """What a failed read depended on besides the file's content (see FailedFile)."""
    return f"{settings_key}|{ocr_state()}" if cf.kind == "pdf" else settings_key


def _prune_ocr_cache(folder: Path) -> None:
    """`--alt`: remove OCR cache entries that do not verify (the next read runs OCR on
    those pages again); entries that verify stay, as they are keyed by the PDF's hash."""
    import os

    from .ingest import ocr

    for parent, _, names in os.walk(folder):
        for name in names:
            path = Path(parent) / name
            try:
                ok = not name.startswith(".tmp-") and ocr._read_cache(path) is not None
            except Exception:  # noqa: BLE001 - ocr's reader does not expect JSON that is not an object
                ok = False
            if not ok and not path.is_symlink():
                path.unlink(missing_ok=True)


def _read_file(
    cf: CorpusFile, digest: str, bib: Mapping[str, Source], settings: Settings, chunk_settings: ChunkSettings,
    links: Mapping[str, str] | None = None,
) -> _FileResult:
    """Read one file into pages and chunks; raises UnreadableFileError. A PDF's own
    markings (ingest/annotations.py) become chunks of their own after its text's."""
    marks: list[Page] = []
    if cf.kind == "notat":
        from .ingest.notes import read_note

        note = read_note(cf.path, cf.rel)
        pages, title, warnings = list(note.pages), note.title, note.warnings
        origin = pages[0].label_origin if pages else ORIGIN_NONE
        origin = next((p.label_origin for p in pages if p.label), origin)
        notes: tuple[str, ...] = ()
    else:
        from .ingest.annotations import marking_pages, read_markings

        result, title = _read_pdf(cf, bib, settings, links or {})
        pages, warnings, origin, notes = list(result.pages), result.warnings, result.page_origin, result.notes
        found = read_markings(cf.path, cf.rel)
        marks = marking_pages(found.markings, pages, pages[0].source_key if pages else cf.rel, cf.rel)
        warnings = (*warnings, *found.warnings)
    chunks = chunk_pages(pages, chunk_settings) + marking_chunks(marks, [f"{p.pdf_index}:{n}" for n, p in enumerate(marks)], chunk_settings)
    key = pages[0].source_key if pages else cf.rel
    record = FileRecord(
        file=cf.rel,
        sha256=digest,
        kind=cf.kind,
        source_key=key,
        title=title,
        pages=len({p.label or f"#{i}" for i, p in enumerate(pages)}),
        chunks=len(chunks),
        page_origin=origin,
        warnings=tuple(warnings),
        settings_key=_settings_key(cf, bib, links),
        page_notes=notes,
    )
    return _FileResult(record, chunks, pages + marks)


def _settings_key(cf: CorpusFile, bib: Mapping[str, Source], links: Mapping[str, str] | None = None) -> str:
    """Bibliography facts that decide a PDF's printed pages; a change re-reads the file."""
    if cf.kind != "pdf":
        return ""
    from .ingest.annotations import ANNOTATIONS_VERSION
    from .ingest.pdf import READER_VERSION
    from .sources import page_range

    key = (links or {}).get(cf.rel) or match_pdf_source(cf.rel, bib)
    src = bib.get(key) if key else None
    head = f"{READER_VERSION}|{ANNOTATIONS_VERSION}"
    out = f"{head}|{key}|{src.first_page if src else ''}|{page_range(src) if src else ''}"
    return out + _stat_key(cf.path) if links and cf.rel in links else out


def _stat_key(path: Path) -> str:
    """Size and modification time of a Zotero attachment, so an unchanged one is not even hashed again."""
    try:
        st = path.stat()
    except OSError:
        return "|stat:?"
    return f"|stat:{st.st_size}:{st.st_mtime_ns}"


def _known_digest(prev: FileRecord | FailedFile | None, key: str, zotero: bool) -> str:
    """The recorded SHA-256 of a Zotero attachment whose size and time (in `key`) are as recorded
    (a library of 1,000 PDFs is ~5 GB to hash on every run); "" when it must be hashed."""
    if not zotero or prev is None or prev.settings_key != key or key.endswith("|stat:?"):
        return ""
    return "" if prev.sha256 == CHANGED_WHILE_READ else prev.sha256


def match_pdf_source(rel: str, bib: Mapping[str, Source]) -> str | None:
    """A PDF's source: the entry whose `file` field names the PDF (see `pdf_claims`),
    else the longest key the file name starts with."""
    claims = pdf_claims(rel, bib)
    if claims:
        return claims[0].key
    stem = _norm_key(Path(rel).stem)
    candidates = [k for k in bib if stem.startswith(_norm_key(k))]
    return max(candidates, key=len) if candidates else None


@dataclass(frozen=True)
class PdfClaim:
    """An entry whose `file` field names a PDF of the corpus."""

    key: str
    path: str  # the path as the `file` field has it (unescaped)
    exact: bool  # the same name (Unicode NFC), not only the same name ignoring case
    folders: int  # how many folders above the name are also the same (a relative path)


def pdf_claims(rel: str, bib: Mapping[str, Source]) -> list[PdfClaim]:
    """Entries whose `file` field names the PDF at `rel` (relative to the corpus), best first.

    Only the FILE NAME is compared (Windows or POSIX separators, case-insensitive, Unicode
    NFC), so a Zotero export made on another computer still links; the path itself is
    never opened, so a `file` field pointing outside the corpus reads nothing. An exact
    name beats one that differs in case, then more matching folders win, then the entry
    that comes first in the bibliography."""
    from .sources import file_name

    parts = [file_name(p) for p in rel.split("/")]
    name, folders = parts[-1], [p.casefold() for p in reversed(parts[:-1])]
    claims = []
    for key, path, their_name, their_folders in _name_index(_files_of(bib)).get(name.casefold(), ()):
        same = 0
        while same < min(len(folders), len(their_folders)) and folders[same] == their_folders[same]:
            same += 1
        claims.append(PdfClaim(key, path, their_name == name, same))
    claims.sort(key=lambda c: (not c.exact, -c.folders))  # stable: bibliography order breaks ties
    return claims


def _files_of(bib: Mapping[str, Source]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((key, src.files) for key, src in bib.items() if src.files)


@functools.lru_cache(maxsize=4)
def _name_index(
    files: tuple[tuple[str, tuple[str, ...]], ...],
) -> dict[str, list[tuple[str, str, str, list[str]]]]:
    """casefolded file name -> [(key, path, NFC name, casefolded folders nearest first)], in bibliography order."""
    import re

    from .sources import file_name

    out: dict[str, list[tuple[str, str, str, list[str]]]] = {}
    for key, paths in files:
        for path in paths:
            name = file_name(path)
            if name:
                folders = [file_name(p).casefold() for p in re.split(r"[/\\]", path.strip())[:-1] if p]
                out.setdefault(name.casefold(), []).append((key, path, name, folders[::-1]))
    return out


def missing_pdfs(pdf_rels: Sequence[str], bib: Mapping[str, Source]) -> dict[str, tuple[str, ...]]:
    """Entries whose `file` field names a PDF while no PDF of the corpus is linked to them:
    key -> the PDF names the field expects."""
    from .sources import file_name

    linked = {match_pdf_source(rel, bib) for rel in pdf_rels}
    out: dict[str, tuple[str, ...]] = {}
    for key, src in bib.items():
        names = tuple(dict.fromkeys(n for n in map(file_name, src.files) if n.lower().endswith(".pdf")))
        if names and key not in linked:
            out[key] = names
    return out


def pdf_link_warnings(pdf_rels: Sequence[str], bib: Mapping[str, Source]) -> list[str]:
    """Norwegian warnings about the links between the corpus PDFs and the bibliography:
    a PDF claimed by several entries, and entries whose PDF is not in the corpus."""
    out = []
    for rel in pdf_rels:
        claims = pdf_claims(rel, bib)
        keys = list(dict.fromkeys(c.key for c in claims))
        if len(keys) < 2:
            continue
        best, rival = claims[0], next(c for c in claims if c.key != keys[0])
        if best.exact and not rival.exact:
            why = "filnavnet stemmer nøyaktig, også store og små bokstaver"
        elif best.folders > rival.folders:
            why = "mappene i stien stemmer også"
        else:
            why = "den står først i kilder.bib"
        others = ", ".join(f"«{k}»" for k in keys[1:])
        out.append(
            f"{rel}: både «{keys[0]}» og {others} har filen i `file`-feltet; «{keys[0]}» brukes ({why}). "
            "Rett `file`-feltet i oppføringen som er feil."
        )
    missing = missing_pdfs(pdf_rels, bib)
    if missing:
        shown = ", ".join(f"«{k}»" for k in list(missing)[:3]) + (f" og {len(missing) - 3} til" if len(missing) > 3 else "")
        out.append(
            f"{len(missing)} {'oppføring' if len(missing) == 1 else 'oppføringer'} i kilder.bib ({shown}) har "
            "`file`-felt, men PDF-en finnes ikke i korpuset; se `litsok kilder`."
        )
    return out


def missing_pdf_message(key: str, names: Sequence[str]) -> str:
    """What `litsok kilder` says about an entry whose PDF is not in the corpus."""
    shown = ", ".join(f"«{n}»" for n in names)
    where = "den finnes" if len(names) == 1 else "ingen av dem finnes"
    return (
        f"«{key}»: `file`-feltet i kilder.bib viser til {shown}, men {where} ikke i korpuset. "
        "Kopier PDF-en inn i korpusmappen, eller rett `file`-feltet så filnavnet blir det samme som på PDF-en i korpuset."
    )


def no_entry_message(file: str) -> str:
    """What is said about a PDF that no bibliography entry is linked to."""
    return (
        f"{file}: ingen kilde i kilder.bib passer til filen; legg til en oppføring med `file`-felt "
        "eller gi filen et navn som starter med kildenøkkelen."
    )


def _norm_key(s: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(ch for ch in s if ch.isalnum())


def _read_pdf(
    cf: CorpusFile, bib: Mapping[str, Source], settings: Settings, links: Mapping[str, str]
) -> tuple[PdfReadResult, str]:
    """The PDF read with its source's page settings, and the title it is cited with.
    `links`: file -> source key of the PDFs whose source is known (Zotero attachments)."""
    from .ingest.ocr import OcrOptions
    from .ingest.pdf import read_pdf
    from .sources import page_range

    key = links.get(cf.rel) or match_pdf_source(cf.rel, bib)
    src = bib.get(key) if key else None
    result = read_pdf(
        cf.path,
        source_key=key or "pdf:" + Path(cf.rel).stem,
        rel_file=cf.rel,
        first_page=src.first_page if src else None,
        bib_pages=page_range(src) if src else None,
        ocr=OcrOptions(cache_dir=settings.index / OCR_CACHE),
    )
    return result, src.title if src else Path(cf.rel).stem


def _sources_for(results: Sequence[_FileResult], bib: Mapping[str, Source]) -> dict[str, Source]:
    from .sources import fallback_source

    out: dict[str, Source] = {}
    for r in results:
        key = r.record.source_key
        if key in bib:
            out[key] = bib[key]
        elif key not in out:
            out[key] = fallback_source(key, r.record.title)
    from .cite import with_year_suffixes

    return {s.key: s for s in with_year_suffixes(out.values())}  # Hansen (2020a), Hansen (2020b)


def _unknown_key_warnings(results: Sequence[_FileResult], bib: Mapping[str, Source]) -> list[str]:
    out = []
    for r in results:
        key = r.record.source_key
        if key not in bib and not key.startswith(("notat:", "pdf:")):
            from .sources import unknown_key_message

            out.append(unknown_key_message(r.record.file, key, bib))
        elif key.startswith("pdf:"):
            out.append(no_entry_message(r.record.file))
    return out


def cite_chunk(chunk: Chunk, source: Source) -> str:
    """The in-text citation of a chunk, from its source and printed pages."""
    from .cite import in_text, secondary_of

    secondary = secondary_of(chunk.heading)  # `## s. 180 – sitert: Biestek (1957)` in a note
    return in_text(source, chunk.pages, pdf_pages=chunk.label_origin == ORIGIN_PDF_INDEX, secondary=secondary)


def _citations(chunks: Sequence[Chunk], sources: dict[str, Source], previous: LoadedIndex | None) -> dict[str, str]:
    """Citation of every chunk; reuses the previous index's for sources whose metadata is unchanged.

    Chunks with the same source, pages, page origin and secondary source («sitert i») share
    one citation."""
    from .cite import secondary_of

    def key_of(c: Chunk) -> tuple[str, str, str, str]:
        return (c.source_key, c.pages, c.label_origin, secondary_of(c.heading))

    cache: dict[tuple[str, str, str, str], str] = {}
    if previous:
        same = {k for k, src in sources.items() if previous.sources.get(k, {}).get("csl") == src.csl}
        for sc in previous.chunks:
            if sc.chunk.source_key in same:
                cache[key_of(sc.chunk)] = sc.citation
    out: dict[str, str] = {}
    for c in chunks:
        key = key_of(c)
        if key not in cache:
            cache[key] = cite_chunk(c, sources[c.source_key])
        out[c.chunk_id] = cache[key]
    return out


def embedding_text(chunk: Chunk) -> str:
    """What the embedder sees (see EMBED_CONTEXT): the passage itself, so that
    bibliography edits never force re-embedding."""
    return chunk.text


def _embed_key(embedder_id: str, text: str) -> str:
    return hashlib.sha1(f"{embedder_id}\0{text}".encode()).hexdigest()


def _reusable_vectors(previous: LoadedIndex, wanted: set[str]) -> dict[str, np.ndarray]:
    if not wanted.intersection(sc.embed_key for sc in previous.chunks):
        return {}
    matrix = previous.vectors.vectors()
    return {sc.embed_key: matrix[i] for i, sc in enumerate(previous.chunks) if sc.embed_key in wanted}


def _embed_all(
    embedder: Embedder | None,
    texts: Sequence[str],
    keys: Sequence[str],
    reuse: dict[str, np.ndarray],
    todo: Sequence[int],
    dim: int,
    progress: Progress | None,
) -> np.ndarray:
    import numpy as np

    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, k in enumerate(keys):
        if k in reuse:
            out[i] = reuse[k]
    # A passage text that occurs more than once (a repeated paragraph, a page header
    # pasted into every note section, filler in a hostile file) is embedded once.
    first: dict[str, int] = {}
    copies: list[tuple[int, int]] = []
    unique: list[int] = []
    for i in todo:
        j = first.setdefault(keys[i], i)
        if j == i:
            unique.append(i)
        else:
            copies.append((i, j))
    if progress:
        progress("bygg inn", 0, len(unique))
    for start in range(0, len(unique), EMBED_BATCH):
        batch = unique[start : start + EMBED_BATCH]
        assert embedder is not None
        out[batch] = embedder.embed_passages([texts[i] for i in batch])
        if progress:
            progress("bygg inn", min(start + EMBED_BATCH, len(unique)), len(unique))
    for i, j in copies:
        out[i] = out[j]
    return out


def _source_json(src: Source, chunks: Sequence[Chunk], collections: Sequence[str] = ()) -> dict[str, Any]:
    from .cite import in_text
    from .sources import missing_fields

    labels = [c.page_first for c in chunks if c.page_first] + [c.page_last for c in chunks if c.page_last]
    return {
        "key": src.key,
        "title": src.title,
        "csl": src.csl,
        "files": sorted({c.file for c in chunks}),
        "citation": in_text(src, ""),
        "missing": [] if src.key.startswith("notat:") else list(missing_fields(src)),
        "page_origins": sorted({c.label_origin for c in chunks}),
        "pages": _page_extent(labels),
        "chunks": len(chunks),
        "collections": list(collections),  # Zotero collections ("Bachelor/Teori") the source is in
    }


def _page_extent(labels: Sequence[str]) -> str:
    from .model import page_span, split_label

    nums = [int(x) for lab in labels for x in split_label(lab) if x.isdigit()]
    if not nums:
        return ""
    return page_span(str(min(nums)), str(max(nums)))


# --------------------------------------------------------------------------- Zotero and own markings

# Zotero's part of `Manifest.bibliography` (keys no corpus file can have: a relative path never holds "//"):
# the database read, the collection it was limited to, and each source's fingerprint (`ZoteroLibrary.fingerprints`).
ZOTERO_STATE = "zotero://"
ZOTERO_DB = ZOTERO_STATE + "bibliotek"
ZOTERO_COLLECTION = ZOTERO_STATE + "samling"
ZOTERO_SOURCE = ZOTERO_STATE + "kilde/"
KIND_MARKINGS = "markering"  # FileRecord.kind of the Zotero annotations on one attachment


@dataclass(frozen=True)
class ZoteroInput:
    """The Zotero library and what of it the indexer reads: its PDF attachments on disk."""

    library: ZoteroLibrary
    files: tuple[CorpusFile, ...]  # "zotero:<attachment key>/<name>.pdf", read like a corpus PDF
    links: Mapping[str, str]  # file -> source key


def zotero_folder(settings: Settings) -> Path | None:
    """The Zotero data folder the settings name (None: none); "" in the settings is Zotero's
    usual folder, and a collection without a folder means that folder too."""
    from .zotero import default_data_dir

    if settings.no_zotero or (settings.zotero is None and settings.collection is None):
        return None
    return Path(settings.zotero).expanduser() if settings.zotero else default_data_dir()


def remembered_zotero(index: Path) -> tuple[Path, str | None] | None:
    """The Zotero database and collection the live index was built from, if any."""
    from .index import read_manifest

    try:
        recorded = read_manifest(index).bibliography
    except LitsokError:
        return None
    db = recorded.get(ZOTERO_DB)
    return (Path(db), recorded.get(ZOTERO_COLLECTION) or None) if db else None


def read_zotero(settings: Settings) -> ZoteroInput | None:
    """The library in `zotero_folder(settings)`, limited to `settings.collection`; without
    Zotero in the settings, the library the index was built from (unless `no_zotero`).
    Raises `ZoteroError`."""
    from .ingest.corpus import CorpusFile
    from .zotero import attachment_file, read_library

    folder, collection = zotero_folder(settings), settings.collection
    if folder is None and not settings.no_zotero:
        folder, collection = remembered_zotero(settings.index) or (None, None)
    if folder is None:
        return None
    library = read_library(folder, collection)
    files, links = [], {}
    for att_key, (source_key, path) in library.attachments.items():
        rel = attachment_file(att_key, path)
        files.append(CorpusFile(Path(path), rel, "pdf"))
        links[rel] = source_key
    return ZoteroInput(library, tuple(files), links)


def _zotero_summary(zot: ZoteroInput | None, results: Sequence[_FileResult]) -> dict[str, Any] | None:
    """What `indekser` says about the Zotero library it read (None without Zotero)."""
    if zot is None:
        return None
    marks = sum(r.record.chunks for r in results if r.record.kind == KIND_MARKINGS)
    return {
        "database": str(zot.library.db_path.absolute()),
        "samling": zot.library.collection,
        "elementer": len(zot.library.sources),
        "pdf_er": len(zot.files),
        "markeringer": marks,
    }


def zotero_state(library: ZoteroLibrary) -> dict[str, str]:
    """What the manifest records of the library, to tell a later run (and `status`) what changed."""
    state = {ZOTERO_DB: str(library.db_path.absolute()), ZOTERO_COLLECTION: library.collection or ""}
    return state | {ZOTERO_SOURCE + key: fp for key, fp in library.fingerprints.items()}


def _scan(settings: Settings, zotero: bool) -> CorpusListing:
    """The corpus; with Zotero, a missing or empty corpus folder is no error (the library is the corpus)."""
    from .errors import CorpusError
    from .ingest.corpus import CorpusListing, scan

    try:
        return scan(settings.corpus)
    except CorpusError:
        if not zotero:
            raise
        return CorpusListing(settings.corpus, (), ())


def _known_sources(bib: Mapping[str, Source], zot: ZoteroInput | None) -> dict[str, Source]:
    """The sources of the bibliography files and of Zotero; an entry of kilder.bib wins over
    the Zotero item with the same key (it may carry a hand-set `litsok_forsteside`)."""
    return {**(zot.library.sources if zot else {}), **bib}


def marking_chunks(pages: Sequence[Page], idents: Sequence[str], chunk_settings: ChunkSettings) -> list[Chunk]:
    """One chunk (or more, for a very long one) per own marking, never merged with
    another passage; `idents` make the ids of two markings with the same text differ."""
    out = []
    for page, ident in zip(pages, idents, strict=True):
        for c in chunk_pages([page], chunk_settings):
            digest = hashlib.sha1(f"markering\0{ident}\0{c.chunk_id}".encode()).hexdigest()[:16]
            out.append(replace(c, chunk_id=digest))
    return out


def zotero_markings(
    zot: ZoteroInput,
    results: Sequence[_FileResult],
    prev_files: Mapping[str, FileRecord],
    prev_chunks: Mapping[str, list[Chunk]],
    chunk_settings: ChunkSettings,
    twins: Mapping[str, str] | None = None,
) -> list[tuple[_FileResult, str]]:
    """The Zotero annotations of each attachment as one index file "zotero:<attachment key>"
    (kind `KIND_MARKINGS`), with whether it is "ny", "endret" or "uendret". An annotation
    stands on the printed page the PDF reader gave its PDF page (as the text there
    is cited), else on Zotero's page label. Annotations Zotero imported from the PDF
    file are left to the PDF's own markings, so none is indexed twice."""
    from .zotero import passage_text

    read_as = {zrel: zrel for zrel in zot.links} | dict(twins or {})  # attachment -> the file its text was read from
    by_file = {r.record.file: r for r in results}
    reader_pages: dict[str, dict[int | None, Page]] = {}
    for zrel, rel in read_as.items():
        if rel in by_file:
            att = zrel.split(":", 1)[1].split("/", 1)[0]
            reader_pages[att] = {p.pdf_index: p for p in by_file[rel].pages if not p.heading == OWN_MARKING}
    grouped: dict[str, list[tuple[str, Page]]] = {}
    for a in zot.library.annotations:
        text = passage_text(a)
        if a.external and a.attachment_path:
            continue  # Zotero's copy of a marking in the PDF itself: read from the PDF (ingest/annotations.py)
        if text:
            label, origin = _annotation_label(a.page_label, a.page_index, reader_pages.get(a.attachment_key, {}))
            page = Page(a.source_key, "zotero:" + a.attachment_key, label, text, a.page_index, origin, OWN_MARKING)
            grouped.setdefault(page.file, []).append((a.key, page))
    out = []
    for file, items in grouped.items():
        pages = [p for _, p in items]
        digest = hashlib.sha256(json.dumps([[k, p.to_json()] for k, p in items], ensure_ascii=False).encode()).hexdigest()
        prev = prev_files.get(file)
        if prev is not None and prev.sha256 == digest and file in prev_chunks:
            out.append((_FileResult(prev, prev_chunks[file], pages), "uendret"))
            continue
        chunks = marking_chunks(pages, [k for k, _ in items], chunk_settings)
        record = FileRecord(
            file=file, sha256=digest, kind=KIND_MARKINGS, source_key=pages[0].source_key,
            title=zot.library.sources[pages[0].source_key].title, pages=len({p.label for p in pages}),
            chunks=len(chunks), page_origin=pages[0].label_origin,
        )
        out.append((_FileResult(record, chunks, pages), "endret" if prev else "ny"))
    return out


def _same_pdf_twice(
    rel: str, digest: str, links: Mapping[str, str], corpus_pdfs: dict[str, str], twins: dict[str, str],
    warnings: list[str],
) -> bool:
    """A Zotero attachment with the same content as a PDF of the corpus is read only from the
    corpus (no passage twice); True when `rel` is such an attachment. Corpus files come first."""
    if rel not in links:
        corpus_pdfs.setdefault(digest, rel)
        return False
    if digest not in corpus_pdfs:
        return False
    twins[rel] = corpus_pdfs[digest]
    warnings.append(f"{rel}: samme PDF som {corpus_pdfs[digest]} i korpuset; den leses bare derfra.")
    return True


def _annotation_label(zotero_label: str, page_index: int | None, reader: Mapping[int | None, Page]) -> tuple[str, str]:
    """(label, origin) of a Zotero annotation: the reader's printed page for its PDF page when
    the reader found one, else Zotero's page label, else the reader's PDF page number."""
    from .ingest.annotations import page_label
    from .zotero import ORIGIN_ZOTERO

    page = reader.get(page_index) if page_index is not None else None
    if page is not None and page.label and page.label_origin != ORIGIN_PDF_INDEX:
        return page.label, page.label_origin
    if zotero_label:
        return zotero_label, ORIGIN_ZOTERO
    if page_index is not None and reader:
        return page_label(page_index, dict(reader))
    return "", ORIGIN_ZOTERO
