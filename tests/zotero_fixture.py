"""Builds a Zotero data folder for the tests: `zotero.sqlite` with Zotero's real
schema, `storage/<KEY>/` with a stored PDF, a linked PDF outside the folder, and
the Better BibTeX export of the same items (for the CSL parity tests).

The tables are those of Zotero 7's `resource/schema/userdata.sql` (zotero/zotero,
userdata schema version 123; the newest version the search index holds), cut
down to the tables litsok reads. Table names, column names, column types,
primary keys and uniqueness are as in that file; indexes, triggers, foreign-key
clauses and the tables litsok does not read are left out. They were written out
here from that schema, not pasted from it (the schema file is AGPL; this is the
interface litsok reads).

Zotero stores field values by the field's type-specific name (`bookTitle`,
`university`, ...) with `baseFieldMappings` pointing them at a base field
(`publicationTitle`, `publisher`); dates as "yyyy-mm-dd original" with 00 for
unknown parts; timestamps as "yyyy-mm-dd hh:mm:ss" (UTC).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from pdfmaker import PageSpec, make_pdf

USERDATA_VERSION = 123

SCHEMA = """
CREATE TABLE version (schema TEXT PRIMARY KEY, version INT NOT NULL);
CREATE TABLE libraries (
    libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL, filesEditable INT NOT NULL,
    version INT NOT NULL DEFAULT 0, storageVersion INT NOT NULL DEFAULT 0, lastSync INT NOT NULL DEFAULT 0,
    archived INT NOT NULL DEFAULT 0
);
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT, templateItemTypeID INT, display INT DEFAULT 1);
CREATE TABLE itemTypesCombined (
    itemTypeID INT NOT NULL, typeName TEXT NOT NULL, display INT DEFAULT 1 NOT NULL, custom INT NOT NULL,
    PRIMARY KEY (itemTypeID)
);
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE fieldsCombined (
    fieldID INT NOT NULL, fieldName TEXT NOT NULL, label TEXT, fieldFormatID INT, custom INT NOT NULL,
    PRIMARY KEY (fieldID)
);
CREATE TABLE baseFieldMappings (
    itemTypeID INT, baseFieldID INT, fieldID INT, PRIMARY KEY (itemTypeID, baseFieldID, fieldID)
);
CREATE TABLE baseFieldMappingsCombined (
    itemTypeID INT, baseFieldID INT, fieldID INT, PRIMARY KEY (itemTypeID, baseFieldID, fieldID)
);
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE itemTypeCreatorTypes (
    itemTypeID INT, creatorTypeID INT, primaryField INT, PRIMARY KEY (itemTypeID, creatorTypeID)
);
CREATE TABLE items (
    itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
    dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    libraryID INT NOT NULL, key TEXT NOT NULL, version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0,
    UNIQUE (libraryID, key)
);
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE itemNotes (itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT);
CREATE TABLE itemAttachments (
    itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT, contentType TEXT, charsetID INT, path TEXT,
    syncState INT DEFAULT 0, storageModTime INT, storageHash TEXT, lastProcessedModificationTime INT
);
CREATE TABLE itemAnnotations (
    itemID INTEGER PRIMARY KEY, parentItemID INT NOT NULL, type INTEGER NOT NULL, authorName TEXT, text TEXT,
    comment TEXT, color TEXT, pageLabel TEXT, sortIndex TEXT NOT NULL, position TEXT NOT NULL,
    isExternal INT NOT NULL
);
CREATE TABLE creators (
    creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT, fieldMode INT,
    UNIQUE (lastName, firstName, fieldMode)
);
CREATE TABLE itemCreators (
    itemID INT NOT NULL, creatorID INT NOT NULL, creatorTypeID INT NOT NULL DEFAULT 1,
    orderIndex INT NOT NULL DEFAULT 0,
    PRIMARY KEY (itemID, creatorID, creatorTypeID, orderIndex), UNIQUE (itemID, orderIndex)
);
CREATE TABLE collections (
    collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL, parentCollectionID INT DEFAULT NULL,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL, key TEXT NOT NULL,
    version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key)
);
CREATE TABLE collectionItems (
    collectionID INT NOT NULL, itemID INT NOT NULL, orderIndex INT NOT NULL DEFAULT 0,
    PRIMARY KEY (collectionID, itemID)
);
CREATE TABLE deletedCollections (collectionID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
"""

# The global schema's names (resource/schema/global/schema.json); the IDs are the fixture's own.
ITEM_TYPES = ("annotation", "attachment", "note", "journalArticle", "book", "bookSection", "thesis",
              "conferencePaper", "webpage", "report")
FIELDS = ("title", "abstractNote", "publicationTitle", "bookTitle", "proceedingsTitle", "websiteTitle", "volume",
          "issue", "pages", "date", "DOI", "url", "accessDate", "publisher", "university", "institution", "place",
          "edition", "ISBN", "ISSN", "type", "thesisType", "reportType", "language", "extra", "shortTitle",
          "conferenceName", "series", "number", "reportNumber")
BASE_FIELDS = (  # (item type, base field, type-specific field)
    ("bookSection", "publicationTitle", "bookTitle"),
    ("conferencePaper", "publicationTitle", "proceedingsTitle"),
    ("webpage", "publicationTitle", "websiteTitle"),
    ("thesis", "publisher", "university"),
    ("thesis", "type", "thesisType"),
    ("report", "publisher", "institution"),
    ("report", "type", "reportType"),
    ("report", "number", "reportNumber"),
)
CREATOR_TYPES = ("author", "editor", "bookAuthor", "translator", "contributor", "seriesEditor")
# annotation types (Zotero.Annotations.ANNOTATION_TYPE_*)
HIGHLIGHT, NOTE, IMAGE, INK, UNDERLINE, TEXT = 1, 2, 3, 4, 5, 6
STORED, LINKED = 0, 2  # itemAttachments.linkMode: imported_file, linked_file

T0 = "2024-01-10 09:00:00"


@dataclass
class FixtureLibrary:
    """What `build_library` made: paths and the Zotero keys of the items."""

    data_dir: Path
    db: Path
    chapter_pdf: Path  # stored: storage/ATTCHAP1/skau.pdf, printed pages 179-181
    thesis_pdf: Path  # linked, outside the data folder
    keys: dict[str, str] = field(default_factory=dict)  # "article", "book", ... -> Zotero item key


class _Writer:
    """Inserts rows the way Zotero lays them out; IDs are assigned in order."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.type_id = {name: i for i, name in enumerate(ITEM_TYPES, start=1)}
        self.field_id = {name: i for i, name in enumerate(FIELDS, start=1)}
        self.creator_type_id = {name: i for i, name in enumerate(CREATOR_TYPES, start=1)}
        self.next_item = 1

    def setup(self) -> None:
        c = self.conn
        c.executescript(SCHEMA)
        c.execute("INSERT INTO version VALUES ('userdata', ?)", (USERDATA_VERSION,))
        c.execute("INSERT INTO libraries (libraryID, type, editable, filesEditable) VALUES (1, 'user', 1, 1)")
        for name, i in self.type_id.items():
            c.execute("INSERT INTO itemTypes (itemTypeID, typeName) VALUES (?, ?)", (i, name))
            c.execute("INSERT INTO itemTypesCombined VALUES (?, ?, 1, 0)", (i, name))
        for name, i in self.field_id.items():
            c.execute("INSERT INTO fields (fieldID, fieldName) VALUES (?, ?)", (i, name))
            c.execute("INSERT INTO fieldsCombined (fieldID, fieldName, custom) VALUES (?, ?, 0)", (i, name))
        for item_type, base, specific in BASE_FIELDS:
            row = (self.type_id[item_type], self.field_id[base], self.field_id[specific])
            c.execute("INSERT INTO baseFieldMappings VALUES (?, ?, ?)", row)
            c.execute("INSERT INTO baseFieldMappingsCombined VALUES (?, ?, ?)", row)
        for name, i in self.creator_type_id.items():
            c.execute("INSERT INTO creatorTypes VALUES (?, ?)", (i, name))
        for item_type in ITEM_TYPES[3:]:
            c.execute("INSERT INTO itemTypeCreatorTypes VALUES (?, ?, 1)", (self.type_id[item_type], 1))

    def item(self, item_type: str, key: str, fields: dict[str, str] | None = None,
             creators: list[tuple[str, str, str]] | None = None, *, version: int = 3, modified: str = T0) -> int:
        item_id = self.next_item
        self.next_item += 1
        self.conn.execute(
            "INSERT INTO items (itemID, itemTypeID, dateAdded, dateModified, clientDateModified, libraryID, key, "
            "version) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
            (item_id, self.type_id[item_type], T0, modified, modified, key, version),
        )
        for name, value in (fields or {}).items():
            self.set_field(item_id, name, value)
        for order, (ctype, first, last) in enumerate(creators or []):
            self.creator(item_id, ctype, first, last, order)
        return item_id

    def set_field(self, item_id: int, name: str, value: str) -> None:
        c = self.conn
        c.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,))
        (value_id,) = c.execute("SELECT valueID FROM itemDataValues WHERE value = ?", (value,)).fetchone()
        c.execute("INSERT OR REPLACE INTO itemData VALUES (?, ?, ?)", (item_id, self.field_id[name], value_id))

    def creator(self, item_id: int, ctype: str, first: str, last: str, order: int) -> None:
        mode = 1 if first == "" and ctype.endswith("!") else 0
        ctype = ctype.rstrip("!")
        c = self.conn
        c.execute("INSERT OR IGNORE INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, ?)",
                  (first, last, mode))
        (cid,) = c.execute(
            "SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ? AND fieldMode = ?", (first, last, mode)
        ).fetchone()
        c.execute("INSERT INTO itemCreators VALUES (?, ?, ?, ?)", (item_id, cid, self.creator_type_id[ctype], order))

    def attachment(self, parent: int | None, key: str, link_mode: int, path: str,
                   content_type: str = "application/pdf", title: str = "Full Text PDF") -> int:
        item_id = self.item("attachment", key, {"title": title})
        self.conn.execute(
            "INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) VALUES (?, ?, ?, ?, ?)",
            (item_id, parent, link_mode, content_type, path),
        )
        return item_id

    def annotation(self, attachment: int, key: str, atype: int, text: str | None, comment: str | None,
                   page_label: str, page_index: int, offset: int = 0) -> int:
        item_id = self.item("annotation", key)
        position = f'{{"pageIndex":{page_index},"rects":[[57.0,700.0,300.0,712.0]]}}'
        sort_index = f"{page_index:05d}|{offset:06d}|{100:05d}"
        self.conn.execute(
            "INSERT INTO itemAnnotations (itemID, parentItemID, type, authorName, text, comment, color, pageLabel, "
            "sortIndex, position, isExternal) VALUES (?, ?, ?, '', ?, ?, '#ffd400', ?, ?, ?, 0)",
            (item_id, attachment, atype, text, comment, page_label, sort_index, position),
        )
        return item_id

    def collection(self, cid: int, name: str, key: str, parent: int | None = None) -> None:
        self.conn.execute(
            "INSERT INTO collections (collectionID, collectionName, parentCollectionID, libraryID, key) "
            "VALUES (?, ?, ?, 1, ?)",
            (cid, name, parent, key),
        )

    def file_in(self, cid: int, item_id: int) -> None:
        self.conn.execute("INSERT INTO collectionItems (collectionID, itemID) VALUES (?, ?)", (cid, item_id))


CHAPTER_PAGES = (
    ("179", "Relasjonen mellom hjelper og den som får hjelp er aldri symmetrisk."),
    ("180", "Makt i hjelperelasjoner handler om definisjonsmakt: hvem som får beskrive problemet."),
    ("181", "Den profesjonelle må derfor reflektere over egen maktposisjon i møtet."),
)
HIGHLIGHT_TEXT = "Makt i hjelperelasjoner handler om definisjonsmakt"
HIGHLIGHT_COMMENT = "Viktig for drøftingen i kapittel 3"
UNDERLINE_TEXT = "reflektere over egen maktposisjon"
NOTE_COMMENT = "Sammenlign med Biestek om aksept"


def build_library(root: Path, *, journal_mode: str = "delete") -> FixtureLibrary:
    """Write a Zotero data folder at root/Zotero (and a linked PDF at root/linked)."""
    data_dir = root / "Zotero"
    (data_dir / "storage").mkdir(parents=True)
    linked = root / "linked"
    linked.mkdir()
    db = data_dir / "zotero.sqlite"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    w = _Writer(conn)
    w.setup()
    keys = {"article": "ARTKEY01", "book": "BOOKKEY1", "chapter": "CHAPKEY1", "thesis": "THESKEY1",
            "paper": "CONFKEY1", "web": "WEBKEY01", "deleted": "DELKEY01", "chapter_pdf": "ATTCHAP1",
            "thesis_pdf": "ATTTHES1", "paper_pdf": "ATTCONF1", "highlight": "ANNHIGH1", "underline": "ANNUNDR1",
            "note": "ANNNOTE1"}

    article = w.item(
        "journalArticle", keys["article"],
        {"title": "Relasjonskompetanse i sosialt arbeid", "publicationTitle": "Tidsskrift for velferdsforskning",
         "volume": "15", "issue": "2", "pages": "126–139", "date": "2012-00-00 2012",
         "DOI": "https://doi.org/10.18261/issn.2464-3076-2012-02-03", "ISSN": "0809-2052",
         "extra": "Citation Key: rokenes2012"},
        [("author", "Odd Harald", "Røkenes"), ("author", "Per-Halvard", "Hanssen"), ("author", "Anne", "de Vries")],
    )
    book = w.item(
        "book", keys["book"],
        {"title": "The casework relationship", "edition": "2", "publisher": "Loyola University Press",
         "place": "Chicago", "date": "1972-00-00 1972", "ISBN": "978-0-8294-0183-6"},
        [("author", "Felix P.", "Biestek")],
    )
    chapter = w.item(
        "bookSection", keys["chapter"],
        {"title": "Mellom makt og hjelp", "bookTitle": "Profesjonsetikk", "pages": "170–195",
         "publisher": "Universitetsforlaget", "place": "Oslo", "date": "2011-00-00 2011", "edition": "3",
         "extra": "Citation Key: skau2011\ntex.litsok_forsteside: 179"},
        [("author", "Greta Marie", "Skau"), ("editor", "Svein Aage", "Christoffersen"), ("editor", "Anne", "Berg")],
    )
    thesis = w.item(
        "thesis", keys["thesis"],
        {"title": "Barnevernets møte med familier", "thesisType": "Masteroppgave",
         "university": "Universitetet i Oslo", "date": "2019-00-00 2019"},
        [("author", "Kari", "Nilsen")],
    )
    paper = w.item(
        "conferencePaper", keys["paper"],
        {"title": "Digitale verktøy i veiledning", "proceedingsTitle": "Proceedings of NOKOBIT 2020",
         "pages": "1-12", "publisher": "Bibsys Open Journal Systems", "place": "Trondheim",
         "date": "2020-00-00 2020", "DOI": "10.5324/nokobit.2020.01"},
        [("author", "Ola", "Hansen"), ("author", "Eva", "Lie")],
    )
    web = w.item(
        "webpage", keys["web"],
        {"title": "Nasjonal faglig retningslinje for barnevern", "date": "2021-03-05 5. mars 2021",
         "url": "https://www.helsedirektoratet.no/retningslinjer/barnevern", "accessDate": "2024-02-01 10:00:00"},
        [("author!", "", "Helsedirektoratet")],
    )
    deleted = w.item("journalArticle", keys["deleted"], {"title": "Slettet artikkel", "date": "2001-00-00 2001"},
                     [("author", "Per", "Borte")])
    conn.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (deleted,))
    w.item("note", "NOTEKEY1")
    conn.execute("INSERT INTO itemNotes VALUES (?, ?, ?, '')", (w.next_item - 1, article, "<p>Husk side 130</p>"))

    chapter_dir = data_dir / "storage" / keys["chapter_pdf"]
    chapter_dir.mkdir()
    chapter_pdf = make_pdf(chapter_dir / "skau.pdf", [PageSpec(body=t, number=n) for n, t in CHAPTER_PAGES])
    chapter_att = w.attachment(chapter, keys["chapter_pdf"], STORED, "storage:skau.pdf")
    thesis_pdf = make_pdf(linked / "nilsen masteroppgave.pdf", [PageSpec(body="Barnevernet og familien.", number="1")])
    w.attachment(thesis, keys["thesis_pdf"], LINKED, str(thesis_pdf))
    w.attachment(paper, keys["paper_pdf"], STORED, "storage:hansen.pdf")  # never downloaded: missing
    w.attachment(web, "ATTSNAP1", 1, "storage:index.html", "text/html", "Snapshot")

    w.annotation(chapter_att, keys["highlight"], HIGHLIGHT, HIGHLIGHT_TEXT, HIGHLIGHT_COMMENT, "180", 1, 10)
    w.annotation(chapter_att, keys["underline"], UNDERLINE, UNDERLINE_TEXT, None, "181", 2, 40)
    w.annotation(chapter_att, keys["note"], NOTE, None, NOTE_COMMENT, "180", 1, 90)

    w.collection(1, "Bachelor", "COLLBACH")
    w.collection(2, "Teori", "COLLTEOR", parent=1)
    w.collection(3, "Master", "COLLMAST")
    for item in (article, chapter, deleted):
        w.file_in(2, item)
    w.file_in(1, web)
    w.file_in(3, book)
    conn.commit()
    conn.close()
    return FixtureLibrary(data_dir, db, chapter_pdf, thesis_pdf, keys)


def edit_item(db: Path, item_key: str, field_name: str, value: str, *, modified: str = "2024-02-01 12:00:00") -> None:
    """Change one field as Zotero does: new value, version + 1, new dateModified."""
    conn = sqlite3.connect(db)
    w = _Writer(conn)
    (item_id,) = conn.execute("SELECT itemID FROM items WHERE key = ?", (item_key,)).fetchone()
    w.set_field(item_id, field_name, value)
    conn.execute("UPDATE items SET version = version + 1, dateModified = ?, clientDateModified = ? WHERE itemID = ?",
                 (modified, modified, item_id))
    conn.commit()
    conn.close()


def add_annotation(db: Path, attachment_key: str, key: str, text: str, page_label: str, page_index: int) -> None:
    """A new highlight on an attachment, as the PDF reader saves it."""
    conn = sqlite3.connect(db)
    w = _Writer(conn)
    (att_id,) = conn.execute("SELECT itemID FROM items WHERE key = ?", (attachment_key,)).fetchone()
    (w.next_item,) = conn.execute("SELECT max(itemID) + 1 FROM items").fetchone()
    w.annotation(att_id, key, HIGHLIGHT, text, None, page_label, page_index, 500)
    conn.commit()
    conn.close()


# The same items as Better BibTeX exports them (Better BibLaTeX flavour for the book section
# and the web page; BibTeX for the others), keys as BBT would give them.
BBT_BIB = r"""
@article{rokenes2012,
  title = {Relasjonskompetanse i sosialt arbeid},
  author = {R{\o}kenes, Odd Harald and Hanssen, Per-Halvard and de Vries, Anne},
  year = {2012},
  journal = {Tidsskrift for velferdsforskning},
  volume = {15},
  number = {2},
  pages = {126--139},
  issn = {0809-2052},
  doi = {10.18261/issn.2464-3076-2012-02-03}
}

@book{biestek1972,
  title = {The casework relationship},
  author = {Biestek, Felix P.},
  year = {1972},
  edition = {2},
  publisher = {Loyola University Press},
  address = {Chicago},
  isbn = {978-0-8294-0183-6}
}

@incollection{skau2011,
  title = {Mellom makt og hjelp},
  booktitle = {Profesjonsetikk},
  author = {Skau, Greta Marie},
  editor = {Christoffersen, Svein Aage and Berg, Anne},
  date = {2011},
  edition = {3},
  pages = {170--195},
  publisher = {Universitetsforlaget},
  location = {Oslo}
}

@mastersthesis{nilsen2019,
  title = {Barnevernets m{\o}te med familier},
  author = {Nilsen, Kari},
  year = {2019},
  school = {Universitetet i Oslo}
}

@inproceedings{hansen2020,
  title = {Digitale verkt{\o}y i veiledning},
  booktitle = {Proceedings of {{NOKOBIT}} 2020},
  author = {Hansen, Ola and Lie, Eva},
  year = {2020},
  pages = {1--12},
  publisher = {Bibsys Open Journal Systems},
  address = {Trondheim},
  doi = {10.5324/nokobit.2020.01}
}

@online{helsedirektoratet2021,
  title = {Nasjonal faglig retningslinje for barnevern},
  author = {{Helsedirektoratet}},
  date = {2021-03-05},
  url = {https://www.helsedirektoratet.no/retningslinjer/barnevern},
  urldate = {2024-02-01}
}
"""
# fixture name -> key of the same item in BBT_BIB
BIB_KEYS = {"article": "rokenes2012", "book": "biestek1972", "chapter": "skau2011", "thesis": "nilsen2019",
            "paper": "hansen2020", "web": "helsedirektoratet2021"}
