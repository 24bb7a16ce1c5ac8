"""Hostile bibliographies (BibTeX, RIS, CSL-JSON) for the loaders in `sources`.

Each `make_<case>(folder, scale=1.0)` writes one bibliography file into `folder`,
plus a small reading note `notat.md` that cites one of its good entries (so the
folder is a corpus `litsok indekser --korpus FOLDER` can index on its own), and
returns the bibliography's path. `scale=1.0` is the full-size input from issue 14
(items 8 and 11): the 100 MB .bib, the 5,000-digit numbers. Unit tests call these
with a small scale (and lower a limit instead of making a big file);
bench/robustness.py runs every entry of `CASES` at full size through the CLI.

Every hostile file keeps the entries `god2001` ("Gode, A. (2001). En god bok.")
and `god2002` intact, so a test can check that the rest of the file still loads.
"""

from __future__ import annotations

from pathlib import Path

GOOD_KEYS = ("god2001", "god2002")
NOTE = "---\nkilde: god2001\n---\n## s. 12\nTillit tar tid å bygge opp i relasjonen mellom klient og hjelper.\n"

GOOD_BIB = (
    "@book{god2001,\n  author = {Gode, Anne},\n  title = {En god bok},\n  publisher = {Universitetsforlaget},\n"
    "  year = {2001},\n}\n\n"
    "@article{god2002,\n  author = {Bedre, Bjørn and Best, Berit},\n  title = {En god artikkel},\n"
    "  journal = {Tidsskrift for velferdsforskning},\n  volume = {5},\n  pages = {10--20},\n  year = {2002},\n}\n"
)
GOOD_RIS = (
    "TY  - BOOK\nID  - god2001\nAU  - Gode, Anne\nTI  - En god bok\nPB  - Universitetsforlaget\nPY  - 2001\nER  - \n\n"
    "TY  - JOUR\nID  - god2002\nAU  - Bedre, Bjørn\nAU  - Best, Berit\nTI  - En god artikkel\n"
    "JO  - Tidsskrift for velferdsforskning\nVL  - 5\nSP  - 10\nEP  - 20\nPY  - 2002\nER  - \n"
)
GOOD_CSL: tuple[dict[str, object], ...] = (
    {"id": "god2001", "type": "book", "title": "En god bok", "author": [{"family": "Gode", "given": "Anne"}],
     "publisher": "Universitetsforlaget", "issued": {"date-parts": [[2001]]}},
    {"id": "god2002", "type": "article-journal", "title": "En god artikkel",
     "author": [{"family": "Bedre", "given": "Bjørn"}, {"family": "Best", "given": "Berit"}],
     "container-title": "Tidsskrift for velferdsforskning", "volume": "5", "page": "10-20",
     "issued": {"date-parts": [[2002]]}},
)


def _n(full: int, scale: float, least: int = 1) -> int:
    return max(least, int(full * scale))


def _with_note(folder: Path, name: str, data: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notat.md").write_text(NOTE, encoding="utf-8")
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- a realistic Zotero export

_FAMILIES = ("Hansen", "Røkenes", "Gjersøe", "Olsen", "Berg", "Kvalsund", "Ødegård", "Aasen", "Nilsen", "Lie")
_GIVEN = ("Kari", "Odd Harald", "Heidi Moen", "Per", "Anne", "Åse", "Bjørn", "Ingrid", "Tor", "Sigrid")


def zotero_entry(i: int) -> str:
    """One BibTeX entry as Zotero writes it (~520 bytes: three authors, a LaTeX
    escape, a DOI, a page range and a `file` field); key `kilde<i>`."""
    a, b, c = (_FAMILIES[(i + k) % 10] for k in (0, 3, 7))
    return (
        f"@article{{kilde{i},\n"
        f"\ttitle = {{Relasjon og tillit i sosialt arbeid, del {i}: {{En}} studie av m{{\\o}}ter i Nav}},\n"
        f"\tvolume = {{{i % 40 + 1}}},\n"
        f"\tdoi = {{10.18261/issn.0809-2052-2020-{i:06d}}},\n"
        f"\tnumber = {{{i % 4 + 1}}},\n"
        f"\tjournal = {{Tidsskrift for velferdsforskning}},\n"
        f"\tauthor = {{{a}, {_GIVEN[i % 10]} and {b}, {_GIVEN[(i + 1) % 10]} and {c}, {_GIVEN[(i + 2) % 10]}}},\n"
        f"\tyear = {{{1970 + i % 55}}},\n"
        f"\tpages = {{{100 + i % 300}--{120 + i % 300}}},\n"
        f"\tfile = {{Full Text:files/{i}/kilde{i}.pdf:application/pdf}},\n"
        f"}}\n\n"
    )


def write_zotero_bib(path: Path, size_bytes: int, *, head: str = GOOD_BIB) -> int:
    """Write `head` and then Zotero-like entries until the file has `size_bytes`; returns the entry count."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(head)
        written = len(head.encode("utf-8"))
        while written < size_bytes:
            block = "".join(zotero_entry(n + k) for k in range(200))
            fh.write(block)
            written += len(block.encode("utf-8"))
            n += 200
    return n + head.count("@")


def make_huge_bib(folder: Path, scale: float = 1.0) -> Path:
    """A 100 MB kilder.bib (Zotero-like entries, ~190k of them): over MAX_BIB_BYTES, refused
    before it is parsed (it used to take 2.2 GB and 52 s on every run)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notat.md").write_text(NOTE, encoding="utf-8")
    path = folder / "kilder.bib"
    write_zotero_bib(path, _n(100_000_000, scale, least=2_000))
    return path


def make_large_bib(folder: Path, scale: float = 1.0) -> Path:
    """A 20 MB kilder.bib (~38k Zotero-like entries): large but legal, it must load."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notat.md").write_text(NOTE, encoding="utf-8")
    path = folder / "kilder.bib"
    write_zotero_bib(path, _n(20_000_000, scale, least=2_000))
    return path
