"""Hostile bibliographies (BibTeX, RIS, CSL-JSON) for the loaders in `sources`.

Each `make_<case>(folder, scale=1.0)` writes one bibliography file into `folder/korpus`,
plus two small reading notes that cite its good entries `god2001` and `god2002`
(so the folder is a corpus `litsok indekser --korpus FOLDER` can index on its
own, and `referanser` shows whether the good entries survived), and returns the
bibliography's path. `scale=1.0` is the full-size input from issue 14 (items 8
and 11): the 100 MB .bib, 5,000-digit numbers, 100,000-deep nesting. Unit tests
call these with a small scale (and lower a limit instead of making a big file);
bench/robustness.py runs every entry of `CASES` at full size through the CLI.

Every hostile file keeps the good entries intact:
    Gode, A. (2001). En god bok. Universitetsforlaget.
    Bedre, B. & Best, B. (2002). En god artikkel. Tidsskrift for velferdsforskning, 5, 10–20.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

GOOD_KEYS = ("god2001", "god2002")
GOOD_REFERENCES = (
    "Gode, A. (2001). En god bok. Universitetsforlaget.",
    "Bedre, B. & Best, B. (2002). En god artikkel. Tidsskrift for velferdsforskning, 5, 10–20.",
)
NOTES = {
    "notat-god2001.md": "---\nkilde: god2001\n---\n## s. 12\nTillit tar tid å bygge opp i relasjonen mellom klient og hjelper.\n",
    "notat-god2002.md": "---\nkilde: god2002\n---\n## s. 15\nAktivitetsplikten ble opplevd som meningsløs av de unge.\n",
}

GOOD_BIB = (
    "@book{god2001,\n  author = {Gode, Anne},\n  title = {En god bok},\n  publisher = {Universitetsforlaget},\n"
    "  year = {2001},\n}\n\n"
    "@article{god2002,\n  author = {Bedre, Bjørn and Best, Berit},\n  title = {En god artikkel},\n"
    "  journal = {Tidsskrift for velferdsforskning},\n  volume = {5},\n  pages = {10--20},\n  year = {2002},\n}\n\n"
)
GOOD_RIS = (
    "TY  - BOOK\nID  - god2001\nAU  - Gode, Anne\nTI  - En god bok\nPB  - Universitetsforlaget\nPY  - 2001\nER  - \n\n"
    "TY  - JOUR\nID  - god2002\nAU  - Bedre, Bjørn\nAU  - Best, Berit\nTI  - En god artikkel\n"
    "JO  - Tidsskrift for velferdsforskning\nVL  - 5\nSP  - 10\nEP  - 20\nPY  - 2002\nER  - \n\n"
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


def _corpus(folder: Path, name: str, data: str | bytes) -> Path:
    """Write the notes and the bibliography `name` into `folder`/korpus; the bibliography's path.
    (A corpus folder of its own: what else is put into `folder`, such as an index or a log,
    is not read as part of the corpus.)"""
    folder = folder / "korpus"
    folder.mkdir(parents=True, exist_ok=True)
    for note, text in NOTES.items():
        (folder / note).write_text(text, encoding="utf-8")
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
    """One BibTeX entry as Zotero writes it (~400 bytes: three authors, a LaTeX
    escape, protected capitals, a DOI, a page range and a `file` field); key `kilde<i>`."""
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


def _zotero_corpus(folder: Path, size_bytes: int) -> Path:
    path = _corpus(folder, "kilder.bib", "")
    write_zotero_bib(path, size_bytes)
    return path


def make_huge_bib(folder: Path, scale: float = 1.0) -> Path:
    """A 100 MB kilder.bib (~250k Zotero-like entries): over MAX_BIB_BYTES, refused before it
    is read (it used to take 2.2 GB and 52 s, and that on every run)."""
    return _zotero_corpus(folder, _n(100_000_000, scale, least=2_000))


def make_large_bib(folder: Path, scale: float = 1.0) -> Path:
    """A 20 MB kilder.bib (~50k Zotero-like entries): large but legal, it loads."""
    return _zotero_corpus(folder, _n(20_000_000, scale, least=2_000))


# --------------------------------------------------------------------------- BibTeX


def hostile_bib_entries(scale: float = 1.0) -> dict[str, str]:
    """Key -> one hostile BibTeX entry each (the key names what is wrong)."""
    digits = "9" * _n(5000, scale, least=20)
    return {
        "aapen": "@book{aapen,\n  title = {En tittel som aldri slutter,\n  year = {2001}\n\n",  # no closing brace
        "stortfelt": "@book{stortfelt, title = {" + "Lang tittel " * _n(1_000_000, scale, least=10_000) + "}, year = {2001}}\n",
        "dypt": "@book{dypt, title = {" + "{" * _n(100_000, scale, least=100) + "x" + "}" * _n(100_000, scale, least=100)
        + "}, year = {2003}}\n",
        "nul": "@book{nul, title = {Med\x00NUL\x00-tegn}, author = {Nul\x00, Nils}, year = {2004}}\n",
        "absurdaar": "@book{absurdaar, title = {Et absurd år}, year = {99999999999}}\n",
        "langesider": "@article{langesider, title = {Lange sidetall}, year = {2005}, pages = {1--" + digits + "}}\n",
        "kommaer": "@book{kommaer, author = {A, B, C, D}, title = {For mange komma}, year = {2006}}\n",
        "latex": "@book{latex, title = {$\\frac{a}{b}$ og \\ukjentmakro{x} \\'{\\i}}, year = {2007}}\n",
        "strengfelt": '@book{strengfelt, title = "Anf{\\"o}rsel {"}tegn" # { og mer}, year = 2008}\n',
    }


def make_bib_hostile_entries(folder: Path, scale: float = 1.0) -> Path:
    """kilder.bib with one entry per hostile kind (an unterminated brace, a 12 MB title,
    100,000-deep braces, NUL bytes, the year 99999999999, a 5,000-digit page, a name
    with too many commas, math and an unknown macro, a quoted value with a concatenation)
    between the good entries."""
    entries = hostile_bib_entries(scale)
    text = GOOD_BIB[: GOOD_BIB.index("@article")] + "".join(entries.values()) + GOOD_BIB[GOOD_BIB.index("@article") :]
    return _corpus(folder, "kilder.bib", text)


def make_bib_binary(folder: Path, scale: float = 1.0) -> Path:
    """kilder.bib: the good entries, then 10 MB of random bytes with "@misc{" scattered in
    (thousands of broken entries), then the good entries' file ends."""
    rng = random.Random(14)
    size = _n(10_000_000, scale, least=20_000)
    garbage = bytearray(rng.getrandbits(8) for _ in range(min(size, 1_000_000)))
    while len(garbage) < size:
        garbage += garbage[: size - len(garbage)]
    for i in range(0, len(garbage) - 10, 997):
        garbage[i : i + 7] = b"\n@misc{"
    return _corpus(folder, "kilder.bib", GOOD_BIB.encode("utf-8") + bytes(garbage))


def make_bib_cp1252(folder: Path, scale: float = 1.0) -> Path:
    """kilder.bib saved as Windows-1252 (not UTF-8): read as such, with a warning."""
    return _corpus(folder, "kilder.bib", (GOOD_BIB * _n(1, scale)).encode("cp1252"))


def make_bib_only_broken(folder: Path, scale: float = 1.0) -> Path:
    """kilder.bib in which every entry is broken (none closes its braces): the whole file is refused."""
    text = "".join(f"@book{{brutt{i},\n  title = {{Tittel {i}\n\n" for i in range(_n(10_000, scale, least=3)))
    return _corpus(folder, "kilder.bib", text)


# --------------------------------------------------------------------------- RIS


def make_ris_hostile(folder: Path, scale: float = 1.0) -> Path:
    """kilder.ris with a 5,000-digit end page, the year 99999999999, binary garbage in a
    title, a record whose «ER» is missing, and an abstract of 1,000,000 continuation lines
    (rispy joined them one by one: quadratic)."""
    digits = "9" * _n(5000, scale, least=20)
    lines = _n(1_000_000, scale, least=20_000)
    rng = random.Random(8)
    garbage = "".join(chr(rng.randrange(1, 0x2FF)) for _ in range(_n(10_000, scale, least=100))).replace("\n", " ")
    text = (
        GOOD_RIS[: GOOD_RIS.index("TY  - JOUR")]
        + f"TY  - JOUR\nID  - langesider\nTI  - Lange sidetall\nSP  - 1\nEP  - {digits}\nPY  - 2005\nER  - \n\n"
        + "TY  - BOOK\nID  - absurdaar\nTI  - Et absurd år\nPY  - 99999999999\nER  - \n\n"
        + f"TY  - BOOK\nID  - binaer\nTI  - {garbage}\nPY  - 2009\nER  - \n\n"
        + "TY  - BOOK\nID  - uten-er\nTI  - Mangler slutten\nPY  - 2010\n\n"
        + "TY  - JOUR\nID  - langtsammendrag\nTI  - Langt sammendrag\nAB  - start\n" + "en linje til\n" * lines + "ER  - \n\n"
        + GOOD_RIS[GOOD_RIS.index("TY  - JOUR") :]
    )
    return _corpus(folder, "kilder.ris", text)


# --------------------------------------------------------------------------- CSL-JSON


def hostile_csl_entries(scale: float = 1.0) -> list[str]:
    """CSL-JSON entries (as JSON text: some are not valid for `json.dumps`) of the wrong
    types or with extreme values, each with an id saying what is wrong."""
    digits = "9" * _n(5000, scale, least=20)
    return [
        '{"id": "forfatter-tekst", "type": "book", "title": "T", "author": "Hansen, Kari"}',
        '{"id": "tallnavn", "type": "book", "title": "T", "author": [{"family": 5, "given": 6}]}',
        '{"id": "uendelig", "type": "book", "title": "T", "issued": {"date-parts": [[Infinity]]}}',
        '{"id": "ikke-tall", "type": "book", "title": NaN}',
        '{"id": "stort-tall", "type": "book", "title": "T", "volume": ' + digits + "}",
        '{"id": "stort-aar", "type": "book", "title": "T", "issued": {"date-parts": [[' + digits + "]]}}",
        '{"id": "lange-sider", "type": "article-journal", "title": "Lange sidetall", "page": "1-' + digits + '"}',
        '{"id": "tittel-objekt", "type": "book", "title": {"nb": "T"}}',
        '{"id": "dato-tekst", "type": "book", "title": "Dato som tekst", "issued": "2011-05-01"}',
        '{"id": "dato-rot", "type": "book", "title": "T", "issued": {"date-parts": [["våren"]]}}',
        '{"id": ["liste-id"], "type": "book", "title": "T"}',
        '{"type": "book", "title": "Uten id"}',
        '"bare en tekst"',
        '{"id": "nestet", "type": "book", "title": "T", "custom": ' + "[" * 200 + "]" * 200 + "}",
        '{"id": "navn-null", "type": "book", "title": "T", "editor": [null]}',
        '{"id": "type-tall", "type": 7, "title": "T"}',
    ]


def make_csl_wrong_types(folder: Path, scale: float = 1.0) -> Path:
    """kilder.json with 16 entries of wrong types or extreme values (author as a string,
    numeric names, Infinity, NaN, 5,000-digit numbers, ...) between the good ones."""
    good = [json.dumps(e, ensure_ascii=False) for e in GOOD_CSL]
    text = "[\n" + ",\n".join([good[0], *hostile_csl_entries(scale), good[1]]) + "\n]\n"
    return _corpus(folder, "kilder.json", text)


def make_csl_deep(folder: Path, scale: float = 1.0) -> Path:
    """kilder.json nested 100,000 lists deep (Python's json recursed until RecursionError)."""
    depth = _n(100_000, scale, least=5_000)
    return _corpus(folder, "kilder.json", "[" * depth + "]" * depth)


def make_csl_not_a_list(folder: Path, scale: float = 1.0) -> Path:
    """kilder.json whose top level is a number, not a list of entries."""
    return _corpus(folder, "kilder.json", "9" * _n(5000, scale, least=20) + "\n")


CASES: dict[str, tuple[Callable[[Path, float], Path], str]] = {
    "bib-100mb": (make_huge_bib, "indekser"),
    "bib-20mb": (make_large_bib, "indekser"),
    "bib-fiendtlige-oppforinger": (make_bib_hostile_entries, "indekser"),
    "bib-binaer": (make_bib_binary, "indekser"),
    "bib-cp1252": (make_bib_cp1252, "indekser"),
    "bib-bare-brutte": (make_bib_only_broken, "indekser"),
    "ris-fiendtlig": (make_ris_hostile, "indekser"),
    "csl-feil-typer": (make_csl_wrong_types, "indekser"),
    "csl-dyp-nesting": (make_csl_deep, "indekser"),
    "csl-ikke-liste": (make_csl_not_a_list, "indekser"),
}
