"""Warm latency of `litsok mcp` tool calls, through the SDK's own stdio client.

    .venv/bin/python bench/mcp_latency.py [--calls N] [--korpus DIR --indeks DIR]

1. Without --korpus/--indeks the demo corpus (`corpus/`) is copied to `bench/out/mcp/corpus`
   and indexed into `bench/out/mcp/index` (incremental: a rerun embeds nothing).
2. One server is started (`python -m litsok.cli mcp`, this tree's `src/` on PYTHONPATH), the
   time to a completed handshake and to the first answer is taken, then every tool is warmed
   on its inputs (one pass), then N calls per tool are timed, cycling through the inputs:
   `sok` through the 14 questions of tests/data/sporsmal.json, `vis` through their pages, the
   other tools on fixed inputs. A call is timed from the client's send to its parsed result,
   so the time includes JSON-RPC over the pipes, argument and output validation and the
   text rendering.
3. Each timed call is followed by the same work in this process (the functions the tools
   call, no MCP), so both see the same load: the difference is what the protocol adds.

Prints a Markdown table (median and p95 in ms) and writes `bench/out/mcp/results.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import REPO_ROOT, load_average, machine, markdown_table

OUT = REPO_ROOT / "bench" / "out" / "mcp"
SRC = REPO_ROOT / "src"
QUESTIONS = json.loads((REPO_ROOT / "tests" / "data" / "sporsmal.json").read_text(encoding="utf-8"))
CLAIM = "Klienten våger seg først inn i en hjelpende relasjon når han føler seg forstått."
DRAFT = (
    "Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s. 22).\n\n"
    "Empati er evnen til å sette seg inn i klientens opplevelse (Røkenes & Hanssen, 2012, s. 181).\n\n"
    "Forskning må være etterprøvbar (Dalland, 2020, s. 54).\n"
)


def inputs() -> dict[str, list[dict[str, Any]]]:
    """The arguments each tool is called with, cycled through."""
    return {
        "sok": [{"question": q["sporsmal"], "k": 5} for q in QUESTIONS],
        "vis": [{"key": q["kilde"], "page": q["side"]} for q in QUESTIONS],
        "kilder": [{}],
        "referanser": [{"keys": []}, {"keys": ["biestek1972"]}],
        "siter": [{"claim": CLAIM, "k": 3}],
        "sjekk": [{"text": DRAFT}],
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def prepare(corpus: Path | None, index: Path | None) -> tuple[Path, Path]:
    if corpus and index:
        return corpus, index
    from litsok.config import Settings
    from litsok.library import index_corpus

    corpus, index = OUT / "corpus", OUT / "index"
    if not corpus.exists():
        shutil.copytree(REPO_ROOT / "corpus", corpus)
    t = time.perf_counter()
    report = index_corpus(Settings(corpus=corpus, index=index))
    print(f"indeks: {report.chunks} biter, {report.embedded} bygd inn på {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return corpus, index


def direct_bodies(corpus: Path, index: Path) -> dict[str, Callable[[dict[str, Any]], object]]:
    """The same work without MCP: the functions the tools call, in this process."""
    from litsok import mcp_server as m
    from litsok.config import Settings

    s = Settings(corpus=corpus, index=index)
    return {
        "sok": lambda a: m.search_passages(s, a["question"], a["k"], []),
        "vis": lambda a: m.show_page(s, a["key"], a["page"]),
        "kilder": lambda a: m.list_sources(s),
        "referanser": lambda a: m.reference_list(s, a["keys"], "tekst"),
        "siter": lambda a: m.support_claim(s, a["claim"], a["k"]),
        "sjekk": lambda a: m.check_text(s, a["text"]),
    }


async def measure(corpus: Path, index: Path, calls: int) -> dict[str, Any]:
    """Each timed MCP call is followed by the same work timed in this process, so both
    see the same load on a shared machine."""
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    direct = direct_bodies(corpus, index)
    args = ["-m", "litsok.cli", "mcp", "--korpus", str(corpus), "--indeks", str(index)]
    params = StdioServerParameters(command=sys.executable, args=args, env={"PYTHONPATH": str(SRC)}, cwd=OUT)
    t0 = time.perf_counter()
    async with Client(params, read_timeout_seconds=300) as client:
        handshake = time.perf_counter() - t0
        t = time.perf_counter()
        first = await client.call_tool("sok", {"question": QUESTIONS[0]["sporsmal"]})
        first_call = time.perf_counter() - t
        assert not first.is_error, first.content
        mcp: dict[str, list[float]] = {}
        local: dict[str, list[float]] = {}
        for name, args_list in inputs().items():
            for a in args_list:  # warm: one pass over the inputs, both ways
                result = await client.call_tool(name, a)
                assert not result.is_error, (name, result.content)
                direct[name](a)
            mcp[name], local[name] = [], []
            for i in range(calls):
                a = args_list[i % len(args_list)]
                t = time.perf_counter()
                await client.call_tool(name, a)
                mcp[name].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                direct[name](a)
                local[name].append((time.perf_counter() - t) * 1000)
    return {"handshake_s": handshake, "first_call_s": first_call, "ms": mcp, "in_process_ms": local}


def main() -> None:
    import anyio

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--korpus", type=Path)
    ap.add_argument("--indeks", type=Path)
    a = ap.parse_args()
    sys.path.insert(0, str(SRC))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    OUT.mkdir(parents=True, exist_ok=True)
    corpus, index = prepare(a.korpus, a.indeks)
    load_before = load_average()
    mcp = anyio.run(measure, corpus.resolve(), index.resolve(), a.calls)
    local = mcp["in_process_ms"]
    rows = []
    for name, ms in mcp["ms"].items():
        direct = statistics.median(local[name])
        rows.append([
            f"`{name}`", str(len(ms)), f"{statistics.median(ms):.1f}", f"{percentile(ms, 0.95):.1f}",
            f"{direct:.1f}", f"{statistics.median(ms) - direct:+.1f}",
        ])
    print(f"{machine()}; load average {load_before:.2f} → {load_average():.2f}")
    print(f"Oppstart til fullført håndtrykk: {mcp['handshake_s']:.2f} s; første `sok`: {mcp['first_call_s'] * 1000:.0f} ms\n")
    print(markdown_table(["verktøy", "kall", "median ms", "p95 ms", "uten MCP, median ms", "MCP legger til"], rows))
    results = {"machine": machine(), "load": [load_before, load_average()], **mcp}
    (OUT / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
