"""Printed-page benchmark: does litsok cite the page the answer is printed on?

    .venv/bin/python bench/pages.py [--limit N] [--out DIR] [--data PATH] [--docs | --no-docs]

1. The NorQuAD validation contexts are grouped (seeded) into journal-like "articles" of 3–5 contexts
   and typeset with reportlab, one article per PDF, in one of five layouts (round robin), each
   article starting on a printed page far from 1 (seeded, 100–900):
   - `enspalte-bunntekst`: one column, running header with the journal name (and the year, a number
     that is not a page number), the page number centred in the footer;
   - `tospalte-hjørne`: two columns, page numbers in the outer corner of the header (odd right, even
     left), first page without a number, words hyphenated across lines;
   - `pagelabels`: no printed numbers, the printed numbering only in the PDF's /PageLabels;
   - `bib-sider`: no printed numbers, no page labels, `pages = {first--last}` in kilder.bib;
   - `ingen`: no evidence at all: litsok falls back to the PDF page index and must say "i PDF-en".
   The typesetter is our own line breaker, so every character of every context has a known PDF
   page; the page of each answer span is checked against pypdf's text of that page.
   kilder.bib gets one @article per PDF; the PDF is matched by its file name (it starts with the key).
2. The corpus is indexed with `litsok.library.index_corpus` (default embedder; incremental, the index
   in `<out>/index/` is kept between runs).
3. Every question is asked with `litsok.library.ask` (k=5). Per layout: the share of questions whose
   answer text (whitespace-normalised) is in the top-1 / top-5 chunk of the right source, and of
   those found (best-ranked such hit) the share whose cited page span includes / equals the page(s)
   the answer stands on; the citation string is parsed and must agree. Also: PDFs whose every page
   label litsok inferred is right, and the share of chunks spanning 2+ pages.

Writes `<out>/report.md` and `<out>/results.json`, prints the report, and (full runs only, unless
--no-docs; --docs also for --limit runs) puts it between the markers in docs/pages.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from common import REPO_ROOT, machine, markdown_table, progress_printer, shared_dir, write_between_markers
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from litsok.chunk import join_pages
from litsok.config import Settings
from litsok.index import LoadedIndex, load_index
from litsok.library import ask, index_corpus
from litsok.model import Hit, Page, split_label

DEFAULT_OUT = REPO_ROOT / "bench" / "out" / "pages"
DOCS = REPO_ROOT / "docs" / "pages.md"
SEED = 20260214
K = 5
LAYOUTS = ("enspalte-bunntekst", "tospalte-hjørne", "pagelabels", "bib-sider", "ingen")
EXPECTED_ORIGIN = {
    "enspalte-bunntekst": "trykt",
    "tospalte-hjørne": "trykt",
    "pagelabels": "pagelabels",
    "bib-sider": "kilder.bib",
    "ingen": "pdf-indeks",
}
CONTEXTS_PER_ARTICLE = (3, 5)
FIRST_PAGE_RANGE = (100, 900)

# --------------------------------------------------------------------------- fonts and page geometry

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"serif": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf", "italic": "DejaVuSerif-Italic.ttf"}
PAGE_W, PAGE_H = 481.9, 680.3  # 170 x 240 mm, a journal page
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 50.0, 62.0, 58.0
HEADER_Y, FOOTER_Y = PAGE_H - 36.0, 30.0
GUTTER = 18.0


def register_fonts() -> dict[str, str]:
    """Font role -> registered reportlab name (DejaVu Serif, else the sans font the tests use)."""
    names = {}
    for role, file in FONTS.items():
        path = FONT_DIR / file
        if not path.exists():
            sys.path.insert(0, str(REPO_ROOT / "tests"))
            from pdfmaker import font_path

            path = Path(font_path())
        name = f"Bench-{role}"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        names[role] = name
    return names


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Question:
    qid: int
    question: str
    answer: str
    start: int  # offset of the answer in its article's text
    end: int


@dataclass
class Article:
    key: str
    layout: str
    first_page: int
    authors: tuple[tuple[str, str], ...]  # (family, given)
    year: int
    title: str
    journal: str
    volume: int
    contexts: list[str]
    questions: list[Question] = field(default_factory=list)
    page_of_char: list[int] = field(default_factory=list)  # PDF page index per character, -1 = not typeset
    n_pages: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.contexts)

    @property
    def file(self) -> str:
        return f"{self.key}.pdf"

    def label(self, pdf_index: int) -> int:
        """The page number a reader would cite (the PDF page for the `ingen` layout)."""
        return pdf_index + 1 if self.layout == "ingen" else self.first_page + pdf_index


FAMILIES = (
    "Haugen Berg Nilsen Johansen Larsen Andersen Pedersen Hansen Dahl Lie Moen Strand Bakke Solberg Eide "
    "Lunde Holm Aas Vik Næss Sæther Øien Brekke Tangen Hauge Rønning Fossum Aune Myhre Ødegård"
).split()
GIVEN = "Kari Ola Ingrid Lars Siri Øystein Marit Håkon Tone Eirik Åse Jon Liv Sindre Randi Torbjørn".split()
JOURNALS = (
    "Tidsskrift for velferdsforskning",
    "Norsk sosiologisk tidsskrift",
    "Fontene forskning",
    "Nordisk tidsskrift for helseforskning",
)


def load_articles(path: Path, limit: int | None) -> list[Article]:
    """Group the contexts (seeded shuffle) into articles; layouts round robin; first `limit` questions."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items: list[tuple[str, dict[str, Any]]] = []
    for doc in data["data"]:
        for para in doc["paragraphs"]:
            for qa in para["qas"][:1]:
                items.append((para["context"], qa))
    rng = random.Random(SEED)
    rng.shuffle(items)
    articles: list[Article] = []
    used_keys: set[str] = set()
    pos = 0
    while pos < len(items):
        group = items[pos : pos + rng.randint(*CONTEXTS_PER_ARTICLE)]
        pos += len(group)
        layout = LAYOUTS[len(articles) % len(LAYOUTS)]
        n_auth = rng.choice((1, 1, 2, 3))
        authors = tuple((rng.choice(FAMILIES), rng.choice(GIVEN)) for _ in range(n_auth))
        year = rng.randint(2005, 2023)
        base = _ascii(authors[0][0]) + str(year)
        suffix = next(ch for ch in "abcdefghijklmnopqrstuvwxyz" if base + ch not in used_keys)
        used_keys.add(base + suffix)
        contexts = [c for c, _ in group]
        art = Article(
            key=base + suffix,
            layout=layout,
            first_page=rng.randint(*FIRST_PAGE_RANGE),
            authors=authors,
            year=year,
            title=contexts[0].split("\n", 1)[0].strip(),
            journal=rng.choice(JOURNALS),
            volume=year - 1990,
            contexts=contexts,
        )
        offset = 0
        for ctx, qa in group:
            ans = qa["answers"][0]
            start = offset + ans["answer_start"]
            assert ctx[ans["answer_start"] :].startswith(ans["text"]), qa["id"]
            art.questions.append(Question(qa["id"], qa["question"], ans["text"], start, start + len(ans["text"])))
            offset += len(ctx) + 1
        articles.append(art)
    if limit is not None:
        out, n = [], 0
        for art in articles:
            if n >= limit:
                break
            out.append(art)
            n += len(art.questions)
        articles = out
    return articles


def _ascii(name: str) -> str:
    return "".join(
        ch
        for ch in unicodedata.normalize("NFKD", name.lower().replace("ø", "o").replace("æ", "ae"))
        if ch.isalpha() and ch.isascii()
    )


# --------------------------------------------------------------------------- typesetting


@dataclass(frozen=True)
class Line:
    text: str
    start: int  # article-text offsets of the characters the line shows
    end: int


@dataclass(frozen=True)
class Block:
    font: str
    size: float
    leading: float
    space_before: float
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Op:
    x: float
    y: float
    text: str
    font: str
    size: float


def break_lines(text: str, a: int, b: int, font: str, size: float, width: float, hyphenate: bool) -> list[Line]:
    """Greedy line breaking of text[a:b]; with `hyphenate`, a long plain word that does not fit is
    split with a hyphen so the line is filled."""
    width_of = lambda s: pdfmetrics.stringWidth(s, font, size)  # noqa: E731
    space = width_of(" ")
    lines: list[Line] = []
    cur: list[tuple[int, int]] = []
    cur_w = 0.0

    def flush(extra: str = "") -> None:
        nonlocal cur, cur_w
        if cur:
            lines.append(Line(" ".join(text[s:e] for s, e in cur) + extra, cur[0][0], cur[-1][1]))
        cur, cur_w = [], 0.0

    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[a:b])]
    queue = [(a + s, a + e) for s, e in words]
    while queue:
        s, e = queue.pop(0)
        w = width_of(text[s:e])
        need = w + (space if cur else 0.0)
        if cur_w + need <= width:
            cur.append((s, e))
            cur_w += need
            continue
        word = text[s:e]
        if hyphenate and cur and len(word) >= 7 and word.isalpha() and not word.isupper():
            room = width - cur_w - space - width_of("-")
            cut = max((k for k in range(3, len(word) - 2) if width_of(word[:k]) <= room), default=0)
            if cut and word[cut].islower():
                cur.append((s, s + cut))
                flush("-")
                queue.insert(0, (s + cut, e))
                continue
        flush()
        cur, cur_w = [(s, e)], w
    flush()
    return lines


@dataclass(frozen=True)
class Style:
    columns: int
    size: float
    leading: float
    hyphenate: bool


STYLES = {
    "enspalte-bunntekst": Style(1, 10.5, 14.0, False),
    "tospalte-hjørne": Style(2, 9.5, 12.5, True),
    "pagelabels": Style(1, 10.5, 14.0, False),
    "bib-sider": Style(1, 10.5, 14.0, False),
    "ingen": Style(2, 9.5, 12.5, False),
}


def frames(style: Style, top: float) -> list[tuple[float, float, float]]:
    """(x, top, width) of the body frames of a page, in reading order."""
    full = PAGE_W - 2 * MARGIN_X
    if style.columns == 1:
        return [(MARGIN_X, top, full)]
    col = (full - GUTTER) / 2
    return [(MARGIN_X, top, col), (MARGIN_X + col + GUTTER, top, col)]


def lay_out(art: Article, fonts: dict[str, str]) -> tuple[list[list[Op]], list[int]]:
    """Typeset the article: draw operations per page and the PDF page of every character."""
    style = STYLES[art.layout]
    text = art.text
    page_of = [-1] * len(text)
    pages: list[list[Op]] = [[]]
    # title block on the first page (not part of the article text)
    y = PAGE_H - MARGIN_TOP
    full = PAGE_W - 2 * MARGIN_X
    for ln in break_lines(art.title, 0, len(art.title), fonts["bold"], 15, full, False):
        y -= 19
        pages[0].append(Op(MARGIN_X, y, ln.text, fonts["bold"], 15))
    y -= 20
    pages[0].append(Op(MARGIN_X, y, author_line(art), fonts["italic"], 10.5))
    y -= 24

    width = frames(style, 0)[0][2]
    blocks: list[Block] = []
    offset = 0
    for ctx in art.contexts:
        pos = offset
        for k, para in enumerate(ctx.split("\n")):
            a, b = pos, pos + len(para)
            pos = b + 1
            if not para.strip():
                continue
            if k == 0:  # the context's headline: a section heading
                lines = break_lines(text, a, b, fonts["bold"], style.size + 1.5, width, False)
                blocks.append(Block(fonts["bold"], style.size + 1.5, style.leading + 2, style.leading, tuple(lines)))
            else:
                lines = break_lines(text, a, b, fonts["serif"], style.size, width, style.hyphenate)
                blocks.append(Block(fonts["serif"], style.size, style.leading, style.leading * 0.4, tuple(lines)))
        offset += len(ctx) + 1

    page, frame_i = 0, 0
    frs = frames(style, y)
    cursor = frs[0][1]
    bottom = MARGIN_BOTTOM
    for block in blocks:
        for j, line in enumerate(block.lines):
            gap = block.space_before if j == 0 and cursor < frs[frame_i][1] else 0.0
            if cursor - gap - block.leading < bottom:
                frame_i += 1
                if frame_i == len(frs):
                    page, frame_i = page + 1, 0
                    pages.append([])
                    frs = frames(style, PAGE_H - MARGIN_TOP)
                cursor, gap = frs[frame_i][1], 0.0
            cursor -= gap + block.leading
            pages[page].append(Op(frs[frame_i][0], cursor + 0.25 * block.leading, line.text, block.font, block.size))
            for i in range(line.start, line.end):
                page_of[i] = page
    return pages, page_of


def author_line(art: Article) -> str:
    names = [f"{given} {family}" for family, given in art.authors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def short_authors(art: Article) -> str:
    fam = [f for f, _ in art.authors]
    return fam[0] if len(fam) == 1 else f"{fam[0]} og {fam[1]}" if len(fam) == 2 else f"{fam[0]} mfl."


def draw_margins(c: canvas.Canvas, art: Article, i: int, fonts: dict[str, str]) -> None:
    """Running header and footer of PDF page i for the article's layout."""
    num = str(art.first_page + i)
    small = 8.5
    c.setFont(fonts["serif"], small)
    if art.layout == "enspalte-bunntekst":
        c.drawCentredString(PAGE_W / 2, HEADER_Y, f"{art.journal} · årgang {art.volume} · {art.year}")
        c.drawCentredString(PAGE_W / 2, FOOTER_Y, num)
    elif art.layout == "tospalte-hjørne":
        if i == 0:  # first page: no number, a journal line instead
            c.drawString(MARGIN_X, HEADER_Y, f"{art.journal}, {art.year}, årgang {art.volume}")
        elif int(num) % 2:  # odd: short title left, number in the outer (right) corner
            c.drawString(MARGIN_X, HEADER_Y, short_authors(art))
            c.drawRightString(PAGE_W - MARGIN_X, HEADER_Y, num)
        else:  # even: number in the outer (left) corner, journal right
            c.drawString(MARGIN_X, HEADER_Y, num)
            c.drawRightString(PAGE_W - MARGIN_X, HEADER_Y, art.journal)
    elif art.layout in ("pagelabels", "bib-sider"):
        c.drawCentredString(PAGE_W / 2, HEADER_Y, art.journal)
    # "ingen": no header, no footer


def render(art: Article, fonts: dict[str, str]) -> bytes:
    pages, page_of = lay_out(art, fonts)
    art.page_of_char, art.n_pages = page_of, len(pages)
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1)
    c.setTitle(art.title)
    for i, ops in enumerate(pages):
        draw_margins(c, art, i, fonts)
        for op in ops:
            c.setFont(op.font, op.size)
            c.drawString(op.x, op.y, op.text)
        c.showPage()
    c.save()
    data = buf.getvalue()
    if art.layout == "pagelabels":
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
        writer.set_page_label(0, len(pages) - 1, style="/D", start=art.first_page)
        out = BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def bib_entry(art: Article) -> str:
    authors = " and ".join(f"{family}, {given}" for family, given in art.authors)
    fields = [
        ("author", authors),
        ("year", str(art.year)),
        ("title", art.title),
        ("journal", art.journal),
        ("volume", str(art.volume)),
    ]
    if art.layout == "bib-sider":
        fields.append(("pages", f"{art.first_page}--{art.first_page + art.n_pages - 1}"))
    body = ",\n".join(f"  {name} = {{{_bib_escape(value)}}}" for name, value in fields)
    return f"@article{{{art.key},\n{body}\n}}\n"


def _bib_escape(value: str) -> str:
    return value.replace("{", "(").replace("}", ")").replace("%", r"\%").replace("&", r"\&")


def write_corpus(articles: Sequence[Article], corpus: Path, fonts: dict[str, str]) -> None:
    """Write the PDFs (only when their bytes changed, so the index stays reusable) and kilder.bib."""
    corpus.mkdir(parents=True, exist_ok=True)
    wanted = {art.file for art in articles}
    for old in corpus.glob("*.pdf"):
        if old.name not in wanted:
            old.unlink()
    for art in articles:
        data = render(art, fonts)
        path = corpus / art.file
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    bib = "\n".join(bib_entry(art) for art in articles)
    path = corpus / "kilder.bib"
    if not path.exists() or path.read_text(encoding="utf-8") != bib:
        path.write_text(bib, encoding="utf-8")


# --------------------------------------------------------------------------- ground truth


def norm(text: str) -> str:
    """Whitespace-normalised NFC text."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def answer_pages(art: Article, a: int, b: int) -> tuple[int, ...]:
    """PDF page indices the non-space characters of text[a:b] were typeset on."""
    text = art.text
    return tuple(sorted({art.page_of_char[i] for i in range(a, b) if not text[i].isspace()}))


def occurrences(art: Article, answer: str) -> list[tuple[int, ...]]:
    """Pages of every occurrence of the whitespace-normalised answer in the article text."""
    text = art.text
    chars, index = [], []  # normalised text and the original offset of each of its characters
    prev_space = True
    for i, ch in enumerate(text):
        if ch.isspace():
            if not prev_space:
                chars.append(" ")
                index.append(i)
            prev_space = True
        else:
            chars.append(ch)
            index.append(i)
            prev_space = False
    flat = "".join(chars)
    needle = norm(answer)
    out = []
    start = flat.find(needle)
    while start >= 0 and needle:
        out.append(answer_pages(art, index[start], index[start + len(needle) - 1] + 1))
        start = flat.find(needle, start + 1)
    return out


def _dehyphen(text: str, keep: bool) -> str:
    return norm(re.sub(r"-\n(?=\w)", "-" if keep else "", text))


def verify_truth(articles: Sequence[Article], corpus: Path) -> list[str]:
    """Every answer must be on the PDF page(s) the typesetter put it on (pypdf's text, hyphenation undone)."""
    from pypdf import PdfReader

    problems = []
    for art in articles:
        reader = PdfReader(corpus / art.file)
        assert len(reader.pages) == art.n_pages, art.file
        texts = [p.extract_text() or "" for p in reader.pages]
        for q in art.questions:
            pages = answer_pages(art, q.start, q.end)
            text = art.text
            parts = {
                i: "".join(text[j] if art.page_of_char[j] == i else " " for j in range(q.start, q.end)) for i in pages
            }
            if not pages or not all(
                any(norm(part) in _dehyphen(texts[i], keep) for keep in (False, True)) for i, part in parts.items()
            ):
                problems.append(f"{art.file} q{q.qid}: «{q.answer}» not on PDF page {pages}")
    return problems


# --------------------------------------------------------------------------- indexing




# --------------------------------------------------------------------------- evaluation

_CITED = re.compile(r"s\. (\d+)(?:\u2013(\d+))?( i PDF-en)?\)$")


@dataclass
class Outcome:
    layout: str
    qid: int
    file: str
    answer: str
    truth: list[int]  # printed (or PDF, for `ingen`) page(s) of the annotated answer
    ambiguous: bool  # the answer text occurs more than once in the article
    rank: int  # 1-based rank of the first hit of the right source whose text contains the answer; 0 = none
    cited: tuple[int, int] | None = None  # chunk.page_first..page_last of that hit
    citation: str = ""
    includes: bool = False
    exact: bool = False
    citation_ok: bool = False
    spans: bool = False  # that chunk spans 2+ pages
    index_page_ok: bool = False  # litsok's page with the expected label holds the answer
    reachable: bool = False  # some chunk of the right source contains the answer text
    sentence_exact: bool = False  # the page(s) of hit.best_sentence are exactly the answer's page(s)
    reason: str = ""


def _span(hit: Hit) -> tuple[int, int] | None:
    a, _ = split_label(hit.chunk.page_first)
    _, b = split_label(hit.chunk.page_last)
    return (int(a), int(b)) if a.isdigit() and b.isdigit() else None


def evaluate(settings: Settings, index: LoadedIndex, articles: Sequence[Article]) -> list[Outcome]:
    page_texts: dict[tuple[str, str], str] = defaultdict(str)
    for p in index.pages:
        page_texts[(p.file, p.label)] += "\n" + p.text
    file_pages: dict[str, list[Page]] = defaultdict(list)
    for p in index.pages:
        file_pages[p.file].append(p)
    page_spans = {f: join_pages(ps)[1] for f, ps in file_pages.items()}
    chunk_texts: dict[str, list[str]] = defaultdict(list)
    for sc in index.chunks:
        chunk_texts[sc.chunk.file].append(norm(sc.chunk.text))
    outcomes = []
    for art in articles:
        for q in art.questions:
            occ = [[art.label(i) for i in pages] for pages in occurrences(art, q.answer)]
            truth = [art.label(i) for i in answer_pages(art, q.start, q.end)]
            assert truth in occ, (art.file, q.qid)
            hits = ask(settings, q.question, k=K)
            needle = norm(q.answer)
            o = Outcome(art.layout, q.qid, art.file, q.answer, truth, len(occ) > 1, 0)
            held = "\n".join(page_texts[(art.file, str(p))] for p in truth)
            o.index_page_ok = needle in norm(held) or needle in _dehyphen(held, False)
            o.reachable = any(needle in t for t in chunk_texts[art.file])
            for hit in hits:
                if hit.chunk.source_key == art.key and needle in norm(hit.chunk.text):
                    o.rank = hit.rank
                    o.cited = _span(hit)
                    o.citation = hit.citation
                    o.spans = hit.chunk.page_first != hit.chunk.page_last
                    sent = _sentence_pages(hit, file_pages[art.file], page_spans[art.file])
                    o.sentence_exact = sent is not None and any(sent == (min(t), max(t)) for t in occ)
                    if o.cited is not None:
                        lo, hi = o.cited
                        o.includes = any(lo <= min(t) and max(t) <= hi for t in occ)
                        o.exact = any((lo, hi) == (min(t), max(t)) for t in occ)
                    m = _CITED.search(hit.citation)
                    in_pdf = bool(m and m.group(3))
                    o.citation_ok = bool(
                        m
                        and o.cited is not None
                        and (int(m.group(1)), int(m.group(2) or m.group(1))) == o.cited
                        and in_pdf == (art.layout == "ingen")
                    )
                    o.includes = o.includes and o.citation_ok
                    o.exact = o.exact and o.citation_ok
                    if not o.includes:
                        o.reason = diagnose(o)
                    break
            outcomes.append(o)
    return outcomes


def _sentence_pages(hit: Hit, pages: Sequence[Page], spans: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """The printed page span of the hit's best sentence (what a sentence-level citation would say)."""
    a = hit.chunk.char_start + hit.best_sentence[0]
    b = hit.chunk.char_start + hit.best_sentence[1]
    labels = [pages[i].label for i, (pa, pb) in enumerate(spans) if pa < b and a < pb]
    nums = [int(x) for lab in labels for x in split_label(lab) if x.isdigit()]
    return (min(nums), max(nums)) if nums else None


def diagnose(o: Outcome) -> str:
    if not o.citation_ok:
        return "citation string disagrees with the chunk's pages (or lacks/has «i PDF-en» wrongly)"
    if not o.index_page_ok:
        return "inference/extraction: the indexed page with the expected label does not hold the answer"
    if o.ambiguous:
        return "ambiguous answer text"
    return "chunk holds the answer text but cites other pages (extraction order or page flow)"


def file_labels_right(index: LoadedIndex, articles: Sequence[Article]) -> dict[str, tuple[int, int, Counter[str]]]:
    """Per layout: (PDFs whose every indexed page label is right, PDFs, origins litsok reported)."""
    labels: dict[str, dict[int, str]] = defaultdict(dict)
    for p in index.pages:
        if p.pdf_index is not None:
            labels[p.file][p.pdf_index] = p.label
    origins = {f.file: f.page_origin for f in index.manifest.files}
    out: dict[str, tuple[int, int, Counter[str]]] = {}
    for layout in LAYOUTS:
        arts = [a for a in articles if a.layout == layout]
        right = sum(all(labels[a.file].get(i) == str(a.label(i)) for i in range(a.n_pages)) for a in arts)
        out[layout] = (right, len(arts), Counter(origins.get(a.file, "?") for a in arts))
    return out


def chunk_spanning(index: LoadedIndex, articles: Sequence[Article]) -> dict[str, tuple[int, int]]:
    layout_of = {art.file: art.layout for art in articles}
    out: dict[str, list[int]] = {layout: [0, 0] for layout in LAYOUTS}
    for sc in index.chunks:
        layout = layout_of.get(sc.chunk.file)
        if layout:
            out[layout][0] += sc.chunk.page_first != sc.chunk.page_last
            out[layout][1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


# --------------------------------------------------------------------------- report


def pct(num: int, den: int) -> str:
    return f"{100 * num / den:.1f} % ({num}/{den})" if den else "–"


def results_table(outcomes: Sequence[Outcome], spanning: dict[str, tuple[int, int]], right: dict[str, Any]) -> str:
    header = [
        "layout",
        "questions",
        "answer in a chunk",
        "found top-1",
        "found top-5",
        "found: span includes answer page",
        "found: span = answer page",
        "found: best-sentence page = answer page",
        "found: chunk spans 2+ pages",
        "all chunks spanning 2+ pages",
        "PDFs with every label right",
    ]
    rows = []
    groups = [(layout, [o for o in outcomes if o.layout == layout]) for layout in LAYOUTS]
    printed = [o for o in outcomes if o.layout != "ingen"]
    groups.append(("**alle med trykte sider**", printed))
    for name, os_ in groups:
        if not os_:
            continue
        found = [o for o in os_ if o.rank]
        layouts = [name] if name in spanning else [lay for lay in LAYOUTS if lay != "ingen"]
        sp = (sum(spanning[lay][0] for lay in layouts), sum(spanning[lay][1] for lay in layouts))
        ok, n = sum(right[lay][0] for lay in layouts), sum(right[lay][1] for lay in layouts)
        origins = sum((right[lay][2] for lay in layouts), Counter())
        rt = f"{ok}/{n} ({', '.join(f'{k} {v}' for k, v in origins.most_common())})"
        rows.append(
            [
                name,
                str(len(os_)),
                pct(sum(o.reachable for o in os_), len(os_)),
                pct(sum(o.rank == 1 for o in os_), len(os_)),
                pct(len(found), len(os_)),
                pct(sum(o.includes for o in found), len(found)),
                pct(sum(o.exact for o in found), len(found)),
                pct(sum(o.sentence_exact for o in found), len(found)),
                pct(sum(o.spans for o in found), len(found)),
                pct(sp[0], sp[1]),
                rt,
            ]
        )
    return markdown_table(header, rows, "l" + "r" * (len(header) - 1))


def failure_lines(outcomes: Sequence[Outcome], limit: int = 12) -> list[str]:
    bad = [o for o in outcomes if o.rank and not o.includes]
    lines = []
    for reason, n in Counter(o.reason for o in bad).most_common():
        lines.append(f"- {n} × {reason}")
    for o in bad[:limit]:
        lines.append(
            f"  - {o.layout} {o.file} q{o.qid}: answer «{o.answer[:60]}» on p. {o.truth}, hit rank {o.rank} "
            f"cites {o.citation} (chunk pages {o.cited})"
        )
    not_exact = [o for o in outcomes if o.rank and o.includes and not o.exact]
    if not_exact:
        lines.append(f"- span includes but is wider than the answer page(s): {len(not_exact)}, e.g.")
        for o in not_exact[:3]:
            lines.append(f"  - {o.layout} {o.file} q{o.qid}: answer on p. {o.truth}, cited {o.citation}")
    return lines or ["- none"]




def write_docs(report: str) -> None:
    """Put the report between the markers in docs/pages.md, keeping the hand-written text around it."""
    demoted = re.sub(r"^#", "##", report, flags=re.MULTILINE)  # the report becomes a section
    write_between_markers(DOCS, "pages.py", demoted, "Benchmark: printed page numbers")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--limit", type=int, default=None, help="only the first articles, up to about N questions")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--data", type=Path, default=None, help="NorQuAD validation.json (default: shared/data/norquad)")
    p.add_argument("--no-docs", action="store_true", help="do not write docs/pages.md (full runs write it)")
    p.add_argument("--docs", action="store_true", help="write docs/pages.md also for a --limit run")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    data = args.data or shared_dir() / "data" / "norquad" / "validation.json"
    out: Path = args.out if args.limit is None else args.out / f"limit-{args.limit}"
    corpus, index_dir = out / "corpus", out / "index"
    fonts = register_fonts()

    articles = load_articles(data, args.limit)
    t = time.perf_counter()
    write_corpus(articles, corpus, fonts)
    problems = verify_truth(articles, corpus)
    if problems:
        raise SystemExit("Ground truth does not match the typeset PDFs:\n" + "\n".join(problems[:20]))
    t_build = time.perf_counter() - t
    n_pages = sum(a.n_pages for a in articles)
    n_q = sum(len(a.questions) for a in articles)
    print(
        f"{len(articles)} PDFs, {n_pages} pages, {n_q} questions written to {corpus} ({t_build:.0f} s)", file=sys.stderr
    )

    settings = Settings(corpus=corpus, index=index_dir)
    report = index_corpus(settings, progress=progress_printer())
    if report.failed:
        raise SystemExit(f"Indexing failed for {len(report.failed)} files: {report.failed}")
    index = load_index(index_dir)

    t = time.perf_counter()
    outcomes = evaluate(settings, index, articles)
    t_ask = time.perf_counter() - t
    spanning = chunk_spanning(index, articles)
    right = file_labels_right(index, articles)
    elapsed = time.perf_counter() - t0

    cross = sum(len(o.truth) > 1 for o in outcomes)
    amb = sum(o.ambiguous for o in outcomes)
    command = "python bench/pages.py" + " ".join(["", *(argv if argv is not None else sys.argv[1:])])
    lines = [
        f"# Printed pages on NorQuAD journal PDFs, {time.strftime('%Y-%m-%d')}",
        "",
        f"- command: `{command.strip()}`",
        f"- machine: {machine()}",
        f"- data: {data.name}, {n_q} questions in {len(articles)} typeset PDFs ({n_pages} pages, "
        f"{CONTEXTS_PER_ARTICLE[0]}–{CONTEXTS_PER_ARTICLE[1]} contexts each, first printed page "
        f"{FIRST_PAGE_RANGE[0]}–{FIRST_PAGE_RANGE[1]}, seed {SEED}); answers typeset across a page break: {cross}; "
        f"answer text occurring more than once in its article: {amb} (any occurrence's page counts)",
        f"- index: {report.chunks} chunks, {report.embedded} embedded this run, {report.reused} reused "
        f"({index.manifest.embedder_id}); indexing {report.seconds:.0f} s, {n_q} × `ask` (k={K}) {t_ask:.0f} s, "
        f"total {elapsed:.0f} s",
        "- `ingen` has no page evidence: the right answer there is the PDF page, cited with «i PDF-en»; it is "
        "left out of the «alle med trykte sider» row.",
        "",
        "Found = a top-k hit of the right source whose chunk text contains the answer (whitespace-normalised). "
        "The page columns are over found answers (best-ranked such hit): its chunk.page_first..page_last must "
        "include (or equal) the page(s) the answer is typeset on, and the citation string must state the same "
        "pages (and say «i PDF-en» exactly for `ingen`).",
        "",
        results_table(outcomes, spanning, right),
        "",
        "## Wrong pages",
        "",
        *failure_lines(outcomes),
        "",
    ]
    text = "\n".join(lines)
    (out / "report.md").write_text(text, encoding="utf-8")
    (out / "results.json").write_text(
        json.dumps([o.__dict__ for o in outcomes], ensure_ascii=False, indent=0), encoding="utf-8"
    )
    warnings = [w for w in report.warnings if "sidetall" in w or "sider" in w]
    (out / "warnings.txt").write_text("\n".join(report.warnings), encoding="utf-8")
    print(text)
    print(f"({len(warnings)} page warnings from indexing in {out / 'warnings.txt'})", file=sys.stderr)
    if (args.limit is None or args.docs) and not args.no_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
