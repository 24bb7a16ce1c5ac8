"""What reading a PDF's own markings (/Annots, `ingest.annotations.read_markings`) adds to
reading its text (`ingest.pdf.read_pdf`, the baseline), on the real PDFs.

    .venv/bin/python bench/markings.py [--runs N] [--pdfs DIR] [--marked N]

Per PDF: median seconds of `read_pdf` (no OCR: a scan without a text layer is left out) and of `read_markings` over `--runs` runs (default 3), and the extra share.
`--marked N` also times a copy of each PDF with N highlights written by pypdf on its first pages
(default 50; quads over the page's upper half), the case where pdfium looks up text under quads.
Prints a Markdown table with the machine's load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from common import load_average, machine, markdown_table, shared_dir  # noqa: E402


def _median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _with_highlights(src: Path, out: Path, count: int) -> Path | None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Highlight
    from pypdf.generic import ArrayObject, FloatObject

    try:
        w = PdfWriter(clone_from=PdfReader(src))
    except Exception:  # noqa: BLE001 - pypdf cannot rewrite every real PDF: no marked copy
        return None
    pages = min(len(w.pages), 10)
    for n in range(count):
        page = w.pages[n % pages]
        box = page.mediabox
        left, top = float(box.left) + 50, float(box.top) - 80 - 14 * (n // pages)
        quad = ArrayObject([FloatObject(v) for v in (left, top, left + 300, top, left, top - 12, left + 300, top - 12)])
        w.add_annotation(n % pages, Highlight(rect=(left, top - 12, left + 300, top), quad_points=quad))
    with out.open("wb") as fh:
        w.write(fh)
    return out


def main() -> None:
    from litsok.errors import UnreadableFileError
    from litsok.ingest.annotations import read_markings
    from litsok.ingest.pdf import read_pdf

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pdfs", type=Path, default=shared_dir() / "data" / "realpdf" / "pdf")
    ap.add_argument("--marked", type=int, default=50)
    args = ap.parse_args()
    rows = []
    load_before = load_average()
    with tempfile.TemporaryDirectory() as tmp:
        for pdf in sorted(args.pdfs.glob("*.pdf")):
            print(f"{pdf.name} ...", file=sys.stderr)
            try:
                base = _median_seconds(lambda p=pdf: read_pdf(p, source_key="x", rel_file=p.name), args.runs)
            except UnreadableFileError:  # a scan without OCR: no baseline
                print(f"{pdf.name}: ingen tekst uten OCR, hoppet over", file=sys.stderr)
                continue
            marks = _median_seconds(lambda p=pdf: read_markings(p, p.name), args.runs)
            found = len(read_markings(pdf, pdf.name).markings)
            marked = _with_highlights(pdf, Path(tmp) / pdf.name, args.marked) if args.marked else None
            with_hl = _median_seconds(lambda p=marked: read_markings(p, p.name), args.runs) if marked else float("nan")
            rows.append([pdf.name, f"{base:.3f}", f"{marks:.3f}", f"{100 * marks / base:.1f} %", str(found),
                         f"{with_hl:.3f}" if marked else "–", f"{100 * with_hl / base:.1f} %" if marked else "–"])
    header = ["PDF", "read_pdf s", "read_markings s", "tillegg", "markeringer", f"med {args.marked} markeringer s",
              "tillegg"]
    print(markdown_table(header, rows, "lrrrrrr"))
    shares = [float(r[3].rstrip(" %")) for r in rows]
    print(f"\nMedian tillegg uten markeringer: {statistics.median(shares):.1f} %; "
          f"med {args.marked}: {statistics.median(float(r[6].rstrip(' %')) for r in rows if r[6] != '–'):.1f} %.")
    print(f"Maskin: {machine()}; lastsnitt {load_before:.2f} før, {load_average():.2f} etter; median av {args.runs} kjøringer.")


if __name__ == "__main__":
    main()
