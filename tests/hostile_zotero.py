"""Hostile Zotero data folders for `litsok indekser --zotero`: a zotero.sqlite that
is not a database, and a big library (items, creators, nested collections,
annotations and a full-text index that makes the file as big as a real one).

`make_<case>(folder, scale)` writes the data folder into `folder` and returns its
path; scale=1.0 is the full size (benchmark), tests use a small scale.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from zotero_fixture import HIGHLIGHT, STORED, _Writer

GARBAGE_BYTES = 100_000_000  # a "zotero.sqlite" of 100 MB that is not SQLite
BIG_ITEMS = 20_000  # a large student/researcher library
BIG_ANNOTATED = 2_000  # items with a PDF attachment (not downloaded) carrying annotations
BIG_ANNOTATIONS_EACH = 10
BIG_FULLTEXT_WORDS = 4_000_000  # rows of fulltextWords: the full-text index is most of a real database


def make_garbage_db(folder: Path, scale: float = 1.0) -> Path:
    """A data folder whose zotero.sqlite is random bytes."""
    data_dir = folder / "Zotero"
    data_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    block = rng.randbytes(1 << 20)
    size = max(1024, int(GARBAGE_BYTES * scale))
    with (data_dir / "zotero.sqlite").open("wb") as fh:
        for _ in range(size // len(block)):
            fh.write(block)
        fh.write(block[: size % len(block)])
    return data_dir


def make_big_library(folder: Path, scale: float = 1.0) -> Path:
    """A data folder with BIG_ITEMS items in nested collections, annotations and a full-text index."""
    data_dir = folder / "Zotero"
    (data_dir / "storage").mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(data_dir / "zotero.sqlite")
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    w = _Writer(conn)
    w.setup()
    rng = random.Random(14)
    n_items = max(3, int(BIG_ITEMS * scale))
    w.collection(1, "Bachelor", "COLL0001")
    w.collection(2, "Teori", "COLL0002", parent=1)
    w.collection(3, "Metode", "COLL0003", parent=2)
    for n in range(n_items):
        item = w.item(
            "journalArticle", f"I{n:07d}",
            {"title": f"Artikkel nummer {n} om relasjoner i sosialt arbeid", "publicationTitle": "Tidsskrift",
             "volume": str(n % 40), "issue": str(n % 4 + 1), "pages": f"{n % 300 + 1}-{n % 300 + 15}",
             "date": f"{1990 + n % 35}-00-00 {1990 + n % 35}", "DOI": f"10.1234/t.{n}"},
            [("author", f"Fornavn{n % 97}", f"Etternavn{n % 1013}"), ("author", "Kari", f"Nordmann{n % 7}"),
             ("editor", "Ola", "Redaktør")],
        )
        w.file_in(1 + n % 3, item)
        if n < BIG_ANNOTATED * scale:
            att = w.attachment(item, f"A{n:07d}", STORED, f"storage:artikkel{n}.pdf")
            for k in range(BIG_ANNOTATIONS_EACH):
                w.annotation(att, f"N{n:05d}{k:02d}", HIGHLIGHT, f"markert tekst {n} {k} " * 5, None,
                             str(k + 1), k, k)
    conn.execute("CREATE TABLE fulltextWords (wordID INTEGER PRIMARY KEY, word TEXT UNIQUE)")
    conn.executemany(
        "INSERT INTO fulltextWords (word) VALUES (?)",
        ((f"ord{i:09d}{rng.randrange(1 << 30):x}",) for i in range(int(BIG_FULLTEXT_WORDS * scale))),
    )
    conn.commit()
    conn.close()
    return data_dir


CASES = {
    "zotero-ikke-sqlite": (make_garbage_db, "indekser --zotero {file}"),
    "zotero-stort-bibliotek": (make_big_library, "indekser --zotero {file}"),
}
