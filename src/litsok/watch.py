"""Watch mode: re-index when the corpus changes (polling; no extra dependency)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from .config import Settings

T = TypeVar("T")


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime_ns) of every visible file under the corpus root."""
    out: dict[str, tuple[int, int]] = {}
    if not root.is_dir():
        return out
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        try:
            st = p.stat()
        except OSError:
            continue
        out[str(rel)] = (st.st_size, st.st_mtime_ns)
    return out


def watch(
    settings: Settings,
    rebuild: Callable[[], T],
    *,
    interval: float = 2.0,
    max_rounds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[T]:
    """Run `rebuild` once, then again whenever a corpus file is added, changed or
    removed (after it has been quiet for one interval, so half-copied files wait)."""
    last = snapshot(settings.corpus)
    yield rebuild()
    rounds = 0
    while max_rounds is None or rounds < max_rounds:
        rounds += 1
        sleep(interval)
        now = snapshot(settings.corpus)
        if now == last:
            continue
        sleep(interval)
        settled = snapshot(settings.corpus)
        if settled != now:
            last = {}
            continue
        last = settled
        yield rebuild()
