"""Incremental indexing benchmark: what does `litsok indekser` cost after a small change?

    .venv/bin/python bench/incremental.py [--pages P] [--nochange-runs N]

The corpus is the demo corpus plus ~200 generated pages (the same generator as `bench/speed.py`:
NorQuAD contexts as reading notes with `## s. N` page markers), in `bench/out/incremental/corpus`,
indexed into `bench/out/incremental/index`. Every step runs the installed CLI
(`.venv/bin/litsok indekser --json`) in a fresh process, so import costs are included; the table has
both the CLI's wall time (and its CPU time from `os.wait4`) and the report's own timings.

Steps: (1) full build (`--alt`); (2) no change, median of N; (3) a new 15-page PDF (typeset with
reportlab through `tests/pdfmaker.py`, Norwegian text, printed page numbers 101–115); (4) one page of
one note edited; (5a) a title changed in kilder.bib; (5b) a year changed in kilder.bib; (6) the PDF
removed. For each step the expected number of embedded chunks is checked, and after the
bibliography edits the new title/year is looked up in `litsok kilder --json` and `litsok spør --json`.
Prints Markdown; also writes `bench/out/incremental/report.md` and `results.json`.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from common import REPO_ROOT, markdown_table
from speed import (
    FIRST_PAGE,
    LITSOK,
    Run,
    bib_entry,
    check,
    load,
    machine_lines,
    make_corpus,
    norquad_contexts,
    page_text,
    run,
)

sys.path.insert(0, str(REPO_ROOT / "tests"))
from pdfmaker import PageSpec, make_pdf  # noqa: E402

OUT = REPO_ROOT / "bench" / "out" / "incremental"
PDF_KEY = "rapport2024"
PDF_REL = f"artikler/{PDF_KEY}-aktivisering.pdf"
PDF_FIRST = 101
PDF_PAGES = 15
EDIT_FILE = "notater/generert/norquad03.md"
EDIT_PAGE = str(FIRST_PAGE + 4)  # "## s. 15"
TITLE_KEY, NEW_TITLE = "biestek1972", "Klient-sosialarbeider-relasjonen (revidert utgave)"
YEAR_KEY, NEW_YEAR = "kane2017", "2018"


def indekser(corpus: Path, index: Path, *extra: str) -> tuple[Run, dict[str, Any]]:
    r = run([LITSOK, "indekser", "--korpus", corpus, "--indeks", index, "--json", *extra], cwd=OUT)
    if r.code not in (0, 2):  # 2: some file could not be read (reported in the JSON)
        raise SystemExit(f"litsok indekser feilet (kode {r.code}):\n{r.stderr[-2000:]}")
    return r, json.loads(r.stdout)


def live_chunks(index: Path) -> list[dict[str, Any]]:
    gen = index / (index / "CURRENT").read_text(encoding="utf-8").strip()
    return [json.loads(line) for line in (gen / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def make_report_pdf(path: Path) -> Path:
    """15 pages of Norwegian text (NorQuAD contexts the notes do not use), printed numbers 101–115."""
    contexts = norquad_contexts()[300 : 300 + PDF_PAGES]
    pages = []
    for i, ctx in enumerate(contexts):
        title, body = page_text(ctx, 280)
        pages.append(PageSpec(body=f"{title}\n\n{body}", header="Rapport om aktivisering 2024", number=str(PDF_FIRST + i)))
    return make_pdf(path, pages)


def edit_note_page(path: Path, page: str) -> None:
    text = path.read_text(encoding="utf-8")
    marker = re.search(rf"^## s\. {re.escape(page)}\b.*$", text, flags=re.M)
    if not marker:
        raise SystemExit(f"fant ikke «## s. {page}» i {path}")
    nxt = text.find("\n## s.", marker.end())
    nxt = len(text) if nxt < 0 else nxt
    added = " Denne setningen er lagt til i benkemerket for å endre akkurat én side."
    body_end = len(text[:nxt].rstrip())
    path.write_text(text[:body_end] + added + text[body_end:], encoding="utf-8")


def replace_in_bib(bib: Path, key: str, field: str, value: str) -> None:
    text = bib.read_text(encoding="utf-8")
    start = text.index(f"{{{key},")
    end = text.index("\n}", start)
    entry = text[start:end]
    new_entry, n = re.subn(rf"(\b{field}\s*=\s*\{{)[^\n]*?(\}},)", lambda m: m.group(1) + value + m.group(2), entry, count=1)
    if n != 1:
        raise SystemExit(f"fant ikke feltet {field} i {key}")
    bib.write_text(text[:start] + new_entry + text[end:], encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=200, help="genererte sider (standard 200)")
    ap.add_argument("--nochange-runs", type=int, default=5)
    args = ap.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    corpus, index = OUT / "corpus", OUT / "index"
    pdf_bib = bib_entry(PDF_KEY, "Aktivisering i praksis: en rapport", f"{PDF_FIRST}--{PDF_FIRST + PDF_PAGES - 1}", "article")
    info = make_corpus(corpus, args.pages, extra_bib=pdf_bib)
    if index.exists():
        shutil.rmtree(index)
    header = machine_lines()
    header.append(f"- Korpus: demokorpuset + {info['generated_pages']} genererte sider ({info['generated_words']} ord, "
                  f"{info['generated_files']} notatfiler)")
    print("\n".join(header), flush=True)

    rows: list[list[str]] = []
    results: dict[str, Any] = {}
    checks: list[str] = []

    def record(step: str, r: Run, rep: dict[str, Any], expected: str, ok: bool | None) -> None:
        results[step] = {"wall": r.wall, "cpu": r.cpu, "maxrss_mb": r.maxrss_mb, "report": rep, "load": load()}
        timings = ", ".join(f"{k} {v:.2f}" for k, v in rep["tider"].items())
        mark = "" if ok is None else (" ✓" if ok else " ✗")
        rows.append([step, f"{r.wall:.2f}", f"{r.cpu:.2f}", f"{rep['sekunder']:.2f}", timings, str(rep["biter"]),
                     f"{rep['innebygd']}{mark}", expected, str(rep["gjenbrukt"]), load()])
        print(f"  {step}: vegg {r.wall:.2f} s, rapport {rep['sekunder']:.2f} s, innebygd {rep['innebygd']} ({expected})", flush=True)

    # (1) full build
    r, rep = indekser(corpus, index, "--alt")
    full = rep
    record("1. full bygging (`--alt`)", r, rep, f"alle ({rep['biter']})", rep["innebygd"] == rep["biter"])

    # (2) no change
    runs = [indekser(corpus, index) for _ in range(args.nochange_runs)]
    walls = [x[0].wall for x in runs]
    mid = sorted(range(len(runs)), key=lambda i: walls[i])[len(runs) // 2]
    r, rep = runs[mid]
    results["2-alle"] = [{"wall": x[0].wall, "cpu": x[0].cpu, "report": x[1]} for x in runs]
    record(f"2. ingen endring (median av {len(runs)}; min {min(walls):.2f}, maks {max(walls):.2f})", r, rep, "0",
           all(x[1]["innebygd"] == 0 for x in runs))

    # (3) a new 15-page PDF
    make_report_pdf(corpus / PDF_REL)
    r, rep = indekser(corpus, index)
    pdf_chunks = [c for c in live_chunks(index) if c["file"] == PDF_REL]
    labels = sorted({c["page_first"] for c in pdf_chunks} | {c["page_last"] for c in pdf_chunks}, key=lambda s: int(s) if s.isdigit() else 0)
    record(f"3. ny PDF, {PDF_PAGES} sider", r, rep, f"PDF-ens biter ({len(pdf_chunks)})", rep["innebygd"] == len(pdf_chunks) > 0)
    per_chunk = full["tider"]["innebygging"] / max(full["innebygd"], 1)
    pdf_embed = rep["tider"]["innebygging"]
    checks.append(
        f"- Ny PDF: {len(pdf_chunks)} biter, trykte sider {labels[0] if labels else '?'}–{labels[-1] if labels else '?'} "
        f"(origin {sorted({c['label_origin'] for c in pdf_chunks})}); innebygging {pdf_embed:.1f} s mot "
        f"{per_chunk * len(pdf_chunks):.1f} s forventet ut fra full bygging ({per_chunk:.2f} s/bit × {len(pdf_chunks)}), "
        f"forhold {pdf_embed / max(per_chunk * len(pdf_chunks), 1e-9):.2f}."
    )

    # (4) one note page edited
    edit_note_page(corpus / EDIT_FILE, EDIT_PAGE)
    r, rep = indekser(corpus, index)
    on_page = [c for c in live_chunks(index) if c["file"] == EDIT_FILE and c["page_first"] == EDIT_PAGE]
    # only chunks whose text changed are embedded again; the page's other chunks keep their vectors
    record(f"4. én side endret ({EDIT_FILE}, s. {EDIT_PAGE})", r, rep, f"1–{len(on_page)} (sidens biter: {len(on_page)})",
           1 <= rep["innebygd"] <= len(on_page))

    # (5a) a title changed in kilder.bib
    bib = corpus / "kilder.bib"
    title_chunks = [c for c in live_chunks(index) if c["source_key"] == TITLE_KEY]
    replace_in_bib(bib, TITLE_KEY, "title", NEW_TITLE)
    r, rep = indekser(corpus, index)
    record(f"5a. kilder.bib: ny tittel på {TITLE_KEY}", r, rep,
           f"0 (kildens biter: {len(title_chunks)})", rep["innebygd"] == 0)
    src = {s["nøkkel"]: s for s in json.loads(check(run([LITSOK, "kilder", "--korpus", corpus, "--indeks", index, "--json"], cwd=OUT), "kilder").stdout)}
    hits = json.loads(check(run([LITSOK, "spør", "Hva er aksept?", "--kilde", TITLE_KEY, "-k", "3", "--korpus", corpus,
                                 "--indeks", index, "--json"], cwd=OUT), "spør").stdout)
    checks.append(
        f"- Ny tittel: `litsok kilder` viser «{src[TITLE_KEY]['tittel']}» "
        f"({'✓' if src[TITLE_KEY]['tittel'] == NEW_TITLE else '✗'}); `litsok spør --kilde {TITLE_KEY}` viser "
        f"«{hits[0]['source_title'] if hits else '–'}» ({'✓' if hits and all(h['source_title'] == NEW_TITLE for h in hits) else '✗'}); "
        f"{rep['innebygd']} av kildens {len(title_chunks)} biter ble bygd inn på nytt."
    )

    # (5b) a year changed in kilder.bib
    replace_in_bib(bib, YEAR_KEY, "year", NEW_YEAR)
    r, rep = indekser(corpus, index)
    record(f"5b. kilder.bib: nytt år på {YEAR_KEY}", r, rep, "0", rep["innebygd"] == 0)
    hits = json.loads(check(run([LITSOK, "spør", "aktivisering av unge", "--kilde", YEAR_KEY, "-k", "3", "--korpus", corpus,
                                 "--indeks", index, "--json"], cwd=OUT), "spør").stdout)
    cites = [h["citation"] for h in hits]
    checks.append(f"- Nytt år: sitatene for {YEAR_KEY} er nå {cites} ({'✓' if cites and all(NEW_YEAR in c for c in cites) else '✗'}).")

    # (6) the PDF removed
    before = len(live_chunks(index))
    (corpus / PDF_REL).unlink()
    r, rep = indekser(corpus, index)
    record("6. PDF-en fjernet", r, rep, "0", rep["innebygd"] == 0 and rep["fjernet"] == [PDF_REL])
    checks.append(f"- Fjernet PDF: {before} → {rep['biter']} biter i indeksen (fjernet: {rep['fjernet']}).")

    table = markdown_table(
        ["steg", "CLI vegg s", "CLI CPU s", "rapport s", "rapportens tider s", "biter i indeksen", "innebygd",
         "forventet innebygd", "gjenbrukt", "last (1 min)"],
        rows,
    )
    report = "\n".join(header) + "\n\n" + table + "\n\n" + "\n".join(checks) + "\n"
    print("\n" + table + "\n\n" + "\n".join(checks), flush=True)
    (OUT / "report.md").write_text(report, encoding="utf-8")
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
