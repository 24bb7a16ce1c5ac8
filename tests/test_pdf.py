"""`read_pdf` on tiny PDFs typeset inside each test, one test per layout:
each asserts the printed page label of specific text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pdfmaker import PageSpec, make_image_pdf, make_pdf, text_image

from litsok.errors import UnreadableFileError
from litsok.ingest import ocr as ocr_mod
from litsok.ingest.ocr import OcrOptions, ocr_available
from litsok.ingest.pdf import PdfReadResult, clean_text, read_pdf
from litsok.model import (
    ORIGIN_BIB,
    ORIGIN_PAGELABELS,
    ORIGIN_PDF_INDEX,
    ORIGIN_PRINTED,
    ORIGIN_SETTING,
)

HEADER = "Sosialfaglig tidsskrift 4(1) 2021"
OCR_MISSING = ocr_available()
needs_ocr = pytest.mark.skipif(OCR_MISSING is not None, reason=f"OCR-testen krever Tesseract: {OCR_MISSING}")


def read(path: Path, **kw: object) -> PdfReadResult:
    return read_pdf(path, source_key="test2021", rel_file=f"artikler/{path.name}", **kw)  # type: ignore[arg-type]


def page_with(result: PdfReadResult, needle: str):
    hits = [p for p in result.pages if needle in p.text]
    assert len(hits) == 1, f"{needle!r} on {len(hits)} pages: {[p.text[:80] for p in result.pages]}"
    return hits[0]


def plain_pages(texts: list[str], **kw: object) -> list[PageSpec]:
    return [PageSpec(body=t, **kw) for t in texts]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- text clean-up


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("relasjons-\nbygging", "relasjonsbygging"),
        ("NAV-\nveileder", "NAV-veileder"),
        ("Røkenes-\nHanssen", "Røkenes-Hanssen"),
        ("2020-\ntallet", "2020-tallet"),
        ("barne-\nog familievern", "barne- og familievern"),
        ("relasjons\u00ad\nbygging og til\u00adlit", "relasjonsbygging og tillit"),
        ("ﬁnansiering og ﬂyt, eﬀekt", "finansiering og flyt, effekt"),
        ("tillit\u00a0 og   makt \u200b", "tillit og makt"),
        ("a\n\n\n\nb", "a\n\nb"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


# --------------------------------------------------------------------------- layouts

L126 = (
    "Artikkelen handler om relasjons-\nbygging mellom NAV-\nveileder og bruker. Røkenes-\n"
    "Hanssen beskriver kommunikasjon som grunnlaget for all hjelp."
)
R126 = (
    "Tillit er ikke noe som kan kreves, men vokser fram i møtet. Arbeids-\nrettet oppfølging krever tid og ﬁnansiering."
)
L127 = "Den andre siden drøfter makt-\nasymmetri i samtalen mellom veileder og bruker."
R127 = "Avslutningsvis peker vi på at samarbeid over tid gir tillit og gode tjenester for brukerne."


def test_two_column_hyphenated_article_printed_from_126(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "artikkel.pdf",
        [
            PageSpec(columns=(L126 + " " + L126, R126 + " " + R126), header=HEADER, number="126"),
            PageSpec(columns=(L127 + " " + L127, R127 + " " + R127), header=HEADER, number="127"),
        ],
    )
    res = read(pdf)
    first = page_with(res, "Tillit er ikke noe")
    assert (first.label, first.label_origin, first.pdf_index) == ("126", ORIGIN_PRINTED, 0)
    assert "relasjonsbygging mellom NAV-veileder og bruker. Røkenes-Hanssen" in first.text
    assert "Arbeidsrettet oppfølging krever tid og finansiering" in first.text
    # left column read before the right one, although the stream interleaves them
    assert first.text.index("grunnlaget for all hjelp") < first.text.index("Tillit er ikke")
    assert first.text.rindex("grunnlaget for all hjelp") < first.text.index("Tillit er ikke")
    assert "Sosialfaglig tidsskrift" not in first.text and "126" not in first.text
    second = page_with(res, "maktasymmetri")
    assert second.label == "127"
    assert res.page_origin == ORIGIN_PRINTED and res.warnings == ()


def test_pagelabels_start_at_45(tmp_path: Path) -> None:
    texts = ["Relasjonen er grunnmuren.", "Tillit tar tid å bygge.", "Makt må synliggjøres."]
    pdf = make_pdf(tmp_path / "etiketter.pdf", plain_pages(texts), page_labels=[(0, 2, "/D", 45)])
    res = read(pdf)
    assert page_with(res, "Tillit tar tid").label == "46"
    assert [p.label for p in res.pages] == ["45", "46", "47"]
    assert res.page_origin == ORIGIN_PAGELABELS


def test_roman_front_matter_then_arabic(tmp_path: Path) -> None:
    specs = [
        PageSpec(body="Sosialt arbeid i Nav. En lærebok."),  # title page, no number
        PageSpec(body="Forord. Boka er skrevet for studenter i sosialt arbeid.", number="ii"),
        PageSpec(body="Innhold. Kapittel 1 handler om tillit.", number="iii"),
        PageSpec(body="Kapittel 1. Tillit i veiledningen er et gjensidig forhold.", number="1"),
        PageSpec(body="Brukermedvirkning gir brukeren en stemme i egen sak.", number="2"),
        PageSpec(body="Oppsummering av kapitlet om tillit og medvirkning.", number="3"),
    ]
    res = read(make_pdf(tmp_path / "bok.pdf", specs))
    assert page_with(res, "Forord").label == "ii"
    assert page_with(res, "En lærebok").label == "i"
    assert page_with(res, "Kapittel 1. Tillit").label == "1"
    assert page_with(res, "Brukermedvirkning gir").label == "2"
    assert all(p.label_origin == ORIGIN_PRINTED for p in res.pages)


def test_outer_corner_headers_first_page_unnumbered(tmp_path: Path) -> None:
    specs = [PageSpec(body="Relasjonsbygging i praksis. Artikkelens første side har ikke sidetall.")]
    for n in range(34, 39):
        header = "Sosialfaglig tidsskrift" if n % 2 == 0 else "Hansen: Relasjonsbygging og tillit"
        specs.append(
            PageSpec(
                body=f"Tekst på en side om veiledning, avsnitt nummer {n - 33}.",
                header=header,
                number=str(n),
                number_at="header-outer",
            )
        )
    res = read(make_pdf(tmp_path / "hjorner.pdf", specs))
    assert page_with(res, "første side har ikke sidetall").label == "33"
    assert page_with(res, "avsnitt nummer 3.").label == "36"
    assert page_with(res, "avsnitt nummer 4.").label == "37"
    assert all("Sosialfaglig tidsskrift" not in p.text for p in res.pages)
    assert all(p.label_origin == ORIGIN_PRINTED for p in res.pages)


def test_one_garbled_page_number(tmp_path: Path) -> None:
    numbers = ["210", "211", "2l2", "213"]  # the third footer is misprinted/misread
    specs = [PageSpec(body=f"Side om tillit, del {k}.", number=num) for k, num in enumerate(numbers)]
    res = read(make_pdf(tmp_path / "feil.pdf", specs))
    assert page_with(res, "del 2.").label == "212"
    assert [p.label for p in res.pages] == ["210", "211", "212", "213"]


def test_first_page_setting_wins(tmp_path: Path) -> None:
    specs = [PageSpec(body=f"Tillit og relasjon, side {k}.", number=str(10 + k)) for k in range(3)]
    pdf = make_pdf(tmp_path / "innstilling.pdf", specs, page_labels=[(0, 2, "/D", 45)])
    res = read(pdf, first_page=300, bib_pages=(10, 12))
    assert page_with(res, "side 1.").label == "301"
    assert {p.label_origin for p in res.pages} == {ORIGIN_SETTING}
    assert res.page_origin == ORIGIN_SETTING


def test_bib_pages_matching_the_page_count(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "bib.pdf", plain_pages(["Første side om tillit.", "Andre side om makt.", "Tredje side."]))
    res = read(pdf, bib_pages=(126, 128))
    assert page_with(res, "Andre side").label == "127"
    assert res.page_origin == ORIGIN_BIB and res.warnings == ()


def test_bib_pages_not_matching_falls_through_with_warning(tmp_path: Path) -> None:
    specs = [PageSpec(body=f"Side {k} om tillit.", number=str(50 + k)) for k in range(3)]
    res = read(make_pdf(tmp_path / "bibfeil.pdf", specs), bib_pages=(126, 139))
    assert page_with(res, "Side 1 om").label == "51"
    assert res.page_origin == ORIGIN_PRINTED
    assert any("126–139" in w and "bibfeil.pdf" in w for w in res.warnings)


def test_pdf_index_fallback_warns(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "uten.pdf", plain_pages(["Første side uten tall.", "Andre side uten tall."]))
    res = read(pdf)
    assert page_with(res, "Andre side").label == "2"
    assert res.page_origin == ORIGIN_PDF_INDEX
    assert len(res.warnings) == 1
    assert "artikler/uten.pdf" in res.warnings[0] and "første trykte side" in res.warnings[0]


# --------------------------------------------------------------------------- bad files


def test_corrupt_file(tmp_path: Path) -> None:
    bad = tmp_path / "korrupt.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    with pytest.raises(UnreadableFileError) as exc:
        read(bad)
    assert "korrupt.pdf" in exc.value.message and "på nytt" in exc.value.message


def test_not_a_pdf(tmp_path: Path) -> None:
    bad = tmp_path / "notat.pdf"
    bad.write_text("Dette er ikke en PDF, bare tekst.", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="notat.pdf"):
        read(bad)


def test_zero_bytes(tmp_path: Path) -> None:
    empty = tmp_path / "tom.pdf"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableFileError, match="tom"):
        read(empty)


def test_truncated_pdf(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "hel.pdf", plain_pages(["Tillit."]))
    cut = tmp_path / "avkuttet.pdf"
    cut.write_bytes(good.read_bytes()[:300])
    with pytest.raises(UnreadableFileError, match="avkuttet.pdf"):
        read(cut)


def test_password_protected(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "laast.pdf", plain_pages(["Hemmelig tekst."]), user_password="hemmelig")
    with pytest.raises(UnreadableFileError) as exc:
        read(pdf)
    assert "passord" in exc.value.message and "laast.pdf" in exc.value.message


def test_encrypted_with_empty_password_is_read(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "eier.pdf", plain_pages(["Åpen tekst om tillit."], number="9"), user_password="")
    res = read(pdf)
    assert page_with(res, "Åpen tekst om tillit").label == "9"


def test_page_without_any_text(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "blank.pdf", [PageSpec(), PageSpec()])
    with pytest.raises(UnreadableFileError, match="ingen tekst"):
        read(pdf)


# --------------------------------------------------------------------------- scans and OCR

SCAN_A4 = (1654, 2339)  # A4 at 200 dpi


def scan_page(body: str, number: str):
    return text_image([(body, number)], SCAN_A4, font_px=44)


def test_scan_without_ocr_is_unreadable(tmp_path: Path) -> None:
    pdf = make_image_pdf(tmp_path / "skann.pdf", [scan_page("Tillit i Nav", "57")])
    with pytest.raises(UnreadableFileError, match="skannet"):
        read(pdf)


def test_missing_tesseract_skips_scanned_pages_with_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import litsok.ingest.pdf as pdf_mod

    monkeypatch.setattr(pdf_mod, "ocr_available", lambda languages="nor+eng": "Tesseract er ikke installert.")
    specs = [
        PageSpec(body="Tekstside om relasjon.", number="12"),
        PageSpec(image=scan_page("Skannet side", "13")),
        PageSpec(body="Tekstside om tillit.", number="14"),
    ]
    res = read(make_pdf(tmp_path / "blandet.pdf", specs), ocr=OcrOptions(cache_dir=tmp_path / "ocr"))
    assert page_with(res, "om tillit").label == "14"
    assert len(res.pages) == 2
    assert any("PDF-side 2" in w and "apt-get install tesseract-ocr tesseract-ocr-nor" in w for w in res.warnings)


@needs_ocr
def test_image_only_page_goes_through_ocr_and_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "Tillit bygges over tid\ni møtet mellom veileder\nog bruker på Nav-kontoret."
    pdf = make_image_pdf(tmp_path / "skann.pdf", [scan_page(body, "57")])
    opts = OcrOptions(cache_dir=tmp_path / "ocr-cache")
    seen: list[tuple[int, int]] = []
    t0 = time.perf_counter()
    res = read(pdf, ocr=opts, progress=lambda d, t: seen.append((d, t)))
    first_run = time.perf_counter() - t0
    page = page_with(res, "Tillit bygges over tid")
    assert "møtet mellom veileder" in page.text
    assert (page.label, page.label_origin) == ("57", ORIGIN_PRINTED)
    assert seen and seen[-1] == (1, 1)
    assert len(list((tmp_path / "ocr-cache").rglob("*.json"))) == 1

    # second run: from the cache, Tesseract is not started
    monkeypatch.setattr(ocr_mod, "_tesseract", lambda *a, **k: pytest.fail("OCR ran again"))
    t0 = time.perf_counter()
    again = read(pdf, ocr=opts)
    assert again.pages == res.pages
    assert time.perf_counter() - t0 < first_run


@needs_ocr
def test_two_page_spread_scan_is_split(tmp_path: Path) -> None:
    spread = text_image(
        [("Venstre side handler\nom relasjonsbygging.", "12"), ("Høyre side handler\nom brukermedvirkning.", "13")],
        (2339, 1654),
        font_px=44,
    )
    spread2 = text_image(
        [("Neste oppslag drøfter\nmakt i samtalen.", "14"), ("Siste side drøfter\ntaushetsplikt.", "15")],
        (2339, 1654),
        font_px=44,
    )
    pdf = make_image_pdf(tmp_path / "oppslag.pdf", [spread, spread2], spread=True)
    res = read(pdf, ocr=OcrOptions(cache_dir=tmp_path / "ocr"))
    left = page_with(res, "relasjonsbygging")
    right = page_with(res, "brukermedvirkning")
    assert (left.label, left.pdf_index) == ("12", 0)
    assert (right.label, right.pdf_index) == ("13", 0)
    assert page_with(res, "taushetsplikt").label == "15"
    assert [p.label for p in res.pages] == ["12", "13", "14", "15"]


def test_pagelabels_roman_then_arabic(tmp_path: Path) -> None:
    texts = ["Forord om boka.", "Takk til kollegene.", "Kapittel 1 om tillit.", "Mer om tillit."]
    pdf = make_pdf(tmp_path / "romersk.pdf", plain_pages(texts), page_labels=[(0, 1, "/r", 11), (2, 3, "/D", 1)])
    res = read(pdf)
    assert page_with(res, "Takk til").label == "xii"
    assert page_with(res, "Kapittel 1").label == "1"
    assert res.page_origin == ORIGIN_PAGELABELS


def test_demo_article_in_corpus() -> None:
    demo = Path(__file__).resolve().parents[1] / "corpus" / "artikler" / "hansen2021-relasjon.pdf"
    res = read_pdf(demo, source_key="hansen2021", rel_file="artikler/hansen2021-relasjon.pdf")
    assert page_with(res, "Hva er tillit?").label == "45"
    assert page_with(res, "Makt og åpenhet").label == "46"
    assert res.page_origin == ORIGIN_PRINTED and res.warnings == ()
    assert all("Sosialfaglig tidsskrift" not in p.text for p in res.pages)
    assert demo.stat().st_size < 60_000


@pytest.mark.parametrize(
    "content",
    ["[]", "5", '"x"', '{"version": 1}', '{"parts": {}}', "[" * 100_000 + "]" * 100_000, '{"version": "x", "parts": [[1]]}', "\xff"],
)
def test_a_damaged_ocr_cache_entry_means_read_again_not_a_crash(tmp_path: Path, content: str) -> None:
    """An OCR cache file that is not what litsok wrote (another program's JSON, a file cut
    short, nesting deep enough to exhaust the parser) counts as no cache: the page is OCR-ed
    again instead of the run stopping with a traceback."""
    entry = tmp_path / "ab" / "cd.json"
    entry.parent.mkdir()
    entry.write_text(content, encoding="utf-8", errors="surrogateescape") if content != "\xff" else entry.write_bytes(b"\xff\xfe")
    assert ocr_mod._read_cache(entry) is None
