import json
import os

import pytest

from litsok.config import Settings
from litsok.errors import EmbedderMismatchError, IndexFormatError, IndexLockedError, IndexMissingError
from litsok.index import CURRENT, IndexWriter, load_index
from litsok.library import ask, index_corpus


def test_round_trip_keeps_chunks_citations_and_manifest(settings):
    report = index_corpus(settings)
    assert (report.files, report.sources, report.chunks) == (3, 3, 5)
    idx = load_index(settings.index)
    m = idx.manifest
    assert (m.format_version, m.embedder_id, m.embedder_dim) == (3, "test-hash", 64)
    assert m.chunker == {"target_words": 150, "max_words": 200, "min_words": 40}
    assert {f.file for f in m.files} == {"notater/biestek.md", "notater/rokenes.md", "notater/leseth.md"}
    assert all(len(f.sha256) == 64 for f in m.files)
    cites = sorted(sc.citation for sc in idx.chunks)
    assert cites == [
        "(Biestek, 1972, s. 22)",
        "(Biestek, 1972, s. 28–29)",
        "(Leseth et al., 2020, s. 133)",
        "(Røkenes & Hanssen, 2012, s. 180)",
        "(Røkenes & Hanssen, 2012, s. 181)",
    ]
    assert idx.vectors.size == 5 and idx.vectors.dim == 64


def test_ask_returns_the_cited_page(settings):
    index_corpus(settings)
    hits = ask(settings, "Hva betyr aksept for klienten?", k=2)
    assert hits[0].citation == "(Biestek, 1972, s. 28–29)"
    assert hits[0].chunk.text[slice(*hits[0].best_sentence)].startswith("Aksept betyr")


def test_source_filter_limits_hits(settings):
    index_corpus(settings)
    hits = ask(settings, "relasjonen", k=5, sources=["rokenes2012"])
    assert hits and {h.chunk.source_key for h in hits} == {"rokenes2012"}


def test_query_with_another_embedder_says_so_in_norwegian(settings):
    index_corpus(settings)
    other = settings.with_overrides(embedder="test-hash-2")
    with pytest.raises(EmbedderMismatchError) as err:
        ask(other, "Hva er aksept?")
    msg = err.value.message
    assert "test-hash" in msg and "test-hash-2" in msg and "litsok indekser --modell test-hash-2 --alt" in msg


def test_query_without_model_uses_the_index_embedder(settings):
    index_corpus(settings)
    plain = Settings(corpus=settings.corpus, index=settings.index)  # no --modell given
    assert ask(plain, "aksept")[0].citation == "(Biestek, 1972, s. 28–29)"


def test_missing_index_and_wrong_format_are_clear(settings):
    with pytest.raises(IndexMissingError, match="litsok indekser"):
        load_index(settings.index)
    index_corpus(settings)
    gen = settings.index / (settings.index / CURRENT).read_text().strip()
    man = json.loads((gen / "manifest.json").read_text())
    man["format_version"] = 0
    (gen / "manifest.json").write_text(json.dumps(man))
    with pytest.raises(IndexFormatError, match="--alt"):
        load_index(settings.index)


def test_rerun_reuses_embeddings_and_reports_changes(settings, fake_embedders):
    index_corpus(settings)
    first_calls = fake_embedders["test-hash"].calls
    assert first_calls == 5
    r = index_corpus(settings)
    assert (r.embedded, r.reused, len(r.unchanged)) == (0, 5, 3)
    (settings.corpus / "notater" / "leseth.md").write_text(
        "---\nkilde: leseth2020\n---\n## s. 134\nNy tekst om aktivitetsplikt.\n", encoding="utf-8"
    )
    (settings.corpus / "notater" / "rokenes.md").unlink()
    r = index_corpus(settings)
    assert r.changed == ("notater/leseth.md",) and r.removed == ("notater/rokenes.md",)
    assert r.embedded == 1 and r.chunks == 3
    assert fake_embedders["test-hash"].calls == 6
    assert "(Leseth et al., 2020, s. 134)" in {sc.citation for sc in load_index(settings.index).chunks}


def test_failed_write_leaves_previous_index_intact(settings, monkeypatch):
    index_corpus(settings)
    before = (settings.index / CURRENT).read_text()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(IndexWriter, "write", boom)
    (settings.corpus / "notater" / "ny.md").write_text("---\nkilde: biestek1972\n---\n## s. 40\nNy.\n", encoding="utf-8")
    with pytest.raises(Exception, match="forrige indeksen er urørt"):
        index_corpus(settings)
    assert (settings.index / CURRENT).read_text() == before
    assert len(load_index(settings.index).chunks) == 5
    assert [p.name for p in settings.index.iterdir() if p.name.startswith("gen-")] == [before.strip()]


def test_second_writer_is_refused_while_one_holds_the_lock(settings):
    with IndexWriter(settings.index):
        with pytest.raises(IndexLockedError, match="En annen `litsok indekser`"):
            index_corpus(settings)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_index_folder_is_a_clear_error(settings):
    settings.index.mkdir()
    settings.index.chmod(0o500)
    try:
        with pytest.raises(Exception, match="skrivetilgang"):
            index_corpus(settings)
    finally:
        settings.index.chmod(0o700)


def test_index_folder_that_cannot_be_created_is_a_clear_error(settings, tmp_path):
    blocker = tmp_path / "fil"
    blocker.write_text("ikke en mappe")
    with pytest.raises(Exception, match="Kan ikke skrive til indeksmappen") as err:
        index_corpus(settings.with_overrides(index=blocker / "indeks"))
    assert "--indeks" in str(err.value)


def test_no_change_run_writes_nothing_and_bib_change_recites(settings):
    index_corpus(settings)
    before = (settings.index / CURRENT).read_text()
    r = index_corpus(settings)
    assert (r.embedded, r.chunks, (settings.index / CURRENT).read_text()) == (0, 5, before)
    bib = settings.corpus / "kilder.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("{1972}", "{1973}"), encoding="utf-8")
    r = index_corpus(settings)
    assert r.embedded == 0 and (settings.index / CURRENT).read_text() != before
    cites = {sc.citation for sc in load_index(settings.index).chunks}
    assert "(Biestek, 1973, s. 22)" in cites and "(Biestek, 1972, s. 22)" not in cites
    assert "(Røkenes & Hanssen, 2012, s. 180)" in cites


def test_title_change_in_bibliography_recites_without_reembedding(settings, fake_embedders):
    index_corpus(settings)
    calls = fake_embedders["test-hash"].calls
    bib = settings.corpus / "kilder.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("Klient-sosialarbeider-relasjonen", "Relasjonen"), encoding="utf-8")
    r = index_corpus(settings)
    assert r.embedded == 0 and fake_embedders["test-hash"].calls == calls
    assert load_index(settings.index).sources["biestek1972"]["title"] == "Relasjonen"


def test_exact_index_queries_read_numpy_and_match_faiss(settings):
    import numpy as np

    from litsok.vectors import MatrixIndex, VectorIndex

    index_corpus(settings)
    idx = load_index(settings.index)
    assert isinstance(idx.vectors, MatrixIndex)
    faiss_side = VectorIndex.load(idx.folder / "vectors.faiss")
    q = np.ones(64, dtype=np.float32) / 8
    ids_a, sc_a = idx.vectors.scores(q, 3)
    ids_b, sc_b = faiss_side.scores(q, 3)
    assert np.array_equal(ids_a, ids_b) and np.allclose(sc_a, sc_b, atol=1e-6)
