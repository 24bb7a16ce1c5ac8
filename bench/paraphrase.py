"""Paraphrase benchmark on the demo corpus: do students' reworded questions
find the right source and printed page?

    .venv/bin/python bench/paraphrase.py

`bench/data/parafrase.json` holds 60 questions written without copying the
notes' words (no shared 3-gram with the target section; 13 share no content
word at all), each with the source key and page label of the note section that
answers it. The demo corpus is indexed through litsok's own library into
bench/out/paraphrase/, every question is scored once and ranked by every fusion
mode, with and without compound splitting on the lexical side. A hit is a chunk
of the right source whose printed page span is the expected section.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO_ROOT, machine, markdown_table, paired_bootstrap  # noqa: E402

from litsok.config import Settings  # noqa: E402
from litsok.index import LoadedIndex, lexical_text, load_index  # noqa: E402
from litsok.lexical import LexicalIndex  # noqa: E402
from litsok.library import index_corpus, query_embedder  # noqa: E402
from litsok.search import fusion, score_chunks  # noqa: E402

OUT = REPO_ROOT / "bench" / "out" / "paraphrase"
DATA = REPO_ROOT / "bench" / "data" / "parafrase.json"
THESIS = REPO_ROOT / "tests" / "data" / "sporsmal.json"
TOP = 10
MODES = [("lexical", 0.5), ("dense", 0.5), ("rrf", 0.5), ("hybrid", 0.3), ("hybrid", 0.4), ("hybrid", 0.5),
         ("hybrid", 0.6), ("hybrid", 0.7)]
DEFAULT = ("hybrid", Settings().dense_weight)


@dataclass(frozen=True)
class Question:
    text: str
    source: str
    page: str


def load_questions(path: Path) -> list[Question]:
    return [Question(q["sporsmal"], q["kilde"], q["side"]) for q in json.loads(path.read_text(encoding="utf-8"))]


def build(out: Path) -> LoadedIndex:
    corpus = out / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    shutil.copytree(REPO_ROOT / "corpus", corpus)
    index_corpus(Settings(corpus=corpus, index=out / "index"))
    return load_index(out / "index")


def ranks(index: LoadedIndex, questions: Sequence[Question]) -> dict[tuple[str, float], list[int]]:
    """1-based rank of the first right chunk in the top 10 per mode (0 = not found)."""
    embedder = query_embedder(Settings(index=index.folder.parent), index)
    keys = [(sc.chunk.source_key, sc.chunk.pages) for sc in index.chunks]
    out: dict[tuple[str, float], list[int]] = {m: [] for m in MODES}
    for q in questions:
        scores = score_chunks(index, embedder, q.text)
        right = np.array([k == (q.source, q.page) for k in keys])
        for mode in MODES:
            top = np.argsort(-fusion(mode[0])(scores, mode[1]), kind="stable")[:TOP]
            found = np.flatnonzero(right[top])
            out[mode].append(int(found[0]) + 1 if len(found) else 0)
    return out


def cells(r: Sequence[int]) -> list[str]:
    a = np.array(r)
    rr = np.where(a > 0, 1.0 / np.maximum(a, 1), 0.0)
    return [f"{np.mean((a > 0) & (a <= k)):.3f}" for k in (1, 3, 5)] + [f"{rr.mean():.3f}"]


def reciprocal(r: Sequence[int]) -> np.ndarray:
    a = np.array(r)
    return np.where(a > 0, 1.0 / np.maximum(a, 1), 0.0)


def label(mode: tuple[str, float], decompound: bool) -> str:
    name = f"{mode[0]} w={mode[1]:.1f}" if mode[0] in ("hybrid", "rrf") else mode[0]
    return name + (" + ordsplitting" if decompound else "")


def main() -> int:
    t0 = time.perf_counter()
    index = build(OUT)
    sets = {"parafrase (60)": load_questions(DATA), "oppgavens spørsmål (14)": load_questions(THESIS)}
    plain_lexical = index.lexical
    split_lexical = LexicalIndex.build([lexical_text(sc.chunk) for sc in index.chunks], decompound=True)
    lines = [
        f"# Paraphrase benchmark, {time.strftime('%Y-%m-%d')}",
        "",
        f"- command: `python bench/paraphrase.py`; machine: {machine()}",
        f"- index: demo corpus, {len(index.chunks)} chunks, embedder {index.manifest.embedder_id}",
        "- hit: a chunk of the expected source whose printed page span is the expected note section",
        f"- ΔMRR@10 vs the default ({label(DEFAULT, False)}): paired bootstrap, 1000 resamples; * = excludes 0",
    ]
    for name, questions in sets.items():
        results: dict[tuple[tuple[str, float], bool], list[int]] = {}
        for decompound, lexical in ((False, plain_lexical), (True, split_lexical)):
            index._lexical = lexical
            for mode, r in ranks(index, questions).items():
                if decompound and mode[0] == "dense":
                    continue
                results[(mode, decompound)] = r
        base = reciprocal(results[(DEFAULT, False)])
        rows = []
        for (mode, decompound), r in results.items():
            delta = "(default)" if (mode, decompound) == (DEFAULT, False) else paired_bootstrap(reciprocal(r), base).format()
            rows.append([label(mode, decompound), *cells(r), delta])
        lines += ["", f"## {name}", "", markdown_table(["mode", "R@1", "R@3", "R@5", "MRR@10", "ΔMRR@10 [95 % CI]"], rows)]
    lines += ["", f"Run time {time.perf_counter() - t0:.0f} s."]
    text = "\n".join(lines) + "\n"
    print(text)
    (OUT / "report.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
