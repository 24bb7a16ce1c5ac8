"""zotero: reading zotero.sqlite (Zotero's real schema, tests/zotero_fixture.py) into
sources, PDF paths, collections and annotations; never writing or locking."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from hostile_zotero import make_big_library, make_garbage_db
from zotero_fixture import (
    BBT_BIB,
    BIB_KEYS,
    HIGHLIGHT_COMMENT,
    HIGHLIGHT_TEXT,
    IMAGE,
    NOTE_COMMENT,
    UNDERLINE_TEXT,
    FixtureLibrary,
    _Writer,
    add_annotation,
    build_library,
    edit_item,
)

from litsok import cite, limits, zotero
from litsok.model import Page
from litsok.sources import load_bibliography
from litsok.zotero import (
    AnnotationType,
    ZoteroError,
    ZoteroLibrary,
    annotation_passages,
    default_data_dir,
    read_library,
)


@pytest.fixture(autouse=True)
def no_real_prefs(monkeypatch, tmp_path):
    """Zotero's prefs.js of the machine running the tests must not leak in."""
    monkeypatch.setattr(zotero, "_profile_roots", lambda: [tmp_path / "no-profiles"])


@pytest.fixture
def fx(tmp_path) -> FixtureLibrary:
    return build_library(tmp_path)


def key_of(lib: ZoteroLibrary, item_key: str) -> str:
    (key,) = [k for k, v in lib.item_keys.items() if v == item_key]
    return key


def _exec(db: Path, sql: str, *args) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql, args)
    conn.commit()
    conn.close()


# --- items, keys, CSL --------------------------------------------------------------------------


def test_reads_every_item_type_and_leaves_out_deleted_items_notes_and_attachments(fx):
    lib = read_library(fx.data_dir)
    types = {lib.item_keys[k]: s.csl["type"] for k, s in lib.sources.items()}
    assert types == {
        "ARTKEY01": "article-journal", "BOOKKEY1": "book", "CHAPKEY1": "chapter", "THESKEY1": "thesis",
        "CONFKEY1": "paper-conference", "WEBKEY01": "webpage",
    }
    assert all(s.origin == str(fx.db) for s in lib.sources.values())


def test_key_is_the_pinned_citation_key_else_zotero_item_key(fx):
    lib = read_library(fx.data_dir)
    assert key_of(lib, "ARTKEY01") == "rokenes2012"  # "Citation Key: rokenes2012" in Extra
    assert key_of(lib, "CHAPKEY1") == "skau2011"
    assert key_of(lib, "BOOKKEY1") == "zotero:BOOKKEY1"
    assert lib.sources["zotero:BOOKKEY1"].csl["id"] == "zotero:BOOKKEY1"


def test_key_from_zotero7_citation_key_field_and_from_better_bibtex_database(fx):
    conn = sqlite3.connect(fx.db)
    conn.execute("INSERT INTO fields (fieldID, fieldName) VALUES (900, 'citationKey')")
    conn.execute("INSERT INTO fieldsCombined (fieldID, fieldName, custom) VALUES (900, 'citationKey', 0)")
    conn.commit()
    w = _Writer(conn)
    w.field_id["citationKey"] = 900
    (thesis_id,) = conn.execute("SELECT itemID FROM items WHERE key = 'THESKEY1'").fetchone()
    w.set_field(thesis_id, "citationKey", "nilsen2019")
    conn.commit()
    conn.close()
    bbt = sqlite3.connect(fx.data_dir / "better-bibtex.sqlite")
    bbt.execute("CREATE TABLE citationkey (itemID INTEGER, itemKey TEXT, libraryID INTEGER, citationKey TEXT, "
                "pinned INTEGER, lastPinned TEXT)")
    bbt.execute("INSERT INTO citationkey VALUES (2, 'BOOKKEY1', 1, 'biestek1972', 0, NULL)")
    bbt.commit()
    bbt.close()
    lib = read_library(fx.data_dir)
    assert key_of(lib, "THESKEY1") == "nilsen2019"
    assert key_of(lib, "BOOKKEY1") == "biestek1972"


def test_a_citation_key_used_twice_keeps_the_first_and_says_so(fx):
    edit_item(fx.db, "BOOKKEY1", "extra", "Citation Key: rokenes2012")
    lib = read_library(fx.data_dir)
    assert key_of(lib, "ARTKEY01") == "rokenes2012"
    assert key_of(lib, "BOOKKEY1") == "zotero:BOOKKEY1"
    assert any("rokenes2012" in p and "The casework relationship" in p for p in lib.problems)


PARITY_FIELDS = ("type", "title", "author", "editor", "issued", "container-title", "volume", "issue", "page",
                 "DOI", "publisher", "publisher-place", "edition", "genre", "URL")


@pytest.mark.parametrize("name", sorted(BIB_KEYS))
def test_csl_and_citations_match_a_better_bibtex_export_of_the_same_item(fx, tmp_path, name):
    bib_path = tmp_path / "kilder.bib"
    bib_path.write_text(BBT_BIB, encoding="utf-8")
    from_bib = load_bibliography([bib_path]).sources[BIB_KEYS[name]]
    lib = read_library(fx.data_dir)
    from_zotero = lib.sources[key_of(lib, fx.keys[name])]
    for variable in PARITY_FIELDS:
        assert from_zotero.csl.get(variable) == from_bib.csl.get(variable), variable
    assert cite.in_text(from_zotero, "180") == cite.in_text(from_bib, "180")
    assert cite.in_text(from_zotero, narrative=True) == cite.in_text(from_bib, narrative=True)
    assert cite.reference_entry(from_zotero) == cite.reference_entry(from_bib)


def test_zotero_dates_names_and_pages_become_csl():
    assert zotero.zotero_date("2012-00-00 2012") == {"date-parts": [[2012]]}
    assert zotero.zotero_date("2021-03-00 mars 2021") == {"date-parts": [[2021, 3]]}
    assert zotero.zotero_date("2021-03-05 5. mars 2021") == {"date-parts": [[2021, 3, 5]]}
    assert zotero.zotero_date("0000-00-00 våren") == {"literal": "våren"}
    assert zotero.zotero_date("2024-03-01 10:20:00") == {"date-parts": [[2024, 3, 1]]}
    assert zotero.zotero_name("", "Statistisk sentralbyrå", 1) == {"literal": "Statistisk sentralbyrå"}
    assert zotero.zotero_name("Ludwig", "van der Berg", 0) == {
        "family": "Berg", "given": "Ludwig", "non-dropping-particle": "van der"}
    csl = zotero.item_csl("bookSection", {"title": "T", "pages": "12 – 30", "publicationTitle": "Bok"},
                          [("bookAuthor", "Eva", "Lie", 0), ("seriesEditor", "Per", "Dal", 0)])
    assert csl["page"] == "12-30" and csl["container-title"] == "Bok"
    assert csl["container-author"] == [{"family": "Lie", "given": "Eva"}]
    assert csl["collection-editor"] == [{"family": "Dal", "given": "Per"}]


def test_an_undated_web_page_is_cited_with_its_access_date(fx):
    _exec(fx.db, "DELETE FROM itemData WHERE itemID = (SELECT itemID FROM items WHERE key = 'WEBKEY01') "
                 "AND fieldID = (SELECT fieldID FROM fields WHERE fieldName = 'date')")
    lib = read_library(fx.data_dir)
    entry = cite.reference_entry(lib.sources["zotero:WEBKEY01"])
    assert "(u.å.)" in entry and "Hentet 1. februar 2024, fra https://www.helsedirektoratet.no" in entry


def test_first_printed_page_from_extra(fx):
    lib = read_library(fx.data_dir)
    assert lib.sources["skau2011"].first_page == 179  # "tex.litsok_forsteside: 179"
    assert lib.sources["rokenes2012"].first_page is None


# --- attachments -------------------------------------------------------------------------------


def test_stored_and_linked_pdfs_are_absolute_paths_and_a_missing_one_is_reported(fx):
    lib = read_library(fx.data_dir)
    assert lib.sources["skau2011"].files == (str(fx.chapter_pdf.resolve()),)
    assert lib.sources["zotero:THESKEY1"].files == (str(fx.thesis_pdf.resolve()),)
    assert lib.sources["zotero:WEBKEY01"].files == ()  # an HTML snapshot is no PDF
    missing = str(fx.data_dir / "storage" / "ATTCONF1" / "hansen.pdf")
    assert lib.missing == {"zotero:CONFKEY1": (missing,)}
    (problem,) = [p for p in lib.problems if "hansen.pdf" in p]
    assert "Digitale verktøy i veiledning" in problem and str(fx.db) in problem


def test_linked_file_relative_to_the_base_folder(fx, tmp_path):
    base = tmp_path / "Pensum"
    (base / "uke1").mkdir(parents=True)
    shutil.copy(fx.thesis_pdf, base / "uke1" / "nilsen.pdf")
    _exec(fx.db, "UPDATE itemAttachments SET path = 'attachments:uke1/nilsen.pdf' "
                 "WHERE itemID = (SELECT itemID FROM items WHERE key = 'ATTTHES1')")
    assert read_library(fx.data_dir, linked_base=base).sources["zotero:THESKEY1"].files == (
        str((base / "uke1" / "nilsen.pdf").resolve()),)
    lib = read_library(fx.data_dir)
    assert lib.sources["zotero:THESKEY1"].files == ()
    assert "zotero:THESKEY1" in lib.missing
    assert any("grunnmappe" in p and "nilsen.pdf" in p for p in lib.problems)


def test_a_pdf_without_parent_item_is_a_source_cited_by_its_title(fx):
    conn = sqlite3.connect(fx.db)
    w = _Writer(conn)
    (w.next_item,) = conn.execute("SELECT max(itemID) + 1 FROM items").fetchone()
    folder = fx.data_dir / "storage" / "ATTALONE"
    folder.mkdir()
    shutil.copy(fx.chapter_pdf, folder / "forelesning.pdf")
    w.attachment(None, "ATTALONE", 0, "storage:forelesning.pdf", title="Forelesningsnotater uke 3")
    conn.commit()
    conn.close()
    source = read_library(fx.data_dir).sources["zotero:ATTALONE"]
    assert source.title == "Forelesningsnotater uke 3"
    assert source.files == (str((folder / "forelesning.pdf").resolve()),)


def test_items_of_feeds_are_not_sources(fx):
    conn = sqlite3.connect(fx.db)
    conn.execute("INSERT INTO libraries (libraryID, type, editable, filesEditable) VALUES (2, 'feed', 0, 0)")
    conn.execute("UPDATE items SET libraryID = 2 WHERE key = 'BOOKKEY1'")
    conn.commit()
    conn.close()
    assert "zotero:BOOKKEY1" not in read_library(fx.data_dir).sources


# --- collections -------------------------------------------------------------------------------


def test_collections_of_each_source(fx):
    lib = read_library(fx.data_dir)
    assert lib.collections["rokenes2012"] == ("Bachelor/Teori",)
    assert lib.collections["zotero:WEBKEY01"] == ("Bachelor",)
    assert lib.collections["zotero:THESKEY1"] == ()
    assert lib.all_collections == ("Bachelor", "Bachelor/Teori", "Master")
    assert lib.collection is None


@pytest.mark.parametrize(
    ("name", "path", "keys"),
    [
        ("Bachelor", "Bachelor", {"rokenes2012", "skau2011", "zotero:WEBKEY01"}),
        ("teori", "Bachelor/Teori", {"rokenes2012", "skau2011"}),
        ("Bachelor/Teori", "Bachelor/Teori", {"rokenes2012", "skau2011"}),
        ("Master", "Master", {"zotero:BOOKKEY1"}),
    ],
)
def test_a_collection_limits_the_library_to_it_and_its_subcollections(fx, name, path, keys):
    lib = read_library(fx.data_dir, collection=name)
    assert set(lib.sources) == keys
    assert lib.collection == path
    assert {a.source_key for a in lib.annotations} <= keys
    assert set(lib.fingerprints) == keys


def test_an_unknown_collection_lists_the_ones_that_exist(fx):
    with pytest.raises(ZoteroError) as err:
        read_library(fx.data_dir, collection="Masteroppgave")
    msg = err.value.message
    assert "«Masteroppgave»" in msg and "«Bachelor/Teori»" in msg and "«Master»" in msg and str(fx.db) in msg


def test_two_collections_with_one_name_ask_for_the_full_path(fx):
    _exec(fx.db, "INSERT INTO collections (collectionID, collectionName, parentCollectionID, libraryID, key) "
                 "VALUES (4, 'Teori', 3, 1, 'COLLTEO2')")
    with pytest.raises(ZoteroError, match="«Master/Teori»"):
        read_library(fx.data_dir, collection="Teori")
    assert read_library(fx.data_dir, collection="Master/Teori").sources == {}


def test_a_collection_in_the_trash_is_not_offered(fx):
    _exec(fx.db, "INSERT INTO deletedCollections (collectionID) VALUES (3)")
    assert "Master" not in read_library(fx.data_dir).all_collections
    with pytest.raises(ZoteroError):
        read_library(fx.data_dir, collection="Master")


# --- annotations -------------------------------------------------------------------------------


def test_annotations_with_type_text_comment_and_printed_page_in_reading_order(fx):
    lib = read_library(fx.data_dir)
    got = [(a.type, a.text, a.comment, a.page_label, a.page_index) for a in lib.annotations]
    assert got == [
        (AnnotationType.HIGHLIGHT, HIGHLIGHT_TEXT, HIGHLIGHT_COMMENT, "180", 1),
        (AnnotationType.NOTE, "", NOTE_COMMENT, "180", 1),
        (AnnotationType.UNDERLINE, UNDERLINE_TEXT, "", "181", 2),
    ]
    assert {a.source_key for a in lib.annotations} == {"skau2011"}
    assert {a.attachment_path for a in lib.annotations} == {str(fx.chapter_pdf.resolve())}


def test_annotation_passages_are_pages_marked_as_own_marking(fx):
    pages = annotation_passages(read_library(fx.data_dir))
    assert pages[0] == Page(
        source_key="skau2011", file="zotero:ATTCHAP1", label="180",
        text=f"{HIGHLIGHT_TEXT}\n\nKommentar: {HIGHLIGHT_COMMENT}", pdf_index=1,
        label_origin=zotero.ORIGIN_ZOTERO, heading="egen markering",
    )
    assert pages[1].text == f"Kommentar: {NOTE_COMMENT}"
    assert pages[2].text == UNDERLINE_TEXT and pages[2].label == "181"
    assert all(zotero.is_annotation_file(p.file) and p.heading == zotero.OWN_MARKING for p in pages)


def test_an_image_annotation_without_comment_gives_no_passage(fx):
    conn = sqlite3.connect(fx.db)
    w = _Writer(conn)
    (w.next_item,) = conn.execute("SELECT max(itemID) + 1 FROM items").fetchone()
    (att,) = conn.execute("SELECT itemID FROM items WHERE key = 'ATTCHAP1'").fetchone()
    w.annotation(att, "ANNIMAG1", IMAGE, None, None, "179", 0)
    conn.commit()
    conn.close()
    lib = read_library(fx.data_dir)
    assert AnnotationType.IMAGE in {a.type for a in lib.annotations}
    assert len(annotation_passages(lib)) == 3


def test_annotations_of_a_pdf_not_on_disk_still_count(fx):
    fx.chapter_pdf.unlink()
    lib = read_library(fx.data_dir)
    assert len(annotation_passages(lib)) == 3
    assert {a.attachment_path for a in lib.annotations} == {""}


def test_an_overlong_highlight_is_cut_at_the_limit_and_reported(fx, monkeypatch):
    monkeypatch.setattr(limits, "ZOTERO_MAX_ANNOTATION_CHARS", 10)
    lib = read_library(fx.data_dir)
    assert lib.annotations[0].text == HIGHLIGHT_TEXT[:10]
    assert any("ZOTERO_MAX_ANNOTATION_CHARS (10 tegn)" in p and "s. 180" in p for p in lib.problems)


def test_a_deleted_annotation_is_left_out(fx):
    _exec(fx.db, "INSERT INTO deletedItems (itemID) SELECT itemID FROM items WHERE key = 'ANNUNDR1'")
    assert [a.key for a in read_library(fx.data_dir).annotations] == ["ANNHIGH1", "ANNNOTE1"]


# --- incremental: fingerprints ------------------------------------------------------------------


def test_fingerprints_change_only_for_what_changed(fx):
    first = read_library(fx.data_dir).fingerprints
    assert read_library(fx.data_dir).fingerprints == first

    edit_item(fx.db, "BOOKKEY1", "edition", "3")
    second = read_library(fx.data_dir).fingerprints
    assert {k for k in first if first[k] != second[k]} == {"zotero:BOOKKEY1"}

    add_annotation(fx.db, "ATTCHAP1", "ANNNEW01", "ny markering", "179", 0)
    third = read_library(fx.data_dir).fingerprints
    assert {k for k in first if second[k] != third[k]} == {"skau2011"}

    st = fx.thesis_pdf.stat()
    os.utime(fx.thesis_pdf, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    fourth = read_library(fx.data_dir).fingerprints
    assert {k for k in first if third[k] != fourth[k]} == {"zotero:THESKEY1"}


# --- never writing, never locked out --------------------------------------------------------------


def test_reading_never_writes_to_the_zotero_folder(fx):
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in fx.data_dir.rglob("*") if p.is_file()}
    read_library(fx.data_dir)
    read_library(fx.data_dir, collection="Teori")
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in fx.data_dir.rglob("*") if p.is_file()}
    assert after == before  # same files (no -journal, -wal, -shm left), same bytes, same mtimes


def test_reads_while_zotero_holds_an_exclusive_lock(fx):
    zotero_conn = sqlite3.connect(fx.db, isolation_level=None)
    zotero_conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    zotero_conn.execute("BEGIN EXCLUSIVE")
    zotero_conn.execute("UPDATE items SET version = version + 1")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            sqlite3.connect(f"{fx.db.as_uri()}?mode=ro", uri=True, timeout=0).execute("SELECT 1 FROM items")
        lib = read_library(fx.data_dir)
        assert len(lib.sources) == 6
    finally:
        zotero_conn.execute("ROLLBACK")
        zotero_conn.close()


def test_a_write_in_progress_is_not_read(fx):
    """Zotero writes part of a transaction into zotero.sqlite before it commits (its
    page cache spills); the copy with its hot journal is rolled back to the last commit."""
    conn = sqlite3.connect(fx.db, isolation_level=None)
    conn.execute("PRAGMA cache_size = 1")
    conn.execute("BEGIN")
    conn.execute("UPDATE itemDataValues SET value = 'HALVFERDIG' WHERE value = 'The casework relationship'")
    conn.execute("CREATE TABLE filler (x)")
    conn.executemany("INSERT INTO filler VALUES (?)", ((os.urandom(500),) for _ in range(3000)))
    try:
        assert (fx.db.parent / "zotero.sqlite-journal").exists()
        lib = read_library(fx.data_dir)
        assert lib.sources["zotero:BOOKKEY1"].title == "The casework relationship"
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_commits_still_in_the_write_ahead_log_are_read(tmp_path):
    fx = build_library(tmp_path, journal_mode="wal")
    conn = sqlite3.connect(fx.db)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE itemDataValues SET value = 'Ny tittel' WHERE value = 'The casework relationship'")
    conn.commit()
    try:
        assert (fx.db.parent / "zotero.sqlite-wal").stat().st_size > 0
        assert read_library(fx.data_dir).sources["zotero:BOOKKEY1"].title == "Ny tittel"
    finally:
        conn.close()


def test_a_database_that_changes_during_every_copy_gives_up_with_a_message(fx, monkeypatch):
    monkeypatch.setattr(limits, "ZOTERO_COPY_RETRY_SECONDS", 0)
    monkeypatch.setattr(limits, "ZOTERO_COPY_ATTEMPTS", 3)
    real_copy = shutil.copyfile
    calls = []

    def copy_while_zotero_writes(src, dst):
        calls.append(src)
        out = real_copy(src, dst)
        os.utime(src, ns=(0, os.stat(src).st_mtime_ns + 1_000_000))
        return out

    monkeypatch.setattr(zotero.shutil, "copyfile", copy_while_zotero_writes)
    with pytest.raises(ZoteroError, match=r"ZOTERO_COPY_ATTEMPTS = 3") as err:
        read_library(fx.data_dir)
    assert str(fx.db) in err.value.message and len(calls) == 3


def test_a_database_over_the_copy_limit_is_read_in_place_with_a_warning(fx, monkeypatch):
    monkeypatch.setattr(limits, "ZOTERO_COPY_MAX_BYTES", 1024)
    lib = read_library(fx.data_dir)
    assert len(lib.sources) == 6
    assert any("ZOTERO_COPY_MAX_BYTES (1024 byte)" in p and "Lukk Zotero" in p for p in lib.problems)


# --- errors --------------------------------------------------------------------------------------


def test_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(ZoteroError, match="Zotero-mappen finnes ikke") as err:
        read_library(tmp_path / "Zotero")
    assert str(tmp_path / "Zotero") in err.value.message and "--zotero" in err.value.message


def test_a_folder_without_zotero_sqlite(tmp_path):
    with pytest.raises(ZoteroError, match="fant ikke zotero.sqlite") as err:
        read_library(tmp_path)
    assert "Datamappe" in err.value.message


def test_the_database_file_itself_can_be_given(fx):
    assert len(read_library(fx.db).sources) == 6


def test_a_file_that_is_not_a_database(tmp_path):
    data_dir = make_garbage_db(tmp_path, scale=0.0001)
    with pytest.raises(ZoteroError, match="er ikke en Zotero-database") as err:
        read_library(data_dir)
    assert str(data_dir / "zotero.sqlite") in err.value.message


def test_a_damaged_database(fx):
    data = fx.db.read_bytes()
    fx.db.write_bytes(data[:100] + b"\xff" * (len(data) - 100))
    with pytest.raises(ZoteroError) as err:
        read_library(fx.data_dir)
    assert str(fx.db) in err.value.message and "zotero.sqlite.bak" in err.value.message


def test_a_schema_without_a_table_litsok_needs(fx):
    _exec(fx.db, "DROP TABLE itemAttachments")
    with pytest.raises(ZoteroError, match="mangler tabellen «itemAttachments» \\(databaseversjon 123\\)") as err:
        read_library(fx.data_dir)
    assert "Better BibTeX" in err.value.message


def test_a_schema_without_a_column_litsok_needs(fx):
    _exec(fx.db, "ALTER TABLE collections DROP COLUMN parentCollectionID")
    with pytest.raises(ZoteroError, match="kolonnen «collections.parentCollectionID»"):
        read_library(fx.data_dir)


def test_a_zotero5_database_without_annotations_is_read_with_a_note(fx):
    _exec(fx.db, "DROP TABLE itemAnnotations")
    lib = read_library(fx.data_dir)
    assert len(lib.sources) == 6 and lib.annotations == ()
    assert any("itemAnnotations" in p and "Zotero 6" in p for p in lib.problems)


# --- data folder ---------------------------------------------------------------------------------


def test_default_data_dir_is_zotero_in_home(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "Zotero"


def test_default_data_dir_follows_a_folder_moved_in_zotero_prefs(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    moved = build_library(tmp_path / "D").data_dir
    profile = tmp_path / "profiles" / "abcd1234.default"
    profile.mkdir(parents=True)
    (profile / "prefs.js").write_text(
        f'user_pref("extensions.zotero.dataDir", {str(moved)!r});\n'.replace("'", '"')
        + 'user_pref("extensions.zotero.useDataDir", true);\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(zotero, "_profile_roots", lambda: [tmp_path / "profiles"])
    assert default_data_dir() == moved


# --- big library (hostile_zotero, small scale) ----------------------------------------------------


def test_a_big_library_at_small_scale(tmp_path):
    data_dir = make_big_library(tmp_path, scale=0.005)
    lib = read_library(data_dir, collection="Teori")
    assert len(lib.sources) == 66  # items in Teori and Metode: 2 of every 3 of the 100
    assert len(annotation_passages(read_library(data_dir))) == 10 * 10
