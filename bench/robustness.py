"""Hostile-input benchmark: every hostile file of issue 14 at full size, through the CLI.

    .venv/bin/python bench/robustness.py [--only NAME[,NAME]] [--scale S] [--timeout S] [--write]
                                         [--json-out FILE]

The hostile inputs are the generators the regression tests use, at full size: every
`tests/hostile_*.py` has a `CASES = {name: (make, command)}`; `make(folder, scale)` writes the
hostile file (or corpus, or index) into `folder` and returns its path, and `command` is the
litsok command line to run on it, with the placeholders

    {file}    the path make() returned (also a bare `FILE`)
    {corpus}  the folder of that file (or the path itself when it is a folder)
    {index}   a fresh index folder for this case
    {demo}    `--korpus DEMO --indeks DEMO_INDEX`: the bundled demo corpus, indexed once
              (default embedder) before the cases run

A command starting with `2x ` runs twice and the second run is measured (a remembered failure).
A command without `--korpus`/`--indeks` runs with `--korpus {corpus} --indeks {index}` for
`indekser`/`status`, and against the demo library for every other command (`sjekk FILE`, `spør`).

Each case runs once, as its own process (`python -m litsok ...`), with a wall-clock limit; the
table shows its wall time, its peak resident memory (`/usr/bin/time -f %M`), the exit code, the
last line it wrote to stderr and whether it met the targets of issue 14: under 30 s, under 1 GB,
no traceback, and an exit code of 0, 1 or 2 (the README's codes). `--write` puts the table into
docs/robustness.md between the bench/robustness markers.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from common import REPO_ROOT, load_average, machine, markdown_table, write_between_markers

TESTS = REPO_ROOT / "tests"
DEMO_CORPUS = REPO_ROOT / "corpus"
DOC = REPO_ROOT / "docs" / "robustness.md"
LIMIT_S = 30.0
LIMIT_MB = 1024.0
DOCUMENTED_EXITS = {0, 1, 2}


@dataclass(frozen=True)
class Outcome:
    area: str
    case: str
    command: str
    seconds: float
    peak_mb: float
    exit_code: int | None  # None: killed at the timeout
    message: str
    traceback: bool
    embedding_s: float | None = None  # of `seconds`, the time the model spent embedding passages

    @property
    def ok(self) -> bool:
        return (
            self.exit_code in DOCUMENTED_EXITS
            and not self.traceback
            and self.seconds < LIMIT_S
            and self.peak_mb < LIMIT_MB
        )


def load_cases() -> dict[tuple[str, str], tuple[object, str]]:
    """Every (area, case) of tests/hostile_*.py."""
    sys.path.insert(0, str(TESTS))
    out: dict[tuple[str, str], tuple[object, str]] = {}
    for path in sorted(TESTS.glob("hostile_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        area = path.stem.removeprefix("hostile_")
        for name, (make, command) in getattr(module, "CASES", {}).items():
            out[(area, name)] = (make, command)
    return out


def run(argv: list[str], timeout: float, cwd: Path) -> tuple[float, float, int | None, str, str]:
    """Run one litsok process under /usr/bin/time: (seconds, peak RSS in MB, exit code or None, stderr, stdout).

    /usr/bin/time reports the peak of the litsok process alone (a child forked from this
    benchmark would also count the memory the benchmark held at the fork)."""
    err_path, out_path, time_path = cwd / "stderr.txt", cwd / "stdout.txt", cwd / "time.txt"
    with open(err_path, "wb") as err, open(out_path, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-o", str(time_path), "-f", "%M", *argv], stdout=out, stderr=err,
                                start_new_session=True)
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = None
        seconds = time.perf_counter() - t0
    lines = time_path.read_text().split() if time_path.exists() else []
    peak_mb = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else 0.0
    return (seconds, peak_mb, code, err_path.read_text(encoding="utf-8", errors="replace"),
            out_path.read_text(encoding="utf-8", errors="replace"))


def embedding_seconds(stdout: str) -> float | None:
    """The «innebygging N s» of `indekser`'s «tid:» line: the time the model took."""
    m = re.search(r"innebygging\s+([0-9.]+)\s*s", stdout)
    return float(m.group(1)) if m else None


def demo_index(work: Path) -> tuple[Path, Path]:
    corpus, index = work / "demo-corpus", work / "demo-index"
    shutil.copytree(DEMO_CORPUS, corpus)
    subprocess.run([sys.executable, "-m", "litsok", "indekser", "--korpus", str(corpus), "--indeks", str(index)],
                   check=True, capture_output=True)
    return corpus, index


def command_line(command: str, path: Path, index: Path, demo: tuple[Path, Path]) -> list[str]:
    corpus = path if path.is_dir() else path.parent
    filled = (
        command.replace("{demo}", f"--korpus {demo[0]} --indeks {demo[1]}")
        .replace("{file}", str(path))
        .replace("{corpus}", str(corpus))
        .replace("{index}", str(index))
    )
    args = [str(path) if a == "FILE" else a for a in filled.split()]
    if "--korpus" not in args and "--indeks" not in args:
        if args[0] in ("indekser", "status", "index"):
            args += ["--korpus", str(corpus), "--indeks", str(index)]
        else:  # a question or a draft against the demo library
            args += ["--korpus", str(demo[0]), "--indeks", str(demo[1])]
    return [sys.executable, "-m", "litsok", *args]


def last_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated case names")
    ap.add_argument("--skip-area", default="zotero", help="comma-separated areas left out (default: zotero, "
                    "whose `indekser --zotero` is not wired yet)")
    ap.add_argument("--scale", type=float, default=1.0, help="size of the hostile inputs (1.0 = the issue's)")
    ap.add_argument("--timeout", type=float, default=120.0, help="kill a case after this many seconds")
    ap.add_argument("--write", action="store_true", help="write the table into docs/robustness.md")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()

    cases = load_cases()
    only = {x for x in args.only.split(",") if x}
    outcomes: list[Outcome] = []
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="litsok-robust-") as tmp:
        work = Path(tmp)
        demo = demo_index(work)
        for (area, name), (make, command) in cases.items():
            if (only and name not in only) or area in args.skip_area.split(","):
                continue
            folder = work / area / name
            folder.mkdir(parents=True)
            path = make(folder, args.scale)  # type: ignore[operator]
            twice = command.startswith("2x ")
            argv = command_line(command.removeprefix("2x "), Path(path), folder / "index-out", demo)
            logs = work / "logs" / f"{area}-{name}"
            logs.mkdir(parents=True)
            if twice:  # the first run sets the scene (e.g. a failure to remember); the second is measured
                run(argv, args.timeout, logs)
            seconds, peak, code, stderr, stdout = run(argv, args.timeout, logs)
            shown = ("2x " if twice else "") + " ".join(argv[3:]).replace(str(work), "…")
            o = Outcome(area, name, shown, seconds, peak, code,
                        last_line(stderr).replace(str(work), "…"), "Traceback (most recent call last)" in stderr,
                        embedding_seconds(stdout))
            outcomes.append(o)
            print(f"{area}/{name}: {seconds:.1f} s, {peak:.0f} MB, exit {code}, {'ok' if o.ok else 'FAIL'}",
                  file=sys.stderr)
            shutil.rmtree(folder, ignore_errors=True)

    rows = [
        [
            f"{o.area}/{o.case}",
            f"{o.seconds:.1f}" if o.exit_code is not None else f"> {args.timeout:.0f} (drept)",
            f"{o.embedding_s:.1f}" if o.embedding_s is not None else "",
            f"{o.peak_mb:.0f}",
            str(o.exit_code),
            "ja" if o.ok else "**nei**",
            (o.message[:140] + "…" if len(o.message) > 140 else o.message).replace("|", "\\|"),
        ]
        for o in outcomes
    ]
    passed = sum(o.ok for o in outcomes)
    report = "\n".join([
        f"Kjørt {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} på {machine()}, load {load_before:.1f} før start; "
        f"størrelse {args.scale:g} × issue 14 sine filer. Kommando: `.venv/bin/python bench/robustness.py`.",
        "",
        f"**{passed} av {len(outcomes)}** tilfeller innenfor målet (< {LIMIT_S:.0f} s, < {LIMIT_MB:.0f} MB, "
        "ingen traceback, avslutningskode 0/1/2).",
        "",
        markdown_table(["tilfelle", "s", "av det innebygging s", "MB (maks RSS)", "kode", "innenfor", "siste linje på stderr"],
                       rows, align="lrrrrll"),
    ])
    print(report)
    if args.json_out:
        args.json_out.write_text(json.dumps([asdict(o) | {"ok": o.ok} for o in outcomes], ensure_ascii=False, indent=2),
                                 encoding="utf-8")
    if args.write:
        write_between_markers(DOC, "robustness", report, "Robusthet: fiendtlige filer")


if __name__ == "__main__":
    main()
