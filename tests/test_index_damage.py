"""A damaged index folder (issue 14, item 9) and failures remembered by file hash
(item 11): every command refuses a damaged index with one Norwegian line naming the
file and the fix (exit 1, no traceback), `status` says so, `indekser --alt` (and a
plain `indekser`) repairs it; a file that failed is not read again until it changes."""

from __future__ import annotations

import json
from pathlib import Path

import hostile_index
import numpy as np
import pytest
from typer.testing import CliRunner

from litsok import claim
from litsok.cli import app
from litsok.index import CURRENT, SENTENCE_CACHE, load_index
from litsok.library import index_corpus

runner = CliRunner()
READERS = ("spør", "vis", "kilder", "status")
# Damage only some commands read: the others still work (they never see the damaged file).
ONLY = {
    "vektorer-en-rad-for-lite-registrert": {"spør", "status"},
    "vektorer-feil-dimensjon-registrert": {"spør", "status"},
    "bm25-søppel-samme-størrelse": {"spør", "status"},
    "bm25-ordliste-feil-type-registrert": {"spør", "status"},
    "pages-søppel-registrert": {"vis", "status"},
}
ARGS = {"spør": ["spør", "aksept", "-k", "1"], "vis": ["vis", "biestek1972", "29"], "kilder": ["kilder"], "status": ["status"]}


def _cli(settings, *argv):
    model = ["--modell", "test-hash"] if argv[0] == "indekser" else []
    argv = [*argv, *model, "--korpus", str(settings.corpus), "--indeks", str(settings.index)]
    return runner.invoke(app, argv, env={"COLUMNS": "500"})  # one line per message


def _no_traceback(res) -> None:
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output


def _assert_refused(res, file: str) -> None:
    _no_traceback(res)
    assert res.exit_code == 1, res.output
    line = next(x for x in res.output.splitlines() if "er skadet" in x)
    assert "kjør `litsok indekser --alt`" in line and file in line and "Indeksen i «" in line


def _assert_works(settings) -> None:
    res = _cli(settings, "spør", "aksept", "-k", "1")
    _no_traceback(res)
    assert res.exit_code == 0 and "(Biestek, 1972, s. 28–29)" in res.stdout
    res = _cli(settings, "status")
    assert res.exit_code == 0 and "Oppdatert" in res.stdout and "skadet" not in res.stdout


@pytest.mark.parametrize("kind", sorted(hostile_index.DAMAGES))
def test_damaged_index_is_refused_by_every_reader_and_alt_repairs_it(settings, kind):
    index_corpus(settings)
    file = hostile_index.damage(settings.index, kind)
    for command in READERS:
        res = _cli(settings, *ARGS[command])
        if command in ONLY.get(kind, READERS):
            _assert_refused(res, file)
        else:
            _no_traceback(res)
            assert res.exit_code == 0, (command, res.output)
    res = _cli(settings, "indekser", "--alt")
    _no_traceback(res)
    assert res.exit_code == 0, res.output
    _assert_works(settings)


@pytest.mark.parametrize(
    "kind", ["vektorer-en-rad-for-lite-registrert", "bm25-søppel-samme-størrelse", "pages-søppel-registrert",
             "current-mappe", "manifest-tom-liste", "chunks-feil-type-registrert"],
)
def test_plain_indekser_rebuilds_a_damaged_index_from_scratch_and_says_so(settings, kind, fake_embedders):
    index_corpus(settings)
    hostile_index.damage(settings.index, kind)
    res = _cli(settings, "indekser")
    _no_traceback(res)
    assert res.exit_code == 0, res.output
    notice = [line for line in res.stdout.splitlines() if "var skadet" in line]
    assert len(notice) == 1 and "bygges på nytt fra grunnen" in notice[0]
    assert fake_embedders["test-hash"].calls == 5 + 5  # nothing reused from the damaged index
    _assert_works(settings)


def test_vectors_one_row_short_are_refused_not_used(settings):
    """Even when the manifest agrees with the file (a buggy writer): the row count is checked."""
    index_corpus(settings)
    hostile_index.damage(settings.index, "vektorer-en-rad-for-lite-registrert")
    idx = load_index(settings.index)  # chunks and sources are fine ...
    with pytest.raises(Exception, match=r"vectors\.npy» har 4 vektorer med 64 tall, men indeksen har 5 tekstbiter med 64") as info:
        idx.vectors  # noqa: B018 - ... but the vectors are not used
    assert type(info.value).__name__ == "IndexDamagedError"


def test_status_json_reports_the_damage_with_exit_1(settings):
    index_corpus(settings)
    hostile_index.damage(settings.index, "bm25-søppel-samme-størrelse")
    res = _cli(settings, "status", "--json")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert "er skadet" in data["skadet"] and "bm25" in data["skadet"] and data["indeks_finnes"] is True
    index_corpus(settings, full=True)
    res = _cli(settings, "status", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["skadet"] is None


def test_current_folder_with_content_is_not_deleted(settings):
    index_corpus(settings)
    (settings.index / CURRENT).unlink()
    (settings.index / CURRENT).mkdir()
    (settings.index / CURRENT / "mitt.txt").write_text("min fil", encoding="utf-8")
    res = _cli(settings, "indekser", "--alt")
    _no_traceback(res)
    assert res.exit_code == 1 and "Flytt mappen bort" in res.stderr and "CURRENT" in res.stderr
    assert (settings.index / CURRENT / "mitt.txt").read_text(encoding="utf-8") == "min fil"


# --------------------------------------------------------------------------- the sentence cache


def _cache_file(settings) -> Path:
    files = list((settings.index / SENTENCE_CACHE).glob("*.npz"))
    assert len(files) == 1
    return files[0]


def _siter(settings, monkeypatch):
    monkeypatch.setattr(claim, "_CACHES", {})  # as a new process: the cache is read from disk
    res = _cli(settings, "siter", "Aksept betyr at sosialarbeideren tar imot klienten slik hun er.", "--json")
    _no_traceback(res)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _header_bomb(path: Path) -> None:
    """A cache whose keys.npy header claims 10^12 rows (a few hundred bytes on disk)."""
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for name, like, shape in (("keys.npy", np.zeros(1, "S40"), (10**12,)), ("vectors.npy", np.zeros((1, 64), np.float32), (10**12, 64))):
            header = np.lib.format.header_data_from_array_1_0(like)
            header["shape"] = shape
            with zf.open(name, "w") as fh:
                np.lib.format.write_array_header_1_0(fh, header)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),  # cut short
        lambda p: p.write_bytes(b"PK\x03\x04" + b"\xff" * 100),  # garbage
        lambda p: np.savez(p, keys=np.array([b"a" * 40]), vectors=np.ones((1, 7), np.float32)),  # wrong dimension
        _header_bomb,
    ],
    ids=["avkortet", "søppel", "feil-dimensjon", "header-bombe"],
)
def test_damaged_sentence_cache_is_discarded_and_rebuilt(settings, monkeypatch, fake_embedders, spoil):
    index_corpus(settings)
    first = _siter(settings, monkeypatch)
    cache = _cache_file(settings)
    good = claim.read_cache_file(cache, 64)
    assert good
    spoil(cache)
    assert claim.read_cache_file(cache, 64) == {}
    calls = fake_embedders["test-hash"].calls
    again = _siter(settings, monkeypatch)
    assert again == first  # same answer from re-embedded sentences
    assert fake_embedders["test-hash"].calls > calls
    assert set(claim.read_cache_file(cache, 64)) == set(good)  # written anew


def test_indekser_alt_drops_the_sentence_cache(settings, monkeypatch):
    index_corpus(settings)
    _siter(settings, monkeypatch)
    _cache_file(settings)
    assert _cli(settings, "indekser", "--alt").exit_code == 0
    assert not (settings.index / SENTENCE_CACHE).exists()
    _siter(settings, monkeypatch)
    _cache_file(settings)


def test_indekser_alt_keeps_ocr_cache_entries_that_verify_and_drops_the_rest(settings):
    from litsok.ingest import ocr

    index_corpus(settings)
    folder = settings.index / "ocr-cache" / "ab"
    folder.mkdir(parents=True)
    good = folder / "god.json"
    good.write_text(json.dumps({"version": ocr.CACHE_VERSION, "parts": [[["Tekst", 1, 2]]]}), encoding="utf-8")
    bad = {name: folder / name for name in ("liste.json", "avkortet.json", ".tmp-x.json")}
    bad["liste.json"].write_text("[]", encoding="utf-8")  # ocr._read_cache raises AttributeError on this
    bad["avkortet.json"].write_text('{"version": 1, "parts": [[', encoding="utf-8")
    bad[".tmp-x.json"].write_text("{}", encoding="utf-8")
    assert _cli(settings, "indekser", "--alt").exit_code == 0
    assert good.exists() and not any(p.exists() for p in bad.values())


# --------------------------------------------------------------------------- failures remembered


def _count_reads(monkeypatch, module, name: str) -> dict[str, int]:
    import importlib

    mod = importlib.import_module(module)
    real = getattr(mod, name)
    counts: dict[str, int] = {}

    def counting(path, *args, **kwargs):
        counts[Path(path).name] = counts.get(Path(path).name, 0) + 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(mod, name, counting)
    return counts


def test_failed_note_is_read_once_reported_every_run_and_retried_when_changed_or_with_alt(settings, monkeypatch):
    reads = _count_reads(monkeypatch, "litsok.ingest.notes", "read_note")
    bad = settings.corpus / "notater" / "tom.md"
    bad.write_text("", encoding="utf-8")

    res = _cli(settings, "indekser")
    assert res.exit_code == 2 and "notater/tom.md: filen er tom." in res.stdout and "uendret siden" not in res.stdout
    assert reads["tom.md"] == 1 and len(load_index(settings.index).chunks) == 5  # the rest is indexed
    live = (settings.index / CURRENT).read_text()

    res = _cli(settings, "indekser")  # unchanged: reported again from memory, not read, nothing written
    _no_traceback(res)
    assert res.exit_code == 2
    line = next(x for x in res.stdout.splitlines() if "tom.md" in x)
    assert "filen er tom." in line and "(uendret siden forrige forsøk; endre filen eller kjør `litsok indekser --alt`" in line
    assert reads["tom.md"] == 1 and reads["biestek.md"] == 1
    assert (settings.index / CURRENT).read_text() == live
    st = json.loads(_cli(settings, "status", "--json").stdout)
    assert "notater/tom.md" in st["feilet"] and st["utdatert"] is False

    bad.write_text("   \n", encoding="utf-8")  # changed, still empty: read again
    assert json.loads(_cli(settings, "status", "--json").stdout)["endret"] == ["notater/tom.md"]
    res = _cli(settings, "indekser")
    assert res.exit_code == 2 and reads["tom.md"] == 2 and "uendret siden" not in res.stdout

    res = _cli(settings, "indekser", "--alt")  # --alt tries again
    assert res.exit_code == 2 and reads["tom.md"] == 3 and "uendret siden" not in res.stdout

    bad.write_text("---\nkilde: biestek1972\n---\n## s. 40\nNå står det noe her.\n", encoding="utf-8")
    res = _cli(settings, "indekser")
    assert res.exit_code == 0 and reads["tom.md"] == 4 and len(load_index(settings.index).chunks) == 6
    assert load_index(settings.index).manifest.failures == ()


def test_failed_pdf_is_not_read_again_until_ocr_state_or_content_changes(settings, monkeypatch, tmp_path):
    from litsok.ingest import ocr

    corpus = hostile_index.make_remembered_failure(tmp_path / "hostile", scale=0.001)
    settings = type(settings)(corpus=corpus, index=settings.index, embedder="test-hash")
    reads = _count_reads(monkeypatch, "litsok.ingest.pdf", "read_pdf")
    monkeypatch.setattr(ocr, "ocr_available", lambda languages="nor+eng": "Tesseract er ikke installert.")
    first = _cli(settings, "indekser")
    _no_traceback(first)
    assert first.exit_code == 2 and "artikler/ødelagt.pdf" in first.stdout and reads["ødelagt.pdf"] == 1
    assert len(load_index(settings.index).chunks) == 2
    second = _cli(settings, "indekser")
    assert second.exit_code == 2 and "uendret siden forrige forsøk" in second.stdout and reads["ødelagt.pdf"] == 1
    monkeypatch.setattr(ocr, "ocr_available", lambda languages="nor+eng": None)  # OCR installed since
    third = _cli(settings, "indekser")
    assert third.exit_code == 2 and "uendret siden" not in third.stdout and reads["ødelagt.pdf"] == 2
    fourth = _cli(settings, "indekser")
    assert fourth.exit_code == 2 and reads["ødelagt.pdf"] == 2


# --------------------------------------------------------------------------- the benchmark's generators


@pytest.mark.parametrize("case", sorted(hostile_index.CASES))
def test_hostile_index_cases_at_small_scale(case, tmp_path):
    make, command = hostile_index.CASES[case]
    out = make(tmp_path / "case", 0.0005)
    if case == "husket-feil":
        argv = ["indekser", "--modell", "test-hash", "--korpus", str(out), "--indeks", str(out.parent / "indeks")]
        for _ in range(2):
            res = runner.invoke(app, argv)
            _no_traceback(res)
            assert res.exit_code == 2 and "ødelagt.pdf" in res.stdout
        assert "uendret siden forrige forsøk" in res.stdout
        return
    words = {"spør": ["spør", "tillit"], "siter": ["siter", "tillit og samarbeid"]}.get(command, command.split())
    res = runner.invoke(app, [*words, "--indeks", str(out), "--korpus", str(tmp_path / "ingen")])
    _no_traceback(res)
    if case == "setningscache-avkortet":  # a cache is only a cache: discarded, the command works
        assert res.exit_code == 0, res.output
    else:
        assert res.exit_code == 1 and "er skadet" in res.output and "--alt" in res.output, res.output
