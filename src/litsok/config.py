"""Settings: defaults, overridden by `litsok.toml` in the project folder,
overridden by command-line flags."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import LitsokError

CONFIG_FILE = "litsok.toml"


@dataclass(frozen=True)
class Settings:
    corpus: Path = Path("corpus")
    index: Path = Path("index")
    embedder: str | None = None  # None: the index's own embedder (queries) / the default (indexing)
    k: int = 5
    fusion: str = "hybrid"
    dense_weight: float = 0.5
    # the Zotero data folder to index with the corpus: None = none, "" = Zotero's usual folder on this computer
    zotero: str | None = None
    collection: str | None = None  # only this Zotero collection (name or path "Bachelor/Teori") and its subcollections
    # `--uten-zotero`: leave Zotero out even when the index was built with it (else the index remembers its library)
    no_zotero: bool = False

    def with_overrides(self, **kw: Any) -> Settings:
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


_KEYS = {
    "korpus": ("corpus", Path),
    "indeks": ("index", Path),
    "modell": ("embedder", str),
    "antall": ("k", int),
    "fusjon": ("fusion", str),
    "vekt_dense": ("dense_weight", float),
    "zotero": ("zotero", str),
    "samling": ("collection", str),
}


FUSIONS = ("hybrid", "rrf", "dense", "lexical")
MAX_K = 100


def _check(key: str, value: Any) -> str:
    """Why `value` cannot be setting `key` ("" when it can)."""
    import math

    if key in ("korpus", "indeks", "modell"):
        if not isinstance(value, str) or not value.strip():
            return "skriv en tekst i anførselstegn"
        return "tegnet NUL kan ikke stå i en sti" if "\x00" in value else ""
    if key == "antall":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_K
        return "" if ok else f"et helt tall fra 1 til {MAX_K}"
    if key == "vekt_dense":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and 0 <= value <= 1
        return "" if ok else "et tall fra 0 til 1"
    if key == "zotero":
        if isinstance(value, bool):
            return ""
        if not isinstance(value, str) or not value.strip():
            return "skriv stien til Zotero-datamappen i anførselstegn, eller true for Zoteros vanlige mappe"
        return "tegnet NUL kan ikke stå i en sti" if "\x00" in value else ""
    if key == "samling":
        ok = isinstance(value, str) and bool(value.strip()) and "\x00" not in value
        return "" if ok else "skriv navnet på en Zotero-samling i anførselstegn, f.eks. \"Bachelor\""
    if key == "fusjon":
        return "" if value in FUSIONS else f"en av {', '.join(FUSIONS)}"
    return ""


def _toml_reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "verdiene er nestet i for mange nivåer"
    if "integer string conversion" in str(exc):
        return "et heltall har flere enn 4300 sifre"
    return str(exc)


def load_settings(folder: Path | None = None) -> Settings:
    """Read `litsok.toml` in `folder` (default: current folder) if it exists."""
    path = (folder or Path.cwd()) / CONFIG_FILE
    if not path.is_file():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: TOMLDecodeError, UnicodeDecodeError, an int of 4,300+ digits
        raise LitsokError(f"{path}: kan ikke leses som TOML ({_toml_reason(exc)}). Rett filen eller fjern den.") from exc
    table = raw.get("litsok", raw)
    if not isinstance(table, dict):
        raise LitsokError(f"{path}: «litsok» må være en tabell ([litsok]) med innstillinger, ikke {repr(table)[:60]}.")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            raise LitsokError(f"{path}: ukjent innstilling «{key}». Gyldige: {', '.join(sorted(_KEYS))}.")
        name, typ = _KEYS[key]
        problem = _check(key, value)
        if problem:
            raise LitsokError(f"{path}: «{key}» har en ugyldig verdi ({str(value)[:60]!r}): {problem}.")
        if key == "zotero" and isinstance(value, bool):
            if value:
                values[name] = ""  # true: Zotero's usual data folder
            continue
        values[name] = typ(value.strip()) if key == "samling" else typ(value)
    base = path.parent
    for name in ("corpus", "index"):
        if name in values and not values[name].is_absolute():
            values[name] = base / values[name]
    if values.get("zotero"):
        values["zotero"] = str(base / Path(values["zotero"]).expanduser())  # an absolute path stays as it is
    return Settings(**values)
