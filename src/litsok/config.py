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

    def with_overrides(self, **kw: Any) -> Settings:
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


_KEYS = {
    "korpus": ("corpus", Path),
    "indeks": ("index", Path),
    "modell": ("embedder", str),
    "antall": ("k", int),
    "fusjon": ("fusion", str),
    "vekt_dense": ("dense_weight", float),
}


def load_settings(folder: Path | None = None) -> Settings:
    """Read `litsok.toml` in `folder` (default: current folder) if it exists."""
    path = (folder or Path.cwd()) / CONFIG_FILE
    if not path.is_file():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LitsokError(f"{path}: kan ikke leses som TOML ({exc}). Rett filen eller fjern den.") from exc
    table = raw.get("litsok", raw)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            raise LitsokError(f"{path}: ukjent innstilling «{key}». Gyldige: {', '.join(sorted(_KEYS))}.")
        name, typ = _KEYS[key]
        try:
            values[name] = typ(value)
        except (TypeError, ValueError) as exc:
            raise LitsokError(f"{path}: «{key}» har en ugyldig verdi ({value!r}).") from exc
    base = path.parent
    for name in ("corpus", "index"):
        if name in values and not values[name].is_absolute():
            values[name] = base / values[name]
    return Settings(**values)
