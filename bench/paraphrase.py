"""Paraphrase benchmark on the demo corpus: do students' reworded questions
find the right source and printed page, in bokmål, English and nynorsk?

    .venv/bin/python bench/paraphrase.py

`bench/data/parafrase.json` holds 60 questions written without copying the
notes' words (no shared 3-gram with the target section; 13 share no content
word at all), each with the source key and page label of the note section that
answers it. `parafrase-en.json` and `parafrase-nn.json` translate every one of
them (same order, `bokmal` = the index of the bokmål question). The demo corpus
is indexed through litsok's own library into bench/out/paraphrase/, every
question is embedded once and ranked by every method in `METHODS`. A hit is a
chunk of the right source whose printed page span is the expected section.

Split (fixed before anything was measured): the questions' target sections
(source, page) are shuffled with SPLIT_SEED and the first half of the sections
is the *tuning* half; the rest is held aside. A translated question follows its
bokmål question. Settings are chosen on the tuning half only.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO_ROOT, load_average, machine, markdown_table, paired_bootstrap  # noqa: E402
from retrieval import BASELINE, IDEAS, OLD, Mode, SentenceVectors, _ranked, sentence_vectors  # noqa: E402

from litsok.config import Settings  # noqa: E402
from litsok.index import LoadedIndex, load_index  # noqa: E402
from litsok.library import index_corpus, query_embedder  # noqa: E402

OUT = REPO_ROOT / "bench" / "out" / "paraphrase"
DATA = REPO_ROOT / "bench" / "data"
THESIS = REPO_ROOT / "tests" / "data" / "sporsmal.json"
SETS = {"bokmål": "parafrase.json", "engelsk": "parafrase-en.json", "nynorsk": "parafrase-nn.json"}
TOP = 10
SPLIT_SEED = 12
RESAMPLES = 1000

# Every method measured; the first is the baseline (the default before issue 12). The ideas are
# bench/retrieval.py's, so both benchmarks measure the same list.
METHODS: dict[str, Mode] = {
    BASELINE.label: BASELINE,
    **{label: Mode(label, m) for label, m in (
        ("lexical", replace(OLD, fusion="lexical")),
        ("dense", replace(OLD, fusion="dense")),
        ("rrf w=0.5", replace(OLD, fusion="rrf")),
        ("hybrid w=0.6", replace(OLD, dense_weight=0.6)),
        ("hybrid w=0.7", replace(OLD, dense_weight=0.7)),
    )},
    **{m.label: m for m in IDEAS},
}


@dataclass(frozen=True)
class Question:
    text: str
    source: str
    page: str
    tuning: bool


def split_sections(questions: Sequence[dict[str, str]]) -> set[tuple[str, str]]:
    """The tuning half of the target sections: sorted, shuffled with SPLIT_SEED, the first half."""
    sections = sorted({(q["kilde"], q["side"]) for q in questions})
    order = np.random.default_rng(SPLIT_SEED).permutation(len(sections))
    return {sections[i] for i in order[: len(sections) // 2]}


def load_questions(path: Path, tuning: set[tuple[str, str]] | None = None) -> list[Question]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [
        Question(q["sporsmal"], q["kilde"], q["side"], tuning is not None and (q["kilde"], q["side"]) in tuning)
        for q in raw
    ]


def build(out: Path) -> LoadedIndex:
    corpus = out / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    shutil.copytree(REPO_ROOT / "corpus", corpus)
    index_corpus(Settings(corpus=corpus, index=out / "index"))
    return load_index(out / "index")


def ranks(index: LoadedIndex, questions: Sequence[Question], sentences: SentenceVectors) -> dict[str, list[int]]:
    """1-based rank of the first right chunk in the top 10 per method (0 = not found)."""
    embedder = query_embedder(Settings(index=index.folder.parent), index)
    keys = [(sc.chunk.source_key, sc.chunk.pages) for sc in index.chunks]
    out: dict[str, list[int]] = {m: [] for m in METHODS}
    for q in questions:
        qvec = embedder.embed_query(q.text)
        right = np.array([k == (q.source, q.page) for k in keys])
        for name, method in METHODS.items():
            top = _ranked(index, q.text, qvec, method, sentences)
            found = np.flatnonzero(right[top]) if top else []
            out[name].append(int(found[0]) + 1 if len(found) else 0)
    return out


def reciprocal(r: Sequence[int]) -> np.ndarray:
    a = np.array(r)
    return np.where(a > 0, 1.0 / np.maximum(a, 1), 0.0)


def r_at(r: Sequence[int], k: int) -> float:
    a = np.array(r)
    return float(np.mean((a > 0) & (a <= k)))


def split_cells(r: Sequence[int], base: Sequence[int], mask: np.ndarray, is_base: bool) -> list[str]:
    a, b = np.array(r)[mask], np.array(base)[mask]
    if not len(a):
        return ["–", "–", ""]
    delta = "" if is_base else paired_bootstrap(reciprocal(a), reciprocal(b), resamples=RESAMPLES).format()
    return [f"{r_at(a, 1):.3f}", f"{reciprocal(a).mean():.3f}", delta]


def table(results: dict[str, list[int]], tuning: np.ndarray) -> str:
    base = results[next(iter(METHODS))]
    rows = []
    for name, r in results.items():
        is_base = r is base
        everything = np.ones_like(tuning)
        rows.append(
            [name, *split_cells(r, base, tuning, is_base), *split_cells(r, base, ~tuning, is_base),
             f"{r_at(r, 1):.3f}", f"{r_at(r, 3):.3f}", f"{r_at(r, 5):.3f}",
             *split_cells(r, base, everything, is_base)[1:]]
        )
    header = ["method", "tune R@1", "tune MRR@10", "tune Δ [95 % CI]", "held R@1", "held MRR@10", "held Δ [95 % CI]",
              "all R@1", "all R@3", "all R@5", "all MRR@10", "all Δ [95 % CI]"]
    return markdown_table(header, rows)


def main() -> int:
    t0 = time.perf_counter()
    index = build(OUT)
    tuning = split_sections(json.loads((DATA / SETS["bokmål"]).read_text(encoding="utf-8")))
    sets = {f"{lang} (60)": load_questions(DATA / f, tuning) for lang, f in SETS.items()}
    sets["oppgavens spørsmål (14, not split: all held aside)"] = load_questions(THESIS)
    n_tune = sum(q.tuning for q in sets["bokmål (60)"])
    load_before = load_average()
    sents = sentence_vectors(index, query_embedder(Settings(index=index.folder.parent), index), OUT / "sentences")
    lines = [
        f"# Paraphrase benchmark, {time.strftime('%Y-%m-%d')}",
        "",
        f"- command: `python bench/paraphrase.py`; machine: {machine()}; load average {load_before:.1f}",
        f"- index: demo corpus, {len(index.chunks)} chunks, embedder {index.manifest.embedder_id}",
        "- hit: a chunk of the expected source whose printed page span is the expected note section",
        f"- sentence vectors (bench only): {len(sents.owner)} sentences in {sents.seconds:.0f} s; same-run sample: "
        f"{sents.sample_passage_s:.1f} s as passages, {sents.sample_sentence_s:.1f} s as sentences",
        f"- split: target sections shuffled with seed {SPLIT_SEED}; tuning = {len(tuning)} sections, "
        f"{n_tune} of 60 questions; held = the other {60 - n_tune} (the translations follow the bokmål split)",
        f"- Δ = MRR@10 minus the baseline's ({next(iter(METHODS))}): paired bootstrap, {RESAMPLES} resamples; "
        "* = interval excludes 0",
    ]
    for name, questions in sets.items():
        results = ranks(index, questions, sents)
        mask = np.array([q.tuning for q in questions])
        lines += ["", f"## {name}", "", table(results, mask)]
    lines += ["", f"Run time {time.perf_counter() - t0:.0f} s; load average {load_average():.1f} at the end."]
    text = "\n".join(lines) + "\n"
    print(text)
    (OUT / "report.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
