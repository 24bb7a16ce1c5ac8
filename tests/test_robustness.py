"""Faults and the commands around the index: killed and concurrent runs, vis,
status, many questions, watch mode, litsok.toml."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litsok.cli import app
from litsok.config import Settings, load_settings
from litsok.index import CURRENT, load_index
from litsok.library import index_corpus, status
from litsok.watch import watch

runner = CliRunner()
SLOW = [sys.executable, str(Path(__file__).parent / "slow_indexer.py")]


def _many_notes(corpus: Path, n: int) -> None:
    for i in range(n):
        (corpus / "notater" / f"ekstra{i:03d}.md").write_text(
            f"---\nkilde: biestek1972\n---\n## s. {200 + i}\nEkstra notat nummer {i} om tillit og samarbeid.\n",
            encoding="utf-8",
        )


def _wait_for_lock_holder(index: Path, proc: subprocess.Popen, timeout: float = 20) -> None:
    lock = index / ".lock"
    end = time.time() + timeout
    while time.time() < end:
        if lock.exists() and lock.read_text().strip() == str(proc.pid):
            return
        time.sleep(0.05)
    raise AssertionError("the indexer never took the lock")


def test_killed_indexer_leaves_previous_index_usable_and_next_run_finishes(settings):
    index_corpus(settings)
    before = (settings.index / CURRENT).read_text()
    _many_notes(settings.corpus, 60)  # ~4 batches of slow embedding
    args = ["indekser", "--modell", "test-slow", "--korpus", str(settings.corpus), "--indeks", str(settings.index)]
    proc = subprocess.Popen([*SLOW, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_lock_holder(settings.index, proc)
    time.sleep(0.6)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (settings.index / CURRENT).read_text() == before
    res = runner.invoke(app, ["spør", "aksept", "-k", "1", "--korpus", str(settings.corpus), "--indeks", str(settings.index)])
    assert res.exit_code == 0 and "(Biestek, 1972, s. 28–29)" in res.stdout
    report = index_corpus(settings)  # the lock died with the process
    assert report.chunks == 65
    # the killed run's half-written generation is gone; the new one and the one before it stay
    assert sorted(p.name for p in settings.index.iterdir() if p.name.startswith("gen-")) == sorted(
        [(settings.index / CURRENT).read_text().strip(), before.strip()]
    )


def test_concurrent_second_run_is_refused_with_a_clear_message(settings):
    _many_notes(settings.corpus, 40)
    args = ["indekser", "--modell", "test-slow", "--korpus", str(settings.corpus), "--indeks", str(settings.index)]
    first = subprocess.Popen([*SLOW, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_lock_holder(settings.index, first)
        second = subprocess.run([*SLOW, *args], capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "En annen `litsok indekser` skriver allerede" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        assert first.wait(timeout=60) == 0
    assert len(load_index(settings.index).chunks) == 45


def _cli(settings, *argv, input=None):
    return runner.invoke(app, [*argv, "--korpus", str(settings.corpus), "--indeks", str(settings.index)], input=input)


def test_vis_shows_the_whole_page(settings):
    index_corpus(settings)
    res = _cli(settings, "vis", "biestek1972", "29")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0] == "(Biestek, 1972, s. 29) Klient-sosialarbeider-relasjonen"
    assert "s. 28–29 · notater/biestek.md" in lines[1]
    assert "Aksept betyr at sosialarbeideren" in res.stdout
    res = _cli(settings, "vis", "biestek1972", "500")
    assert res.exit_code == 1 and "Sider som finnes: 22, 28–29" in res.stderr


@pytest.mark.parametrize("asked", ["28-29", "s. 28–29", "29-30", "21-28"])
def test_vis_takes_the_page_range_of_a_citation(settings, asked):
    """`vis` is given what a citation says, «s. 28–29»; a range finds every page it overlaps."""
    index_corpus(settings)
    res = _cli(settings, "vis", "biestek1972", asked)
    assert res.exit_code == 0, res.stderr
    assert "s. 28–29 · notater/biestek.md" in res.stdout


@pytest.mark.parametrize("asked", ["9" * 5000, "1-" + "9" * 5000, "30-31"])
def test_vis_of_a_page_that_is_not_there_says_which_pages_are(settings, asked):
    index_corpus(settings)
    res = _cli(settings, "vis", "biestek1972", asked)
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit)
    assert "Sider som finnes: 22, 28–29" in res.stderr


def test_status_reports_staleness(settings):
    index_corpus(settings)
    assert not status(settings).is_stale
    (settings.corpus / "notater" / "ny.md").write_text("---\nkilde: biestek1972\n---\n## s. 9\nNy.\n", encoding="utf-8")
    (settings.corpus / "notater" / "leseth.md").unlink()
    st = status(settings)
    assert (st.stale_new, st.stale_removed) == (("notater/ny.md",), ("notater/leseth.md",))
    data = json.loads(_cli(settings, "status", "--json").stdout)
    assert data["utdatert"] is True and data["modell"] == "test-hash" and data["biter"] == 5


def test_many_questions_from_a_file_give_json_lines(settings, tmp_path):
    index_corpus(settings)
    qfile = tmp_path / "spm.txt"
    qfile.write_text("Hva betyr aksept?\n\n# en kommentar\nHva er empati?\n   \n", encoding="utf-8")
    res = _cli(settings, "spør", "--fra", str(qfile), "-k", "1")
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["spørsmål"] for r in rows] == ["Hva betyr aksept?", "Hva er empati?"]
    assert [r["treff"][0]["citation"] for r in rows] == ["(Biestek, 1972, s. 28–29)", "(Røkenes & Hanssen, 2012, s. 181)"]
    res = _cli(settings, "spør", "--fra", "-", "-k", "1", input="Hva betyr aksept?\n")
    assert json.loads(res.stdout)["treff"][0]["source_key"] == "biestek1972"


def test_watch_reindexes_after_a_change(settings):
    reports = []
    rounds = iter(range(100))

    def fake_sleep(_):
        if next(rounds) == 1:  # between two polls, the student saves a new note
            (settings.corpus / "notater" / "ny.md").write_text(
                "---\nkilde: biestek1972\n---\n## s. 9\nNy tekst.\n", encoding="utf-8"
            )

    for r in watch(settings, lambda: index_corpus(settings), interval=0, max_rounds=6, sleep=fake_sleep):
        reports.append(r)
    assert [r.chunks for r in reports] == [5, 6]
    assert reports[1].new == ("notater/ny.md",) and reports[1].embedded == 1


def _export_mid_write(settings, *, new_note=False, interrupt_at=None):
    """A fake `sleep` for watch mode: at the 2nd sleep Zotero has written only the first
    40 bytes of kilder.bib (and, with new_note, the student saves a note); at the 4th
    the export is whole again; at `interrupt_at` she presses Ctrl-C."""
    bib = settings.corpus / "kilder.bib"
    whole = bib.read_text(encoding="utf-8")
    sleeps = iter(range(100))

    def fake_sleep(_):
        n = next(sleeps)
        if n == 1:
            bib.write_text(whole[:40], encoding="utf-8")
            if new_note:
                (settings.corpus / "notater" / "ny.md").write_text(
                    "---\nkilde: biestek1972\n---\n## s. 9\nNy tekst.\n", encoding="utf-8"
                )
        if n == 3:
            bib.write_text(whole, encoding="utf-8")
        if n == interrupt_at:
            raise KeyboardInterrupt

    return fake_sleep


def test_watch_waits_out_a_half_written_bibliography(settings):
    """Zotero's auto-export rewrites kilder.bib while `overvåk` runs: the broken moment
    is reported, watching goes on, and the index is rebuilt once the file is whole."""
    fake_sleep = _export_mid_write(settings, new_note=True)
    results = list(watch(settings, lambda: index_corpus(settings), interval=0, max_rounds=6, sleep=fake_sleep))
    assert [type(r).__name__ for r in results] == ["IndexReport", "BibliographyError", "IndexReport"]
    assert "kilder.bib" in results[1].message
    assert results[2].new == ("notater/ny.md",)
    assert results[2].chunks == results[0].chunks + 1


def test_watch_cli_goes_on_after_an_error_and_speaks_json(settings, monkeypatch):
    """`overvåk --json`: one JSON line per event; an error is an event, not the end."""
    from litsok import watch as watch_module

    monkeypatch.setattr(watch_module.time, "sleep", _export_mid_write(settings, interrupt_at=8))
    res = _cli(settings, "overvåk", "--json", "--modell", "test-hash")
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert [e["hendelse"] for e in events] == ["indeksert", "feil", "indeksert"]
    assert "kilder.bib" in events[1]["feil"] and events[2]["biter"] == events[0]["biter"]
    assert res.exit_code == 130


def test_litsok_toml_sets_paths_and_flags_override(settings, isolated_cwd):
    (isolated_cwd / "litsok.toml").write_text(
        f'korpus = "{settings.corpus}"\nindeks = "{settings.index}"\nmodell = "test-hash"\nantall = 2\n',
        encoding="utf-8",
    )
    loaded = load_settings()
    assert loaded == Settings(corpus=settings.corpus, index=settings.index, embedder="test-hash", k=2)
    assert runner.invoke(app, ["indekser"]).exit_code == 0
    hits = json.loads(runner.invoke(app, ["spør", "aksept", "--json"]).stdout)
    assert len(hits) == 2
    hits = json.loads(runner.invoke(app, ["spør", "aksept", "--json", "-k", "1"]).stdout)
    assert len(hits) == 1
    (isolated_cwd / "litsok.toml").write_text('farge = "rød"\n', encoding="utf-8")
    res = runner.invoke(app, ["spør", "aksept"])
    assert res.exit_code == 1 and "ukjent innstilling «farge»" in res.stderr


def test_siter_reads_many_claims_and_prints_json_lines(settings):
    index_corpus(settings)
    claims = "Aksept betyr at sosialarbeideren tar imot klienten slik hun er.\n\nEmpati er evnen til å sette seg inn i klientens opplevelse.\n"
    res = _cli(settings, "siter", "--fra", "-", input=claims)
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["påstand"] for r in rows] == [c for c in claims.splitlines() if c]
    assert rows[0]["treff"][0]["henvisning"] == "(Biestek, 1972, s. 28–29)"
    assert rows[1]["treff"][0]["henvisning"] == "(Røkenes & Hanssen, 2012, s. 181)"
    assert rows[0]["sitat"] is True  # eight words copied from the note: must be a quotation


def test_siter_without_claim_or_file_says_what_to_do(settings):
    index_corpus(settings)
    res = _cli(settings, "siter")
    assert res.exit_code == 1 and "Skriv en påstand" in res.stderr


def test_questions_while_the_index_is_rebuilt_never_fail(settings):
    """Issue 14, item 6: `spør` (fresh processes and one long-lived reader) while
    `indekser --alt` runs again and again: no failure, and the long-lived reader
    answers from the new generation once it is there."""
    import threading

    from litsok.library import ask

    index_corpus(settings)
    stop = threading.Event()
    rounds: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for n in range(1, 1000):
                if stop.is_set():
                    return
                (settings.corpus / "notater" / "runde.md").write_text(
                    f"---\nkilde: biestek1972\n---\n## s. {300 + n}\nRundenotat om rundetillit nummer {n}.\n", encoding="utf-8"
                )
                index_corpus(settings, full=True)
                rounds.append(n)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    t = threading.Thread(target=writer)
    t.start()
    base = ["--korpus", str(settings.corpus), "--indeks", str(settings.index)]
    procs = []
    failures = []
    try:
        for i in range(240):  # the long-lived reader (this process)
            try:
                ask(settings, "rundetillit aksept", k=2)
            except Exception as exc:  # noqa: BLE001 - counted
                failures.append(repr(exc))
            if i % 8 == 0:  # and fresh processes
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "litsok.cli", "spør", "rundetillit", "--fusjon", "lexical", "-k", "1", *base],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                ))
        for p in procs:
            out, err = p.communicate(timeout=60)
            if p.returncode != 0:
                failures.append(err.decode())
    finally:
        stop.set()
        t.join(timeout=60)
    assert not errors and not failures, (errors, failures[:3])
    assert len(rounds) >= 2
    last = rounds[-1]
    hits = ask(settings, f"rundetillit nummer {last}", k=1)
    assert hits[0].citation == f"(Biestek, 1972, s. {300 + last})"
