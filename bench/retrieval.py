"""Retrieval benchmark on NorQuAD: does litsok return the passage that holds the answer?

    .venv/bin/python bench/retrieval.py [--limit N] [--out DIR] [--variants]

1. Every distinct NorQuAD context becomes a notes file (`docNNNN.md`, front matter `kilde` and
   `tittel`, the context as the body, no page markers) in `<out>/corpus/`, and the folder is indexed
   with `litsok.library.index_corpus`, the code path of `litsok indekser`. The index in
   `<out>/index/` is kept between runs and only updated when the corpus changed.
2. Every question is embedded once; each mode (a `litsok.search.Method`: every fusion in
   `litsok.search.FUSIONS`, a sweep of fusion weights, the ideas in `IDEAS`) ranks the chunks with
   `litsok.search.rank_scored`, the function `litsok.search.search` calls. Questions are split by
   document (`tuning_docs`, SPLIT_SEED): settings are chosen on the tuning half, the other half is
   held aside; the table reports both halves and all questions.
3. A hit is a chunk of the question's document whose [char_start, char_end) contains the answer span
   (the looser "right document in the top k" is reported separately). R@1/5/10 and MRR@10 per mode,
   with a paired bootstrap interval of the MRR@10 difference to the baseline (the default before
   issue 12).

`--variants` also builds one index per chunk size (`index_corpus(..., chunk_settings=...)`) and
scores the default mode on each.

Writes `<out>/report.md` (also printed) and `<out>/results.json` (per-question ranks).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from common import (
    REPO_ROOT,
    Interval,
    load_average,
    machine,
    markdown_table,
    paired_bootstrap,
    progress_printer,
    shared_dir,
)

from litsok.chunk import ChunkSettings, word_count
from litsok.config import Settings
from litsok.embed import Embedder
from litsok.index import LoadedIndex, load_index
from litsok.ingest.notes import read_note
from litsok.library import index_corpus, query_embedder
from litsok.rerank import RERANK_DEPTH
from litsok.search import FUSIONS, Method, rank_scored

DEFAULT_OUT = REPO_ROOT / "bench" / "out" / "norquad"
KS = (1, 5, 10)
TOP = max(KS)
SWEEP_WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7)
SWEEP_FUSIONS = ("hybrid", "rrf")  # the fusions that use `dense_weight`
CHUNK_VARIANTS = ((100, 150), (150, 200), (200, 260))  # (target_words, max_words)
RESAMPLES = 1000
SEED = 20260101
SPLIT_SEED = 12  # the tuning/held-aside split of the documents; fixed before anything was measured
HASH_ESCAPE = "\uff03"  # FULLWIDTH NUMBER SIGN: same length as "#", so offsets do not move


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Document:
    """One distinct NorQuAD context, as written to the corpus."""

    name: str  # "doc0001"; also the source key and the file stem
    title: str
    context: str

    @property
    def file(self) -> str:
        return f"{self.name}.md"

    @property
    def body(self) -> str:
        """The context with lines that the notes parser would take for markup defused (same length)."""
        lines = self.context.split("\n")
        return "\n".join(_escape_line(line) for line in lines)

    @property
    def lead(self) -> int:
        """Characters the notes parser strips from the start of the body."""
        return len(self.body) - len(self.body.lstrip())

    @property
    def page_text(self) -> str:
        """The text of the note's only page, as litsok will read it."""
        return self.body.strip()


@dataclass(frozen=True)
class Question:
    """A question and its answer span, in the coordinates of the document's page text."""

    qid: str
    text: str
    doc: Document
    answer: str
    start: int  # offset into doc.page_text (= into the chunks' joined page text)
    end: int


def _escape_line(line: str) -> str:
    """A line starting with '#' is a heading or page marker to the notes parser; make it plain text."""
    stripped = line.lstrip()
    if stripped.startswith("#"):
        pad = len(line) - len(stripped)
        return line[:pad] + HASH_ESCAPE + stripped[1:]
    return line


def _title(context: str, given: str | None) -> str:
    """The SQuAD title when there is one, else the first non-empty line (one line, no markup)."""
    first = next((line for line in context.splitlines() if line.strip()), "")
    title = " ".join((given or first).split())
    return _escape_line(title).replace(" #", " " + HASH_ESCAPE).strip("'\"")


def load_norquad(path: Path) -> tuple[list[Document], list[Question]]:
    """Distinct contexts as documents (NorQuAD repeats some), and every question with its answer span."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    docs: dict[str, Document] = {}
    questions: list[Question] = []
    for article in raw["data"]:
        for para in article["paragraphs"]:
            context: str = para["context"]
            doc = docs.get(context)
            if doc is None:
                doc = Document(f"doc{len(docs) + 1:04d}", _title(context, article.get("title")), context)
                docs[context] = doc
            for qa in para["qas"]:
                for ans in qa["answers"][:1]:  # NorQuAD validation has exactly one answer per question
                    start = int(ans["answer_start"]) - doc.lead
                    questions.append(
                        Question(str(qa["id"]), qa["question"], doc, ans["text"], start, start + len(ans["text"]))
                    )
    return list(docs.values()), questions


def tuning_docs(docs: Sequence[Document]) -> set[str]:
    """The tuning half of the documents (names sorted, shuffled with SPLIT_SEED, the first half).
    A question belongs to its document's half, so no document is in both; settings are chosen
    on the tuning half only, the other half is held aside to confirm them."""
    names = sorted(d.name for d in docs)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(names))
    return {names[i] for i in order[: len(names) // 2]}


def note_text(doc: Document) -> str:
    return f"---\nkilde: {doc.name}\ntittel: {doc.title}\n---\n{doc.body}\n"


def write_corpus(docs: Sequence[Document], folder: Path) -> None:
    """Write one notes file per document; rewrite only what changed, remove stale doc files."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {d.file for d in docs}
    for stale in folder.glob("doc*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for doc in docs:
        path = folder / doc.file
        text = note_text(doc)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def verify_mapping(questions: Sequence[Question], corpus: Path) -> None:
    """Read every notes file back with litsok's parser: one page, the expected text, the answer at its offset."""
    notes: dict[str, tuple[str, str]] = {}
    for q in questions:
        doc = q.doc
        if doc.file not in notes:
            note = read_note(corpus / doc.file, doc.file)
            assert len(note.pages) == 1, f"{doc.file}: parsed into {len(note.pages)} pages, expected 1"
            assert note.source_key == doc.name, f"{doc.file}: source key {note.source_key!r}"
            assert note.title == doc.title, f"{doc.file}: title {note.title!r} != {doc.title!r}"
            notes[doc.file] = (note.pages[0].text, note.pages[0].label)
        text, label = notes[doc.file]
        assert label == "", f"{doc.file}: unexpected page label {label!r}"
        assert text == doc.page_text, f"{doc.file}: the parsed page text differs from the context"
        assert text[q.start : q.end] == q.answer, f"question {q.qid}: answer not at the mapped offset"


def verify_chunks(index: LoadedIndex, docs: Sequence[Document]) -> None:
    """Every chunk's text is its document's page text at [char_start, char_end)."""
    pages = {d.file: d.page_text for d in docs}
    for sc in index.chunks:
        c = sc.chunk
        assert pages[c.file][c.char_start : c.char_end] == c.text, f"{c.file}: chunk {c.chunk_id} offsets"


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class BuildInfo:
    """How the index was (last) built; kept in a JSON file beside the index folder."""

    seconds: float
    embedded: int
    chunks: int
    created: str
    reused: bool  # True: the index was already up to date (nothing embedded in this run)

    def describe(self) -> str:
        when = "reused, built" if self.reused else "built"
        return f"{self.seconds:.0f} s ({self.embedded} of {self.chunks} chunks embedded; {when} {self.created})"


def ensure_index(corpus: Path, index: Path, chunk_settings: ChunkSettings) -> BuildInfo:
    """Bring the index up to date through the library (incremental: a no-change run
    embeds nothing) and say how it was last really built."""
    record = index.parent / f"{index.name}.build.json"
    print(f"Indexing {corpus} -> {index} ({chunk_settings})", file=sys.stderr, flush=True)
    report = index_corpus(Settings(corpus=corpus, index=index), progress=progress_printer(), chunk_settings=chunk_settings)
    if report.failed:
        raise SystemExit(f"Indexing failed for {len(report.failed)} files: {report.failed}")
    if report.embedded == 0 and record.is_file():
        return BuildInfo(**{**json.loads(record.read_text(encoding="utf-8")), "reused": True})
    info = BuildInfo(report.seconds, report.embedded, report.chunks, time.strftime("%Y-%m-%d %H:%M"), False)
    record.write_text(json.dumps(info.__dict__, indent=1), encoding="utf-8")
    return info


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Mode:
    label: str
    method: Method
    sentence_dense: float = 0.0  # bench-only: weight of the best sentence's cosine (needs sentence vectors)


# The default before issue 12 (no query rewriting, fixed weight); every idea is measured against it.
OLD = Method(rewrite=False, adaptive=False)
BASELINE = Mode("hybrid w=0.5 (baseline)", OLD)
# The ideas of issue 12, each against the baseline (docs/retrieval.md); bench/paraphrase.py measures the same.
IDEAS: tuple[Mode, ...] = (
    Mode("+ rewrite + adaptive (the new default)", Method()),
    Mode("+ query-side compound splitting", replace(OLD, decompound=True)),
    Mode("+ rewrite + adaptive + query-side compound splitting", Method(decompound=True)),
    Mode("+ feedback 0.3", replace(OLD, feedback=0.3)),
    Mode("+ feedback 0.3 gate 0.3", replace(OLD, feedback=0.3, feedback_gate=0.3)),
    Mode("+ feedback 0.3 gate 0.5", replace(OLD, feedback=0.3, feedback_gate=0.5)),
    Mode("+ feedback 0.3 gate 0.7", replace(OLD, feedback=0.3, feedback_gate=0.7)),
    Mode("+ feedback 0.5 gate 0.5", replace(OLD, feedback=0.5, feedback_gate=0.5)),
    Mode("+ dense feedback 0.3", replace(OLD, dense_feedback=0.3)),
    Mode("+ both feedbacks 0.3", replace(OLD, feedback=0.3, dense_feedback=0.3)),
    Mode("+ rewrite + adaptive + feedback 0.3 gate 0.5", replace(OLD, rewrite=True, adaptive=True, feedback=0.3, feedback_gate=0.5)),
    Mode("+ rewrite + adaptive + feedback 0.5 gate 0.5 then w=0.5",
         replace(OLD, rewrite=True, adaptive=True, feedback=0.5, feedback_gate=0.5, feedback_weight=0.5)),
    Mode("+ rewrite + adaptive + feedback 1.0 gate 0.5 then w=0.5",
         replace(OLD, rewrite=True, adaptive=True, feedback=1.0, feedback_gate=0.5, feedback_weight=0.5)),
    Mode("+ sentence 0.1", replace(OLD, sentence=0.1)),
    Mode("+ sentence 0.2", replace(OLD, sentence=0.2)),
    Mode("+ diversify", replace(OLD, diversify=True)),
    Mode("+ sentence vectors 0.1", OLD, sentence_dense=0.1),
    Mode("+ sentence vectors 0.2", OLD, sentence_dense=0.2),
    Mode("+ sentence vectors 0.4", OLD, sentence_dense=0.4),
)


# --------------------------------------------------------------------------- sentence vectors (measured, not in litsok)


@dataclass(frozen=True)
class SentenceVectors:
    """Every chunk's sentences (claim.candidate_sentences, as `siter` splits them) embedded as passages."""

    owner: np.ndarray  # chunk number of each sentence
    vectors: np.ndarray  # one row per sentence
    seconds: float  # embedding time of all sentences
    sample_passage_s: float  # embedding time of SAMPLE chunks as passages ...
    sample_sentence_s: float  # ... and of their sentences, measured back to back

    def best(self, qvec: np.ndarray, chunks: Sequence[int]) -> np.ndarray:
        """max sentence cosine of each of `chunks`."""
        sims = self.vectors @ qvec
        out = np.full(len(chunks), -1.0)
        for j, c in enumerate(chunks):
            own = sims[self.owner == c]
            if len(own):
                out[j] = float(own.max())
        return out


SENTENCE_SAMPLE = 40


def sentence_vectors(index: LoadedIndex, embedder: Embedder, cache: Path) -> SentenceVectors:
    """Embed every chunk's sentences once (cached in `cache`, plain .npy + .json)."""
    from litsok.claim import candidate_sentences

    texts, owner = [], []
    for i, sc in enumerate(index.chunks):
        for a, b in candidate_sentences(sc.chunk.text):
            texts.append(sc.chunk.text[a:b])
            owner.append(i)
    meta = cache / "sentences.json"
    if meta.is_file() and json.loads(meta.read_text())["n"] == len(texts):
        m = json.loads(meta.read_text())
        vecs = np.load(cache / "sentences.npy", allow_pickle=False)
        return SentenceVectors(np.array(owner), vecs, m["seconds"], m["sample_passage_s"], m["sample_sentence_s"])
    sample = list(range(min(SENTENCE_SAMPLE, len(index.chunks))))
    t = time.perf_counter()
    embedder.embed_passages([index.chunks[i].chunk.text for i in sample])
    t_pass = time.perf_counter() - t
    t = time.perf_counter()
    embedder.embed_passages([texts[j] for j, o in enumerate(owner) if o in set(sample)])
    t_sent = time.perf_counter() - t
    t = time.perf_counter()
    vecs = embedder.embed_passages(texts)
    seconds = time.perf_counter() - t
    cache.mkdir(parents=True, exist_ok=True)
    np.save(cache / "sentences.npy", vecs, allow_pickle=False)
    meta.write_text(json.dumps({"n": len(texts), "seconds": seconds, "sample_passage_s": t_pass,
                                "sample_sentence_s": t_sent}))
    return SentenceVectors(np.array(owner), vecs, seconds, t_pass, t_sent)


def with_sentences(ranking_order: list[int], fused: np.ndarray, best: np.ndarray, weight: float) -> list[int]:
    """Re-rank the candidates by fused + weight * min-max(best sentence cosine among them)."""
    lo, hi = float(best.min()), float(best.max())
    norm = (best - lo) / (hi - lo) if hi > lo else np.zeros_like(best)
    score = {c: float(fused[c]) + weight * float(n) for c, n in zip(ranking_order, norm, strict=True)}
    return sorted(ranking_order, key=lambda c: -score[c])


def _sweep_label(name: str, w: float) -> str:
    return f"{name} w={w:.1f}" if name in SWEEP_FUSIONS else name


def modes() -> list[Mode]:
    """The baseline, every other fusion of the library at the default weight, the weight sweeps, the ideas."""
    w0 = BASELINE.method.dense_weight
    out = [BASELINE]
    out += [Mode(_sweep_label(n, w0), replace(OLD, fusion=n)) for n in FUSIONS if n != BASELINE.method.fusion]
    out += [Mode(_sweep_label(n, w), replace(OLD, fusion=n, dense_weight=w)) for n in SWEEP_FUSIONS for w in SWEEP_WEIGHTS
            if w != w0]
    return out + list(IDEAS)


@dataclass
class Ranks:
    """Per question: 1-based rank of the first hit in the top 10, 0 when none."""

    passage: list[int] = field(default_factory=list)  # a chunk containing the answer span
    document: list[int] = field(default_factory=list)  # any chunk of the right document


@dataclass(frozen=True)
class Run:
    ranks: dict[Mode, Ranks]
    latencies_ms: list[float]


def _first_rank(top: np.ndarray, relevant: np.ndarray) -> int:
    found = np.flatnonzero(relevant[top])
    return int(found[0]) + 1 if len(found) else 0


def _ranked(index: LoadedIndex, text: str, qvec: np.ndarray, m: Mode, sentences: SentenceVectors | None) -> list[int]:
    if m.sentence_dense <= 0:
        return rank_scored(index, text, qvec, m.method, TOP).order
    if sentences is None:
        return []
    r = rank_scored(index, text, qvec, m.method, RERANK_DEPTH)
    return with_sentences(r.order, r.fused, sentences.best(qvec, r.order), m.sentence_dense)[:TOP]


def evaluate(
    index: LoadedIndex,
    embedder: Embedder,
    questions: Sequence[Question],
    wanted: Sequence[Mode],
    sentences: SentenceVectors | None = None,
) -> Run:
    """Embed each question once, rank with every mode; time embedding + the baseline's ranking (top 10)."""
    files = np.array([sc.chunk.file for sc in index.chunks])
    starts = np.array([sc.chunk.char_start for sc in index.chunks])
    ends = np.array([sc.chunk.char_end for sc in index.chunks])
    rank_scored(index, "Hva er oppvarming?", embedder.embed_query("Hva er oppvarming?"), BASELINE.method, TOP)  # warm-up
    ranks = {m: Ranks() for m in wanted}
    latencies: list[float] = []
    for q in questions:
        t = time.perf_counter()
        qvec = embedder.embed_query(q.text)
        rank_scored(index, q.text, qvec, BASELINE.method, TOP)
        latencies.append((time.perf_counter() - t) * 1000)
        in_doc = files == q.doc.file
        has_answer = in_doc & (starts <= q.start) & (ends >= q.end)
        for m in wanted:
            top = np.array(_ranked(index, q.text, qvec, m, sentences), dtype=np.int64)
            ranks[m].passage.append(_first_rank(top, has_answer))
            ranks[m].document.append(_first_rank(top, in_doc))
    return Run(ranks, latencies)


def reciprocal(ranks: Sequence[int]) -> np.ndarray:
    r = np.asarray(ranks, dtype=np.float64)
    return np.where(r > 0, 1.0 / np.maximum(r, 1), 0.0)


def recall(ranks: Sequence[int], k: int) -> float:
    r = np.asarray(ranks)
    return float(((r > 0) & (r <= k)).mean())


def metric_cells(ranks: Sequence[int]) -> list[str]:
    return [f"{recall(ranks, k):.3f}" for k in KS] + [f"{reciprocal(ranks).mean():.3f}"]


def unreachable(index: LoadedIndex, questions: Sequence[Question]) -> int:
    """Questions whose answer span no single chunk contains (it straddles a chunk boundary)."""
    by_file: dict[str, list[tuple[int, int]]] = {}
    for sc in index.chunks:
        by_file.setdefault(sc.chunk.file, []).append((sc.chunk.char_start, sc.chunk.char_end))
    return sum(not any(a <= q.start and q.end <= b for a, b in by_file[q.doc.file]) for q in questions)


def chunk_stats(index: LoadedIndex) -> tuple[int, float]:
    n = len(index.chunks)
    return n, statistics.fmean(word_count(sc.chunk.text) for sc in index.chunks) if n else 0.0


# --------------------------------------------------------------------------- report


def _split_cells(r: np.ndarray, base: np.ndarray, mask: np.ndarray, is_base: bool) -> list[str]:
    a, b = reciprocal(r[mask]), reciprocal(base[mask])
    if not len(a):
        return ["–", "–", ""]
    delta = "(baseline)" if is_base else paired_bootstrap(a, b, resamples=RESAMPLES, seed=SEED).format()
    return [f"{recall(r[mask], 1):.3f}", f"{a.mean():.3f}", delta]


def mode_table(run: Run, baseline: Mode, tuning: np.ndarray) -> str:
    """Per mode: tuning half, held-aside half, all questions (R@1, MRR@10, ΔMRR@10 against the baseline)."""
    base = np.asarray(run.ranks[baseline].passage)
    rows = []
    for m, rk in run.ranks.items():
        r = np.asarray(rk.passage)
        is_base = m == baseline
        rows.append([m.label, *_split_cells(r, base, tuning, is_base), *_split_cells(r, base, ~tuning, is_base),
                     *metric_cells(rk.passage), _split_cells(r, base, np.ones_like(tuning), is_base)[2]])
    header = ["mode", "tune R@1", "tune MRR@10", "tune Δ [95 % CI]", "held R@1", "held MRR@10", "held Δ [95 % CI]",
              "all R@1", "all R@5", "all R@10", "all MRR@10", "all Δ [95 % CI]"]
    return markdown_table(header, rows)


def document_table(run: Run) -> str:
    rows = [[m.label, *metric_cells(r.document)] for m, r in run.ranks.items()]
    return markdown_table(["mode", "doc R@1", "doc R@5", "doc R@10", "doc MRR@10"], rows)


@dataclass(frozen=True)
class Variant:
    chunk_settings: ChunkSettings
    chunks: int
    mean_words: float
    unreachable: int
    build: BuildInfo
    ranks: list[int]


def measure_variant(
    corpus: Path,
    folder: Path,
    chunk_settings: ChunkSettings,
    docs: Sequence[Document],
    embedder: Embedder,
    questions: Sequence[Question],
    mode: Mode,
) -> Variant:
    """Index the corpus with other chunk settings into `folder` and rank with one mode."""
    build = ensure_index(corpus, folder, chunk_settings)
    index = load_index(folder)
    verify_chunks(index, docs)
    n_chunks, mean_words = chunk_stats(index)
    ranks = evaluate(index, embedder, questions, [mode]).ranks[mode].passage
    return Variant(chunk_settings, n_chunks, mean_words, unreachable(index, questions), build, ranks)


def variant_table(variants: Sequence[Variant], baseline: list[int]) -> str:
    base = reciprocal(baseline)
    rows = []
    for v in variants:
        cs = v.chunk_settings
        interval: Interval = paired_bootstrap(reciprocal(v.ranks), base, resamples=RESAMPLES, seed=SEED)
        rows.append(
            [
                f"{cs.target_words}/{cs.max_words}",
                str(v.chunks),
                f"{v.mean_words:.0f}",
                str(v.unreachable),
                *metric_cells(v.ranks),
                "(default)" if cs == ChunkSettings() else interval.format(),
                f"{v.build.seconds:.0f} s",
            ]
        )
    header = ["target/max words", "chunks", "mean words", "unreachable", "R@1", "R@5", "R@10", "MRR@10"]
    return markdown_table([*header, "ΔMRR@10 [95 % CI]", "build"], rows)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--limit", type=int, default=None, help="only the first N questions (and their documents)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--data", type=Path, default=None, help="NorQuAD validation.json (default: shared/data/norquad)")
    p.add_argument("--variants", action="store_true", help="also compare chunk sizes (one index per size)")
    return p.parse_args(argv)


@contextmanager
def _timed(label: str) -> Iterator[None]:
    t = time.perf_counter()
    yield
    print(f"{label}: {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data = args.data or shared_dir() / "data" / "norquad" / "validation.json"
    docs, questions = load_norquad(data)
    tune_names = tuning_docs(docs)
    n_questions, n_docs = len(questions), len(docs)
    out: Path = args.out if args.limit is None else args.out / f"limit-{args.limit}"
    if args.limit is not None:
        questions = questions[: args.limit]
        used = {q.doc.name for q in questions}
        docs = [d for d in docs if d.name in used]
    corpus, index_dir = out / "corpus", out / "index"

    write_corpus(docs, corpus)
    verify_mapping(questions, corpus)
    build = ensure_index(corpus, index_dir, ChunkSettings())
    index = load_index(index_dir)
    verify_chunks(index, docs)
    embedder = query_embedder(Settings(corpus=corpus, index=index_dir), index)

    baseline = BASELINE
    tuning = np.array([q.doc.name in tune_names for q in questions])
    load_before = load_average()
    with _timed("sentence vectors"):
        sents = sentence_vectors(index, embedder, out / "sentences")
    with _timed("scoring"):
        run = evaluate(index, embedder, questions, modes(), sents)
    load_after = load_average()
    n_chunks, mean_words = chunk_stats(index)
    lost = unreachable(index, questions)

    variants: list[Variant] = []
    if args.variants:
        for target, max_words in CHUNK_VARIANTS:
            cs = ChunkSettings(target_words=target, max_words=max_words)
            if cs == ChunkSettings():  # the library default: the index above
                variants.append(Variant(cs, n_chunks, mean_words, lost, build, run.ranks[baseline].passage))
            else:
                folder = out / f"index-t{target}-m{max_words}"
                variants.append(measure_variant(corpus, folder, cs, docs, embedder, questions, baseline))

    command = "python bench/retrieval.py" + " ".join(["", *(argv if argv is not None else sys.argv[1:])])
    latency = statistics.median(run.latencies_ms)
    lines = [
        f"# NorQuAD retrieval, {time.strftime('%Y-%m-%d')}",
        "",
        f"- command: `{command.strip()}`",
        f"- machine: {machine()}",
        f"- data: {data.name}, {len(questions)} of {n_questions} questions over {len(docs)} of {n_docs} distinct "
        f"documents",
        f"- embedder: {index.manifest.embedder_id} ({index.manifest.embedder_version}); chunker "
        f"{index.manifest.chunker}",
        f"- index: {n_chunks} chunks, mean {mean_words:.0f} words; build {build.describe()}",
        f"- split (seed {SPLIT_SEED}, by document): tuning {int(tuning.sum())} questions over "
        f"{len({q.doc.name for q in questions if q.doc.name in tune_names})} documents, held aside "
        f"{int((~tuning).sum())} over {len({q.doc.name for q in questions if q.doc.name not in tune_names})}",
        f"- sentence vectors (bench only): {len(sents.owner)} sentences embedded in {sents.seconds:.0f} s; "
        f"same-run sample of {SENTENCE_SAMPLE} chunks: {sents.sample_passage_s:.1f} s as passages, "
        f"{sents.sample_sentence_s:.1f} s as sentences (indexing would take "
        f"{100 * sents.sample_sentence_s / sents.sample_passage_s:.0f} % longer)",
        f"- answers no single chunk contains (straddling a boundary, a miss in every mode): {lost}",
        f"- median query latency (embedding + {baseline.label} + top {TOP}, warm): {latency:.1f} ms "
        f"(p90 {np.percentile(run.latencies_ms, 90):.1f} ms; "
        f"1-min load average {load_before:.1f} before and {load_after:.1f} after scoring)",
        "",
        "## Passage hits (a returned chunk contains the answer span)",
        "",
        f"ΔMRR@10: paired bootstrap over questions ({RESAMPLES} resamples, seed {SEED}); * = interval excludes 0.",
        "",
        mode_table(run, baseline, tuning),
        "",
        "## Right document in the top k (looser)",
        "",
        document_table(run),
    ]
    if variants:
        lines += [
            "",
            f"## Chunk size ({baseline.label}; min_words {ChunkSettings().min_words})",
            "",
            variant_table(variants, run.ranks[baseline].passage),
        ]
    report = "\n".join(lines) + "\n"
    (out / "report.md").write_text(report, encoding="utf-8")
    results = {
        "questions": [q.qid for q in questions],
        "modes": {m.label: {"passage": r.passage, "document": r.document} for m, r in run.ranks.items()},
        "latencies_ms": run.latencies_ms,
    }
    (out / "results.json").write_text(json.dumps(results), encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
