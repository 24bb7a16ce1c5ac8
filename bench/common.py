"""Helpers shared by the benchmarks in `bench/`: paths, statistics, Markdown tables.

Nothing here knows about a particular data set; the benchmarks import it as
`from common import ...` (they are run as scripts, `bench/` is on `sys.path`).
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_FALLBACK = Path("/work/shared")


def shared_dir() -> Path:
    """The shared folder beside the repository (`../shared`), else /work/shared."""
    beside = REPO_ROOT.parent / "shared"
    if beside.is_dir():
        return beside
    if SHARED_FALLBACK.is_dir():
        return SHARED_FALLBACK
    raise SystemExit(f"Fant ikke den delte mappen: verken {beside} eller {SHARED_FALLBACK} finnes.")


def machine() -> str:
    """A one-line description of the machine, e.g. 'Linux x86_64, 2 cores'."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{platform.system()} {platform.machine()}, {cores} cores, Python {platform.python_version()}"


def load_average() -> float:
    """The 1-minute load average (0.0 where the platform has none); timings mean little when it exceeds the cores."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


@dataclass(frozen=True)
class Interval:
    """A mean difference with its bootstrap confidence interval."""

    mean: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def format(self, digits: int = 3) -> str:
        mark = " *" if self.excludes_zero else ""
        return f"{self.mean:+.{digits}f} [{self.low:+.{digits}f}, {self.high:+.{digits}f}]{mark}"


def paired_bootstrap(a: np.ndarray, b: np.ndarray, *, resamples: int = 1000, seed: int = 0) -> Interval:
    """95 % percentile interval of mean(a - b), resampling the paired items with replacement."""
    if a.shape != b.shape or a.ndim != 1 or not len(a):
        raise ValueError(f"paired_bootstrap needs two equally long 1-d arrays, got {a.shape} and {b.shape}")
    diff = a.astype(np.float64) - b.astype(np.float64)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(diff), size=(resamples, len(diff)))
    means = diff[idx].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return Interval(float(diff.mean()), float(low), float(high))


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A GitHub Markdown table; `align` has one of 'l'/'r' per column (default: first left, rest right)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---" if a == "l" else "--:" for a in align]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def progress_printer() -> Callable[[str, int, int], None]:
    """An `index_corpus` progress callback printing each stage in steps of 10 % to stderr."""
    shown: dict[str, int] = {}

    def report(stage: str, done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if shown.get(stage) != tenth:
            shown[stage] = tenth
            print(f"  {stage}: {done}/{total}", file=sys.stderr, flush=True)

    return report


def write_between_markers(path: Path, bench: str, report: str, title: str) -> None:
    """Put `report` between `<!-- bench/<bench>: start/end -->` in `path`, keeping the text around it."""
    start, end = f"<!-- bench/{bench}: start -->", f"<!-- bench/{bench}: end -->"
    block = f"{start}\n{report.rstrip()}\n{end}"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in old and end in old:
        head, _, rest = old.partition(start)
        _, _, tail = rest.partition(end)
        path.write_text(head + block + tail, encoding="utf-8")
    else:
        path.write_text(f"# {title}\n\n{block}\n", encoding="utf-8")
