"""What is in a corpus folder: notes, PDFs and bibliography files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusError

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
PDF_SUFFIXES = (".pdf",)
BIB_SUFFIXES = (".bib", ".ris")
IGNORED_NAMES = ("readme.md", "litsok.toml")


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    rel: str  # relative to the corpus root, forward slashes
    kind: str  # "notat" | "pdf"


@dataclass(frozen=True)
class CorpusListing:
    root: Path
    files: tuple[CorpusFile, ...]
    bibliographies: tuple[Path, ...]


def scan(root: Path) -> CorpusListing:
    """List the corpus; a missing or empty folder is a clear error."""
    if not root.exists():
        raise CorpusError(
            f"Korpusmappen «{root}» finnes ikke. Lag den og legg PDF-er og notater der, "
            "eller pek på riktig mappe med --korpus."
        )
    if not root.is_dir():
        raise CorpusError(f"«{root}» er ikke en mappe. Pek på korpusmappen med --korpus.")
    files: list[CorpusFile] = []
    bibs: list[Path] = []
    for path in sorted(root.rglob("*")):
        rel_parts = path.relative_to(root).parts
        if any(part.startswith(".") for part in rel_parts) or not path.is_file():
            continue
        name = path.name.lower()
        rel = "/".join(rel_parts)
        if name.endswith(BIB_SUFFIXES) or (name.endswith(".json") and len(rel_parts) == 1):
            bibs.append(path)
        elif name in IGNORED_NAMES:
            continue
        elif name.endswith(NOTE_SUFFIXES):
            files.append(CorpusFile(path, rel, "notat"))
        elif name.endswith(PDF_SUFFIXES):
            files.append(CorpusFile(path, rel, "pdf"))
    if not files:
        raise CorpusError(
            f"Korpusmappen «{root}» inneholder ingen notater (.md, .txt) eller PDF-er. "
            "Legg kildene dine der og kjør `litsok indekser` igjen."
        )
    return CorpusListing(root, tuple(files), tuple(bibs))


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
