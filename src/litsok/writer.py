"""The writer's side of the facade: which source and page to cite for a sentence,
whether the citations in a draft hold, and the reference list.

Like `library`, it never prints and never exits: it returns values and raises
`LitsokError`s."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .config import Settings

if TYPE_CHECKING:  # pragma: no cover
    from .check import DraftReport
    from .claim import ClaimResult
    from .embed import Embedder
    from .index import LoadedIndex
    from .model import Source


def _open(settings: Settings) -> tuple[LoadedIndex, Embedder]:
    from .library import open_index, query_embedder

    index = open_index(settings)
    return index, query_embedder(settings, index)


def cite_claim(settings: Settings, claim: str, k: int = 3) -> ClaimResult:
    """The best supporting passages of a claim, each with its page, best sentence,
    support in [0, 1] and the citation to paste (a «quotation» when the claim copies
    the source's wording); `ClaimResult.supported` is False when nothing supports it."""
    from .claim import support_claim
    from .search import clean_query

    clean_query(claim)
    index, embedder = _open(settings)
    return support_claim(
        index, embedder, claim, k=k, mode=settings.fusion, dense_weight=settings.dense_weight
    )


def check_draft(settings: Settings, path: Path) -> DraftReport:
    """Check every in-text citation of a draft (.md, .txt, .docx) against the index."""
    from .check import check_citations, read_draft

    draft = read_draft(path)
    index, embedder = _open(settings)
    return check_citations(index, embedder, draft, mode=settings.fusion, dense_weight=settings.dense_weight)


def index_sources(index: LoadedIndex) -> list[Source]:
    """The index's sources with bibliographic metadata (own notes left out)."""
    from .model import Source

    out = []
    for key, s in index.sources.items():
        source = Source(key=key, csl=dict(s.get("csl") or {}))
        if not key.startswith("notat:"):
            out.append(source)
    return out


def _listed_sources(settings: Settings, draft: Path | None) -> list[Source]:
    """The sources of the reference list: all in the index, or those the draft cites."""
    from .library import open_index

    index = open_index(settings)
    sources = index_sources(index)
    if draft is not None:
        from .check import cited_keys, read_draft

        wanted = set(cited_keys(index, read_draft(draft)))
        sources = [s for s in sources if s.key in wanted]
    return sources


def references(settings: Settings, draft: Path | None = None, fmt: str = "tekst") -> str:
    """The reference list (APA order) of all sources in the index, or of those the
    draft cites; fmt tekst, markdown, bibtex or csl-json."""
    from .cite import FORMATS, reference_document
    from .errors import LitsokError

    if fmt not in FORMATS:
        raise LitsokError(f"Ukjent format «{fmt}». Gyldige formater: {', '.join(FORMATS)}.")
    sources = _listed_sources(settings, draft)
    if not sources:
        return "[]\n" if fmt == "csl-json" else ""
    return reference_document(sources, fmt)


def reference_items(settings: Settings, draft: Path | None = None) -> list[dict[str, object]]:
    """The reference list as data (for `referanser --json`): per source in APA order
    its key, the entry as plain text and as Markdown, and its CSL-JSON."""
    from .cite import public_csl, reference_list, sort_key

    ordered = sorted({s.key: s for s in _listed_sources(settings, draft)}.values(), key=sort_key)
    plain, markdown = reference_list(ordered, "tekst"), reference_list(ordered, "markdown")
    return [
        {"nøkkel": s.key, "referanse": p, "markdown": m, "csl": public_csl(s)}
        for s, p, m in zip(ordered, plain, markdown, strict=True)
    ]
