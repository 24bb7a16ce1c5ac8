"""Nothing of the student's is deleted, nothing outside her corpus is read, and
nothing from a file can drive her terminal (issue 14, items 1–4)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import write_note
from pdfmaker import PageSpec, make_pdf
from typer.testing import CliRunner

from litsok.cli import app
from litsok.config import Settings
from litsok.index import CURRENT, GEN_MARKER, INDEX_MARKER, load_index
from litsok.library import index_corpus, status

runner = CliRunner()


def _cli(*args: str):
    return runner.invoke(app, list(args))


def _all_text(index: Path) -> str:
    return "\n".join(sc.chunk.text for sc in load_index(index).chunks)


# ---------------------------------------------------------------- 1. only ever delete what litsok created


def test_index_in_a_folder_with_the_students_own_gen_folders_is_refused_and_nothing_is_deleted(settings, tmp_path):
    home = tmp_path / "oppgave"
    draft = home / "gen-ai-oppgave" / "utkast.md"
    draft.parent.mkdir(parents=True)
    draft.write_text("Mitt utkast, tre måneders arbeid.", encoding="utf-8")
    (home / "gen-20261126T154300-1234-5678").mkdir()  # even a litsok-looking name with her file inside
    (home / "gen-20261126T154300-1234-5678" / "notat.md").write_text("mitt", encoding="utf-8")
    res = _cli("indekser", "--korpus", str(settings.corpus), "--indeks", str(home), "--modell", "test-hash")
    assert res.exit_code == 1
    assert "inneholder filer som ikke er litsoks" in res.stderr and "--indeks" in res.stderr
    assert "gen-ai-oppgave" in res.stderr
    assert draft.read_text(encoding="utf-8") == "Mitt utkast, tre måneders arbeid."
    assert (home / "gen-20261126T154300-1234-5678" / "notat.md").exists()
    assert sorted(p.name for p in home.iterdir()) == ["gen-20261126T154300-1234-5678", "gen-ai-oppgave"]  # not even a lock file


def test_the_corpus_itself_as_index_folder_is_refused(settings):
    theory = settings.corpus / "gen-teori" / "teori.md"
    write_note(settings.corpus, "gen-teori/teori.md", "Teorikapittelet mitt.")
    before = sorted(str(p.relative_to(settings.corpus)) for p in settings.corpus.rglob("*"))
    res = _cli("indekser", "--korpus", str(settings.corpus), "--indeks", str(settings.corpus), "--modell", "test-hash")
    assert res.exit_code == 1 and "ikke er litsoks" in res.stderr
    assert theory.read_text(encoding="utf-8") == "Teorikapittelet mitt."
    assert sorted(str(p.relative_to(settings.corpus)) for p in settings.corpus.rglob("*")) == before


def test_a_folder_of_her_own_inside_a_litsok_index_survives_rebuilds(settings, monkeypatch):
    monkeypatch.setattr("litsok.index.GRACE_SECONDS", 0.0)  # no minute's grace for readers here
    index_corpus(settings)
    mine = settings.index / "gen-mine" / "utkast.md"
    mine.parent.mkdir()
    mine.write_text("eget", encoding="utf-8")
    first = (settings.index / CURRENT).read_text().strip()
    index_corpus(settings, full=True)
    second = (settings.index / CURRENT).read_text().strip()
    index_corpus(settings, full=True)
    assert mine.read_text(encoding="utf-8") == "eget"
    gens = sorted(p.name for p in settings.index.iterdir() if (p / GEN_MARKER).exists())
    # litsok's own oldest generation is gone; the live one and the one before it (for readers) stay
    assert first not in gens and gens == sorted([second, (settings.index / CURRENT).read_text().strip()])


def test_an_index_from_before_the_markers_is_adopted_and_its_old_generations_cleaned(settings, monkeypatch):
    monkeypatch.setattr("litsok.index.GRACE_SECONDS", 0.0)  # no minute's grace for readers here
    index_corpus(settings)
    old = (settings.index / CURRENT).read_text().strip()
    (settings.index / INDEX_MARKER).unlink()
    (settings.index / old / GEN_MARKER).unlink()
    for _ in range(2):  # the generation live before a run is kept one run longer (for readers)
        res = _cli("indekser", "--alt", "--korpus", str(settings.corpus), "--indeks", str(settings.index), "--modell", "test-hash")
        assert res.exit_code == 0, res.output
    assert not (settings.index / old).exists()
    assert (settings.index / INDEX_MARKER).exists()


def test_an_empty_folder_and_a_new_folder_are_fine_index_folders(settings, tmp_path):
    empty = tmp_path / "tom"
    empty.mkdir()
    for folder in (empty, tmp_path / "ny" / "indeks"):
        res = _cli("indekser", "--korpus", str(settings.corpus), "--indeks", str(folder), "--modell", "test-hash")
        assert res.exit_code == 0, res.output
        assert (folder / INDEX_MARKER).exists()


def test_a_file_as_index_folder_is_refused_with_a_message(settings, tmp_path):
    f = tmp_path / "indeks.txt"
    f.write_text("mitt", encoding="utf-8")
    res = _cli("indekser", "--korpus", str(settings.corpus), "--indeks", str(f), "--modell", "test-hash")
    assert res.exit_code == 1 and "er en fil, ikke en mappe" in res.stderr
    assert f.read_text(encoding="utf-8") == "mitt"


# ---------------------------------------------------------------- 2. nothing outside the corpus is read


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "hemmelig" / "passord.txt"
    path.parent.mkdir()
    path.write_text("root:x:0:0 HEMMELIGPASSORD sk-abc123\n", encoding="utf-8")
    return path


def test_symlinks_out_of_the_corpus_are_not_followed_and_each_is_reported(settings, secret):
    notes = settings.corpus / "notater"
    os.symlink(secret, notes / "passwd.md")
    os.symlink(secret.parent, notes / "lenket-mappe")
    if Path("/proc/self/environ").exists():
        os.symlink("/proc/self/environ", notes / "environ.txt")
    os.symlink(notes / "biestek.md", notes / "biestek-lenke.md")  # inside the corpus: fine
    report = index_corpus(settings)
    text = _all_text(settings.index)
    assert "HEMMELIGPASSORD" not in text and "PATH=" not in text
    assert "notater/biestek-lenke.md" in report.new
    joined = "\n".join(report.warnings)
    assert "notater/passwd.md: er en lenke til en fil utenfor korpuset" in joined
    assert "notater/lenket-mappe: er en lenke til en mappe" in joined
    if (notes / "environ.txt").is_symlink():
        assert "notater/environ.txt: er en lenke til en fil utenfor korpuset" in joined
    res = _cli("spør", "HEMMELIGPASSORD root", "--korpus", str(settings.corpus), "--indeks", str(settings.index))
    assert res.exit_code == 0 and "HEMMELIGPASSORD" not in res.stdout


def test_a_fifo_in_the_corpus_is_skipped_not_waited_for(settings):
    os.mkfifo(settings.corpus / "notater" / "kø.md")
    report = index_corpus(settings)
    assert any("notater/kø.md: er ikke en vanlig fil" in w for w in report.warnings)
    assert report.files == 3


def test_a_bib_file_field_outside_the_corpus_is_never_opened(settings, tmp_path, secret):
    outside = tmp_path / "hemmelig" / "leseth2020.pdf"  # a real PDF outside the corpus, named in the bib entry
    make_pdf(outside, [PageSpec(body="HEMMELIGPDF om aktivitetsplikt og unge mottakere.", number="126")])
    bib = settings.corpus / "kilder.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("pages = {126--139},", f"pages = {{126--139}}, file = {{{outside}}},"), encoding="utf-8")
    index_corpus(settings)
    assert "HEMMELIGPDF" not in _all_text(settings.index)
    assert {f.file for f in load_index(settings.index).manifest.files} == {"notater/biestek.md", "notater/rokenes.md", "notater/leseth.md"}


def test_a_file_name_that_is_not_utf8_is_indexed_under_a_readable_name(settings):
    raw = os.fsencode(settings.corpus / "notater") + b"/Sk\xf8yen.md"
    with open(raw, "wb") as fh:
        fh.write("---\nkilde: biestek1972\n---\n## s. 40\nSkøyen-notatet om tillit.\n".encode())
    report = index_corpus(settings)
    assert "notater/Skøyen.md" in report.new
    res = _cli("spør", "Skøyen-notatet tillit", "-k", "1", "--korpus", str(settings.corpus), "--indeks", str(settings.index))
    assert res.exit_code == 0 and "(Biestek, 1972, s. 40)" in res.stdout and "Skøyen.md" in res.stdout


# ---------------------------------------------------------------- 3. no terminal escapes, no markup from files

EVIL = "\x1b[2J\x1b]52;c;aGFjaw==\x07\x1b]8;;http://evil.example/\x1b\\lenke\x1b]8;;\x1b\\\x9b31m\x07\x08"
CONTROLS = ("\x1b", "\x9b", "\x07", "\x08", "\x9d")


@pytest.fixture
def evil_corpus(tmp_path) -> Settings:
    root = tmp_path / "ondt"
    bib = (
        "@book{ond2020, author = {Ond, Olga" + EVIL + "}, year = {2020}, "
        "title = {Tittel [/bold] med [red]markup" + EVIL + "}, publisher = {Forlag :x:}}\n"
    )
    write_note(root, "kilder.bib", bib)
    write_note(
        root,
        "notater/ond" + "\x1b[31m" + ".md",
        "---\nkilde: ond2020\n---\n## s. 12\nTillit bygges sakte" + EVIL + " i møtet :x: [/bold] mellom klient og hjelper.\n",
    )
    write_note(root, "notater/feil.md", "---\nkilde: y[/bold]\n---\n## s. 3\nEn kilde som ikke finnes" + EVIL + ".\n")
    return Settings(corpus=root, index=tmp_path / "ondt-indeks", embedder="test-hash")


@pytest.mark.parametrize(
    "cmd",
    [
        ["indekser"],
        ["spør", "tillit i møtet"],
        ["kilder"],
        ["vis", "ond2020", "12"],
        ["siter", "Tillit bygges sakte i møtet mellom klient og hjelper"],
        ["referanser"],
        ["referanser", "--format", "bibtex"],
        ["status"],
    ],
)
def test_no_control_character_from_a_file_reaches_the_terminal(evil_corpus, cmd):
    base = ["--korpus", str(evil_corpus.corpus), "--indeks", str(evil_corpus.index)]
    index_corpus(evil_corpus)
    res = _cli(*cmd, *base)
    assert res.exit_code in (0, 2), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    out = res.stdout + res.stderr
    for ch in CONTROLS:
        assert ch not in out, (cmd, repr(ch))
    if cmd[0] in ("spør", "vis", "siter"):
        assert "Tillit bygges sakte" in out
    if cmd[0] in ("spør", "vis"):
        assert ":x: [/bold]" in out  # file text printed as text: no emoji, no markup
    if cmd[0] == "kilder":
        assert "Tittel [/bold] med" in out and "[red]markup" in out and "]52;" not in out and "[2J" not in out


def test_the_report_with_markup_in_a_key_does_not_crash(evil_corpus):
    res = _cli("indekser", "--korpus", str(evil_corpus.corpus), "--indeks", str(evil_corpus.index), "--modell", "test-hash")
    assert res.exit_code == 0, res.output
    assert "kilden «y[/bold]» finnes ikke" in res.stdout


@pytest.mark.parametrize("cmd", [["spør", "tillit i møtet"], ["kilder"], ["vis", "ond2020", "12"], ["referanser", "--format", "csl-json"]])
def test_json_escapes_control_characters_and_keeps_the_text(evil_corpus, cmd):
    index_corpus(evil_corpus)
    json_flag = [] if cmd[0] == "referanser" else ["--json"]
    res = _cli(*cmd, *json_flag, "--korpus", str(evil_corpus.corpus), "--indeks", str(evil_corpus.index))
    assert res.exit_code == 0, res.output
    for ch in CONTROLS:
        assert ch not in res.stdout
    data = json.loads(res.stdout)
    assert any("\x1b[2J" in v for v in _strings(data))  # escaped in the output, intact once parsed


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for v in data.values():
            yield from _strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v)


# ---------------------------------------------------------------- 4. what is hashed is what was read


def test_a_bibliography_edited_during_indexing_is_seen_as_changed_next_time(settings, monkeypatch):
    import litsok.sources as sources_mod

    real = sources_mod.load_bibliography
    bib = settings.corpus / "kilder.bib"

    def load_then_edit(paths):
        loaded = real(paths)
        bib.write_text(bib.read_text(encoding="utf-8").replace("year = {1972}", "year = {1973}"), encoding="utf-8")
        return loaded

    monkeypatch.setattr(sources_mod, "load_bibliography", load_then_edit)
    index_corpus(settings)
    monkeypatch.setattr(sources_mod, "load_bibliography", real)
    assert status(settings).bibliography_changed
    index_corpus(settings)
    assert {sc.citation for sc in load_index(settings.index).chunks if sc.chunk.source_key == "biestek1972"} == {
        "(Biestek, 1973, s. 22)", "(Biestek, 1973, s. 28–29)",
    }
    assert not status(settings).is_stale and not status(settings).bibliography_changed


def test_a_note_edited_while_it_is_read_is_read_again_next_time(settings, monkeypatch):
    import litsok.indexing as indexing

    real = indexing._read_file
    note = settings.corpus / "notater" / "rokenes.md"

    def read_then_edit(cf, *args, **kw):
        res = real(cf, *args, **kw)
        if cf.rel == "notater/rokenes.md":
            note.write_text(note.read_text(encoding="utf-8").replace("Empati er", "Empati, ifølge forfatterne, er"), encoding="utf-8")
        return res

    monkeypatch.setattr(indexing, "_read_file", read_then_edit)
    report = index_corpus(settings)
    assert any("notater/rokenes.md: filen ble endret mens den ble lest" in w for w in report.warnings)
    monkeypatch.setattr(indexing, "_read_file", real)
    assert "notater/rokenes.md" in status(settings).stale_changed
    report = index_corpus(settings)
    assert report.changed == ("notater/rokenes.md",)
    assert "Empati, ifølge forfatterne, er" in _all_text(settings.index)


def test_a_file_deleted_during_indexing_is_reported_and_the_rest_indexed(settings, monkeypatch):
    import litsok.indexing as indexing

    real = indexing._hash_or_gone
    gone = settings.corpus / "notater" / "leseth.md"

    def delete_first(path):
        if path == gone and gone.exists():
            shutil.move(gone, gone.with_suffix(".bak"))
        return real(path)

    monkeypatch.setattr(indexing, "_hash_or_gone", delete_first)
    report = index_corpus(settings)
    assert "notater/leseth.md" in report.failed and "forsvant" in report.failed["notater/leseth.md"]
    assert report.files == 2


@pytest.mark.parametrize(
    "toml, words",
    [
        ("litsok = 5\n", "må være en tabell"),
        ("antall = 0\n", "fra 1 til 100"),
        ("antall = true\n", "fra 1 til 100"),
        ("vekt_dense = nan\n", "fra 0 til 1"),
        ("vekt_dense = inf\n", "fra 0 til 1"),
        ("vekt_dense = 7\n", "fra 0 til 1"),
        ("vekt_dense = -5\n", "fra 0 til 1"),
        ("fusjon = \"beste\"\n", "en av hybrid"),
        ('korpus = "a\\u0000b"\n', "NUL"),
        ("korpus = 5\n", "tekst i anførselstegn"),
    ],
)
def test_bad_config_values_are_refused_with_a_message(isolated_cwd, toml, words):
    (isolated_cwd / "litsok.toml").write_text(toml, encoding="utf-8")
    res = _cli("status")
    assert res.exit_code == 1 and words in res.stderr and "litsok.toml" in res.stderr
    assert res.exception is None or isinstance(res.exception, SystemExit)
