"""The library facade the CLI calls: build the index, ask, list sources, show a
page, report status. Building the index lives in `indexing`.

Never prints, never exits: returns values and raises `LitsokError`s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import EmbedderMismatchError, IndexFormatError, LitsokError
from .index import LoadedIndex, Manifest, load_index
from .indexing import IndexReport, index_corpus
from .model import ORIGIN_BIB, ORIGIN_PAGELABELS, ORIGIN_PDF_INDEX, ORIGIN_PRINTED, ORIGIN_SETTING, Hit, Page, Source

if TYPE_CHECKING:  # pragma: no cover
    from .embed import Embedder

__all__ = [
    "IndexReport",
    "index_corpus",
    "ask",
    "open_index",
    "query_embedder",
    "list_sources",
    "show_page",
    "status",
    "read_questions",
    "with_paths",
]


@dataclass(frozen=True)
class SourceSummary:
    key: str
    citation: str  # "(Biestek, 1972)"
    title: str
    kind: str  # CSL type or "notat"
    files: tuple[str, ...]
    pages: str  # printed page span covered in the index, e.g. "13–105"
    chunks: int
    missing: tuple[str, ...]
    page_origins: tuple[str, ...]
    needs_page_setting: bool
    # PDF names the entry's `file` field expects while no PDF of the corpus is linked to
    # it; such an entry is listed even when nothing of it is indexed (chunks == 0).
    missing_pdfs: tuple[str, ...] = ()
    needs_bib_entry: bool = False  # a PDF no bibliography entry is linked to ("pdf:<name>")
    warnings: tuple[str, ...] = ()  # what to do about the two above, in Norwegian
    # per PDF: (file, the evidence that set most of its page numbers, the disagreements resolved)
    page_evidence: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    collections: tuple[str, ...] = ()  # the Zotero collections the source is in ("Bachelor/Teori")

    def to_json(self) -> dict[str, Any]:
        return {
            "nøkkel": self.key,
            "sitat": self.citation,
            "tittel": self.title,
            "type": self.kind,
            "filer": list(self.files),
            "sider": self.pages,
            "biter": self.chunks,
            "mangler": list(self.missing),
            "sidekilder": list(self.page_origins),
            "trenger_sideinnstilling": self.needs_page_setting,
            "mangler_pdf": list(self.missing_pdfs),
            "trenger_bib_oppføring": self.needs_bib_entry,
            "advarsler": list(self.warnings),
            "sidebevis": [
                {"fil": f, "sidetall_fra": origin, "beskrivelse": page_evidence(f, origin), "avvik": list(notes)}
                for f, origin, notes in self.page_evidence
            ],
            "samlinger": list(self.collections),
        }


# What set a PDF's page numbers, for `kilder` (keys: the page origins of model.py).
PAGE_EVIDENCE = {
    ORIGIN_SETTING: "litsok_forsteside i kilder.bib",
    ORIGIN_BIB: "sideintervallet (pages) i kilder.bib, lagt over de trykte sidetallene",
    ORIGIN_PAGELABELS: "PDF-ens egne sidetall (/PageLabels), kontrollert mot de trykte",
    ORIGIN_PRINTED: "sidetallene trykt i topp- og bunntekst",
    ORIGIN_PDF_INDEX: "PDF-ens sidenummer: ingen trykte sidetall funnet",
}
# The same for a PDF attachment read from Zotero, whose settings are in the Zotero item.
ZOTERO_PAGE_EVIDENCE = {
    ORIGIN_SETTING: "litsok_forsteside i Zotero-elementet (feltet Ekstra)",
    ORIGIN_BIB: "sideintervallet (Sider) i Zotero-elementet, lagt over de trykte sidetallene",
}


def page_evidence(file: str, origin: str) -> str:
    """What set the page numbers of `file` (for `kilder`), in Norwegian."""
    from .zotero import is_zotero_file

    if is_zotero_file(file) and origin in ZOTERO_PAGE_EVIDENCE:
        return ZOTERO_PAGE_EVIDENCE[origin]
    return PAGE_EVIDENCE.get(origin, origin)


# --------------------------------------------------------------------------- asking


_LOADED: dict[Path, tuple[str, LoadedIndex]] = {}


def open_index(settings: Settings) -> LoadedIndex:
    """Load the live index once per process (reloaded when CURRENT changes)."""
    from .index import current_generation

    root = settings.index.resolve()
    gen = current_generation(root)
    cached = _LOADED.get(root)
    if cached and gen is not None and cached[0] == gen.name:
        return cached[1]
    idx = load_index(root)
    _LOADED[root] = (idx.folder.name, idx)
    return idx


def query_embedder(settings: Settings, index: LoadedIndex) -> Embedder:
    """The index's embedder; a different explicitly requested one is an error."""
    from .embed import canonical_id, get_embedder

    built_with = index.manifest.embedder_id
    if settings.embedder and canonical_id(settings.embedder) != built_with:
        raise EmbedderMismatchError(
            f"Indeksen i «{settings.index}» er bygd med modellen «{built_with}», men du spør med "
            f"«{canonical_id(settings.embedder)}». Spør uten --modell (da brukes «{built_with}»), eller bygg "
            f"indeksen på nytt med den nye modellen: `litsok indekser --modell {settings.embedder} --alt`."
        )
    return get_embedder(built_with)


def ask(settings: Settings, question: str, *, k: int | None = None, sources: Sequence[str] = ()) -> list[Hit]:
    """Ranked, cited passages for a question."""
    from .search import clean_query

    clean_query(question)
    try:
        return _ask_once(settings, question, k, sources)
    except (FileNotFoundError, IndexFormatError):
        # the generation went away under us (an `indekser` switched twice): open the new one, once
        _LOADED.pop(settings.index.resolve(), None)
        return _ask_once(settings, question, k, sources)


def _ask_once(settings: Settings, question: str, k: int | None, sources: Sequence[str]) -> list[Hit]:
    from .search import search

    index = open_index(settings)
    unknown = [s for s in sources if s not in index.sources]
    if unknown:
        raise LitsokError(
            f"Ukjent kilde {', '.join(repr(u) for u in unknown)}. Kjente kilder: {', '.join(sorted(index.sources))} "
            "(se `litsok kilder`)."
        )
    embedder = query_embedder(settings, index) if settings.fusion != "lexical" else None
    return search(
        index,
        embedder,
        question,
        k=k or settings.k,
        mode=settings.fusion,
        dense_weight=settings.dense_weight,
        sources=sources,
    )


def list_sources(settings: Settings) -> list[SourceSummary]:
    """The indexed sources with their page extent, chunk counts and missing metadata,
    then the bibliography entries whose `file` field names a PDF that is not in the
    corpus. Links between PDFs and entries are checked against the corpus and
    bibliography as they are now; the rest is what the index holds."""
    from .indexing import match_pdf_source, missing_pdf_message, missing_pdfs, no_entry_message

    index = open_index(settings)
    live = _corpus_links(settings)
    bib, pdf_rels = live if live else ({}, [])
    missing = missing_pdfs(pdf_rels, bib) if live else {}
    pdf_set = set(pdf_rels)
    out = []
    for key, s in sorted(index.sources.items(), key=lambda kv: kv[1]["citation"].lower()):
        origins = tuple(s.get("page_origins", ()))
        files = tuple(s["files"])
        warnings: list[str] = []
        if key.startswith("pdf:"):
            for f in files:
                now = match_pdf_source(f, bib) if f in pdf_set else None
                warnings.append(
                    f"{f}: passer nå til «{now}» i kilder.bib; kjør `litsok indekser` så den siteres med forfatter og år."
                    if now
                    else no_entry_message(f)
                )
        if key in missing:
            warnings.append(missing_pdf_message(key, missing[key]))
        evidence = tuple(
            (rec.file, rec.page_origin, rec.page_notes) for rec in index.manifest.files if rec.kind == "pdf" and rec.file in files
        )
        out.append(
            SourceSummary(
                key=key,
                citation=s["citation"],
                title=s["title"],
                kind="notat" if key.startswith("notat:") else str(s["csl"].get("type", "")),
                files=files,
                pages=s["pages"],
                chunks=s["chunks"],
                missing=tuple(s["missing"]),
                page_origins=origins,
                needs_page_setting=ORIGIN_PDF_INDEX in origins,
                missing_pdfs=missing.get(key, ()),
                needs_bib_entry=key.startswith("pdf:"),
                warnings=tuple(warnings),
                page_evidence=evidence,
                collections=tuple(str(c) for c in s.get("collections", ())),
            )
        )
    out += sorted(
        (_unindexed_summary(bib[key], names) for key, names in missing.items() if key not in index.sources),
        key=lambda s: s.citation.lower(),
    )
    return out


def _corpus_links(settings: Settings) -> tuple[dict[str, Source], list[str]] | None:
    """The bibliography and the PDFs (paths relative to the corpus) as they are now;
    None when the corpus or its bibliography cannot be read."""
    from .ingest.corpus import scan
    from .sources import load_bibliography

    try:
        listing = scan(settings.corpus)
        bib = load_bibliography(list(listing.bibliographies))
    except LitsokError:
        return None
    return dict(bib.sources), [cf.rel for cf in listing.files if cf.kind == "pdf"]


def _unindexed_summary(src: Source, names: tuple[str, ...]) -> SourceSummary:
    """A bibliography entry with nothing in the index, listed because its PDF is missing."""
    from .cite import in_text
    from .indexing import missing_pdf_message
    from .sources import missing_fields

    return SourceSummary(
        key=src.key,
        citation=in_text(src, ""),
        title=src.title,
        kind=str(src.csl.get("type", "")),
        files=(),
        pages="",
        chunks=0,
        missing=missing_fields(src),
        page_origins=(),
        needs_page_setting=False,
        missing_pdfs=names,
        warnings=(missing_pdf_message(src.key, names),),
    )


def with_paths(settings: Settings, corpus: Path | None, index: Path | None, embedder: str | None) -> Settings:
    return replace(
        settings,
        corpus=corpus if corpus is not None else settings.corpus,
        index=index if index is not None else settings.index,
        embedder=embedder if embedder is not None else settings.embedder,
    )


# --------------------------------------------------------------------------- reading a page


@dataclass(frozen=True)
class PageView:
    source_key: str
    source_title: str
    citation: str
    pages: tuple[Page, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "source_key": self.source_key,
            "source_title": self.source_title,
            "citation": self.citation,
            "pages": [p.to_json() for p in self.pages],
        }


MAX_PAGE_DIGITS_ASKED = 6  # a page asked for in `vis` longer than this is no page number


def _number(s: str) -> int | None:
    return int(s) if s.isdigit() and len(s) <= MAX_PAGE_DIGITS_ASKED else None


def label_contains(label: str, page: str) -> bool:
    """Does the printed label ("28–29", "180", "xii") include or overlap `page`
    (which may itself be a range, "28-29")?"""
    from .model import split_label

    first, last = split_label(label)
    want_first, want_last = split_label(page)
    nums = [_number(x) for x in (first, last, want_first, want_last)]
    if all(n is not None for n in nums):
        a, b, c, d = nums
        return a <= d and c <= b  # type: ignore[operator]
    return want_first.lower() in (first.lower(), last.lower()) or want_last.lower() in (first.lower(), last.lower())


def show_page(settings: Settings, key: str, page: str) -> PageView:
    """The whole text of one printed page of a source (for `litsok vis`)."""
    from .cite import in_text

    index = open_index(settings)
    if key not in index.sources:
        raise LitsokError(f"Ukjent kilde «{key}». Kjente kilder: {', '.join(sorted(index.sources))} (se `litsok kilder`).")
    page = page.strip().removeprefix("s.").strip()
    of_source = [p for p in index.pages if p.source_key == key]
    found = tuple(p for p in of_source if p.label and label_contains(p.label, page))
    if not found:
        labels = ", ".join(dict.fromkeys(p.label for p in of_source if p.label)) or "ingen"
        raise LitsokError(f"Kilden «{key}» har ingen side {page} i indeksen. Sider som finnes: {labels}.")
    src = index.sources[key]
    source = Source(key=key, csl=src["csl"])
    citation = in_text(source, page, pdf_pages=found[0].label_origin == ORIGIN_PDF_INDEX)
    return PageView(key, src["title"], citation, found)


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class Status:
    corpus: Path
    index: Path
    index_exists: bool
    embedder_id: str
    files: int
    sources: int
    chunks: int
    created: str
    stale_new: tuple[str, ...]
    stale_changed: tuple[str, ...]
    stale_removed: tuple[str, ...]
    bibliography_changed: bool
    failed: dict[str, str]
    ocr: str | None  # None when OCR is available, else the reason
    damaged: str = ""  # the IndexFormatError's message when the index is damaged (or of another format)
    zotero: ZoteroChanges | None = None  # the Zotero library indexed (or set up), and what changed in it since

    @property
    def is_stale(self) -> bool:
        zotero = self.zotero is not None and self.zotero.is_stale
        return bool(self.stale_new or self.stale_changed or self.stale_removed or self.bibliography_changed or zotero)

    def to_json(self) -> dict[str, Any]:
        return {
            "korpus": str(self.corpus),
            "indeks": str(self.index),
            "indeks_finnes": self.index_exists,
            "modell": self.embedder_id,
            "filer": self.files,
            "kilder": self.sources,
            "biter": self.chunks,
            "indeksert": self.created,
            "utdatert": self.is_stale,
            "nye": list(self.stale_new),
            "endret": list(self.stale_changed),
            "fjernet": list(self.stale_removed),
            "kilder_bib_endret": self.bibliography_changed,
            "feilet": self.failed,
            "ocr": self.ocr or "tilgjengelig",
            "skadet": self.damaged or None,
            "zotero": self.zotero.to_json() if self.zotero else None,
        }


@dataclass(frozen=True)
class ZoteroChanges:
    """The Zotero library of the index (`status`): which sources changed since it was indexed."""

    folder: str  # the data folder (or zotero.sqlite) read
    collection: str  # the collection the index is limited to ("" = the whole library)
    new: tuple[str, ...] = ()  # source keys
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    error: str = ""  # why the library cannot be read now (Norwegian), "" when it can

    @property
    def is_stale(self) -> bool:
        return bool(self.new or self.changed or self.removed)

    def to_json(self) -> dict[str, Any]:
        return {
            "mappe": self.folder,
            "samling": self.collection or None,
            "nye": list(self.new),
            "endret": list(self.changed),
            "fjernet": list(self.removed),
            "feil": self.error or None,
        }


def zotero_changes(settings: Settings, manifest: Manifest | None) -> ZoteroChanges | None:
    """What changed in the Zotero library since the index was built (per source, by
    `ZoteroLibrary.fingerprints`); None when neither the settings nor the index use Zotero."""
    from .indexing import ZOTERO_COLLECTION, ZOTERO_DB, ZOTERO_SOURCE, zotero_folder
    from .zotero import ZoteroError, read_library

    recorded = dict(manifest.bibliography) if manifest else {}
    folder, collection = zotero_folder(settings), settings.collection
    if folder is None and recorded.get(ZOTERO_DB):
        folder, collection = Path(recorded[ZOTERO_DB]), recorded.get(ZOTERO_COLLECTION) or None
    if folder is None:
        return None
    before = {k.removeprefix(ZOTERO_SOURCE): v for k, v in recorded.items() if k.startswith(ZOTERO_SOURCE)}
    try:
        now = dict(read_library(folder, collection).fingerprints)
    except ZoteroError as exc:
        return ZoteroChanges(str(folder), collection or "", error=exc.message)
    return ZoteroChanges(
        str(folder), collection or "",
        new=tuple(k for k in now if k not in before),
        changed=tuple(k for k in now if k in before and before[k] != now[k]),
        removed=tuple(k for k in before if k not in now),
    )


def status(settings: Settings) -> Status:
    """Where things are, what the index holds and what has changed since. The index is
    checked in full (`index.verify_index`: every file's size and SHA-256, everything
    read and checked as the commands would): a damaged one is reported in `damaged`,
    with what is wrong and the fix."""
    from .errors import CorpusError, IndexMissingError
    from .index import read_manifest, verify_index
    from .indexing import ZOTERO_STATE
    from .ingest.corpus import file_hash, scan
    from .ingest.ocr import ocr_available
    from .zotero import is_zotero_file

    manifest: Manifest | None = None
    damaged = ""
    try:
        manifest = verify_index(settings.index).manifest
    except IndexMissingError:
        pass
    except IndexFormatError as exc:
        damaged = exc.message
        try:  # what the manifest says, when it can still be read
            manifest = read_manifest(settings.index)
        except LitsokError:
            manifest = None
    try:
        listing = scan(settings.corpus)
        files = {cf.rel: cf.path for cf in listing.files}
        bibs = {str(p.relative_to(listing.root)): p for p in listing.bibliographies}
    except CorpusError:
        files, bibs = {}, {}
    indexed = {f.file: f.sha256 for f in manifest.files} if manifest else {}
    failed = manifest.failed if manifest else {}
    # a file that failed and has changed since is read again by the next `indekser`: it is stale too
    known = {f.file: f.sha256 for f in manifest.failures} | indexed if manifest else {}
    new = tuple(f for f in files if f not in indexed and f not in failed)
    changed = tuple(f for f in files if f in known and file_hash(files[f]) != known[f])
    removed = tuple(f for f in indexed if f not in files and not is_zotero_file(f))
    recorded_bibs = {k: v for k, v in manifest.bibliography.items() if not k.startswith(ZOTERO_STATE)} if manifest else {}
    bib_changed = bool(manifest) and {k: file_hash(p) for k, p in bibs.items()} != recorded_bibs
    return Status(
        corpus=settings.corpus,
        index=settings.index,
        index_exists=manifest is not None or bool(damaged),
        embedder_id=manifest.embedder_id if manifest else "",
        files=len(manifest.files) if manifest else 0,
        sources=len({f.source_key for f in manifest.files}) if manifest else 0,
        chunks=sum(f.chunks for f in manifest.files) if manifest else 0,
        created=manifest.created if manifest else "",
        stale_new=new,
        stale_changed=changed,
        stale_removed=removed,
        bibliography_changed=bib_changed,
        failed=dict(failed),
        ocr=ocr_available(),
        damaged=damaged,
        zotero=zotero_changes(settings, manifest),
    )


# --------------------------------------------------------------------------- many questions


def read_questions(text: str) -> list[str]:
    """One question per line; blank lines and lines starting with # are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def with_zotero(settings: Settings, folder: str | None, collection: str | None, off: bool = False) -> Settings:
    """`--zotero [MAPPE]`, `--samling NAVN` and `--uten-zotero` over the settings: a folder
    given wins over `zotero` in litsok.toml; `--zotero` alone keeps that (or Zotero's usual
    folder); `--samling` alone means Zotero too."""
    if off:
        if folder is not None or collection is not None:
            raise LitsokError("`--uten-zotero` kan ikke brukes sammen med `--zotero` eller `--samling`; velg én av dem.")
        return replace(settings, zotero=None, collection=None, no_zotero=True)
    if folder is None and collection is None:
        return settings
    if collection is not None and not collection.strip():
        raise LitsokError("`--samling` trenger navnet på en Zotero-samling, f.eks. `--samling Bachelor`.")
    zotero = str(Path(folder).expanduser()) if folder else (settings.zotero if settings.zotero is not None else "")
    return replace(settings, zotero=zotero, collection=collection.strip() if collection else settings.collection)
