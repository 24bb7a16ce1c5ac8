"""A Zotero library read straight from its data folder: `zotero.sqlite` -> `Source`
values (CSL-JSON, as `sources` makes from a Better BibTeX export), PDF attachment
paths, collections, and the student's own annotations (highlights, underlines,
notes) as passages on their printed page.

Public API (the indexer and the CLI call these; nothing here prints or exits):

- `default_data_dir()`: where Zotero keeps its data on this computer.
- `read_library(data_dir, collection=None)` -> `ZoteroLibrary`.
- `annotation_passages(library)` -> one `Page` per annotation.

Never writing, never locking
----------------------------
Zotero keeps `zotero.sqlite` open (and locked: it uses SQLite's exclusive locking
mode) while it runs. litsok never opens that file with SQLite. It copies the
database, with its `-journal` or `-wal` file if there is one, into a temporary
folder, checks that none of the files changed while it copied (else it tries
again, `limits.ZOTERO_COPY_ATTEMPTS` times), and reads the copy. Opening the copy
normally lets SQLite finish what the files say: a copied hot journal of a write
Zotero was in the middle of is rolled back, and commits still in the WAL are
applied, so litsok sees the last committed state. `immutable=1` on the original
would need no copy and take no lock, but it ignores the -wal and -journal files:
it can read commits that are not in the main file yet as missing, and pages
half-written by a transaction in progress as data (a torn read; see
tests/test_zotero.py). The copy costs about 0.3 s for a 270 MB database;
only a database over `limits.ZOTERO_COPY_MAX_BYTES` is read with `immutable=1`,
with a warning to close Zotero first.

Which key a source gets
-----------------------
1. Zotero 7's own «Citation Key» field, if filled in;
2. a Better BibTeX key pinned in Extra (`Citation Key: røkenes2012`, or the older
   `bibtex: røkenes2012`);
3. the key Better BibTeX has computed for the item (its `better-bibtex.sqlite`
   beside `zotero.sqlite`, table `citationkey`), so keys match a BBT export;
4. otherwise `zotero:<ITEMKEY>`: Zotero's item key is made once when the item is
   created and kept through edits, syncs and moves between computers, unlike the
   local `itemID` (renumbered when a library is synced to a new computer) or an
   author-year key (changes when a typo in the author's name is fixed).

CSL is mapped as Zotero's own CSL conversion (schema.json, section "csl") does it,
which is what Better BibTeX exports as CSL JSON, and matches what `sources` reads
from a Better BibTeX .bib for the fields litsok uses (tests/test_zotero.py).
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from litsok import limits
from litsok.errors import LitsokError
from litsok.model import OWN_MARKING as OWN_MARKING  # the heading of an annotation passage
from litsok.model import Page, Source

DB_NAME = "zotero.sqlite"
BBT_DB_NAME = "better-bibtex.sqlite"
KEY_PREFIX = "zotero:"
# `Page.file` of an annotation passage: "zotero:<attachment key>"
ANNOTATION_FILE_PREFIX = "zotero:"
# `Page.label_origin` of an annotation passage: the page label Zotero stored with it
ORIGIN_ZOTERO = "zotero"
SQLITE_MAGIC = b"SQLite format 3\x00"


class ZoteroError(LitsokError):
    """The Zotero data folder or its database cannot be read."""


class AnnotationType(enum.StrEnum):
    """Zotero's annotation types (`itemAnnotations.type`: 1..6)."""

    HIGHLIGHT = "highlight"
    NOTE = "note"
    IMAGE = "image"
    INK = "ink"
    UNDERLINE = "underline"
    TEXT = "text"


_ANNOTATION_TYPES: Mapping[int, AnnotationType] = MappingProxyType(
    {1: AnnotationType.HIGHLIGHT, 2: AnnotationType.NOTE, 3: AnnotationType.IMAGE,
     4: AnnotationType.INK, 5: AnnotationType.UNDERLINE, 6: AnnotationType.TEXT}
)


@dataclass(frozen=True)
class ZoteroAnnotation:
    """One annotation the student made in Zotero's PDF reader."""

    key: str  # the annotation's own Zotero item key
    source_key: str  # key of the source (see module docstring)
    attachment_key: str  # Zotero item key of the PDF attachment it is on
    attachment_path: str  # absolute path of that PDF, "" when the file is missing
    type: AnnotationType
    text: str  # the highlighted/underlined text ("" for notes, images, ink)
    comment: str  # the student's comment ("" when none)
    page_label: str  # printed page label as Zotero shows it ("180", "xii"); "" when unknown
    page_index: int | None  # 0-based PDF page index (from `position`), None when unknown
    sort_index: str  # Zotero's reading-order key "page|offset|top"
    date_modified: str
    version: int = 0
    # imported by Zotero from the PDF's own /Annots (read-only in Zotero): the indexer reads those from the file
    external: bool = False


@dataclass(frozen=True)
class ZoteroLibrary:
    """What `read_library` found. Mappings are read-only."""

    db_path: Path
    sources: Mapping[str, Source]
    collections: Mapping[str, tuple[str, ...]]  # source key -> collection paths ("Bachelor/Teori")
    annotations: tuple[ZoteroAnnotation, ...]
    fingerprints: Mapping[str, str]  # source key -> hash of all that was read for it
    missing: Mapping[str, tuple[str, ...]]  # source key -> PDF attachment paths not on disk
    item_keys: Mapping[str, str]  # source key -> Zotero item key
    problems: tuple[str, ...] = ()  # Norwegian warnings: missing files, duplicate keys, ...
    collection: str | None = None  # the collection the library was limited to (its full path)
    all_collections: tuple[str, ...] = ()  # every collection path in the database, sorted
    schema_version: int | None = None  # Zotero's userdata schema version
    # attachment key -> (source key, absolute path) of every PDF attachment found on disk, in item order
    attachments: Mapping[str, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))


# --- user-facing messages (Norwegian bokmål) ----------------------------------------------

_NEXT_EXPORT = (
    "Eller eksporter biblioteket fra Zotero med Better BibTeX (.bib) til kilder.bib i korpusmappen."
)
_MSG_NO_FOLDER = (
    "{path}: Zotero-mappen finnes ikke. Finn den i Zotero under Innstillinger → Avansert → Filer og mapper "
    "→ Datamappe, og oppgi den med `--zotero MAPPE` eller `zotero = \"MAPPE\"` i litsok.toml."
)
_MSG_NO_DB = (
    "{path}: fant ikke {db} i mappen. Pek på Zotero-datamappen (den med {db} og storage/); "
    "Zotero viser den under Innstillinger → Avansert → Filer og mapper → Datamappe."
)
_MSG_UNREADABLE = "{file}: kan ikke leses ({reason}). Sjekk at du har lesetilgang til filen, og prøv igjen."
_MSG_NOT_SQLITE = (
    "{file}: er ikke en Zotero-database (filen er ikke en SQLite-database). "
    "Pek på Zotero-datamappen, eller hent databasen fra en sikkerhetskopi (zotero.sqlite.bak). " + _NEXT_EXPORT
)
_MSG_DAMAGED = (
    "{file}: Zotero-databasen er skadet og kan ikke leses ({reason}). Åpne Zotero og kjør "
    "Hjelp → Feilsøking → Kontroller databaseintegritet, eller bruk zotero.sqlite.bak. " + _NEXT_EXPORT
)
_MSG_SCHEMA = (
    "{file}: Zotero-databasen mangler {what} (databaseversjon {version}). litsok leser databaser fra "
    "Zotero 5, 6 og 7: er Zotero eldre, oppdater og åpne Zotero én gang; er den nyere, oppdater litsok. "
    + _NEXT_EXPORT
)
_MSG_BUSY = (
    "{file}: Zotero skrev til databasen hver gang litsok prøvde å kopiere den "
    "(ZOTERO_COPY_ATTEMPTS = {attempts} forsøk). Vent til Zotero er ferdig med å synkronisere, og prøv igjen."
)
_MSG_TOO_BIG = (
    "{file}: databasen er større enn ZOTERO_COPY_MAX_BYTES ({limit} byte) og leses direkte, uten kopi; "
    "endringer Zotero ikke har skrevet ferdig kan mangle. Lukk Zotero før `litsok indekser` for å være sikker."
)
_MSG_NO_ANNOTATIONS = (
    "{file}: databasen har ingen markeringer (tabellen itemAnnotations finnes fra Zotero 6); "
    "oppdater Zotero for å få med markeringene dine."
)
_MSG_UNKNOWN_COLLECTION = "Fant ingen samling «{name}» i {file}. Samlinger som finnes: {valid}."
_MSG_NO_COLLECTIONS = "Fant ingen samling «{name}» i {file}: biblioteket har ingen samlinger."
_MSG_AMBIGUOUS_COLLECTION = "Flere samlinger heter «{name}» i {file}: {paths}. Skriv hele stien, f.eks. «{first}»."
_MSG_MISSING_FILE = (
    "{file}: PDF-en «{name}» til «{title}» ({key}) finnes ikke på disken ({path}). "
    "Åpne vedlegget i Zotero én gang (så lastes det ned), eller synkroniser filene."
)
_MSG_RELATIVE_LINK = (
    "{file}: den lenkede PDF-en «{name}» til «{title}» ({key}) ligger i Zoteros grunnmappe for vedlegg, "
    "som litsok ikke fant. Sett grunnmappen i Zotero (Innstillinger → Avansert → Filer og mapper)."
)
_MSG_DUPLICATE_KEY = (
    "{file}: siteringsnøkkelen «{citekey}» er brukt av flere elementer; «{title}» får nøkkelen {key}. "
    "Gi elementet en egen nøkkel i Better BibTeX."
)
_MSG_LONG_ANNOTATION = (
    "{file}: en markering i «{title}» (s. {page}) er lengre enn ZOTERO_MAX_ANNOTATION_CHARS "
    "({limit} tegn); bare begynnelsen er tatt med."
)


# --- public API ----------------------------------------------------------------------------


def default_data_dir() -> Path:
    """Where Zotero keeps `zotero.sqlite` and `storage/` on this computer.

    Zotero's default is `Zotero` in the home folder on Linux, macOS and Windows
    (%USERPROFILE%\\Zotero). A student can move it (Innstillinger → Avansert →
    Filer og mapper → Datamappe); Zotero then writes `extensions.zotero.dataDir`
    to prefs.js in its profile folder, which is read here when the default folder
    has no database.
    """
    home = Path(os.environ.get("USERPROFILE") or Path.home()) if sys.platform == "win32" else Path.home()
    default = home / "Zotero"
    if (default / DB_NAME).is_file():
        return default
    prefs = _prefs()
    moved = prefs.get("extensions.zotero.dataDir")
    if moved and prefs.get("extensions.zotero.useDataDir", "true") != "false" and (Path(moved) / DB_NAME).is_file():
        return Path(moved)
    return default


def read_library(
    data_dir: Path,
    collection: str | None = None,
    *,
    linked_base: Path | None = None,
    work_dir: Path | None = None,
) -> ZoteroLibrary:
    """Read the Zotero library in `data_dir` (or the `zotero.sqlite` file itself).

    `collection` limits it to one collection and its subcollections, by name
    ("Bachelor") or full path ("Bachelor/Teori"), case-insensitive.
    `linked_base` is Zotero's base folder for linked attachments stored relative
    to it ("attachments:..."); default: the one in Zotero's prefs.js, if any.
    `work_dir` is where the snapshot copy is made (default: the system's temp folder).

    Raises `ZoteroError` when the folder, the database or its schema cannot be read,
    and for an unknown collection (the message lists the collections that exist).
    """
    db = _locate(Path(data_dir))
    if linked_base is None:
        base = _prefs().get("extensions.zotero.baseAttachmentPath")
        linked_base = Path(base) if base else None
    with _snapshot(db, work_dir) as (conn, notes):
        schema = _check_schema(conn, db)
        rows = _read_rows(conn, schema, db)
        citekeys = _bbt_citekeys(db.parent, work_dir)
    return _build_library(db, rows, citekeys, collection, linked_base, notes + schema.notes, schema.version)


def annotation_passages(library: ZoteroLibrary) -> list[Page]:
    """One `Page` per annotation with text or a comment, in reading order.

    The page's text is the highlighted text, followed by «Kommentar: …» when the
    student wrote a comment (a note has only the comment). `label` is Zotero's
    page label (the printed page), `pdf_index` the PDF page, `file`
    "zotero:<attachment key>", `label_origin` `ORIGIN_ZOTERO` and `heading`
    `OWN_MARKING` ("egen markering"), which the output shows with the passage.
    """
    pages: list[Page] = []
    for a in library.annotations:
        text = passage_text(a)
        if not text:
            continue
        pages.append(
            Page(
                source_key=a.source_key,
                file=ANNOTATION_FILE_PREFIX + a.attachment_key,
                label=a.page_label,
                text=text,
                pdf_index=a.page_index,
                label_origin=ORIGIN_ZOTERO,
                heading=OWN_MARKING,
            )
        )
    return pages


def passage_text(annotation: ZoteroAnnotation) -> str:
    """"highlighted text\\n\\nKommentar: the comment"; either part may be absent."""
    text = " ".join(annotation.text.split())
    comment = " ".join(annotation.comment.split())
    parts = [text] if text else []
    if comment:
        parts.append(f"Kommentar: {comment}")
    return "\n\n".join(parts)


def is_annotation_file(file: str) -> bool:
    """True for the `file` of an annotation passage ("zotero:<attachment key>"; an attachment's
    PDF in the index is "zotero:<attachment key>/<file name>", see `attachment_file`)."""
    return file.startswith(ANNOTATION_FILE_PREFIX) and "/" not in file


def attachment_file(attachment_key: str, path: str) -> str:
    """How the index names a PDF attachment: "zotero:<attachment key>/<file name>"."""
    return f"{ANNOTATION_FILE_PREFIX}{attachment_key}/{Path(path).name}"


def is_zotero_file(file: str) -> bool:
    """True for a file of the index that came from Zotero (an attachment or its annotations)."""
    return file.startswith(ANNOTATION_FILE_PREFIX)


# --- locating and snapshotting the database ----------------------------------------------------


def _locate(path: Path) -> Path:
    if path.is_file():
        return path
    if not path.exists():
        raise ZoteroError(_MSG_NO_FOLDER.format(path=path))
    db = path / DB_NAME
    if not db.is_file():
        raise ZoteroError(_MSG_NO_DB.format(path=path, db=DB_NAME))
    return db


_Stat = tuple[int, int] | None


def _stat(path: Path) -> _Stat:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _companions(db: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it while writing."""
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-journal")]


def _check_magic(db: Path) -> None:
    try:
        with db.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ZoteroError(_MSG_UNREADABLE.format(file=db, reason=exc.strerror or exc)) from exc
    if head != SQLITE_MAGIC:
        raise ZoteroError(_MSG_NOT_SQLITE.format(file=db))


@contextmanager
def _snapshot(db: Path, work_dir: Path | None) -> Iterator[tuple[sqlite3.Connection, list[str]]]:
    """A read-only connection to a consistent copy of `db` (see module docstring)."""
    _check_magic(db)
    notes: list[str] = []
    size = db.stat().st_size
    with tempfile.TemporaryDirectory(prefix="litsok-zotero-", dir=work_dir) as tmp:
        if size > limits.ZOTERO_COPY_MAX_BYTES:
            notes.append(_MSG_TOO_BIG.format(file=db, limit=limits.ZOTERO_COPY_MAX_BYTES))
            conn = _connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", db)
        else:
            copy = _copy_stable(db, Path(tmp))
            conn = _connect(copy.as_uri(), db)
        try:
            yield conn, notes
        finally:
            conn.close()


def _copy_stable(db: Path, folder: Path) -> Path:
    """Copy db (+ -wal, -journal) into folder; retry while any of them changes meanwhile."""
    for attempt in range(limits.ZOTERO_COPY_ATTEMPTS):
        if attempt:
            time.sleep(limits.ZOTERO_COPY_RETRY_SECONDS)
        for old in folder.iterdir():
            old.unlink()
        before = [_stat(p) for p in _companions(db)]
        try:
            for path, st in zip(_companions(db), before, strict=True):
                if st is not None:
                    shutil.copyfile(path, folder / path.name)
        except FileNotFoundError:  # a -journal deleted as the write finished: copy again
            continue
        except OSError as exc:
            raise ZoteroError(_MSG_UNREADABLE.format(file=db, reason=exc.strerror or exc)) from exc
        if [_stat(p) for p in _companions(db)] == before:
            return folder / db.name
    raise ZoteroError(_MSG_BUSY.format(file=db, attempts=limits.ZOTERO_COPY_ATTEMPTS))


def _connect(uri: str, db: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(uri, uri=True)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # applies a copied journal / WAL
    except sqlite3.DatabaseError as exc:
        raise _db_error(db, exc) from exc
    return conn


def _db_error(db: Path, exc: sqlite3.Error) -> ZoteroError:
    reason = str(exc) or type(exc).__name__
    if "not a database" in reason:
        return ZoteroError(_MSG_NOT_SQLITE.format(file=db))
    return ZoteroError(_MSG_DAMAGED.format(file=db, reason=reason))


# --- schema --------------------------------------------------------------------------------

# Tables and columns litsok reads (resource/schema/userdata.sql in zotero/zotero).
_REQUIRED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "items": ("itemID", "itemTypeID", "key", "libraryID", "version", "dateModified", "clientDateModified"),
        "itemData": ("itemID", "fieldID", "valueID"),
        "itemDataValues": ("valueID", "value"),
        "creators": ("creatorID", "firstName", "lastName", "fieldMode"),
        "itemCreators": ("itemID", "creatorID", "creatorTypeID", "orderIndex"),
        "creatorTypes": ("creatorTypeID", "creatorType"),
        "itemAttachments": ("itemID", "parentItemID", "linkMode", "contentType", "path"),
        "collections": ("collectionID", "collectionName", "parentCollectionID", "libraryID"),
        "collectionItems": ("collectionID", "itemID"),
        "deletedItems": ("itemID",),
        "libraries": ("libraryID", "type"),
    }
)
_ANNOTATION_COLUMNS = ("itemID", "parentItemID", "type", "text", "comment", "pageLabel", "sortIndex", "position")


@dataclass(frozen=True)
class _Schema:
    item_types: str  # "itemTypesCombined" (Zotero 6+) or "itemTypes"
    fields: str  # "fieldsCombined" or "fields"
    base_fields: str | None  # "baseFieldMappingsCombined", "baseFieldMappings" or None
    primary_creators: bool  # itemTypeCreatorTypes with primaryField
    annotations: bool
    deleted_collections: bool
    version: int | None
    notes: list[str] = field(default_factory=list)


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")}


def _check_schema(conn: sqlite3.Connection, db: Path) -> _Schema:
    try:
        tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = _schema_version(conn, tables)

        def fail(what: str) -> ZoteroError:
            return ZoteroError(_MSG_SCHEMA.format(file=db, what=what, version=version or "ukjent"))

        for table, needed in _REQUIRED.items():
            if table not in tables:
                raise fail(f"tabellen «{table}»")
            lacking = [c for c in needed if c not in _columns(conn, table)]
            if lacking:
                raise fail(f"kolonnen «{table}.{lacking[0]}»")
        item_types = _first_table(conn, tables, ("itemTypesCombined", "itemTypes"), ("itemTypeID", "typeName"))
        fields = _first_table(conn, tables, ("fieldsCombined", "fields"), ("fieldID", "fieldName"))
        if item_types is None:
            raise fail("tabellen «itemTypes»")
        if fields is None:
            raise fail("tabellen «fields»")
        base = _first_table(
            conn, tables, ("baseFieldMappingsCombined", "baseFieldMappings"), ("itemTypeID", "baseFieldID", "fieldID")
        )
        primary = _first_table(
            conn, tables, ("itemTypeCreatorTypes",), ("itemTypeID", "creatorTypeID", "primaryField")
        )
        annotations = "itemAnnotations" in tables and set(_ANNOTATION_COLUMNS) <= _columns(conn, "itemAnnotations")
        notes = [] if annotations else [_MSG_NO_ANNOTATIONS.format(file=db)]
        return _Schema(
            item_types, fields, base, primary is not None, annotations, "deletedCollections" in tables, version, notes
        )
    except sqlite3.DatabaseError as exc:
        raise _db_error(db, exc) from exc


def _schema_version(conn: sqlite3.Connection, tables: set[str]) -> int | None:
    if "version" not in tables:
        return None
    row = conn.execute("SELECT version FROM version WHERE schema = 'userdata'").fetchone()
    return int(row[0]) if row and str(row[0]).isdigit() else None


def _first_table(
    conn: sqlite3.Connection, tables: set[str], names: Sequence[str], needed: Sequence[str]
) -> str | None:
    for name in names:
        if name in tables and set(needed) <= _columns(conn, name):
            return name
    return None


# --- raw rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    item_id: int
    type_name: str
    key: str
    library_id: int
    version: int
    date_modified: str
    client_modified: str


@dataclass(frozen=True)
class _Attachment:
    item_id: int
    parent_id: int | None
    key: str
    link_mode: int
    content_type: str
    path: str
    title: str
    version: int
    date_modified: str


@dataclass
class _Rows:
    items: dict[int, _Item]  # regular (bibliographic) items, not deleted
    fields: dict[int, dict[str, str]]  # itemID -> base field name -> value
    creators: dict[int, list[tuple[str, str, str, int]]]  # itemID -> (creator type, first, last, fieldMode)
    primary_creator: dict[str, str]  # item type -> its primary creator type
    attachments: list[_Attachment]
    annotations: list[tuple[Any, ...]]
    collections: dict[int, tuple[str, int | None]]  # collectionID -> (name, parent)
    collection_items: dict[int, list[int]]  # itemID -> collectionIDs
    long_annotations: set[int]


_NON_BIBLIOGRAPHIC = ("attachment", "note", "annotation")


def _read_rows(conn: sqlite3.Connection, schema: _Schema, db: Path) -> _Rows:
    try:
        return _query_rows(conn, schema)
    except sqlite3.DatabaseError as exc:
        raise _db_error(db, exc) from exc


def _query_rows(conn: sqlite3.Connection, schema: _Schema) -> _Rows:
    types = {int(i): str(n) for i, n in conn.execute(f"SELECT itemTypeID, typeName FROM {schema.item_types}")}
    field_names = {int(i): str(n) for i, n in conn.execute(f"SELECT fieldID, fieldName FROM {schema.fields}")}
    live = (
        "FROM items i JOIN libraries l ON l.libraryID = i.libraryID "
        "WHERE l.type != 'feed' AND i.itemID NOT IN (SELECT itemID FROM deletedItems)"
    )
    all_items = {
        int(r[0]): _Item(int(r[0]), types.get(int(r[1]), ""), str(r[2]), int(r[3]), int(r[4] or 0), str(r[5] or ""),
                         str(r[6] or ""))
        for r in conn.execute(
            "SELECT i.itemID, i.itemTypeID, i.key, i.libraryID, i.version, i.dateModified, i.clientDateModified "
            + live
        )
    }
    items = {i: it for i, it in all_items.items() if it.type_name not in _NON_BIBLIOGRAPHIC}
    base_of = _base_fields(conn, schema, field_names)
    type_ids = {n: i for i, n in types.items()}
    values: dict[int, dict[str, str]] = {}
    for item_id, field_id, value in conn.execute(
        "SELECT d.itemID, d.fieldID, v.value FROM itemData d JOIN itemDataValues v ON v.valueID = d.valueID"
    ):
        item = all_items.get(int(item_id))
        if item is None or value is None:
            continue
        name = field_names.get(int(field_id), "")
        base = base_of.get((type_ids.get(item.type_name, -1), int(field_id))) or _BASE_FIELDS.get(name, name)
        values.setdefault(int(item_id), {})[base] = str(value)
    creators: dict[int, list[tuple[str, str, str, int]]] = {}
    for item_id, ctype, first, last, mode in conn.execute(
        "SELECT ic.itemID, ct.creatorType, c.firstName, c.lastName, c.fieldMode FROM itemCreators ic "
        "JOIN creators c ON c.creatorID = ic.creatorID JOIN creatorTypes ct ON ct.creatorTypeID = ic.creatorTypeID "
        "ORDER BY ic.itemID, ic.orderIndex"
    ):
        if int(item_id) in items:
            creators.setdefault(int(item_id), []).append((str(ctype), first or "", last or "", int(mode or 0)))
    attachments = [
        _Attachment(int(r[0]), None if r[1] is None else int(r[1]), str(r[2]), int(r[3] or 0), str(r[4] or ""),
                    str(r[5] or ""), values.get(int(r[0]), {}).get("title", ""), int(r[6] or 0), str(r[7] or ""))
        for r in conn.execute(
            "SELECT a.itemID, a.parentItemID, i.key, a.linkMode, a.contentType, a.path, i.version, i.dateModified "
            "FROM itemAttachments a JOIN items i ON i.itemID = a.itemID "
            "WHERE a.itemID NOT IN (SELECT itemID FROM deletedItems) ORDER BY a.itemID"
        )
    ]
    annotations, long_ones = _annotation_rows(conn, schema, all_items)
    collections = _collection_rows(conn, schema)
    collection_items: dict[int, list[int]] = {}
    for cid, iid in conn.execute("SELECT collectionID, itemID FROM collectionItems ORDER BY collectionID"):
        if int(cid) in collections:
            collection_items.setdefault(int(iid), []).append(int(cid))
    return _Rows(items, values, creators, _primary_creators(conn, schema, types), attachments, annotations,
                 collections, collection_items, long_ones)


def _base_fields(
    conn: sqlite3.Connection, schema: _Schema, field_names: Mapping[int, str]
) -> dict[tuple[int, int], str]:
    if schema.base_fields is None:
        return {}
    return {
        (int(t), int(f)): field_names.get(int(b), "")
        for t, b, f in conn.execute(f"SELECT itemTypeID, baseFieldID, fieldID FROM {schema.base_fields}")
    }


def _primary_creators(conn: sqlite3.Connection, schema: _Schema, types: Mapping[int, str]) -> dict[str, str]:
    primary = dict(_PRIMARY_CREATOR)
    if schema.primary_creators:
        for type_id, ctype in conn.execute(
            "SELECT t.itemTypeID, c.creatorType FROM itemTypeCreatorTypes t "
            "JOIN creatorTypes c ON c.creatorTypeID = t.creatorTypeID WHERE t.primaryField = 1"
        ):
            primary[types.get(int(type_id), "")] = str(ctype)
    return primary


def _annotation_rows(
    conn: sqlite3.Connection, schema: _Schema, live: Mapping[int, _Item]
) -> tuple[list[tuple[Any, ...]], set[int]]:
    if not schema.annotations:
        return [], set()
    n = int(limits.ZOTERO_MAX_ANNOTATION_CHARS)
    rows: list[tuple[Any, ...]] = []
    long_ones: set[int] = set()
    external = "a.isExternal" if "isExternal" in _columns(conn, "itemAnnotations") else "0"
    for r in conn.execute(
        f"SELECT a.itemID, a.parentItemID, a.type, substr(a.text, 1, {n}), substr(a.comment, 1, {n}), "
        f"a.pageLabel, a.sortIndex, substr(a.position, 1, 200), i.key, i.version, i.dateModified, {external}, "
        "length(a.text) > ? OR length(a.comment) > ? "
        "FROM itemAnnotations a JOIN items i ON i.itemID = a.itemID ORDER BY a.parentItemID, a.sortIndex, a.itemID",
        (n, n),
    ):
        if int(r[0]) in live:
            rows.append(tuple(r[:12]))
            if r[12]:
                long_ones.add(int(r[0]))
    return rows, long_ones


def _collection_rows(conn: sqlite3.Connection, schema: _Schema) -> dict[int, tuple[str, int | None]]:
    deleted = " WHERE collectionID NOT IN (SELECT collectionID FROM deletedCollections)"
    sql = "SELECT collectionID, collectionName, parentCollectionID FROM collections"
    return {
        int(cid): (str(name), None if parent is None else int(parent))
        for cid, name, parent in conn.execute(sql + (deleted if schema.deleted_collections else ""))
    }


def _bbt_citekeys(folder: Path, work_dir: Path | None) -> dict[tuple[int, str], str]:
    """(libraryID, item key) -> Better BibTeX's citation key, from better-bibtex.sqlite when it is there."""
    db = folder / BBT_DB_NAME
    if not db.is_file():
        return {}
    try:
        with _snapshot(db, work_dir) as (conn, _):
            if not {"itemKey", "libraryID", "citationKey"} <= _columns(conn, "citationkey"):
                return {}
            return {
                (int(lib or 1), str(key)): str(cite)
                for key, lib, cite in conn.execute("SELECT itemKey, libraryID, citationKey FROM citationkey")
                if key and cite
            }
    except (ZoteroError, sqlite3.DatabaseError):
        return {}  # BBT's own database is optional: keys fall back to Extra or zotero:KEY


# --- items -> sources -----------------------------------------------------------------------------

# Zotero item type -> CSL type (Zotero's schema.json, "csl" -> "types").
_CSL_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "journalArticle": "article-journal", "magazineArticle": "article-magazine",
        "newspaperArticle": "article-newspaper", "preprint": "article", "bill": "bill", "book": "book",
        "podcast": "broadcast", "tvBroadcast": "broadcast", "radioBroadcast": "broadcast",
        "bookSection": "chapter", "dataset": "dataset", "document": "document", "attachment": "document",
        "note": "document", "dictionaryEntry": "entry-dictionary", "encyclopediaArticle": "entry-encyclopedia",
        "artwork": "graphic", "hearing": "hearing", "interview": "interview", "case": "legal_case",
        "statute": "legislation", "manuscript": "manuscript", "map": "map", "film": "motion_picture",
        "videoRecording": "motion_picture", "conferencePaper": "paper-conference", "patent": "patent",
        "letter": "personal_communication", "email": "personal_communication",
        "instantMessage": "personal_communication", "forumPost": "post", "blogPost": "post-weblog",
        "report": "report", "computerProgram": "software", "audioRecording": "song", "presentation": "speech",
        "standard": "standard", "thesis": "thesis", "webpage": "webpage",
    }
)
# Zotero (base) field -> CSL variable, for the text fields litsok's citations use.
_CSL_TEXT: Mapping[str, str] = MappingProxyType(
    {
        "title": "title", "shortTitle": "title-short", "publicationTitle": "container-title",
        "volume": "volume", "issue": "issue", "pages": "page", "edition": "edition", "publisher": "publisher",
        "place": "publisher-place", "series": "collection-title", "seriesTitle": "collection-title",
        "seriesNumber": "collection-number", "number": "number", "type": "genre", "DOI": "DOI", "url": "URL",
        "ISBN": "ISBN", "ISSN": "ISSN", "language": "language", "journalAbbreviation": "container-title-short",
        "numPages": "number-of-pages", "numberOfVolumes": "number-of-volumes",
    }
)
_CSL_DATES: Mapping[str, str] = MappingProxyType({"date": "issued", "accessDate": "accessed"})
# Type-specific field -> base field, for databases without baseFieldMappings (schema.json "baseField").
_BASE_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "bookTitle": "publicationTitle", "proceedingsTitle": "publicationTitle", "websiteTitle": "publicationTitle",
        "blogTitle": "publicationTitle", "encyclopediaTitle": "publicationTitle",
        "dictionaryTitle": "publicationTitle", "forumTitle": "publicationTitle", "programTitle": "publicationTitle",
        "university": "publisher", "institution": "publisher", "company": "publisher", "label": "publisher",
        "distributor": "publisher", "network": "publisher", "studio": "publisher",
        "thesisType": "type", "reportType": "type", "websiteType": "type", "manuscriptType": "type",
        "letterType": "type", "postType": "type", "presentationType": "type", "mapType": "type", "genre": "type",
        "reportNumber": "number", "billNumber": "number", "documentNumber": "number", "episodeNumber": "number",
        "caseName": "title", "subject": "title", "nameOfAct": "title", "dateDecided": "date", "dateEnacted": "date",
        "issueDate": "date", "codePages": "pages", "firstPage": "pages",
    }
)
# Zotero creator type -> CSL name variable (schema.json "csl" -> "names"); the primary creator is the author.
_CSL_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "author": "author", "editor": "editor", "bookAuthor": "container-author", "translator": "translator",
        "seriesEditor": "collection-editor", "contributor": "contributor", "reviewedAuthor": "reviewed-author",
        "director": "director", "composer": "composer", "interviewer": "interviewer", "recipient": "recipient",
        "castMember": "performer", "producer": "producer", "guest": "guest", "scriptwriter": "script-writer",
        "creator": "author",
    }
)
_PRIMARY_CREATOR: Mapping[str, str] = MappingProxyType(
    {
        "artwork": "artist", "audioRecording": "performer", "bill": "sponsor", "computerProgram": "programmer",
        "film": "director", "interview": "interviewee", "map": "cartographer", "patent": "inventor",
        "podcast": "podcaster", "presentation": "presenter", "radioBroadcast": "director",
        "tvBroadcast": "director", "videoRecording": "creator",
    }
)
_EXTRA_CITEKEY = re.compile(r"^\s*(?:citation key|bibtex)\s*:\s*(\S+)\s*$", re.I | re.M)
_EXTRA_FIRST_PAGE = re.compile(r"^\s*(?:tex\.)?(?:litsok_forsteside|litsok_førsteside|first_page)\s*:\s*(\d+)\s*$",
                               re.I | re.M)
_PARTICLE = re.compile(r"^((?:[a-zà-ÿ'’]+\s+)+)(.+)$")


def zotero_date(value: str) -> dict[str, Any] | None:
    """Zotero's stored date -> CSL date.

    Zotero stores "yyyy-mm-dd original" with 00 for unknown parts: "2012-00-00 2012"
    -> {"date-parts": [[2012]]}, "2021-03-05 5. mars 2021" -> [[2021, 3, 5]]; an
    access date is "2024-03-01 10:20:00". A date Zotero could not parse keeps its text.
    """
    value = value.strip()
    m = re.match(r"(-?\d{4})-(\d{2})-(\d{2})(?:\s+(.*))?$", value, re.S)
    if m:
        year, month, day = (int(g) for g in m.groups()[:3])
        if year:
            return {"date-parts": [[year] + ([month] if month else []) + ([day] if month and day else [])]}
        original = (m.group(4) or "").strip()  # Zotero found no date in what the student wrote
        return {"literal": original} if original else None
    year_m = re.search(r"\b(\d{4})\b", value)
    if year_m:
        return {"date-parts": [[int(year_m.group(1))]]}
    return {"literal": value} if value else None


def zotero_name(first: str, last: str, field_mode: int) -> dict[str, str]:
    """A Zotero creator -> CSL name; one-field names (organisations) are literal.

    Lower-case words in front of the last name are a particle, as citeproc (and
    bibtexparser, for a .bib) read them: "de Vries", "Anne" ->
    {"family": "Vries", "given": "Anne", "non-dropping-particle": "de"}."""
    first, last = first.strip(), last.strip()
    if field_mode == 1 or not first and " " in last and not _PARTICLE.match(last):
        return {"literal": last or first}
    name = {"family": last, "given": first}
    m = _PARTICLE.match(last)
    if m:
        name["non-dropping-particle"] = m.group(1).strip()
        name["family"] = m.group(2).strip()
    return {k: v for k, v in name.items() if v}


def item_csl(type_name: str, fields: Mapping[str, str], creators: Iterable[tuple[str, str, str, int]],
             primary_creator: str = "author") -> dict[str, Any]:
    """One Zotero item (base field name -> value; creators in order) -> CSL-JSON, without "id"."""
    csl: dict[str, Any] = {"type": _CSL_TYPES.get(type_name, "document")}
    for zotero_field, variable in _CSL_TEXT.items():
        value = fields.get(zotero_field, "").strip()
        if value and variable not in csl:
            csl[variable] = value
    for zotero_field, variable in _CSL_DATES.items():
        date = zotero_date(fields.get(zotero_field, ""))
        if date:
            csl[variable] = date
    if "page" in csl:
        csl["page"] = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", csl["page"])
    if "DOI" in csl:
        csl["DOI"] = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", csl["DOI"], flags=re.I)
    for ctype, first, last, mode in creators:
        role = "author" if ctype == primary_creator else _CSL_NAMES.get(ctype)
        if role and (first.strip() or last.strip()):
            csl.setdefault(role, []).append(zotero_name(first, last, mode))
    return csl


def _citekey(item: _Item, fields: Mapping[str, str], bbt: Mapping[tuple[int, str], str]) -> str:
    own = fields.get("citationKey", "").strip()
    if own:
        return own
    m = _EXTRA_CITEKEY.search(fields.get("extra", ""))
    if m:
        return m.group(1)
    return bbt.get((item.library_id, item.key), "")


def _first_page(fields: Mapping[str, str]) -> int | None:
    m = _EXTRA_FIRST_PAGE.search(fields.get("extra", ""))
    return int(m.group(1)) if m else None


# --- attachments -----------------------------------------------------------------------------------

_LINKED_FILE = 2
_LINKED_URL = 3


def _is_pdf(att: _Attachment) -> bool:
    return att.content_type == "application/pdf" or att.path.lower().endswith(".pdf")


def _attachment_file(att: _Attachment, data_dir: Path, linked_base: Path | None) -> Path | None:
    """Where the attachment's file should be; None when it has none (a link to a web page)."""
    if att.link_mode == _LINKED_URL or not att.path:
        return None
    if att.path.startswith("storage:"):
        return data_dir / "storage" / att.key / att.path[len("storage:"):]
    if att.path.startswith("attachments:"):
        rel = att.path[len("attachments:"):]
        return (linked_base / rel) if linked_base else Path("attachments:" + rel)
    path = Path(att.path)
    return path if path.is_absolute() else data_dir / path


def _file_state(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if path.is_file() else None


# --- collections -------------------------------------------------------------------------------------


def _collection_paths(collections: Mapping[int, tuple[str, int | None]]) -> dict[int, str]:
    paths: dict[int, str] = {}
    for cid in collections:
        parts: list[str] = []
        seen: set[int] = set()
        node: int | None = cid
        while node is not None and node in collections and node not in seen:
            seen.add(node)
            name, node = collections[node]
            parts.append(name)
        paths[cid] = "/".join(reversed(parts))
    return paths


def _chosen_collections(name: str, paths: Mapping[int, str], db: Path) -> tuple[str, set[int]]:
    """The full path of the collection the user named, and the IDs of it and its subcollections."""
    wanted = name.strip().strip("/").casefold()
    exact = sorted({p for p in paths.values() if p.casefold() == wanted})
    by_name = sorted({p for p in paths.values() if p.rsplit("/", 1)[-1].casefold() == wanted})
    matches = exact or by_name
    if not paths:
        raise ZoteroError(_MSG_NO_COLLECTIONS.format(name=name, file=db))
    if not matches:
        valid = ", ".join(f"«{p}»" for p in sorted(set(paths.values()), key=str.casefold))
        raise ZoteroError(_MSG_UNKNOWN_COLLECTION.format(name=name, file=db, valid=valid))
    if len(matches) > 1:
        raise ZoteroError(
            _MSG_AMBIGUOUS_COLLECTION.format(
                name=name, file=db, paths=", ".join(f"«{p}»" for p in matches), first=matches[0]
            )
        )
    chosen = matches[0].casefold()
    ids = {cid for cid, p in paths.items() if p.casefold() == chosen or p.casefold().startswith(chosen + "/")}
    return matches[0], ids


# --- assembling the library --------------------------------------------------------------------------


def _build_library(
    db: Path,
    rows: _Rows,
    bbt: Mapping[tuple[int, str], str],
    collection: str | None,
    linked_base: Path | None,
    notes: list[str],
    version: int | None,
) -> ZoteroLibrary:
    problems = list(notes)
    data_dir = db.parent
    paths = _collection_paths(rows.collections)
    chosen_path, chosen_ids = (None, set()) if collection is None else _chosen_collections(collection, paths, db)

    by_parent: dict[int, list[_Attachment]] = {}
    for att in rows.attachments:
        if att.parent_id is not None:
            by_parent.setdefault(att.parent_id, []).append(att)
    standalone = {att.item_id: att for att in rows.attachments if att.parent_id is None and _is_pdf(att)}

    key_of: dict[int, str] = {}
    sources: dict[str, Source] = {}
    titles: dict[int, str] = {}
    csl_by_id: dict[int, dict[str, Any]] = {}
    candidates = list(rows.items) + [i for i in standalone if i not in rows.items]
    for item_id in sorted(candidates):
        if chosen_path is not None and not chosen_ids & set(rows.collection_items.get(item_id, ())):
            continue
        item = rows.items.get(item_id)
        if item is None:  # a PDF put into Zotero without a parent item: cited by its title
            att = standalone[item_id]
            item = _Item(att.item_id, "attachment", att.key, 1, att.version, att.date_modified, "")
        fields = rows.fields.get(item_id, {})
        csl = item_csl(item.type_name, fields, rows.creators.get(item_id, ()),
                       rows.primary_creator.get(item.type_name, "author"))
        if item.type_name == "attachment" and not csl.get("title"):
            csl["title"] = Path(standalone[item_id].path.split(":", 1)[-1]).stem
        titles[item_id] = str(csl.get("title", "")) or item.key
        key = _source_key(item, fields, bbt, sources, titles[item_id], db, problems)
        key_of[item_id] = key
        csl_by_id[item_id] = csl
        sources[key] = Source(key=key, csl={"id": key, **csl}, origin=str(db), first_page=_first_page(fields))

    files: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    att_state: dict[str, list[Any]] = {}
    att_path: dict[int, str] = {}
    att_source: dict[int, str] = {}
    on_disk: dict[str, tuple[str, str]] = {}
    for item_id, key in key_of.items():
        atts = [standalone[item_id]] if item_id in standalone else by_parent.get(item_id, [])
        for att in atts:
            if not _is_pdf(att):
                continue
            target = _attachment_file(att, data_dir, linked_base)
            if target is None:
                continue
            att_source[att.item_id] = key
            state = _file_state(target)
            att_state.setdefault(key, []).append([att.key, att.version, att.date_modified, str(target), state])
            if state is None:
                missing.setdefault(key, []).append(str(target))
                msg = _MSG_RELATIVE_LINK if str(target).startswith("attachments:") else _MSG_MISSING_FILE
                problems.append(msg.format(file=db, name=target.name, title=titles[item_id], key=key, path=target))
                continue
            resolved = str(target.resolve())
            att_path[att.item_id] = resolved
            on_disk[att.key] = (key, resolved)
            files.setdefault(key, []).append(resolved)
    for key, found in files.items():
        old = sources[key]
        sources[key] = Source(key=key, csl=old.csl, files=tuple(found), origin=old.origin, first_page=old.first_page)

    att_keys = {att.item_id: att.key for att in rows.attachments}
    annotations: list[ZoteroAnnotation] = []
    for item_id, parent, atype, text, comment, label, sort_index, position, akey, aversion, amod, ext in rows.annotations:
        source_key = att_source.get(int(parent))
        if source_key is None:
            continue
        page_index = _page_index(position)
        annotations.append(
            ZoteroAnnotation(
                key=str(akey), source_key=source_key, attachment_key=att_keys[int(parent)],
                attachment_path=att_path.get(int(parent), ""),
                type=_ANNOTATION_TYPES.get(int(atype or 0), AnnotationType.NOTE), text=str(text or ""),
                comment=str(comment or ""), page_label=str(label or "").strip(), page_index=page_index,
                sort_index=str(sort_index or ""), date_modified=str(amod or ""), version=int(aversion or 0),
                external=ext == 1,
            )
        )
        if int(item_id) in rows.long_annotations:
            problems.append(_MSG_LONG_ANNOTATION.format(
                file=db, title=sources[source_key].title, page=label or "?", limit=limits.ZOTERO_MAX_ANNOTATION_CHARS
            ))

    in_collections = {
        key_of[i]: tuple(sorted({paths[c] for c in rows.collection_items.get(i, ()) if c in paths}))
        for i in key_of
    }
    fingerprints = _fingerprints(key_of, rows, csl_by_id, att_state, annotations)
    return ZoteroLibrary(
        db_path=db,
        sources=MappingProxyType(sources),
        collections=MappingProxyType(in_collections),
        annotations=tuple(annotations),
        fingerprints=MappingProxyType(fingerprints),
        missing=MappingProxyType({k: tuple(v) for k, v in missing.items()}),
        item_keys=MappingProxyType({key: _item_key(rows, standalone, i) for i, key in key_of.items()}),
        problems=tuple(problems),
        collection=chosen_path,
        all_collections=tuple(sorted(set(paths.values()), key=str.casefold)),
        schema_version=version,
        attachments=MappingProxyType(on_disk),
    )


def _source_key(
    item: _Item, fields: Mapping[str, str], bbt: Mapping[tuple[int, str], str], taken: Mapping[str, Source],
    title: str, db: Path, problems: list[str],
) -> str:
    fallback = KEY_PREFIX + item.key if KEY_PREFIX + item.key not in taken else f"{KEY_PREFIX}{item.key}-{item.library_id}"
    citekey = _citekey(item, fields, bbt)
    if not citekey:
        return fallback
    if citekey in taken:
        problems.append(_MSG_DUPLICATE_KEY.format(file=db, citekey=citekey, title=title, key=fallback))
        return fallback
    return citekey


def _item_key(rows: _Rows, standalone: Mapping[int, _Attachment], item_id: int) -> str:
    item = rows.items.get(item_id)
    return item.key if item else standalone[item_id].key


def _page_index(position: Any) -> int | None:
    m = re.search(r'"pageIndex"\s*:\s*(\d+)', str(position or ""))
    return int(m.group(1)) if m else None


def _fingerprint(item_id: int, rows: _Rows, csl: Mapping[str, Any], atts: list[Any],
                 annotations: Sequence[ZoteroAnnotation]) -> str:
    item = rows.items.get(item_id)
    head = [item.key, item.version, item.date_modified, item.client_modified] if item else [item_id]
    notes = [[a.key, a.version, a.date_modified, a.text, a.comment, a.page_label] for a in annotations]
    blob = json.dumps([head, csl, atts, notes], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _fingerprints(key_of: Mapping[int, str], rows: _Rows, csl_by_id: Mapping[int, dict[str, Any]],
                          att_state: Mapping[str, list[Any]], annotations: Sequence[ZoteroAnnotation]) -> dict[str, str]:
    per_source: dict[str, list[ZoteroAnnotation]] = {}
    for a in annotations:
        per_source.setdefault(a.source_key, []).append(a)
    return {
        key: _fingerprint(item_id, rows, csl_by_id[item_id], att_state.get(key, []), per_source.get(key, []))
        for item_id, key in key_of.items()
    }


# --- Zotero's prefs.js (a moved data folder, the base folder of linked files) -------------------------

_PREF = re.compile(r'user_pref\("(extensions\.zotero\.(?:dataDir|useDataDir|baseAttachmentPath))",\s*(.+?)\);')


def _profile_roots() -> list[Path]:
    home = Path.home()
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA")
        return [Path(appdata) / "Zotero" / "Zotero" / "Profiles"] if appdata else []
    if sys.platform == "darwin":
        return [home / "Library" / "Application Support" / "Zotero" / "Profiles"]
    return [home / ".zotero" / "zotero"]


def _prefs() -> dict[str, str]:
    """The few Zotero prefs litsok uses, from the first profile's prefs.js ({} when none)."""
    for root in _profile_roots():
        for prefs in sorted(root.glob("*/prefs.js")) if root.is_dir() else ():
            try:
                with prefs.open("rb") as fh:
                    text = fh.read(limits.ZOTERO_MAX_PREFS_BYTES).decode("utf-8", errors="replace")
            except OSError:
                continue
            found: dict[str, str] = {}
            for name, raw in _PREF.findall(text):
                try:
                    value = json.loads(raw)
                except json.JSONDecodeError:
                    continue
                found[name] = str(value).lower() if isinstance(value, bool) else str(value)
            return found
    return {}
