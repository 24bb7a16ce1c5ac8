from pathlib import Path

import pytest

from litsok.errors import UnreadableFileError
from litsok.ingest.notes import parse_note, read_note
from litsok.model import ORIGIN_NONE, ORIGIN_NOTE

NOTE = """---
kilde: biestek1972
tittel: Lesenotater – Biestek
---
# Biestek (1972)

Innledende tanker uten side.

## s. 22 – Relasjonen som sjelen
Relasjonen er sjelen i sosialt arbeid.

## s. 28–29
Aksept.

### Underoverskrift
Mer om aksept.

## Side 105
Konfidensialitet.
"""


def test_page_markers_give_printed_labels_and_ranges():
    note = parse_note(NOTE, "notater/b.md", "x")
    assert note.source_key == "biestek1972"
    assert note.title == "Lesenotater – Biestek"
    assert [p.label for p in note.pages] == ["", "22", "28–29", "105"]
    assert [p.label_origin for p in note.pages] == [ORIGIN_NONE, ORIGIN_NOTE, ORIGIN_NOTE, ORIGIN_NOTE]
    assert note.pages[1].heading == "Relasjonen som sjelen"
    assert "Mer om aksept." in note.pages[2].text and "### Underoverskrift" in note.pages[2].text
    assert note.pages[0].text == "Innledende tanker uten side."  # the H1 title is not passage text
    assert all(p.pdf_index is None and p.file == "notater/b.md" for p in note.pages)


@pytest.mark.parametrize(
    "marker,label",
    [("## s. 84-85", "84–85"), ("## s.84–85", "84–85"), ("## s 7", "7"), ("## sidene 12 – 14", "12–14"), ("## s. xii", "xii")],
)
def test_marker_spellings(marker, label):
    note = parse_note(f"---\nkilde: k\n---\n{marker}\ntekst\n", "n.md", "x")
    assert [p.label for p in note.pages] == [label]


def test_note_without_source_key_is_an_own_note_with_title_from_heading():
    note = parse_note("# Mine tanker om tillit\n\nTillit tar tid.\n", "notater/mine.md", "notat:mine")
    assert note.source_key is None
    assert note.title == "Mine tanker om tillit"
    assert [(p.source_key, p.label, p.text) for p in note.pages] == [("notat:mine", "", "Tillit tar tid.")]


def test_broken_front_matter_is_reported_not_fatal():
    note = parse_note("---\nkilde: k\n## s. 3\ntekst\n", "n.md", "notat:n")
    assert note.source_key is None
    assert any("n.md" in w and "---" in w for w in note.warnings)


def test_pages_out_of_order_keep_their_labels_and_warn():
    note = parse_note("---\nkilde: k\n---\n## s. 30\nb\n## s. 12\na\n", "n.md", "x")
    assert [p.label for p in note.pages] == ["30", "12"]
    assert any("rekkefølge" in w for w in note.warnings)


def test_latin1_and_bom_files_are_read(tmp_path: Path):
    p = tmp_path / "latin.md"
    p.write_bytes("---\nkilde: k\n---\n## s. 5\nVæremåte og tillit på kontoret.\n".encode("cp1252"))
    note = read_note(p, "latin.md")
    assert note.pages[0].text == "Væremåte og tillit på kontoret."
    assert any("UTF-8" in w and "latin.md" in w for w in note.warnings)
    b = tmp_path / "bom.md"
    b.write_bytes("\ufeff---\nkilde: k\n---\n## s. 6\nÆrlighet.\n".encode())
    assert read_note(b, "bom.md").source_key == "k"


def test_empty_note_is_a_clear_error(tmp_path: Path):
    p = tmp_path / "tom.md"
    p.write_text("  \n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="tom.md"):
        read_note(p, "tom.md")
