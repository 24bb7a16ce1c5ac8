import re

from hypothesis import given, settings
from hypothesis import strategies as st

from litsok.chunk import ChunkSettings, chunk_pages, join_pages, sentences, word_count
from litsok.model import ORIGIN_NOTE, ORIGIN_PRINTED, Page


def _page(label, text, pdf_index=None, origin=ORIGIN_NOTE):
    return Page("k", "f.md", label, text, pdf_index=pdf_index, label_origin=origin)


def _text(n_sentences, start=0):
    return " ".join(f"Setning {i} handler om tillit og relasjon i sosialt arbeid." for i in range(start, start + n_sentences))


def test_chunks_stay_within_size_and_on_sentence_boundaries():
    pages = [_page("28–29", _text(60))]
    chunks = chunk_pages(pages)
    sizes = [word_count(c.text) for c in chunks]
    assert all(40 <= s <= 200 for s in sizes), sizes
    assert all(c.text.endswith(".") and c.text[0].isupper() for c in chunks)
    assert all(c.pages == "28–29" for c in chunks)


def test_note_chunks_never_cross_a_page_marker():
    pages = [_page("180", _text(5)), _page("181", _text(5, 100))]
    chunks = chunk_pages(pages)
    assert [c.pages for c in chunks] == ["180", "181"]


def test_pdf_chunk_flowing_over_a_page_break_records_the_span():
    # A sentence that starts on printed page 126 and ends on 127.
    p1 = _page("126", _text(3) + " Denne setningen fortsetter", pdf_index=0, origin=ORIGIN_PRINTED)
    p2 = _page("127", "over sideskiftet og slutter her. " + _text(3, 50), pdf_index=1, origin=ORIGIN_PRINTED)
    chunks = chunk_pages([p1, p2])
    assert len(chunks) == 1
    c = chunks[0]
    assert (c.page_first, c.page_last, c.pages) == ("126", "127", "126–127")
    assert (c.pdf_index_first, c.pdf_index_last) == (0, 1)
    # a sentence wholly on page 127 is placed there, the straddling one on both
    last = c.text.rindex("Setning 52")
    assert c.pages_of(last, len(c.text)) == "127"
    straddle = c.text.index("Denne setningen")
    assert c.pages_of(straddle, c.text.index("slutter her.") + 5) == "126–127"
    assert c.pages_of(0, 10) == "126"


def test_offsets_point_into_the_joined_text():
    pages = [_page("1", _text(30)), _page("2", _text(30, 30))]
    joined, _ = join_pages(pages)
    for c in chunk_pages(pages):
        assert joined[c.char_start : c.char_end] == c.text


def test_sentence_splitter_keeps_initials_together():
    text = "Filmen ble laget av Lillian Gish og D.W. Griffith i 1915. J.R.R. Tolkien skrev også. Neste."
    assert [text[a:b] for a, b in sentences(text)] == [
        "Filmen ble laget av Lillian Gish og D.W. Griffith i 1915.",
        "J.R.R. Tolkien skrev også.",
        "Neste.",
    ]


def test_sentence_splitter_keeps_norwegian_abbreviations():
    text = "Dette står på s. 28 i boka, jf. Biestek. Neste setning f.eks. om aksept. Siste!"
    spans = sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "Dette står på s. 28 i boka, jf. Biestek.",
        "Neste setning f.eks. om aksept.",
        "Siste!",
    ]


_word = st.text(alphabet="abcæøå", min_size=1, max_size=8)
_sentence = st.lists(_word, min_size=1, max_size=40).map(lambda ws: " ".join(ws).capitalize() + ".")
_paragraph = st.lists(_sentence, min_size=1, max_size=12).map(" ".join)
_page_text = st.lists(_paragraph, min_size=1, max_size=4).map("\n\n".join)


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(_page_text, min_size=1, max_size=5),
    flows=st.booleans(),
    target=st.integers(min_value=20, max_value=150),
)
def test_chunks_cover_every_word_exactly_once(texts, flows, target):
    origin = ORIGIN_PRINTED if flows else ORIGIN_NOTE
    pages = [_page(str(10 + i), t, pdf_index=i if flows else None, origin=origin) for i, t in enumerate(texts)]
    cfg = ChunkSettings(target_words=target, max_words=target + 50, min_words=min(10, target))
    chunks = chunk_pages(pages, cfg)
    joined, spans = join_pages(pages)
    covered = [0] * len(joined)
    for c in chunks:
        assert joined[c.char_start : c.char_end] == c.text
        for i in range(c.char_start, c.char_end):
            covered[i] += 1
        # the page span is exactly the pages the chunk's characters touch
        touched = [str(10 + i) for i, (a, b) in enumerate(spans) if a < c.char_end and c.char_start < b]
        assert (c.page_first, c.page_last) == (touched[0], touched[-1])
        # every character's page, as the chunk reports it, is the page it stands on
        for i in range(c.char_start, c.char_end, 7):
            on = next(str(10 + p) for p, (a, b) in enumerate(spans) if a <= i < b + len("\n\n"))
            assert c.pages_of(i - c.char_start, i - c.char_start + 1) == on
        if not flows:
            assert c.page_first == c.page_last
    for m in re.finditer(r"\S", joined):
        assert covered[m.start()] == 1
    assert all(n <= 1 for n in covered)


def test_a_passage_never_spans_an_unnumbered_page_and_a_printed_one() -> None:
    from litsok.chunk import chunk_pages
    from litsok.model import ORIGIN_BIB, ORIGIN_PDF_INDEX, Page

    words = " ".join(f"ord{k}." for k in range(60))
    pages = [
        Page(source_key="a", file="a.pdf", label="1", text="Forside med lite tekst på.", pdf_index=0, label_origin=ORIGIN_PDF_INDEX),
        Page(source_key="a", file="a.pdf", label="126", text="Første side. " + words, pdf_index=1, label_origin=ORIGIN_BIB),
        Page(source_key="a", file="a.pdf", label="127", text="Andre side. " + words, pdf_index=2, label_origin=ORIGIN_BIB),
    ]
    spans = {(c.page_first, c.page_last, c.label_origin) for c in chunk_pages(pages)}
    assert ("1", "1", ORIGIN_PDF_INDEX) in spans
    assert all(not (first == "1" and last != "1") for first, last, _ in spans)
