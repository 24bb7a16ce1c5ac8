"""OCR for scanned PDF pages: pypdfium2 renders, Tesseract (`nor+eng`) reads.

Pages run `workers` at a time (one Tesseract process per core, each limited to
one thread, driven from a small thread pool), and every result is cached on disk by the PDF's SHA-256, the page
index, the languages and the resolution, so a scan is read once. A scan whose
page is much wider than tall (two book pages side by side) is cut in two and
read as a left and a right page.

pypdfium2 is imported lazily, inside the worker, so importing this module
costs nothing.

No page is rendered at more than MAX_OCR_PIXELS (`litsok.limits`): `fit_dpi`
gives the resolution that fits (a 14,400-point page at 200 dpi would be 1.6
gigapixels, 4.6 GB), and a page that fits only below MIN_OCR_DPI is not read.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litsok import limits

INSTALL_HINT = "Installer Tesseract med norsk språkmodell: `apt-get install tesseract-ocr tesseract-ocr-nor`."
SPREAD_RATIO = 1.15  # width / height above which a scanned page is two book pages
CACHE_VERSION = 2
TESSERACT_TIMEOUT_S = 180


@dataclass(frozen=True)
class OcrOptions:
    """How scanned pages are read. `cache_dir` holds one JSON file per page."""

    cache_dir: Path
    languages: str = "nor+eng"
    dpi: int = 200
    workers: int = 2


@dataclass(frozen=True)
class OcrJob:
    """One scanned PDF page to read; `split` cuts it into a left and a right half.
    `dpi`: the resolution for this page when it is lower than the options' (a large page)."""

    pdf_index: int
    split: bool
    dpi: int | None = None


def pixels(width_pt: float, height_pt: float, dpi: int) -> int:
    """Pixels of a page of that size in points rendered at `dpi` (as pdfium rounds: up)."""
    return math.ceil(width_pt * dpi / 72) * math.ceil(height_pt * dpi / 72)


def fit_dpi(width_pt: float, height_pt: float, dpi: int) -> int | None:
    """`dpi`, or the highest lower resolution at which the page stays within MAX_OCR_PIXELS;
    None when even MIN_OCR_DPI is too much (a 14,400-point page)."""
    if pixels(width_pt, height_pt, dpi) <= limits.MAX_OCR_PIXELS:
        return dpi
    area_in2 = max(width_pt / 72 * height_pt / 72, 1e-9)
    fit = min(dpi, int(math.sqrt(limits.MAX_OCR_PIXELS / area_in2)))
    while fit >= limits.MIN_OCR_DPI and pixels(width_pt, height_pt, fit) > limits.MAX_OCR_PIXELS:
        fit -= 1
    return fit if fit >= limits.MIN_OCR_DPI else None


# One read page: its lines in Tesseract's reading order, each as
# (text, top, bottom) with top/bottom as fractions of the page height.
OcrLines = tuple[tuple[str, float, float], ...]


class OcrError(Exception):
    """Tesseract or rendering failed on one page (reported as a warning)."""


def ocr_available(languages: str = "nor+eng") -> str | None:
    """None when Tesseract and every language model in `languages` are there,
    else the reason in Norwegian (with the install command)."""
    exe = shutil.which("tesseract")
    if exe is None:
        return f"Tesseract er ikke installert. {INSTALL_HINT}"
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Tesseract kan ikke startes ({exc}). {INSTALL_HINT}"
    have = {line.strip() for line in (out.stdout + out.stderr).splitlines()}
    missing = [lang for lang in languages.split("+") if lang and lang not in have]
    if missing:
        return f"Tesseract mangler språkmodell {', '.join(missing)}. {INSTALL_HINT}"
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return "Python-pakken pypdfium2 mangler, så skannede sider kan ikke gjengis. Installer den med `pip install pypdfium2`."
    return None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _cache_path(options: OcrOptions, sha: str, job: OcrJob) -> Path:
    langs = options.languages.replace("+", "_")
    split = "s" if job.split else "h"
    return options.cache_dir / sha[:2] / f"{sha}-{job.pdf_index}-{split}-{job.dpi or options.dpi}-{langs}.json"


def _read_cache(path: Path) -> tuple[OcrLines, ...] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("parts"), list):
            return None
        return tuple(tuple((str(t), float(a), float(b)) for t, a, b in part) for part in data["parts"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None  # a damaged or foreign cache file: the page is read again


def _write_cache(path: Path, parts: Sequence[OcrLines]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(
            {"version": CACHE_VERSION, "parts": [list(map(list, part)) for part in parts]}, fh, ensure_ascii=False
        )
    os.replace(tmp, path)


def parse_tsv(tsv: str, height: int) -> OcrLines:
    """Tesseract's TSV (one row per word) -> lines in reading order with their position."""
    lines: dict[tuple[str, str, str], list[tuple[str, int, int]]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        top, h = int(cols[7]), int(cols[9])
        lines.setdefault((cols[2], cols[3], cols[4]), []).append((cols[11], top, top + h))
    height = max(height, 1)
    return tuple(
        (" ".join(w for w, _, _ in words), min(t for _, t, _ in words) / height, max(b for _, _, b in words) / height)
        for words in lines.values()
    )


def _tesseract(image: Any, languages: str) -> OcrLines:
    """Run the tesseract CLI on a PIL image; one thread, since the pool has one per core."""
    with tempfile.TemporaryDirectory(prefix="litsok-ocr-") as tmp:
        png = Path(tmp) / "side.png"
        image.save(png)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        try:
            out = subprocess.run(
                ["tesseract", str(png), "stdout", "-l", languages, "--psm", "3", "tsv"],
                capture_output=True,
                text=True,
                timeout=TESSERACT_TIMEOUT_S,
                env=env,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise OcrError(str(exc)) from exc
    if out.returncode != 0:
        raise OcrError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"kode {out.returncode}")
    return parse_tsv(out.stdout, image.size[1])


_PDFIUM_LOCK = threading.Lock()  # pdfium is not thread-safe; Tesseract runs outside the lock


def _render(pdf_path: str, pdf_index: int, dpi: int) -> Any:
    """One page as a greyscale PIL image at `dpi`; OcrError (never a render) when that is
    over MAX_OCR_PIXELS (the caller picks the resolution with `fit_dpi`)."""
    import pypdfium2 as pdfium  # lazy: only scans need it

    with _PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf_path)
        try:
            page = doc[pdf_index]
            try:
                w, h = page.get_size()
                if pixels(w, h, dpi) > limits.MAX_OCR_PIXELS:
                    raise OcrError(
                        f"siden er {w:.0f} × {h:.0f} pt, over grensen {limits.limit_text('MAX_OCR_PIXELS', 'piksler')} ved {dpi} dpi"
                    )
                image = page.render(scale=dpi / 72).to_pil().convert("L")
            finally:
                page.close()
        finally:
            doc.close()
    return image


def ocr_page(pdf_path: str, job: OcrJob, languages: str, dpi: int) -> tuple[OcrLines, ...]:
    """Render one page and read it; two parts (left, right) when `job.split`."""
    image = _render(pdf_path, job.pdf_index, dpi)
    if not job.split:
        return (_tesseract(image, languages),)
    w, h = image.size
    left = image.crop((0, 0, w // 2, h))
    right = image.crop((w // 2, 0, w, h))
    return (_tesseract(left, languages), _tesseract(right, languages))


def ocr_pages(
    pdf_path: Path,
    jobs: Sequence[OcrJob],
    options: OcrOptions,
    *,
    sha256: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[int, tuple[OcrLines, ...]], dict[int, str]]:
    """Read the scanned pages `jobs` -> ({pdf_index: lines per part}, {pdf_index: error}).

    Cached pages are returned without running Tesseract; the rest run
    `options.workers` Tesseract processes at a time. A page that fails is
    reported in the second dict and the others go on.
    """
    sha = sha256 or file_sha256(pdf_path)
    results: dict[int, tuple[OcrLines, ...]] = {}
    errors: dict[int, str] = {}
    todo: list[OcrJob] = []
    for job in jobs:
        cached = _read_cache(_cache_path(options, sha, job))
        if cached is not None:
            results[job.pdf_index] = cached
        else:
            todo.append(job)
    done = len(results)
    total = len(jobs)
    if progress and done:
        progress(done, total)

    def finish(job: OcrJob, parts: tuple[OcrLines, ...]) -> None:
        nonlocal done
        results[job.pdf_index] = parts
        try:
            _write_cache(_cache_path(options, sha, job), parts)
        except OSError:
            pass  # a cache that cannot be written only costs time next run
        done += 1
        if progress:
            progress(done, total)

    # Each worker thread renders its page (under a lock) and waits on its own
    # Tesseract process, so `workers` pages are read at once, one per core.
    workers = max(1, min(options.workers, len(todo)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="litsok-ocr") as pool:
        futures = {pool.submit(ocr_page, str(pdf_path), job, options.languages, job.dpi or options.dpi): job for job in todo}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                finish(job, fut.result())
            except Exception as exc:  # noqa: BLE001 - one bad page must not stop the file
                errors[job.pdf_index] = str(exc) or type(exc).__name__
    return results, errors
