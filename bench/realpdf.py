"""Real-PDF benchmark: printed page labels, retrieval with citations, text quality on 14 real PDFs.

    .venv/bin/python bench/realpdf.py [--only KEY[,KEY]] [--no-retrieval] [--json] [--write]
                                      [--fresh] [--src PATH] [--data PATH]
                                      [--ocr-cache DIR] [--json-out FILE]

Data: `<shared>/data/realpdf/` (see its README.md): 14 PDFs with the hand-checked printed label of
every page (`pages.jsonl`, null where nothing is printed), 3 verbatim sentences with a question
per PDF (`sentences.jsonl`) and one BibTeX entry per PDF (`kilder.bib`). The PDFs are only read;
for indexing each one is copied into a temporary corpus under /tmp that is deleted afterwards.

Every PDF is measured on its own, in two variants: "med pages" (the bib entry as given) and
"uten pages" (the entry without its `pages` line).

1. Page labels: `litsok.ingest.pdf.read_pdf` on the PDF (the call `indexing._read_pdf` makes, see
   `read_labels`). A page is right when its label equals the printed truth (or is a span holding
   it); where nothing is printed, when it is the 1-based PDF index with label_origin "pdf-indeks".
   "Silently wrong": wrong and not flagged "pdf-indeks". Pages read_pdf leaves out are not counted.
2. Retrieval: a fresh corpus + index per PDF and variant (`index_corpus`, embedder e5-small), each
   sentence asked twice with k=5: the sentence itself and its question. Found = a top-5 chunk
   holds the sentence (normalised: NFC, lowercase, line-end hyphens joined, whitespace collapsed,
   quotes and dashes unified; or its letters and digits alone; or, fuzzily, >= 90 % of its word
   tokens matched by difflib against the chunk's). Of the best-ranked such chunk: right page = its
   page span holds the printed page (null: the PDF index, flagged "pdf-indeks"); exact = the span
   is that one page. Right/exact are counted for the sentence query. The "uten" index starts from a
   copy of the "med" index (litsok re-reads the PDF, reuses the embeddings); --fresh builds it anew.
3. Glued words, pages read from the text layer: a litsok token (\\w+, lowercase) that is not a
   word of `pdftotext -layout` for that page but is 2-3 consecutive pdftotext words run together.
   Words pdftotext shows hyphenated at a line end ("relasjons-" / "bygging") are not counted:
   joining them is what litsok should do.
4. Running header/footer lines left in passages: first/last non-empty `pdftotext -layout` line of
   every page, digits -> #, on >= 2 pages and >= 8 letters; a line leaks when its letters appear
   in an index chunk's letters (same normalisation).
5. Seconds per page: wall time of read_pdf / PDF pages. OCR'd PDFs (pages without text layer) are
   marked, with "first run" when the OCR cache (`--ocr-cache`, default bench/out/ocr-cache) held
   nothing for the file, else "cached"; they are left out of the median.

Prints Markdown (or one JSON object with --json); --write puts the Markdown between the markers in
docs/realpdf.md. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import REPO_ROOT, load_average, machine, markdown_table, shared_dir, write_between_markers

DOCS = REPO_ROOT / "docs" / "realpdf.md"
DEFAULT_OCR_CACHE = REPO_ROOT / "bench" / "out" / "ocr-cache"
K = 5
FUZZY = 0.90
PDF_INDEX = "pdf-indeks"  # litsok.model.ORIGIN_PDF_INDEX (kept literal: the model may be mid-rewrite)
VARIANTS = ("med", "uten")
PDFTOTEXT = shutil.which("pdftotext")

# --------------------------------------------------------------------------- data


@dataclass
class Doc:
    key: str
    file: Path
    layout: str
    printed: list[str | None]
    bib_entry: str  # the BibTeX entry as given (file = {pdf/<key>.pdf})
    sentences: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n_pages(self) -> int:
        return len(self.printed)


def bib_entries(text: str) -> dict[str, str]:
    """BibTeX entry text by key (entries start with '@' at the beginning of a line)."""
    out: dict[str, str] = {}
    for block in re.split(r"(?m)^(?=@)", text):
        m = re.match(r"@\w+\s*\{\s*([^,\s]+)\s*,", block)
        if m:
            out[m.group(1)] = block.strip() + "\n"
    return out


def load_data(data: Path) -> list[Doc]:
    entries = bib_entries((data / "kilder.bib").read_text(encoding="utf-8"))
    docs: dict[str, Doc] = {}
    for line in (data / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            docs[row["key"]] = Doc(
                row["key"], data / row["file"], row.get("layout", ""), row["printed"], entries[row["key"]]
            )
    for line in (data / "sentences.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            docs[row["key"]].sentences.append(row)
    return list(docs.values())


def entry_for(doc: Doc, variant: str) -> str:
    """The bib entry for a corpus holding just `<key>.pdf`; "uten": without the pages line."""
    text = re.sub(r"(?m)^(\s*file\s*=\s*\{)[^}]*(\})", rf"\g<1>{doc.key}.pdf\g<2>", doc.bib_entry)
    if variant == "uten":
        text = re.sub(r"(?mi)^\s*pages\s*=.*\n", "", text)
    return text


def bib_pages_of(entry: str) -> tuple[int, int] | None:
    """pages = {first--last} -> (first, last), as `litsok.sources.page_range` reads it."""
    m = re.search(r"(?mi)^\s*pages\s*=\s*\{\s*(\d+)\s*(?:-+|\u2013|\u2014)\s*(\d+)\s*\}", entry)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"(?mi)^\s*pages\s*=\s*\{\s*(\d+)\s*\}", entry)
    return (int(m.group(1)), int(m.group(1))) if m else None


# --------------------------------------------------------------------------- the calls into litsok


def read_labels(pdf: Path, key: str, rel_file: str, bib_pages: tuple[int, int] | None, ocr_cache: Path) -> Any:
    """read_pdf as `litsok.indexing._read_pdf` calls it (no first-page setting in these entries).

    The one place that knows read_pdf's signature: adapt here if it changes."""
    from litsok.ingest.ocr import OcrOptions
    from litsok.ingest.pdf import read_pdf

    return read_pdf(
        pdf,
        source_key=key,
        rel_file=rel_file,
        first_page=None,
        bib_pages=bib_pages,
        ocr=OcrOptions(cache_dir=ocr_cache),
    )


def build_index(corpus: Path, index: Path) -> tuple[Any, Any]:
    from litsok.config import Settings
    from litsok.library import index_corpus

    settings = Settings(corpus=corpus, index=index, embedder="e5-small")
    return settings, index_corpus(settings)


def ask_k(settings: Any, question: str) -> list[Any]:
    from litsok.library import ask

    return ask(settings, question, k=K)


def index_chunks(settings: Any) -> list[Any]:
    from litsok.index import load_index

    return [sc.chunk for sc in load_index(settings.index).chunks]


# --------------------------------------------------------------------------- labels and spans

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def _roman(s: str) -> int | None:
    s = s.lower()
    if not s or any(c not in _ROMAN for c in s):
        return None
    total = 0
    for a, b in zip(s, s[1:] + " ", strict=True):
        v = _ROMAN[a]
        total += -v if b != " " and _ROMAN[b] > v else v
    return total


def _value(label: str) -> tuple[str, int] | None:
    if label.isdigit():
        return ("arabic", int(label))
    r = _roman(label)
    return ("roman", r) if r is not None else None


def span_parts(span: str) -> tuple[str, str]:
    """ "126–127" -> ("126", "127"). Only en/em dashes make a span: "7-45" is one chapter-page label."""
    norm = span.replace("\u2014", "\u2013")
    if "\u2013" in norm:
        a, _, b = norm.partition("\u2013")
        return a.strip(), b.strip()
    return span.strip(), span.strip()


def span_contains(span: str, page: str) -> bool:
    if not span:
        return False
    if span.strip() == page:
        return True
    first, last = span_parts(span)
    if page in (first, last):
        return True
    a, b, p = _value(first), _value(last), _value(page)
    if a and b and p and a[0] == b[0] == p[0]:
        return a[1] <= p[1] <= b[1]
    return False


def truth_right(label: str, origin: str, truth: str | None, pdf_page: int) -> bool:
    """pdf_page is 1-based. litsok writes a chapter-page label "7-45" with U+2011 (looks the same)."""
    label = label.replace("\u2011", "-")
    if truth is None:
        return span_contains(label, str(pdf_page)) and origin == PDF_INDEX
    return span_contains(label, truth)


def truth_exact(label: str, origin: str, truth: str | None, pdf_page: int) -> bool:
    label = label.replace("\u2011", "-")
    if truth is None:
        return label.strip() == str(pdf_page) and origin == PDF_INDEX
    return label.strip() == truth


# --------------------------------------------------------------------------- text normalisation

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
                         "\u2013": "-", "\u2014": "-", "\u00ad": None})  # fmt: skip
_LIGS = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}


def norm_text(s: str) -> str:
    s = unicodedata.normalize("NFC", s)
    for lig, plain in _LIGS.items():
        s = s.replace(lig, plain)
    s = s.lower()
    s = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", s)  # line-end hyphen (a real hyphen): join
    s = re.sub(r"([\u2013\u2014])[ \t]*\n\s*", r"\1", s)  # line break after a dash: no space
    s = s.translate(_QUOTES)
    return re.sub(r"\s+", " ", s).strip()


def compact(s: str) -> str:
    """Letters and digits only (after norm_text)."""
    return "".join(ch for ch in s if ch.isalnum())


def words(s: str) -> list[str]:
    return re.findall(r"\w+", s)


def match_kind(sentence: str, chunk_text: str) -> str | None:
    """How a chunk holds the sentence: 'exact', 'compact', 'fuzzy', or None."""
    ns, nc = norm_text(sentence), norm_text(chunk_text)
    if ns in nc:
        return "exact"
    if compact(ns) and compact(ns) in compact(nc):
        return "compact"
    st, ct = words(ns), words(nc)
    if not st:
        return None
    sm = difflib.SequenceMatcher(None, st, ct, autojunk=False)
    covered = sum(b.size for b in sm.get_matching_blocks())
    return "fuzzy" if covered / len(st) >= FUZZY else None


# --------------------------------------------------------------------------- pdftotext reference


def pdftotext_pages(pdf: Path, n: int) -> list[str] | None:
    """`pdftotext -layout` text of each page (split at form feeds; same as -f N -l N per page)."""
    if PDFTOTEXT is None:
        return None
    out = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, check=False)
    pages = out.stdout.decode("utf-8", "replace").split("\f")
    if len(pages) >= n and not any(p.strip() for p in pages[n:]):
        return [unicodedata.normalize("NFC", p) for p in pages[:n]]
    res = []
    for i in range(1, n + 1):
        o = subprocess.run(
            [PDFTOTEXT, "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True, check=False
        )
        res.append(unicodedata.normalize("NFC", o.stdout.decode("utf-8", "replace")))
    return res


def glued_tokens(litsok_text: str, ref_text: str) -> tuple[int, list[str]]:
    """(litsok token count, glued tokens) for one page."""
    ref = unicodedata.normalize("NFC", ref_text).lower()
    toks = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\w+", ref)]
    vocab = {t for t, _, _ in toks}
    combos: set[str] = set()
    for i in range(len(toks)):
        joined = toks[i][0]
        for j in range(i + 1, min(i + 3, len(toks))):
            between = ref[toks[j - 1][2] : toks[j][1]]
            if re.fullmatch(r"[-\u00ad][ \t]*\n\s*", between):
                break  # a word hyphenated at the line end: joining it is right
            joined += toks[j][0]
            combos.add(joined)
    mine = words(unicodedata.normalize("NFC", litsok_text).lower())
    glued = [t for t in mine if t not in vocab and t in combos]
    return len(mine), glued


def _norm_line(line: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d", "#", unicodedata.normalize("NFC", line))).strip().lower()


def _letters(s: str) -> str:
    return "".join(ch for ch in s if ch.isalpha())


def running_lines(ref_pages: Sequence[str]) -> list[str]:
    """Normalised first/last lines that recur on >= 2 pages and have >= 8 letters."""
    seen: dict[str, set[int]] = {}
    for i, text in enumerate(ref_pages):
        lines = [ln for ln in text.splitlines() if ln.strip()]
        for ln in {lines[0], lines[-1]} if lines else set():
            seen.setdefault(_norm_line(ln), set()).add(i)
    return sorted(n for n, pages in seen.items() if len(pages) >= 2 and len(_letters(n)) >= 8)


def leaked(lines: Sequence[str], chunk_texts: Sequence[str]) -> tuple[list[str], int]:
    """(running lines found in some chunk, chunks holding any running line)."""
    forms = {ln: _letters(ln) for ln in lines}
    chunks = [_letters(_norm_line(t)) for t in chunk_texts]
    found = [ln for ln, f in forms.items() if any(f in c for c in chunks)]
    n_chunks = sum(1 for c in chunks if any(f in c for f in forms.values()))
    return found, n_chunks


# --------------------------------------------------------------------------- one PDF


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cache_has(cache: Path, sha: str) -> bool:
    return cache.is_dir() and any(cache.rglob(f"*{sha}*"))


def measure_labels(doc: Doc, variant: str, ocr_cache: Path) -> dict[str, Any]:
    bp = bib_pages_of(entry_for(doc, variant))
    t0 = time.perf_counter()
    result = read_labels(doc.file, doc.key, f"{doc.key}.pdf", bp, ocr_cache)
    seconds = time.perf_counter() - t0
    pages = []
    right = wrong_silent = 0
    for p in result.pages:
        idx = p.pdf_index
        truth = doc.printed[idx] if idx is not None and 0 <= idx < doc.n_pages else None
        ok = idx is not None and truth_right(p.label, p.label_origin, truth, idx + 1)
        right += ok
        wrong_silent += (not ok) and p.label_origin != PDF_INDEX
        pages.append({"pdf_index": idx, "truth": truth, "label": p.label, "origin": p.label_origin, "right": ok})
    return {
        "bib_pages": list(bp) if bp else None,
        "labelled": len(pages),
        "right": right,
        "silently_wrong": wrong_silent,
        "seconds": seconds,
        "pages": pages,
        "warnings": list(getattr(result, "warnings", ())),
        "page_origin": getattr(result, "page_origin", None),
        "_result": result,
    }


def measure_retrieval(doc: Doc, variant: str, ocr_cache: Path, tmp: Path, seed: Path | None = None) -> dict[str, Any]:
    """Index the PDF alone and ask its sentences and questions.

    `seed`: an index of the same PDF (the "med" variant) to start from. litsok re-reads the file
    because its bibliography facts changed and only reuses the embeddings (they depend on the
    passage text alone), which halves the run time; without a re-read (and a different
    bibliography entry) it starts afresh."""
    root = tmp / f"{doc.key}-{variant}"
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir(parents=True)
    shutil.copyfile(doc.file, corpus / f"{doc.key}.pdf")
    (corpus / "kilder.bib").write_text(entry_for(doc, variant), encoding="utf-8")
    seeded = seed is not None and seed.is_dir()
    if seeded:
        assert seed is not None
        shutil.copytree(seed, index)
    elif ocr_cache.is_dir():  # `ocr-cache` is one of the index folder's own names: reuse the OCR
        shutil.copytree(ocr_cache, index / "ocr-cache")
    t0 = time.perf_counter()
    settings, report = build_index(corpus, index)
    reread = f"{doc.key}.pdf" in (*getattr(report, "changed", ()), *getattr(report, "new", ()))
    same_bib = entry_for(doc, variant) == entry_for(doc, VARIANTS[0])  # no pages line: the same corpus
    if seeded and not reread and not same_bib:
        shutil.rmtree(index)  # the file was not read again: build from scratch after all
        seeded = False
        if ocr_cache.is_dir():
            shutil.copytree(ocr_cache, index / "ocr-cache")
        t0 = time.perf_counter()
        settings, report = build_index(corpus, index)
    index_seconds = time.perf_counter() - t0
    chunks = index_chunks(settings)
    out: dict[str, Any] = {
        "index_seconds": index_seconds,
        "seeded": seeded,
        "embedded": getattr(report, "embedded", None),
        "reused": getattr(report, "reused", None),
        "chunks": len(chunks),
        "index_warnings": list(getattr(report, "warnings", ())),
        "failed": dict(getattr(report, "failed", {}) or {}),
        "sentences": [],
    }
    for s in doc.sentences:
        row: dict[str, Any] = {
            "pdf_page_index": s["pdf_page_index"],
            "printed_page": s["printed_page"],
            "text": s["sentence"],
        }
        for qname, query in (("sentence", s["sentence"]), ("question", s["question"])):
            hits = ask_k(settings, query)
            res: dict[str, Any] = {"found": False, "rank": None}
            for hit in hits:
                kind = match_kind(s["sentence"], hit.chunk.text)
                if kind:
                    span, origin = hit.chunk.pages, hit.chunk.label_origin
                    res = {
                        "found": True,
                        "rank": hit.rank,
                        "match": kind,
                        "span": span,
                        "origin": origin,
                        "citation": hit.citation,
                        "right_page": truth_right(span, origin, s["printed_page"], s["pdf_page_index"]),
                        "exact": truth_exact(span, origin, s["printed_page"], s["pdf_page_index"]),
                    }
                    break
            if not res["found"]:
                res["top_spans"] = [h.chunk.pages for h in hits]
                res["in_any_chunk"] = next((kind for c in chunks if (kind := match_kind(s["sentence"], c.text))), None)
            row[qname] = res
        out["sentences"].append(row)
    out["_chunk_texts"] = [c.text for c in chunks]
    return out


def measure_doc(doc: Doc, *, retrieval: bool, ocr_cache: Path, tmp: Path, fresh: bool = False) -> dict[str, Any]:
    sha = _sha(doc.file)
    cache_before = _cache_has(ocr_cache, sha)
    ref = pdftotext_pages(doc.file, doc.n_pages)
    text_layer = [bool(p.strip()) for p in ref] if ref is not None else None
    r: dict[str, Any] = {"key": doc.key, "layout": doc.layout, "pages": doc.n_pages, "variants": {}}
    for variant in VARIANTS:
        v: dict[str, Any] = {}
        try:
            v["labels"] = measure_labels(doc, variant, ocr_cache)
        except Exception as exc:  # noqa: BLE001 - report and go on with the next PDF
            v["labels_error"] = f"{type(exc).__name__}: {exc}"
            v["labels_traceback"] = traceback.format_exc()
        if retrieval:
            try:
                seed = None if fresh or variant == VARIANTS[0] else tmp / f"{doc.key}-{VARIANTS[0]}" / "index"
                v["retrieval"] = measure_retrieval(doc, variant, ocr_cache, tmp, seed)
            except Exception as exc:  # noqa: BLE001
                v["retrieval_error"] = f"{type(exc).__name__}: {exc}"
                v["retrieval_traceback"] = traceback.format_exc()
        r["variants"][variant] = v

    # OCR use: pages litsok returned that have no text layer
    med = r["variants"]["med"].get("labels")
    ocr_pages = []
    if med and text_layer is not None:
        ocr_pages = [
            p["pdf_index"] for p in med["pages"] if p["pdf_index"] is not None and not text_layer[p["pdf_index"]]
        ]
    r["ocr_pages"] = ocr_pages
    r["ocr_state"] = ("cached" if cache_before else "first run") if ocr_pages else None

    # glued words: text-layer pages, litsok's text from the "med" read
    r["glued"] = None
    if ref is not None and med and not ocr_pages and any(text_layer or ()):
        total, glued = 0, []
        for p in med["_result"].pages:
            if p.pdf_index is not None and text_layer[p.pdf_index]:
                n, g = glued_tokens(p.text, ref[p.pdf_index])
                total += n
                glued += g
        r["glued"] = {"tokens": total, "glued": len(glued), "examples": sorted(set(glued))[:40]}

    # running header/footer lines in the index chunks
    r["running_lines"] = running_lines(ref) if ref is not None else None
    for variant in VARIANTS:
        v = r["variants"][variant]
        if "retrieval" in v and r["running_lines"] is not None:
            found, n_chunks = leaked(r["running_lines"], v["retrieval"]["_chunk_texts"])
            v["retrieval"]["leaked_lines"] = found
            v["retrieval"]["chunks_with_running_lines"] = n_chunks
    for variant in VARIANTS:  # drop what JSON cannot hold
        v = r["variants"][variant]
        v.get("labels", {}).pop("_result", None)
        v.get("retrieval", {}).pop("_chunk_texts", None)
    for variant in VARIANTS:
        shutil.rmtree(tmp / f"{doc.key}-{variant}", ignore_errors=True)  # the PDF copies go at once
    return r


# --------------------------------------------------------------------------- report


def _frac(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f} %)" if b else "–"


def _cell(a: int | None, b: int | None) -> str:
    return f"{a}/{b}" if a is not None and b else "–"


def _short(layout: str) -> str:
    s = layout.split(";")[0].split(",")[0].strip()
    s = re.sub(r"\s*\(.*", "", s)
    return s if len(s) <= 34 else s[:33] + "…"


def counts(r: dict[str, Any], variant: str) -> dict[str, Any]:
    """The numbers of one PDF and variant (None where not measured)."""
    v = r["variants"][variant]
    lab, ret = v.get("labels"), v.get("retrieval")
    c: dict[str, Any] = {
        "pages_labelled": lab["labelled"] if lab else None,
        "labels_right": lab["right"] if lab else None,
        "silently_wrong": lab["silently_wrong"] if lab else None,
        "seconds_per_page": lab["seconds"] / r["pages"] if lab else None,
        "labels_error": v.get("labels_error"),
        "retrieval_error": v.get("retrieval_error"),
    }
    if ret:
        rows = ret["sentences"]
        for q in ("sentence", "question"):
            found = [x[q] for x in rows if x[q]["found"]]
            c[f"found_{q}"] = len(found)
            c[f"right_{q}"] = sum(f["right_page"] for f in found)
            c[f"exact_{q}"] = sum(f["exact"] for f in found)
        c["sentences"] = len(rows)
        c["leaked_lines"] = len(ret.get("leaked_lines", []))
        c["chunks_with_running_lines"] = ret.get("chunks_with_running_lines")
        c["chunks"] = ret["chunks"]
    return c


def totals(results: Sequence[dict[str, Any]], variant: str) -> dict[str, Any]:
    cs = [(r, counts(r, variant)) for r in results]
    t: dict[str, Any] = {}

    def total(name: str) -> int:
        return sum(c.get(name) or 0 for _, c in cs)

    for name in ("pages_labelled", "labels_right", "silently_wrong", "sentences", "leaked_lines",
                 "chunks_with_running_lines", "chunks"):  # fmt: skip
        t[name] = total(name)
    for q in ("sentence", "question"):
        for m in ("found", "right", "exact"):
            t[f"{m}_{q}"] = total(f"{m}_{q}")
    t["running_lines"] = sum(len(r["running_lines"] or []) for r in results)
    text_speeds = [c["seconds_per_page"] for r, c in cs if c["seconds_per_page"] is not None and not r["ocr_pages"]]
    t["median_seconds_per_text_page"] = statistics.median(text_speeds) if text_speeds else None
    g = [r["glued"] for r in results if r["glued"]]
    t["glued_tokens"] = sum(x["glued"] for x in g)
    t["litsok_tokens"] = sum(x["tokens"] for x in g)
    t["errors"] = [f"{r['key']} ({variant}): {c['labels_error'] or c['retrieval_error']}" for r, c in cs
                   if c["labels_error"] or c["retrieval_error"]]  # fmt: skip
    return t


def render(results: Sequence[dict[str, Any]], *, retrieval: bool, meta: dict[str, Any]) -> str:
    out = [f"Real-PDF benchmark (`bench/realpdf.py`), {meta['machine']}, load {meta['load']:.1f}, "
           f"litsok from `{meta['litsok']}`, {meta['seconds']:.0f} s in all; uten-pages index {meta.get('uten_index', 'fresh')}.", ""]  # fmt: skip
    header = ["key", "layout", "pages", "labels right med", "uten", "silently wrong med", "uten"]
    if retrieval:
        header += ["found@5 (sentence) med", "uten", "right page med", "uten", "exact med", "uten"]
    header += ["glued %", "leaked lines", "s/page"]
    rows = []
    for r in results:
        m, u = counts(r, "med"), counts(r, "uten")
        row = [r["key"], _short(r["layout"]), str(r["pages"])]
        row += [_cell(m["labels_right"], m["pages_labelled"]) if not m["labels_error"] else "FEIL",
                _cell(u["labels_right"], u["pages_labelled"]) if not u["labels_error"] else "FEIL",
                str(m["silently_wrong"]) if m["silently_wrong"] is not None else "–",
                str(u["silently_wrong"]) if u["silently_wrong"] is not None else "–"]  # fmt: skip
        if retrieval:
            for q in ("found", "right", "exact"):
                for c in (m, u):
                    if c.get("retrieval_error"):
                        row.append("FEIL")
                    elif q == "found":
                        row.append(_cell(c.get("found_sentence"), c.get("sentences")))
                    else:
                        row.append(
                            _cell(c.get(f"{q}_sentence"), c.get("found_sentence")) if c.get("found_sentence") else "–"
                        )
        g = r["glued"]
        row.append(f"{100 * g['glued'] / g['tokens']:.2f}" if g and g["tokens"] else "–")
        row.append(str(m.get("leaked_lines", "–")) if retrieval and r["running_lines"] is not None else "–")
        sp = m["seconds_per_page"]
        row.append("–" if sp is None else f"{sp:.2f}" + (f" (OCR, {r['ocr_state']})" if r["ocr_pages"] else ""))
        rows.append(row)
    out += [markdown_table(header, rows, "ll" + "r" * (len(header) - 2)), ""]

    tm, tu = totals(results, "med"), totals(results, "uten")
    trows = []
    if retrieval:
        trows += [
            ["sentence found in top 5 (query: sentence)", _frac(tm["found_sentence"], tm["sentences"]), _frac(tu["found_sentence"], tu["sentences"])],
            ["sentence found in top 5 (query: question)", _frac(tm["found_question"], tm["sentences"]), _frac(tu["found_question"], tu["sentences"])],
            ["right printed page, of found (query: sentence)", _frac(tm["right_sentence"], tm["found_sentence"]), _frac(tu["right_sentence"], tu["found_sentence"])],
            ["exact page, of found (query: sentence)", _frac(tm["exact_sentence"], tm["found_sentence"]), _frac(tu["exact_sentence"], tu["found_sentence"])],
            ["right printed page, of found (query: question)", _frac(tm["right_question"], tm["found_question"]), _frac(tu["right_question"], tu["found_question"])],
        ]  # fmt: skip
    trows += [
        ["page labels right (all pages)", _frac(tm["labels_right"], tm["pages_labelled"]), _frac(tu["labels_right"], tu["pages_labelled"])],
        ["silently wrong page labels", _frac(tm["silently_wrong"], tm["pages_labelled"]), _frac(tu["silently_wrong"], tu["pages_labelled"])],
    ]  # fmt: skip
    glued = (
        f"{100 * tm['glued_tokens'] / tm['litsok_tokens']:.2f} % ({tm['glued_tokens']}/{tm['litsok_tokens']})"
        if tm["litsok_tokens"]
        else "–"
    )
    trows.append(["glued words, % of tokens", glued, glued])
    if retrieval:
        trows.append([
            "running header/footer lines in passages",
            f"{tm['leaked_lines']} of {tm['running_lines']} lines ({tm['chunks_with_running_lines']} of {tm['chunks']} chunks)",
            f"{tu['leaked_lines']} of {tu['running_lines']} lines ({tu['chunks_with_running_lines']} of {tu['chunks']} chunks)",
        ])  # fmt: skip

    def sec(x: float | None) -> str:
        return "–" if x is None else f"{x:.3f}"

    trows.append(
        [
            "seconds per text page (median over PDFs)",
            sec(tm["median_seconds_per_text_page"]),
            sec(tu["median_seconds_per_text_page"]),
        ]
    )
    out += [markdown_table(["measure", "med pages", "uten pages"], trows, "lrr"), ""]
    notes = []
    if PDFTOTEXT is None:
        notes.append("pdftotext not found: glued words and running lines not measured.")
    for r in results:
        if r["ocr_pages"]:
            notes.append(
                f"{r['key']}: {len(r['ocr_pages'])} pages read by OCR ({r['ocr_state']}); left out of glued words and the median."
            )
    for e in tm["errors"] + tu["errors"]:
        notes.append(f"error: {e}")
    if notes:
        out += ["Notes:", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(out)


def write_docs(report: str) -> None:
    """Put the report between the markers in docs/realpdf.md, keeping the text around it."""
    write_between_markers(DOCS, "realpdf.py", report, "Benchmark: real PDFs")


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--src", type=Path, help="a litsok src folder to benchmark (prepended to sys.path)")
    p.add_argument("--data", type=Path, help="the realpdf data folder (default <shared>/data/realpdf)")
    p.add_argument("--only", help="comma-separated PDF keys")
    p.add_argument("--no-retrieval", action="store_true", help="labels, glued words and speed only")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of Markdown")
    p.add_argument("--write", action="store_true", help="write the Markdown to docs/realpdf.md")
    p.add_argument("--json-out", type=Path, help="also write the JSON object to this file")
    p.add_argument("--fresh", action="store_true", help="index the 'uten' variant from scratch too (twice the time)")
    p.add_argument("--ocr-cache", type=Path, default=DEFAULT_OCR_CACHE, help="persistent OCR cache for read_pdf")
    args = p.parse_args(argv)

    if args.src:
        sys.path.insert(0, str(args.src.resolve()))
    import litsok

    litsok_path = str(Path(litsok.__file__).resolve().parent)
    print(f"litsok from {litsok_path}", file=sys.stderr, flush=True)

    data = args.data or shared_dir() / "data" / "realpdf"
    docs = load_data(data)
    if args.only:
        wanted = [k.strip() for k in args.only.split(",") if k.strip()]
        unknown = set(wanted) - {d.key for d in docs}
        if unknown:
            raise SystemExit(f"Unknown keys: {', '.join(sorted(unknown))}. Known: {', '.join(d.key for d in docs)}")
        docs = [d for d in docs if d.key in wanted]
    args.ocr_cache.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="realpdf-", dir="/tmp") as tmp:
        for i, doc in enumerate(docs, 1):
            t = time.perf_counter()
            r = measure_doc(
                doc,
                retrieval=not args.no_retrieval,
                ocr_cache=args.ocr_cache.resolve(),
                tmp=Path(tmp),
                fresh=args.fresh,
            )
            results.append(r)
            m, u = counts(r, "med"), counts(r, "uten")
            found = (
                ""
                if args.no_retrieval
                else (
                    f", found@5 med {m.get('found_sentence', '–')}/{m.get('sentences', '–')}"
                    f" uten {u.get('found_sentence', '–')}/{u.get('sentences', '–')}"
                )
            )
            err = "; ".join(
                e for e in (m["labels_error"], m["retrieval_error"], u["labels_error"], u["retrieval_error"]) if e
            )
            print(f"[{i}/{len(docs)}] {doc.key}: labels {m['labels_right']}/{m['pages_labelled']} med, "
                  f"{u['labels_right']}/{u['pages_labelled']} uten{found}, {time.perf_counter() - t:.1f} s"
                  + (f"  ERROR {err}" if err else ""), file=sys.stderr, flush=True)  # fmt: skip
    meta = {"machine": machine(), "load": load_average(), "litsok": litsok_path, "seconds": time.perf_counter() - t0,
            "uten_index": "fresh" if args.fresh else "seeded with the med index's embeddings"}  # fmt: skip
    report = render(results, retrieval=not args.no_retrieval, meta=meta)
    obj = {"meta": meta, "totals": {v: totals(results, v) for v in VARIANTS},
           "per_pdf": [{**r, "counts": {v: counts(r, v) for v in VARIANTS}} for r in results]}  # fmt: skip
    if args.json_out:
        args.json_out.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(obj, ensure_ascii=False, indent=1))
    else:
        print(report)
    if args.write:
        write_docs(report)
        print(f"wrote {DOCS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
