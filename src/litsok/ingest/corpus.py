"""What is in a corpus folder: notes, PDFs and bibliography files."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
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
    skipped: tuple[tuple[str, str], ...] = ()  # (file, Norwegian reason): links out of the corpus, special files


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
    skipped: list[tuple[str, str]] = []
    for path, rel_parts in _walk(root, skipped):
        rel_parts = tuple(map(display_name, rel_parts))
        name = rel_parts[-1].lower()
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
    files.sort(key=lambda f: f.path)
    bibs.sort()
    return CorpusListing(root, tuple(files), tuple(bibs), tuple(skipped))


def display_name(name: str) -> str:
    """A file name as text: a name that is not UTF-8 (`Sk\\xf8yen.md` from a Windows
    zip, surrogate-escaped by the OS layer) is read as Windows-1252."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _walk(root: Path, skipped: list[tuple[str, str]]) -> Iterator[tuple[Path, tuple[str, ...]]]:
    """Regular files under `root`, sorted, hidden ones left out.

    A symbolic link is followed only when it resolves to a regular file inside
    the corpus (a link to /etc/passwd or /proc/self/environ is never read);
    linked folders, sockets, FIFOs and devices are left out. Each one left out
    is reported in `skipped` with the reason."""
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for d in list(dirnames):
            if (here / d).is_symlink():
                dirnames.remove(d)
                skipped.append((_rel(here / d, root), "er en lenke til en mappe; litsok følger ikke lenkede mapper. Kopier filene inn i korpuset."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            rel_parts = path.relative_to(root).parts
            reason = _unsafe(path, real_root)
            if reason:
                skipped.append((_rel(path, root), reason))
                continue
            yield path, rel_parts


def _unsafe(path: Path, real_root: Path) -> str:
    """Why `path` must not be read ("" when it is a plain file, or a link to one inside the corpus)."""
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            target = path.resolve()
            if not target.is_relative_to(real_root):
                return "er en lenke til en fil utenfor korpuset og leses ikke. Kopier filen inn i korpuset hvis den skal med."
            mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            return "er ikke en vanlig fil (enhet, FIFO eller socket) og leses ikke."
    except (OSError, RuntimeError):
        return "kan ikke leses (en brutt lenke eller manglende tilgang)."
    return ""


def _rel(path: Path, root: Path) -> str:
    return "/".join(map(display_name, path.relative_to(root).parts))


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
