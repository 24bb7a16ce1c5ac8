"""Watch mode: re-index when the corpus changes (polling; no extra dependency)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from .config import Settings
from .errors import LitsokError

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
    sleep: Callable[[float], None] | None = None,
) -> Iterator[T | LitsokError]:
    """Run `rebuild` once, then again whenever a corpus file is added, changed or
    removed (after it has been quiet for one interval, so half-copied files wait).

    A rebuild that fails with a user error (kilder.bib half-written by Zotero's
    auto-export, the index locked by another run) is yielded as the error and tried
    again every round until it succeeds: watching never stops for it."""
    sleep = sleep or time.sleep
    last = snapshot(settings.corpus)
    result = _attempt(rebuild)
    yield result
    failing = isinstance(result, LitsokError)
    rounds = 0
    while max_rounds is None or rounds < max_rounds:
        rounds += 1
        sleep(interval)
        now = snapshot(settings.corpus)
        if now == last and not failing:
            continue
        sleep(interval)
        settled = snapshot(settings.corpus)
        if settled != now:
            last = {}
            continue
        last = settled
        result = _attempt(rebuild)
        failing = isinstance(result, LitsokError)
        yield result


def _attempt(rebuild: Callable[[], T]) -> T | LitsokError:
    try:
        return rebuild()
    except LitsokError as exc:
        return exc
