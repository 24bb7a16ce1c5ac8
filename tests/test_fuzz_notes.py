"""Hypothesis fuzzing of the notes reader (issue 14): `decode`, `parse_note` and the
chunker on texts biased towards Markdown and the page-marker grammar (front
matter, headings, `## s. N–M – tema`, roman numerals, absurd digit runs, long
runs of spaces). Nothing may raise but a `LitsokError`, and what comes out must
come from the text: labels are numbers written in a marker, page text is lines
of the input, chunks are slices of the joined pages within the limits."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litsok import limits
from litsok.chunk import chunk_pages, join_pages
from litsok.errors import LitsokError, UnreadableFileError
from litsok.ingest.notes import decode, h1_title, parse_note

FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_NUMBER = st.one_of(
    st.integers(0, 10**7).map(str),
    st.sampled_from(["i", "ii", "xii", "XIV", "mmmdccclxxxviii", "ivxlcdm" * 3]),
    st.integers(1, 6000).map(lambda n: "9" * n),
)
_MARKER = st.builds(
    lambda hashes, word, space, first, last, topic: f"{hashes}{space}{word}{space}{first}{last}{topic}",
    st.sampled_from(["#", "##", "###", "######", "#######"]),
    st.sampled_from(["s.", "s", "side", "sidene", "sider", "p.", "pp.", "page", "S.", "Side"]),
    st.sampled_from(["", " ", "  ", "\t", " " * 300]),
    _NUMBER,
    st.one_of(st.just(""), _NUMBER.map(lambda n: "–" + n), _NUMBER.map(lambda n: " - " + n)),
    st.sampled_from(["", " – Aksept", ": tema", " —  ", " - ", " x", ":"]),
)
_LINE = st.one_of(
    _MARKER,
    st.sampled_from(
        ["---", "...", "# Tittel", "# a" + " " * 500 + "b", "# ##", "#", "kilde: biestek1972", "tittel: T",
         "nøkkel: @k", "", " ", "Relasjonen er sjelen i sosialt arbeid.", "s. A s. A s. A", "." * 300,
         "a" * 500, "\t\t", "\r", "\u2028", "\x0c", "linje med æøå og emoji 🙂"]
    ),
    st.text(max_size=40),
)
_TEXT = st.lists(_LINE, max_size=40).map("\n".join)

_LABEL_PART = re.compile(rf"^(?:[0-9]{{1,{limits.MAX_PAGE_DIGITS}}}|[ivxlcdm]{{1,{limits.MAX_ROMAN_CHARS}}})$", re.I)


def _check_note(text: str) -> None:
    try:
        note = parse_note(text, "notater/fuzz.md", "notat:fuzz")
    except LitsokError:
        return
    assert note.title
    for page in note.pages:
        assert page.text and len(page.text) <= limits.MAX_PAGE_CHARS
        assert all(line in text for line in page.text.split("\n")), "page text must be lines of the note"
        if page.label:
            parts = page.label.split("–")
            assert len(parts) in (1, 2) and all(_LABEL_PART.match(p) for p in parts), page.label
            assert all(p in text for p in parts), "a label must be written in the note"
    joined, spans = join_pages(note.pages)
    for chunk in chunk_pages(note.pages):
        assert 0 <= chunk.char_start < chunk.char_end <= len(joined)
        assert chunk.text == joined[chunk.char_start : chunk.char_end]
        assert len(chunk.text) <= limits.MAX_CHUNK_CHARS
        assert {chunk.page_first, chunk.page_last} <= {p.label for p in note.pages}


@FUZZ
@given(_TEXT)
def test_parse_note_on_markdown_like_text(text: str) -> None:
    _check_note(text)


@FUZZ
@given(st.sampled_from(["---\n", "---\r\n", "", "\ufeff---\n"]), st.lists(_LINE, max_size=8), st.sampled_from(["---", "...", ""]), _TEXT)
def test_parse_note_with_front_matter(opening: str, meta: list[str], closing: str, body: str) -> None:
    _check_note(opening + "\n".join(meta) + "\n" + closing + "\n" + body)


@FUZZ
@given(st.text(max_size=600))
def test_h1_title_is_a_part_of_the_line(line: str) -> None:
    title = h1_title(line.strip())
    assert title is None or (title and title in line)


@FUZZ
@given(st.binary(max_size=2000))
def test_decode_any_bytes_gives_text_or_a_clear_error(raw: bytes) -> None:
    try:
        text, warnings = decode(raw, "fuzz.md")
    except UnreadableFileError as exc:
        assert exc.message.startswith("fuzz.md: ")
        return
    assert text.strip() and "\x00" not in text[:8192]
    assert all(w.startswith("fuzz.md: ") for w in warnings)


@FUZZ
@given(_TEXT.filter(lambda t: t.strip()), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_decode_reads_notes_saved_in_any_unicode_encoding(text: str, encoding: str) -> None:
    try:
        got, _ = decode(text.encode(encoding, errors="surrogatepass"), "fuzz.md")
    except UnreadableFileError as exc:  # only text that really has NULs or mostly control characters
        assert "binærfil" in exc.message or "tom" in exc.message
        return
    assert got == text or got.strip() == text.strip()
