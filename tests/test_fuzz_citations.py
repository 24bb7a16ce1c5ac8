"""Fuzzing the draft side of `sjekk` (issue 14): the citation parser, the claims, the
draft reader and the whole check on random text and bytes raise nothing but the
domain errors (LitsokError), and what they return holds together: each citation's
span lies inside the text and covers what the citation says was written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import hostile_drafts as hostile
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from litsok import limits
from litsok.check import (
    Draft,
    check_citations,
    claims,
    flatten,
    pages_overlap,
    parse_citations,
    read_draft,
    sentence_spans,
)
from litsok.errors import LitsokError
from litsok.library import index_corpus, open_index

# Pieces students' drafts (and hostile ones) are made of: citation parts, names, years,
# pages (and pages far too long), separators, brackets, runs of spaces and line breaks.
PIECES = [
    "(", ")", ";", ",", ".", " ", "  ", "\n", "\n\n", "\t", "-", "–", "&", " og ", " and ", " et al.", " mfl.",
    "Biestek", "Røkenes", "Hanssen", "Leseth", "Riis-Johansen", "van der Berg", "Aa-Bb-Cc-Dd-Ee-Ff", "A- ",
    "1972", "2012", "2020", "2019–2023", "u.å.", "i trykk", "s.", "s. ", "side ", "sider ", "pp. ", "22", "84-85",
    "xii", "9" * 4400, "0" * 7, "iiiiiiiiiiiiiiiiiiii", "se ", "jf. ", "# ", "1.2 ", "- ", "» ", "«", "Ä", "ß", "\u00a0",
    "\x00", "\ufeff", "’", "'", "(1972, s. 29)", "(Kane et al., 2017; Leseth et al., 2020)", "Leseth et al. (2020)",
]
drafts_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40).map("".join)


@hsettings(max_examples=400, deadline=None)
@given(drafts_text)
def test_parser_spans_cover_what_each_citation_says_was_written(text):
    found = parse_citations(text)
    assert [c.start for c in found] == sorted(c.start for c in found)
    for c in found:
        assert 0 <= c.start < c.end <= len(text)
        covered = " ".join(text[c.start : c.end].split())
        if c.text.startswith("(") and not covered.startswith("("):
            pytest.fail(f"{c.text!r} is not the parenthesis {covered!r}")
        inner = c.text[1:-1] if c.text.startswith("(") and c.text.endswith(")") else c.text
        assert c.text == covered or inner in covered, (c.text, covered)
        assert all(name and name in text[c.start : c.end] for name in c.authors)
        assert c.year and c.year[:1] in "12ui"
        if c.pages:  # a page is a page: int() of its numbers works, and overlap can be asked
            assert not c.invalid_pages
            assert all(len(p) <= limits.MAX_PAGE_DIGITS for p in c.pages.split("–") if p.isdigit())
            pages_overlap(c.pages, "1", "999999")


@hsettings(max_examples=300, deadline=None)
@given(drafts_text)
def test_claims_and_sentences_stay_inside_the_text(text):
    flat = flatten(text)
    assert len(flat) == len(text) and flat.replace(" ", "\n").count("\n") == text.replace(" ", "\n").count("\n")
    cits = parse_citations(flat)
    for a, b in sentence_spans(flat, cits):
        assert 0 <= a < b <= len(flat)
    made = claims(flat, cits)
    assert len(made) == len(cits)
    for (claim, (a, b)), c in zip(made, cits, strict=True):
        assert 0 <= a <= c.start < len(flat) and b <= len(flat)
        assert len(claim) <= limits.MAX_CLAIM_CHARS and "\n" not in claim


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.binary(max_size=300), drafts_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
       encoding=st.sampled_from(["raw", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "utf-8-sig"]),
       suffix=st.sampled_from([".md", ".txt"]))
def test_the_text_draft_reader_reads_or_refuses_in_norwegian(tmp_path, raw, encoding, suffix):
    if encoding != "raw":
        raw = raw.decode("utf-8", "replace").encode(encoding, "replace")
    path = tmp_path / f"utkast{suffix}"
    path.write_bytes(raw)
    try:
        draft = read_draft(path)
    except LitsokError as exc:
        assert exc.message.startswith(f"{path}: ")
        return
    assert "\r" not in draft.text and draft.unit == "linje"
    assert draft.location(len(draft.text)) == f"linje {draft.text.count(chr(10)) + 1}"


def _docx_bytes(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", hostile.CONTENT_TYPES)
        zf.writestr("_rels/.rels", hostile.ROOT_RELS)
        zf.writestr("word/document.xml", hostile.DOC_HEAD + "".join(hostile.paragraph(p) for p in text.split("\n")) + hostile.DOC_TAIL)
    return buf.getvalue()


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=drafts_text.filter(lambda t: "\x00" not in t and "\ufeff" not in t),
       flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4))
def test_the_docx_reader_reads_or_refuses_in_norwegian(tmp_path, text, flips):
    data = bytearray(_docx_bytes(text))
    for at, byte in flips:  # damage it here and there: headers, directory, deflated XML
        data[at % len(data)] = byte
    path = tmp_path / "utkast.docx"
    path.write_bytes(bytes(data))
    try:
        draft = read_draft(path)
    except LitsokError as exc:
        assert exc.message.startswith(f"{path}: ")
        return
    if not flips:  # undamaged: one line per paragraph, each as written (spaces collapsed)
        assert draft.text.split("\n") == [" ".join(p.split()) for p in text.split("\n")]


@pytest.fixture
def small_index(settings):
    index_corpus(settings)
    return open_index(settings)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drafts_text)
def test_checking_random_drafts_gives_a_status_for_every_citation(small_index, text):
    draft = Draft(Path("utkast.md"), text, "linje")
    try:
        report = check_citations(small_index, None, draft, mode="lexical")
    except LitsokError:
        return
    assert len(report.checks) == len(parse_citations(flatten(text)))
    assert sum(report.counts.values()) == len(report.checks)
    for ch in report.checks:
        assert ch.location.startswith("linje ") and int(ch.location.split()[1]) >= 1
