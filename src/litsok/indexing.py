"""Building the index: corpus files -> pages -> chunks -> citations and
embeddings -> a new index generation. Incremental: unchanged files keep their
chunks, unchanged passages keep their embeddings, unchanged sources keep their
citations, and a run where nothing changed writes nothing.

Never prints, never exits: returns an `IndexReport` and raises `LitsokError`s."""

from __future__ import annotations

import functools
import hashlib
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
from .model import ORIGIN_NONE, ORIGIN_PDF_INDEX, Chunk, Page, Source

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .embed import Embedder
    from .ingest.corpus import CorpusFile
    from .ingest.pdf import PdfReadResult

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
    from .ingest.corpus import scan
    from .sources import load_bibliography

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    listing = scan(settings.corpus)
    bib = load_bibliography(list(listing.bibliographies))
    warnings: list[str] = [f"{file}: {reason}" for file, reason in listing.skipped] + list(bib.problems)
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
        for i, cf in enumerate(listing.files):
            if progress:
                progress("les", i, len(listing.files))
            digest = _hash_or_gone(cf.path)
            if not digest:
                failed[cf.rel] = f"{cf.rel}: filen forsvant eller kunne ikke leses under indekseringen. Kjør `litsok indekser` igjen."
                continue
            prev = prev_files.get(cf.rel)
            key = _settings_key(cf, bib.sources)
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
                res = _read_file(cf, digest, bib.sources, settings, chunk_settings)
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
            progress("les", len(listing.files), len(listing.files))
        removed = sorted(set(prev_files) - {cf.rel for cf in listing.files})
        timings["lese og dele opp"] = time.perf_counter() - t
        bib_hashes = {str(p.relative_to(listing.root)): bib.hashes[str(p)] for p in listing.bibliographies}
        # nothing new, changed, removed or newly failed, and every earlier failure still there and remembered
        nothing_changed = not (new or changed or removed) and set(remembered) == set(failed) == set(prev_failures)
        if previous and nothing_changed and bib_hashes == previous.manifest.bibliography:
            return replace(_report(  # the live index is already up to date: write nothing
                settings, embedder_id, results, len(previous.sources), len(previous.chunks), 0,
                ([], [], unchanged, []), failed, warnings, timings, t0,
            ), skipped_entries=bib.skipped)

        # 2. sources and citations (reused for sources whose metadata is unchanged)
        t = time.perf_counter()
        sources = _sources_for(results, bib.sources)
        warnings += _unknown_key_warnings(results, bib.sources)
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
        source_json = {key: _source_json(src, by_source.get(key, [])) for key, src in sources.items()}
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
    ), skipped_entries=bib.skipped)


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
    cf: CorpusFile, digest: str, bib: Mapping[str, Source], settings: Settings, chunk_settings: ChunkSettings
) -> _FileResult:
    """Read one file into pages and chunks; raises UnreadableFileError."""
    if cf.kind == "notat":
        from .ingest.notes import read_note

        note = read_note(cf.path, cf.rel)
        pages, title, warnings = list(note.pages), note.title, note.warnings
        origin = pages[0].label_origin if pages else ORIGIN_NONE
        origin = next((p.label_origin for p in pages if p.label), origin)
        notes: tuple[str, ...] = ()
    else:
        result, title = _read_pdf(cf, bib, settings)
        pages, warnings, origin, notes = list(result.pages), result.warnings, result.page_origin, result.notes
    chunks = chunk_pages(pages, chunk_settings)
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
        settings_key=_settings_key(cf, bib),
        page_notes=notes,
    )
    return _FileResult(record, chunks, pages)


def _settings_key(cf: CorpusFile, bib: Mapping[str, Source]) -> str:
    """Bibliography facts that decide a PDF's printed pages; a change re-reads the file."""
    if cf.kind != "pdf":
        return ""
    from .ingest.pdf import READER_VERSION
    from .sources import page_range

    key = match_pdf_source(cf.rel, bib)
    src = bib.get(key) if key else None
    return f"{READER_VERSION}|{key}|{src.first_page if src else ''}|{page_range(src) if src else ''}"


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


def _read_pdf(cf: CorpusFile, bib: Mapping[str, Source], settings: Settings) -> tuple[PdfReadResult, str]:
    """The PDF read with its source's page settings, and the title it is cited with."""
    from .ingest.ocr import OcrOptions
    from .ingest.pdf import read_pdf
    from .sources import page_range

    key = match_pdf_source(cf.rel, bib)
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
    """Citation of every chunk; reuses the previous index's for sources whose metadata is unchanged."""
    cache: dict[tuple[str, str, str], str] = {}
    if previous:
        same = {k for k, src in sources.items() if previous.sources.get(k, {}).get("csl") == src.csl}
        for sc in previous.chunks:
            if sc.chunk.source_key in same:
                cache[(sc.chunk.source_key, sc.chunk.pages, sc.chunk.label_origin)] = sc.citation
    out: dict[str, str] = {}
    for c in chunks:
        key = (c.source_key, c.pages, c.label_origin)
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
    if progress:
        progress("bygg inn", 0, len(todo))
    for start in range(0, len(todo), EMBED_BATCH):
        batch = list(todo[start : start + EMBED_BATCH])
        assert embedder is not None
        out[batch] = embedder.embed_passages([texts[i] for i in batch])
        if progress:
            progress("bygg inn", min(start + EMBED_BATCH, len(todo)), len(todo))
    return out


def _source_json(src: Source, chunks: Sequence[Chunk]) -> dict[str, Any]:
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
    }


def _page_extent(labels: Sequence[str]) -> str:
    from .model import page_span, split_label

    nums = [int(x) for lab in labels for x in split_label(lab) if x.isdigit()]
    if not nums:
        return ""
    return page_span(str(min(nums)), str(max(nums)))
