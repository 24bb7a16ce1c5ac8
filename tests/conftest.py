"""Shared fixtures: a deterministic fake embedder, paths in tmp_path, corpus builders."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from litsok import embed
from litsok.config import Settings
from litsok.lexical import tokenize

REPO = Path(__file__).resolve().parent.parent
DEMO_CORPUS = REPO / "corpus"


class HashEmbedder:
    """Bag of stemmed words hashed into 64 dimensions: deterministic, instant,
    and similar texts get similar vectors (good enough to test plumbing)."""

    def __init__(self, eid: str = "test-hash", dim: int = 64) -> None:
        self.id = eid
        self.dim = dim
        self.version = "1"
        self.calls = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for tok in tokenize(text) or ["_"]:
            v[int(hashlib.md5(tok.encode()).hexdigest(), 16) % self.dim] += 1.0
        return v / np.linalg.norm(v)

    def embed_passages(self, texts):
        self.calls += len(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text):
        return self._vec(text)


@pytest.fixture(autouse=True)
def fake_embedders(monkeypatch):
    """Register `test-hash` and `test-hash-2` (another model) as embedders."""
    made: dict[str, HashEmbedder] = {}

    def factory(eid: str, dim: int):
        def make():
            made[eid] = HashEmbedder(eid, dim)
            return made[eid]

        return make

    monkeypatch.setitem(embed._FACTORIES, "test-hash", factory("test-hash", 64))
    monkeypatch.setitem(embed._FACTORIES, "test-hash-2", factory("test-hash-2", 32))
    for key in [k for k in embed._CACHE if k.startswith("test-hash")]:
        monkeypatch.delitem(embed._CACHE, key)
    return made


@pytest.fixture(autouse=True)
def isolated_cwd(tmp_path, monkeypatch):
    """Every test runs in its own folder: no litsok.toml or index/ leaks in."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("NO_COLOR", "1")
    return work


def write_note(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


BIB = """
@book{biestek1972,
  author = {Biestek, Felix P.},
  year = {1972},
  title = {Klient-sosialarbeider-relasjonen},
  publisher = {Universitetsforlaget},
}
@book{rokenes2012,
  author = {Røkenes, Odd Harald and Hanssen, Per-Halvard},
  year = {2012},
  title = {Bære eller briste: Kommunikasjon og relasjon i arbeid med mennesker},
  edition = {3},
  publisher = {Fagbokforlaget},
}
@article{leseth2020,
  author = {Leseth, Anne Birgitta and Vilhena, Sandra and Gjersøe, Heidi Moen},
  year = {2020},
  title = {Aktivitetspliktens innside og utside},
  journal = {Tidsskrift for velferdsforskning},
  volume = {23}, number = {2}, pages = {126--139},
}
"""

NOTE_BIESTEK = """---
kilde: biestek1972
---
# Biestek (1972)

## s. 22
Relasjonen er sjelen i sosialt arbeid. En tannlege eller dommer trenger ikke en god relasjon for å gjøre jobben sin.

## s. 28–29 – Aksept
Aksept betyr at sosialarbeideren tar imot klienten slik hun er, med styrker og svakheter, uten å godta alt hun gjør.
"""

NOTE_ROKENES = """---
kilde: rokenes2012
---
## s. 180
Væremåte handler om hvordan hjelperen fremstår: håndtrykk, blikk og vennlighet påvirker relasjonen.

## s. 181
Empati er evnen til å sette seg inn i klientens opplevelse og formidle forståelse tilbake.
"""

NOTE_LESETH = """---
kilde: leseth2020
---
## s. 133
Unge mottakere av sosialhjelp opplevde aktivitetsplikten som meningsløs når tiltaket ikke passet.
"""


# A draft with one correct, one wrong-page, one unknown-source and one unsupported citation,
# and a narrative citation without page (used by the `sjekk` tests).
SMALL_DRAFT = """# Utkast

Relasjonen er sjelen i sosialt arbeid, og en tannlege trenger ikke en god relasjon (Biestek, 1972, s. 22).

Empati er evnen til å sette seg inn i klientens opplevelse (Røkenes & Hanssen, 2012, s. 180).

Fotosyntesen skjer i kloroplastene (Hansen, 2021, s. 4).

Norges høyeste fjell er Galdhøpiggen (Biestek, 1972, s. 22).

Leseth et al. (2020) viser at unge mottakere opplevde aktivitetsplikten som meningsløs.
"""


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """Three notes and a bibliography with known printed pages."""
    root = tmp_path / "korpus"
    (root / "notater").mkdir(parents=True)
    (root / "kilder.bib").write_text(BIB, encoding="utf-8")
    write_note(root, "notater/biestek.md", NOTE_BIESTEK)
    write_note(root, "notater/rokenes.md", NOTE_ROKENES)
    write_note(root, "notater/leseth.md", NOTE_LESETH)
    return root


@pytest.fixture
def settings(small_corpus, tmp_path) -> Settings:
    return Settings(corpus=small_corpus, index=tmp_path / "indeks", embedder="test-hash")


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory) -> Settings:
    """The bundled demo corpus indexed once with the real default embedder."""
    from litsok.library import index_corpus

    root = tmp_path_factory.mktemp("demo")
    corpus = root / "corpus"
    shutil.copytree(DEMO_CORPUS, corpus)
    s = Settings(corpus=corpus, index=root / "index")
    index_corpus(s)
    return s
